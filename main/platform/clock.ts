// Time as a seam: protocol code never calls Date.now() or setTimeout itself, so tests can drive it with a manual clock.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  /** Wall-clock time in milliseconds since the epoch (for Date headers and logs only). */
  wallTime(): number;
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
}

export class SystemClock implements Clock {
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  #nextId = 1;

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, delayMs);
    this.#timers.set(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = this.#timers.get(handle.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#timers.delete(handle.id);
    }
  }
}
