// An AppState on the fake engine with fake media devices, a recording session factory and fake audio tools: what
// the audio tests need that renderWithApp does not pass in.
import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import type { AudioChannel, AudioChannelCloseReason } from '../../../renderer/src/lib/audio-channel';
import type { AudioTools, Stoppable } from '../../../renderer/src/lib/audio/audio-tools';
import type { MicrophoneChoice } from '../../../renderer/src/lib/audio/microphone';
import type {
  AudioSessionHandle,
  StartAudioSession,
} from '../../../renderer/src/lib/audio/window-audio.svelte';
import { APP_STATE } from '../../../renderer/src/lib/context';
import { AppState } from '../../../renderer/src/lib/state/app-state.svelte';
import { FakeEngine, type FakeEngineOptions } from '../support/fake-engine';
import { FakeMediaDevices, type FakeDevice } from '../support/fake-media-devices';

export interface RecordedSession extends AudioSessionHandle {
  readonly channel: AudioChannel;
  readonly microphone: MediaStream | null;
  readonly sinkIds: string[];
  closed: boolean;
}

export class FakeChannel implements AudioChannel {
  readonly sent: Int16Array[] = [];
  droppedFrames = 0;
  #close: ((reason: AudioChannelCloseReason) => void)[] = [];
  #frames: ((frame: Int16Array) => void)[] = [];
  constructor(readonly callId: string) {}
  send(frame: Int16Array): void {
    this.sent.push(frame);
  }
  onFrame(listener: (frame: Int16Array) => void): () => void {
    this.#frames.push(listener);
    return () => (this.#frames = this.#frames.filter((other) => other !== listener));
  }
  onClose(listener: (reason: AudioChannelCloseReason) => void): () => void {
    this.#close.push(listener);
    return () => (this.#close = this.#close.filter((other) => other !== listener));
  }
  close(reason: AudioChannelCloseReason = 'ended'): void {
    for (const listener of this.#close.splice(0)) listener(reason);
  }
}

export class FakeAudioTools implements AudioTools {
  readonly meterChoices: MicrophoneChoice[] = [];
  onLevel: ((level: number) => void) | null = null;
  meterStopped = 0;
  toneSinks: string[] = [];
  toneApplies = true;
  constructor(private readonly media: FakeMediaDevices) {}
  async meter(choice: MicrophoneChoice, onLevel: (level: number) => void) {
    this.meterChoices.push(choice);
    const { openMicrophone } = await import('../../../renderer/src/lib/audio/microphone');
    const outcome = await openMicrophone((constraints) => this.media.getUserMedia(constraints), choice);
    if (outcome.kind !== 'open') return { outcome, meter: null };
    this.onLevel = onLevel;
    const meter: Stoppable = { stop: () => this.meterStopped++ };
    return { outcome, meter };
  }
  async testTone(sinkId: string): Promise<boolean> {
    this.toneSinks.push(sinkId);
    return this.toneApplies;
  }
}

export interface AudioAppOptions extends FakeEngineOptions {
  readonly devices?: FakeDevice[];
  readonly canChooseOutput?: boolean;
  readonly sinkApplied?: boolean;
  readonly sessionFails?: boolean;
  /** The page has no navigator.mediaDevices (plain http on another host). */
  readonly noMedia?: boolean;
}

export async function startAudioApp(options: AudioAppOptions = {}) {
  const engine = new FakeEngine(options);
  const media = new FakeMediaDevices(options.devices ?? []);
  const sessions: RecordedSession[] = [];
  const startAudioSession: StartAudioSession = async ({ channel, microphone, sinkId }) => {
    if (options.sessionFails) throw new Error('no audio output');
    const session: RecordedSession = {
      channel,
      microphone,
      sinkIds: [sinkId],
      closed: false,
      // The default output needs no choosing; a chosen one is applied or refused as the test says.
      sinkApplied: sinkId === '' || (options.sinkApplied ?? true),
      async setSinkId(id) {
        session.sinkIds.push(id);
        return id === '' || (options.sinkApplied ?? true);
      },
      close() {
        session.closed = true;
      },
    };
    sessions.push(session);
    return session;
  };
  const tools = new FakeAudioTools(media);
  const app = new AppState(engine.bridge, {
    media: options.noMedia ? null : media,
    startAudioSession,
    audioTools: tools,
    canChooseOutput: options.canChooseOutput ?? true,
  });
  const stop = app.start();
  await app.ready;
  await app.audioDevices.refresh();
  return { engine, app, media, sessions, tools, stop };
}

export async function renderAudioApp<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: Props,
  options: AudioAppOptions = {},
) {
  const started = await startAudioApp(options);
  const view = render(component as Component<Record<string, unknown>>, {
    props,
    context: new Map([[APP_STATE, started.app]]),
  });
  return { ...view, ...started };
}
