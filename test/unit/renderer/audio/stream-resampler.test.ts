import { describe, expect, it } from 'vitest';
import { StreamResampler } from '../../../../renderer/src/lib/audio/stream-resampler';

function sine(hz: number, rate: number, count: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** Amplitude of the `hz` component (Goertzel), for a signal of many whole-ish periods. */
function amplitudeAt(signal: Float32Array, hz: number, rate: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of signal) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return (2 * Math.sqrt(Math.max(power, 0))) / signal.length;
}

function feed(resampler: StreamResampler, input: Float32Array, piece: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let start = 0; start < input.length; start += piece)
    parts.push(resampler.process(input.subarray(start, Math.min(input.length, start + piece))));
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('StreamResampler', () => {
  it.each([
    [44_100, 48_000],
    [48_000, 44_100],
    [96_000, 48_000],
    [48_000, 16_000],
    [16_000, 48_000],
  ])('%i → %i Hz keeps a 1 kHz tone at its level and makes the right number of samples', (from, to) => {
    const input = sine(1000, from, from); // one second
    const output = new StreamResampler(from, to).process(input);
    expect(Math.abs(output.length - to)).toBeLessThanOrEqual(Math.ceil(to / from) + 64);
    const steady = output.subarray(200, output.length - 200);
    expect(amplitudeAt(steady, 1000, to)).toBeCloseTo(0.5, 2);
  });

  it('does not fold a tone above the new Nyquist frequency back into the band (96 → 16 kHz, 12 kHz in)', () => {
    const output = new StreamResampler(96_000, 16_000).process(sine(12_000, 96_000, 96_000));
    // Without the low-pass a 12 kHz tone would alias to 4 kHz at full level.
    expect(amplitudeAt(output.subarray(100), 4000, 16_000)).toBeLessThan(0.005);
  });

  it.each([1, 127, 128, 441, 5000])('gives the same samples in pieces of %i as whole', (piece) => {
    const input = sine(700, 44_100, 10_000);
    const whole = new StreamResampler(44_100, 48_000).process(input);
    const pieces = feed(new StreamResampler(44_100, 48_000), input, piece);
    expect(pieces.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - pieces[i]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it.each([
    [44_100, 48_000],
    [48_000, 44_100],
    [16_000, 48_000],
    [96_000, 8_000],
  ])('%i → %i Hz: processInto fills a reused buffer of maxOutput with what process returns', (from, to) => {
    const input = sine(700, from, 20_000);
    const fresh = new StreamResampler(from, to);
    const reusing = new StreamResampler(from, to);
    // Pieces of uneven sizes, some empty or a single sample, into one buffer big enough for the largest.
    const sizes = [0, 1, 128, 127, 441, 960, 1, 3000, 2];
    const output = new Float32Array(reusing.maxOutput(3000));
    let start = 0;
    for (let piece = 0; start < input.length; piece++) {
      const size = Math.min(sizes[piece % sizes.length]!, input.length - start);
      const part = input.subarray(start, start + size);
      const expected = fresh.process(part);
      const count = reusing.processInto(part, output);
      expect(count).toBeLessThanOrEqual(reusing.maxOutput(size));
      expect([...output.subarray(0, count)]).toEqual([...expected]);
      start += size;
    }
  });

  it('refuses an output buffer without room for what is due, and takes none of that input', () => {
    const resampler = new StreamResampler(44_100, 48_000);
    const input = sine(440, 44_100, 128);
    expect(() => resampler.processInto(input, new Float32Array(10))).toThrow(RangeError);
    const output = new Float32Array(resampler.maxOutput(input.length));
    const count = resampler.processInto(input, output);
    expect([...output.subarray(0, count)]).toEqual([...new StreamResampler(44_100, 48_000).process(input)]);
  });

  it('keeps a bounded amount of state however long the stream', () => {
    const resampler = new StreamResampler(44_100, 48_000);
    let produced = 0;
    for (let i = 0; i < 2000; i++) produced += resampler.process(sine(440, 44_100, 128)).length;
    expect(Math.abs(produced - (2000 * 128 * 48_000) / 44_100)).toBeLessThan(64);
  });

  it('refuses rates outside 1 kHz..384 kHz', () => {
    expect(() => new StreamResampler(0, 48_000)).toThrow(RangeError);
    expect(() => new StreamResampler(48_000, Number.NaN)).toThrow(RangeError);
    expect(() => new StreamResampler(1_000_000, 48_000)).toThrow(RangeError);
  });
});
