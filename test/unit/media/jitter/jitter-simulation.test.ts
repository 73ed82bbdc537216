// Long deterministic simulations of the adaptive jitter buffer: random jitter, loss and bursts, duplication, and
// a sender whose clock runs 0.5 % fast or slow for ten minutes. The network is seeded, so every run is the same.
import { describe, expect, it } from 'vitest';
import { AdaptiveJitterBuffer, type JitterBufferReport } from '../../../../main/media/jitter/jitter-buffer';
import { SeededRandom } from '../../../support/seeded-random';
import { CONCEALED, FakeVoiceDecoder } from './fake-voice-decoder';
import { playOut, send, transmit, type NetworkOptions, type SenderOptions } from './stream-simulation';

/** Speech in spurts of 1.6 s with 0.6 s pauses in between (sent as quiet packets unless suppressed). */
const spurts = (index: number): boolean => index % 110 < 80;

/** The most consecutive frames filled with `value`. */
function longestRun(frames: readonly Int16Array[], value: number): number {
  let longest = 0;
  let run = 0;
  for (const frame of frames) {
    run = frame.every((sample) => sample === value) ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

function simulate(sender: SenderOptions, network: NetworkOptions, observeFromMs = 0, fec = false) {
  const decoder = new FakeVoiceDecoder({ fec, clockRate: sender.clockRate ?? 48_000 });
  const buffer = new AdaptiveJitterBuffer({ decoder });
  const arrivals = transmit(send(sender), network);
  let atObserveStart: JitterBufferReport | null = null;
  let minPlayoutDelayMs = Infinity;
  let maxPlayoutDelayMs = 0;
  let maxHeldMs = 0;
  const durationMs = (sender.count * (sender.ptimeMs ?? 20)) / (1 + (sender.drift ?? 0)) - 500;
  const frames = playOut(buffer, arrivals, durationMs, (nowMs) => {
    if (nowMs < observeFromMs) return;
    const stats = buffer.stats();
    atObserveStart ??= stats;
    minPlayoutDelayMs = Math.min(minPlayoutDelayMs, stats.playoutDelayMs);
    maxPlayoutDelayMs = Math.max(maxPlayoutDelayMs, stats.playoutDelayMs);
    maxHeldMs = Math.max(maxHeldMs, stats.delayMs);
  });
  const start = atObserveStart ?? buffer.stats();
  return {
    decoder,
    buffer,
    frames,
    final: buffer.stats(),
    start,
    minPlayoutDelayMs,
    maxPlayoutDelayMs,
    maxHeldMs,
  };
}

describe('AdaptiveJitterBuffer simulations', () => {
  it('drops no packet as late at 50 ms of random jitter once adapted, and keeps the delay near the jitter', () => {
    // 10 s of a calm network (the minimum delay), then 50 ms of jitter for 110 s.
    const network = { jitterMs: 50, jitterFromMs: 10_000, seed: 11 };
    const calm = simulate({ count: 500, speech: spurts }, network);
    expect(calm.final.targetDelayMs).toBe(20);
    // The first jittered packets teach it (some are late then); after 5 s, none is.
    const adapted = simulate({ count: 6_000, speech: spurts }, network, 15_000);
    expect(adapted.start.late).toBeGreaterThan(0);
    expect(adapted.final.late - adapted.start.late).toBe(0);
    expect(adapted.final.lost).toBe(adapted.final.late);
    expect(adapted.final.targetDelayMs).toBeGreaterThan(65);
    expect(adapted.final.targetDelayMs).toBeLessThanOrEqual(80);
    expect(adapted.maxPlayoutDelayMs).toBeLessThan(adapted.final.targetDelayMs + 25);
    // It grew at once when the jitter began (stretching a couple of speech frames), then in the pauses.
    expect(adapted.final.inserted).toBeGreaterThan(0);
    expect(adapted.final.stretched).toBeLessThanOrEqual(3);
    expect(adapted.final.cut).toBe(0);
  });

  it('also adapts with continuous speech, stretching speech while it learns', () => {
    const adapted = simulate({ count: 3_000 }, { jitterMs: 50, jitterFromMs: 10_000, seed: 5 }, 15_000);
    expect(adapted.start.late).toBeGreaterThan(0);
    expect(adapted.final.late - adapted.start.late).toBe(0);
    expect(adapted.final.stretched).toBeGreaterThan(0);
    expect(adapted.maxPlayoutDelayMs).toBeLessThan(adapted.final.targetDelayMs + 25);
  });

  it.each([100, 400])('recovers when the path suddenly gets %i ms longer', (extraMs) => {
    // Beyond the largest target (300 ms) as well: the baseline moves to the new path within two seconds, and the
    // buffer then grows to it by stretching.
    const network = { jitterMs: 10, delayStep: { atMs: 10_000, extraMs }, seed: 13 };
    const run = simulate({ count: 3_000, speech: spurts }, network, 14_000);
    expect(run.start.late).toBeGreaterThan(0);
    expect(run.final.late).toBe(run.start.late);
    // Once the peak has left its window, the extra delay it left behind is shed in the pauses, not in speech.
    expect(run.final.targetDelayMs).toBeLessThan(50);
    expect(run.final.cut).toBeLessThanOrEqual(1);
    expect(run.final.playoutDelayMs).toBeLessThanOrEqual(run.final.targetDelayMs + 25);
  });

  it("does not see-saw when the playout clock's pulls come up to 4 ms late", () => {
    const buffer = new AdaptiveJitterBuffer({ decoder: new FakeVoiceDecoder() });
    const arrivals = transmit(send({ count: 15_000, speech: spurts }), { jitterMs: 10, seed: 3 });
    const random = new SeededRandom(5);
    let next = 0;
    for (let tick = 0; tick < 14_900; tick++) {
      const nowMs = tick * 20 + random.fraction() * 4;
      for (; next < arrivals.length && (arrivals[next]?.arrivalMs ?? Infinity) <= nowMs; next++) {
        const arrival = arrivals[next];
        if (arrival !== undefined) buffer.push(arrival);
      }
      buffer.pull(nowMs);
    }
    const stats = buffer.stats();
    expect(stats).toMatchObject({ late: 0, lost: 0, concealed: 0 });
    expect(stats.inserted + stats.dropped).toBeLessThanOrEqual(3);
  });

  it('conceals every loss at 5 % random loss, and counts them', () => {
    const { final, decoder } = simulate(
      { count: 3_000, speech: spurts },
      { jitterMs: 20, lossRate: 0.05, seed: 3 },
    );
    expect(final.lost).toBeGreaterThan(100);
    expect(final.lost).toBeLessThan(200);
    // Every lost packet is one concealed frame; late ones (while adapting) are lost too.
    expect(final.concealed).toBe(final.lost);
    // The rest: packets still in flight when the run ends, and quiet packets lost just before a talk spurt, which
    // belong to the pause and are not counted.
    expect(decoder.decoded.length + final.lost).toBeGreaterThanOrEqual(3_000 - 40);
  });

  it("rebuilds single losses from the next packet's FEC and conceals only within bursts", () => {
    const { final, decoder } = simulate(
      { count: 3_000 },
      { jitterMs: 20, lossRate: 0.05, burstContinueRate: 0.2, seed: 4 },
      0,
      true,
    );
    expect(final.lost).toBeGreaterThan(100);
    expect(final.recovered).toBeGreaterThan(100);
    // Each loss run has its last packet rebuilt (FEC rides in the packet after it); the rest are concealed.
    expect(final.recovered + final.concealed).toBe(final.lost);
    expect(final.concealed).toBeLessThan(final.lost / 4);
    expect(decoder.recoveredFrom).toHaveLength(final.recovered);
  });

  it('conceals bursts of loss with fading concealment and counts each packet', () => {
    const { final, decoder, frames } = simulate(
      { count: 3_000 },
      { lossRate: 0.02, burstContinueRate: 0.6, duplicateRate: 0.05, seed: 9 },
    );
    expect(final.lost).toBeGreaterThan(80);
    expect(final.concealed).toBe(final.lost);
    expect(final.duplicates).toBeGreaterThan(100);
    expect(final.late).toBe(0);
    // Consecutive concealment calls (a burst) are what make the decoder fade; past 200 ms it is silence instead.
    expect(longestRun(decoder.concealCalls.length > 0 ? frames : [], CONCEALED)).toBeGreaterThanOrEqual(4);
    expect(decoder.concealCalls.length).toBeGreaterThan(final.lost - 10);
  });

  it.each([
    ['fast', 0.005],
    ['slow', -0.005],
  ])('neither grows nor starves over 10 minutes when the sender clock runs 0.5 %% %s', (_name, drift) => {
    const count = 30_000;
    const run = simulate({ count, speech: spurts, drift }, { jitterMs: 10, seed: 21 }, 5_000);
    expect(run.final.late).toBe(0);
    expect(run.final.lost).toBe(0);
    expect(run.final.concealed).toBe(0);
    // 0.5 % of 10 minutes is 3 s of audio the buffer had to drop or add, 20 ms at a time.
    const scaled = drift > 0 ? run.final.dropped : run.final.inserted;
    expect(scaled).toBeGreaterThan(120);
    expect(run.maxPlayoutDelayMs).toBeLessThanOrEqual(run.final.targetDelayMs + 45);
    expect(run.minPlayoutDelayMs).toBeGreaterThanOrEqual(run.final.targetDelayMs - 25);
    expect(run.maxHeldMs).toBeLessThanOrEqual(120);
    // Time-scaling stayed in the pauses.
    expect(run.final).toMatchObject({ stretched: 0, cut: 0 });
  });

  it('handles 30 ms G.711 packets on an 8 kHz clock from a sender 0.5 % fast for 10 minutes', () => {
    const count = 20_000;
    const run = simulate(
      { count, ptimeMs: 30, clockRate: 8_000, speech: (i) => i % 70 < 50, drift: 0.005 },
      {
        jitterMs: 15,
        seed: 23,
      },
      5_000,
    );
    expect(run.final).toMatchObject({ late: 0, lost: 0, concealed: 0, stretched: 0, cut: 0 });
    expect(run.final.dropped).toBeGreaterThan(120);
    expect(run.maxPlayoutDelayMs).toBeLessThanOrEqual(run.final.targetDelayMs + 45);
    expect(run.minPlayoutDelayMs).toBeGreaterThanOrEqual(run.final.targetDelayMs - 25);
  });

  it('bounds the delay with continuous speech too, cutting speech only when it must', () => {
    const run = simulate({ count: 30_000, drift: 0.005 }, { jitterMs: 10, seed: 22 }, 5_000);
    expect(run.final).toMatchObject({ late: 0, lost: 0, concealed: 0 });
    expect(run.maxPlayoutDelayMs).toBeLessThanOrEqual(run.final.targetDelayMs + 85);
    // Every drop was a cut (there are no pauses); about one per 4 s, as the drift requires.
    expect(run.final.cut).toBe(run.final.dropped);
    expect(run.final.cut).toBeGreaterThan(120);
    expect(run.final.cut).toBeLessThan(170);
  });
});
