// `softphone watch` and `softphone publish` in-process, against an in-memory presence server on the LoopbackNetwork
// with a ManualClock: the JSON lines they print, the SUBSCRIBE/PUBLISH they send, and the clean-up on "quit".
import { afterEach, describe, expect, it } from 'vitest';
import type { StartUserAgent } from '../../../main/cli/user-agent-factory';
import { createRequest, createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import { parseUri } from '../../../main/sip/message/uri';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { drive, runCli } from '../../support/cli-run';

const run = (argv: string[], startUserAgent: StartUserAgent) =>
  runCli(argv, startUserAgent, { SOFTPHONE_PASSWORD: 'pw' });

const SERVER = { address: '10.0.0.1', port: 5060 };
const PIDF =
  '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"' +
  ' xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.test"><tuple id="t"><status><basic>open' +
  '</basic></status></tuple><dm:person id="p"><rpid:activities><rpid:away/></rpid:activities>' +
  '<dm:note>&lt;b&gt;back soon 🙂</dm:note></dm:person></presence>';

const agents: UserAgent[] = [];
afterEach(() => {
  for (const ua of agents.splice(0)) ua.transport.close();
});

/** A presence server: 202 + NOTIFY (PIDF) for SUBSCRIBE, 200 with an entity-tag for PUBLISH. */
async function setup() {
  const clock = new ManualClock();
  const random = new SeededRandom(5);
  const network = new LoopbackNetwork({ clock, random });
  const socket = await network.bindDatagram(SERVER.address, SERVER.port);
  const received: SipRequest[] = [];
  let notifyCSeq = 1;
  socket.onMessage((data, from) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const request = parsed.message;
    received.push(request);
    const reply = (status: number, headers: Array<[string, string]> = []): void =>
      socket.send(
        serializeMessage(createResponse(request, status, { toTag: 'srv', headers })),
        from.port,
        from.address,
      );
    const expires = request.header('expires') ?? '600';
    if (request.method === 'PUBLISH') {
      reply(200, [
        ['SIP-ETag', `e${received.length}`],
        ['Expires', expires],
      ]);
      return;
    }
    if (request.method !== 'SUBSCRIBE') return;
    reply(202, [
      ['Expires', expires],
      ['Contact', `<sip:presence@${SERVER.address}:${SERVER.port}>`],
    ]);
    const target = parseUri(/<([^>]+)>/.exec(request.header('contact') ?? '')![1]!);
    const server = parseUri(`sip:presence@${SERVER.address}:${SERVER.port}`);
    if (!target.ok || !server.ok) return;
    const serverUri = server.value;
    const notify = createRequest({
      method: 'NOTIFY',
      requestUri: target.value,
      from: { uri: request.to.uri, params: new Map(), tag: 'srv' },
      to: {
        uri: request.from.uri,
        params: new Map(),
        ...(request.from.tag ? { tag: request.from.tag } : {}),
      },
      callId: request.callId,
      cseq: notifyCSeq++,
      contact: [{ uri: serverUri, params: new Map() }],
      route: [],
      headers: [
        ['Via', `SIP/2.0/UDP ${SERVER.address}:${SERVER.port};branch=z9hG4bKnotify${notifyCSeq}`],
        ['Event', 'presence'],
        ['Subscription-State', expires === '0' ? 'terminated;reason=timeout' : `active;expires=${expires}`],
      ],
      ...(expires === '0'
        ? {}
        : { body: new TextEncoder().encode(PIDF), contentType: 'application/pidf+xml' }),
    });
    socket.send(serializeMessage(notify), from.port, from.address);
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
  return { clock, startUserAgent, received };
}

const ACCOUNT = ['--aor', 'sip:alice@example.test', '--proxy', 'sip:10.0.0.1:5060', '--no-register'];

describe('softphone watch', () => {
  it('prints the subscription state and each presence change, then unsubscribes on "quit"', async () => {
    const { clock, startUserAgent, received } = await setup();
    const cli = run(['watch', 'sip:bob@example.test', ...ACCOUNT], startUserAgent);
    await cli.started();
    await drive(clock, 1_000);
    const events = cli.events();
    expect(events[0]).toMatchObject({ event: 'listening', address: '10.0.0.2' });
    expect(events).toContainEqual({ event: 'subscription', uri: 'sip:bob@example.test', state: 'active' });
    expect(events).toContainEqual({
      event: 'presence',
      uri: 'sip:bob@example.test',
      status: 'away',
      note: '<b>back soon 🙂',
      activities: ['away'],
      onThePhone: false,
      contact: null,
    });
    const subscribe = received.find((r) => r.method === 'SUBSCRIBE')!;
    expect(subscribe.header('event')).toBe('presence');
    cli.stdin.write('quit\n');
    await drive(clock, 10_000, () => cli.done() !== undefined);
    expect(cli.done()).toBe(0);
    expect(received.filter((r) => r.method === 'SUBSCRIBE').map((r) => r.header('expires'))).toEqual([
      '3600',
      '0',
    ]);
    expect(cli.events().at(-1)).toMatchObject({
      event: 'subscription',
      state: 'terminated',
      reason: 'unsubscribed',
    });
  });

  it('needs at least one URI', async () => {
    const { startUserAgent } = await setup();
    const cli = run(['watch', ...ACCOUNT], startUserAgent);
    expect(await cli.code).toBe(2);
    expect(cli.stderr()).toContain('give at least one URI to watch');
  });

  it('names what is wrong with a URI that is not sip: (an operand, not an option)', async () => {
    const { startUserAgent } = await setup();
    const cli = run(['watch', 'bob', ...ACCOUNT], startUserAgent);
    expect(await cli.code).toBe(2);
    expect(cli.stderr()).toContain('the URI to watch must be a sip: or sips: URI, got bob');
  });
});

describe('softphone publish', () => {
  it('publishes the status with its note, and removes it on "quit"', async () => {
    const { clock, startUserAgent, received } = await setup();
    const cli = run(['publish', '--status', 'dnd', '--note', 'focus time', ...ACCOUNT], startUserAgent);
    await cli.started();
    await drive(clock, 1_000);
    expect(cli.events()).toContainEqual({
      event: 'publication',
      state: 'published',
      etag: 'e1',
      expires: 3600,
    });
    const publish = received.find((r) => r.method === 'PUBLISH')!;
    expect(publish.bodyText).toContain('<rpid:other>do-not-disturb</rpid:other>');
    expect(publish.bodyText).toContain('focus time');
    cli.stdin.write('quit\n');
    await drive(clock, 10_000, () => cli.done() !== undefined);
    expect(cli.done()).toBe(0);
    const removal = received.filter((r) => r.method === 'PUBLISH').at(-1)!;
    expect(removal.header('expires')).toBe('0');
    expect(removal.header('sip-if-match')).toBe('e1');
    expect(cli.events().at(-1)).toEqual({ event: 'publication', state: 'removed' });
  });

  it('refuses an unknown status', async () => {
    const { startUserAgent } = await setup();
    const cli = run(['publish', '--status', 'sleepy', ...ACCOUNT], startUserAgent);
    expect(await cli.code).toBe(2);
    expect(cli.stderr()).toContain('--status must be one of available, away, busy, dnd, offline');
  });
});
