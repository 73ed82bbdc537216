import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipRequest } from '../../../../main/sip/message/message';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from '../../../../main/sip/transport/stream-limits';
import { TransportLayer } from '../../../../main/sip/transport/transport-layer';
import type { Destination, IncomingMessage } from '../../../../main/sip/transport/types';
import { LoopbackNetwork, textOf } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { settle } from '../../../support/settle';

const LOCAL = '127.0.0.1';
const PORT = 5060;

async function setup(limits: Partial<StreamLimits> = {}) {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock });
  const logs: string[] = [];
  const layer = await TransportLayer.start({
    sockets: network,
    bindAddress: LOCAL,
    port: PORT,
    clock,
    streamLimits: limits,
    logger: { log: (level, message) => logs.push(`${level}: ${message}`) },
  });
  const messages: IncomingMessage[] = [];
  layer.onMessage((incoming) => messages.push(incoming));
  /** A peer connecting from `address`: what it receives, and whether we closed it. */
  const connect = async (address: string) => {
    const stream = await network.connectStream(LOCAL, PORT, address);
    const state = { text: '', closed: false };
    stream.onData((chunk) => (state.text += textOf(chunk)));
    stream.onClose(() => (state.closed = true));
    await settle(clock);
    return { stream, state, write: (text: string) => stream.write(new TextEncoder().encode(text)) };
  };
  return { clock, network, layer, messages, logs, connect, settle: () => settle(clock) };
}

function requestText(branch: string, body = ''): string {
  return [
    'OPTIONS sip:alice@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/TCP 127.0.0.9:5999;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:bob@example.test>;tag=b1',
    'To: <sip:alice@example.test>',
    'Call-ID: limits-1',
    'CSeq: 1 OPTIONS',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

describe('TransportLayer: inbound TCP connection limits', () => {
  it('closes a connection past the limit per source address, and takes others', async () => {
    const { connect } = await setup({ maxInboundPerAddress: 2 });
    const first = await connect('127.0.0.3');
    const second = await connect('127.0.0.3');
    const third = await connect('127.0.0.3');
    const elsewhere = await connect('127.0.0.4');
    expect([first, second, third, elsewhere].map((peer) => peer.state.closed)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it('closes a connection past the overall limit', async () => {
    const { connect, messages, settle: run } = await setup({ maxInboundConnections: 3 });
    const peers = [];
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'])
      peers.push(await connect(address));
    expect(peers.map((peer) => peer.state.closed)).toEqual([false, false, false, true]);
    peers[3]!.write(requestText('z9hG4bKrefused'));
    await run();
    expect(messages).toEqual([]);
  });

  it('takes a new connection once one has closed', async () => {
    const { connect, settle: run } = await setup({ maxInboundPerAddress: 1 });
    const first = await connect('127.0.0.3');
    first.stream.close();
    await run();
    const second = await connect('127.0.0.3');
    expect(second.state.closed).toBe(false);
  });

  it('does not count the connections we open ourselves', async () => {
    const { network, layer, connect, settle: run } = await setup({ maxInboundConnections: 1 });
    const listener = await network.listenStream('127.0.0.7', 5070);
    listener.onConnection(() => undefined);
    const destination: Destination = { protocol: 'tcp', address: '127.0.0.7', port: 5070 };
    await layer.sendKeepAlive(destination);
    await run();
    const inbound = await connect('127.0.0.3');
    expect(inbound.state.closed).toBe(false);
  });

  it('logs refusals a few times, not once per connection', async () => {
    const { connect, logs } = await setup({ maxInboundPerAddress: 1 });
    for (let i = 0; i < 30; i++) await connect('127.0.0.3');
    expect(logs.filter((line) => line.includes('limit')).length).toBeLessThanOrEqual(5);
  });
});

describe('TransportLayer: slow and idle TCP connections', () => {
  it('closes a connection whose message is not complete within the time limit', async () => {
    const { clock, connect, settle: run } = await setup({ messageTimeoutMs: 20_000 });
    const peer = await connect('127.0.0.3');
    peer.write('OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.3');
    await run();
    clock.advance(19_999);
    await run();
    expect(peer.state.closed).toBe(false);
    clock.advance(1);
    await run();
    expect(peer.state.closed).toBe(true);
  });

  it('closes a connection that trickles a head one byte at a time', async () => {
    const { clock, connect, settle: run } = await setup({ messageTimeoutMs: 20_000, idleTimeoutMs: 120_000 });
    const peer = await connect('127.0.0.3');
    const text = requestText('z9hG4bKslow');
    for (let i = 0; i < 25 && !peer.state.closed; i++) {
      peer.write(text[i]!);
      await run();
      clock.advance(1_000);
      await run();
    }
    expect(peer.state.closed).toBe(true);
    expect(clock.now()).toBe(20_000);
  });

  it('does not time stray line breaks between messages', async () => {
    const { clock, connect, settle: run } = await setup({ messageTimeoutMs: 20_000, idleTimeoutMs: 120_000 });
    const peer = await connect('127.0.0.3');
    peer.write('\n');
    await run();
    clock.advance(60_000);
    await run();
    expect(peer.state.closed).toBe(false);
  });

  it('leaves a connection alone that completes its messages in time', async () => {
    const { clock, connect, messages, settle: run } = await setup({ messageTimeoutMs: 20_000 });
    const peer = await connect('127.0.0.3');
    const text = requestText('z9hG4bKok');
    peer.write(text.slice(0, 40));
    await run();
    clock.advance(10_000);
    peer.write(text.slice(40));
    await run();
    clock.advance(15_000);
    await run();
    expect(messages).toHaveLength(1);
    expect(peer.state.closed).toBe(false);
  });

  it('closes an idle inbound connection once nothing of ours waits on it', async () => {
    const { clock, layer, connect, messages, settle: run } = await setup({ idleTimeoutMs: 120_000 });
    const peer = await connect('127.0.0.3');
    peer.write(requestText('z9hG4bKidle'));
    await run();
    // The request is still unanswered: the connection is where our answer must go (RFC 3261 §18.2.2).
    clock.advance(200_000);
    await run();
    expect(peer.state.closed).toBe(false);
    const incoming = messages[0]!;
    await layer.sendResponse(
      createResponse(incoming.message as SipRequest, 200, { toTag: 't' }),
      incoming.source,
    );
    await run();
    expect(peer.state.text).toMatch(/^SIP\/2\.0 200 OK/);
    clock.advance(119_999);
    await run();
    expect(peer.state.closed).toBe(false);
    clock.advance(1);
    await run();
    expect(peer.state.closed).toBe(true);
  });

  it('keeps a connection pinned after a provisional response: only a final one answers the request', async () => {
    const { clock, layer, connect, messages, settle: run } = await setup({ idleTimeoutMs: 60_000 });
    const peer = await connect('127.0.0.3');
    peer.write(requestText('z9hG4bKringing'));
    await run();
    const incoming = messages[0]!;
    await layer.sendResponse(
      createResponse(incoming.message as SipRequest, 180, { toTag: 't' }),
      incoming.source,
    );
    clock.advance(150_000);
    await run();
    expect(peer.state.closed).toBe(false);
  });

  it('stops every connection timer when the transport closes', async () => {
    const { clock, layer, connect, settle: run } = await setup();
    const peer = await connect('127.0.0.3');
    peer.write('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n');
    await run();
    layer.close();
    await run();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps a connection for an unanswered request at most four idle timeouts', async () => {
    const { clock, connect, settle: run } = await setup({ idleTimeoutMs: 60_000 });
    const peer = await connect('127.0.0.3');
    peer.write(requestText('z9hG4bKforever'));
    await run();
    clock.advance(239_999);
    await run();
    expect(peer.state.closed).toBe(false);
    clock.advance(60_000);
    await run();
    expect(peer.state.closed).toBe(true);
  });

  it('closes an inbound connection on which nothing ever arrives', async () => {
    const { clock, connect, settle: run } = await setup({ idleTimeoutMs: 60_000 });
    const peer = await connect('127.0.0.3');
    clock.advance(60_000);
    await run();
    expect(peer.state.closed).toBe(true);
  });

  it('keeps a connection we opened however long it is idle (a registration flow)', async () => {
    const { clock, network, layer, settle: run } = await setup({ idleTimeoutMs: 60_000 });
    const listener = await network.listenStream('127.0.0.7', 5070);
    let closed = false;
    listener.onConnection((connection) => connection.onClose(() => (closed = true)));
    await layer.sendKeepAlive({ protocol: 'tcp', address: '127.0.0.7', port: 5070 });
    await run();
    clock.advance(600_000);
    await run();
    expect(closed).toBe(false);
  });
});

describe('TransportLayer: bytes held per TCP connection', () => {
  it('closes a connection whose head grows past the limit', async () => {
    const { connect, settle: run } = await setup({ maxHeadBytes: 4_096 });
    const peer = await connect('127.0.0.3');
    peer.write(`OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nX-Filler: ${'x'.repeat(5_000)}`);
    await run();
    expect(peer.state.closed).toBe(true);
  });

  it('refuses a body larger than the limit as soon as its Content-Length is read', async () => {
    const { connect, messages, settle: run } = await setup({ maxBodyBytes: 8_192 });
    const peer = await connect('127.0.0.3');
    peer.write(requestText('z9hG4bKbig', 'x'.repeat(9_000)).slice(0, 400));
    await run();
    expect(peer.state.closed).toBe(true);
    expect(messages).toEqual([]);
  });

  it('takes a body within the limit', async () => {
    const { connect, messages, settle: run } = await setup({ maxBodyBytes: 8_192 });
    const peer = await connect('127.0.0.3');
    peer.write(requestText('z9hG4bKfits', 'x'.repeat(8_000)));
    await run();
    expect(messages).toHaveLength(1);
    expect(peer.state.closed).toBe(false);
  });

  it('has documented defaults', () => {
    expect(DEFAULT_STREAM_LIMITS).toEqual({
      maxInboundConnections: 256,
      maxInboundPerAddress: 16,
      messageTimeoutMs: 20_000,
      idleTimeoutMs: 120_000,
      maxHeadBytes: 32 * 1024,
      maxBodyBytes: 64 * 1024,
    });
  });
});
