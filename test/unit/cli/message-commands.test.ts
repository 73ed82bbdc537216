// `softphone message` in-process against an in-memory proxy on the LoopbackNetwork (ManualClock): the MESSAGE it
// sends, the JSON line it prints and its exit code per outcome; and incoming MESSAGEs printed by `watch` while it
// runs.
import { afterEach, describe, expect, it } from 'vitest';
import { incomingMessageJson } from '../../../main/cli/incoming-messages';
import { messageOutcomeJson } from '../../../main/cli/message-command';
import { buildIsComposing } from '../../../main/messaging/is-composing-document';
import type { StartUserAgent } from '../../../main/cli/user-agent-factory';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { drive, runCli } from '../../support/cli-run';

const PROXY = { address: '10.0.0.1', port: 5060 };
const CHALLENGE = 'Digest realm="example.test", nonce="cli-nonce", qop="auth", algorithm=MD5';
const TEXT = 'مرحبا 👋 שלום "quoted" <b>';

const agents: UserAgent[] = [];
afterEach(() => {
  for (const ua of agents.splice(0)) ua.transport.close();
});

/** A proxy that challenges MESSAGE without credentials with 407 and answers the rest with `status`. */
async function setup(status = 200) {
  const clock = new ManualClock();
  const random = new SeededRandom(8);
  const network = new LoopbackNetwork({ clock, random });
  const socket = await network.bindDatagram(PROXY.address, PROXY.port);
  const received: SipRequest[] = [];
  const answer = { status };
  socket.onMessage((data, from) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const request = parsed.message;
    received.push(request);
    const challenge =
      request.header('proxy-authorization') === undefined && request.header('route') !== undefined;
    const response = challenge
      ? createResponse(request, 407, { toTag: 'p', headers: [['Proxy-Authenticate', CHALLENGE]] })
      : createResponse(request, answer.status, { toTag: 'p' });
    socket.send(serializeMessage(response), from.port, from.address);
  });
  const startUserAgent: StartUserAgent = async (args, output) => {
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      logger: output.logger,
      bindAddress: '10.0.0.2',
      port: args.bind?.port ?? 0,
      protocols: ['udp'],
    });
    agents.push(ua);
    return ua;
  };
  return { clock, network, startUserAgent, received, answer };
}

const ACCOUNT = ['--aor', 'sip:alice@example.test', '--proxy', 'sip:10.0.0.1:5060', '--password', 'pw'];

describe('softphone message', () => {
  it('sends from the account through its proxy, answers the 407, prints message-sent and exits 0', async () => {
    const s = await setup(202);
    const cli = runCli(['message', 'sip:bob@example.test', TEXT, ...ACCOUNT], s.startUserAgent);
    await cli.started();
    await drive(s.clock, 5_000, () => cli.done() !== undefined);
    expect(cli.done()).toBe(0);
    expect(cli.events().at(-1)).toEqual({
      event: 'message-sent',
      to: 'sip:bob@example.test',
      status: 202,
      detail: '202 Accepted from 10.0.0.1:5060',
    });
    const [first, second] = s.received;
    expect(first!.method).toBe('MESSAGE');
    expect(second!.header('proxy-authorization')).toContain('username="alice"');
    expect(new TextDecoder().decode(second!.body)).toBe(TEXT);
    expect(second!.header('content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('prints message-failed with the reason and exits 1 on a 480', async () => {
    const s = await setup(480);
    const cli = runCli(['message', 'sip:bob@example.test', 'hi', ...ACCOUNT], s.startUserAgent);
    await cli.started();
    await drive(s.clock, 5_000, () => cli.done() !== undefined);
    expect(cli.done()).toBe(1);
    expect(cli.events().at(-1)).toEqual({
      event: 'message-failed',
      to: 'sip:bob@example.test',
      reason: 'unavailable',
      status: 480,
      detail: '480 Temporarily Unavailable from 10.0.0.1:5060',
    });
  });

  it('sends straight to the URI without --aor', async () => {
    const s = await setup(200);
    const cli = runCli(['message', 'sip:bob@10.0.0.1:5060', 'direct'], s.startUserAgent);
    await cli.started();
    await drive(s.clock, 5_000, () => cli.done() !== undefined);
    expect(cli.done()).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]!.header('from')).toContain('sip:anonymous@10.0.0.2');
  });

  it('refuses a missing TEXT, extra words, a bad URI and account flags without --aor (exit 2)', async () => {
    const s = await setup();
    for (const [argv, words] of [
      [['message', 'sip:bob@example.test'], 'give the URI to write to and the TEXT'],
      [['message', 'sip:bob@example.test', 'a', 'b'], 'quote it'],
      [['message', 'bob', 'hi'], 'URI'],
      [['message', 'sip:bob@example.test', 'hi', '--password', 'x'], '--password needs --aor'],
    ] as const) {
      const cli = runCli([...argv], s.startUserAgent);
      expect(await cli.code).toBe(2);
      expect(cli.stderr()).toContain(words);
    }
  });

  it('names what is wrong with a URI that is not sip: (an operand, not an option)', async () => {
    const s = await setup();
    const cli = runCli(['message', 'bob', 'hi'], s.startUserAgent);
    expect(await cli.code).toBe(2);
    expect(cli.stderr()).toContain('the URI to write to must be a sip: or sips: URI, got bob');
  });

  it('prints outcomes and incoming messages as JSON with the text as a string', () => {
    expect(
      messageOutcomeJson('sip:b@x', {
        ok: false,
        failure: {
          reason: 'timeout',
          status: 408,
          detail: '408 Request Timeout (no answer from 10.0.0.1:5060)',
        },
      }),
    ).toEqual({
      event: 'message-failed',
      to: 'sip:b@x',
      reason: 'timeout',
      status: 408,
      detail: '408 Request Timeout (no answer from 10.0.0.1:5060)',
    });
    const line = JSON.stringify(
      incomingMessageJson({
        account: undefined,
        from: 'sip:mallory@x',
        fromName: '"}\n{"event":"fake',
        body: 'line one\n{"event":"forged"}',
        date: Date.UTC(2026, 0, 2, 3, 4, 5),
        receivedAt: Date.UTC(2026, 0, 2, 3, 4, 6),
        dedupeKey: 'k',
      }),
    );
    expect(line.split('\n')).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      event: 'message',
      to: null,
      body: 'line one\n{"event":"forged"}',
      date: '2026-01-02T03:04:05.000Z',
    });
  });
});

describe('incoming MESSAGEs while watch runs', () => {
  it('prints each as a "message" event and answers it 200; typing prints as a "composing" event', async () => {
    const s = await setup();
    const cli = runCli(
      [
        'watch',
        'sip:carol@example.test',
        '--aor',
        'sip:alice@example.test',
        '--proxy',
        'sip:10.0.0.1:5060',
        '--no-register',
      ],
      s.startUserAgent,
      { SOFTPHONE_PASSWORD: 'pw' },
    );
    await cli.started();
    await settle(s.clock);
    if (cli.events().length === 0)
      throw new Error(`watch printed nothing: ${cli.stderr()} ${String(cli.done())}`);
    const listening = cli.events()[0]!;
    const port = listening['port'] as number;
    const sender = await s.network.bindDatagram('10.0.0.9', 5060);
    const answers: number[] = [];
    sender.onMessage((data) => {
      const parsed = parseMessage(data);
      if (parsed.ok && parsed.message.kind === 'response') answers.push(parsed.message.status);
    });
    const body = new TextEncoder().encode('ping 🏓');
    const head = [
      `MESSAGE sip:alice@10.0.0.2:${port} SIP/2.0`,
      'Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKwatch1',
      'Max-Forwards: 70',
      'From: "Bob" <sip:bob@example.test>;tag=b1',
      'To: <sip:alice@example.test>',
      'Call-ID: watch-message-1',
      'CSeq: 7 MESSAGE',
      'Content-Type: text/plain;charset=utf-8',
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    sender.send(new Uint8Array([...new TextEncoder().encode(head), ...body]), port, '10.0.0.2');
    await settle(s.clock);
    expect(answers).toEqual([200]);
    expect(cli.events()).toContainEqual(
      expect.objectContaining({
        event: 'message',
        to: 'sip:alice@example.test',
        from: 'sip:bob@example.test',
        fromName: 'Bob',
        body: 'ping 🏓',
        date: null,
      }),
    );
    const composing = new TextEncoder().encode(buildIsComposing('active', 60));
    const composingHead = head
      .replace('branch=z9hG4bKwatch1', 'branch=z9hG4bKwatch2')
      .replace('CSeq: 7 MESSAGE', 'CSeq: 8 MESSAGE')
      .replace('Content-Type: text/plain;charset=utf-8', 'Content-Type: application/im-iscomposing+xml')
      .replace(`Content-Length: ${body.length}`, `Content-Length: ${composing.length}`);
    sender.send(new Uint8Array([...new TextEncoder().encode(composingHead), ...composing]), port, '10.0.0.2');
    await settle(s.clock);
    expect(answers).toEqual([200, 200]);
    expect(cli.events().at(-1)).toEqual({
      event: 'composing',
      to: 'sip:alice@example.test',
      from: 'sip:bob@example.test',
      state: 'active',
    });
    cli.stdin.write('quit\n');
    await drive(s.clock, 10_000, () => cli.done() !== undefined);
    expect(cli.done()).toBe(0);
  });
});
