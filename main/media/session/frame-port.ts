// The media worker's side of a call's audio stream (audio-stream-channel.ts): what a CallStream's tick needs of it.
// Frames are 20 ms of 16-bit mono PCM at 48 kHz (960 samples, 1920 bytes). The tick takes at most one microphone
// frame and puts one speaker frame, and only while the consumer listens: a stream nobody hears writes nothing.
import { FRAME_SAMPLES } from '../media-seams';
import type { AudioStreamChannel } from './audio-stream-channel';

export const FRAME_BYTES = FRAME_SAMPLES * Int16Array.BYTES_PER_ELEMENT;

export interface FramePort {
  /** Copies the next microphone frame into `into` (FRAME_SAMPLES samples); false when none is waiting. */
  takeFrame(into: Int16Array): boolean;
  /** Lets the next microphone frame go unread (on hold a file keeps its place in time); false when none waits. */
  skipFrame(): boolean;
  /** Whether someone wants the speaker frames now. */
  readonly listening: boolean;
  /** Puts this tick's speaker frame (copied; the caller keeps `frame`). */
  putFrame(frame: Int16Array): void;
  /** Microphone frames dropped because the consumer sent more than the stream could hold. */
  readonly inputDropped: number;
  close(): void;
}

/** The worker's FramePort over the channel the main thread posted. */
export function framePortOf(channel: AudioStreamChannel): FramePort {
  return {
    takeFrame: (into) => channel.microphone.read(into),
    skipFrame: () => channel.microphone.skip(),
    get listening() {
      return channel.speaker.listening;
    },
    putFrame: (frame) => void channel.speaker.write(frame),
    get inputDropped() {
      return channel.microphone.dropped;
    },
    close: () => channel.close(),
  };
}
