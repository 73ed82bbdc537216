// A call's audio stream in shared memory: two FrameRings, one per direction, made by the main thread when it
// allocates the call's media and posted to the media worker inside the `allocate` message (a SharedArrayBuffer is
// shared, not copied, by postMessage).
//
//   consumer (AudioStreamEndpoint)                        media worker (CallStream's tick)
//     sendFrame ──► microphone ring (consumer produces) ──► one frame taken per tick (none: an underrun)
//     poll ◄─────── speaker ring (worker produces) ◄─────── one frame put per tick, only while `listening`
//
// Each ring holds 25 frames (500 ms) before its oldest is dropped and counted: room for a player's lead and for a
// main thread stalled 200 ms.
import { FrameRing } from './frame-ring';

/** Frames a ring holds before the oldest is dropped: 500 ms. */
export const AUDIO_RING_FRAMES = 25;

/** The memory of a channel, as it travels between threads. */
export interface AudioStreamBuffers {
  readonly microphone: SharedArrayBuffer;
  readonly speaker: SharedArrayBuffer;
}

export class AudioStreamChannel {
  readonly microphone: FrameRing;
  readonly speaker: FrameRing;

  private constructor(microphone: FrameRing, speaker: FrameRing) {
    this.microphone = microphone;
    this.speaker = speaker;
  }

  static create(): AudioStreamChannel {
    return new AudioStreamChannel(
      FrameRing.create({ limit: AUDIO_RING_FRAMES }),
      FrameRing.create({ limit: AUDIO_RING_FRAMES }),
    );
  }

  /** The channel whose buffers another thread posted, or null when they are not two rings. */
  static over(buffers: unknown): AudioStreamChannel | null {
    if (typeof buffers !== 'object' || buffers === null) return null;
    const { microphone, speaker } = buffers as Partial<Record<keyof AudioStreamBuffers, unknown>>;
    if (microphone === speaker) return null;
    const microphoneRing = FrameRing.over(microphone);
    const speakerRing = FrameRing.over(speaker);
    return microphoneRing === null || speakerRing === null
      ? null
      : new AudioStreamChannel(microphoneRing, speakerRing);
  }

  get buffers(): AudioStreamBuffers {
    return { microphone: this.microphone.buffer, speaker: this.speaker.buffer };
  }

  /** The call's audio has ended (either side may say so): a consumer polling the speaker ring stops. */
  get closed(): boolean {
    return this.microphone.closed || this.speaker.closed;
  }

  close(): void {
    this.microphone.close();
    this.speaker.close();
  }
}
