import { describe, expect, it } from 'vitest';
import { FrameCutter, floatToInt16 } from '../../../../renderer/src/lib/audio/frame-cutter';

function ramp(from: number, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => (from + i) / 32768);
}

describe('floatToInt16', () => {
  it.each([
    [0, 0],
    [0.5, 16384],
    [-0.5, -16384],
    [1, 32767],
    [32767 / 32768, 32767],
    [-32768 / 32768, -32768],
    [1.5, 32767],
    [-1, -32768],
    [-7, -32768],
    [Number.POSITIVE_INFINITY, 32767],
    [Number.NEGATIVE_INFINITY, -32768],
    [Number.NaN, 0],
  ])('%f → %i (clamped, never wrapped)', (input, output) => {
    expect(floatToInt16(input)).toBe(output);
  });
});

describe('FrameCutter', () => {
  it('cuts 128-sample quanta into 960-sample frames, 7.5 quanta each, with no sample lost or repeated', () => {
    const frames: Int16Array[] = [];
    const cutter = new FrameCutter((frame) => frames.push(frame));
    for (let q = 0; q < 15; q++) cutter.push(ramp(q * 128, 128));
    expect(frames).toHaveLength(2);
    expect(cutter.pending).toBe(0);
    const all = [...frames[0]!, ...frames[1]!];
    expect(all).toEqual(Array.from({ length: 1920 }, (_, i) => i));
  });

  it.each([1, 7, 127, 129, 960, 961, 2000])('takes pieces of %i samples', (size) => {
    const frames: Int16Array[] = [];
    const cutter = new FrameCutter((frame) => frames.push(frame));
    const total = 960 * 5 + 17;
    for (let start = 0; start < total; start += size) cutter.push(ramp(start, Math.min(size, total - start)));
    expect(frames).toHaveLength(5);
    expect(cutter.pending).toBe(17);
    expect(frames.flatMap((frame) => [...frame])).toEqual(Array.from({ length: 4800 }, (_, i) => i));
  });

  it('hands out a fresh buffer for every frame, so each can be transferred', () => {
    const frames: Int16Array[] = [];
    const cutter = new FrameCutter((frame) => frames.push(frame));
    cutter.push(new Float32Array(960 * 3));
    expect(new Set(frames.map((frame) => frame.buffer)).size).toBe(3);
    expect(frames.every((frame) => frame.length === 960 && frame.byteOffset === 0)).toBe(true);
    expect(frames.every((frame) => frame.buffer.byteLength === 960 * 2)).toBe(true);
  });

  it('starts a fresh frame after reset', () => {
    const frames: Int16Array[] = [];
    const cutter = new FrameCutter((frame) => frames.push(frame));
    cutter.push(ramp(5000, 500));
    cutter.reset();
    cutter.push(ramp(0, 960));
    expect([...frames[0]!]).toEqual(Array.from({ length: 960 }, (_, i) => i));
  });

  it('takes only the first count samples of a reused buffer', () => {
    const frames: Int16Array[] = [];
    const cutter = new FrameCutter((frame) => frames.push(frame), 4);
    const reused = ramp(0, 8);
    cutter.push(reused, 3);
    reused.set(ramp(100, 8));
    cutter.push(reused, 2);
    expect(frames.map((frame) => [...frame])).toEqual([[0, 1, 2, 100]]);
    expect(cutter.pending).toBe(1);
  });

  it('refuses a frame size that is not a positive whole number', () => {
    expect(() => new FrameCutter(() => {}, 0)).toThrow(RangeError);
    expect(() => new FrameCutter(() => {}, 10.5)).toThrow(RangeError);
  });
});
