// Linear-phase low-pass FIR design by the window method: an ideal (sinc) low-pass cut halfway through the
// transition band, shaped by a Kaiser window whose β and length come from Kaiser's empirical formulas for the
// wanted stop-band attenuation and transition width (Oppenheim & Schafer, "Discrete-Time Signal Processing",
// §7.6). The pass-band ripple of a Kaiser design equals its stop-band ripple, so 70 dB of attenuation also means a
// pass band flat to within ±0.003 dB.

export interface LowPassSpec {
  /** Up to here the response is flat (within the design ripple). */
  readonly passbandHz: number;
  /** From here on everything is attenuated by at least `attenuationDb`. */
  readonly stopbandHz: number;
  readonly attenuationDb: number;
}

/** The zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 50). */
function besselI0(x: number): number {
  const quarterSquare = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

/** Kaiser's β for a stop-band attenuation in dB. */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/** Taps for the spec at `sampleRate`: Kaiser's estimate, rounded up to an odd count (a whole-sample delay). */
export function kaiserLength(sampleRate: number, spec: LowPassSpec): number {
  const transition = (spec.stopbandHz - spec.passbandHz) / sampleRate;
  const estimate = Math.ceil((spec.attenuationDb - 7.95) / (14.36 * transition)) + 1;
  return estimate % 2 === 1 ? estimate : estimate + 1;
}

/**
 * The filter's taps, symmetric, summing to `gain` (so a constant passes with that gain: an interpolator by L
 * wants gain L to make up for the zeros it inserts).
 */
export function designKaiserLowPass(sampleRate: number, spec: LowPassSpec, gain = 1): Float64Array {
  if (!(spec.passbandHz > 0 && spec.stopbandHz > spec.passbandHz && spec.stopbandHz <= sampleRate / 2)) {
    throw new RangeError(`low-pass ${spec.passbandHz}/${spec.stopbandHz} Hz does not fit ${sampleRate} Hz`);
  }
  const length = kaiserLength(sampleRate, spec);
  const middle = (length - 1) / 2;
  const cutoff = (spec.passbandHz + spec.stopbandHz) / 2 / sampleRate; // cycles per sample
  const beta = kaiserBeta(spec.attenuationDb);
  const windowScale = besselI0(beta);
  const taps = new Float64Array(length);
  let sum = 0;
  for (let n = 0; n < length; n++) {
    const offset = n - middle;
    const ideal = offset === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * offset) / (Math.PI * offset);
    const ratio = offset / middle;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - ratio * ratio))) / windowScale;
    taps[n] = ideal * window;
    sum += taps[n]!;
  }
  for (let n = 0; n < length; n++) taps[n] = (taps[n]! * gain) / sum;
  return taps;
}
