// Instant messages through the project's Kamailio (issue 9 §2): what one MESSAGE costs end to end (alice's engine
// user agent → Kamailio, 407 and the answer with credentials → bob's user agent → 200 back), how many a burst of
// 300 at once takes, and how long msilo takes to deliver 100 stored messages once their user registers.
import { arch, cpus, platform } from 'node:os';
import { MessagingUsage, messagingHostOf } from '../main/messaging/messaging-usage';
import { SystemClock } from '../main/platform/clock';
import { NodeSocketFactory } from '../main/platform/node-sockets';
import { CryptoRandom } from '../main/platform/random';
import { type SipUri, parseUri } from '../main/sip/message/uri';
import { NoNameResolver } from '../main/ua/next-hop';
import { type Account, UserAgent } from '../main/ua/user-agent';
import { type KamailioHandle, startKamailio } from '../test/interop/support/kamailio';
import type { Benchmark } from './benchmark';

const SEQUENTIAL = 200;
const BURST = 300;
const STORED = 100;
const STEP_TIMEOUT_MS = 120_000;
const TEXT = 'Hello 👋 — שלום — مرحبا: a message of ordinary length for a chat.';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

interface Side {
  readonly agent: UserAgent;
  readonly account: Account;
  readonly usage: MessagingUsage;
  received: number;
}

async function side(kamailio: KamailioHandle, user: string, register: boolean): Promise<Side> {
  const agent = await UserAgent.start({
    sockets: new NodeSocketFactory(),
    clock: new SystemClock(),
    random: new CryptoRandom(),
    resolver: new NoNameResolver(),
    bindAddress: '127.0.0.1',
    port: 0,
    protocols: ['udp', 'tcp'],
  });
  const account = agent.addAccount({
    aor: sipUri(kamailio.uri(user)),
    password: `${user}-pw`,
    outboundProxy: sipUri(kamailio.proxyUri('udp')),
    transport: 'udp',
    expires: 3600,
  });
  const usage = new MessagingUsage(messagingHostOf(agent));
  const made: Side = { agent, account, usage, received: 0 };
  usage.setIncomingHandler(() => {
    made.received++;
    return { kind: 'stored' };
  });
  if (register) {
    account.registerer.register();
    await until(() => account.registerer.state.name === 'registered', `${user} registered`);
  }
  return made;
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

export const benchmark: Benchmark = {
  section: 'Messages: MESSAGE through Kamailio and msilo',
  async run() {
    const kamailio = await startKamailio({
      users: ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-pw` })),
      offlineMessages: true,
    });
    const sides: Side[] = [];
    try {
      const alice = await side(kamailio, 'alice', true);
      const bob = await side(kamailio, 'bob', true);
      sides.push(alice, bob);
      const bobUri = sipUri(kamailio.uri('bob'));

      for (let i = 0; i < 20; i++) await alice.usage.send(alice.account, bobUri, TEXT); // warm-up
      const times: number[] = [];
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < SEQUENTIAL; i++) {
        const at = performance.now();
        const outcome = await alice.usage.send(alice.account, bobUri, TEXT);
        if (!outcome.ok) throw new Error(outcome.failure.detail ?? outcome.failure.reason);
        times.push(performance.now() - at);
      }
      const sequentialMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      times.sort((a, b) => a - b);
      console.error(`  ${SEQUENTIAL} sequential: median ${percentile(times, 0.5).toFixed(2)} ms`);

      const before = bob.received;
      const burstStart = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: BURST }, (_, i) => alice.usage.send(alice.account, bobUri, `${TEXT} #${i}`)),
      );
      const burstMs = performance.now() - burstStart;
      const burstOk = outcomes.filter((outcome) => outcome.ok).length;
      await until(() => bob.received - before >= burstOk, 'the burst received');
      console.error(`  burst of ${BURST}: ${burstOk} delivered in ${burstMs.toFixed(0)} ms`);

      const carol = await side(kamailio, 'carol', false);
      sides.push(carol);
      const carolUri = sipUri(kamailio.uri('carol'));
      for (let i = 0; i < STORED; i++) {
        const outcome = await alice.usage.send(alice.account, carolUri, `${TEXT} stored #${i}`);
        if (!outcome.ok || outcome.status !== 202) throw new Error('not stored');
      }
      const dumpStart = performance.now();
      carol.account.registerer.register();
      await until(() => carol.received >= STORED, 'the stored messages delivered');
      const dumpMs = performance.now() - dumpStart;
      console.error(`  ${STORED} stored messages delivered ${dumpMs.toFixed(0)} ms after REGISTER`);

      const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
      const cpuModel = cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'unknown CPU';
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const cpuShare = (cpuMs / sequentialMs) * 100;
      return [
        `Measured ${when} UTC with Node ${process.version} on ${cpuModel} (${cpus().length} cores, ${platform()} ${arch()}).`,
        '',
        '| measure | value |',
        '| --- | ---: |',
        `| one MESSAGE, send → 200 (407 answered each time), median / p95 of ${SEQUENTIAL} | ${percentile(times, 0.5).toFixed(2)} ms / ${percentile(times, 0.95).toFixed(2)} ms |`,
        `| both user agents' CPU per message (one process, user + system) | ${((cpuMs / SEQUENTIAL) * 1000).toFixed(0)} µs (${cpuShare.toFixed(0)} % of one core while sending) |`,
        `| ${BURST} sent at once: delivered, time until every answer | ${burstOk} of ${BURST}, ${burstMs.toFixed(0)} ms |`,
        `| ${STORED} messages msilo kept, REGISTER → the last delivered | ${dumpMs.toFixed(0)} ms |`,
        '',
        'Method: Kamailio 5.6 (test/interop/kamailio/registrar.cfg with WITH_MSILO) on 127.0.0.1; alice and bob are two ' +
          'engine user agents in this process with the MESSAGE usage, registered; every MESSAGE is challenged with 407 ' +
          '(a fresh authenticator per message) and sent again with credentials, and Kamailio relays it to bob, whose ' +
          "200 comes back. Times are from send() to its outcome, after 20 warm-up messages; CPU is the process's over the " +
          'sequential run (both agents and the polling). The burst starts 300 sends at once (the usage keeps at most 300 ' +
          'in flight). For msilo, carol is not registered while alice sends 100 (each 202); the time runs from her ' +
          'REGISTER to the last message her usage keeps.',
      ].join('\n');
    } finally {
      for (const s of sides) {
        s.usage.dispose();
        await s.agent.shutdown(1_000);
      }
      await kamailio.stop();
    }
  },
};
