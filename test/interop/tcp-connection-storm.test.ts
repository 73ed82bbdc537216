// A connection storm over real TCP on 127.0.0.1 against the transport layer, from 40 loopback source addresses
// (127.0.0.10-49; Linux routes all of 127/8 to lo): far more connections than the limits allow, heads trickled and
// never finished, heads larger than the head limit, bodies larger than the body limit, bodies left half sent. The
// limits must hold (never more than maxInboundConnections open), each kind of abuse must end in a close, and memory
// must stay bounded and come back. Time limits are shortened (1 s to finish a message, 2 s idle) so it runs in seconds.
import { type Socket, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { DEFAULT_STREAM_LIMITS } from '../../main/sip/transport/stream-limits';
import { TransportLayer } from '../../main/sip/transport/transport-layer';
import { MiB, retainedBytes } from '../support/heap';

const SOURCES = Array.from({ length: 40 }, (_, i) => `127.0.0.${10 + i}`);
const LIMITS = { ...DEFAULT_STREAM_LIMITS, messageTimeoutMs: 1_000, idleTimeoutMs: 2_000 };

interface Client {
  readonly socket: Socket;
  closed: boolean;
}

async function until(condition: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

function head(contentLength: number | undefined, filler = 0): string {
  return [
    'OPTIONS sip:softphone@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/TCP 127.0.0.10:5999;branch=z9hG4bKstorm',
    'From: <sip:storm@127.0.0.1>;tag=s',
    'To: <sip:softphone@127.0.0.1>',
    'Call-ID: storm@127.0.0.1',
    'CSeq: 1 OPTIONS',
    ...(filler > 0 ? [`X-Filler: ${'x'.repeat(filler)}`] : []),
    ...(contentLength !== undefined ? [`Content-Length: ${contentLength}`, '', ''] : []),
  ].join('\r\n');
}

describe('TCP connection storm on 127.0.0.1', () => {
  let transport: TransportLayer;
  let clients: Client[] = [];
  let peakInbound = 0;
  let sampler: ReturnType<typeof setInterval> | undefined;

  /** Opens `count` connections round-robin over the source addresses, each writing `payload` once connected. */
  async function storm(count: number, payload: string | Buffer): Promise<Client[]> {
    const opened = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        return new Promise<Client>((resolve) => {
          const socket = connect({
            host: '127.0.0.1',
            port: transport.localPort,
            localAddress: SOURCES[i % SOURCES.length]!,
          });
          const client: Client = { socket, closed: false };
          socket.on('error', () => undefined);
          socket.on('close', () => (client.closed = true));
          socket.once('connect', () => {
            socket.write(payload);
            resolve(client);
          });
          socket.once('error', () => resolve(client));
        });
      }),
    );
    clients.push(...opened);
    return opened;
  }

  beforeAll(async () => {
    transport = await TransportLayer.start({
      sockets: new NodeSocketFactory(),
      clock: new SystemClock(),
      bindAddress: '127.0.0.1',
      protocols: ['tcp'],
      streamLimits: LIMITS,
    });
    sampler = setInterval(() => {
      peakInbound = Math.max(peakInbound, transport.connectionCounts().inbound);
    }, 2);
  });

  afterAll(() => {
    clearInterval(sampler);
    for (const client of clients) client.socket.destroy();
    transport?.close();
  });

  it('never holds more connections than the limits, and closes each kind of abuse', async () => {
    const baseline = await retainedBytes();

    // 1,000 trickled heads that never end: 256 are taken, the rest closed at once, the 256 after 1 s.
    let slow = await storm(1_000, 'OPTIONS sip:softphone@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.10');
    await until(() => slow.filter((c) => c.closed).length >= 1_000 - LIMITS.maxInboundConnections, 5_000);
    const heldSlow = transport.connectionCounts().inbound;
    const allSlowClosed = await until(() => slow.every((c) => c.closed), 10_000);

    // 300 heads of 63 KB without their empty line: past the 32 KiB head limit, closed as they arrive.
    let bigHeads = await storm(300, head(undefined, 63 * 1024));
    const allBigHeadsClosed = await until(() => bigHeads.every((c) => c.closed), 10_000);

    // 300 requests announcing a 1 MiB body and sending 100 KB of it: refused at the Content-Length.
    let bigBodies = await storm(
      300,
      Buffer.concat([Buffer.from(head(1024 * 1024)), Buffer.alloc(100_000, 0x78)]),
    );
    const allBigBodiesClosed = await until(() => bigBodies.every((c) => c.closed), 10_000);

    // 300 bodies within the limit (60 KiB) sent half: held until the message time limit, which bounds the bytes.
    let halfBodies = await storm(
      300,
      Buffer.concat([Buffer.from(head(60 * 1024)), Buffer.alloc(30 * 1024, 0x78)]),
    );
    await until(() => transport.connectionCounts().inbound >= LIMITS.maxInboundConnections, 2_000);
    const holding = await retainedBytes();
    const heldHalf = transport.connectionCounts().inbound;
    const allHalfClosed = await until(() => halfBodies.every((c) => c.closed), 10_000);

    const drained = await until(() => transport.connectionCounts().inbound === 0, 5_000);
    // Drop the test's own handles on the client sockets, so what remains is what the transport holds.
    for (const client of clients) client.socket.destroy();
    clients = [];
    slow = bigHeads = bigBodies = halfBodies = [];
    const after = await retainedBytes();

    console.info(
      `TCP storm: peak ${peakInbound} inbound connections (limit ${LIMITS.maxInboundConnections}), ` +
        `slow heads held ${heldSlow}, half bodies held ${heldHalf}; retained memory baseline ` +
        `${(baseline / MiB).toFixed(1)} MiB, holding 256 half bodies ${(holding / MiB).toFixed(1)} MiB, ` +
        `after ${(after / MiB).toFixed(1)} MiB`,
    );
    expect(peakInbound).toBeLessThanOrEqual(LIMITS.maxInboundConnections);
    expect(heldSlow).toBeLessThanOrEqual(LIMITS.maxInboundConnections);
    expect([allSlowClosed, allBigHeadsClosed, allBigBodiesClosed, allHalfClosed, drained]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    // 256 connections × (30 KiB body + head) ≈ 8 MiB of buffered bytes, plus the per-connection objects.
    expect(holding - baseline).toBeLessThan(32 * MiB);
    expect(after - baseline).toBeLessThan(4 * MiB);
  });
});
