import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../support/manual-clock';

describe('ManualClock', () => {
  it('starts at 0 and reports wall time as a fixed epoch plus now', () => {
    const clock = new ManualClock({ epochMs: 1_000_000 });
    expect(clock.now()).toBe(0);
    expect(clock.wallTime()).toBe(1_000_000);
    clock.advance(250);
    expect(clock.now()).toBe(250);
    expect(clock.wallTime()).toBe(1_000_250);
    expect(new ManualClock().wallTime()).toBe(Date.UTC(2025, 0, 1));
  });

  it('runs due timers in time order, each seeing its own due time as now', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    clock.setTimer(300, () => log.push(`c@${clock.now()}`));
    clock.setTimer(100, () => log.push(`a@${clock.now()}`));
    clock.setTimer(200, () => log.push(`b@${clock.now()}`));
    clock.setTimer(301, () => log.push(`late@${clock.now()}`));

    expect(clock.advance(300)).toBe(3);
    expect(log).toEqual(['a@100', 'b@200', 'c@300']);
    expect(clock.now()).toBe(300);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()).toBe(301);
  });

  it('runs equal due times in the order they were scheduled', () => {
    const clock = new ManualClock();
    const log: number[] = [];
    for (let index = 0; index < 5; index++) clock.setTimer(10, () => log.push(index));
    clock.setTimer(0, () => log.push(-1));
    clock.advance(10);
    expect(log).toEqual([-1, 0, 1, 2, 3, 4]);
  });

  it('does not run a timer before it is due', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimer(500, () => {
      fired = true;
    });
    clock.advance(499);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });

  it('runs timers scheduled by callbacks when they fall inside the window, not when they fall after it', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    clock.setTimer(100, () => {
      log.push(`first@${clock.now()}`);
      clock.setTimer(50, () => log.push(`inside@${clock.now()}`));
      clock.setTimer(0, () => log.push(`immediate@${clock.now()}`));
      clock.setTimer(500, () => log.push(`outside@${clock.now()}`));
    });
    clock.advance(200);
    expect(log).toEqual(['first@100', 'immediate@100', 'inside@150']);
    expect(clock.now()).toBe(200);
    clock.advance(400);
    expect(log.at(-1)).toBe('outside@600');
  });

  it('follows a doubling retransmission schedule capped at T2 (RFC 3261 Timer E)', () => {
    const clock = new ManualClock();
    const sends: number[] = [];
    let interval = 500;
    const retransmit = (): void => {
      sends.push(clock.now());
      interval = Math.min(interval * 2, 4000);
      clock.setTimer(interval, retransmit);
    };
    clock.setTimer(500, retransmit);
    clock.advance(16_000);
    expect(sends).toEqual([500, 1500, 3500, 7500, 11_500, 15_500]);
  });

  it('runs delay 0 timers only when the clock is ticked, never synchronously', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimer(0, () => {
      fired = true;
    });
    expect(fired).toBe(false);
    expect(clock.tick()).toBe(1);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(0);
  });

  it('treats negative and NaN delays as 0 and refuses an infinite one', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    clock.setTimer(-5, () => log.push('negative'));
    clock.setTimer(Number.NaN, () => log.push('nan'));
    clock.advance(0);
    expect(log).toEqual(['negative', 'nan']);
    expect(() => clock.setTimer(Infinity, () => undefined)).toThrow(RangeError);
  });

  it('clears timers, including from inside another callback, and tolerates stale handles', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const second = clock.setTimer(20, () => log.push('second'));
    clock.setTimer(10, () => {
      log.push('first');
      clock.clearTimer(second);
    });
    const cleared = clock.setTimer(5, () => log.push('cleared'));
    clock.clearTimer(cleared);
    expect(clock.pendingTimers()).toBe(2);
    clock.advance(100);
    expect(log).toEqual(['first']);
    expect(clock.pendingTimers()).toBe(0);
    expect(() => clock.clearTimer(cleared)).not.toThrow();
    expect(() => clock.clearTimer(undefined)).not.toThrow();
  });

  it('runUntilIdle stops at the last timer, or at maxMs when timers remain', () => {
    const clock = new ManualClock();
    clock.setTimer(1000, () => clock.setTimer(2000, () => undefined));
    expect(clock.runUntilIdle()).toBe(2);
    expect(clock.now()).toBe(3000);
    expect(clock.pendingTimers()).toBe(0);

    const ticks: number[] = [];
    const tick = (): void => {
      ticks.push(clock.now());
      clock.setTimer(1000, tick);
    };
    clock.setTimer(1000, tick);
    expect(clock.runUntilIdle(2500)).toBe(2);
    expect(ticks).toEqual([4000, 5000]);
    expect(clock.now()).toBe(5500);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('runUntilIdle without a limit fails loudly on a timer that never stops', () => {
    const clock = new ManualClock();
    const forever = (): void => void clock.setTimer(1, forever);
    clock.setTimer(1, forever);
    expect(() => clock.runUntilIdle()).toThrow(/keeps rescheduling/);
  });

  it('refuses to go backwards or to be advanced from inside a timer', () => {
    const clock = new ManualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    let nested: unknown;
    clock.setTimer(1, () => {
      try {
        clock.advance(1);
      } catch (error) {
        nested = error;
      }
    });
    clock.advance(5);
    expect(nested).toBeInstanceOf(Error);
    expect(clock.now()).toBe(5);
  });

  it('lets an exception from a callback propagate and stays usable afterwards', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    clock.setTimer(10, () => {
      throw new Error('boom');
    });
    clock.setTimer(20, () => log.push('after'));
    expect(() => clock.advance(30)).toThrow('boom');
    expect(clock.now()).toBe(10);
    clock.advance(20);
    expect(log).toEqual(['after']);
  });
});
