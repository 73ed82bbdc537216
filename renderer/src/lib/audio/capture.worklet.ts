// The capture processor (runs in the AudioWorkletGlobalScope): the microphone's render quanta, converted to 48 kHz
// when the context runs at another rate, cut into 20 ms Int16 frames, each posted to the page with its buffer
// transferred. It writes nothing to its output: it is connected onward only so the graph keeps pulling it.
import { AUDIO_SAMPLE_RATE } from '../audio-channel';
import { FrameCutter } from './frame-cutter';
import { StreamResampler } from './stream-resampler';
import { CAPTURE_PROCESSOR, workletScope } from './worklet-scope';

const scope = workletScope();

class CaptureProcessor extends scope.AudioWorkletProcessor {
  readonly #resampler =
    scope.sampleRate === AUDIO_SAMPLE_RATE ? null : new StreamResampler(scope.sampleRate, AUDIO_SAMPLE_RATE);
  readonly #cutter = new FrameCutter((frame) => this.port.postMessage(frame, [frame.buffer]));

  process(inputs: Float32Array[][]): boolean {
    // The node is built with one input of one channel (explicit mode), so a stereo microphone is mixed down
    // by Web Audio; no input connected means an empty list.
    const samples = inputs[0]?.[0];
    if (samples) this.#cutter.push(this.#resampler ? this.#resampler.process(samples) : samples);
    return true;
  }
}

scope.registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
