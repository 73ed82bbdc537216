// A flood of requests over real UDP on 127.0.0.1 to a UserAgent: half of them have a From URI that fails the deferred
// parse when the TU reads it (as the `softphone` command does when it prints a request). Every request must be
// answered (200, 400 for the malformed ones, or 503 past the transaction cap), no transaction may be left once
// Timer J has run (T1 is 5 ms here, so J is 320 ms), the heap must come back to near where it started, and the log
// must stay short. Bounded in count (20,000) and time (flow control keeps at most 1,000 requests in flight).
import { type Socket, createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { UserAgent } from '../../main/ua/user-agent';
import { MiB, retainedBytes } from '../support/heap';

const REQUESTS = 20_000;
const IN_FLIGHT = 1_000;
const MALFORMED_FROM = [
  '<sip:x@127.0.0.1:99999>;tag=1',
  '<sip:x@>;tag=1',
  '<sip:%zz@127.0.0.1>;tag=1',
  '<sip:x@[::1>;tag=1',
];

function request(index: number, port: number): Buffer {
  const from = index % 2 === 0 ? '<sip:flood@127.0.0.1>;tag=f1' : MALFORMED_FROM[(index >> 1) % 4]!;
  return Buffer.from(
    [
      'OPTIONS sip:softphone@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bKflood${index}`,
      'Max-Forwards: 70',
      `From: ${from}`,
      'To: <sip:softphone@127.0.0.1>',
      `Call-ID: flood-${index}@127.0.0.1`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

async function until(condition: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

describe('UDP flood on 127.0.0.1', () => {
  let ua: UserAgent;
  let peer: Socket;
  const errorLines: string[] = [];
  const statuses = new Map<number, number>();
  let received = 0;

  beforeAll(async () => {
    ua = await UserAgent.start({
      sockets: new NodeSocketFactory(),
      clock: new SystemClock(),
      random: new CryptoRandom(),
      bindAddress: '127.0.0.1',
      protocols: ['udp'],
      timers: { t1: 5 },
      logger: {
        log: (level, message) => {
          if (level === 'error' || level === 'warn') errorLines.push(message);
        },
      },
    });
    // What the command line does with every request it is shown: print its From, which parses the URI.
    ua.core.observe((incoming) => void incoming.from.uri);
    peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    peer.on('message', (message) => {
      received++;
      const status = Number(message.toString('latin1', 8, 11));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });

  afterAll(async () => {
    peer?.close();
    await ua?.shutdown(100);
  });

  it('answers every request, leaves no transaction, and gives the memory back', async () => {
    const port = peer.address().port;
    // Warm up (JIT, pools), then take the baseline.
    for (let i = 0; i < 200; i++) peer.send(request(REQUESTS + i, port), ua.transport.localPort, '127.0.0.1');
    await until(() => received >= 200 && ua.transactions.activeTransactions().server === 0, 5_000);
    received = 0;
    statuses.clear();
    const baseline = await retainedBytes();

    let peak = 0;
    let peakTransactions = 0;
    for (let sent = 0; sent < REQUESTS;) {
      const batch = Math.min(250, REQUESTS - sent);
      for (let i = 0; i < batch; i++) peer.send(request(sent + i, port), ua.transport.localPort, '127.0.0.1');
      sent += batch;
      // Flow control: loopback drops datagrams once socket buffers fill, and a lost request proves nothing.
      await until(() => received >= sent - IN_FLIGHT, 5_000);
      peakTransactions = Math.max(peakTransactions, ua.transactions.activeTransactions().server);
      if (sent % 5_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    await until(() => received >= REQUESTS, 5_000);
    const drained = await until(() => ua.transactions.activeTransactions().server === 0, 10_000);
    const after = await retainedBytes();

    console.info(
      `UDP flood: ${REQUESTS} requests, ${received} answers ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `peak ${peakTransactions} live server transactions, heap baseline ${(baseline / MiB).toFixed(1)} MiB, ` +
        `peak ${(peak / MiB).toFixed(1)} MiB, after ${(after / MiB).toFixed(1)} MiB, ` +
        `${errorLines.length} warning/error log lines (warm-up included)`,
    );
    expect(drained).toBe(true);
    expect(ua.transactions.activeTransactions()).toEqual({ client: 0, server: 0 });
    expect(received).toBe(REQUESTS);
    expect([...statuses.keys()].every((status) => [200, 400, 503].includes(status))).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(after - baseline).toBeLessThan(8 * MiB);
    expect(errorLines.length).toBeLessThanOrEqual(20);
  });
});
