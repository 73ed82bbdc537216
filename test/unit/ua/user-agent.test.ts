// The whole stack (UserAgent → Registerer → TransactionLayer → TransportLayer) on the in-memory network with a
// manual clock: a scripted registrar, lost and duplicated packets, and time driven by the test.
import { afterEach, describe, expect, it } from 'vitest';
import type { DatagramSocket, StreamConnection } from '../../../main/platform/sockets';
import { createUasDialog } from '../../../main/sip/dialog/dialog';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import { type SipUri, parseUri } from '../../../main/sip/message/uri';
import { type AccountConfig, UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork, firstMatching, textOf } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

const REGISTRAR = { address: '10.0.0.1', port: 5060 };
const CHALLENGE = 'Digest realm="example.test", nonce="n1", qop="auth", algorithm=MD5';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

/** A registrar that challenges the first REGISTER of each Call-ID and accepts authorized ones. */
async function startRegistrar(
  network: LoopbackNetwork,
  options: { grant?: number; silent?: boolean; contact?: (request: SipRequest) => string } = {},
) {
  const socket: DatagramSocket = await network.bindDatagram(REGISTRAR.address, REGISTRAR.port);
  const received: SipRequest[] = [];
  const state = { silent: false };
  socket.onMessage((data, from) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const request = parsed.message;
    received.push(request);
    if (options.silent || state.silent) return;
    if (request.method === 'OPTIONS') {
      socket.send(serializeMessage(createResponse(request, 200, { toTag: 'reg' })), from.port, from.address);
      return;
    }
    const authorized = request.authorization.length > 0;
    const response = authorized
      ? createResponse(request, 200, {
          toTag: 'reg',
          headers: [
            [
              'Contact',
              options.contact?.(request) ??
                `${request.header('contact')};expires=${request.expires === 0 ? 0 : (options.grant ?? 600)}`,
            ],
          ],
        })
      : createResponse(request, 401, { toTag: 'reg', headers: [['WWW-Authenticate', CHALLENGE]] });
    socket.send(serializeMessage(response), from.port, from.address);
  });
  return {
    socket,
    received,
    goSilent: () => {
      state.silent = true;
    },
  };
}

/** A TCP registrar that accepts every REGISTER at once; it can drop its connections. */
async function startTcpRegistrar(network: LoopbackNetwork) {
  const server = await network.listenStream(REGISTRAR.address, REGISTRAR.port);
  const connections: StreamConnection[] = [];
  const received: Array<{ request: SipRequest; connection: number }> = [];
  const state = { mute: false };
  server.onConnection((connection) => {
    const index = connections.push(connection) - 1;
    let buffered = '';
    connection.onData((chunk) => {
      buffered += textOf(chunk);
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        // A CRLF ping is answered with a pong (RFC 5626 §3.5.1), as long as the server is there.
        if (head === '\r\n\r\n') {
          if (!state.mute) connection.write(Buffer.from('\r\n'));
          continue;
        }
        const parsed = parseMessage(head);
        if (!parsed.ok || parsed.message.kind !== 'request') continue;
        const request = parsed.message;
        received.push({ request, connection: index });
        if (state.mute) continue;
        const response = createResponse(request, 200, {
          toTag: 'reg',
          headers: [['Contact', `${request.header('contact')};expires=600`]],
        });
        connection.write(serializeMessage(response));
      }
    });
  });
  return {
    server,
    connections,
    received,
    /** The server host vanishes without closing anything: the connection stays open, nothing answers. */
    vanish: () => {
      state.mute = true;
    },
  };
}

describe('UserAgent on a lossy in-memory network', () => {
  const agents: UserAgent[] = [];
  afterEach(() => {
    for (const ua of agents.splice(0)) ua.transport.close();
  });

  async function setup(account: Partial<AccountConfig> = {}) {
    const clock = new ManualClock();
    const random = new SeededRandom(11);
    const network = new LoopbackNetwork({ clock, random });
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      bindAddress: '10.0.0.2',
      port: 5062,
      protocols: account.transport === 'tcp' ? ['udp', 'tcp'] : ['udp'],
    });
    agents.push(ua);
    const added = ua.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
      outboundProxy: sipUri(`sip:${REGISTRAR.address}:${REGISTRAR.port}`),
      ...account,
    });
    return { clock, network, ua, account: added };
  }

  it('registers through the real transaction and transport layers', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network);
    account.registerer.register();
    await settle(clock);
    expect(registrar.received).toHaveLength(2);
    expect(registrar.received[0]!.topVia).toMatchObject({
      transport: 'UDP',
      host: '10.0.0.2',
      port: 5062,
      rport: true,
    });
    expect(registrar.received[0]!.route[0]?.uri).toMatchObject({
      host: REGISTRAR.address,
      port: REGISTRAR.port,
    });
    expect(account.registerer.state).toMatchObject({ name: 'registered', expires: 600 });
  });

  it('retransmits a lost REGISTER on Timer E and still registers', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network);
    network.setConditions({ drop: firstMatching(1, /^REGISTER /) });
    account.registerer.register();
    await settle(clock);
    expect(registrar.received).toHaveLength(0);
    clock.advance(500);
    await settle(clock);
    expect(registrar.received.length).toBeGreaterThanOrEqual(2);
    expect(account.registerer.state.name).toBe('registered');
    const sends = network.trace.filter((t) => textOf(t.data).startsWith('REGISTER ')).map((t) => t.sentAt);
    expect(sends.slice(0, 2)).toEqual([0, 500]);
  });

  it('absorbs duplicated responses: one registration, no extra requests', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network);
    network.setConditions({ duplicate: 1 });
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state.name).toBe('registered');
    // Each REGISTER arrives twice (duplicated), but the UA sent exactly two (challenge, authorized).
    const branches = new Set(registrar.received.map((r) => r.topVia?.branch));
    expect(branches.size).toBe(2);
  });

  it('reports a silent registrar as a timeout after Timer F (32 s) and retries later', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network, { silent: true });
    account.registerer.register();
    await settle(clock);
    clock.advance(31_999);
    await settle(clock);
    expect(account.registerer.state.name).toBe('registering');
    clock.advance(1);
    await settle(clock);
    expect(account.registerer.state).toMatchObject({ name: 'failed', reason: 'timeout', status: 408 });
    const times = network.trace.filter((t) => textOf(t.data).startsWith('REGISTER ')).map((t) => t.sentAt);
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(registrar.received).toHaveLength(11);
  });

  it('fails (and backs off) on a 200 whose Contact is malformed, then registers once the registrar is fixed', async () => {
    const { clock, network, account } = await setup();
    let broken = true;
    const registrar = await startRegistrar(network, {
      contact: (request) => (broken ? '<sip:x@>;expires=60' : `${request.header('contact')};expires=600`),
    });
    account.registerer.register();
    await settle(clock);
    const state = account.registerer.state;
    expect(state).toMatchObject({ name: 'failed', reason: 'server-error', status: 200 });
    if (state.name !== 'failed') throw new Error('not failed');
    expect(state.detail).toMatch(/malformed Contact/);
    expect(state.detail).toContain('10.0.0.1:5060');
    expect(state.retryInMs).toBeGreaterThan(0);
    broken = false;
    clock.advance(state.retryInMs!);
    await settle(clock);
    expect(registrar.received.length).toBeGreaterThanOrEqual(3);
    expect(account.registerer.state).toMatchObject({ name: 'registered', expires: 600 });
  });

  it('keeps the last failure visible while it retries, and says who did not answer', async () => {
    const { clock, network, account } = await setup();
    await startRegistrar(network, { silent: true });
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state).toEqual({ name: 'registering', attempt: 1 });
    clock.advance(32_000);
    await settle(clock);
    const failed = account.registerer.state;
    expect(failed).toMatchObject({
      name: 'failed',
      reason: 'timeout',
      status: 408,
      detail: '408 Request Timeout (no answer from 10.0.0.1:5060)',
    });
    if (failed.name !== 'failed') throw new Error('not failed');
    clock.advance(failed.retryInMs!);
    await settle(clock);
    expect(account.registerer.state).toEqual({
      name: 'registering',
      attempt: 2,
      previous: {
        reason: 'timeout',
        status: 408,
        detail: '408 Request Timeout (no answer from 10.0.0.1:5060)',
      },
    });
    // A fresh register() by the person starts clean.
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state).toEqual({ name: 'registering', attempt: 1 });
  });

  it('advertises in REGISTER exactly the methods the UAS core takes', async () => {
    const { clock, network, ua, account } = await setup();
    const registrar = await startRegistrar(network);
    account.registerer.register();
    await settle(clock);
    const allow = registrar.received[0]!.allow;
    expect(allow).toEqual(ua.core.allow);
    expect(allow).toEqual(['INVITE', 'ACK', 'CANCEL', 'OPTIONS']);
  });

  it('answers an INVITE with 480 and Retry-After until calls exist, and its ACK ends the retransmissions', async () => {
    const { clock, network } = await setup();
    const caller = await network.bindDatagram('10.0.0.9', 5090);
    const heard: string[] = [];
    caller.onMessage((data) => heard.push(textOf(data)));
    const invite = [
      'INVITE sip:alice@10.0.0.2:5062 SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.9:5090;branch=z9hG4bK-inv1',
      'Max-Forwards: 70',
      'From: <sip:carol@example.test>;tag=c1',
      'To: <sip:alice@example.test>',
      'Call-ID: invite-480',
      'CSeq: 1 INVITE',
      'Contact: <sip:carol@10.0.0.9:5090>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    caller.send(Buffer.from(invite), 5062, '10.0.0.2');
    await settle(clock);
    expect(heard).toHaveLength(1);
    const response = parseMessage(heard[0]!);
    if (!response.ok || response.message.kind !== 'response') throw new Error('no response');
    expect(response.message.status).toBe(480);
    expect(response.message.retryAfter?.seconds).toBeGreaterThan(0);
    const toTag = response.message.to.tag;
    // Timer G retransmits the 480 until the ACK arrives (RFC 3261 §17.2.1).
    clock.advance(500);
    await settle(clock);
    expect(heard).toHaveLength(2);
    const ack = [
      'ACK sip:alice@10.0.0.2:5062 SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.9:5090;branch=z9hG4bK-inv1',
      'Max-Forwards: 70',
      'From: <sip:carol@example.test>;tag=c1',
      `To: <sip:alice@example.test>;tag=${toTag}`,
      'Call-ID: invite-480',
      'CSeq: 1 ACK',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    caller.send(Buffer.from(ack), 5062, '10.0.0.2');
    await settle(clock);
    clock.advance(32_000);
    await settle(clock);
    expect(heard).toHaveLength(2);
  });

  it('lets in-dialog requests to a known dialog through and answers 481 for unknown ones (RFC 3261 §12.2.2)', async () => {
    const { clock, network, ua } = await setup();
    const caller = await network.bindDatagram('10.0.0.9', 5090);
    const heard: string[] = [];
    caller.onMessage((data) => heard.push(textOf(data)));
    const invite = parseMessage(
      [
        'INVITE sip:alice@10.0.0.2:5062 SIP/2.0',
        'Via: SIP/2.0/UDP 10.0.0.9:5090;branch=z9hG4bK-dlg0',
        'From: <sip:carol@example.test>;tag=c1',
        'To: <sip:alice@example.test>',
        'Call-ID: dialog-lookup',
        'CSeq: 1 INVITE',
        'Contact: <sip:carol@10.0.0.9:5090>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    if (!invite.ok || invite.message.kind !== 'request') throw new Error('bad INVITE');
    const dialog = createUasDialog(invite.message, { status: 200, localTag: 'a1' });
    if (!dialog.ok) throw new Error(dialog.error.reason);
    ua.dialogs.update(dialog.value);
    const info = (branch: string, toTag: string): Buffer =>
      Buffer.from(
        [
          'INFO sip:alice@10.0.0.2:5062 SIP/2.0',
          `Via: SIP/2.0/UDP 10.0.0.9:5090;branch=${branch}`,
          'Max-Forwards: 70',
          'From: <sip:carol@example.test>;tag=c1',
          `To: <sip:alice@example.test>;tag=${toTag}`,
          'Call-ID: dialog-lookup',
          'CSeq: 2 INFO',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    caller.send(info('z9hG4bK-dlg1', 'a1'), 5062, '10.0.0.2');
    caller.send(info('z9hG4bK-dlg2', 'unknown'), 5062, '10.0.0.2');
    await settle(clock);
    const statuses = heard.map((text) => {
      const parsed = parseMessage(text);
      return parsed.ok && parsed.message.kind === 'response' ? parsed.message.status : 0;
    });
    // The known dialog's INFO reaches the method check (no INFO usage yet: 405); the unknown one is 481.
    expect(statuses).toEqual([405, 481]);
  });

  it('unregisters on shutdown and closes its sockets', async () => {
    const { clock, network, ua, account } = await setup();
    const registrar = await startRegistrar(network);
    account.registerer.register();
    await settle(clock);
    const done = ua.shutdown();
    await settle(clock);
    await done;
    expect(registrar.received.at(-1)?.expires).toBe(0);
    expect(account.registerer.state.name).toBe('unregistered');
  });

  it('keeps the flow alive with OPTIONS and registers again when the pings go unanswered', async () => {
    const { clock, network, ua, account } = await setup({
      keepAlive: { kind: 'options', intervalMs: 25_000 },
    });
    const registrar = await startRegistrar(network);
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state.name).toBe('registered');
    expect(ua.flows.size).toBe(1);
    clock.advance(25_000);
    await settle(clock);
    const ping = registrar.received.at(-1)!;
    expect(ping.method).toBe('OPTIONS');
    expect(ping.requestUriText).toBe('sip:example.test');
    expect(ping.route[0]?.uri).toMatchObject({ host: REGISTRAR.address, port: REGISTRAR.port });
    registrar.goSilent();
    const registersBefore = registrar.received.filter((r) => r.method === 'REGISTER').length;
    // The next ping goes out at 50 s and times out with Timer F 32 s later: then the account registers again.
    clock.advance(25_000);
    await settle(clock);
    clock.advance(31_999);
    await settle(clock);
    expect(registrar.received.filter((r) => r.method === 'REGISTER')).toHaveLength(registersBefore);
    clock.advance(1);
    await settle(clock);
    expect(registrar.received.filter((r) => r.method === 'REGISTER').length).toBeGreaterThan(registersBefore);
  });

  it('registers again at once when the TCP connection its registration uses closes', async () => {
    const { clock, network, ua, account } = await setup({
      transport: 'tcp',
      outboundProxy: sipUri(`sip:${REGISTRAR.address}:${REGISTRAR.port};transport=tcp`),
    });
    const registrar = await startTcpRegistrar(network);
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state.name).toBe('registered');
    expect(registrar.received.map((r) => r.connection)).toEqual([0]);
    expect(ua.flows.has({ protocol: 'tcp', address: REGISTRAR.address, port: REGISTRAR.port })).toBe(true);
    registrar.connections[0]!.close();
    await settle(clock);
    expect(registrar.received.map((r) => r.connection)).toEqual([0, 1]);
    expect(account.registerer.state.name).toBe('registered');
  });

  it('pings a flow two accounts share once per interval', async () => {
    const { clock, network, ua, account } = await setup({ keepAlive: { kind: 'crlf', intervalMs: 20_000 } });
    const second = ua.addAccount({
      aor: sipUri('sip:bob@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
      outboundProxy: sipUri(`sip:${REGISTRAR.address}:${REGISTRAR.port}`),
      keepAlive: { kind: 'crlf', intervalMs: 30_000 },
    });
    await startRegistrar(network);
    account.registerer.register();
    second.registerer.register();
    await settle(clock);
    expect(ua.flows.size).toBe(1);
    network.clearTrace();
    clock.advance(60_000);
    await settle(clock);
    const pings = network.trace.filter((t) => textOf(t.data) === '\r\n\r\n').map((t) => t.sentAt);
    expect(pings).toEqual([20_000, 40_000, 60_000]);
  });

  it('says which server could not be reached when the transport cannot send at all', async () => {
    const { clock, account } = await setup({
      transport: 'tcp',
      outboundProxy: sipUri(`sip:${REGISTRAR.address}:${REGISTRAR.port};transport=tcp`),
    });
    // Nothing listens on the registrar's TCP port: the connection is refused and the layer synthesizes a 503.
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state).toMatchObject({
      name: 'failed',
      reason: 'unreachable',
      status: 503,
      detail: '503 Service Unavailable (cannot reach 10.0.0.1:5060)',
    });
  });

  it('registers again when a TCP server that answered pings stops answering them (RFC 5626 §4.4.1)', async () => {
    const { clock, network, account } = await setup({
      transport: 'tcp',
      outboundProxy: sipUri(`sip:${REGISTRAR.address}:${REGISTRAR.port};transport=tcp`),
      keepAlive: { kind: 'crlf', intervalMs: 30_000 },
    });
    const registrar = await startTcpRegistrar(network);
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state.name).toBe('registered');
    // The first ping is answered: from now on the server is expected to answer every ping.
    clock.advance(30_000);
    await settle(clock);
    registrar.vanish();
    clock.advance(30_000);
    await settle(clock);
    clock.advance(9_999);
    await settle(clock);
    expect(registrar.received).toHaveLength(1);
    clock.advance(1);
    await settle(clock);
    expect(registrar.received).toHaveLength(2);
    expect(registrar.received[1]!.request.method).toBe('REGISTER');
  });
});
