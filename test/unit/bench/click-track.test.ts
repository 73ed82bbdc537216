import { describe, expect, it } from 'vitest';
import { clickOnsets, clickTrack, roundTrips } from '../../../bench/window/click-track';
import type { PcmAudio } from '../../support/audio/wav';

/** `audio` later by `delayS`, scaled by `gain`, with a low hum under it (what a codec and a line might add). */
function delayed(audio: PcmAudio, delayS: number, gain: number): PcmAudio {
  const shift = Math.round(delayS * audio.sampleRate);
  const samples = new Int16Array(audio.samples.length);
  for (let index = 0; index < samples.length; index++) {
    const source = index - shift >= 0 ? audio.samples[index - shift]! : 0;
    const hum = 100 * Math.sin((2 * Math.PI * 50 * index) / audio.sampleRate);
    samples[index] = Math.round(source * gain + hum);
  }
  return { ...audio, samples };
}

describe('the click track', () => {
  it('puts a burst at the start of every period and silence between', () => {
    const track = clickTrack({ durationS: 3, periodS: 1 });
    expect(track.samples.length).toBe(144_000);
    const onsets = clickOnsets(track);
    expect(onsets).toHaveLength(3);
    // Half the peak of a 10 ms Hann burst is reached a quarter of the way in: 2.5 ms.
    onsets.forEach((onset, index) => expect(onset).toBeCloseTo(index + 0.0025, 3));
    expect(track.samples.subarray(48_000 * 0.02, 48_000 * 0.99).every((sample) => sample === 0)).toBe(true);
  });

  it('reads the round trip of a delayed, quieter copy to a quarter of a millisecond', () => {
    const track = clickTrack({ durationS: 5 });
    const back = delayed(track, 0.1234, 0.3);
    const result = roundTrips(clickOnsets(track), clickOnsets(back));
    expect(result.unanswered).toBe(0);
    expect(result.delaysS).toHaveLength(5);
    for (const delay of result.delaysS) expect(Math.abs(delay - 0.1234)).toBeLessThanOrEqual(0.00025);
  });

  it('counts a click that never comes back, and ignores one that comes back too late', () => {
    expect(roundTrips([1, 2, 3], [1.1, 3.9])).toEqual({ delaysS: [expect.closeTo(0.1, 9)], unanswered: 2 });
  });

  it('hears nothing in silence or in a hum below the threshold', () => {
    const quiet = delayed({ sampleRate: 48_000, channels: 1, samples: new Int16Array(48_000) }, 0, 1);
    expect(clickOnsets(quiet)).toEqual([]);
    expect(() => clickOnsets({ sampleRate: 48_000, channels: 2, samples: new Int16Array(4) })).toThrow(
      'mono',
    );
  });
});
