// Sample-rate conversion for the worklets, used only when the AudioContext did not get the 48 kHz it asked for
// (a device or platform that insists on 44.1 kHz, say). A windowed-sinc interpolator with any ratio: the kernel is
// a low-pass at 90 % of the lower Nyquist frequency (so downsampling does not fold the top octave back into the
// band), eight zero crossings each side, Blackman window, tabulated at 512 phases. State carries across calls, so
// feeding a stream in pieces of any size gives the same samples as feeding it whole.

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

  /** Converts the next piece of the stream; returns the outputs it completes (about input.length / step). */
  process(input: Float32Array): Float32Array {
    if (this.#length + input.length > this.#buffer.length) {
      const grown = new Float32Array(this.#length + input.length + 1024);
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(input, this.#length);
    this.#length += input.length;

    const taps = 2 * this.halfWidth;
    const buffer = this.#buffer;
    const count = Math.max(0, Math.ceil((this.#length - this.halfWidth - this.#position) / this.step));
    const output = new Float32Array(count);
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
    return output;
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
