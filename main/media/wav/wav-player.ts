// Plays a WAV file as a call's microphone, frame by frame. The worker's own 20 ms tick sets the pace: the player
// puts a lead of frames in the worker's queue at once, then sends one more for every speaker frame the worker
// posts (one per tick). The file therefore starts at the stream's first tick, the same instant the recorder's
// first frame is taken, and a main thread busy for less than the lead (200 ms) does not open a gap in what is
// sent. A longer stall makes the worker send silence meanwhile and the file resumes where it was.
import { FRAME_SAMPLES } from '../media-seams';
import type { AudioStream } from '../session/audio-stream-endpoint';

export interface WavPlayerOptions {
  /** Frames queued ahead in the worker. Default 10 (200 ms); the worker holds 25 at most. */
  readonly leadFrames?: number;
  /** Called once, when the last frame has been handed to the worker. */
  readonly onEnded?: () => void;
}

export class WavPlayer {
  readonly #stream: AudioStream;
  /** Mono 16-bit samples at 48 kHz. */
  readonly #samples: Int16Array;
  readonly #leadFrames: number;
  readonly #onEnded: (() => void) | undefined;
  #position = 0;
  #unsubscribe: (() => void) | undefined;
  #ended = false;

  constructor(stream: AudioStream, samples: Int16Array, options: WavPlayerOptions = {}) {
    this.#stream = stream;
    this.#samples = samples;
    this.#leadFrames = Math.max(1, options.leadFrames ?? 10);
    this.#onEnded = options.onEnded;
  }

  /** Frames handed to the worker so far. */
  get framesSent(): number {
    return Math.ceil(this.#position / FRAME_SAMPLES);
  }

  get ended(): boolean {
    return this.#ended;
  }

  start(): void {
    if (this.#unsubscribe !== undefined || this.#ended) return;
    this.#unsubscribe = this.#stream.onFrame(() => this.#sendNext());
    for (let frame = 0; frame < this.#leadFrames && !this.#ended; frame++) this.#sendNext();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #sendNext(): void {
    if (this.#ended) return;
    if (this.#position >= this.#samples.length) {
      this.#ended = true;
      this.stop();
      this.#onEnded?.();
      return;
    }
    const frame = new Int16Array(FRAME_SAMPLES);
    // The last frame is padded with silence.
    frame.set(this.#samples.subarray(this.#position, this.#position + FRAME_SAMPLES));
    this.#position += FRAME_SAMPLES;
    this.#stream.sendFrame(frame);
  }
}
