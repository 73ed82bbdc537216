// Tone WAV files written at test time (nothing binary is checked in): what a far-end phone plays as its
// microphone, with the level a received copy is compared against.
import { join } from 'node:path';
import { tone } from './signals';
import { writeWavFile } from './wav-files';

export interface ToneFixture {
  readonly path: string;
  readonly frequencyHz: number;
  /** RMS of the tone (full scale = 1): a sine of peak `amplitude` has amplitude/√2. */
  readonly rms: number;
}

export interface ToneFixtureOptions {
  readonly frequencyHz: number;
  /** Default 30 s: longer than any call it plays into (baresip's aufile stops at the end of its file). */
  readonly durationS?: number;
  /** Default 48000. */
  readonly sampleRate?: number;
  /** Default 1. */
  readonly channels?: number;
  /** Peak, fraction of full scale. Default 0.5. */
  readonly amplitude?: number;
}

export async function writeToneFixture(dir: string, options: ToneFixtureOptions): Promise<ToneFixture> {
  const sampleRate = options.sampleRate ?? 48_000;
  const channels = options.channels ?? 1;
  const amplitude = options.amplitude ?? 0.5;
  const path = join(dir, `tone-${options.frequencyHz}hz-${sampleRate}-${channels}ch.wav`);
  await writeWavFile(
    path,
    tone({
      frequencyHz: options.frequencyHz,
      durationS: options.durationS ?? 30,
      sampleRate,
      channels,
      amplitude,
    }),
  );
  return { path, frequencyHz: options.frequencyHz, rms: amplitude / Math.SQRT2 };
}
