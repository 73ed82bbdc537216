// The window's microphone and speaker for the one call that should be heard: the CallAudioDevice the call
// controller attaches a call's channel to. Each attach opens the microphone with the current choices (falling back
// to the default device when the chosen one is gone) and builds a Web Audio session; a denied or missing
// microphone leaves the call receive-only, with the reason in `problem` for the call screen and the settings.
// Attaches and detaches may overlap (a quick hold, a swap): only the newest one's session survives.
import type { AudioChannel, CallAudioDevice } from '../audio-channel';
import type { AudioDevicesState } from './audio-devices.svelte';
import {
  type GetUserMedia,
  type MicrophoneChoice,
  type MicrophoneOutcome,
  openMicrophone,
} from './microphone';

/** What WindowAudio needs of a built session (web-audio-session.ts gives more, for tests and stats). */
export interface AudioSessionHandle {
  readonly sinkApplied: boolean;
  setSinkId(sinkId: string): Promise<boolean>;
  close(): void;
}

export type StartAudioSession = (options: {
  readonly channel: AudioChannel;
  readonly microphone: MediaStream | null;
  readonly sinkId: string;
}) => Promise<AudioSessionHandle>;

export type AudioStatus =
  /** No call attached. */
  | 'off'
  | 'starting'
  /** Capturing and playing. */
  | 'live'
  /** Playing only: no microphone (see `problem`). */
  | 'receive-only'
  /** The audio graph could not be built (see `problem`). */
  | 'failed';

export type MicrophoneProblem =
  Exclude<MicrophoneOutcome, { kind: 'open' }> | { readonly kind: 'session'; readonly message: string };

export class WindowAudio implements CallAudioDevice {
  status = $state<AudioStatus>('off');
  callId = $state<string | null>(null);
  problem = $state<MicrophoneProblem | null>(null);
  /** The chosen microphone was gone and the default one is capturing. */
  microphoneFellBack = $state(false);
  /** The chosen speaker could not be used for this call. */
  speakerRefused = $state(false);
  #generation = 0;
  #session: AudioSessionHandle | null = null;
  #stream: MediaStream | null = null;
  #stopChannel: (() => void) | null = null;
  /** The attached channel, and the microphone it was opened with (the effective id at the time). */
  #channel: AudioChannel | null = null;
  #microphoneId = '';
  readonly #stopDevices: () => void;

  constructor(
    private readonly devices: AudioDevicesState,
    private readonly choice: () => Omit<MicrophoneChoice, 'deviceId'>,
    private readonly getUserMedia: GetUserMedia | null,
    private readonly startSession: StartAudioSession,
  ) {
    this.#stopDevices = devices.onChange(() => this.#devicesChanged());
  }

  attach(channel: AudioChannel): void {
    this.detach();
    const generation = ++this.#generation;
    this.#channel = channel;
    this.#microphoneId = this.devices.microphoneId;
    this.callId = channel.callId;
    this.status = 'starting';
    this.problem = null;
    this.#stopChannel = channel.onClose(() => {
      if (generation === this.#generation) this.detach();
    });
    void this.#start(channel, generation);
  }

  detach(): void {
    this.#generation++;
    this.#stopChannel?.();
    this.#stopChannel = null;
    this.#channel = null;
    this.#session?.close();
    this.#session = null;
    stopTracks(this.#stream);
    this.#stream = null;
    this.callId = null;
    this.status = 'off';
    this.microphoneFellBack = false;
    this.speakerRefused = false;
  }

  /** Stops following device changes (the window is going away). */
  dispose(): void {
    this.detach();
    this.#stopDevices();
  }

  async #start(channel: AudioChannel, generation: number): Promise<void> {
    const outcome = await openMicrophone(this.getUserMedia, {
      ...this.choice(),
      deviceId: this.devices.microphoneId,
    });
    const stream = outcome.kind === 'open' ? outcome.stream : null;
    if (generation !== this.#generation) return stopTracks(stream);
    this.#stream = stream;
    this.problem = outcome.kind === 'open' ? null : outcome;
    // Fell back here (the device vanished after the list was read), or the list already said it is unplugged.
    this.microphoneFellBack =
      outcome.kind === 'open' &&
      (outcome.fellBack || (this.devices.chosen('microphone') !== '' && this.devices.microphoneId === ''));
    // The browser names its devices once the microphone has been allowed: read the lists again.
    if (stream) void this.devices.refresh();
    let session: AudioSessionHandle;
    try {
      session = await this.startSession({ channel, microphone: stream, sinkId: this.devices.speakerSinkId });
    } catch (error) {
      if (generation !== this.#generation) return;
      this.problem = { kind: 'session', message: error instanceof Error ? error.message : String(error) };
      this.status = 'failed';
      return;
    }
    if (generation !== this.#generation) return session.close();
    this.#session = session;
    this.speakerRefused = !session.sinkApplied;
    this.status = stream ? 'live' : 'receive-only';
  }

  /**
   * A device in effect changed during a call. Another microphone (chosen, unplugged and replaced by the default,
   * or plugged back) means opening it: the call's audio restarts on the same channel, a gap of a few frames. The
   * speaker moves without a restart.
   */
  #devicesChanged(): void {
    const channel = this.#channel;
    if (channel && this.devices.microphoneId !== this.#microphoneId) this.attach(channel);
    else void this.#applySpeaker();
  }

  async #applySpeaker(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const applied = await session.setSinkId(this.devices.speakerSinkId);
    if (session === this.#session) this.speakerRefused = !applied;
  }
}

function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
