// The softphone registering to a real Kamailio registrar (the project's config, digest users in SQLite): over UDP and
// TCP, refresh, wrong password, unregister, recovery after Kamailio restarts or freezes, and two accounts at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { type SipUri, parseUri } from '../../main/sip/message/uri';
import type { RegistrationState } from '../../main/ua/registration/registration-state';
import { UserAgent } from '../../main/ua/user-agent';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';
import { type SoftphoneProcess, runSoftphone } from './support/softphone-cli';

const peers = peersAvailable();

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

describe.skipIf(!peers.kamailio)('registration against Kamailio', () => {
  let kamailio: KamailioHandle;
  const running: SoftphoneProcess[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'secret' },
        { username: 'bob', password: 'bob-pw' },
      ],
      minExpires: 1,
    });
  });

  afterEach(() => {
    for (const process of running.splice(0)) process.kill();
  });

  afterAll(async () => {
    await kamailio?.stop();
  });

  function register(user: string, password: string, extra: string[] = []): SoftphoneProcess {
    const cli = runSoftphone([
      'register',
      '--aor',
      `sip:${user}@${kamailio.domain}`,
      '--password',
      password,
      '--proxy',
      `sip:127.0.0.1:${kamailio.port}`,
      '--bind',
      '127.0.0.1:0',
      ...extra,
    ]);
    running.push(cli);
    return cli;
  }

  async function bindingsOf(user: string) {
    return (await kamailio.ulDump()).filter((binding) => binding.aor === user);
  }

  async function eventually<T>(
    probe: () => Promise<T>,
    accept: (value: T) => boolean,
    timeoutMs = 10_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (accept(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  for (const transport of ['udp', 'tcp'] as const) {
    it(`registers over ${transport.toUpperCase()}, the binding shows in ul.dump, and quit removes it`, async () => {
      const cli = register('alice', 'secret', ['--transport', transport, '--expires', '300']);
      const port = await cli.port();
      const registered = await cli.waitFor((e) => e['state'] === 'registered');
      expect(registered['expires']).toBe(300);
      const bindings = await bindingsOf('alice');
      expect(bindings).toHaveLength(1);
      const suffix = transport === 'tcp' ? ';transport=tcp' : '';
      expect(bindings[0]!.contact).toBe(`sip:alice@127.0.0.1:${port}${suffix}`);
      expect(bindings[0]!.socket).toBe(`${transport}:127.0.0.1:${kamailio.port}`);
      expect(bindings[0]!.instance).toMatch(/^<urn:uuid:[0-9a-f-]{36}>$/);
      expect(await cli.quit()).toBe(0);
      expect(cli.registrationStates().slice(-2)).toEqual(['unregistering', 'unregistered']);
      expect(await bindingsOf('alice')).toHaveLength(0);
    });
  }

  it('refreshes before the binding expires', async () => {
    const cli = register('alice', 'secret', ['--expires', '2']);
    await cli.waitFor((e) => e['state'] === 'registered');
    const first = (await bindingsOf('alice'))[0]!;
    // 90% of 2 s: a refresh every ~1.8 s, each pre-authorized with the cached nonce (one REGISTER, one CSeq).
    const later = await eventually(
      () => bindingsOf('alice'),
      (bindings) => (bindings[0]?.cseq ?? 0) >= first.cseq + 3,
      8_000,
    );
    expect(later[0]!.cseq).toBeGreaterThanOrEqual(first.cseq + 3);
    expect(later[0]!.callId).toBe(first.callId);
    expect(cli.registrationStates().filter((state) => state === 'registering')).toHaveLength(1);
    expect(await cli.quit()).toBe(0);
  });

  it('fails clearly on a wrong password, after one retry, and exits 1', async () => {
    const cli = register('alice', 'not-the-password', ['--trace']);
    const port = await cli.port();
    const failed = await cli.waitFor((e) => e['state'] === 'failed');
    expect(failed).toMatchObject({ reason: 'bad-credentials', status: 401, retryInMs: null });
    expect(await cli.exited()).toBe(1);
    const sentRegisters = cli.stderr.match(/^>> sent UDP[^\n]*\nREGISTER /gm) ?? [];
    // The first REGISTER, the one authorized retry, and the bounded un-REGISTER attempt at exit — no storm.
    expect(sentRegisters.length).toBeLessThanOrEqual(3);
    expect((await bindingsOf('alice')).filter((b) => b.contact.includes(`:${port}`))).toHaveLength(0);
  });

  it('says when the user is unknown', async () => {
    const cli = register('mallory', 'whatever');
    const failed = await cli.waitFor((e) => e['state'] === 'failed');
    // Kamailio challenges unknown users too, and then refuses the credentials.
    expect(['bad-credentials', 'not-found', 'forbidden']).toContain(failed['reason']);
    expect(await cli.exited()).toBe(1);
  });

  it('registers again by itself after Kamailio is killed and restarted (UDP, on refresh)', async () => {
    const cli = register('alice', 'secret', ['--expires', '3', '--retry-base', '1', '--retry-max', '2']);
    await cli.waitFor((e) => e['state'] === 'registered');
    await kamailio.kill('SIGKILL');
    await kamailio.restart();
    expect(await bindingsOf('alice')).toHaveLength(0);
    const bindings = await eventually(
      () => bindingsOf('alice'),
      (b) => b.length === 1,
      10_000,
    );
    expect(bindings).toHaveLength(1);
    expect(await cli.quit()).toBe(0);
  });

  it('registers again after Kamailio restarts (TCP: the closed connection triggers recovery)', async () => {
    const cli = register('alice', 'secret', [
      '--transport',
      'tcp',
      '--expires',
      '600',
      '--retry-base',
      '1',
      '--retry-max',
      '2',
    ]);
    await cli.waitFor((e) => e['state'] === 'registered');
    const before = cli.events.length;
    await kamailio.kill('SIGKILL');
    await kamailio.restart();
    const bindings = await eventually(
      () => bindingsOf('alice'),
      (b) => b.length === 1,
      10_000,
    );
    expect(bindings).toHaveLength(1);
    expect(bindings[0]!.socket).toBe(`tcp:127.0.0.1:${kamailio.port}`);
    // With a 600 s lifetime only the lost connection can explain the new binding this soon.
    expect(cli.events.slice(before).some((e) => e['state'] === 'registered')).toBe(true);
    expect(await cli.quit()).toBe(0);
  });

  it('notices a frozen Kamailio on a TCP flow by its missing pongs, and registers again (RFC 5626 §4.4.1)', async () => {
    const cli = register('alice', 'secret', [
      '--transport',
      'tcp',
      '--expires',
      '600',
      '--keepalive',
      '1',
      '--trace',
    ]);
    await cli.waitFor((e) => e['state'] === 'registered');
    const sentRegisters = () => cli.stderr.split('\n').filter((line) => line.startsWith('REGISTER ')).length;
    const sentPings = () => (cli.stderr.match(/>> sent TCP .* \(4 bytes\)/g) ?? []).length;
    // Kamailio answers CRLF pings with a pong (tcp_crlf_ping): after a few, the flow expects one for every ping.
    await eventually(
      async () => sentPings(),
      (count) => count >= 3,
    );
    const registersBefore = sentRegisters();
    const group = kamailio.pid!;
    // Frozen, not killed: the connection stays open and writes succeed, but nothing answers.
    process.kill(-group, 'SIGSTOP');
    try {
      const registers = await eventually(
        async () => sentRegisters(),
        (count) => count > registersBefore,
        20_000,
      );
      expect(registers).toBeGreaterThan(registersBefore);
      expect(cli.stderr).toContain('no pong within 10 s of a keep-alive ping');
    } finally {
      process.kill(-group, 'SIGCONT');
    }
    // Thawed, Kamailio answers the REGISTER waiting on the connection.
    const before = cli.events.length;
    await cli.waitFor((e) => e['state'] === 'registered', 15_000, before);
    expect(await cli.quit()).toBe(0);
  }, 60_000);

  it('keeps two accounts registered at once, each with its own state', async () => {
    const ua = await UserAgent.start({
      sockets: new NodeSocketFactory(),
      clock: new SystemClock(),
      random: new CryptoRandom(),
      bindAddress: '127.0.0.1',
    });
    try {
      const proxy = sipUri(`sip:127.0.0.1:${kamailio.port}`);
      const alice = ua.addAccount({
        aor: sipUri('sip:alice@example.test'),
        password: 'secret',
        transport: 'udp',
        expires: 120,
        outboundProxy: proxy,
      });
      const bob = ua.addAccount({
        aor: sipUri('sip:bob@example.test'),
        password: 'bob-pw',
        transport: 'tcp',
        expires: 120,
        outboundProxy: proxy,
      });
      const settled = (account: typeof alice) =>
        new Promise<RegistrationState>((resolve) =>
          account.registerer.onStateChanged((state) => {
            if (state.name === 'registered' || state.name === 'failed') resolve(state);
          }),
        );
      const states = Promise.all([settled(alice), settled(bob)]);
      alice.registerer.register();
      bob.registerer.register();
      expect((await states).map((s) => s.name)).toEqual(['registered', 'registered']);
      expect(await bindingsOf('alice')).toHaveLength(1);
      expect(await bindingsOf('bob')).toHaveLength(1);
      await ua.shutdown();
      expect(alice.registerer.state.name).toBe('unregistered');
      expect(bob.registerer.state.name).toBe('unregistered');
      expect(await bindingsOf('alice')).toHaveLength(0);
      expect(await bindingsOf('bob')).toHaveLength(0);
    } finally {
      ua.transport.close();
    }
  });
});
