import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../support/seeded-random';

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const run = (random: SeededRandom): number[] => Array.from({ length: 8 }, () => random.uint32());
    const first = run(a);
    expect(run(b)).toEqual(first);
    expect(run(c)).not.toEqual(first);
  });

  it('gives fractions in [0, 1) that spread over the range', () => {
    const random = new SeededRandom(7);
    const values = Array.from({ length: 10_000 }, () => random.fraction());
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const buckets = new Array<number>(10).fill(0);
    for (const value of values) buckets[Math.floor(value * 10)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(900);
  });

  it('fills bytes of any length and makes tokens from [0-9a-z]', () => {
    const random = new SeededRandom(3);
    expect(random.bytes(0)).toHaveLength(0);
    expect(random.bytes(7)).toHaveLength(7);
    const token = random.token(32);
    expect(token).toMatch(/^[0-9a-z]{32}$/);
    expect(new SeededRandom(3).token(10)).toBe(new SeededRandom(3).token(10));
  });

  it('draws integers within inclusive bounds', () => {
    const random = new SeededRandom(11);
    const seen = new Set<number>();
    for (let index = 0; index < 1000; index++) seen.add(random.integer(2, 5));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });
});
