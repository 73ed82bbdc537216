// The repeat-and-fade concealment at 8 kHz on its own, where a seam is visible sample by sample.
import { describe, expect, it } from 'vitest';
import { G711Concealment } from '../../../../main/media/codecs/g711-concealment';
import { sine, toneAmplitude } from './signal-analysis';

/** Largest step between neighbouring samples of the joined pieces. */
function largestStep(...pieces: Int16Array[]): number {
  const joined = pieces.flatMap((piece) => [...piece]);
  let largest = 0;
  for (let i = 1; i < joined.length; i++) largest = Math.max(largest, Math.abs(joined[i]! - joined[i - 1]!));
  return largest;
}

describe('G711Concealment', () => {
  it('repeats a 250 Hz voice at its own pitch (the period found is a whole number of its cycles)', () => {
    const concealment = new G711Concealment();
    const heard = sine(250, 8000, 320, 10_000);
    concealment.heardAudio(heard.slice());
    const concealed = concealment.conceal(80);
    // 10 ms of 250 Hz: 2.5 cycles at full level, continuing the phase of what was heard.
    expect(toneAmplitude(concealed, 8000, 250)).toBeGreaterThan(9000);
    expect(largestStep(heard, concealed)).toBeLessThan(largestStep(heard) * 1.05);
  });

  it('merges returning audio that is out of phase with the repetition without a jump', () => {
    const concealment = new G711Concealment();
    const heard = sine(250, 8000, 320, 10_000);
    concealment.heardAudio(heard.slice());
    const concealed = concealment.conceal(100);
    // The far end's audio comes back in opposite phase: played raw, the seam would jump by up to 2× the amplitude.
    const returning = sine(250, 8000, 160, -10_000, 420);
    const merged = returning.slice();
    concealment.heardAudio(merged);
    expect(largestStep(concealed, returning)).toBeGreaterThan(largestStep(heard) * 3);
    expect(largestStep(concealed, merged)).toBeLessThan(largestStep(heard) * 1.5);
    // The merge lasts 4 ms (32 samples); after it the audio is exactly what arrived.
    expect(merged.subarray(32)).toEqual(returning.subarray(32));
    expect(concealment.concealing).toBe(false);
  });
});
