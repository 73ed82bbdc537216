// An AudioChannel and a CallAudioDevice for tests of what opens, attaches and closes a call's audio: the channel
// records what is sent and lets the test close it from the engine's side; the device records attach and detach.
import type {
  AudioChannel,
  AudioChannelCloseReason,
  CallAudioDevice,
} from '../../../renderer/src/lib/audio-channel';

export class FakeAudioChannel implements AudioChannel {
  readonly sent: Int16Array[] = [];
  droppedFrames = 0;
  closedBy: AudioChannelCloseReason | null = null;
  readonly #frames = new Set<(frame: Int16Array) => void>();
  readonly #closes = new Set<(reason: AudioChannelCloseReason) => void>();

  constructor(readonly callId: string) {}

  send(frame: Int16Array): void {
    if (this.closedBy) this.droppedFrames += 1;
    else this.sent.push(frame);
  }

  onFrame(listener: (frame: Int16Array) => void): () => void {
    this.#frames.add(listener);
    return () => void this.#frames.delete(listener);
  }

  onClose(listener: (reason: AudioChannelCloseReason) => void): () => void {
    this.#closes.add(listener);
    return () => void this.#closes.delete(listener);
  }

  /** The window closed it. */
  close(): void {
    this.end('ended');
  }

  /** The other side closed it (or the window did, with 'ended'). */
  end(reason: AudioChannelCloseReason): void {
    if (this.closedBy) return;
    this.closedBy = reason;
    for (const listener of [...this.#closes]) listener(reason);
  }

  speak(frame: Int16Array): void {
    for (const listener of [...this.#frames]) listener(frame);
  }
}

export class FakeAudioDevice implements CallAudioDevice {
  /** `attach c1`, `detach`, in order. */
  readonly log: string[] = [];
  attached: AudioChannel | null = null;

  attach(channel: AudioChannel): void {
    this.attached = channel;
    this.log.push(`attach ${channel.callId}`);
  }

  detach(): void {
    this.attached = null;
    this.log.push('detach');
  }
}
