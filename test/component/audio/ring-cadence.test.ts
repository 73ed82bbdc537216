// The ring cadences as data: which tones fall in a scheduling window, with no repeat or gap between windows, and
// click-free envelopes that never clip.
import { describe, expect, it } from 'vitest';
import {
  type RingPattern,
  RAMP_SECONDS,
  cadences,
  envelope,
  tonesBetween,
} from '../../../renderer/src/lib/audio/ring-cadence';

describe('tonesBetween', () => {
  it('plays the ring as two bursts of two notes every 3 s', () => {
    const tones = tonesBetween('ring', 10, 10, 16);
    expect(tones.map((tone) => [tone.start, tone.stop])).toEqual([
      [10, 10.4],
      [10.6, 11],
      [13, 13.4],
      [13.6, 14],
    ]);
    expect(tones.every((tone) => tone.frequencies.length === 2)).toBe(true);
  });

  it('gives the ring-back one 425 Hz second in every five', () => {
    expect(tonesBetween('ringback', 0, 0, 11)).toEqual([
      { start: 0, stop: 1, frequencies: [425], level: 0.25 },
      { start: 5, stop: 6, frequencies: [425], level: 0.25 },
      { start: 10, stop: 11, frequencies: [425], level: 0.25 },
    ]);
  });

  it('beeps twice for call waiting, quieter than the ring', () => {
    const tones = tonesBetween('call-waiting', 0, 0, 8);
    expect(tones.map((tone) => tone.start)).toEqual([0, 0.4]);
    expect(cadences['call-waiting'].level).toBeLessThan(cadences.ring.level);
  });

  it.each<RingPattern>(['ring', 'ringback', 'call-waiting'])(
    'schedules every %s tone exactly once across consecutive windows',
    (pattern) => {
      const origin = 2.37;
      const whole = tonesBetween(pattern, origin, origin, origin + 60);
      const pieces = [];
      for (let from = origin; from < origin + 60; from += 0.25)
        pieces.push(...tonesBetween(pattern, origin, from, Math.min(from + 0.25, origin + 60)));
      expect(pieces.map((tone) => tone.start)).toEqual(whole.map((tone) => tone.start));
    },
  );

  it('gives nothing before the origin, for an empty window, or for a window inside a pause', () => {
    expect(tonesBetween('ring', 5, 0, 5)).toEqual([]);
    expect(tonesBetween('ring', 0, 4, 4)).toEqual([]);
    expect(tonesBetween('ring', 0, 7, 3)).toEqual([]);
    expect(tonesBetween('ring', 0, 1.1, 2.9)).toEqual([]);
  });

  it('starts late windows in the right period', () => {
    expect(tonesBetween('ringback', 0, 1000, 1006).map((tone) => tone.start)).toEqual([1000, 1005]);
  });
});

describe('envelope', () => {
  it('ramps up and down so no tone starts or ends with a click', () => {
    const [tone] = tonesBetween('ring', 0, 0, 1);
    const points = envelope(tone!);
    expect(points[0]).toEqual({ time: 0, gain: 0 });
    expect(points[1]!.time).toBeCloseTo(RAMP_SECONDS);
    expect(points[3]).toEqual({ time: 0.4, gain: 0 });
  });

  it('keeps the mix of all notes at or under the cadence level, so it never clips', () => {
    for (const pattern of ['ring', 'ringback', 'call-waiting'] as const) {
      const [tone] = tonesBetween(pattern, 0, 0, 1);
      const peak = Math.max(...envelope(tone!).map((point) => point.gain));
      expect(peak * tone!.frequencies.length).toBeCloseTo(cadences[pattern].level);
      expect(cadences[pattern].level).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the ramps inside a very short tone', () => {
    const points = envelope({ start: 1, stop: 1.01, frequencies: [440], level: 0.5 });
    expect(points.map((point) => point.time)).toEqual([1, 1.005, 1.005, 1.01]);
  });
});
