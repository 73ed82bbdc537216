// The jitter buffer with the real G.711 μ-law codec: a 440 Hz tone sent as 8 kHz PCMU through a jittery, lossy
// network comes out as the same decoded audio, in order, with the losses concealed by a repeat that fades. The
// 8 kHz → 48 kHz step is plain sample repetition here (the engine's resampler is tested on its own).
import { describe, expect, it } from 'vitest';
import { decodeMuLaw, encodeMuLaw } from '../../../../main/media/codecs/g711';
import { AdaptiveJitterBuffer } from '../../../../main/media/jitter/jitter-buffer';
import type { ReceivedAudioPacket, VoiceDecoder } from '../../../../main/media/media-seams';
import { SeededRandom } from '../../../support/seeded-random';
import { playOut } from './stream-simulation';

const UPSAMPLE = 6;
const PACKET_SAMPLES_8K = 160;

function upsample(narrow: Int16Array): Int16Array {
  const wide = new Int16Array(narrow.length * UPSAMPLE);
  for (let index = 0; index < wide.length; index++) wide[index] = narrow[Math.floor(index / UPSAMPLE)] ?? 0;
  return wide;
}

/** PCMU with the repeat-and-fade concealment of G.711 Appendix I in its simplest form: halve per lost packet. */
class MuLawTestDecoder implements VoiceDecoder {
  readonly codec = 'pcmu' as const;
  readonly clockRate = 8_000;
  #last: Int16Array = new Int16Array(0);
  #gain = 1;

  decode(payload: Uint8Array): Int16Array {
    this.#gain = 1;
    this.#last = upsample(decodeMuLaw(payload));
    return this.#last;
  }

  conceal(samples: number): Int16Array {
    this.#gain /= 2;
    const out = new Int16Array(samples);
    for (let index = 0; index < samples; index++) {
      out[index] = Math.round((this.#last[index % Math.max(1, this.#last.length)] ?? 0) * this.#gain);
    }
    return out;
  }

  dispose(): void {}
}

function rms(frame: Int16Array): number {
  let energy = 0;
  for (const sample of frame) energy += sample * sample;
  return Math.sqrt(energy / frame.length);
}

function sameSamples(a: Int16Array, b: Int16Array): boolean {
  return a.length === b.length && a.every((sample, index) => sample === b[index]);
}

describe('AdaptiveJitterBuffer with G.711 μ-law', () => {
  it('plays the decoded tone in order and conceals losses with a fading repeat', () => {
    const random = new SeededRandom(17);
    const count = 500;
    const packets: Uint8Array[] = [];
    const arrivals: ReceivedAudioPacket[] = [];
    for (let index = 0; index < count; index++) {
      const tone = new Int16Array(PACKET_SAMPLES_8K);
      for (let n = 0; n < tone.length; n++) {
        tone[n] = Math.round(8_000 * Math.sin((2 * Math.PI * 440 * (index * PACKET_SAMPLES_8K + n)) / 8_000));
      }
      const payload = encodeMuLaw(tone);
      packets.push(payload);
      // 3 % random loss, and a burst of three to show the fade.
      if (random.fraction() < 0.03 || (index >= 200 && index <= 202)) continue;
      arrivals.push({
        sequence: (60_000 + index) & 0xffff,
        timestamp: (2 ** 32 - 8_000 + index * PACKET_SAMPLES_8K) % 2 ** 32,
        marker: index === 0,
        payload,
        arrivalMs: 40 + index * 20 + random.fraction() * 30,
      });
    }
    const buffer = new AdaptiveJitterBuffer({ decoder: new MuLawTestDecoder() });
    const frames = playOut(buffer, arrivals, count * 20 + 100);

    const expected = packets.map((payload) => upsample(decodeMuLaw(payload)));
    let nextIndex = 0;
    let played = 0;
    let concealedRun: number[] = [];
    let fadedRuns = 0;
    for (const frame of frames.filter((candidate) => rms(candidate) > 0)) {
      const match = expected.findIndex((packet, index) => index >= nextIndex && sameSamples(packet, frame));
      if (match >= 0) {
        nextIndex = match + 1;
        played++;
        if (concealedRun.length >= 2) fadedRuns++;
        concealedRun = [];
        continue;
      }
      // Not a decoded packet: concealment (or a repeated frame), never louder than the tone, fading as it goes.
      expect(rms(frame)).toBeLessThanOrEqual(8_000 / Math.SQRT2 + 100);
      const previous = concealedRun.at(-1);
      if (previous !== undefined) expect(rms(frame)).toBeLessThan(previous);
      concealedRun.push(rms(frame));
    }
    const stats = buffer.stats();
    expect(played).toBe(arrivals.length - stats.late);
    expect(stats.lost).toBe(count - arrivals.length + stats.late);
    expect(stats.lost).toBeGreaterThan(5);
    expect(stats.concealed).toBe(stats.lost);
    expect(fadedRuns).toBeGreaterThanOrEqual(1);
  });
});
