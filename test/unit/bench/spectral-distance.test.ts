import { describe, expect, it } from 'vitest';
import { bandLevelDistance } from '../../../bench/calls/spectral-distance';
import { speechSignal } from '../../../bench/calls/speech-signal';
import { voiceWithFricatives } from '../../../bench/calls/voice-with-fricatives';

describe('bandLevelDistance', () => {
  const input = voiceWithFricatives(3);

  it('is zero for the input itself, and for the input delayed as a codec delays it', () => {
    expect(bandLevelDistance(input, input)).toBe(0);
    const delayed = new Int16Array(input.length);
    delayed.set(input.subarray(0, input.length - 312), 312);
    expect(bandLevelDistance(input, delayed)).toBeLessThan(0.05);
  });

  it('reads a level change as that many dB in every band', () => {
    const quieter = input.map((sample) => Math.round(sample / 2));
    // Half the amplitude is 6.02 dB down in every band.
    expect(bandLevelDistance(input, quieter)).toBeCloseTo(6.02, 1);
  });

  it('grows as the output loses the upper bands', () => {
    // A running mean over 8 samples: a low-pass whose loss grows above about 3 kHz.
    const dull = new Int16Array(input.length);
    let sum = 0;
    for (let i = 0; i < input.length; i++) {
      sum += input[i]! - (i >= 8 ? input[i - 8]! : 0);
      dull[i] = Math.round(sum / 8);
    }
    const distance = bandLevelDistance(input, dull);
    expect(distance).toBeGreaterThan(1);
    expect(bandLevelDistance(speechSignal(3), speechSignal(3))).toBe(0);
  });
});
