// A FramePort held in memory for the engine's unit tests: what the worker posts is kept, and the test delivers
// microphone frames and listen messages synchronously.
import type { FramePort, ListenMessage } from '../../../../main/media/session/frame-port';
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import { toneShare as toneShareOf } from '../../../support/audio/tone-share';

export class FakeFramePort implements FramePort {
  readonly frames: Int16Array[] = [];
  readonly controls: ListenMessage[] = [];
  closed = false;
  #handler: ((message: unknown) => void) | undefined;

  postFrame(frame: Int16Array): void {
    this.frames.push(frame.slice());
  }

  postControl(message: ListenMessage): void {
    this.controls.push(message);
  }

  onMessage(handler: (message: unknown) => void): void {
    this.#handler = handler;
  }

  close(): void {
    this.closed = true;
  }

  /** What the consumer would post: a frame's buffer, a listen message, or anything else. */
  deliver(message: unknown): void {
    this.#handler?.(message);
  }

  listen(on = true): void {
    this.deliver({ type: 'listen', on });
  }
}

/** Frame `index` of a continuous sine at `hz` (48 kHz), as the ArrayBuffer a consumer posts. */
export function toneFrame(index: number, hz = 1000, amplitude = 8000): ArrayBuffer {
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let sample = 0; sample < FRAME_SAMPLES; sample++) {
    const t = (index * FRAME_SAMPLES + sample) / 48_000;
    frame[sample] = Math.round(amplitude * Math.sin(2 * Math.PI * hz * t));
  }
  return frame.buffer;
}

/** Share of the frames' energy at `hz` (Goertzel over all samples), 0 for silence. */
export function toneShare(frames: readonly Int16Array[], hz = 1000): number {
  return toneShareOf(Int16Array.from(frames.flatMap((frame) => [...frame])), hz);
}

export function rms(frames: readonly Int16Array[]): number {
  let sum = 0;
  let count = 0;
  for (const frame of frames) {
    for (const sample of frame) sum += sample * sample;
    count += frame.length;
  }
  return count === 0 ? 0 : Math.sqrt(sum / count);
}
