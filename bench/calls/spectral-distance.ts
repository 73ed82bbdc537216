// A simple objective measure of how far a codec's output is from its input, for comparing encoder settings: the
// mean absolute difference, in dB, of third-octave band levels (100 Hz – 16 kHz) over 1024-sample Hann windows
// (hop 480, 48 kHz), after aligning the output to the input by cross-correlation (the codec's delay). Bands more
// than 50 dB below the window's loudest band, and windows below −60 dBFS, are left out, so silence and the noise
// floor do not count; a band's difference is capped at 20 dB. Sample-wise measures (SNR) are wrong for Opus, whose
// output matches the input's spectrum rather than its waveform; this one compares what the ear roughly compares,
// the level in each band over time. It is no perceptual model (no masking, no loudness), so small differences
// between settings are a hint, not a verdict.

const RATE = 48_000;
const WINDOW = 1024;
const HOP = 480;
const MAX_LAG = 1500;

const hann = Float64Array.from(
  { length: WINDOW },
  (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WINDOW),
);

/** FFT bins [first, last] of each third-octave band from 100 Hz to 16 kHz. */
const BANDS: readonly (readonly [number, number])[] = (() => {
  const bands: [number, number][] = [];
  for (let centre = 100; centre <= 16_000; centre *= 2 ** (1 / 3)) {
    const first = Math.max(1, Math.floor((centre * 2 ** (-1 / 6) * WINDOW) / RATE));
    const last = Math.max(first, Math.ceil((centre * 2 ** (1 / 6) * WINDOW) / RATE));
    bands.push([first, Math.min(last, WINDOW / 2 - 1)]);
  }
  return bands;
})();

/** In-place radix-2 FFT of `re` + i·`im` (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    const half = size / 2;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const cos = Math.cos(step * k);
        const sin = Math.sin(step * k);
        const a = start + k;
        const b = a + half;
        const xr = re[b]! * cos - im[b]! * sin;
        const xi = re[b]! * sin + im[b]! * cos;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

function bandLevels(signal: Int16Array, start: number): Float64Array {
  const re = new Float64Array(WINDOW);
  const im = new Float64Array(WINDOW);
  for (let i = 0; i < WINDOW; i++) re[i] = (signal[start + i] ?? 0) * hann[i]!;
  fft(re, im);
  const levels = new Float64Array(BANDS.length);
  BANDS.forEach(([first, last], band) => {
    let energy = 1e-3;
    for (let bin = first; bin <= last; bin++) energy += re[bin]! ** 2 + im[bin]! ** 2;
    levels[band] = 10 * Math.log10(energy);
  });
  return levels;
}

/** The output's delay against the input, in samples (0 – 1500), by cross-correlation over the second second. */
function delayOf(input: Int16Array, output: Int16Array): number {
  let bestLag = 0;
  let best = -Infinity;
  const from = Math.min(RATE, Math.max(0, input.length - RATE));
  const to = Math.min(from + RATE / 2, input.length - MAX_LAG);
  for (let lag = 0; lag < MAX_LAG; lag++) {
    let sum = 0;
    for (let i = from; i < to; i += 2) sum += input[i]! * (output[i + lag] ?? 0);
    if (sum > best) {
      best = sum;
      bestLag = lag;
    }
  }
  return bestLag;
}

/** Mean absolute band-level difference in dB between `input` and the codec's `output` (both 48 kHz mono). */
export function bandLevelDistance(input: Int16Array, output: Int16Array): number {
  const lag = delayOf(input, output);
  // A window's loudest band below this is silence: −60 dBFS of a full-scale sine through the window.
  const quiet = 10 * Math.log10((32_767 * WINDOW) ** 2 / 16) - 60;
  let sum = 0;
  let count = 0;
  for (let start = 0; start + WINDOW + lag <= output.length; start += HOP) {
    const reference = bandLevels(input, start);
    const coded = bandLevels(output, start + lag);
    const loudest = Math.max(...reference);
    if (loudest < quiet) continue;
    for (let band = 0; band < reference.length; band++) {
      if (reference[band]! < loudest - 50) continue;
      sum += Math.min(20, Math.abs(reference[band]! - coded[band]!));
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}
