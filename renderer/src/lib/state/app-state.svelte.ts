// Everything the interface knows, built on one Bridge: the state classes, fed by the engine's events, and the
// loads that fill them at start and again after the web host's socket comes back (events were missed meanwhile).
import type { CallAudioDevice } from '../audio-channel';
import { AudioDevicesState, browserMediaDevices, type MediaDevicesPort } from '../audio/audio-devices.svelte';
import { type AudioTools, webAudioTools } from '../audio/audio-tools';
import { canChooseOutput, startWebAudioSession } from '../audio/web-audio-session';
import { type StartAudioSession, WindowAudio } from '../audio/window-audio.svelte';
import { WORKLET_MODULES } from '../audio/worklet-modules';
import type { Bridge, ConnectionState } from '../bridge';
import { CallAudioController } from '../call-audio-controller.svelte';
import { AccountsState } from './accounts.svelte';
import { AppInfoState } from './app-info.svelte';
import { CallsState } from './calls.svelte';
import { ConnectionStatus } from './connection.svelte';
import { HistoryState } from './history.svelte';
import { Navigation } from './navigation.svelte';
import { RegistrationsState } from './registrations.svelte';
import { SettingsState } from './settings.svelte';

export class AppState {
  readonly info: AppInfoState;
  readonly accounts: AccountsState;
  readonly registrations: RegistrationsState;
  readonly settings: SettingsState;
  readonly calls: CallsState;
  readonly history: HistoryState;
  readonly connection = new ConnectionStatus();
  readonly navigation = new Navigation();
  /**
   * Which call's audio this window plays and captures (the connected call that is not held), attached to
   * `callAudio` unless another device was given; null when the window was built without call audio.
   */
  readonly callAudioRoute: CallAudioController | null;
  /** The microphone, speaker and ringer devices, and the CallAudioDevice calls are heard through. */
  readonly audioDevices: AudioDevicesState;
  readonly callAudio: WindowAudio;
  /** The settings' microphone meter and speaker test. */
  readonly audioTools: AudioTools;
  /** Settles when the load started by start() has finished. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly bridge: Bridge,
    parts: {
      readonly calls?: CallsState;
      readonly history?: HistoryState;
      /**
       * What a call's audio is attached to: the window's microphone and speaker (`callAudio`) when left out,
       * another device when given, none with null.
       */
      readonly audioDevice?: CallAudioDevice | null;
      /** The page's media devices (navigator.mediaDevices unless given; null: none). */
      readonly media?: MediaDevicesPort | null;
      readonly startAudioSession?: StartAudioSession;
      readonly audioTools?: AudioTools;
      /** Whether AudioContext.setSinkId is there (feature-detected unless given). */
      readonly canChooseOutput?: boolean;
    } = {},
  ) {
    this.info = new AppInfoState(bridge);
    this.accounts = new AccountsState(bridge);
    this.registrations = new RegistrationsState(bridge);
    this.settings = new SettingsState(bridge);
    this.calls = parts.calls ?? new CallsState(bridge);
    this.history = parts.history ?? new HistoryState(bridge);
    const media = parts.media === undefined ? browserMediaDevices() : parts.media;
    this.audioDevices = new AudioDevicesState(this.settings, media, {
      canChooseOutput: parts.canChooseOutput ?? canChooseOutput(),
    });
    const getUserMedia = media
      ? (constraints: MediaStreamConstraints) => media.getUserMedia(constraints)
      : null;
    this.audioTools = parts.audioTools ?? webAudioTools(getUserMedia);
    this.callAudio = new WindowAudio(
      this.audioDevices,
      () => {
        const settings = this.settings.value;
        return {
          echoCancellation: settings?.audioEchoCancellation ?? true,
          noiseSuppression: settings?.audioNoiseSuppression ?? true,
          autoGainControl: settings?.audioAutoGainControl ?? true,
        };
      },
      getUserMedia,
      parts.startAudioSession ??
        ((options) => startWebAudioSession({ ...options, modules: WORKLET_MODULES })),
    );
    const device = parts.audioDevice === undefined ? this.callAudio : parts.audioDevice;
    this.callAudioRoute = device ? new CallAudioController(bridge, device) : null;
  }

  /** Subscribes and loads; returns the function that unsubscribes. */
  start(): () => void {
    const { bridge } = this;
    let previous: ConnectionState['kind'] | null = null;
    const stops = [
      bridge.on('accounts.changed', (accounts) => this.accounts.apply(accounts)),
      bridge.on('registration.changed', (status) => this.registrations.receive(status)),
      bridge.on('settings.changed', (settings) => {
        this.settings.apply(settings);
        this.audioDevices.settingsApplied();
      }),
      this.audioDevices.start(),
      bridge.on('call.changed', (call) => this.calls.receive(call)),
      bridge.on('call.quality', (report) => this.calls.receiveQuality(report)),
      this.calls.onEnded((call) => void this.history.callEnded(call)),
      bridge.on('dialpad.open', ({ uri }) => {
        this.navigation.openedUri = uri;
        this.navigation.show('dialpad');
      }),
      bridge.onConnection((state) => {
        this.connection.state = state;
        // Events were lost while the link was down: load again once it is back (the first load is still running
        // when the link first opens, and the web bridge holds its commands until then).
        if (
          state.kind === 'open' &&
          previous !== null &&
          previous !== 'open' &&
          this.info.status !== 'loading'
        ) {
          void this.load();
        }
        previous = state.kind;
      }),
    ];
    if (this.callAudioRoute) stops.push(this.callAudioRoute.start(() => this.calls.list));
    this.ready = this.load();
    return () => {
      for (const stop of stops) stop();
      this.calls.dispose();
      this.callAudio.dispose();
    };
  }

  async load(): Promise<void> {
    await this.info.load();
    if (!this.info.value || this.info.value.storageError) return;
    await Promise.all([
      this.accounts.load(),
      this.registrations.load(),
      this.settings.load(),
      this.calls.load(),
      this.history.load(),
    ]);
    this.audioDevices.settingsApplied();
  }
}
