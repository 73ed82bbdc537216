// The tones the app rings with, as data: which frequencies sound when within one repeating period. Pure, so the
// timing is tested without an AudioContext; ringtone.ts turns the notes into oscillators on the context's clock.
//
//   ring          two notes a major third apart (E5 + G#5), "ring-ring": 0.4 s on, 0.2 s off, 0.4 s on, 2 s off
//   ringback      what a caller hears while the far end rings (ETSI ES 201 970: 425 Hz, 1 s on, 4 s off)
//   call-waiting  two short 440 Hz beeps every 8 s, quiet enough to talk over (ITU-T E.180 call waiting tone)

export type RingPattern = 'ring' | 'ringback' | 'call-waiting';

/** One tone within a period: seconds from the period's start, how long, and the sine frequencies mixed in it. */
export interface ToneSegment {
  readonly at: number;
  readonly duration: number;
  readonly frequencies: readonly number[];
}

export interface Cadence {
  /** Seconds after which the pattern starts again. */
  readonly period: number;
  readonly segments: readonly ToneSegment[];
  /** Peak gain of the mix (0–1): the ring is loud enough to be heard across a room, the beep is discreet. */
  readonly level: number;
}

const E5 = 659.25;
const G_SHARP_5 = 830.61;

export const cadences: Readonly<Record<RingPattern, Cadence>> = {
  ring: {
    period: 3,
    level: 0.5,
    segments: [
      { at: 0, duration: 0.4, frequencies: [E5, G_SHARP_5] },
      { at: 0.6, duration: 0.4, frequencies: [E5, G_SHARP_5] },
    ],
  },
  ringback: {
    period: 5,
    level: 0.25,
    segments: [{ at: 0, duration: 1, frequencies: [425] }],
  },
  'call-waiting': {
    period: 8,
    level: 0.2,
    segments: [
      { at: 0, duration: 0.2, frequencies: [440] },
      { at: 0.4, duration: 0.2, frequencies: [440] },
    ],
  },
};

/** A tone to play at an absolute time on the player's clock (seconds). */
export interface ScheduledTone {
  readonly start: number;
  readonly stop: number;
  readonly frequencies: readonly number[];
  readonly level: number;
}

/**
 * The tones of `pattern`, started at `origin`, that begin in [from, to): what a lookahead scheduler adds each time
 * it wakes up. Consecutive windows that share their bounds never repeat or skip a tone.
 */
export function tonesBetween(
  pattern: RingPattern,
  origin: number,
  from: number,
  to: number,
): ScheduledTone[] {
  const cadence = cadences[pattern];
  const tones: ScheduledTone[] = [];
  if (!(to > from)) return tones;
  const firstPeriod = Math.max(0, Math.floor((from - origin) / cadence.period));
  for (let period = firstPeriod; origin + period * cadence.period < to; period += 1) {
    const base = origin + period * cadence.period;
    for (const segment of cadence.segments) {
      const start = base + segment.at;
      if (start < from || start >= to) continue;
      tones.push({
        start,
        stop: start + segment.duration,
        frequencies: segment.frequencies,
        level: cadence.level,
      });
    }
  }
  return tones;
}

/** Fade in and out over this long, so a tone starts and ends without a click. */
export const RAMP_SECONDS = 0.015;

/** The gain envelope of one tone: points to ramp linearly between, on the same clock as the tone. */
export function envelope(tone: ScheduledTone): readonly { readonly time: number; readonly gain: number }[] {
  const ramp = Math.min(RAMP_SECONDS, (tone.stop - tone.start) / 2);
  // Each sine is scaled so the mix of several never clips.
  const peak = tone.level / tone.frequencies.length;
  return [
    { time: tone.start, gain: 0 },
    { time: tone.start + ramp, gain: peak },
    { time: tone.stop - ramp, gain: peak },
    { time: tone.stop, gain: 0 },
  ];
}
