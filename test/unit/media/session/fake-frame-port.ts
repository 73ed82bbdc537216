// The worker's FramePort over a real AudioStreamChannel, with the consumer's side played by the test: it sends
// microphone frames and turns listening on and off synchronously, and `frames` holds every speaker frame the
// worker has put so far (read from the ring as soon as it is put, like a consumer that never falls behind).
import { AudioStreamChannel } from '../../../../main/media/session/audio-stream-channel';
import { framePortOf, type FramePort } from '../../../../main/media/session/frame-port';
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import { toneShare as toneShareOf } from '../../../support/audio/tone-share';

export class FakeFramePort implements FramePort {
  readonly channel = AudioStreamChannel.create();
  readonly #port = framePortOf(this.channel);
  readonly #heard: Int16Array[] = [];
  closed = false;

  takeFrame(into: Int16Array): boolean {
    return this.#port.takeFrame(into);
  }

  skipFrame(): boolean {
    return this.#port.skipFrame();
  }

  get listening(): boolean {
    return this.#port.listening;
  }

  putFrame(frame: Int16Array): void {
    this.#port.putFrame(frame);
    for (;;) {
      const heard = new Int16Array(FRAME_SAMPLES);
      if (!this.channel.speaker.read(heard)) return;
      this.#heard.push(heard);
    }
  }

  get inputDropped(): number {
    return this.#port.inputDropped;
  }

  close(): void {
    this.closed = true;
    this.#port.close();
  }

  /** Every speaker frame the worker has put, oldest first. */
  get frames(): readonly Int16Array[] {
    return this.#heard;
  }

  /** What the consumer sends: one microphone frame (a frame's buffer, as toneFrame gives it). */
  deliver(frame: ArrayBuffer): void {
    this.channel.microphone.write(new Int16Array(frame));
  }

  listen(on = true): void {
    this.channel.speaker.listening = on;
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
