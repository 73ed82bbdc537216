// Small, exact signal measurements for the codec tests: tones, RMS, the amplitude of one frequency, and the share
// of a signal's energy in a band (a direct DFT over the band's bins, against Parseval's total). Slow but plain;
// the tests feed it a few thousand samples.

export function sine(
  frequency: number,
  sampleRate: number,
  count: number,
  amplitude: number,
  startSample = 0,
): Int16Array {
  return Int16Array.from({ length: count }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (startSample + i)) / sampleRate)),
  );
}

/** A voiced, speech-like signal: a 200 Hz fundamental with falling harmonics up to 3.4 kHz, gently modulated. */
export function voiced(sampleRate: number, count: number, amplitude: number, startSample = 0): Int16Array {
  return Int16Array.from({ length: count }, (_, i) => {
    const t = (startSample + i) / sampleRate;
    let value = 0;
    for (let harmonic = 1; harmonic * 200 <= 3400; harmonic++) {
      value += Math.sin(2 * Math.PI * 200 * harmonic * t + harmonic) / harmonic;
    }
    const envelope = 0.75 + 0.25 * Math.sin(2 * Math.PI * 3 * t);
    return Math.round((amplitude / 2) * envelope * value);
  });
}

export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/** Amplitude of the component at `frequency` (a single DFT bin; exact when the span holds whole periods). */
export function toneAmplitude(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < samples.length; i++) {
    const phase = (2 * Math.PI * frequency * i) / sampleRate;
    re += (samples[i] ?? 0) * Math.cos(phase);
    im += (samples[i] ?? 0) * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / samples.length;
}

/** Share (0..1) of the energy between `low` and `high` Hz, from the DFT bins of the whole span. */
export function bandEnergyShare(
  samples: ArrayLike<number>,
  sampleRate: number,
  low: number,
  high: number,
): number {
  const n = samples.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += (samples[i] ?? 0) ** 2;
  if (total === 0) return 0;
  const firstBin = Math.ceil((low * n) / sampleRate);
  const lastBin = Math.min(Math.floor((high * n) / sampleRate), Math.floor(n / 2));
  let band = 0;
  for (let bin = firstBin; bin <= lastBin; bin++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const phase = (2 * Math.PI * bin * i) / n;
      re += (samples[i] ?? 0) * Math.cos(phase);
      im += (samples[i] ?? 0) * Math.sin(phase);
    }
    // Bins other than DC and Nyquist stand for their mirror image too (Parseval: Σx² = (1/N)Σ|X|²).
    const mirrored = bin === 0 || 2 * bin === n ? 1 : 2;
    band += (mirrored * (re * re + im * im)) / n;
  }
  return band / total;
}

/** The error energy of `actual` against `reference` relative to the reference's, in dB (lower is closer). */
export function errorDb(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += (reference[i] ?? 0) ** 2;
    noise += ((reference[i] ?? 0) - (actual[i] ?? 0)) ** 2;
  }
  return 10 * Math.log10(noise / signal);
}

export function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
