// A page for test/e2e/window-audio-loop.test.ts, built by Vite like the renderer (so the worklets load the way the
// app loads them, as separate bundles under the same CSP): the fake microphone → capture worklet → a channel that
// sends every frame straight back → playback worklet → destination. It records what the channel received and what
// the playback node put out, for the test to measure.
import {
  AUDIO_FRAME_SAMPLES,
  type AudioChannel,
  type AudioChannelCloseReason,
} from '../../../../renderer/src/lib/audio-channel';
import { openMicrophone } from '../../../../renderer/src/lib/audio/microphone';
import { startWebAudioSession } from '../../../../renderer/src/lib/audio/web-audio-session';
import { WORKLET_MODULES } from '../../../../renderer/src/lib/audio/worklet-modules';
import type { LagResult, LoopResult } from '../audio-loop-result';

/** Keeps the last `keep` samples sent, and how many frames of which lengths came. */
class LoopbackChannel implements AudioChannel {
  readonly callId = 'loop';
  droppedFrames = 0;
  frames = 0;
  wrongLength = 0;
  readonly recent: Int16Array[] = [];
  #listeners: ((frame: Int16Array) => void)[] = [];

  constructor(private readonly keep: number) {}

  send(frame: Int16Array): void {
    this.frames++;
    if (frame.length !== AUDIO_FRAME_SAMPLES) {
      this.wrongLength++;
      return;
    }
    this.recent.push(frame.slice());
    while (this.recent.length * AUDIO_FRAME_SAMPLES > this.keep) this.recent.shift();
    for (const listener of this.#listeners) listener(frame);
  }

  onFrame(listener: (frame: Int16Array) => void): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((other) => other !== listener));
  }

  onClose(_listener: (reason: AudioChannelCloseReason) => void): () => void {
    return () => {};
  }

  close(): void {}
}

async function runAudioLoop(seconds: number, contextRate: number): Promise<LoopResult> {
  const microphone = await openMicrophone((constraints) => navigator.mediaDevices.getUserMedia(constraints), {
    deviceId: '',
    // Off, so the levels compare the worklets alone: a steady tone is exactly what noise suppression removes.
    echoCancellation: false,
    noiseSuppression: false,
    autoGainControl: false,
  });
  if (microphone.kind !== 'open') throw new Error(`microphone: ${microphone.kind}`);
  const channel = new LoopbackChannel(48_000);
  const session = await startWebAudioSession({
    channel,
    microphone: microphone.stream,
    sinkId: '',
    modules: WORKLET_MODULES,
    contextRate,
  });
  const analyser = new AnalyserNode(session.context, { fftSize: 32_768 });
  session.playback.connect(analyser);
  await new Promise((done) => setTimeout(done, seconds * 1000));
  const played = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(played);
  const stats = await session.stats();
  const captured = channel.recent.flatMap((frame) => [...frame]);
  const result: LoopResult = {
    microphone: microphone.kind,
    contextRate: session.context.sampleRate,
    frames: channel.frames,
    wrongLength: channel.wrongLength,
    captured,
    played: [...played],
    stats,
  };
  session.close();
  for (const track of microphone.stream.getTracks()) track.stop();
  return result;
}

/**
 * The window's own share of the mouth-to-ear delay: the microphone's signal (a second source on the same track, in
 * the same context) against what the playback node puts out after the loop, both snapshotted in one task, so on
 * one AudioContext clock. The test finds the clicks in both and reads the lag.
 */
async function measureLoopLag(seconds: number): Promise<LagResult> {
  const microphone = await openMicrophone((constraints) => navigator.mediaDevices.getUserMedia(constraints), {
    deviceId: '',
    echoCancellation: false,
    noiseSuppression: false,
    autoGainControl: false,
  });
  if (microphone.kind !== 'open') throw new Error(`microphone: ${microphone.kind}`);
  const channel = new LoopbackChannel(0);
  const session = await startWebAudioSession({
    channel,
    microphone: microphone.stream,
    sinkId: '',
    modules: WORKLET_MODULES,
  });
  const input = new AnalyserNode(session.context, { fftSize: 32_768 });
  session.context.createMediaStreamSource(microphone.stream).connect(input);
  const output = new AnalyserNode(session.context, { fftSize: 32_768 });
  session.playback.connect(output);
  await new Promise((done) => setTimeout(done, seconds * 1000));
  const heard = new Float32Array(input.fftSize);
  const played = new Float32Array(output.fftSize);
  input.getFloatTimeDomainData(heard);
  output.getFloatTimeDomainData(played);
  const result: LagResult = {
    contextRate: session.context.sampleRate,
    baseLatency: session.context.baseLatency,
    input: [...heard],
    played: [...played],
  };
  session.close();
  for (const track of microphone.stream.getTracks()) track.stop();
  return result;
}

Object.assign(window, { runAudioLoop, measureLoopLag });
