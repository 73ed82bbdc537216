import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeSocketFactory } from '../../../../main/platform/node-sockets';
import type {
  DatagramSocket,
  SocketFactory,
  StreamConnection,
  StreamServer,
} from '../../../../main/platform/sockets';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipMessage, SipRequest } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import {
  type InvalidMessage,
  type TraceEvent,
  type TransportLayerOptions,
  TransportLayer,
} from '../../../../main/sip/transport/transport-layer';
import {
  type Destination,
  type IncomingMessage,
  type TransportProtocol,
  TransportError,
} from '../../../../main/sip/transport/types';
import { LoopbackNetwork, textOf } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';

// ---- Helpers ----------------------------------------------------------------------------------------------------

/** A SocketFactory that counts the TCP connections it opens, whoever asks. */
class CountingSockets implements SocketFactory {
  connects = 0;

  constructor(readonly inner: SocketFactory) {}

  bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    return this.inner.bindDatagram(address, port);
  }

  listenStream(address: string, port: number): Promise<StreamServer> {
    return this.inner.listenStream(address, port);
  }

  connectStream(address: string, port: number, localAddress?: string): Promise<StreamConnection> {
    this.connects++;
    return this.inner.connectStream(address, port, localAddress);
  }
}

/** A TransportLayer with everything it reports collected. */
interface Endpoint {
  readonly layer: TransportLayer;
  readonly messages: IncomingMessage[];
  readonly invalid: InvalidMessage[];
  readonly closed: Destination[];
  readonly pongs: Destination[];
  readonly trace: TraceEvent[];
  readonly logs: string[];
}

async function endpoint(
  sockets: SocketFactory,
  bindAddress: string,
  port: number,
  extra: Partial<TransportLayerOptions> = {},
): Promise<Endpoint> {
  const logs: string[] = [];
  const layer = await TransportLayer.start({
    sockets,
    bindAddress,
    port,
    logger: { log: (level, message) => logs.push(`${level}: ${message}`) },
    ...extra,
  });
  const ep: Endpoint = { layer, messages: [], invalid: [], closed: [], pongs: [], trace: [], logs };
  layer.onMessage((incoming) => ep.messages.push(incoming));
  layer.onInvalid((invalid) => ep.invalid.push(invalid));
  layer.onConnectionClosed((destination) => ep.closed.push(destination));
  layer.onPong((destination) => ep.pongs.push(destination));
  layer.onTrace((event) => ep.trace.push(event));
  return ep;
}

function parse(text: string): SipMessage {
  const parsed = parseMessage(text);
  if (!parsed.ok) throw new Error(`test message does not parse: ${parsed.error.reason}`);
  return parsed.message;
}

interface RequestOptions {
  readonly method?: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly body?: string;
}

/** Wire text of a request whose top Via is `via`. */
function requestText(via: string, options: RequestOptions = {}): string {
  const method = options.method ?? 'OPTIONS';
  const body = options.body ?? '';
  return [
    `${method} sip:peer@example.test SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    'From: <sip:a@example.test>;tag=a1',
    'To: <sip:peer@example.test>',
    `Call-ID: ${options.callId ?? 'call-1'}`,
    `CSeq: ${options.cseq ?? 1} ${method}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function request(via: string, options: RequestOptions = {}): SipRequest {
  return parse(requestText(via, options)) as SipRequest;
}

/** The top Via `layer` would write for `protocol`, with a branch and (by default) rport. */
function viaOf(
  layer: TransportLayer,
  protocol: TransportProtocol,
  branch: string,
  params = ';rport',
): string {
  const sentBy = layer.sentBy({ protocol, address: layer.localAddress, port: 0 });
  return `SIP/2.0/${sentBy.transport} ${sentBy.host}:${sentBy.port};branch=${branch}${params}`;
}

/** A request from `from`'s layer, with its own Via. */
function requestFrom(
  from: Endpoint,
  protocol: TransportProtocol,
  branch: string,
  options: RequestOptions = {},
) {
  return request(viaOf(from.layer, protocol, branch), options);
}

function answer(incoming: IncomingMessage | undefined, status = 200) {
  if (!incoming || incoming.message.kind !== 'request') throw new Error('expected a request');
  return createResponse(incoming.message, status, { toTag: 'b1' });
}

/** Runs the network until nothing is left: promise callbacks and clock timers, alternately. */
async function pump(clock: ManualClock): Promise<void> {
  for (let round = 0; round < 100; round++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (clock.runUntilIdle() === 0) return;
  }
  throw new Error('the network never went idle');
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A raw datagram socket acting as a peer: everything it receives, as text. */
async function rawUdp(network: LoopbackNetwork, address: string, port: number) {
  const socket = await network.bindDatagram(address, port);
  const received: { text: string; from: string }[] = [];
  socket.onMessage((data, from) =>
    received.push({ text: textOf(data), from: `${from.address}:${from.port}` }),
  );
  return { socket, received };
}

/** A raw stream connection acting as a peer: everything it receives, concatenated. */
async function rawTcp(network: LoopbackNetwork, address: string, port: number, localAddress?: string) {
  const stream = await network.connectStream(address, port, localAddress);
  const state = { text: '', closed: false };
  stream.onData((chunk) => {
    state.text += textOf(chunk);
  });
  stream.onClose(() => {
    state.closed = true;
  });
  return { stream, state };
}

const A_ADDRESS = '127.0.0.1';
const B_ADDRESS = '127.0.0.2';
const PEER_ADDRESS = '127.0.0.3';
const A_PORT = 5060;
const B_PORT = 5070;

const toB = (protocol: TransportProtocol): Destination => ({ protocol, address: B_ADDRESS, port: B_PORT });

async function loopback(options: { splitStreamWrites?: { maxChunkBytes: number } } = {}) {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock, ...options });
  const sockets = new CountingSockets(network);
  const a = await endpoint(sockets, A_ADDRESS, A_PORT);
  const b = await endpoint(sockets, B_ADDRESS, B_PORT);
  const run = () => pump(clock);
  return { clock, network, sockets, a, b, run };
}

// ---- UDP --------------------------------------------------------------------------------------------------------

describe('TransportLayer over UDP (loopback network)', () => {
  it('carries a request and its response, and traces both directions', async () => {
    const { a, b, run } = await loopback();
    const sent = await a.layer.sendRequest(requestFrom(a, 'udp', 'z9hG4bKu1'), toB('udp'));
    expect(sent).toEqual(toB('udp'));
    await run();

    expect(b.messages).toHaveLength(1);
    const incoming = b.messages[0]!;
    expect(incoming.message.kind).toBe('request');
    expect(incoming.source).toEqual({
      protocol: 'udp',
      address: A_ADDRESS,
      port: A_PORT,
      localAddress: B_ADDRESS,
      localPort: B_PORT,
    });
    expect(incoming.size).toBeGreaterThan(100);

    await b.layer.sendResponse(answer(incoming), incoming.source);
    await run();
    expect(a.messages).toHaveLength(1);
    const response = a.messages[0]!.message;
    expect(response.kind === 'response' && response.status).toBe(200);
    expect(response.topVia?.branch).toBe('z9hG4bKu1');

    expect(a.trace.map((e) => `${e.direction} ${e.protocol} ${e.local} ${e.remote}`)).toEqual([
      'sent udp 127.0.0.1:5060 127.0.0.2:5070',
      'received udp 127.0.0.1:5060 127.0.0.2:5070',
    ]);
    expect(textOf(a.trace[0]!.bytes)).toMatch(/^OPTIONS sip:peer@example.test SIP\/2.0\r\n/);
    expect(b.trace.map((e) => e.direction)).toEqual(['received', 'sent']);
  });

  it('stamps received and rport on the request the receiver sees (RFC 3581 §4)', async () => {
    const { a, b, run } = await loopback();
    // The sender believes it is 10.0.0.5 (behind a NAT, say): received shows where it really is.
    await a.layer.sendRequest(request('SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKn1'), toB('udp'));
    await run();
    expect(b.messages[0]?.message.topVia).toMatchObject({
      host: '10.0.0.5',
      received: A_ADDRESS,
      rport: A_PORT,
    });
  });

  it('answers a request with rport at its source port, not the sent-by port', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    const sentByPort = await rawUdp(network, PEER_ADDRESS, 5999);
    peer.socket.send(
      bytes(requestText(`SIP/2.0/UDP ${PEER_ADDRESS}:5999;rport;branch=z9hG4bKr1`)),
      B_PORT,
      B_ADDRESS,
    );
    await run();
    const incoming = b.messages[0]!;
    expect(incoming.message.topVia).toMatchObject({ rport: 40000, received: PEER_ADDRESS });
    await b.layer.sendResponse(answer(incoming), incoming.source);
    await run();
    expect(peer.received.map((r) => r.text.split('\r\n')[0])).toEqual(['SIP/2.0 200 OK']);
    expect(sentByPort.received).toEqual([]);
  });

  it('answers a request without rport at its sent-by port (RFC 3261 §18.2.2)', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    const sentByPort = await rawUdp(network, PEER_ADDRESS, 5999);
    peer.socket.send(
      bytes(requestText(`SIP/2.0/UDP ${PEER_ADDRESS}:5999;branch=z9hG4bKr2`)),
      B_PORT,
      B_ADDRESS,
    );
    await run();
    const incoming = b.messages[0]!;
    await b.layer.sendResponse(answer(incoming), incoming.source);
    await run();
    expect(peer.received).toEqual([]);
    expect(sentByPort.received).toHaveLength(1);
  });

  it('drops a response whose top Via is not ours (RFC 3261 §18.1.2)', async () => {
    const { network, a, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    const responseText = (via: string) =>
      [
        'SIP/2.0 200 OK',
        `Via: ${via}`,
        'From: <sip:a@example.test>;tag=a1',
        'To: <sip:peer@example.test>;tag=b1',
        'Call-ID: call-1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    peer.socket.send(bytes(responseText('SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKx1')), A_PORT, A_ADDRESS);
    peer.socket.send(bytes(responseText('SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKx2')), A_PORT, A_ADDRESS);
    await run();
    expect(a.messages).toEqual([]);
    expect(a.logs).toContain('debug: dropping a response whose top Via is not ours');

    peer.socket.send(bytes(responseText('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx3')), A_PORT, A_ADDRESS);
    // A sent-by without port means 5060 (RFC 3261 §18.1.2 compares against the default port).
    peer.socket.send(bytes(responseText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx4')), A_PORT, A_ADDRESS);
    await run();
    expect(a.messages.map((m) => m.message.topVia?.branch)).toEqual(['z9hG4bKx3', 'z9hG4bKx4']);
  });

  it('reports malformed datagrams, with the partial message when it could be framed', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    const badCseq = requestText(`SIP/2.0/UDP ${PEER_ADDRESS}:5999;rport;branch=z9hG4bKm1`).replace(
      'CSeq: 1 OPTIONS',
      'CSeq: one OPTIONS',
    );
    peer.socket.send(bytes(badCseq), B_PORT, B_ADDRESS);
    peer.socket.send(bytes('this is not SIP at all'), B_PORT, B_ADDRESS);
    await run();

    expect(b.messages).toEqual([]);
    expect(b.invalid).toHaveLength(2);
    const [framed, garbage] = b.invalid;
    expect(framed?.error.status).toBe(400);
    expect(framed?.source).toMatchObject({ protocol: 'udp', address: PEER_ADDRESS, port: 40000 });
    expect(framed?.partial?.kind === 'request' && framed.partial.method).toBe('OPTIONS');
    expect(garbage?.partial).toBeUndefined();
    expect(garbage?.error.reason).toMatch(/empty line/);
  });

  it('stamps the partial request so a 400 reaches the sender’s source port (RFC 3581 §4)', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    const badCseq = requestText(`SIP/2.0/UDP ${PEER_ADDRESS}:5999;rport;branch=z9hG4bKm2`).replace(
      'CSeq: 1 OPTIONS',
      'CSeq: one OPTIONS',
    );
    peer.socket.send(bytes(badCseq), B_PORT, B_ADDRESS);
    await run();
    const invalid = b.invalid[0]!;
    expect(invalid.partial?.topVia).toMatchObject({ rport: 40000, received: PEER_ADDRESS });
    // What the UA does with it: a 400 built from the partial request, sent as any response.
    const partial = invalid.partial as SipRequest;
    const bad = createResponse(partial, 400, { toTag: 'b1' });
    await b.layer.sendResponse(bad, invalid.source);
    await run();
    expect(peer.received.map((r) => r.text.split('\r\n')[0])).toEqual(['SIP/2.0 400 Bad Request']);
  });

  it('reports a partial whose Via is itself malformed without stamping it', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    peer.socket.send(bytes(requestText('SIP/2.0/UDP [not-an-address;branch=z9hG4bKm3')), B_PORT, B_ADDRESS);
    await run();
    expect(b.invalid).toHaveLength(1);
    expect(b.invalid[0]?.partial?.kind).toBe('request');
  });

  it('ignores CR/LF-only keep-alive datagrams', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    for (const keepAlive of ['\r\n\r\n', '\r\n', '\n', ''])
      peer.socket.send(bytes(keepAlive), B_PORT, B_ADDRESS);
    await run();
    expect(b.messages).toEqual([]);
    expect(b.invalid).toEqual([]);
    expect(b.trace).toEqual([]);
    expect(peer.received).toEqual([]);
  });

  it('sends a CRLF keep-alive datagram on UDP', async () => {
    const { network, a, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    await a.layer.sendKeepAlive({ protocol: 'udp', address: PEER_ADDRESS, port: 40000 });
    await run();
    expect(peer.received).toEqual([{ text: '\r\n\r\n', from: '127.0.0.1:5060' }]);
  });

  it('keeps delivering after the message handler throws', async () => {
    const { a, b, run } = await loopback();
    let calls = 0;
    b.layer.onMessage(() => {
      calls++;
      throw new Error('bug in the TU');
    });
    await a.layer.sendRequest(requestFrom(a, 'udp', 'z9hG4bKt1'), toB('udp'));
    await run();
    await a.layer.sendRequest(requestFrom(a, 'udp', 'z9hG4bKt2', { cseq: 2 }), toB('udp'));
    await run();
    expect(calls).toBe(2);
    expect(b.logs.filter((line) => line.startsWith('error: onMessage handler failed'))).toHaveLength(2);
  });

  it('keeps the socket alive when the invalid-message and trace handlers throw', async () => {
    const { network, a, b, run } = await loopback();
    const peer = await rawUdp(network, PEER_ADDRESS, 40000);
    b.layer.onInvalid(() => {
      throw new Error('bug in the 400 path');
    });
    a.layer.onTrace(() => {
      throw new Error('bug in the trace view');
    });
    peer.socket.send(bytes('garbage'), B_PORT, B_ADDRESS);
    await run();
    // A throwing trace handler fails neither the send nor the delivery.
    await expect(a.layer.sendRequest(requestFrom(a, 'udp', 'z9hG4bKt3'), toB('udp'))).resolves.toEqual(
      toB('udp'),
    );
    await run();
    expect(b.messages).toHaveLength(1);
    expect(b.logs).toContain('error: onInvalid handler failed');
    expect(a.logs).toContain('error: onTrace handler failed');
  });
});

// ---- TCP --------------------------------------------------------------------------------------------------------

describe('TransportLayer over TCP (loopback network)', () => {
  it('reuses one connection for two requests to the same remote', async () => {
    const { sockets, a, b, run } = await loopback();
    await Promise.all([
      a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKc1'), toB('tcp')),
      a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKc2', { cseq: 2 }), toB('tcp')),
    ]);
    await run();
    await a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKc3', { cseq: 3 }), toB('tcp'));
    await run();
    expect(sockets.connects).toBe(1);
    expect(b.messages).toHaveLength(3);
    const ids = new Set(b.messages.map((m) => m.source.connectionId));
    expect(ids.size).toBe(1);
    expect(b.messages[0]?.source).toMatchObject({ protocol: 'tcp', address: A_ADDRESS });
    // The connection's source port is ephemeral, not our listening port.
    expect(b.messages[0]?.source.port).not.toBe(A_PORT);
    expect(b.messages[0]?.message.topVia).toMatchObject({ transport: 'TCP', port: A_PORT });
  });

  it('sends a response back over the connection the request came on', async () => {
    const { sockets, a, b, run } = await loopback();
    await a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKc4'), toB('tcp'));
    await run();
    const incoming = b.messages[0]!;
    await b.layer.sendResponse(answer(incoming), incoming.source);
    await run();
    expect(sockets.connects).toBe(1);
    expect(a.messages).toHaveLength(1);
    expect(a.messages[0]?.source).toMatchObject({ protocol: 'tcp', address: B_ADDRESS, port: B_PORT });
  });

  it('answers a request the peer sends on our outgoing connection on that same connection', async () => {
    const { sockets, a, b, run } = await loopback();
    await a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKc5'), toB('tcp'));
    await run();
    const fromA = b.messages[0]!;
    // B sends its own request to where A's connection comes from: the connection A opened is reused.
    const back: Destination = { protocol: 'tcp', address: fromA.source.address, port: fromA.source.port };
    await b.layer.sendRequest(requestFrom(b, 'tcp', 'z9hG4bKd1', { callId: 'call-b' }), back);
    await run();
    expect(a.messages).toHaveLength(1);
    const fromB = a.messages[0]!;
    expect(fromB.message.kind).toBe('request');
    expect(fromB.source).toMatchObject({ protocol: 'tcp', address: B_ADDRESS, port: B_PORT });
    expect(fromB.source.connectionId).toBeDefined();

    await a.layer.sendResponse(answer(fromB), fromB.source);
    await run();
    expect(b.messages).toHaveLength(2);
    expect(b.messages[1]?.message.kind).toBe('response');
    expect(b.messages[1]?.source.connectionId).toBe(fromA.source.connectionId);
    expect(sockets.connects).toBe(1);
  });

  it('opens a new connection for a response when the request’s connection has closed (RFC 3261 §18.2.2)', async () => {
    const { network, sockets, b, run } = await loopback();
    const peer = await rawTcp(network, B_ADDRESS, B_PORT, PEER_ADDRESS);
    const listener = await network.listenStream(PEER_ADDRESS, 5999);
    const accepted: string[] = [];
    listener.onConnection((connection) => connection.onData((chunk) => accepted.push(textOf(chunk))));
    peer.stream.write(bytes(requestText(`SIP/2.0/TCP ${PEER_ADDRESS}:5999;rport;branch=z9hG4bKc6`)));
    await run();
    const incoming = b.messages[0]!;
    peer.stream.close();
    await run();
    await b.layer.sendResponse(answer(incoming), incoming.source);
    await run();
    expect(sockets.connects).toBe(1);
    expect(accepted.join('')).toMatch(/^SIP\/2.0 200 OK\r\n/);
  });

  it('frames messages correctly when the stream arrives in random small pieces', async () => {
    const { a, b, run } = await loopback({ splitStreamWrites: { maxChunkBytes: 7 } });
    const bodies = ['', 'v=0\r\n', 'x'.repeat(300), 'short', 'y'.repeat(1000)];
    for (const [index, body] of bodies.entries()) {
      await a.layer.sendRequest(
        requestFrom(a, 'tcp', `z9hG4bKs${index}`, { cseq: index + 1, body }),
        toB('tcp'),
      );
    }
    await run();
    expect(b.invalid).toEqual([]);
    expect(b.messages.map((m) => m.message.bodyText)).toEqual(bodies);
    expect(b.messages.map((m) => m.message.topVia?.branch)).toEqual(bodies.map((_, i) => `z9hG4bKs${i}`));
    // Each message is traced once, whole, however many pieces it came in.
    expect(b.trace.filter((e) => e.direction === 'received')).toHaveLength(bodies.length);
  });

  it('answers a CRLFCRLF ping with a CRLF pong (RFC 5626 §3.5.1)', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawTcp(network, B_ADDRESS, B_PORT);
    peer.stream.write(bytes('\r\n\r\n'));
    await run();
    expect(peer.state.text).toBe('\r\n');
    expect(b.messages).toEqual([]);
    expect(b.invalid).toEqual([]);
    expect(b.pongs).toEqual([]);
  });

  it('answers a ping that arrives in two reads of one CRLF each', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawTcp(network, B_ADDRESS, B_PORT);
    peer.stream.write(bytes('\r\n'));
    await run();
    expect(peer.state.text).toBe('');
    peer.stream.write(bytes('\r\n'));
    await run();
    expect(peer.state.text).toBe('\r\n');
    expect(b.pongs).toEqual([]);
  });

  it('reports a pong that answers our ping, and only that', async () => {
    const { network, a, b, run } = await loopback();
    await a.layer.sendKeepAlive(toB('tcp'));
    await run();
    expect(a.pongs).toEqual([toB('tcp')]);
    expect(b.pongs).toEqual([]);

    // A CRLF nobody asked for is not liveness news.
    const peer = await rawTcp(network, A_ADDRESS, A_PORT);
    peer.stream.write(bytes('\r\n'));
    await run();
    expect(a.pongs).toHaveLength(1);
  });

  it('takes a ping sent back in answer to our ping as liveness too', async () => {
    const { clock, network, a, run } = await loopback();
    const listener = await network.listenStream(PEER_ADDRESS, 5999);
    const received: string[] = [];
    listener.onConnection((connection) =>
      connection.onData((chunk) => {
        received.push(textOf(chunk));
        // A ping for a ping; the pong that earns is not answered again.
        if (textOf(chunk) === '\r\n\r\n') connection.write(bytes('\r\n\r\n'));
      }),
    );
    const peer: Destination = { protocol: 'tcp', address: PEER_ADDRESS, port: 5999 };
    await a.layer.sendKeepAlive(peer);
    await run();
    expect(received).toEqual(['\r\n\r\n', '\r\n']);
    expect(a.pongs).toEqual([peer]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sends a request of more than 1300 bytes meant for UDP over TCP, with TCP in its top Via (RFC 3261 §18.1.1)', async () => {
    const { a, b, run } = await loopback();
    const big = requestFrom(a, 'udp', 'z9hG4bKbig', { body: 'z'.repeat(1400) });
    const used = await a.layer.sendRequest(big, toB('udp'));
    expect(used).toEqual(toB('tcp'));
    expect(big.topVia?.transport).toBe('TCP');
    await run();
    expect(b.messages).toHaveLength(1);
    expect(b.messages[0]?.source.protocol).toBe('tcp');
    expect(b.messages[0]?.message.topVia).toMatchObject({ transport: 'TCP', branch: 'z9hG4bKbig' });

    const small = requestFrom(a, 'udp', 'z9hG4bKsmall', { body: 'z'.repeat(100) });
    expect(await a.layer.sendRequest(small, toB('udp'))).toEqual(toB('udp'));
    expect(small.topVia?.transport).toBe('UDP');
  });

  it('honours maxUdpRequestSize', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const a = await endpoint(network, A_ADDRESS, A_PORT, { maxUdpRequestSize: 4000 });
    await endpoint(network, B_ADDRESS, B_PORT);
    const big = requestFrom(a, 'udp', 'z9hG4bKbig2', { body: 'z'.repeat(1400) });
    expect(await a.layer.sendRequest(big, toB('udp'))).toEqual(toB('udp'));
  });

  it('falls back to UDP when the peer refuses TCP for a large request (RFC 3261 §18.1.1)', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const a = await endpoint(network, A_ADDRESS, A_PORT);
    const udpOnly = await endpoint(network, B_ADDRESS, B_PORT, { protocols: ['udp'] });
    const big = requestFrom(a, 'udp', 'z9hG4bKbig3', { body: 'z'.repeat(1400) });
    const used = await a.layer.sendRequest(big, toB('udp'));
    expect(used).toEqual(toB('udp'));
    expect(big.topVia?.transport).toBe('UDP');
    await pump(clock);
    expect(udpOnly.messages).toHaveLength(1);
    expect(udpOnly.messages[0]?.message.topVia?.transport).toBe('UDP');
    expect(udpOnly.messages[0]?.message.bodyText).toHaveLength(1400);
  });

  it('rejects with a TransportError when the connection is refused', async () => {
    const { a } = await loopback();
    const destination: Destination = { protocol: 'tcp', address: B_ADDRESS, port: 5999 };
    const sending = a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKrf'), destination);
    await expect(sending).rejects.toBeInstanceOf(TransportError);
    await expect(sending).rejects.toMatchObject({ destination });
    await expect(sending).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a connection the peer closes, and opens a fresh one afterwards', async () => {
    const { sockets, a, b, run } = await loopback();
    await a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKcl1'), toB('tcp'));
    await run();
    b.layer.close();
    await run();
    expect(a.closed).toEqual([toB('tcp')]);
    // B closed on purpose: it hears nothing about its own connections.
    expect(b.closed).toEqual([]);

    const b2 = await endpoint(sockets, B_ADDRESS, B_PORT);
    await a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKcl2'), toB('tcp'));
    await run();
    expect(sockets.connects).toBe(2);
    expect(b2.messages).toHaveLength(1);
  });

  it('reports an incoming connection the peer closes', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawTcp(network, B_ADDRESS, B_PORT);
    await run();
    peer.stream.close();
    await run();
    expect(b.closed).toEqual([
      { protocol: 'tcp', address: peer.stream.local.address, port: peer.stream.local.port },
    ]);
  });

  it('keeps going when the connection-closed handler throws', async () => {
    const { network, b, run } = await loopback();
    b.layer.onConnectionClosed(() => {
      throw new Error('bug in flow recovery');
    });
    const peer = await rawTcp(network, B_ADDRESS, B_PORT);
    await run();
    peer.stream.close();
    await expect(run()).resolves.toBeUndefined();
    expect(b.logs).toContain('error: onConnectionClosed handler failed');
  });

  it('reports a malformed but framed message on a stream with its partial, and keeps the connection', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawTcp(network, B_ADDRESS, B_PORT);
    const bad = requestText(`SIP/2.0/TCP ${PEER_ADDRESS}:5999;branch=z9hG4bKm4`).replace(
      'CSeq: 1 OPTIONS',
      'CSeq: 1 INVITE',
    );
    peer.stream.write(bytes(bad));
    peer.stream.write(bytes(requestText(`SIP/2.0/TCP ${PEER_ADDRESS}:5999;branch=z9hG4bKm5`)));
    await run();
    expect(b.invalid).toHaveLength(1);
    expect(b.invalid[0]?.source.protocol).toBe('tcp');
    expect(b.invalid[0]?.partial?.topVia?.received).toBe('127.0.0.1');
    expect(b.messages).toHaveLength(1);
    expect(peer.state.closed).toBe(false);
  });

  it('closes a connection whose stream cannot be framed (no Content-Length, RFC 3261 §18.3)', async () => {
    const { network, b, run } = await loopback();
    const peer = await rawTcp(network, B_ADDRESS, B_PORT);
    peer.stream.write(
      bytes(
        requestText(`SIP/2.0/TCP ${PEER_ADDRESS}:5999;branch=z9hG4bKm6`).replace(/Content-Length: 0\r\n/, ''),
      ),
    );
    await run();
    expect(peer.state.closed).toBe(true);
    expect(b.messages).toEqual([]);
    expect(b.closed).toHaveLength(1);
  });
});

// ---- IPv6, closing, real sockets ----------------------------------------------------------------------------------

describe('TransportLayer on IPv6 (loopback network)', () => {
  it('carries requests and responses over UDP and TCP on ::1', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const a = await endpoint(network, '::1', 5060);
    const b = await endpoint(network, '::1', 5062);
    expect(a.layer.sentBy({ protocol: 'udp', address: '::1', port: 5062 })).toEqual({
      transport: 'UDP',
      host: '[::1]',
      port: 5060,
    });
    for (const protocol of ['udp', 'tcp'] as const) {
      const destination: Destination = { protocol, address: '::1', port: 5062 };
      await a.layer.sendRequest(requestFrom(a, protocol, `z9hG4bK6${protocol}`), destination);
      await pump(clock);
      const incoming = b.messages.at(-1)!;
      expect(incoming.source).toMatchObject({ protocol, address: '::1' });
      expect(incoming.message.topVia).toMatchObject({ host: '[::1]', port: 5060, received: '::1' });
      await b.layer.sendResponse(answer(incoming), incoming.source);
      await pump(clock);
      expect(a.messages.at(-1)?.message.topVia?.branch).toBe(`z9hG4bK6${protocol}`);
    }
    expect(a.messages).toHaveLength(2);
    expect(a.trace.at(-1)?.remote).toBe('[::1]:5062');
  });

  it('refuses an IPv4 destination from an IPv6 address with a TransportError', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const a = await endpoint(network, '::1', 5060);
    for (const protocol of ['udp', 'tcp'] as const) {
      await expect(
        a.layer.sendRequest(requestFrom(a, protocol, 'z9hG4bKfam'), {
          protocol,
          address: '127.0.0.1',
          port: 5060,
        }),
      ).rejects.toBeInstanceOf(TransportError);
    }
  });
});

describe('TransportLayer.close', () => {
  it('is idempotent, refuses later sends and frees the port', async () => {
    const { network, a, run } = await loopback();
    await a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKx1'), toB('tcp'));
    await run();
    a.layer.close();
    a.layer.close();
    await run();
    expect(a.closed).toEqual([]);
    await expect(a.layer.sendRequest(requestFrom(a, 'udp', 'z9hG4bKx2'), toB('udp'))).rejects.toBeInstanceOf(
      TransportError,
    );
    await expect(a.layer.sendKeepAlive(toB('tcp'))).rejects.toBeInstanceOf(TransportError);
    const again = await endpoint(network, A_ADDRESS, A_PORT);
    expect(again.layer.localPort).toBe(A_PORT);
  });

  it('does not let a connection being made when close() runs outlive it', async () => {
    const { a, b, run } = await loopback();
    const sending = a.layer.sendRequest(requestFrom(a, 'tcp', 'z9hG4bKx3'), toB('tcp'));
    a.layer.close();
    await expect(sending).rejects.toBeInstanceOf(TransportError);
    await run();
    expect(b.messages).toEqual([]);
    // B saw the connection come and go.
    expect(b.closed).toHaveLength(1);
  });
});

describe('TransportLayer with real sockets on 127.0.0.1', () => {
  const layers: TransportLayer[] = [];
  afterEach(() => {
    for (const layer of layers.splice(0)) layer.close();
  });

  const eventually = (assertion: () => void): Promise<void> =>
    vi.waitFor(assertion, { interval: 2, timeout: 3000 });

  it('carries a request and its response over UDP and over TCP', async () => {
    const sockets = new NodeSocketFactory();
    const a = await endpoint(sockets, '127.0.0.1', 0);
    const b = await endpoint(sockets, '127.0.0.1', 0);
    layers.push(a.layer, b.layer);
    expect(a.layer.localPort).toBeGreaterThan(0);
    const bAddress = (protocol: TransportProtocol): Destination => ({
      protocol,
      address: '127.0.0.1',
      port: b.layer.localPort,
    });

    for (const protocol of ['udp', 'tcp'] as const) {
      const count = b.messages.length;
      await a.layer.sendRequest(requestFrom(a, protocol, `z9hG4bKreal${protocol}`), bAddress(protocol));
      await eventually(() => expect(b.messages).toHaveLength(count + 1));
      const incoming = b.messages.at(-1)!;
      expect(incoming.source.protocol).toBe(protocol);
      expect(incoming.message.topVia).toMatchObject({ rport: incoming.source.port, received: '127.0.0.1' });
      await b.layer.sendResponse(answer(incoming), incoming.source);
      await eventually(() => expect(a.messages).toHaveLength(count + 1));
      expect(a.messages.at(-1)?.message.topVia?.branch).toBe(`z9hG4bKreal${protocol}`);
    }
  });
});
