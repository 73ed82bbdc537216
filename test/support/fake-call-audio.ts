// A call's audio stream as the engine hands it out (a real AudioStreamEndpoint on a real AudioStreamChannel), with
// the media worker's side played by the test: it collects the microphone frames written into the ring, reads the
// speaker ring's listening flag, and writes speaker frames on demand (the endpoint's own poll delivers them).
import { SystemClock } from '../../main/platform/clock';
import { AudioStreamChannel } from '../../main/media/session/audio-stream-channel';
import { AudioStreamEndpoint } from '../../main/media/session/audio-stream-endpoint';
import { framePortOf, type FramePort } from '../../main/media/session/frame-port';

export const FRAME_SAMPLES = 960;

/** A short poll, so a test waiting for a speaker frame does not wait a whole 20 ms frame each time. */
const POLL_MS = 2;

export class FakeCallAudio {
  readonly endpoint: AudioStreamEndpoint;
  /** The shared memory, for a test that makes a second endpoint on the same call (as a recorder would). */
  readonly channel: AudioStreamChannel;
  /** The worker's side, over the buffers as the worker would see them. */
  readonly #worker: FramePort;
  readonly #received: Int16Array[] = [];

  constructor() {
    this.channel = AudioStreamChannel.create();
    this.endpoint = new AudioStreamEndpoint(this.channel, { clock: new SystemClock(), pollMs: POLL_MS });
    const workerSide = AudioStreamChannel.over(this.channel.buffers);
    if (workerSide === null) throw new Error('a fresh channel is always two rings');
    this.#worker = framePortOf(workerSide);
  }

  /** Microphone frames that reached the worker's side, in order. */
  get received(): readonly Int16Array[] {
    for (;;) {
      const frame = new Int16Array(FRAME_SAMPLES);
      if (!this.#worker.takeFrame(frame)) break;
      this.#received.push(frame);
    }
    return this.#received;
  }

  /** Whether the consumer wants speaker frames now (the speaker ring's flag). */
  get listening(): boolean {
    return this.#worker.listening;
  }

  /** Writes one speaker frame whose samples all equal `value` (so a test can tell frames apart). */
  speak(value: number): void {
    this.#worker.putFrame(new Int16Array(FRAME_SAMPLES).fill(value));
  }

  /** Resolves once `condition` holds; the rings carry no messages to wake on, so it looks again every turn. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }

  /** The call's audio has ended: the endpoint's poll stops. */
  close(): void {
    this.channel.close();
  }
}

/** A frame whose samples all equal `value`. */
export function frameOf(value: number): Int16Array {
  return new Int16Array(FRAME_SAMPLES).fill(value);
}
