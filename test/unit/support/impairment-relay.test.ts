import { afterEach, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { ImpairmentModel, startImpairmentRelay, type ImpairmentRelay } from '../../support/impairment-relay';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';

function fates(model: ImpairmentModel, count: number) {
  return Array.from({ length: count }, () => model.next());
}

/** Mean length of the runs of consecutive `true`s. */
function meanRun(flags: readonly boolean[]): number {
  let runs = 0;
  let total = 0;
  let current = 0;
  for (const flag of [...flags, false]) {
    if (flag) current++;
    else if (current > 0) {
      runs++;
      total += current;
      current = 0;
    }
  }
  return runs === 0 ? 0 : total / runs;
}

describe('ImpairmentModel', () => {
  it('passes everything untouched when nothing is configured', () => {
    const all = fates(new ImpairmentModel({}, new SeededRandom(1)), 1000);
    expect(all.every((fate) => !fate.lost && !fate.duplicated && !fate.reordered && fate.delayMs === 0)).toBe(
      true,
    );
  });

  it('loses packets independently at the configured rate, the same ones for the same seed', () => {
    const lost = fates(new ImpairmentModel({ loss: 0.05 }, new SeededRandom(5)), 20_000).map(
      (fate) => fate.lost,
    );
    const rate = lost.filter(Boolean).length / lost.length;
    // Binomial standard deviation here is 0.0015: four of them.
    expect(Math.abs(rate - 0.05)).toBeLessThan(0.006);
    expect(meanRun(lost)).toBeLessThan(1.1);
    const again = fates(new ImpairmentModel({ loss: 0.05 }, new SeededRandom(5)), 20_000).map(
      (fate) => fate.lost,
    );
    expect(again).toEqual(lost);
    const other = fates(new ImpairmentModel({ loss: 0.05 }, new SeededRandom(6)), 20_000).map(
      (fate) => fate.lost,
    );
    expect(other).not.toEqual(lost);
  });

  it('loses packets in bursts with Gilbert–Elliott: the stationary rate and the mean burst length', () => {
    const model = new ImpairmentModel({ burst: { goodToBad: 0.02, badToGood: 0.25 } }, new SeededRandom(9));
    const all = fates(model, 100_000);
    const lost = all.map((fate) => fate.lost);
    // Bad-state share 0.02 / 0.27 = 0.074, every packet in it lost; bursts last 1 / 0.25 = 4 packets.
    expect(Math.abs(lost.filter(Boolean).length / lost.length - 0.074)).toBeLessThan(0.01);
    expect(Math.abs(meanRun(lost) - 4)).toBeLessThan(0.4);
    expect(all.filter((fate) => fate.lost).every((fate) => fate.lostInBurst)).toBe(true);
  });

  it('applies loss inside the good and the bad state as configured', () => {
    const model = new ImpairmentModel(
      { burst: { goodToBad: 0.1, badToGood: 0.1, lossInGood: 0.01, lossInBad: 0.5 } },
      new SeededRandom(4),
    );
    const lost = fates(model, 50_000).filter((fate) => fate.lost).length / 50_000;
    // Half the time in each state: (0.01 + 0.5) / 2.
    expect(Math.abs(lost - 0.255)).toBeLessThan(0.02);
  });

  it('delays by the fixed delay plus uniform jitter, and duplicates and reorders only packets it keeps', () => {
    const all = fates(
      new ImpairmentModel(
        { delayMs: 20, jitterMs: 30, duplicate: 0.1, reorder: 0.05, loss: 0.2 },
        new SeededRandom(3),
      ),
      20_000,
    );
    const delays = all.map((fate) => fate.delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...delays)).toBeLessThanOrEqual(50);
    expect(Math.abs(delays.reduce((sum, delay) => sum + delay, 0) / delays.length - 35)).toBeLessThan(0.5);
    const kept = all.filter((fate) => !fate.lost);
    expect(Math.abs(kept.filter((fate) => fate.duplicated).length / kept.length - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(kept.filter((fate) => fate.reordered).length / kept.length - 0.05)).toBeLessThan(0.008);
    expect(all.some((fate) => fate.lost && (fate.duplicated || fate.reordered))).toBe(false);
  });

  it('draws the same loss pattern whatever the other knobs say', () => {
    const plain = fates(new ImpairmentModel({ loss: 0.1 }, new SeededRandom(8)), 5000).map(
      (fate) => fate.lost,
    );
    const busy = fates(
      new ImpairmentModel({ loss: 0.1, jitterMs: 50, duplicate: 0.3 }, new SeededRandom(8)),
      5000,
    ).map((fate) => fate.lost);
    expect(busy).toEqual(plain);
  });

  it('refuses probabilities above 1 and negative or infinite numbers', () => {
    expect(() => new ImpairmentModel({ loss: 1.5 }, new SeededRandom())).toThrow(RangeError);
    expect(() => new ImpairmentModel({ delayMs: -1 }, new SeededRandom())).toThrow(RangeError);
    expect(() => new ImpairmentModel({ jitterMs: Infinity }, new SeededRandom())).toThrow(RangeError);
  });
});

interface End {
  readonly socket: Socket;
  readonly port: number;
  readonly received: { data: string; fromPort: number }[];
  send(text: string, port: number): void;
}

async function openEnd(port = 0): Promise<End> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, '127.0.0.1', () => {
      socket.removeAllListeners('error');
      resolve();
    });
  });
  const received: { data: string; fromPort: number }[] = [];
  socket.on('message', (data, from) => received.push({ data: data.toString(), fromPort: from.port }));
  return {
    socket,
    port: socket.address().port,
    received,
    send: (text, to) => socket.send(text, to, '127.0.0.1'),
  };
}

/** Two ends on consecutive ports (RTP, RTCP). */
async function openPair(): Promise<[End, End]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await openEnd();
    const second = await openEnd(first.port + 1).catch(() => undefined);
    if (second !== undefined) return [first, second];
    first.socket.close();
  }
  throw new Error('no two consecutive free UDP ports');
}

/**
 * Sends `count` numbered datagrams from `from` to the relay's a side, 20 at a time, each batch handled by the
 * relay and delivered to `to` before the next (a burst of hundreds overflows a loopback receive buffer).
 */
async function pump(from: End, to: End, relay: ImpairmentRelay, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    from.send(String(index), relay.portA);
    if (index % 20 === 19 || index === count - 1) {
      await until(() => relay.counters('aToB').received === index + 1, `the relay to see ${index + 1}`);
      await until(() => to.received.length === relay.counters('aToB').sent, 'delivery');
    }
  }
}

/** Waits (on real time, bounded) for loopback datagrams to be handled; fails with `what` after 5 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('startImpairmentRelay on loopback sockets', () => {
  const toClose: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const item of toClose.splice(0)) await item.close();
  });

  async function setUp(options: Partial<Parameters<typeof startImpairmentRelay>[0]> = {}) {
    const a = await openEnd();
    const b = await openEnd();
    toClose.push({ close: () => a.socket.close() }, { close: () => b.socket.close() });
    const relay: ImpairmentRelay = await startImpairmentRelay({
      randomFor: (direction) => new SeededRandom(direction === 'aToB' ? 21 : 22),
      targetB: { address: '127.0.0.1', port: b.port },
      legs: 1,
      ...options,
    });
    toClose.push(relay);
    return { a, b, relay };
  }

  it('carries RTP and RTCP both ways: to the target, and back to the address that sent', async () => {
    const a = await openEnd();
    const [bRtpPair, bRtcp] = await openPair();
    toClose.push(
      { close: () => a.socket.close() },
      { close: () => bRtpPair.socket.close() },
      { close: () => bRtcp.socket.close() },
    );
    const relay = await startImpairmentRelay({
      randomFor: () => new SeededRandom(1),
      targetB: { address: '127.0.0.1', port: bRtpPair.port },
    });
    toClose.push(relay);
    expect(relay.portA % 2).toBe(0);

    a.send('rtp-1', relay.portA);
    a.send('rtcp-1', relay.portA + 1);
    await until(() => bRtpPair.received.length === 1 && bRtcp.received.length === 1, 'A→B');
    expect(bRtpPair.received[0]).toEqual({ data: 'rtp-1', fromPort: relay.portB });
    expect(bRtcp.received[0]).toEqual({ data: 'rtcp-1', fromPort: relay.portB + 1 });

    bRtpPair.send('rtp-2', relay.portB);
    bRtcp.send('rtcp-2', relay.portB + 1);
    await until(() => a.received.length === 2, 'B→A');
    expect(a.received.map((message) => message.data).sort()).toEqual(['rtcp-2', 'rtp-2']);
    expect(relay.counters('aToB')).toMatchObject({ received: 2, sent: 2, lost: 0 });
    expect(relay.counters('bToA', 1)).toMatchObject({ received: 1, sent: 1 });
  });

  it('keeps the order of what it carries when there is no jitter', async () => {
    const { a, b, relay } = await setUp();
    await pump(a, b, relay, 300);
    expect(b.received).toHaveLength(300);
    expect(b.received.map((message) => Number(message.data))).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
  });

  it('drops the seeded share and counts exactly what it dropped', async () => {
    const { a, b, relay } = await setUp({ aToB: { loss: 0.3 } });
    await pump(a, b, relay, 500);
    const counters = relay.counters('aToB');
    expect(b.received).toHaveLength(counters.sent);
    expect(counters.sent + counters.lost).toBe(500);
    expect(Math.abs(counters.lost / 500 - 0.3)).toBeLessThan(0.07);
    // Order is kept among the survivors.
    const numbers = b.received.map((message) => Number(message.data));
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
  });

  it('duplicates datagrams and counts the copies', async () => {
    const { a, b, relay } = await setUp({ aToB: { duplicate: 0.2 } });
    await pump(a, b, relay, 300);
    const { duplicated, sent } = relay.counters('aToB');
    expect(duplicated).toBeGreaterThan(30);
    expect(sent).toBe(300 + duplicated);
    expect(b.received).toHaveLength(sent);
    const counts = new Map<string, number>();
    for (const message of b.received) counts.set(message.data, (counts.get(message.data) ?? 0) + 1);
    expect([...counts.values()].filter((count) => count === 2)).toHaveLength(duplicated);
  });

  it('holds datagrams for the fixed delay on the injected clock', async () => {
    const clock = new ManualClock();
    const { a, b, relay } = await setUp({ clock, aToB: { delayMs: 40 } });
    for (let index = 0; index < 20; index++) a.send(String(index), relay.portA);
    await until(() => relay.counters('aToB').received === 20, 'the relay to see 20');
    clock.advance(39);
    expect(relay.counters('aToB').sent).toBe(0);
    clock.advance(1);
    await until(() => b.received.length === 20, 'the delayed datagrams');
    expect(b.received.map((message) => Number(message.data))).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('swaps a reordered datagram with its successor, and lets a lone one go after the hold', async () => {
    const clock = new ManualClock();
    const { a, b, relay } = await setUp({ clock, aToB: { reorder: 1 } });
    for (let index = 0; index < 5; index++) a.send(String(index), relay.portA);
    await until(() => b.received.length === 4, 'the swapped pairs');
    expect(b.received.map((message) => message.data)).toEqual(['1', '0', '3', '2']);
    clock.advance(100);
    await until(() => b.received.length === 5, 'the held last one');
    expect(b.received[4]!.data).toBe('4');
    expect(relay.counters('aToB').reordered).toBe(3);
  });

  it('jitters delays, and keeps the order anyway when asked to', async () => {
    const clock = new ManualClock();
    const { a, b, relay } = await setUp({ clock, aToB: { jitterMs: 30, keepOrder: true } });
    for (let index = 0; index < 100; index++) a.send(String(index), relay.portA);
    await until(() => relay.counters('aToB').received === 100, 'the relay to see 100');
    for (let step = 0; step <= 31; step++) clock.advance(1);
    await until(() => b.received.length === 100, 'every datagram');
    expect(b.received.map((message) => Number(message.data))).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('counts as unroutable what arrives for a side with no target yet, then latches', async () => {
    const { a, b, relay } = await setUp();
    b.send('early', relay.portB);
    await until(() => relay.counters('bToA').unroutable === 1, 'the unroutable count');
    a.send('hello', relay.portA);
    await until(() => b.received.length === 1, 'A→B');
    b.send('reply', relay.portB);
    await until(() => a.received.length === 1, 'the reply to the latched address');
    expect(a.received[0]).toEqual({ data: 'reply', fromPort: relay.portA });
  });

  it('changes a direction’s impairment while running', async () => {
    const { a, b, relay } = await setUp();
    relay.setImpairment('aToB', { loss: 1 });
    for (let index = 0; index < 10; index++) a.send(String(index), relay.portA);
    await until(() => relay.counters('aToB').lost === 10, 'all lost');
    relay.setImpairment('aToB', {});
    a.send('through', relay.portA);
    await until(() => b.received.length === 1, 'the one after the change');
    expect(b.received[0]!.data).toBe('through');
  });
});
