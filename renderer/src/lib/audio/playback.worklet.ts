// The playback processor (runs in the AudioWorkletGlobalScope): speaker frames from the page go into a bounded ring
// (playback-ring.ts) and come out one render quantum at a time, into the context's destination, where Chromium's
// echo canceller hears them. Frames are converted from 48 kHz when the context runs at another rate.
import { AUDIO_SAMPLE_RATE } from '../audio-channel';
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

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const { targetMs, capacityMs } = options.processorOptions as PlaybackProcessorOptions;
    const samples = (ms: number) => Math.round((ms * scope.sampleRate) / 1000);
    this.#ring = new PlaybackRing({ target: samples(targetMs), capacity: samples(capacityMs) });
    this.port.onmessage = (event: MessageEvent<PlaybackMessage>) => this.#receive(event.data);
  }

  #receive(message: PlaybackMessage): void {
    if (message instanceof Int16Array) {
      if (!this.#resampler) return this.#ring.pushInt16(message);
      const float = new Float32Array(message.length);
      for (let i = 0; i < message.length; i++) float[i] = message[i]! * INT16_SCALE;
      this.#ring.pushFloat(this.#resampler.process(float));
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
