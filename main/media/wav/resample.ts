// STAND-IN until the resampler of main/media/codecs/ is merged: linear interpolation to the engine's 48 kHz. It has
// no anti-aliasing filter, so a file above 48 kHz with content above 24 kHz folds it back into the audible band;
// speech and test tones below the Nyquist limit come through fine. The one function the WAV player calls.
import { ENGINE_SAMPLE_RATE } from '../media-seams';

export function resampleTo48k(samples: Int16Array, rate: number): Int16Array {
  if (rate === ENGINE_SAMPLE_RATE || samples.length === 0) return samples;
  const step = rate / ENGINE_SAMPLE_RATE;
  const length = Math.max(1, Math.round((samples.length * ENGINE_SAMPLE_RATE) / rate));
  const out = new Int16Array(length);
  const last = samples.length - 1;
  for (let index = 0; index < length; index++) {
    const position = index * step;
    const left = Math.min(Math.floor(position), last);
    const right = Math.min(left + 1, last);
    const fraction = position - left;
    out[index] = Math.round(samples[left]! + (samples[right]! - samples[left]!) * fraction);
  }
  return out;
}
