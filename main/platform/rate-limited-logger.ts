// A Logger in front of another that lets a burst of identical lines through and then counts instead of writing, so a
// flood of bad packets cannot flood the log as well. "Identical" means the same level and message text (the fields
// usually differ per packet). When a window in which lines were held back ends, one summary line says how many.
import type { Clock, TimerHandle } from './clock';
import type { LogLevel, Logger } from './logger';

export interface LogRateLimit {
  /** Lines with the same level and message written per window before the rest are counted instead. */
  readonly burst: number;
  readonly windowMs: number;
  /** Levels the limit applies to; other levels pass untouched. Default: all. */
  readonly levels?: readonly LogLevel[];
}

export const DEFAULT_LOG_RATE_LIMIT: LogRateLimit = { burst: 10, windowMs: 10_000 };

/** Distinct messages followed at once; past this the oldest window is closed early (and summarised). */
const MAX_KEYS = 1_024;

interface Window {
  readonly level: LogLevel;
  readonly message: string;
  readonly startedAt: number;
  written: number;
  suppressed: number;
  timer: TimerHandle | undefined;
}

export class RateLimitedLogger implements Logger {
  readonly #inner: Logger;
  readonly #clock: Clock;
  readonly #limit: LogRateLimit;
  readonly #levels: ReadonlySet<LogLevel> | undefined;
  readonly #windows = new Map<string, Window>();

  constructor(inner: Logger, clock: Clock, limit: LogRateLimit = DEFAULT_LOG_RATE_LIMIT) {
    this.#inner = inner;
    this.#clock = clock;
    this.#limit = limit;
    this.#levels = limit.levels ? new Set(limit.levels) : undefined;
  }

  /** Messages currently followed, for tests. */
  get trackedKeys(): number {
    return this.#windows.size;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (this.#levels && !this.#levels.has(level)) {
      this.#inner.log(level, message, fields);
      return;
    }
    const key = `${level} ${message}`;
    const now = this.#clock.now();
    let window = this.#windows.get(key);
    if (window && now - window.startedAt >= this.#limit.windowMs) {
      this.#close(key, window);
      window = undefined;
    }
    if (!window) {
      if (this.#windows.size >= MAX_KEYS) this.#closeOldest();
      window = { level, message, startedAt: now, written: 0, suppressed: 0, timer: undefined };
      this.#windows.set(key, window);
    }
    if (window.written < this.#limit.burst) {
      window.written++;
      this.#inner.log(level, message, fields);
      return;
    }
    window.suppressed++;
    if (window.timer === undefined) {
      // The summary must appear even if the flood stops now; a timer only while something is held back.
      const current = window;
      current.timer = this.#clock.setTimer(current.startedAt + this.#limit.windowMs - now, () => {
        current.timer = undefined;
        if (this.#windows.get(key) === current) this.#close(key, current);
      });
    }
  }

  /** Drops pending summaries and their timers (the owner is shutting down). */
  dispose(): void {
    for (const window of this.#windows.values()) this.#clock.clearTimer(window.timer);
    this.#windows.clear();
  }

  #close(key: string, window: Window): void {
    this.#windows.delete(key);
    this.#clock.clearTimer(window.timer);
    window.timer = undefined;
    if (window.suppressed === 0) return;
    this.#inner.log(window.level, `${window.message} (${window.suppressed} similar messages suppressed)`, {
      suppressed: window.suppressed,
      windowMs: this.#limit.windowMs,
    });
  }

  #closeOldest(): void {
    const first = this.#windows.entries().next();
    if (!first.done) this.#close(first.value[0], first.value[1]);
  }
}
