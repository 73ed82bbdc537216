// Work that must not all happen in one tick, started in batches on the injected clock: the buddy list's SUBSCRIBEs,
// so an engine starting with 500 watched contacts sends 20 every 50 ms instead of 500 at once (which a server, or the
// NAT in front of it, may take for a flood). Keyed: queuing a key again replaces its work and keeps its place; a
// key can be taken back before it runs.
import type { Clock, TimerHandle } from '../platform/clock';

export interface Pacing {
  /** Pieces of work started at once. */
  readonly batch: number;
  /** Between two batches. */
  readonly intervalMs: number;
}

export class PacedStarter {
  readonly #clock: Clock;
  readonly #pacing: Pacing;
  readonly #onError: (error: unknown) => void;
  readonly #queue = new Map<string, () => void>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(clock: Clock, pacing: Pacing, onError: (error: unknown) => void) {
    this.#clock = clock;
    this.#pacing = { batch: Math.max(1, pacing.batch), intervalMs: Math.max(0, pacing.intervalMs) };
    this.#onError = onError;
  }

  /** Work waiting its turn. */
  get size(): number {
    return this.#queue.size;
  }

  /** Queues `work` under `key`; the first batch starts on the next timer tick, never synchronously. */
  enqueue(key: string, work: () => void): void {
    if (this.#closed) return;
    this.#queue.set(key, work);
    this.#timer ??= this.#clock.setTimer(0, () => this.#runBatch());
  }

  /** Takes back the work under `key` if it has not run yet. */
  cancel(key: string): void {
    this.#queue.delete(key);
  }

  /** Drops everything waiting and queues nothing more. */
  close(): void {
    this.#closed = true;
    this.#queue.clear();
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #runBatch(): void {
    this.#timer = undefined;
    let started = 0;
    for (const [key, work] of this.#queue) {
      if (started >= this.#pacing.batch) break;
      this.#queue.delete(key);
      started++;
      try {
        work();
      } catch (error) {
        this.#onError(error);
      }
    }
    if (this.#queue.size > 0 && !this.#closed)
      this.#timer = this.#clock.setTimer(this.#pacing.intervalMs, () => this.#runBatch());
  }
}
