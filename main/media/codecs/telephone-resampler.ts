// G.711's 48 ⇄ 8 kHz conversion in two stages through 16 kHz, with the same telephone-band response as one
// 347-tap stage (flat to 3.4 kHz, ≥ 70 dB down from 4 kHz) for half the multiplies per 20 ms frame.
//
//   send:    48 kHz ─[27 taps, ÷3]─► 16 kHz ─[117 taps, ÷2]─► 8 kHz
//   receive:  8 kHz ─[117 taps, ×2]─► 16 kHz ─[27 taps, ×3]─► 48 kHz
//
// Why it holds: the narrow 3.4 → 4 kHz transition is only needed at 16 kHz, where it takes 117 taps instead of 347
// at 48 kHz. The 48 kHz stage only has to keep what would fold onto 0–4 kHz out of 16 kHz: going down, content
// from 12 kHz up folds there (16 − 4 = 12), while 4–12 kHz folds onto 4–8 kHz, which the 16 kHz stage removes;
// going up, the first images of a 0–4 kHz signal at 16 kHz start at 12 kHz. So that stage may pass 3.4 kHz and
// stop from 12 kHz, a wide transition that 27 taps achieve. Per 20 ms frame: 320 × 27 + 160 × 117 ≈ 27,400
// multiplies down (one stage: 160 × 347 ≈ 55,500), 320 × 59 + 960 × 9 ≈ 27,500 up (one stage: 960 × 58).
import { Resampler, TELEPHONE_BAND } from './resampler';
import type { LowPassSpec } from './kaiser-low-pass';

export const INTERMEDIATE_RATE = 16_000;
const WIDE_RATE = 48_000;
const NARROW_RATE = 8000;

/** The 48 kHz stage: flat to 3.4 kHz, ≥ 70 dB down from 12 kHz (what folds onto, or images from, 0–4 kHz). */
export const WIDE_STAGE_BAND: LowPassSpec = {
  passbandHz: TELEPHONE_BAND.passbandHz,
  stopbandHz: INTERMEDIATE_RATE - TELEPHONE_BAND.stopbandHz,
  attenuationDb: TELEPHONE_BAND.attenuationDb,
};

/** A streaming converter as the G.711 adapters use it (Resampler's process/reset). */
export interface FrameResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** How many samples the next process() of `inputLength` samples returns. */
  outputLength(inputLength: number): number;
  process(input: Int16Array, output?: Int16Array): Int16Array;
  reset(): void;
}

class TwoStage implements FrameResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly #first: Resampler;
  readonly #second: Resampler;
  #middle = new Int16Array(0);

  constructor(first: Resampler, second: Resampler) {
    this.#first = first;
    this.#second = second;
    this.inputRate = first.inputRate;
    this.outputRate = second.outputRate;
  }

  /** The filters' delay in seconds, both stages together. */
  get delaySeconds(): number {
    return this.#first.delaySeconds + this.#second.delaySeconds;
  }

  outputLength(inputLength: number): number {
    return this.#second.outputLength(this.#first.outputLength(inputLength));
  }

  process(input: Int16Array, output?: Int16Array): Int16Array {
    const middleLength = this.#first.outputLength(input.length);
    // Kept between calls: a call's frames are all the same size, so this allocates once.
    if (this.#middle.length < middleLength) this.#middle = new Int16Array(middleLength);
    const middle = this.#first.process(input, this.#middle.subarray(0, middleLength));
    return output === undefined ? this.#second.process(middle) : this.#second.process(middle, output);
  }

  reset(): void {
    this.#first.reset();
    this.#second.reset();
  }
}

/** 48 kHz → 8 kHz for G.711's send path. */
export function telephoneDownsampler(): FrameResampler & { readonly delaySeconds: number } {
  return new TwoStage(
    new Resampler(WIDE_RATE, INTERMEDIATE_RATE, WIDE_STAGE_BAND),
    new Resampler(INTERMEDIATE_RATE, NARROW_RATE, TELEPHONE_BAND),
  );
}

/** 8 kHz → 48 kHz for G.711's receive path. */
export function telephoneUpsampler(): FrameResampler & { readonly delaySeconds: number } {
  return new TwoStage(
    new Resampler(NARROW_RATE, INTERMEDIATE_RATE, TELEPHONE_BAND),
    new Resampler(INTERMEDIATE_RATE, WIDE_RATE, WIDE_STAGE_BAND),
  );
}
