import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import { FrameRing, MAX_RING_SLOTS } from '../../../../main/media/session/frame-ring';

function frameOf(value: number): Int16Array {
  return new Int16Array(FRAME_SAMPLES).fill(value);
}

/** Every frame waiting, by its first sample. */
function drain(ring: FrameRing): number[] {
  const into = new Int16Array(FRAME_SAMPLES);
  const values: number[] = [];
  while (ring.read(into)) values.push(into[0]!);
  return values;
}

describe('FrameRing', () => {
  it('gives frames back in order, and says when it is empty', () => {
    const ring = FrameRing.create({ limit: 4 });
    const into = new Int16Array(FRAME_SAMPLES);
    expect(ring.read(into)).toBe(false);
    ring.write(frameOf(1));
    ring.write(frameOf(2));
    expect(ring.available).toBe(2);
    expect(ring.read(into)).toBe(true);
    expect(into[FRAME_SAMPLES - 1]).toBe(1);
    ring.write(frameOf(3));
    expect(drain(ring)).toEqual([2, 3]);
    expect(ring.read(into)).toBe(false);
    expect(ring.dropped).toBe(0);
  });

  it('wraps around its slots many times', () => {
    const ring = FrameRing.create({ limit: 3, slots: 4 });
    const seen: number[] = [];
    for (let index = 0; index < 50; index++) {
      ring.write(frameOf(index));
      if (index % 2 === 1) seen.push(...drain(ring));
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('keeps its order across the int32 wrap of its indices', () => {
    const ring = FrameRing.create({ limit: 5, slots: 8, firstIndex: 2 ** 31 - 3 });
    const seen: number[] = [];
    for (let index = 0; index < 20; index++) {
      ring.write(frameOf(index));
      if (index % 3 === 2) seen.push(...drain(ring));
    }
    seen.push(...drain(ring));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => index));
    // Overrun across the wrap too.
    const full = FrameRing.create({ limit: 4, firstIndex: 2 ** 31 - 2 });
    for (let index = 0; index < 7; index++) full.write(frameOf(index));
    expect(full.dropped).toBe(3);
    expect(drain(full)).toEqual([3, 4, 5, 6]);
  });

  it('drops the oldest frame when full, and counts it', () => {
    const ring = FrameRing.create({ limit: 3, slots: 4 });
    expect(ring.write(frameOf(1))).toBe(false);
    ring.write(frameOf(2));
    ring.write(frameOf(3));
    expect(ring.write(frameOf(4))).toBe(true);
    ring.write(frameOf(5));
    expect(ring.dropped).toBe(2);
    expect(ring.available).toBe(3);
    expect(drain(ring)).toEqual([3, 4, 5]);
  });

  it('takes a frame as bytes at an odd offset into its slot, in order with sample frames and dropping the oldest', () => {
    const ring = FrameRing.create({ limit: 2, slots: 2 });
    const bytesOf = (value: number): Uint8Array => {
      // One byte of header before the samples, as in a received WebSocket frame: no Int16Array could view them.
      const packet = new Uint8Array(1 + FRAME_SAMPLES * 2);
      const view = new DataView(packet.buffer);
      for (let index = 0; index < FRAME_SAMPLES; index++) view.setInt16(1 + index * 2, value, true);
      return packet.subarray(1);
    };
    expect(ring.writeBytes(bytesOf(-7))).toBe(false);
    ring.write(frameOf(8));
    expect(ring.writeBytes(bytesOf(9))).toBe(true);
    expect(ring.dropped).toBe(1);
    const into = new Int16Array(FRAME_SAMPLES);
    expect(ring.read(into)).toBe(true);
    expect([into[0], into[FRAME_SAMPLES - 1]]).toEqual([8, 8]);
    expect(ring.read(into)).toBe(true);
    expect([into[0], into[FRAME_SAMPLES - 1]]).toEqual([9, 9]);
    expect(() => ring.writeBytes(new Uint8Array(FRAME_SAMPLES * 2 + 1))).toThrow(RangeError);
  });

  it('skips frames unread, one or all', () => {
    const ring = FrameRing.create({ limit: 8 });
    expect(ring.skip()).toBe(false);
    for (let index = 0; index < 5; index++) ring.write(frameOf(index));
    expect(ring.skip()).toBe(true);
    expect(ring.skipAll()).toBe(4);
    expect(ring.available).toBe(0);
    ring.write(frameOf(9));
    expect(drain(ring)).toEqual([9]);
  });

  it('carries the listening and closed flags to the other side', () => {
    const ring = FrameRing.create({ limit: 2 });
    const other = FrameRing.over(ring.buffer)!;
    expect(other.listening).toBe(false);
    ring.listening = true;
    expect(other.listening).toBe(true);
    ring.listening = false;
    expect(other.listening).toBe(false);
    other.close();
    expect(ring.closed).toBe(true);
    expect(ring.listening).toBe(false);
  });

  it('takes only whole frames, and only buffers laid out as a ring', () => {
    const ring = FrameRing.create({ limit: 2 });
    expect(() => ring.write(new Int16Array(10))).toThrow(RangeError);
    expect(() => ring.read(new Int16Array(FRAME_SAMPLES + 1))).toThrow(RangeError);
    expect(() => FrameRing.create({ limit: 0 })).toThrow(RangeError);
    expect(() => FrameRing.create({ limit: 5, slots: 4 })).toThrow(RangeError);
    expect(() => FrameRing.create({ limit: 3, slots: 6 })).toThrow(RangeError);
    expect(() => FrameRing.create({ limit: 1, slots: MAX_RING_SLOTS * 2 })).toThrow(RangeError);
    expect(FrameRing.over(new ArrayBuffer(ring.buffer.byteLength))).toBeNull();
    expect(FrameRing.over(new SharedArrayBuffer(ring.buffer.byteLength + 2))).toBeNull();
    expect(FrameRing.over('ring')).toBeNull();
    // A header whose limit does not fit its slots.
    const forged = new SharedArrayBuffer(ring.buffer.byteLength);
    expect(FrameRing.over(forged)).toBeNull();
    new Int32Array(forged)[4] = 2;
    expect(FrameRing.over(forged)?.limit).toBe(2);
    new Int32Array(forged)[0] = 7;
    expect(FrameRing.over(forged)).toBeNull();
  });

  it('passes whole frames in order between two threads, each frame read or counted as dropped', async () => {
    // A small ring and a producer that never waits: the consumer keeps losing races to the producer's drops.
    const frames = 20_000;
    const ring = FrameRing.create({ limit: 3, slots: 4 });
    const done = new SharedArrayBuffer(4);
    const worker = new Worker(new URL('./support/frame-ring-thread.mjs', import.meta.url), {
      workerData: { ring: ring.buffer, done, frames },
    });
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    const into = new Int16Array(FRAME_SAMPLES);
    let received = 0;
    let last = -1;
    let torn = 0;
    let outOfOrder = 0;
    const flag = new Int32Array(done);
    const consume = (): void => {
      while (ring.read(into)) {
        received++;
        const value = into[0]!;
        if (into[FRAME_SAMPLES - 1] !== value || into[FRAME_SAMPLES >> 1] !== value) torn++;
        if (value <= last) outOfOrder++;
        last = value;
      }
    };
    // The consumer polls on its own schedule, as the endpoint does, until the producer has finished.
    while (Atomics.load(flag, 0) === 0) {
      consume();
      await new Promise((resolve) => setImmediate(resolve));
    }
    consume();
    expect(await exited).toBe(0);
    expect(torn).toBe(0);
    expect(outOfOrder).toBe(0);
    expect(last).toBe(frames - 1);
    expect(received + ring.dropped).toBe(frames);
    expect(received).toBeGreaterThan(0);
  });
});
