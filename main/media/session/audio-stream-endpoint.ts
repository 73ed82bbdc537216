// The consumer's side of a call's audio stream port (frame-port.ts), on the main thread: several listeners can
// hear the speaker frames (a recorder and a player's pacing, say), and the worker is asked to post them only while
// at least one listens. Frames go out as transferred ArrayBuffers.
import type { MessagePort } from 'node:worker_threads';
import { FRAME_SAMPLES } from '../media-seams';
import { FRAME_BYTES, frameFromMessage, type ListenMessage } from './frame-port';

/** What a WAV player or recorder needs of a call's audio. */
export interface AudioStream {
  /** Calls `handler` with each 20 ms speaker frame; the returned function stops it. */
  onFrame(handler: (frame: Int16Array) => void): () => void;
  /** Queues one 20 ms microphone frame (exactly FRAME_SAMPLES samples). */
  sendFrame(frame: Int16Array): void;
}

export class AudioStreamEndpoint implements AudioStream {
  readonly #port: MessagePort;
  readonly #handlers = new Set<(frame: Int16Array) => void>();

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (message: unknown) => {
      const frame = frameFromMessage(message);
      if (frame === null) return;
      for (const handler of [...this.#handlers]) handler(frame);
    });
  }

  onFrame(handler: (frame: Int16Array) => void): () => void {
    // A handler added twice is still one listener: the set holds a wrapper of its own per subscription.
    const subscription = (frame: Int16Array): void => handler(frame);
    this.#handlers.add(subscription);
    if (this.#handlers.size === 1) this.#listen(true);
    return () => {
      if (!this.#handlers.delete(subscription)) return;
      if (this.#handlers.size === 0) this.#listen(false);
    };
  }

  sendFrame(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES)
      throw new RangeError(`a frame is ${FRAME_SAMPLES} samples, not ${frame.length}`);
    const copy = new Int16Array(FRAME_SAMPLES);
    copy.set(frame);
    this.#port.postMessage(copy.buffer, [copy.buffer]);
  }

  /**
   * Queues one microphone frame given as its 1,920 bytes of little-endian samples, wherever they sit (a received
   * WebSocket frame need not be 2-byte aligned): the one copy into a buffer of its own, which is then transferred.
   */
  sendFrameBytes(bytes: Uint8Array): void {
    if (bytes.byteLength !== FRAME_BYTES)
      throw new RangeError(`a frame is ${FRAME_BYTES} bytes, not ${bytes.byteLength}`);
    const copy = new Uint8Array(FRAME_BYTES);
    copy.set(bytes);
    this.#port.postMessage(copy.buffer, [copy.buffer]);
  }

  #listen(on: boolean): void {
    const message: ListenMessage = { type: 'listen', on };
    this.#port.postMessage(message);
  }
}
