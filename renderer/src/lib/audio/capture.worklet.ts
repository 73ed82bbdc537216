// The capture processor (runs in the AudioWorkletGlobalScope): the microphone's render quanta, converted to 48 kHz
// when the context runs at another rate, cut into 20 ms Int16 frames, each posted to the page with its buffer
// transferred. It writes nothing to its output: it is connected onward only so the graph keeps pulling it. The
// 48 kHz samples of a quantum go into one buffer kept for the next (grown only for a longer quantum), so running
// makes no garbage but the frames it hands over.
import { AUDIO_SAMPLE_RATE } from '../audio-channel';
import { FrameCutter } from './frame-cutter';
import { StreamResampler } from './stream-resampler';
import { CAPTURE_PROCESSOR, workletScope } from './worklet-scope';

const scope = workletScope();

class CaptureProcessor extends scope.AudioWorkletProcessor {
  readonly #resampler =
    scope.sampleRate === AUDIO_SAMPLE_RATE ? null : new StreamResampler(scope.sampleRate, AUDIO_SAMPLE_RATE);
  readonly #cutter = new FrameCutter((frame) => this.port.postMessage(frame, [frame.buffer]));
  #resampled = new Float32Array(0);

  process(inputs: Float32Array[][]): boolean {
    // The node is built with one input of one channel (explicit mode), so a stereo microphone is mixed down
    // by Web Audio; no input connected means an empty list.
    const samples = inputs[0]?.[0];
    if (!samples) return true;
    const resampler = this.#resampler;
    if (!resampler) {
      this.#cutter.push(samples);
      return true;
    }
    const room = resampler.maxOutput(samples.length);
    if (this.#resampled.length < room) this.#resampled = new Float32Array(room);
    this.#cutter.push(this.#resampled, resampler.processInto(samples, this.#resampled));
    return true;
  }
}

scope.registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
