// The resampler's frequency response, measured by sending sine sweeps through the streaming converter in 20 ms
// frames and reading the output numerically: pass-band flatness and stop-band rejection for G.711's 48 ⇄ 8 kHz
// (in one stage, and in the two stages through 16 kHz that the G.711 adapters use, which must respond as the one
// stage does), bit-exact continuity across frame edges, and the general converter for WAV rates.
import { describe, expect, it } from 'vitest';
import { Resampler, TELEPHONE_BAND, resampleAll } from '../../../../main/media/codecs/resampler';
import {
  telephoneDownsampler,
  telephoneUpsampler,
  type FrameResampler,
} from '../../../../main/media/codecs/telephone-resampler';
import { errorDb, rms, sine, toneAmplitude } from './signal-analysis';

const AMPLITUDE = 30_000;

/** Feeds `input` through `resampler` in pieces of `chunk` samples, as the media path does. */
function stream(resampler: FrameResampler, input: Int16Array, chunk: number): Int16Array {
  const parts: Int16Array[] = [];
  for (let offset = 0; offset < input.length; offset += chunk) {
    parts.push(resampler.process(input.subarray(offset, offset + chunk)));
  }
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** What is left of `samples` once the tone at `frequency` (fitted by one DFT bin) is taken out. */
function residualRms(samples: Int16Array, sampleRate: number, frequency: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < samples.length; i++) {
    const phase = (2 * Math.PI * frequency * i) / sampleRate;
    re += samples[i]! * Math.sin(phase);
    im += samples[i]! * Math.cos(phase);
  }
  const a = (2 * re) / samples.length;
  const b = (2 * im) / samples.length;
  const residual = Int16Array.from(samples, (value, i) => {
    const phase = (2 * Math.PI * frequency * i) / sampleRate;
    return value - (a * Math.sin(phase) + b * Math.cos(phase));
  });
  return rms(residual);
}

const db = (ratio: number): number => 20 * Math.log10(ratio);
const frequencies = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/**
 * One tone through a fresh converter: 8 frames of 20 ms, the first three dropped so the filter has settled; the
 * 100 ms left hold whole periods of any frequency on a 10 Hz grid.
 */
function toneThrough(
  make: () => FrameResampler,
  frequency: number,
): { readonly out: Int16Array; readonly outputRate: number } {
  const resampler = make();
  const { inputRate, outputRate } = resampler;
  const frame = inputRate / 50;
  const out = stream(resampler, sine(frequency, inputRate, frame * 8, AMPLITUDE), frame);
  return { out: out.subarray((outputRate / 50) * 3), outputRate };
}

/** The gain in dB of a tone at each frequency. */
function gainsDb(make: () => FrameResampler, at: readonly number[]): number[] {
  return at.map((frequency) => {
    const { out, outputRate } = toneThrough(make, frequency);
    return db(toneAmplitude(out, outputRate, frequency) / AMPLITUDE);
  });
}

/** What comes out of a tone, in dB of the tone, when it should all be filtered away. */
function leakDb(make: () => FrameResampler, frequency: number): number {
  return db(rms(toneThrough(make, frequency).out) / (AMPLITUDE / Math.SQRT2));
}

/** What comes out besides the tone itself (the images of upsampling), in dB of the tone. */
function imagesDb(make: () => FrameResampler, frequency: number): number {
  const { out, outputRate } = toneThrough(make, frequency);
  return db(residualRms(out, outputRate, frequency) / (AMPLITUDE / Math.SQRT2));
}

const converters = [
  {
    name: 'one stage',
    down: () => new Resampler(48_000, 8000, TELEPHONE_BAND),
    up: () => new Resampler(8000, 48_000, TELEPHONE_BAND),
  },
  { name: 'two stages through 16 kHz (G.711 adapters)', down: telephoneDownsampler, up: telephoneUpsampler },
];

for (const converter of converters) {
  describe(`48 kHz → 8 kHz (G.711 send path), ${converter.name}`, () => {
    it('is flat within 0.5 dB from 50 Hz to 3.4 kHz', () => {
      const gains = gainsDb(converter.down, frequencies(50, 3400, 50));
      expect(Math.max(...gains.map(Math.abs))).toBeLessThan(0.5);
    });

    it('rejects everything from 4 kHz to 24 kHz by at least 60 dB (nothing folds back into the band)', () => {
      const rejections = frequencies(4000, 23_990, 70).map((frequency) => leakDb(converter.down, frequency));
      expect(Math.max(...rejections)).toBeLessThan(-60);
    });
  });

  describe(`8 kHz → 48 kHz (G.711 receive path), ${converter.name}`, () => {
    it('is flat within 0.5 dB from 50 Hz to 3.4 kHz', () => {
      const gains = gainsDb(converter.up, frequencies(50, 3400, 50));
      expect(Math.max(...gains.map(Math.abs))).toBeLessThan(0.5);
    });

    it('keeps the images above 4 kHz at least 60 dB down', () => {
      const images = frequencies(50, 3950, 50).map((frequency) => imagesDb(converter.up, frequency));
      expect(Math.max(...images)).toBeLessThan(-60);
    });
  });
}

describe('two stages through 16 kHz against one stage', () => {
  const [one, two] = converters as [(typeof converters)[0], (typeof converters)[0]];

  it('has the same pass band, within 0.01 dB up to 3.4 kHz, both ways', () => {
    const band = frequencies(50, 3400, 50);
    for (const direction of ['down', 'up'] as const) {
      const before = gainsDb(one[direction], band);
      const after = gainsDb(two[direction], band);
      const differences = after.map((gain, index) => Math.abs(gain - before[index]!));
      expect(Math.max(...differences)).toBeLessThan(0.01);
    }
  });

  it('rolls off through 3.4-4 kHz the same, within 3 dB while above -30 dB', () => {
    const transition = frequencies(3450, 3900, 50);
    const before = gainsDb(one.down, transition);
    const after = gainsDb(two.down, transition);
    for (const [index, gain] of after.entries()) expect(Math.abs(gain - before[index]!)).toBeLessThan(3);
  });

  it('rejects 4 kHz and up by at least 70 dB, as designed (the one stage: 69.4 dB)', () => {
    const stop = frequencies(4000, 23_990, 70);
    expect(Math.max(...stop.map((frequency) => leakDb(two.down, frequency)))).toBeLessThan(-70);
  });

  it('delays the signal about as much: under 4 ms each way, within 0.5 ms of the one stage', () => {
    const single = new Resampler(48_000, 8000, TELEPHONE_BAND).delaySeconds;
    for (const converter of [telephoneDownsampler(), telephoneUpsampler()]) {
      expect(converter.delaySeconds).toBeLessThan(0.004);
      expect(Math.abs(converter.delaySeconds - single)).toBeLessThan(0.0005);
    }
  });

  it('gives the same samples frame by frame as in one piece, and 160 samples per frame down, 960 up', () => {
    const input = sine(997, 48_000, 48_000 / 2, 20_000);
    const whole = telephoneDownsampler().process(input);
    for (const chunk of [960, 480, 7]) expect(stream(telephoneDownsampler(), input, chunk)).toEqual(whole);
    const narrow = sine(997, 8000, 4000, 20_000);
    const up = telephoneUpsampler().process(narrow);
    expect(stream(telephoneUpsampler(), narrow, 160)).toEqual(up);
    const down = telephoneDownsampler();
    const upper = telephoneUpsampler();
    const output = new Int16Array(160);
    for (let i = 0; i < 5; i++) {
      expect(down.process(new Int16Array(960), output).buffer).toBe(output.buffer);
      expect(upper.process(new Int16Array(160)).length).toBe(960);
    }
  });
});

describe('streaming', () => {
  it('gives the same samples frame by frame as in one piece, for every chunk size', () => {
    const input = sine(997, 48_000, 48_000 / 2, 20_000);
    const whole = new Resampler(48_000, 8000, TELEPHONE_BAND).process(input);
    for (const chunk of [960, 480, 7, 1]) {
      expect(stream(new Resampler(48_000, 8000, TELEPHONE_BAND), input, chunk)).toEqual(whole);
    }
    const narrow = sine(997, 8000, 4000, 20_000);
    const up = new Resampler(8000, 48_000, TELEPHONE_BAND).process(narrow);
    expect(stream(new Resampler(8000, 48_000, TELEPHONE_BAND), narrow, 160)).toEqual(up);
    const cd = sine(997, 44_100, 44_100 / 4, 20_000);
    expect(stream(new Resampler(44_100, 48_000), cd, 441)).toEqual(new Resampler(44_100, 48_000).process(cd));
  });

  it('returns exactly 160 samples per 20 ms frame down and 960 up', () => {
    const down = new Resampler(48_000, 8000, TELEPHONE_BAND);
    const up = new Resampler(8000, 48_000, TELEPHONE_BAND);
    for (let i = 0; i < 5; i++) {
      expect(down.process(new Int16Array(960)).length).toBe(160);
      expect(up.process(new Int16Array(160)).length).toBe(960);
    }
  });

  it('writes into a caller-given buffer and refuses one too small', () => {
    const resampler = new Resampler(48_000, 8000, TELEPHONE_BAND);
    const output = new Int16Array(160);
    expect(resampler.process(sine(440, 48_000, 960, 1000), output).buffer).toBe(output.buffer);
    expect(() => resampler.process(new Int16Array(960), new Int16Array(10))).toThrow(RangeError);
  });

  it('clips instead of wrapping when the filter overshoots a full-scale square wave', () => {
    const square = Int16Array.from({ length: 4800 }, (_, i) =>
      Math.floor(i / 60) % 2 === 0 ? 32767 : -32768,
    );
    const out = new Resampler(48_000, 8000, TELEPHONE_BAND).process(square);
    // A wrapped sample would jump by ~65536 between neighbours.
    const jumps = out.slice(1).map((value, i) => Math.abs(value - out[i]!));
    expect(Math.max(...jumps)).toBeLessThan(65_535);
    expect(Math.max(...out)).toBe(32767);
  });
});

describe('general rates (WAV files)', () => {
  for (const rate of [44_100, 22_050, 16_000, 11_025, 8000, 96_000]) {
    it(`${rate} Hz → 48 kHz → ${rate} Hz keeps a 1 kHz tone's frequency and level`, () => {
      const count = Math.floor(rate / 2);
      const input = sine(1000, rate, count, 16_000);
      const up = resampleAll(input, rate, 48_000);
      expect(up.length).toBe(Math.round((count * 48_000) / rate));
      const middle = up.subarray(4800, 4800 + 9600);
      expect(Math.abs(db(toneAmplitude(middle, 48_000, 1000) / 16_000))).toBeLessThan(0.1);
      expect(residualRms(middle, 48_000, 1000)).toBeLessThan(16_000 * 10 ** (-50 / 20));
      const back = resampleAll(up, 48_000, rate);
      expect(back.length).toBe(input.length);
      const span = (signal: Int16Array) =>
        signal.subarray(Math.floor(rate / 10), Math.floor(rate / 10 + rate / 5));
      expect(errorDb(span(input), span(back))).toBeLessThan(-40);
    });
  }

  it('rejects a tone above the lower Nyquist frequency when going down (48 → 44.1 kHz, 23 kHz tone)', () => {
    const out = resampleAll(sine(23_000, 48_000, 24_000, 30_000), 48_000, 44_100);
    expect(db(rms(out.subarray(4410, 17_640)) / (30_000 / Math.SQRT2))).toBeLessThan(-60);
  });

  it('refuses rates it cannot convert', () => {
    expect(() => new Resampler(0, 48_000)).toThrow(RangeError);
    expect(() => new Resampler(44_100.5, 48_000)).toThrow(RangeError);
    // 47 999 / 48 000 are coprime: interpolation by 48 000 would need a table of millions of taps.
    expect(() => new Resampler(47_999, 48_000)).toThrow(/interpolation/);
    // L = 1000 at 384 kHz with a 50 Hz transition band: a 33-million-tap filter.
    expect(() => new Resampler(383_999, 1000)).toThrow(/tap filter/);
  });

  it('states its delay and drains its tail', () => {
    const resampler = new Resampler(48_000, 8000, TELEPHONE_BAND);
    expect(resampler.delaySeconds).toBeGreaterThan(0.003);
    expect(resampler.delaySeconds).toBeLessThan(0.005);
    resampler.process(sine(1000, 48_000, 960, 10_000));
    expect(rms(resampler.drain())).toBeGreaterThan(100);
    resampler.reset();
    expect(rms(resampler.drain())).toBe(0);
  });
});
