// A Clock that only moves when a test tells it to, so protocol timers (T1, Timer E, registration refresh) are checked
// to the millisecond without sleeping.
import type { Clock, TimerHandle } from '../../main/platform/clock';

export interface ManualClockOptions {
  /** What wallTime() reports when now() is 0. Default 2025-01-01T00:00:00Z. */
  readonly epochMs?: number;
}

interface PendingTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 1);
/** runUntilIdle gives up after this many callbacks: a timer that keeps rescheduling itself never goes idle. */
const RUNAWAY_LIMIT = 100_000;

export class ManualClock implements Clock {
  readonly #epochMs: number;
  // Ids grow monotonically, so the smallest id among equal due times is the one scheduled first.
  readonly #timers = new Map<number, PendingTimer>();
  #now = 0;
  #nextId = 1;
  #running = false;

  constructor(options: ManualClockOptions = {}) {
    this.#epochMs = options.epochMs ?? DEFAULT_EPOCH_MS;
  }

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.#epochMs + this.#now;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    if (delayMs === Infinity) throw new RangeError('setTimer: an infinite delay is a bug in the caller');
    // Like setTimeout: negative or NaN delays mean "as soon as possible", never in the past.
    const delay = delayMs > 0 ? delayMs : 0;
    this.#timers.set(id, { id, dueAt: this.#now + delay, callback });
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) this.#timers.delete(handle.id);
  }

  /**
   * Moves time forward by `ms`, running every timer due on the way (also ones scheduled meanwhile) in time order;
   * equal due times run in the order they were scheduled. Returns how many timers ran.
   */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward`);
    const target = this.#now + ms;
    const ran = this.#run(target, Infinity);
    this.#now = target;
    return ran;
  }

  /**
   * Runs timers in time order until none is pending, or until `maxMs` of clock time has passed (then now() is exactly
   * that far ahead). When idle earlier, now() stays at the last timer that ran. Returns how many timers ran.
   */
  runUntilIdle(maxMs = Infinity): number {
    if (!(maxMs >= 0)) throw new RangeError(`runUntilIdle(${maxMs}): time only moves forward`);
    const limit = this.#now + maxMs;
    const ran = this.#run(limit, RUNAWAY_LIMIT);
    if (Number.isFinite(limit) && this.#nextDue() !== undefined) this.#now = limit;
    return ran;
  }

  /** Runs the timers due right now (delay 0 ones included), the same as advance(0). */
  tick(): number {
    return this.advance(0);
  }

  pendingTimers(): number {
    return this.#timers.size;
  }

  /** The clock time the next timer fires at, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.#nextDue()?.dueAt;
  }

  #run(until: number, maxCallbacks: number): number {
    if (this.#running)
      throw new Error('ManualClock: advance() or runUntilIdle() called from inside a timer callback');
    this.#running = true;
    let ran = 0;
    try {
      for (;;) {
        const next = this.#nextDue();
        if (next === undefined || next.dueAt > until) break;
        if (ran >= maxCallbacks) {
          throw new Error(`ManualClock: still busy after ${ran} timers; a timer keeps rescheduling itself`);
        }
        this.#timers.delete(next.id);
        this.#now = next.dueAt;
        ran++;
        next.callback();
      }
    } finally {
      this.#running = false;
    }
    return ran;
  }

  #nextDue(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (
        best === undefined ||
        timer.dueAt < best.dueAt ||
        (timer.dueAt === best.dueAt && timer.id < best.id)
      ) {
        best = timer;
      }
    }
    return best;
  }
}
