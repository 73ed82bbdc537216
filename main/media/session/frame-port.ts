// A call's audio stream port: the MessagePort pair that carries 20 ms PCM frames (16-bit, mono, 48 kHz, 960
// samples = 1920 bytes) between the media worker and whoever plays and captures them (the CLI's WAV files, the
// window's audio worklets). Frames travel as transferred ArrayBuffers, never JSON. One control message exists:
//
//   consumer → worker   ArrayBuffer (a microphone frame)      { type: 'listen', on: true | false }
//   worker → consumer   ArrayBuffer (a speaker frame, one per 20 ms tick, while someone listens)
//
// The worker posts speaker frames only after `listen`: a port nobody reads would otherwise queue 100 kB a second
// on the main thread for the whole call.
import type { MessagePort } from 'node:worker_threads';
import { FRAME_SAMPLES } from '../media-seams';

export const FRAME_BYTES = FRAME_SAMPLES * Int16Array.BYTES_PER_ELEMENT;

export interface ListenMessage {
  readonly type: 'listen';
  readonly on: boolean;
}

/** What one end of the audio port needs: post a frame (transferring it), hear messages, close. */
export interface FramePort {
  postFrame(frame: Int16Array): void;
  postControl(message: ListenMessage): void;
  onMessage(handler: (message: unknown) => void): void;
  close(): void;
}

export function isListenMessage(message: unknown): message is ListenMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'listen' &&
    typeof (message as { on?: unknown }).on === 'boolean'
  );
}

/**
 * A received frame as samples, or null when the message is not exactly one frame. Typed-array views are taken
 * as well as bare ArrayBuffers, since a browser worklet finds those easier to post.
 */
export function frameFromMessage(message: unknown): Int16Array | null {
  if (message instanceof ArrayBuffer) {
    return message.byteLength === FRAME_BYTES ? new Int16Array(message) : null;
  }
  if (message instanceof Int16Array) return message.length === FRAME_SAMPLES ? message : null;
  return null;
}

/** A copy of `frame` in a buffer of its own, so transferring it never detaches memory someone else still uses. */
function ownBuffer(frame: Int16Array): ArrayBuffer {
  const copy = new Int16Array(frame.length);
  copy.set(frame);
  return copy.buffer;
}

export function framePortOf(port: MessagePort): FramePort {
  return {
    postFrame(frame) {
      const buffer = ownBuffer(frame);
      port.postMessage(buffer, [buffer]);
    },
    postControl(message) {
      port.postMessage(message);
    },
    onMessage(handler) {
      port.on('message', handler);
    },
    close() {
      port.close();
    },
  };
}
