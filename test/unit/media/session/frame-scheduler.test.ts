import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../../../main/platform/clock';
import { FrameScheduler, planTicks } from '../../../../main/media/session/frame-scheduler';
import { ManualClock } from '../../../support/manual-clock';

/** A clock whose timers fire late by a chosen amount each, as a busy event loop's do. */
class LateClock implements Clock {
  readonly inner: ManualClock;
  readonly #lateness: () => number;

  constructor(inner: ManualClock, lateness: () => number) {
    this.inner = inner;
    this.#lateness = lateness;
  }

  now(): number {
    return this.inner.now();
  }

  wallTime(): number {
    return this.inner.wallTime();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.inner.setTimer(delayMs + this.#lateness(), callback);
  }

  clearTimer(handle: TimerHandle | undefined): void {
    this.inner.clearTimer(handle);
  }
}

/**
 * A clock whose timers behave as Node 20's do on libuv, whose loop time is whole milliseconds (floored): a delay
 * under 1 ms becomes 1; libuv wakes the thread `trunc(delay)` whole milliseconds after the floored start, and when
 * that is short of a fractional delay Node's timer list sleeps 1 ms more before it runs the callback. So a 19.6 ms
 * timer set at 0.5 ms runs at 20 ms after two wakes (19 and 20), and a 19 ms one at 19 ms after one.
 */
class WholeMillisecondClock implements Clock {
  readonly inner = new ManualClock();
  wakes = 0;

  now(): number {
    return this.inner.now();
  }

  wallTime(): number {
    return this.inner.wallTime();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const delay = Math.max(1, delayMs);
    const fireAt = Math.floor(this.inner.now()) + Math.ceil(delay);
    return this.inner.setTimer(fireAt - this.inner.now(), () => {
      this.wakes += Number.isInteger(delay) ? 1 : 2;
      callback();
    });
  }

  clearTimer(handle: TimerHandle | undefined): void {
    this.inner.clearTimer(handle);
  }
}

describe('planTicks', () => {
  it('runs nothing before the next tick is due', () => {
    expect(planTicks(0, 20, 3, 59.9, 10)).toEqual({ run: [], skipped: 0, next: 3 });
  });

  it('runs the due tick, and every missed one after a short stall', () => {
    expect(planTicks(0, 20, 3, 60, 10)).toEqual({ run: [3], skipped: 0, next: 4 });
    expect(planTicks(100, 20, 3, 100 + 20 * 7 + 5, 10)).toEqual({
      run: [3, 4, 5, 6, 7],
      skipped: 0,
      next: 8,
    });
  });

  it('skips what is beyond the catch-up allowance after a long stall', () => {
    expect(planTicks(0, 20, 0, 20 * 14, 10)).toEqual({
      run: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
      skipped: 5,
      next: 15,
    });
  });
});

describe('FrameScheduler', () => {
  it('ticks exactly on origin + n × period, starting with tick 0 at once', () => {
    const clock = new ManualClock();
    clock.advance(1234.5);
    const scheduler = new FrameScheduler({ clock, periodMs: 20 });
    const times: number[] = [];
    scheduler.start((index, scheduledMs) => {
      expect(scheduledMs).toBe(1234.5 + index * 20);
      times.push(clock.now());
    });
    clock.advance(20_000);
    expect(times).toHaveLength(1001);
    expect(times.every((time, index) => time === 1234.5 + index * 20)).toBe(true);
  });

  it('does not let late timers add up: each tick is due against the origin, not the previous tick', () => {
    const lateness = [3, 0, 7, 1, 19, 2, 0, 5];
    let draw = 0;
    const clock = new LateClock(new ManualClock(), () => lateness[draw++ % lateness.length]!);
    const scheduler = new FrameScheduler({ clock, periodMs: 20 });
    const fired: { index: number; at: number }[] = [];
    scheduler.start((index) => fired.push({ index, at: clock.now() }));
    clock.inner.advance(60_000);
    // A setTimeout-chain of 20 ms with this lateness would be 3,000 × ~4.6 ms behind; here the last tick is on time.
    const last = fired.at(-1)!;
    expect(last.at - last.index * 20).toBeLessThan(20);
    expect(fired.length).toBeGreaterThanOrEqual(2_999);
    expect(fired.every((tick, position) => tick.index === position)).toBe(true);
    // A timer 19 ms late also runs the next tick, due 1 ms later (the scheduler's `earlyMs`): never earlier than that.
    expect(fired.every((tick) => tick.at - tick.index * 20 >= -1 && tick.at - tick.index * 20 < 20)).toBe(
      true,
    );
    expect(scheduler.skipped).toBe(0);
  });

  it('wakes once per tick on whole-millisecond timers, running a tick less than 1 ms early rather than waking twice', () => {
    const clock = new WholeMillisecondClock();
    clock.inner.advance(1234.5);
    const scheduler = new FrameScheduler({ clock, periodMs: 20 });
    const early: number[] = [];
    scheduler.start((_index, scheduledMs) => early.push(scheduledMs - clock.now()));
    clock.inner.advance(10_000);
    expect(early).toHaveLength(500);
    // Tick 0 runs from start(), not from a timer.
    expect(clock.wakes).toBe(499);
    expect(early.every((ms) => ms < 1)).toBe(true);
    expect(scheduler.lateTicks).toBe(0);
  });

  it('never runs a tick before its due time with earlyMs 0', () => {
    const clock = new WholeMillisecondClock();
    clock.inner.advance(1234.5);
    const scheduler = new FrameScheduler({ clock, periodMs: 20, earlyMs: 0 });
    const early: number[] = [];
    scheduler.start((_index, scheduledMs) => early.push(scheduledMs - clock.now()));
    clock.inner.advance(1_000);
    expect(early).toHaveLength(50);
    expect(early.every((ms) => ms <= 0)).toBe(true);
  });

  it('catches up missed ticks after a stall and counts them late', () => {
    let stall = 0;
    const clock = new LateClock(new ManualClock(), () => {
      const extra = stall;
      stall = 0;
      return extra;
    });
    const scheduler = new FrameScheduler({ clock, periodMs: 20 });
    const fired: number[] = [];
    scheduler.start((index) => fired.push(index));
    clock.inner.advance(100);
    stall = 150;
    clock.inner.advance(400);
    expect(fired).toEqual([...Array(26).keys()]);
    expect(scheduler.lateTicks).toBeGreaterThan(0);
    expect(scheduler.skipped).toBe(0);
  });

  it('runs caught-up ticks one per turn of the event loop, so what arrived meanwhile is read between them', () => {
    let stall = 100;
    const clock = new LateClock(new ManualClock(), () => {
      const extra = stall;
      stall = 0;
      return extra;
    });
    const scheduler = new FrameScheduler({ clock, periodMs: 20 });
    const order: string[] = [];
    scheduler.start((index) => {
      order.push(`tick ${index}`);
      // A datagram waiting on a socket when the late tick 1 runs: the loop delivers it on its next turn.
      if (index === 1) clock.setTimer(0, () => order.push('datagram'));
    });
    // Tick 1's timer fires at 120 ms, when ticks 1 to 6 are due.
    clock.inner.advance(120);
    expect(order).toEqual(['tick 0', 'tick 1', 'datagram', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6']);
    expect(scheduler.lateTicks).toBe(5);
  });

  it('skips ticks beyond the allowance after a long stall', () => {
    let stall = 0;
    const clock = new LateClock(new ManualClock(), () => {
      const extra = stall;
      stall = 0;
      return extra;
    });
    const scheduler = new FrameScheduler({ clock, periodMs: 20, maxCatchUp: 5 });
    const fired: number[] = [];
    scheduler.start((index) => fired.push(index));
    stall = 300;
    clock.inner.advance(400);
    // Tick 1's timer was already set; the one after it fires at 340 ms, when ticks 2-17 are due: 5 run, 11 go.
    expect(scheduler.skipped).toBe(11);
    expect(fired.slice(0, 4)).toEqual([0, 1, 13, 14]);
    expect(fired.at(-1)).toBe(20);
  });

  it('stops from inside a tick and leaves no timer behind', () => {
    const clock = new ManualClock();
    const scheduler = new FrameScheduler({ clock, periodMs: 20 });
    const fired: number[] = [];
    scheduler.start((index) => {
      fired.push(index);
      if (index === 3) scheduler.stop();
    });
    clock.advance(1000);
    expect(fired).toEqual([0, 1, 2, 3]);
    expect(scheduler.running).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses a period that is not positive, and an earlyMs outside [0, period)', () => {
    expect(() => new FrameScheduler({ clock: new ManualClock(), periodMs: 0 })).toThrow(RangeError);
    expect(() => new FrameScheduler({ clock: new ManualClock(), periodMs: 20, earlyMs: Number.NaN })).toThrow(
      RangeError,
    );
    expect(() => new FrameScheduler({ clock: new ManualClock(), periodMs: 20, earlyMs: 20 })).toThrow(
      RangeError,
    );
  });
});
