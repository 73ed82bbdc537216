// The capture and playback worklets in an AudioContext that did not get 48 kHz (44.1 kHz here), fed many render
// quanta of a fixed signal. Their output must stay sample for sample what it was before their buffers were
// reused (the digests below were taken from that implementation), and once running they must not make a new
// Float32Array per quantum or per frame: an AudioWorklet's garbage is collected on the audio thread.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadWorklet, removeWorkletScope, type WorkletProcessor } from './fake-worklet-scope';

const CONTEXT_RATE = 44_100;
const QUANTUM = 128;
const FRAME = 960;
/** Samples of the context's rate per 20 ms frame at 48 kHz. */
const CONTEXT_FRAME = (FRAME * CONTEXT_RATE) / 48_000;

/** A fixed signal at `rate`: two tones and a little seeded noise, near full scale at times. */
function signal(count: number, rate: number): Float32Array {
  const out = new Float32Array(count);
  let seed = 12345;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    const noise = (seed / 0x1_0000_0000 - 0.5) * 0.05;
    out[i] =
      0.6 * Math.sin((2 * Math.PI * 440 * i) / rate) +
      0.35 * Math.sin((2 * Math.PI * 3100 * i) / rate) +
      noise;
  }
  return out;
}

/** FNV-1a over the bytes of the samples: equal digests mean equal samples, bit for bit. */
function digest(arrays: readonly (Int16Array | Float32Array)[]): string {
  let hash = 0x811c9dc5;
  for (const array of arrays) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Counts `new Float32Array(...)` anywhere while `run` runs. */
function float32ArraysMadeBy(run: () => void): number {
  const original = globalThis.Float32Array;
  let made = 0;
  globalThis.Float32Array = new Proxy(original, {
    construct(target, args: unknown[], newTarget: new (...args: never[]) => unknown) {
      made++;
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  try {
    run();
  } finally {
    globalThis.Float32Array = original;
  }
  return made;
}

async function processorAt(rate: number, kind: 'capture' | 'playback'): Promise<WorkletProcessor> {
  const Processor = await loadWorklet(rate, () =>
    kind === 'capture'
      ? import('../../../renderer/src/lib/audio/capture.worklet')
      : import('../../../renderer/src/lib/audio/playback.worklet'),
  );
  return new Processor({ processorOptions: { targetMs: 40, capacityMs: 120 } });
}

beforeEach(() => {
  vi.resetModules();
});
afterEach(() => removeWorkletScope());

describe('the capture worklet at 44.1 kHz', () => {
  const QUANTA = 2000;
  const input = signal(QUANTA * QUANTUM, CONTEXT_RATE);

  function capture(processor: WorkletProcessor, from: number, to: number): void {
    for (let quantum = from; quantum < to; quantum++) {
      // A fresh quantum each time, as Web Audio hands the processor its input.
      const samples = input.slice(quantum * QUANTUM, (quantum + 1) * QUANTUM);
      processor.process([[samples]], [[]]);
    }
  }

  it('posts the same 48 kHz frames as before, sample for sample', async () => {
    const processor = await processorAt(CONTEXT_RATE, 'capture');
    capture(processor, 0, QUANTA);
    const frames = processor.port.posted.map((post) => post.message as Int16Array);
    expect(frames.every((frame) => frame instanceof Int16Array && frame.length === FRAME)).toBe(true);
    expect(processor.port.posted.every((post, index) => post.transfer[0] === frames[index]!.buffer)).toBe(
      true,
    );
    expect([frames[100]![0], frames[200]![500]]).toEqual([-6476, 2191]);
    expect({ frames: frames.length, digest: digest(frames) }).toEqual({ frames: 290, digest: '988c9bba' });
  });

  it('makes no Float32Array per quantum once running', async () => {
    const processor = await processorAt(CONTEXT_RATE, 'capture');
    capture(processor, 0, 100);
    expect(float32ArraysMadeBy(() => capture(processor, 100, QUANTA))).toBe(0);
  });
});

describe('the playback worklet at 44.1 kHz', () => {
  const FRAMES = 300;
  const speech = signal(FRAMES * FRAME, 48_000);
  const frames = Array.from({ length: FRAMES }, (_, index) => {
    const frame = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) frame[i] = Math.round(speech[index * FRAME + i]! * 32767);
    return frame;
  });

  const left = new Float32Array(QUANTUM);
  const right = new Float32Array(QUANTUM);

  /** Delivers frames [from, to), each followed by the quanta the card pulls meanwhile, handed to `heard`. */
  function play(
    processor: WorkletProcessor,
    from: number,
    to: number,
    heard: (quantum: Float32Array) => void,
  ): void {
    for (let index = from; index < to; index++) {
      processor.port.deliver(frames[index]);
      const due =
        Math.floor(((index + 1) * CONTEXT_FRAME) / QUANTUM) - Math.floor((index * CONTEXT_FRAME) / QUANTUM);
      for (let quantum = 0; quantum < due; quantum++) {
        processor.process([], [[left, right]]);
        heard(left);
      }
    }
  }

  it('plays the same 44.1 kHz samples as before, sample for sample', async () => {
    const processor = await processorAt(CONTEXT_RATE, 'playback');
    const out: Float32Array[] = [];
    let stereo = true;
    play(processor, 0, FRAMES, (quantum) => {
      out.push(quantum.slice());
      stereo &&= right.every((sample, index) => sample === quantum[index]);
    });
    expect(stereo).toBe(true);
    expect([out[500]![3], out[1000]![100]]).toEqual([-0.010390887968242168, -0.27270546555519104]);
    expect({ quanta: out.length, digest: digest(out) }).toEqual({ quanta: 2067, digest: '4ecf0c91' });
  });

  it('makes no Float32Array per frame received or quantum played once running', async () => {
    const processor = await processorAt(CONTEXT_RATE, 'playback');
    play(processor, 0, 10, () => undefined);
    expect(float32ArraysMadeBy(() => play(processor, 10, FRAMES, () => undefined))).toBe(0);
  });
});
