// A WAV file at any rate to the engine's 48 kHz, through the codecs' general-ratio resampler (a windowed low-pass,
// so a 96 kHz file's content above 24 kHz does not fold back into the audible band). The one function the WAV
// player's loader calls.
import { resampleAll } from '../codecs/resampler';
import { ENGINE_SAMPLE_RATE } from '../media-seams';

export function resampleTo48k(samples: Int16Array, rate: number): Int16Array {
  if (rate === ENGINE_SAMPLE_RATE) return samples;
  return resampleAll(samples, rate, ENGINE_SAMPLE_RATE);
}
