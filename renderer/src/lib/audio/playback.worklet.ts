// The playback processor (runs in the AudioWorkletGlobalScope): speaker frames from the page go into a bounded ring
// (playback-ring.ts) and come out one render quantum at a time, into the context's destination, where Chromium's
// echo canceller hears them. Frames are converted from 48 kHz when the context runs at another rate, through two
// buffers kept from frame to frame (the frame as floats, and what the resampler makes of it), so a frame leaves
// no garbage on the audio thread.
import { AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE } from '../audio-channel';
import { PlaybackRing } from './playback-ring';
import { StreamResampler } from './stream-resampler';
import {
  PLAYBACK_PROCESSOR,
  type PlaybackMessage,
  type PlaybackProcessorOptions,
  type PlaybackStats,
  workletScope,
} from './worklet-scope';

const scope = workletScope();
const INT16_SCALE = 1 / 32768;

class PlaybackProcessor extends scope.AudioWorkletProcessor {
  readonly #ring: PlaybackRing;
  readonly #resampler =
    scope.sampleRate === AUDIO_SAMPLE_RATE ? null : new StreamResampler(AUDIO_SAMPLE_RATE, scope.sampleRate);
  /** The frame being resampled, as floats; frames are all AUDIO_FRAME_SAMPLES long, so made once. */
  #float = new Float32Array(AUDIO_FRAME_SAMPLES);
  #resampled = new Float32Array(0);

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const { targetMs, capacityMs } = options.processorOptions as PlaybackProcessorOptions;
    const samples = (ms: number) => Math.round((ms * scope.sampleRate) / 1000);
    this.#ring = new PlaybackRing({ target: samples(targetMs), capacity: samples(capacityMs) });
    this.port.onmessage = (event: MessageEvent<PlaybackMessage>) => this.#receive(event.data);
  }

  #receive(message: PlaybackMessage): void {
    if (message instanceof Int16Array) {
      const resampler = this.#resampler;
      if (!resampler) return this.#ring.pushInt16(message);
      if (this.#float.length !== message.length) this.#float = new Float32Array(message.length);
      const float = this.#float;
      for (let i = 0; i < message.length; i++) float[i] = message[i]! * INT16_SCALE;
      const room = resampler.maxOutput(float.length);
      if (this.#resampled.length < room) this.#resampled = new Float32Array(room);
      this.#ring.pushFloat(this.#resampled, resampler.processInto(float, this.#resampled));
    } else if (message.type === 'clear') {
      this.#ring.clear();
    } else if (message.type === 'stats') {
      const stats: PlaybackStats = {
        type: 'stats',
        ...this.#ring.counters,
        fill: this.#ring.fill,
        sampleRate: scope.sampleRate,
      };
      this.port.postMessage(stats);
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const output = outputs[0];
    const first = output?.[0];
    if (!output || !first) return true;
    this.#ring.pull(first);
    for (let channel = 1; channel < output.length; channel++) output[channel]!.set(first);
    return true;
  }
}

scope.registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
