// The media worker's 20 ms heartbeat. Every tick is scheduled against an absolute time (origin + n × period), never
// as "period after the last one": a timer that fires 2 ms late makes the next delay 2 ms shorter, so lateness never
// adds up and 50 ticks always span one second on the clock. A thread stalled for several periods catches the missed
// ticks up one per turn of the event loop, so the packets waiting on the sockets are read between them (the RTP they
// send keeps its timestamps), but never more than `maxCatchUp` of them: after a long stall the rest are skipped and
// counted, since a burst of stale audio helps no one.
//
//   origin      origin+20    origin+40    origin+60
//     │ tick 0      │ tick 1     │ tick 2     │ tick 3 ...     due(n) = origin + n × periodMs
//     ▼             ▼            ▼            ▼
//   ──┼─────────────┼────────────┼──┬─────────┼──────────►     a late timer (▲ at +43) runs tick 2 and
//                                   ▲                           asks for the next one 17 ms later
//
// The wait is asked in whole milliseconds, and a tick less than `earlyMs` (1 ms) ahead of its due time runs now.
// Node's timers run on libuv's loop time, which counts whole milliseconds: a fractional wait (19.6 ms) wakes the
// thread after the truncated 19 ms, finds the timer not yet due and sleeps 1 ms more, so every tick cost two thread
// wakes. A whole-millisecond wait wakes once, but measured from the floored loop time it can end up to 1 ms before
// the exact due time; running the tick then is harmless, as due times stay on origin + n × period.
import type { Clock, TimerHandle } from '../../platform/clock';

export interface FrameSchedulerOptions {
  readonly clock: Clock;
  readonly periodMs: number;
  /** Ticks run back to back after a stall before the rest are skipped. Default 10 (200 ms at 20 ms). */
  readonly maxCatchUp?: number;
  /** A tick due within this many milliseconds runs now rather than after another wait. Default 1 (see above). */
  readonly earlyMs?: number;
}

export interface TickPlan {
  /** The tick indices to run now, oldest first. */
  readonly run: readonly number[];
  /** Ticks given up as too old. */
  readonly skipped: number;
  /** The index of the next tick that is not yet due. */
  readonly next: number;
}

/**
 * Which ticks are due at `nowMs` when `next` is the first one not run yet: the pure half of the scheduler, so the
 * catch-up and skip rules are tested without any timer.
 */
export function planTicks(
  originMs: number,
  periodMs: number,
  next: number,
  nowMs: number,
  maxCatchUp: number,
): TickPlan {
  const lastDue = Math.floor((nowMs - originMs) / periodMs);
  if (lastDue < next) return { run: [], skipped: 0, next };
  const due = lastDue - next + 1;
  const skipped = Math.max(0, due - maxCatchUp);
  const run: number[] = [];
  for (let index = next + skipped; index <= lastDue; index++) run.push(index);
  return { run, skipped, next: lastDue + 1 };
}

export class FrameScheduler {
  readonly #clock: Clock;
  readonly #periodMs: number;
  readonly #maxCatchUp: number;
  readonly #earlyMs: number;
  #originMs = 0;
  #next = 0;
  #timer: TimerHandle | undefined;
  #onTick: ((index: number, scheduledMs: number) => void) | undefined;
  #skipped = 0;
  #lateTicks = 0;

  constructor(options: FrameSchedulerOptions) {
    if (!(options.periodMs > 0)) throw new RangeError('FrameScheduler: the period must be positive');
    this.#clock = options.clock;
    this.#periodMs = options.periodMs;
    this.#maxCatchUp = Math.max(1, options.maxCatchUp ?? 10);
    const earlyMs = options.earlyMs ?? 1;
    if (!(earlyMs >= 0 && earlyMs < options.periodMs)) {
      throw new RangeError('FrameScheduler: earlyMs must be at least 0 and less than the period');
    }
    this.#earlyMs = earlyMs;
  }

  get running(): boolean {
    return this.#onTick !== undefined;
  }

  /** The clock time of tick 0. */
  get originMs(): number {
    return this.#originMs;
  }

  /** Ticks skipped after stalls longer than the catch-up allowance. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Ticks that ran a whole period or more after their due time (caught up after a stall). */
  get lateTicks(): number {
    return this.#lateTicks;
  }

  /** Runs tick 0 now and every following tick on the period; `onTick` gets the index and the tick's due time. */
  start(onTick: (index: number, scheduledMs: number) => void): void {
    this.stop();
    this.#onTick = onTick;
    this.#originMs = this.#clock.now();
    this.#next = 0;
    this.#fire();
  }

  stop(): void {
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#onTick = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    const onTick = this.#onTick;
    if (onTick === undefined) return;
    const now = this.#clock.now();
    const plan = planTicks(this.#originMs, this.#periodMs, this.#next, now + this.#earlyMs, this.#maxCatchUp);
    this.#skipped += plan.skipped;
    this.#next = plan.next;
    const [index] = plan.run;
    if (index !== undefined) {
      // One tick per turn of the event loop: when a stall left several due, the packets that arrived meanwhile are
      // read from the sockets between them, instead of each catch-up tick pulling a jitter buffer that has not
      // seen them yet and playing them as lost.
      this.#next = index + 1;
      const due = this.#originMs + index * this.#periodMs;
      if (now - due >= this.#periodMs) this.#lateTicks++;
      onTick(index, due);
      // A tick callback may stop the scheduler (the last call ended): then nothing more runs.
      if (this.#onTick !== onTick) return;
    }
    const nextDue = this.#originMs + this.#next * this.#periodMs;
    const waitMs = Math.max(0, Math.ceil(nextDue - this.#clock.now()));
    this.#timer = this.#clock.setTimer(waitMs, () => this.#fire());
  }
}
