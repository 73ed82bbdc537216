// Synthetic test signals: tones, silence and noise as 16-bit PCM, so audio fixtures are made at test time
// (nothing binary is checked in) and the judge is tested on signals whose answer is known.
import type { PcmAudio } from './wav';

export interface ToneOptions {
  readonly frequencyHz: number;
  readonly durationS: number;
  readonly sampleRate: number;
  /** Every channel carries the same tone. Default 1. */
  readonly channels?: number;
  /** Peak amplitude as a fraction of full scale. Default 0.5 (−6 dBFS peak, far from clipping after codecs). */
  readonly amplitude?: number;
  /** Silence before the tone starts, seconds. Default 0. */
  readonly leadingSilenceS?: number;
}

export function tone(options: ToneOptions): PcmAudio {
  const channels = options.channels ?? 1;
  const amplitude = (options.amplitude ?? 0.5) * 32767;
  const lead = Math.round((options.leadingSilenceS ?? 0) * options.sampleRate);
  const frames = lead + Math.round(options.durationS * options.sampleRate);
  const samples = new Int16Array(frames * channels);
  const step = (2 * Math.PI * options.frequencyHz) / options.sampleRate;
  for (let frame = lead; frame < frames; frame++) {
    const value = Math.round(amplitude * Math.sin(step * (frame - lead)));
    for (let channel = 0; channel < channels; channel++) samples[frame * channels + channel] = value;
  }
  return { sampleRate: options.sampleRate, channels, samples };
}

export function silence(durationS: number, sampleRate: number, channels = 1): PcmAudio {
  return { sampleRate, channels, samples: new Int16Array(Math.round(durationS * sampleRate) * channels) };
}

/**
 * Adds white noise of peak `amplitude` (fraction of full scale) to `audio`, drawn from `nextFraction` (a seeded
 * generator's `fraction`, in [0, 1)), clipping at full scale.
 */
export function withNoise(audio: PcmAudio, amplitude: number, nextFraction: () => number): PcmAudio {
  const samples = new Int16Array(audio.samples.length);
  for (let index = 0; index < samples.length; index++) {
    const noise = (nextFraction() * 2 - 1) * amplitude * 32767;
    samples[index] = Math.max(-32768, Math.min(32767, Math.round(audio.samples[index]! + noise)));
  }
  return { ...audio, samples };
}

/** `first` then `second` (same rate and channels). */
export function concat(first: PcmAudio, second: PcmAudio): PcmAudio {
  if (first.sampleRate !== second.sampleRate || first.channels !== second.channels) {
    throw new Error('concat: rates or channel counts differ');
  }
  const samples = new Int16Array(first.samples.length + second.samples.length);
  samples.set(first.samples);
  samples.set(second.samples, first.samples.length);
  return { ...first, samples };
}
