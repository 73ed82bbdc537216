// A media worker for tests of what sits above it (the engine's media port, the CLI's call runner): it answers every
// command at once, keeps a log of them, hands out even RTP ports from 40000, and gives each call a real
// AudioStreamChannel (shared-memory rings) so WAV players and recorders can be attached. The test plays the
// worker's side: `speak(callId, frame)` puts a speaker frame, `micFrames(callId)` reads what the call sent,
// `emit(event)` raises a worker event, and `refuse` makes the next commands of a kind fail.
import type { Result } from '../../main/contract/result';
import { FRAME_SAMPLES } from '../../main/media/media-seams';
import { AudioStreamChannel } from '../../main/media/session/audio-stream-channel';
import type {
  AllocatedPorts,
  MediaEvent,
  MediaFailure,
  StreamParams,
} from '../../main/media/session/media-worker-protocol';
import type { MediaWorker } from '../../main/services/worker-media-port';

export type FakeWorkerCommand =
  | { readonly kind: 'allocate'; readonly callId: string; readonly bindAddress: string }
  | { readonly kind: 'start'; readonly callId: string; readonly params: StreamParams }
  | { readonly kind: 'update'; readonly callId: string; readonly params: StreamParams }
  | { readonly kind: 'mute'; readonly callId: string; readonly muted: boolean }
  | { readonly kind: 'dtmf'; readonly callId: string; readonly digits: string }
  | { readonly kind: 'stop'; readonly callId: string };

interface FakeCall {
  readonly audio: AudioStreamChannel;
  /** Microphone frames read from the ring so far. */
  readonly mic: Int16Array[];
}

export class FakeMediaWorker implements MediaWorker {
  readonly commands: FakeWorkerCommand[] = [];
  /** Command kinds answered with this failure until cleared. */
  readonly refuse = new Map<FakeWorkerCommand['kind'], MediaFailure>();
  readonly #calls = new Map<string, FakeCall>();
  readonly #listeners = new Set<(event: MediaEvent) => void>();
  #nextPort = 40_000;

  get callIds(): string[] {
    return [...this.#calls.keys()];
  }

  allocate(callId: string, bindAddress: string): Promise<Result<AllocatedPorts, MediaFailure>> {
    this.commands.push({ kind: 'allocate', callId, bindAddress });
    const refused = this.refuse.get('allocate');
    if (refused) return Promise.resolve({ ok: false, error: refused });
    if (this.#calls.has(callId))
      return Promise.resolve({ ok: false, error: { code: 'duplicate-call', message: callId } });
    this.#calls.set(callId, { audio: AudioStreamChannel.create(), mic: [] });
    const rtpPort = this.#nextPort;
    this.#nextPort += 2;
    return Promise.resolve({ ok: true, value: { rtpPort, rtcpPort: rtpPort + 1 } });
  }

  audioPort(callId: string): AudioStreamChannel | undefined {
    return this.#calls.get(callId)?.audio;
  }

  start(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>> {
    return this.#command({ kind: 'start', callId, params });
  }

  update(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>> {
    return this.#command({ kind: 'update', callId, params });
  }

  setMuted(callId: string, muted: boolean): Promise<Result<null, MediaFailure>> {
    return this.#command({ kind: 'mute', callId, muted });
  }

  sendDtmf(callId: string, digits: string): Promise<Result<null, MediaFailure>> {
    return this.#command({ kind: 'dtmf', callId, digits });
  }

  stop(callId: string): Promise<Result<null, MediaFailure>> {
    const result = this.#command({ kind: 'stop', callId });
    this.#close(callId);
    return result;
  }

  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Raises a worker event; an `error` releases the call as the real host does. */
  emit(event: MediaEvent): void {
    if (event.type === 'error') this.#close(event.callId);
    for (const listener of [...this.#listeners]) listener(event);
  }

  /** Puts one speaker frame for the call's consumer, as a tick of the real worker would (if it listens). */
  speak(callId: string, frame: Int16Array): boolean {
    const call = this.#calls.get(callId);
    if (call === undefined || !call.audio.speaker.listening) return false;
    call.audio.speaker.write(frame);
    return true;
  }

  /** Microphone frames the call's consumer has sent so far. */
  micFrames(callId: string): readonly Int16Array[] {
    const call = this.#calls.get(callId);
    if (call === undefined) return [];
    for (;;) {
      const frame = new Int16Array(FRAME_SAMPLES);
      if (!call.audio.microphone.read(frame)) return call.mic;
      call.mic.push(frame);
    }
  }

  /** The commands of one kind, in order. */
  of<K extends FakeWorkerCommand['kind']>(kind: K): Array<Extract<FakeWorkerCommand, { kind: K }>> {
    return this.commands.filter(
      (command): command is Extract<FakeWorkerCommand, { kind: K }> => command.kind === kind,
    );
  }

  /** Closes every call's audio stream, so no consumer keeps polling it. */
  close(): void {
    for (const callId of [...this.#calls.keys()]) this.#close(callId);
  }

  #command(command: FakeWorkerCommand): Promise<Result<null, MediaFailure>> {
    this.commands.push(command);
    const refused = this.refuse.get(command.kind);
    if (refused) return Promise.resolve({ ok: false, error: refused });
    if (!this.#calls.has(command.callId))
      return Promise.resolve({ ok: false, error: { code: 'unknown-call', message: command.callId } });
    return Promise.resolve({ ok: true, value: null });
  }

  #close(callId: string): void {
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    this.#calls.delete(callId);
    call.audio.close();
  }
}
