// One consumer per call's audio. The window's microphone and speaker reach a call through whichever host carries
// the window (Electron's stream port, the web host's binary frames); a second window, or the same one reloaded,
// that opens the call's audio takes it over, and the first is told `replaced`. The call itself never depends on a
// consumer: a consumer that goes away only stops listening. When the call ends its consumer is told `ended`.
//
//   claim(call) ──► held ──► release()                 (the consumer let go: no notice)
//                     ├────► claim(call) again ──► 'replaced' to the old one
//                     ├────► call.changed ended ──► 'ended'
//                     └────► dispose()          ──► 'disconnected'
import type { EngineEventSource } from '../contract/contract';
import type { AudioStreamEndpoint } from '../media/session/audio-stream-endpoint';

export type AudioClaimEnd = 'ended' | 'replaced' | 'disconnected';

/** What the claims need of the engine: each call's audio stream and the call events. */
export interface CallAudioHost {
  readonly events: EngineEventSource;
  audioPort?(callId: string): AudioStreamEndpoint | undefined;
}

export interface AudioConsumer {
  /** Each 20 ms speaker frame of the call while the claim is held. */
  readonly onFrame: (frame: Int16Array) => void;
  /** Called once if the claim ends for any reason other than `release()`. */
  readonly onClose: (reason: AudioClaimEnd) => void;
}

export interface AudioClaim {
  readonly callId: string;
  /** Whether this consumer still holds the call's audio. */
  readonly held: boolean;
  /** One microphone frame as 1,920 bytes of little-endian samples; ignored once the claim has ended. */
  sendFrameBytes(bytes: Uint8Array): void;
  /** One microphone frame of 960 samples; ignored once the claim has ended. */
  sendFrame(frame: Int16Array): void;
  /** Lets go of the call's audio without a notice (the consumer closed it itself). Safe to call twice. */
  release(): void;
}

export class CallAudioClaims {
  readonly #host: CallAudioHost;
  readonly #held = new Map<string, Holder>();
  readonly #unsubscribe: () => void;

  constructor(host: CallAudioHost) {
    this.#host = host;
    this.#unsubscribe = host.events.subscribe((name, payload) => {
      if (name !== 'call.changed') return;
      const call = payload as { readonly id: string; readonly state: string };
      if (call.state === 'ended') this.#held.get(call.id)?.end('ended');
    });
  }

  /** Calls whose audio someone holds; for tests and diagnostics. */
  get heldCount(): number {
    return this.#held.size;
  }

  /**
   * Takes the call's audio for `consumer`, ending the claim of whoever held it (`replaced`). Null when the call
   * has no audio (unknown, ended, not yet with media, or an engine that runs no calls).
   */
  claim(callId: string, consumer: AudioConsumer): AudioClaim | null {
    const stream = this.#host.audioPort?.(callId);
    if (stream === undefined) return null;
    this.#held.get(callId)?.end('replaced');
    const holder = new Holder(callId, stream, consumer, () => {
      if (this.#held.get(callId) === holder) this.#held.delete(callId);
    });
    this.#held.set(callId, holder);
    return holder;
  }

  /** Ends every claim with `disconnected` and stops watching the engine. */
  dispose(): void {
    this.#unsubscribe();
    for (const holder of [...this.#held.values()]) holder.end('disconnected');
  }
}

class Holder implements AudioClaim {
  readonly callId: string;
  readonly #stream: AudioStreamEndpoint;
  readonly #consumer: AudioConsumer;
  readonly #forget: () => void;
  readonly #stopFrames: () => void;
  #held = true;

  constructor(callId: string, stream: AudioStreamEndpoint, consumer: AudioConsumer, forget: () => void) {
    this.callId = callId;
    this.#stream = stream;
    this.#consumer = consumer;
    this.#forget = forget;
    this.#stopFrames = stream.onFrame((frame) => {
      if (this.#held) consumer.onFrame(frame);
    });
  }

  get held(): boolean {
    return this.#held;
  }

  sendFrameBytes(bytes: Uint8Array): void {
    if (this.#held) this.#stream.sendFrameBytes(bytes);
  }

  sendFrame(frame: Int16Array): void {
    if (this.#held) this.#stream.sendFrame(frame);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#stopFrames();
    this.#forget();
  }

  end(reason: AudioClaimEnd): void {
    if (!this.#held) return;
    this.release();
    this.#consumer.onClose(reason);
  }
}
