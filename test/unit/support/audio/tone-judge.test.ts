import { describe, expect, it } from 'vitest';
import { analyzeTone, decibels } from '../../../support/audio/tone-judge';
import { concat, silence, tone, withNoise } from '../../../support/audio/signals';
import { SeededRandom } from '../../../support/seeded-random';

describe('tone judge', () => {
  it('finds a pure tone in every window, at its level', () => {
    const report = analyzeTone(tone({ frequencyHz: 1000, durationS: 3, sampleRate: 48000 }), {
      toneHz: 1000,
    });
    expect(report.windows).toHaveLength(6);
    expect(report.activeWindows).toBe(6);
    expect(report.toneWindows).toBe(6);
    expect(report.minActiveShare).toBeGreaterThan(0.99);
    // A sine of peak 0.5 has RMS 0.5/√2.
    expect(report.rms).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(decibels(report.toneRms)).toBeCloseTo(decibels(0.5 / Math.SQRT2), 1);
    expect(report.toneStartS).toBe(0);
  });

  it('works at 8 kHz and on stereo recordings, and for tones off the DFT bins', () => {
    const narrow = analyzeTone(tone({ frequencyHz: 440, durationS: 2, sampleRate: 8000 }), { toneHz: 440 });
    expect(narrow.toneWindows).toBe(4);
    const stereo = analyzeTone(tone({ frequencyHz: 1013, durationS: 2, sampleRate: 48000, channels: 2 }), {
      toneHz: 1013,
    });
    expect(stereo.minActiveShare).toBeGreaterThan(0.99);
    expect(stereo.rms).toBeCloseTo(0.5 / Math.SQRT2, 3);
  });

  it('still passes a tone under moderate noise, and fails it under heavy noise', () => {
    const random = new SeededRandom(11);
    const clean = tone({ frequencyHz: 1000, durationS: 2, sampleRate: 48000, amplitude: 0.4 });
    // Uniform noise of peak 0.1 has RMS 0.058: the tone (RMS 0.28) holds ~96 % of the energy.
    const light = analyzeTone(
      withNoise(clean, 0.1, () => random.fraction()),
      { toneHz: 1000 },
    );
    expect(light.toneWindows).toBe(light.activeWindows);
    expect(light.minActiveShare).toBeGreaterThan(0.9);
    const heavy = analyzeTone(
      withNoise(clean, 0.8, () => random.fraction()),
      { toneHz: 1000 },
    );
    expect(heavy.toneWindows).toBe(0);
    expect(heavy.minActiveShare).toBeLessThan(0.5);
  });

  it('calls silence silent: no active window, no share, no onset', () => {
    const report = analyzeTone(silence(2, 48000), { toneHz: 1000 });
    expect(report.rms).toBe(0);
    expect(report.activeWindows).toBe(0);
    expect(report.toneWindows).toBe(0);
    expect(report.windows.every((window) => window.toneShare === 0)).toBe(true);
    expect(report.minActiveShare).toBeNaN();
    expect(report.toneRms).toBeNaN();
    expect(report.toneStartS).toBeNull();
  });

  it('gives a different tone no share, even a near one outside the ±10 % band', () => {
    const far = analyzeTone(tone({ frequencyHz: 400, durationS: 2, sampleRate: 48000 }), { toneHz: 1000 });
    expect(far.activeWindows).toBe(4);
    expect(far.toneWindows).toBe(0);
    expect(Math.max(...far.windows.map((window) => window.toneShare))).toBeLessThan(0.01);
    expect(far.toneStartS).toBeNull();
    const near = analyzeTone(tone({ frequencyHz: 1150, durationS: 2, sampleRate: 48000 }), { toneHz: 1000 });
    expect(near.toneWindows).toBe(0);
    const inside = analyzeTone(tone({ frequencyHz: 1080, durationS: 2, sampleRate: 48000 }), {
      toneHz: 1000,
    });
    expect(inside.toneWindows).toBe(4);
  });

  it('places the onset of a delayed tone to within a millisecond', () => {
    for (const leadS of [0.137, 0.5, 1.2345]) {
      const audio = tone({ frequencyHz: 1000, durationS: 1, sampleRate: 48000, leadingSilenceS: leadS });
      expect(Math.abs(analyzeTone(audio, { toneHz: 1000 }).toneStartS! - leadS)).toBeLessThan(0.001);
    }
    const narrow = tone({ frequencyHz: 1000, durationS: 1, sampleRate: 8000, leadingSilenceS: 0.25 });
    expect(Math.abs(analyzeTone(narrow, { toneHz: 1000 }).toneStartS! - 0.25)).toBeLessThan(0.001);
  });

  it('reports the tone and the gap when the tone stops (hold) and returns', () => {
    const on = tone({ frequencyHz: 1000, durationS: 1, sampleRate: 8000 });
    const audio = concat(concat(on, silence(1, 8000)), on);
    const report = analyzeTone(audio, { toneHz: 1000 });
    expect(report.windows.map((window) => window.toneShare > 0.8)).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
    expect(report.activeWindows).toBe(4);
  });
});
