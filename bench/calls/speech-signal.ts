// The microphone of the call benchmarks: a speech-like signal, so the encoders work as in a conversation rather
// than on a pure tone or on silence (which Opus encodes for almost nothing).

/**
 * `seconds` of mono 16-bit audio at `rate`: a voiced sound gliding between 120 and 200 Hz with 10 harmonics,
 * amplitude-modulated like syllables (4 per second), with a 0.5 s pause every 3 s.
 */
export function speechSignal(seconds: number, rate = 48_000): Int16Array {
  const samples = new Int16Array(Math.round(seconds * rate));
  let phase = 0;
  for (let i = 0; i < samples.length; i++) {
    const t = i / rate;
    const pitch = 160 + 40 * Math.sin(2 * Math.PI * 0.3 * t);
    // The phase is accumulated so the glide has no clicks.
    phase += (2 * Math.PI * pitch) / rate;
    if (t % 3 >= 2.5) continue;
    const syllable = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    let value = 0;
    for (let harmonic = 1; harmonic <= 10; harmonic++) value += Math.sin(harmonic * phase) / harmonic;
    samples[i] = Math.round(6000 * syllable * value);
  }
  return samples;
}
