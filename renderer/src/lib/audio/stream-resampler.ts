// Sample-rate conversion for the worklets, used only when the AudioContext did not get the 48 kHz it asked for
// (a device or platform that insists on 44.1 kHz, say). A windowed-sinc interpolator with any ratio: the kernel is
// a low-pass at 90 % of the lower Nyquist frequency (so downsampling does not fold the top octave back into the
// band), eight zero crossings each side, Blackman window, tabulated at 512 phases. State carries across calls, so
// feeding a stream in pieces of any size gives the same samples as feeding it whole.
//
// The worklets call `processInto` with an output buffer of their own, reused for every render quantum: a worklet
// runs on the audio thread, where each short-lived array is garbage that thread must collect. `process` (a new
// array per call) is for everything else.

const ZERO_CROSSINGS = 8;
const PHASES = 512;
const PASSBAND = 0.9;

export class StreamResampler {
  /** Input samples per output sample. */
  readonly step: number;
  /** Kernel half-width, in input samples. */
  readonly halfWidth: number;
  /** Row p holds the kernel for a fractional position p / PHASES, taps for offsets −halfWidth + 1 … halfWidth. */
  readonly #table: Float32Array;
  #buffer: Float32Array;
  #length: number;
  /** Where the next output falls, in input samples from #buffer[0]. */
  #position: number;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    for (const rate of [inputRate, outputRate])
      if (!Number.isFinite(rate) || rate < 1000 || rate > 384_000)
        throw new RangeError(`sample rate ${rate} Hz is outside 1000..384000`);
    this.step = inputRate / outputRate;
    // Cut-off in cycles per input sample.
    const cutoff = (PASSBAND * Math.min(inputRate, outputRate)) / (2 * inputRate);
    this.halfWidth = Math.ceil(ZERO_CROSSINGS / (2 * cutoff));
    const taps = 2 * this.halfWidth;
    this.#table = new Float32Array((PHASES + 1) * taps);
    for (let phase = 0; phase <= PHASES; phase++) {
      const fraction = phase / PHASES;
      for (let tap = 0; tap < taps; tap++) {
        const distance = tap - this.halfWidth + 1 - fraction;
        this.#table[phase * taps + tap] = kernel(distance, cutoff, this.halfWidth);
      }
    }
    // Start with a kernel's width of silence, so the first output needs no special case.
    this.#buffer = new Float32Array(taps + 4096);
    this.#length = this.halfWidth;
    this.#position = this.halfWidth - 1;
  }

  /**
   * The most outputs the next `inputLength` input samples can complete: an output buffer this long always has
   * room. The state never owes more than one output, so this is about inputLength / step, plus one.
   */
  maxOutput(inputLength: number): number {
    return Math.ceil((inputLength + 1) / this.step) + 1;
  }

  /** Converts the next piece of the stream; returns the outputs it completes (about input.length / step). */
  process(input: Float32Array): Float32Array {
    const output = new Float32Array(this.#completes(input.length));
    this.processInto(input, output);
    return output;
  }

  /**
   * Converts the next piece of the stream into the start of `output` and answers how many outputs it completed.
   * `output` needs room for them (`maxOutput(input.length)` is always enough); without it nothing is taken.
   */
  processInto(input: Float32Array, output: Float32Array): number {
    const count = this.#completes(input.length);
    if (count > output.length)
      throw new RangeError(`${count} outputs are due but the output holds ${output.length}`);
    if (this.#length + input.length > this.#buffer.length) {
      const grown = new Float32Array(this.#length + input.length + 1024);
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(input, this.#length);
    this.#length += input.length;

    const taps = 2 * this.halfWidth;
    const buffer = this.#buffer;
    let position = this.#position;
    for (let n = 0; n < count; n++) {
      const whole = Math.floor(position);
      const row = Math.round((position - whole) * PHASES) * taps;
      const first = whole - this.halfWidth + 1;
      let sum = 0;
      for (let tap = 0; tap < taps; tap++) sum += buffer[first + tap]! * this.#table[row + tap]!;
      output[n] = sum;
      position += this.step;
    }
    // Keep what the next output's kernel still reaches.
    const drop = Math.max(0, Math.min(this.#length, Math.floor(position) - this.halfWidth + 1));
    buffer.copyWithin(0, drop, this.#length);
    this.#length -= drop;
    this.#position = position - drop;
    return count;
  }

  /** How many outputs `inputLength` more input samples complete. */
  #completes(inputLength: number): number {
    return Math.max(0, Math.ceil((this.#length + inputLength - this.halfWidth - this.#position) / this.step));
  }
}

function kernel(distance: number, cutoff: number, halfWidth: number): number {
  if (Math.abs(distance) >= halfWidth) return 0;
  const x = 2 * cutoff * distance;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  const w = (distance + halfWidth) / (2 * halfWidth); // 0..1 across the window
  const blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
  return 2 * cutoff * sinc * blackman;
}
