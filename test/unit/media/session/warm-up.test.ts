import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { NodeSocketFactory } from '../../../../main/platform/node-sockets';
import { CryptoRandom } from '../../../../main/platform/random';
import type { DatagramSocket, SocketFactory } from '../../../../main/platform/sockets';
import {
  BUSY_RECHECK_MS,
  MediaWarmUp,
  runWarmUp,
  turnWhenIdle,
  type WarmUpOptions,
} from '../../../../main/media/session/warm-up';
import { workerPieces } from '../../../../main/media/session/worker-pieces';
import type { StreamPieces } from '../../../../main/media/session/stream-pieces';
import { ManualClock } from '../../../support/manual-clock';

/** Real UDP sockets on 127.0.0.1, counting what was bound and what was closed. */
class CountingSockets implements SocketFactory {
  readonly #inner = new NodeSocketFactory();
  bound = 0;
  closed = 0;
  failBinds = false;

  async bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    if (this.failBinds) throw new Error('no sockets here');
    const socket = await this.#inner.bindDatagram(address, port);
    this.bound++;
    let open = true;
    return {
      local: socket.local,
      send: (data, toPort, toAddress) => socket.send(data, toPort, toAddress),
      onMessage: (handler) => socket.onMessage(handler),
      onError: (handler) => socket.onError(handler),
      close: () => {
        if (open) this.closed++;
        open = false;
        socket.close();
      },
    };
  }

  listenStream: SocketFactory['listenStream'] = () => Promise.reject(new Error('not used'));
  connectStream: SocketFactory['connectStream'] = () => Promise.reject(new Error('not used'));
}

function warmUp(
  sockets: SocketFactory,
  options: Partial<Pick<WarmUpOptions, 'ticks' | 'codecs' | 'pieces'>> = {},
): MediaWarmUp {
  return new MediaWarmUp({
    pieces: workerPieces,
    random: new CryptoRandom(),
    sockets,
    bindAddress: '127.0.0.1',
    ...options,
  });
}

const nextTurn = async (): Promise<void> => {
  await nextLoopTurn();
};

describe('MediaWarmUp', () => {
  it('runs an Opus call between two streams over loopback UDP, and the far leg hears it', async () => {
    const sockets = new CountingSockets();
    // Opus's long round is a fifth of `ticks`: 60 ticks.
    const report = await runWarmUp(warmUp(sockets, { ticks: 300, codecs: ['opus'] }), nextTurn);
    expect(report.failure).toBeUndefined();
    expect(report.skipped).toEqual([]);
    expect(report.ticks).toBe(60);
    // Two legs: every tick after the jitter buffers' first wait plays sound on both.
    expect(report.framesHeard).toBeGreaterThan(60);
  });

  it('runs PCMU for the whole `ticks`, and the streams report what they received', async () => {
    const sockets = new CountingSockets();
    const report = await runWarmUp(warmUp(sockets, { ticks: 250, codecs: ['pcmu'] }), nextTurn);
    expect(report.ticks).toBe(250);
    expect(report.framesHeard).toBeGreaterThan(400);
    // Each leg reported quality at its 100th and 200th tick: about 200 packets each.
    expect(report.packetsReceived).toBeGreaterThan(300);
  });

  it('closes every socket it bound, priming and rounds alike', async () => {
    const sockets = new CountingSockets();
    await runWarmUp(warmUp(sockets, { ticks: 20 }), nextTurn);
    // Priming: two legs per codec, an RTP and an RTCP socket per leg; then two legs per codec again (binding an
    // even/odd pair may take a few tries, each closed).
    expect(sockets.bound).toBeGreaterThanOrEqual(16);
    expect(sockets.closed).toBe(sockets.bound);
  });

  it('stopped part-way, closes what is open and runs no more', async () => {
    const sockets = new CountingSockets();
    const warm = warmUp(sockets, { ticks: 1000, codecs: ['pcmu'] });
    for (let step = 0; step < 10; step++) {
      expect(await warm.step()).toBe(true);
      await nextTurn();
    }
    warm.stop();
    expect(warm.done).toBe(true);
    expect(await warm.step()).toBe(false);
    expect(sockets.closed).toBe(sockets.bound);
    expect(warm.report().ticks).toBe(9);
  });

  it('with 0 ticks binds nothing and is done at once', async () => {
    const sockets = new CountingSockets();
    const report = await runWarmUp(warmUp(sockets, { ticks: 0 }), nextTurn);
    expect(report).toEqual({ ticks: 0, packetsReceived: 0, framesHeard: 0, skipped: [] });
    expect(sockets.bound).toBe(0);
  });

  it('skips a codec that cannot be made and warms the others', async () => {
    const sockets = new CountingSockets();
    const pieces: StreamPieces = {
      ...workerPieces,
      createCodec: (codec) =>
        codec.name === 'opus' ? { ok: false, error: 'libopus is missing' } : workerPieces.createCodec(codec),
    };
    const report = await runWarmUp(warmUp(sockets, { ticks: 30, pieces }), nextTurn);
    expect(report.skipped).toEqual(['opus']);
    expect(report.ticks).toBe(30);
    expect(report.failure).toBeUndefined();
    expect(sockets.closed).toBe(sockets.bound);
  });

  it('ends its priming at once when a call comes, closing the priming legs', async () => {
    const sockets = new CountingSockets();
    // The priming waits PRIMING_MS on this clock, which never moves here: only yieldToCall can end it.
    const warm = new MediaWarmUp({
      pieces: workerPieces,
      random: new CryptoRandom(),
      sockets,
      bindAddress: '127.0.0.1',
      codecs: ['pcmu'],
      ticks: 10,
      clock: new ManualClock(),
    });
    // A call that came and went before the priming leaves it alone.
    warm.yieldToCall();
    let primed = false;
    const priming = warm.step().then((more) => (primed = more));
    for (let turn = 0; turn < 1000 && sockets.bound - sockets.closed < 4; turn++) await nextTurn();
    expect(sockets.bound - sockets.closed).toBe(4);
    await nextTurn();
    expect(primed).toBe(false);
    warm.yieldToCall();
    await priming;
    expect(primed).toBe(true);
    expect(sockets.closed).toBe(sockets.bound);
    // The long rounds follow as before.
    expect(await warm.step()).toBe(true);
    warm.stop();
    expect(sockets.closed).toBe(sockets.bound);
  });

  it('stops once its steps have taken the budget, with the reason in its report', async () => {
    const sockets = new CountingSockets();
    // Every reading of this clock is 100 ms after the last: each step seems to take 100 ms.
    let now = 0;
    const report = await runWarmUp(warmUp(sockets, { ticks: 1000, codecs: ['pcmu'] }), nextTurn, {
      clock: { now: () => (now += 100) },
      maxBusyMs: 250,
    });
    expect(report.failure).toBe('stopped after its budget of 250 ms');
    // The priming step and two ticks: 300 ms of the 250.
    expect(report.ticks).toBe(2);
    expect(sockets.closed).toBe(sockets.bound);
  });

  it('ends with a failure in its report, not an exception, when no socket can be bound', async () => {
    const sockets = new CountingSockets();
    sockets.failBinds = true;
    const report = await runWarmUp(warmUp(sockets), nextTurn);
    expect(report.failure).toContain('no sockets here');
    expect(report.ticks).toBe(0);
  });
});

describe('turnWhenIdle', () => {
  it('gives the next turn after a zero-delay timer while nothing else runs', async () => {
    const clock = new ManualClock();
    let turned = false;
    void turnWhenIdle(clock, () => false)().then(() => (turned = true));
    await Promise.resolve();
    expect(turned).toBe(false);
    clock.advance(0);
    await Promise.resolve();
    expect(turned).toBe(true);
  });

  it('waits `startAfterMs` before the first turn only', async () => {
    const clock = new ManualClock();
    const nextTurn = turnWhenIdle(clock, () => false, 2000);
    let turns = 0;
    void nextTurn().then(() => turns++);
    clock.advance(1999);
    await Promise.resolve();
    expect(turns).toBe(0);
    clock.advance(1);
    await Promise.resolve();
    expect(turns).toBe(1);
    void nextTurn().then(() => turns++);
    clock.advance(0);
    await Promise.resolve();
    expect(turns).toBe(2);
  });

  it('waits while calls are ticking, looking again every BUSY_RECHECK_MS', async () => {
    const clock = new ManualClock();
    let busy = true;
    let turned = false;
    void turnWhenIdle(clock, () => busy)().then(() => (turned = true));
    clock.advance(0);
    clock.advance(BUSY_RECHECK_MS * 3);
    await Promise.resolve();
    expect(turned).toBe(false);
    busy = false;
    clock.advance(BUSY_RECHECK_MS - 1);
    await Promise.resolve();
    expect(turned).toBe(false);
    clock.advance(1);
    await Promise.resolve();
    expect(turned).toBe(true);
  });
});
