// A harder test signal than speechSignal for judging codec settings: voiced sound whose harmonics reach 8 kHz
// under four formant peaks, with fricative-like noise bursts (high-passed white noise) between the voiced parts, so
// the encoder has to code the upper bands and noise, not only a few low harmonics. Deterministic (a seeded LCG).

/**
 * `seconds` of 48 kHz mono: 1.6 s voiced (a 150 ± 60 Hz glide, 4 syllables a second), 0.1 s gap, 0.4 s fricative,
 * 0.4 s silence, repeated.
 */
export function voiceWithFricatives(seconds: number): Int16Array {
  const rate = 48_000;
  const samples = new Int16Array(Math.round(seconds * rate));
  const formants: readonly (readonly [number, number])[] = [
    [700, 130],
    [1220, 70],
    [2600, 160],
    [3300, 250],
  ];
  let seed = 7;
  const noise = (): number => {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  };
  let phase = 0;
  let lowPassed = 0;
  for (let i = 0; i < samples.length; i++) {
    const t = i / rate;
    const cycle = t % 2.5;
    const pitch = 150 + 60 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * pitch) / rate;
    let voiced = 0;
    if (cycle < 1.6) {
      for (let harmonic = 1; harmonic * pitch <= 8000; harmonic++) {
        const frequency = harmonic * pitch;
        let gain = 0;
        for (const [centre, width] of formants) gain += 1 / (1 + ((frequency - centre) / width) ** 2);
        voiced += (gain / Math.sqrt(harmonic)) * Math.sin(harmonic * phase);
      }
      voiced *= 0.25 * (0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t));
    }
    const white = noise();
    lowPassed += 0.3 * (white - lowPassed);
    const fricative =
      cycle >= 1.7 && cycle < 2.1
        ? (white - lowPassed) * 0.25 * Math.sin((Math.PI * (cycle - 1.7)) / 0.4)
        : 0;
    samples[i] = Math.max(-32_767, Math.min(32_767, Math.round((voiced + fricative) * 12_000)));
  }
  return samples;
}
