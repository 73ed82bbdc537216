// The playback worklet's buffer between the engine's 20 ms frames (which arrive in bursts, on the engine's clock)
// and the render quanta the sound card pulls (128 samples every 2.67 ms, on the card's clock). Pure, so the worklet
// stays a thin shell and this logic is tested on its own.
//
//   priming ──(fill ≥ target)──▶ playing ──(a pull finds too little)──▶ priming
//      ▲ pulls give silence                 pulls give samples            (underrun counted; the part that
//                                                                          was there is played, then silence)
//
// Priming again after an underrun builds the cushion back up, so a late burst does not become a stutter on every
// quantum. A push that would go past `capacity` drops the oldest samples down to `target` (overrun counted): the
// engine's clock running faster than the card's would otherwise add delay until the buffer is full and keep it.

export interface PlaybackRingOptions {
  /** Samples to hold before playing (the cushion against jitter between the two clocks). */
  readonly target: number;
  /** The most samples held; never more than this, whatever is pushed. */
  readonly capacity: number;
}

export interface PlaybackRingCounters {
  /** Times a pull found too little and played silence for (part of) a quantum. */
  readonly underruns: number;
  /** Times a push went past the capacity and the oldest samples were dropped. */
  readonly overruns: number;
  /** Samples dropped by overruns. */
  readonly droppedSamples: number;
  /** Samples pushed, dropped ones included. */
  readonly receivedSamples: number;
}

const INT16_SCALE = 1 / 32768;

export class PlaybackRing {
  readonly target: number;
  readonly capacity: number;
  readonly #samples: Float32Array;
  /** Index of the oldest held sample. */
  #read = 0;
  #fill = 0;
  #playing = false;
  #underruns = 0;
  #overruns = 0;
  #droppedSamples = 0;
  #receivedSamples = 0;

  constructor(options: PlaybackRingOptions) {
    const { target, capacity } = options;
    if (!Number.isInteger(target) || target < 0)
      throw new RangeError(`target must be a whole number of samples ≥ 0, not ${target}`);
    if (!Number.isInteger(capacity) || capacity < 1 || capacity < target)
      throw new RangeError(`capacity must be a whole number of samples ≥ 1 and ≥ target, not ${capacity}`);
    this.target = target;
    this.capacity = capacity;
    this.#samples = new Float32Array(capacity);
  }

  get fill(): number {
    return this.#fill;
  }

  get playing(): boolean {
    return this.#playing;
  }

  get counters(): PlaybackRingCounters {
    return {
      underruns: this.#underruns,
      overruns: this.#overruns,
      droppedSamples: this.#droppedSamples,
      receivedSamples: this.#receivedSamples,
    };
  }

  /** Adds 16-bit PCM samples (one frame, or any other count). */
  pushInt16(samples: Int16Array): void {
    const count = samples.length;
    const from = this.#makeRoom(count);
    let write = (this.#read + this.#fill) % this.capacity;
    for (let i = from; i < count; i++) {
      this.#samples[write] = samples[i]! * INT16_SCALE;
      write = write + 1 === this.capacity ? 0 : write + 1;
    }
    this.#fill += count - from;
  }

  /**
   * Adds the first `count` float samples (all by default), after resampling to the context's rate: the playback
   * worklet reuses one larger buffer and says how much of it is new.
   */
  pushFloat(samples: Float32Array, count: number = samples.length): void {
    const end = Math.min(count, samples.length);
    const from = this.#makeRoom(end);
    let write = (this.#read + this.#fill) % this.capacity;
    for (let i = from; i < end; i++) {
      this.#samples[write] = samples[i]!;
      write = write + 1 === this.capacity ? 0 : write + 1;
    }
    this.#fill += end - from;
  }

  /**
   * Counts a push of `count` samples and, when it would go past the capacity, drops the oldest; answers how many
   * of the push's own first samples are dropped too (the rest are written by the caller).
   */
  #makeRoom(count: number): number {
    this.#receivedSamples += count;
    if (this.#fill + count <= this.capacity) return 0;
    this.#overruns++;
    // Keep `target` samples after this push, newest first: drop held ones, and the head of the push itself when
    // the push alone is longer than that.
    const keep = Math.min(this.target, this.capacity);
    const excess = this.#fill + count - keep;
    const fromHeld = Math.min(excess, this.#fill);
    this.#read = (this.#read + fromHeld) % this.capacity;
    this.#fill -= fromHeld;
    this.#droppedSamples += excess;
    return excess - fromHeld;
  }

  /** Fills `output` (one render quantum, any length) with the next samples, or silence. */
  pull(output: Float32Array): void {
    if (!this.#playing) {
      if (this.#fill < this.target || this.#fill === 0) {
        output.fill(0);
        return;
      }
      this.#playing = true;
    }
    const take = Math.min(output.length, this.#fill);
    for (let i = 0; i < take; i++) {
      output[i] = this.#samples[this.#read]!;
      this.#read = this.#read + 1 === this.capacity ? 0 : this.#read + 1;
    }
    this.#fill -= take;
    if (take < output.length) {
      output.fill(0, take);
      this.#underruns++;
      this.#playing = false;
    }
  }

  /** Drops everything held and starts priming again (a new call, or the channel changed). */
  clear(): void {
    this.#read = 0;
    this.#fill = 0;
    this.#playing = false;
  }
}
