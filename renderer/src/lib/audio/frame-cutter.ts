// Cuts the capture worklet's render quanta (128 float samples each in today's browsers, but any size is taken) into
// the engine's 20 ms frames of 16-bit PCM. Each frame is a fresh buffer, so it can be transferred to the channel.
import { AUDIO_FRAME_SAMPLES } from '../audio-channel';

/**
 * A Web Audio sample (nominally −1..1) as 16-bit PCM, scaled by 32768 like the playback side divides (so a frame
 * looped back comes out as it went in), clamped rather than wrapped so a hot signal clips instead of flipping sign.
 */
export function floatToInt16(sample: number): number {
  if (Number.isNaN(sample)) return 0;
  const scaled = Math.round(sample * 32768);
  return scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled;
}

export class FrameCutter {
  #frame: Int16Array;
  #filled = 0;

  constructor(
    private readonly emit: (frame: Int16Array) => void,
    readonly frameSamples: number = AUDIO_FRAME_SAMPLES,
  ) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0)
      throw new RangeError(`a frame must hold a positive whole number of samples, not ${frameSamples}`);
    this.#frame = new Int16Array(frameSamples);
  }

  /** Samples waiting for the rest of their frame. */
  get pending(): number {
    return this.#filled;
  }

  /** Takes the first `count` samples (all by default): a caller reusing a larger buffer passes how many it holds. */
  push(samples: Float32Array, count: number = samples.length): void {
    const end = Math.min(count, samples.length);
    let read = 0;
    while (read < end) {
      const take = Math.min(end - read, this.frameSamples - this.#filled);
      for (let i = 0; i < take; i++) this.#frame[this.#filled + i] = floatToInt16(samples[read + i]!);
      this.#filled += take;
      read += take;
      if (this.#filled === this.frameSamples) {
        const full = this.#frame;
        this.#frame = new Int16Array(this.frameSamples);
        this.#filled = 0;
        this.emit(full);
      }
    }
  }

  /** Forgets a partly filled frame (the capture stopped; the next start begins a fresh frame). */
  reset(): void {
    this.#filled = 0;
  }
}
