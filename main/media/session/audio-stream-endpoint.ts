// The consumer's side of a call's audio stream (audio-stream-channel.ts), on the main thread. Microphone frames go
// straight into the shared ring; speaker frames are collected by a poll every `pollMs` (20 ms) while at least one
// listener wants them, and handed to every listener in order. Nothing wakes this thread per frame, and the worker
// is told (the ring's `listening` flag) to write speaker frames only while someone listens.
//
// Listening starts on a microtask after the first `onFrame`, so frames sent in the same turn (a player's lead)
// are in the microphone ring before the worker's first tick that is heard: a player and a recorder started
// together share the tick their files start at.
import { SystemClock, type Clock, type TimerHandle } from '../../platform/clock';
import { FRAME_MS, FRAME_SAMPLES } from '../media-seams';
import type { AudioStreamChannel } from './audio-stream-channel';
import { FRAME_BYTES } from './frame-port';

/** What a WAV player or recorder needs of a call's audio. */
export interface AudioStream {
  /** Calls `handler` with each 20 ms speaker frame (a buffer of its own); the returned function stops it. */
  onFrame(handler: (frame: Int16Array) => void): () => void;
  /** Queues one 20 ms microphone frame (exactly FRAME_SAMPLES samples; copied). */
  sendFrame(frame: Int16Array): void;
}

export interface AudioStreamEndpointOptions {
  /** Default the system clock. */
  readonly clock?: Clock;
  /** How often the speaker ring is read while someone listens. Default one frame (20 ms). */
  readonly pollMs?: number;
}

/**
 * The speaker side of one channel: its listeners and its poll. Shared by every endpoint made on the channel, so
 * two endpoints on one call both hear every frame instead of splitting them (a ring has one reader).
 */
class SpeakerReader {
  readonly #channel: AudioStreamChannel;
  readonly #clock: Clock;
  readonly #pollMs: number;
  /**
   * The listeners, in the order they came. Never changed in place: adding or stopping one makes a new array, so a
   * frame is handed to exactly the listeners there when its delivery began (one added meanwhile hears from the
   * next frame, one stopped meanwhile still gets this one) without copying the list for every frame.
   */
  #handlers: readonly ((frame: Int16Array) => void)[] = [];
  #listening = false;
  #syncQueued = false;
  #timer: TimerHandle | undefined;
  /** The buffer the next speaker frame is read into; a frame handed out keeps its buffer. */
  #spare = new Int16Array(FRAME_SAMPLES);

  constructor(channel: AudioStreamChannel, clock: Clock, pollMs: number) {
    this.#channel = channel;
    this.#clock = clock;
    this.#pollMs = pollMs;
  }

  add(handler: (frame: Int16Array) => void): () => void {
    // Each subscription gets a wrapper of its own, so a handler added twice hears every frame twice.
    const subscription = (frame: Int16Array): void => handler(frame);
    this.#handlers = [...this.#handlers, subscription];
    this.#queueSync();
    return () => {
      if (!this.#handlers.includes(subscription)) return;
      this.#handlers = this.#handlers.filter((other) => other !== subscription);
      this.#queueSync();
    };
  }

  #queueSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    queueMicrotask(() => {
      this.#syncQueued = false;
      this.#sync();
    });
  }

  /** Brings the ring's flag and the poll in line with whether anyone listens. */
  #sync(): void {
    const wanted = this.#handlers.length > 0 && !this.#channel.closed;
    if (wanted === this.#listening) return;
    this.#listening = wanted;
    const speaker = this.#channel.speaker;
    if (wanted) {
      // Frames left from an earlier listener are stale: the new one hears from now on.
      speaker.skipAll();
      speaker.listening = true;
      this.#schedule();
    } else {
      speaker.listening = false;
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(this.#pollMs, () => this.#poll());
  }

  #poll(): void {
    this.#timer = undefined;
    if (!this.#listening) return;
    const speaker = this.#channel.speaker;
    while (this.#listening && speaker.read(this.#spare)) {
      const frame = this.#spare;
      this.#spare = new Int16Array(FRAME_SAMPLES);
      const handlers = this.#handlers;
      for (let index = 0; index < handlers.length; index++) handlers[index]!(frame);
    }
    if (this.#channel.closed) {
      // The call's audio has ended: nothing more will come, so the poll stops for good.
      this.#listening = false;
      return;
    }
    if (this.#listening && this.#timer === undefined) this.#schedule();
  }
}

const readers = new WeakMap<AudioStreamChannel, SpeakerReader>();

export class AudioStreamEndpoint implements AudioStream {
  readonly #channel: AudioStreamChannel;
  readonly #speaker: SpeakerReader;

  /** Endpoints made on the same channel share its speaker reader (the first one's clock and poll period). */
  constructor(channel: AudioStreamChannel, options: AudioStreamEndpointOptions = {}) {
    this.#channel = channel;
    let reader = readers.get(channel);
    if (reader === undefined) {
      reader = new SpeakerReader(channel, options.clock ?? new SystemClock(), options.pollMs ?? FRAME_MS);
      readers.set(channel, reader);
    }
    this.#speaker = reader;
  }

  /** Frames lost for want of room: microphone frames sent faster than the worker took them, speaker frames not
   *  read in time (a stalled main thread). */
  get droppedFrames(): { readonly microphone: number; readonly speaker: number } {
    return { microphone: this.#channel.microphone.dropped, speaker: this.#channel.speaker.dropped };
  }

  onFrame(handler: (frame: Int16Array) => void): () => void {
    return this.#speaker.add(handler);
  }

  sendFrame(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES)
      throw new RangeError(`a frame is ${FRAME_SAMPLES} samples, not ${frame.length}`);
    if (this.#channel.closed) return;
    this.#channel.microphone.write(frame);
  }

  /**
   * Queues one microphone frame given as its 1,920 bytes of little-endian samples, wherever they sit (a received
   * WebSocket frame need not be 2-byte aligned): copied once, straight into the microphone ring.
   */
  sendFrameBytes(bytes: Uint8Array): void {
    if (bytes.byteLength !== FRAME_BYTES)
      throw new RangeError(`a frame is ${FRAME_BYTES} bytes, not ${bytes.byteLength}`);
    if (this.#channel.closed) return;
    this.#channel.microphone.writeBytes(bytes);
  }
}
