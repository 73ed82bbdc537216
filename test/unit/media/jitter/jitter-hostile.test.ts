// A stream built to hurt the jitter buffer: random sequence numbers, timestamps, markers and payloads, packets
// flooded without pulls, junk among a real stream. Nothing may throw, every pull gives one frame, and what the
// buffer holds stays bounded, with every packet it did not play accounted for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveJitterBuffer, CAPACITY_MS, MAX_PACKETS } from '../../../../main/media/jitter/jitter-buffer';
import { FRAME_SAMPLES, type ReceivedAudioPacket } from '../../../../main/media/media-seams';
import { SeededRandom } from '../../../support/seeded-random';
import { FakeVoiceDecoder, MAX_PACKET_SAMPLES, SPEECH, fakePayload } from './fake-voice-decoder';
import { playOut, send, transmit } from './stream-simulation';

const SEED = 20_251_205;

type Step =
  | { kind: 'push'; sequence: number; timestamp: number; marker: boolean; payload: Uint8Array }
  | { kind: 'pull' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('push' as const),
    sequence: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 2 ** 31 })),
    timestamp: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 100_000 })),
    marker: fc.boolean(),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .tuple(fc.nat(1_000), fc.boolean(), fc.integer({ min: 0, max: 2_880 }))
        .map(([index, speech, samples]) => fakePayload(index, speech, samples)),
    ),
  }),
  fc.constant({ kind: 'pull' as const }),
);

/** Every packet pushed was played, dropped as a duplicate or late, thrown away, or is still held. */
function accountedFor(buffer: AdaptiveJitterBuffer, decoder: FakeVoiceDecoder): boolean {
  const stats = buffer.stats();
  return (
    stats.received ===
    decoder.decoded.length + stats.duplicates + stats.late + stats.discarded + stats.bufferedPackets
  );
}

describe('AdaptiveJitterBuffer under hostile input', () => {
  it('never throws, always hands out one frame, holds at most its bounds and accounts for every packet', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const decoder = new FakeVoiceDecoder({ fec: true });
        const buffer = new AdaptiveJitterBuffer({ decoder });
        let nowMs = 0;
        for (const next of steps) {
          nowMs += 10;
          if (next.kind === 'pull') {
            expect(buffer.pull(nowMs)).toHaveLength(FRAME_SAMPLES);
          } else {
            buffer.push({ ...next, arrivalMs: nowMs });
          }
          const stats = buffer.stats();
          expect(stats.bufferedPackets).toBeLessThanOrEqual(MAX_PACKETS);
          expect(Number.isFinite(stats.playoutDelayMs)).toBe(true);
          expect(stats.targetDelayMs).toBeGreaterThanOrEqual(20);
          expect(stats.targetDelayMs).toBeLessThanOrEqual(300);
          // A second ahead, plus the longest packet a decoder can make.
          expect(stats.delayMs).toBeLessThanOrEqual(CAPACITY_MS + MAX_PACKET_SAMPLES / 48);
        }
        expect(accountedFor(buffer, decoder)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('holds at most MAX_PACKETS when flooded inside its window without a pull, and counts the rest', () => {
    const decoder = new FakeVoiceDecoder();
    const buffer = new AdaptiveJitterBuffer({ decoder });
    const random = new SeededRandom(4);
    for (let index = 0; index < 10_000; index++) {
      // 10 ms packets, all within the first second, every sequence number different.
      buffer.push({
        sequence: index % 2_000,
        timestamp: random.integer(0, 47_999),
        marker: false,
        payload: fakePayload(index, true, 480),
        arrivalMs: index / 100,
      });
    }
    const stats = buffer.stats();
    expect(stats.bufferedPackets).toBe(MAX_PACKETS);
    expect(stats.received).toBe(10_000);
    expect(stats.discarded + stats.duplicates + stats.bufferedPackets).toBe(10_000);
    expect(accountedFor(buffer, decoder)).toBe(true);
  });

  it('keeps playing a real stream with random junk mixed in', () => {
    const decoder = new FakeVoiceDecoder();
    const buffer = new AdaptiveJitterBuffer({ decoder });
    const random = new SeededRandom(8);
    const real = transmit(send({ count: 500, firstSequence: 100, firstTimestamp: 1_000 }));
    const junk: ReceivedAudioPacket[] = Array.from({ length: 500 }, (_, index) => ({
      sequence: random.integer(0, 0xffff),
      timestamp: random.uint32(),
      marker: random.fraction() < 0.5,
      payload: random.bytes(random.integer(0, 200)),
      // From just after the real stream's first packet: a junk packet first would be taken as the stream, and
      // the real one would then restart it (see the restart test).
      arrivalMs: 31 + index * 20 + random.integer(0, 19),
    }));
    const frames = playOut(buffer, [...real, ...junk], 10_000);
    const speech = frames.filter((frame) => frame.every((sample) => sample === SPEECH));
    expect(speech.length).toBeGreaterThanOrEqual(495);
    expect(buffer.stats()).toMatchObject({ restarts: 0, lost: 0 });
    expect(buffer.stats().discarded).toBeGreaterThanOrEqual(495);
    expect(accountedFor(buffer, decoder)).toBe(true);
  });
});
