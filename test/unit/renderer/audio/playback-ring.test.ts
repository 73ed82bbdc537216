import { describe, expect, it } from 'vitest';
import { PlaybackRing } from '../../../../renderer/src/lib/audio/playback-ring';

/** A frame whose samples count up from `from`, so order and loss show in what is pulled. */
function frame(from: number, count = 960): Int16Array {
  return Int16Array.from({ length: count }, (_, i) => (from + i) % 32768);
}

function pullAll(ring: PlaybackRing, quanta: number, size = 128): number[] {
  const out: number[] = [];
  const quantum = new Float32Array(size);
  for (let q = 0; q < quanta; q++) {
    ring.pull(quantum);
    for (const sample of quantum) out.push(Math.round(sample * 32768));
  }
  return out;
}

describe('PlaybackRing', () => {
  it('plays silence while priming, then the frames in order once the target is held', () => {
    const ring = new PlaybackRing({ target: 1920, capacity: 4800 });
    ring.pushInt16(frame(1));
    expect(pullAll(ring, 2)).toEqual(new Array(256).fill(0));
    expect(ring.playing).toBe(false);
    ring.pushInt16(frame(961));
    expect(pullAll(ring, 15)).toEqual(Array.from({ length: 1920 }, (_, i) => i + 1));
    expect(ring.fill).toBe(0);
    expect(ring.counters.underruns).toBe(0);
  });

  it('wraps around its storage without losing or repeating a sample', () => {
    const ring = new PlaybackRing({ target: 960, capacity: 2000 });
    const played: number[] = [];
    let next = 1;
    // 30 frames (counting up to 28 800, below the Int16 limit) through a 2000-sample store: it wraps 14 times.
    // Pulls alternate 7 and 8 quanta, 7.5 on average: one frame's worth.
    for (let round = 0; round < 30; round++) {
      ring.pushInt16(frame(next));
      next += 960;
      played.push(...pullAll(ring, round % 2 === 0 ? 7 : 8));
    }
    const nonSilent = played.filter((sample) => sample !== 0);
    expect(nonSilent).toEqual(Array.from({ length: nonSilent.length }, (_, i) => (i + 1) % 32768));
    expect(ring.counters.overruns).toBe(0);
  });

  it('counts an underrun, plays what it had then silence, and primes again', () => {
    const ring = new PlaybackRing({ target: 960, capacity: 4800 });
    ring.pushInt16(frame(1, 1000));
    const first = pullAll(ring, 8); // 1024 wanted, 1000 held
    expect(first.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(first.slice(1000)).toEqual(new Array(24).fill(0));
    expect(ring.counters.underruns).toBe(1);
    expect(ring.playing).toBe(false);
    // Less than the target again: silence, and no second underrun for the same gap.
    ring.pushInt16(frame(2000, 500));
    expect(pullAll(ring, 3)).toEqual(new Array(384).fill(0));
    expect(ring.counters.underruns).toBe(1);
    ring.pushInt16(frame(2500, 500));
    expect(pullAll(ring, 1)[0]).toBe(2000);
  });

  it('on overrun drops the oldest samples down to the target and counts them', () => {
    const ring = new PlaybackRing({ target: 1920, capacity: 4800 });
    for (let f = 0; f < 5; f++) ring.pushInt16(frame(1 + f * 960));
    expect(ring.fill).toBe(4800);
    ring.pushInt16(frame(1 + 5 * 960));
    expect(ring.fill).toBe(1920);
    expect(ring.counters).toEqual({
      underruns: 0,
      overruns: 1,
      droppedSamples: 4800 + 960 - 1920,
      receivedSamples: 6 * 960,
    });
    // What is left is the newest 40 ms, in order.
    expect(pullAll(ring, 15)).toEqual(Array.from({ length: 1920 }, (_, i) => 1 + 4 * 960 + i));
  });

  it('never holds more than its capacity, even for one push longer than it', () => {
    const ring = new PlaybackRing({ target: 100, capacity: 300 });
    ring.pushInt16(frame(1, 1000));
    expect(ring.fill).toBe(100);
    expect(pullAll(ring, 1, 100)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
    expect(ring.counters.droppedSamples).toBe(900);
  });

  it.each([1, 3, 127, 129, 1000])('serves quanta of %i samples', (size) => {
    const ring = new PlaybackRing({ target: 960, capacity: 9600 });
    for (let f = 0; f < 5; f++) ring.pushInt16(frame(1 + f * 960));
    const played = pullAll(ring, Math.floor(4800 / size), size);
    expect(played).toEqual(Array.from({ length: played.length }, (_, i) => i + 1));
  });

  it('takes float samples as they are', () => {
    const ring = new PlaybackRing({ target: 2, capacity: 8 });
    ring.pushFloat(Float32Array.of(0.25, -0.5));
    const out = new Float32Array(2);
    ring.pull(out);
    expect([...out]).toEqual([0.25, -0.5]);
  });

  it('takes only the first count of a reused float buffer, overrun included', () => {
    const ring = new PlaybackRing({ target: 3, capacity: 4 });
    const reused = Float32Array.of(0.25, -0.5, 9, 9);
    ring.pushFloat(reused, 2);
    reused.set([0.125, 0.75, 0.5]);
    // 2 held + 3 new passes the capacity of 4: the oldest go, down to the target of 3.
    ring.pushFloat(reused, 3);
    expect(ring.fill).toBe(3);
    expect(ring.counters).toMatchObject({ overruns: 1, droppedSamples: 2, receivedSamples: 5 });
    const out = new Float32Array(3);
    ring.pull(out);
    expect([...out]).toEqual([0.125, 0.75, 0.5]);
  });

  it('clear() empties it and primes again', () => {
    const ring = new PlaybackRing({ target: 960, capacity: 4800 });
    ring.pushInt16(frame(1, 2000));
    pullAll(ring, 1);
    ring.clear();
    expect(ring.fill).toBe(0);
    expect(ring.playing).toBe(false);
    expect(pullAll(ring, 1)).toEqual(new Array(128).fill(0));
  });

  it('refuses a target above the capacity, or sizes that are not whole numbers', () => {
    expect(() => new PlaybackRing({ target: 10, capacity: 5 })).toThrow(RangeError);
    expect(() => new PlaybackRing({ target: -1, capacity: 5 })).toThrow(RangeError);
    expect(() => new PlaybackRing({ target: 1.5, capacity: 5 })).toThrow(RangeError);
    expect(() => new PlaybackRing({ target: 0, capacity: 0 })).toThrow(RangeError);
  });
});
