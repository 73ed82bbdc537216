// Streaming sample-rate conversion by a rational factor L/M with a polyphase FIR (Crochiere & Rabiner's
// interpolate-by-L, filter, decimate-by-M, computing only the outputs that are kept and only the taps that meet
// non-zero inputs). One class serves both jobs the engine has:
//   - 48 kHz ⇄ 8 kHz for G.711 (L/M = 1/6 and 6/1) with the telephone-band filter: flat to 3.4 kHz, ≥ 70 dB down
//     from 4 kHz, so nothing above G.711's Nyquist frequency folds back into the call;
//   - any WAV rate ⇄ 48 kHz (44.1, 22.05, 16 kHz…), with a filter flat to 90 % of the lower Nyquist frequency.
// State (the last input samples and the fractional position) carries across calls, so feeding a signal in 20 ms
// pieces gives exactly the samples that feeding it whole would: no clicks at frame edges.
import { designKaiserLowPass, kaiserLength, type LowPassSpec } from './kaiser-low-pass';

/** G.711's band: flat to 3.4 kHz (within ±0.01 dB), stop band from 4 kHz, 70 dB down (10 dB beyond the brief). */
export const TELEPHONE_BAND: LowPassSpec = { passbandHz: 3400, stopbandHz: 4000, attenuationDb: 70 };

/** The filter for a general conversion: pass to 90 % of the lower Nyquist frequency, stop at it, 70 dB down. */
export function generalBand(inputRate: number, outputRate: number): LowPassSpec {
  const nyquist = Math.min(inputRate, outputRate) / 2;
  return { passbandHz: 0.9 * nyquist, stopbandHz: nyquist, attenuationDb: 70 };
}

/** The largest interpolation factor we build a table for (11.025 → 48 kHz needs 640; 44.1 → 48 kHz 160). */
export const MAX_INTERPOLATION = 4096;
/** The largest filter we design (8 MiB of taps): a narrow band at a huge L·input rate would take seconds. */
export const MAX_PROTOTYPE_TAPS = 1 << 20;
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384_000;

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Interpolation factor L and decimation factor M, in lowest terms. */
  readonly up: number;
  readonly down: number;
  /** Taps per polyphase branch. */
  private readonly taps: number;
  /** Branch p holds L·h[p + kL] for k = 0..taps-1 (reversed order is not needed: we index history backwards). */
  private readonly branches: Float64Array;
  /** The filter's delay, in input samples: (length − 1) / 2 at the L·input rate, over L. */
  readonly delayInputSamples: number;
  /** The last taps − 1 inputs, then room for the next call's input. */
  private work: Float64Array;
  /** Where the next output falls, in 1/L input samples from the first sample of the next call's input. */
  private position: number;
  private readonly startPosition: number;
  private readonly spanInputSamples: number;

  /**
   * `aligned` starts the output at the filter's centre instead of its first tap: output sample 0 then stands for
   * input time 0 exactly (no delay, and no fractional-sample offset to round away), at the price of the first
   * call returning fewer samples. Files want it; the fixed-size frames of a call do not.
   */
  constructor(
    inputRate: number,
    outputRate: number,
    spec: LowPassSpec = generalBand(inputRate, outputRate),
    aligned = false,
  ) {
    for (const rate of [inputRate, outputRate]) {
      if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
        throw new RangeError(`sample rate ${rate} Hz is outside ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE}`);
      }
    }
    const divisor = greatestCommonDivisor(inputRate, outputRate);
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.up = outputRate / divisor;
    this.down = inputRate / divisor;
    if (this.up > MAX_INTERPOLATION) {
      throw new RangeError(
        `${inputRate} → ${outputRate} Hz needs interpolation by ${this.up}, over ${MAX_INTERPOLATION}`,
      );
    }
    const prototypeRate = inputRate * this.up;
    const prototypeLength = kaiserLength(prototypeRate, spec);
    if (prototypeLength > MAX_PROTOTYPE_TAPS) {
      throw new RangeError(
        `${inputRate} → ${outputRate} Hz would need a ${prototypeLength}-tap filter, over ${MAX_PROTOTYPE_TAPS}`,
      );
    }
    // Gain L: interpolation by L spreads each input's energy over L output slots of which L − 1 were zeros.
    const prototype = designKaiserLowPass(prototypeRate, spec, this.up);
    this.taps = Math.ceil(prototype.length / this.up);
    this.branches = new Float64Array(this.up * this.taps);
    for (let phase = 0; phase < this.up; phase++) {
      for (let k = 0; k < this.taps; k++) {
        this.branches[phase * this.taps + k] = prototype[phase + k * this.up] ?? 0;
      }
    }
    const centre = (prototypeLength - 1) / 2;
    this.delayInputSamples = aligned ? 0 : centre / this.up;
    this.startPosition = aligned ? centre : 0;
    this.position = this.startPosition;
    // Drain must push the whole filter span through, aligned or not.
    this.spanInputSamples = Math.ceil((2 * centre) / this.up) + 1;
    this.work = new Float64Array(this.taps - 1 + 1024);
  }

  /** The filter's delay in seconds: how far the output lags the input. */
  get delaySeconds(): number {
    return this.delayInputSamples / this.inputRate;
  }

  /** How many samples the next process() of `inputLength` samples returns. */
  outputLength(inputLength: number): number {
    const end = inputLength * this.up;
    return end > this.position ? Math.ceil((end - this.position) / this.down) : 0;
  }

  /** Converts the next piece of the stream. `output`, when given, must hold outputLength(input.length) samples. */
  process(
    input: Int16Array,
    output: Int16Array = new Int16Array(this.outputLength(input.length)),
  ): Int16Array {
    const count = this.outputLength(input.length);
    if (output.length < count) throw new RangeError(`output holds ${output.length} samples, ${count} needed`);
    const history = this.taps - 1;
    if (this.work.length < history + input.length) {
      const grown = new Float64Array(history + input.length);
      grown.set(this.work.subarray(0, history));
      this.work = grown;
    }
    const work = this.work;
    for (let i = 0; i < input.length; i++) work[history + i] = input[i]!;

    const { up, down, taps, branches } = this;
    // The position in whole input samples and the phase within one, stepped without a division per output.
    const position = this.position;
    let newest = history + Math.floor(position / up);
    let phase = position % up;
    const wholeStep = Math.floor(down / up);
    const phaseStep = down % up;
    // Four taps per step into four sums: independent additions the CPU can overlap, where one running sum makes
    // every addition wait for the one before.
    const unrolled = taps - (taps % 4);
    for (let n = 0; n < count; n++) {
      const base = phase * taps;
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      let k = 0;
      for (; k < unrolled; k += 4) {
        const at = newest - k;
        const tap = base + k;
        sum0 += branches[tap]! * work[at]!;
        sum1 += branches[tap + 1]! * work[at - 1]!;
        sum2 += branches[tap + 2]! * work[at - 2]!;
        sum3 += branches[tap + 3]! * work[at - 3]!;
      }
      for (; k < taps; k++) sum0 += branches[base + k]! * work[newest - k]!;
      const sum = sum0 + sum1 + (sum2 + sum3);
      output[n] = sum >= 32767 ? 32767 : sum <= -32768 ? -32768 : Math.round(sum);
      newest += wholeStep;
      phase += phaseStep;
      if (phase >= up) {
        phase -= up;
        newest++;
      }
    }
    this.position = position + count * down - input.length * up;
    // Keep the newest taps − 1 samples (old history included when the input was shorter than that).
    work.copyWithin(0, input.length, input.length + history);
    return output.subarray(0, count);
  }

  /** The tail still inside the filter, pushed out with silence (at the end of a file). */
  drain(): Int16Array {
    return this.process(new Int16Array(this.spanInputSamples));
  }

  /** Forgets the stream: silence before the next sample. */
  reset(): void {
    this.work.fill(0);
    this.position = this.startPosition;
  }
}

/** A whole signal converted at once, time-aligned with the input and of the scaled length: for files. */
export function resampleAll(samples: Int16Array, inputRate: number, outputRate: number): Int16Array {
  if (inputRate === outputRate) return samples.slice();
  const resampler = new Resampler(inputRate, outputRate, generalBand(inputRate, outputRate), true);
  const body = resampler.process(samples);
  const tail = resampler.drain();
  const length = Math.round((samples.length * outputRate) / inputRate);
  const out = new Int16Array(length);
  out.set(body.subarray(0, length));
  if (body.length < length) out.set(tail.subarray(0, length - body.length), body.length);
  return out;
}
