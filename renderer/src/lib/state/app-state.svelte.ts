// Everything the interface knows, built on one Bridge: the state classes, fed by the engine's events, and the
// loads that fill them at start and again after the web host's socket comes back (events were missed meanwhile).
import type { CallAudioDevice } from '../audio-channel';
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
  /** Which call's audio this window plays and captures; null without a device to play it on. */
  readonly callAudioRoute: CallAudioController | null;
  /** Settles when the load started by start() has finished. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly bridge: Bridge,
    parts: {
      readonly calls?: CallsState;
      readonly history?: HistoryState;
      /** The window's microphone and speaker for the call that is up (renderer/src/lib/audio/). */
      readonly audioDevice?: CallAudioDevice;
    } = {},
  ) {
    this.info = new AppInfoState(bridge);
    this.accounts = new AccountsState(bridge);
    this.registrations = new RegistrationsState(bridge);
    this.settings = new SettingsState(bridge);
    this.calls = parts.calls ?? new CallsState(bridge);
    this.history = parts.history ?? new HistoryState(bridge);
    this.callAudioRoute = parts.audioDevice ? new CallAudioController(bridge, parts.audioDevice) : null;
  }

  /** Subscribes and loads; returns the function that unsubscribes. */
  start(): () => void {
    const { bridge } = this;
    let previous: ConnectionState['kind'] | null = null;
    const stops = [
      bridge.on('accounts.changed', (accounts) => this.accounts.apply(accounts)),
      bridge.on('registration.changed', (status) => this.registrations.receive(status)),
      bridge.on('settings.changed', (settings) => this.settings.apply(settings)),
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
  }
}
