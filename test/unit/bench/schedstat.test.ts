import { describe, expect, it } from 'vitest';
import { parseSchedstat, threadCost, tidFromThreadSelf } from '../../../bench/calls/schedstat';

describe('parseSchedstat', () => {
  it('reads run time, wait time and slices', () => {
    expect(parseSchedstat('393835 2818529 2\n')).toEqual({ runNs: 393835, waitNs: 2818529, slices: 2 });
  });

  it('refuses a line that is not three whole numbers', () => {
    expect(() => parseSchedstat('')).toThrow('not a /proc schedstat line');
    expect(() => parseSchedstat('1 2')).toThrow('not a /proc schedstat line');
    expect(() => parseSchedstat('1 2 3 4')).toThrow('not a /proc schedstat line');
    expect(() => parseSchedstat('1 x 3')).toThrow('not a /proc schedstat line');
    expect(() => parseSchedstat('1.5 2 3')).toThrow('not a /proc schedstat line');
  });
});

describe('threadCost', () => {
  it('gives the share of one core, the wakes per second and the cost of each wake', () => {
    // 50 wakes of 40 µs on the CPU and 10 µs waiting for it, over one second.
    const cost = threadCost(
      { runNs: 1_000_000, waitNs: 0, slices: 7 },
      { runNs: 3_000_000, waitNs: 500_000, slices: 57 },
      1000,
    );
    expect(cost.percentOfCore).toBeCloseTo(0.2, 10);
    expect(cost.wakesPerSecond).toBe(50);
    expect(cost.runUsPerWake).toBeCloseTo(40, 10);
    expect(cost.waitUsPerWake).toBeCloseTo(10, 10);
  });

  it('says 0 per wake for a thread that never ran', () => {
    const still = { runNs: 5, waitNs: 5, slices: 5 };
    expect(threadCost(still, still, 20_000)).toEqual({
      percentOfCore: 0,
      wakesPerSecond: 0,
      runUsPerWake: 0,
      waitUsPerWake: 0,
    });
  });

  it('refuses readings that go backwards and a wall time that is not positive', () => {
    const later = { runNs: 10, waitNs: 10, slices: 10 };
    const earlier = { runNs: 9, waitNs: 10, slices: 10 };
    expect(() => threadCost(later, earlier, 1000)).toThrow('go backwards');
    expect(() => threadCost(earlier, later, 0)).toThrow('must be positive');
  });
});

describe('tidFromThreadSelf', () => {
  it('takes the thread id from the link', () => {
    expect(tidFromThreadSelf('20228/task/20231')).toBe(20231);
  });

  it('refuses anything else', () => {
    expect(() => tidFromThreadSelf('20228')).toThrow('not a /proc/thread-self link');
    expect(() => tidFromThreadSelf('/proc/20228/task/1')).toThrow('not a /proc/thread-self link');
  });
});
