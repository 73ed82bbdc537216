// Everything the interface knows, built on one Bridge: the state classes, fed by the engine's events, and the
// loads that fill them at start and again after the web host's socket comes back (events were missed meanwhile).
import type { CallAudioDevice } from '../audio-channel';
import { AudioDevicesState, browserMediaDevices, type MediaDevicesPort } from '../audio/audio-devices.svelte';
import { type AudioTools, webAudioTools } from '../audio/audio-tools';
import { canChooseOutput, startWebAudioSession } from '../audio/web-audio-session';
import { type StartAudioSession, WindowAudio } from '../audio/window-audio.svelte';
import { WORKLET_MODULES } from '../audio/worklet-modules';
import { type RingOutputs, type RingPlayer, RingController } from '../audio/ring-controller.svelte';
import { RingtonePlayer, browserRingContext, browserRingTimer } from '../audio/ringtone';
import type { Bridge, ConnectionState } from '../bridge';
import { peerTitle } from '../call-text';
import { CallAudioController } from '../call-audio-controller.svelte';
import { AccountsState } from './accounts.svelte';
import { AppInfoState } from './app-info.svelte';
import {
  type NotificationPort,
  type PagePresence,
  CallNotifier,
  browserNotificationPort,
  browserPagePresence,
} from './call-notifier.svelte';
import { CallsState } from './calls.svelte';
import { ConnectionStatus } from './connection.svelte';
import { ContactsState } from './contacts.svelte';
import { HistoryState } from './history.svelte';
import { MessageNotifier } from './message-notifier.svelte';
import { type ChatClock, MessagesState, browserChatClock } from './messages.svelte';
import { Navigation } from './navigation.svelte';
import { PresenceState } from './presence.svelte';
import { RegistrationsState } from './registrations.svelte';
import { SettingsState } from './settings.svelte';

export class AppState {
  readonly info: AppInfoState;
  readonly accounts: AccountsState;
  readonly registrations: RegistrationsState;
  readonly settings: SettingsState;
  readonly calls: CallsState;
  readonly history: HistoryState;
  /** The address book, its search and `nameFor(uri)`, which names people everywhere. */
  readonly contacts: ContactsState;
  /** Buddies' presence, our own status per account, and who watches us. */
  readonly presence: PresenceState;
  /** Conversations, the open thread, typing and search. */
  readonly messages: MessagesState;
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
  /** The ringtone, ring-back and call-waiting tones. */
  readonly ring: RingController;
  /** The web host's system notifications for calls (the desktop app's come from its main process). */
  readonly callNotifier: CallNotifier;
  /**
   * New-message notices: inside the window when it is in front, and the web host's system notifications when it
   * is not (the desktop app's come from its main process).
   */
  readonly messageNotifier: MessageNotifier;
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
      readonly ringPlayer?: RingPlayer;
      /** Where the tones play; the audio device settings' choice once they are wired in. */
      readonly ringOutputs?: RingOutputs;
      /** The browser's notifications (null: none) and whether the tab is in view. */
      readonly notifications?: NotificationPort | null;
      readonly presence?: PagePresence;
      /** Time for the chat's typing indicators (the browser's unless given). */
      readonly chatClock?: ChatClock;
    } = {},
  ) {
    this.info = new AppInfoState(bridge);
    this.accounts = new AccountsState(bridge);
    this.registrations = new RegistrationsState(bridge);
    this.settings = new SettingsState(bridge);
    this.calls = parts.calls ?? new CallsState(bridge);
    this.history = parts.history ?? new HistoryState(bridge);
    this.contacts = new ContactsState(bridge);
    this.presence = new PresenceState(bridge);
    this.messages = new MessagesState(
      bridge,
      parts.presence ?? browserPagePresence,
      parts.chatClock,
      undefined,
      (peer) => this.titleOf(peer),
    );
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
    const player =
      parts.ringPlayer ??
      new RingtonePlayer({
        createContext: browserRingContext,
        timer: browserRingTimer,
        onChange: (playback) => this.ring.playbackChanged(playback),
      });
    this.ring = new RingController(
      {
        calls: this.calls,
        accounts: this.accounts,
        settings: this.settings,
        outputs: parts.ringOutputs ?? this.audioDevices,
      },
      player,
    );
    const notifications = parts.notifications === undefined ? browserNotificationPort() : parts.notifications;
    this.callNotifier = new CallNotifier(
      this.calls,
      notifications,
      parts.presence ?? browserPagePresence,
      (peer) => this.titleOf(peer),
    );
    this.messageNotifier = new MessageNotifier({
      bridge,
      messages: this.messages,
      port: bridge.kind === 'web' ? notifications : null,
      page: parts.presence ?? browserPagePresence,
      clock: parts.chatClock ?? browserChatClock,
      titleOf: (peer) => this.titleOf(peer),
      open: (conversationId) => this.openConversation(conversationId),
    });
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
      bridge.on('contacts.changed', (change) => this.contacts.apply(change)),
      bridge.on('buddy.changed', (buddy) => this.presence.buddyChanged(buddy)),
      bridge.on('buddy.removed', ({ contactId }) => this.presence.buddyRemoved(contactId)),
      bridge.on('presence.changed', (own) => this.presence.ownChanged(own)),
      bridge.on('watchers.changed', (watchers) => this.presence.watchersChanged(watchers)),
      this.calls.onEnded((call) => void this.history.callEnded(call)),
      this.messages.start(),
      this.messageNotifier.start(),
      bridge.on('chat.open', ({ conversationId }) => this.openConversation(conversationId)),
      this.ring.start(),
      bridge.kind === 'web' ? this.callNotifier.start() : () => undefined,
      bridge.on('dialpad.open', ({ uri }) => {
        this.openLink(uri);
        // Taking it tells the engine it arrived; one this window misses by reloading stays there for the next load.
        void this.#takeWaitingLinks(uri);
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
    this.ready = this.load().then(() => this.#takeWaitingLinks());
    return () => {
      for (const stop of stops) stop();
      this.calls.dispose();
      this.callAudio.dispose();
    };
  }

  /**
   * Takes the links the engine holds for the window: those that came before it listened (the app was started by a
   * click on one, or the window was reloading), or the one just announced (`shown`, already on the dialpad).
   */
  async #takeWaitingLinks(shown?: string): Promise<void> {
    if (!this.info.value || this.info.value.storageError) return;
    const result = await this.bridge.invoke('dialpad.ready');
    // Only the newest fills the dialpad; an engine without the command (an older one) simply has none waiting.
    const newest = result.ok ? result.value.at(-1) : undefined;
    if (newest !== undefined && newest !== shown) this.openLink(newest);
  }

  /** Shows the chat, at this conversation when one is given (a clicked new-message notice). */
  openConversation(conversationId: string | null): void {
    this.navigation.show('chat');
    if (conversationId !== null) void this.messages.openConversation(conversationId);
  }

  /** What to call a far end: the contact holding its address, else the name it sent, else its address. */
  titleOf(peer: { readonly peerName: string | null; readonly peerUri: string }): string {
    return this.contacts.nameFor(peer.peerUri) ?? peerTitle(peer);
  }

  /** A sip:/tel: link from outside: the dialpad shows it (checked there) for the person to call or not. */
  openLink(uri: string): void {
    this.navigation.openedUri = uri;
    this.navigation.show('dialpad');
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
      this.contacts.load(),
      this.presence.load(),
      this.messages.load(),
    ]);
    this.audioDevices.settingsApplied();
  }
}
