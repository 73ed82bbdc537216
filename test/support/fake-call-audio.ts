// A call's audio stream as the engine hands it out (a real AudioStreamEndpoint on a node MessageChannel), with the
// media worker's side played by the test: it records the microphone frames and listen switches it receives and
// posts speaker frames on demand.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { AudioStreamEndpoint } from '../../main/media/session/audio-stream-endpoint';
import { isListenMessage } from '../../main/media/session/frame-port';

export const FRAME_SAMPLES = 960;

export class FakeCallAudio {
  readonly endpoint: AudioStreamEndpoint;
  /** Microphone frames that reached the worker's side, in order. */
  readonly received: Int16Array[] = [];
  listening = false;
  readonly #worker: MessagePort;
  #waiters: (() => void)[] = [];

  constructor() {
    const channel = new MessageChannel();
    this.endpoint = new AudioStreamEndpoint(channel.port1);
    this.#worker = channel.port2;
    this.#worker.on('message', (message: unknown) => {
      if (isListenMessage(message)) this.listening = message.on;
      else if (message instanceof ArrayBuffer) this.received.push(new Int16Array(message));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Posts one speaker frame whose samples all equal `value` (so a test can tell frames apart). */
  speak(value: number): void {
    const frame = new Int16Array(FRAME_SAMPLES).fill(value);
    this.#worker.postMessage(frame.buffer, [frame.buffer]);
  }

  /** Resolves once `condition` holds after some message reached the worker's side. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.#worker.close();
  }
}

/** A frame whose samples all equal `value`. */
export function frameOf(value: number): Int16Array {
  return new Int16Array(FRAME_SAMPLES).fill(value);
}
