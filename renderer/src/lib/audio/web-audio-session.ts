// One call's audio graph on one AudioContext (asked for 48 kHz, the engine's rate, so nothing is resampled):
//
//   microphone ─▶ MediaStreamSource ─▶ capture worklet ──frames──▶ channel.send
//   channel.onFrame ──frames──▶ playback worklet (ring) ─▶ destination (the chosen speaker)
//
// Playing through the context's destination, rather than an <audio> element, keeps the played signal where
// Chromium's echo canceller takes its reference. Built by WindowAudio for each attached channel; tested for real in
// Chromium (test/e2e/window-audio-loop.test.ts), since jsdom has no Web Audio.
import { AUDIO_SAMPLE_RATE, type AudioChannel } from '../audio-channel';
import { resumeOnGesture } from './resume-on-gesture';
import type { WorkletModules } from './worklet-modules';
import {
  CAPTURE_PROCESSOR,
  PLAYBACK_PROCESSOR,
  type PlaybackMessage,
  type PlaybackProcessorOptions,
  type PlaybackStats,
} from './worklet-scope';

/** The playback cushion: 40 ms before playing, never more than 120 ms held. */
export const PLAYBACK_BUFFER: PlaybackProcessorOptions = { targetMs: 40, capacityMs: 120 };

export interface AudioSessionOptions {
  readonly channel: AudioChannel;
  /** null: receive-only (no permission, or no microphone). */
  readonly microphone: MediaStream | null;
  /** '' for the default output. */
  readonly sinkId: string;
  readonly modules: WorkletModules;
  /** The rate to ask the context for; 48 kHz unless a test wants the worklets' resampling path. */
  readonly contextRate?: number;
}

export interface AudioSession {
  readonly context: AudioContext;
  readonly playback: AudioWorkletNode;
  readonly capture: AudioWorkletNode | null;
  /** Whether the speaker could be chosen; false where AudioContext.setSinkId is missing or refused the device. */
  readonly sinkApplied: boolean;
  stats(): Promise<PlaybackStats>;
  setSinkId(sinkId: string): Promise<boolean>;
  close(): void;
}

/** Whether this browser can send an AudioContext to a chosen output (Chromium 110 and later; not Firefox yet). */
export function canChooseOutput(): boolean {
  return typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;
}

function createContext(sampleRate: number): AudioContext {
  try {
    return new AudioContext({ sampleRate, latencyHint: 'interactive' });
  } catch {
    // A platform that cannot run at 48 kHz: the worklets resample.
    return new AudioContext({ latencyHint: 'interactive' });
  }
}

export async function applySinkId(context: AudioContext, sinkId: string): Promise<boolean> {
  if (!('setSinkId' in context)) return sinkId === '';
  try {
    await (context as AudioContext & { setSinkId(id: string): Promise<void> }).setSinkId(sinkId);
    return true;
  } catch {
    return false;
  }
}

export async function startWebAudioSession(options: AudioSessionOptions): Promise<AudioSession> {
  const { channel, microphone, modules } = options;
  const context = createContext(options.contextRate ?? AUDIO_SAMPLE_RATE);
  const stops: (() => void)[] = [];
  try {
    await Promise.all([
      context.audioWorklet.addModule(modules.capture),
      context.audioWorklet.addModule(modules.playback),
    ]);

    const playback = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: PLAYBACK_BUFFER,
    });
    playback.connect(context.destination);
    // Posted as a copy, not transferred: the channel may hand the same frame to other listeners.
    stops.push(channel.onFrame((frame) => playback.port.postMessage(frame satisfies PlaybackMessage)));

    let capture: AudioWorkletNode | null = null;
    if (microphone) {
      const source = context.createMediaStreamSource(microphone);
      capture = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        channelCount: 1,
        channelCountMode: 'explicit',
        channelInterpretation: 'speakers',
      });
      capture.port.onmessage = (event: MessageEvent<Int16Array>) => channel.send(event.data);
      source.connect(capture);
      // The capture node writes only silence; connecting it makes the graph pull it every quantum.
      capture.connect(context.destination);
      stops.push(() => source.disconnect());
    }

    const sinkApplied = options.sinkId === '' ? true : await applySinkId(context, options.sinkId);
    // Started from an event rather than a click, the context may wait for a gesture: it is asked to run now and
    // on the page's next gesture, without holding the call's audio set-up until then.
    stops.push(resumeOnGesture(context, window));

    const session: AudioSession = {
      context,
      playback,
      capture,
      sinkApplied,
      stats: () =>
        new Promise<PlaybackStats>((resolve) => {
          const listener = (event: MessageEvent<PlaybackStats>) => {
            if (event.data.type !== 'stats') return;
            playback.port.removeEventListener('message', listener);
            resolve(event.data);
          };
          playback.port.addEventListener('message', listener);
          playback.port.start();
          playback.port.postMessage({ type: 'stats' } satisfies PlaybackMessage);
        }),
      setSinkId: (sinkId) => applySinkId(context, sinkId),
      close: () => {
        for (const stop of stops.splice(0)) stop();
        if (capture) capture.port.onmessage = null;
        void context.close().catch(() => undefined);
      },
    };
    return session;
  } catch (error) {
    for (const stop of stops.splice(0)) stop();
    void context.close().catch(() => undefined);
    throw error;
  }
}
