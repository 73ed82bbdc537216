// Each account's registration status, fed by `registration.changed`. A revision number per account lets a view
// tell a status that arrived after some moment (a save) from one that was already there. A status's `retryInMs` is
// counted from when it arrived: while any account waits for a retry, a one-second tick keeps `line()` counting down
// ("No answer from 127.0.0.1:5299 · retrying in 12 s", then 11 s, …).
import type { RegistrationStatusDto } from '../../../../main/contract/contract';
import type { Bridge } from '../bridge';
import { statusLine } from '../registration-text';

/** Time for the countdown; the browser's by default, a manual one in tests. */
export interface CountdownClock {
  /** Milliseconds on any steady scale. */
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const browserCountdownClock: CountdownClock = {
  now: () => performance.now(),
  every: (ms, tick) => {
    const handle = window.setInterval(tick, ms);
    return () => window.clearInterval(handle);
  },
};

const TICK_MS = 1_000;

export class RegistrationsState {
  #statuses = $state<Record<string, RegistrationStatusDto>>({});
  #revisions = $state<Record<string, number>>({});
  /** When each status arrived, on the clock's scale (not reactive: only read together with `#now`). */
  #receivedAt: Record<string, number> = {};
  #now = $state(0);
  #stopTicking: (() => void) | null = null;

  constructor(
    private readonly bridge: Bridge,
    private readonly clock: CountdownClock = browserCountdownClock,
  ) {
    this.#now = clock.now();
  }

  get(accountId: string): RegistrationStatusDto | undefined {
    return this.#statuses[accountId];
  }

  /** How many statuses have arrived for the account as events; 0 before the first. */
  revision(accountId: string): number {
    return this.#revisions[accountId] ?? 0;
  }

  /** What is left of the wait before the engine's next attempt, counted from when the status arrived. */
  retryInMs(accountId: string): number | null {
    const status = this.#statuses[accountId];
    if (!status || status.retryInMs === null) return null;
    const elapsed = Math.max(0, this.#now - (this.#receivedAt[accountId] ?? this.#now));
    return Math.max(0, status.retryInMs - elapsed);
  }

  /** The account's status line with a live countdown; null before any status. */
  line(accountId: string): string | null {
    const status = this.#statuses[accountId];
    return status ? statusLine(status, this.retryInMs(accountId)) : null;
  }

  /** A live update from the engine. */
  receive(status: RegistrationStatusDto): void {
    this.#store(status);
    this.#revisions[status.accountId] = this.revision(status.accountId) + 1;
  }

  async load(): Promise<void> {
    const before = { ...this.#revisions };
    const result = await this.bridge.invoke('registration.list');
    if (!result.ok) return;
    // A status that arrived as an event while the list was on its way is newer than the list's.
    const next: Record<string, RegistrationStatusDto> = {};
    for (const [id, status] of Object.entries(this.#statuses)) {
      if (this.revision(id) !== (before[id] ?? 0)) next[id] = status;
    }
    const now = this.clock.now();
    for (const status of result.value) {
      if (next[status.accountId]) continue;
      next[status.accountId] = status;
      this.#receivedAt[status.accountId] = now;
    }
    this.#statuses = next;
    this.#now = now;
    this.#syncTicking();
  }

  /** Stops the countdown tick (when the window goes away). */
  dispose(): void {
    this.#stopTicking?.();
    this.#stopTicking = null;
  }

  #store(status: RegistrationStatusDto): void {
    const now = this.clock.now();
    this.#statuses[status.accountId] = status;
    this.#receivedAt[status.accountId] = now;
    this.#now = now;
    this.#syncTicking();
  }

  /** Ticks only while some account is counting down to a retry. */
  #syncTicking(): void {
    const counting = Object.values(this.#statuses).some((status) => status.retryInMs !== null);
    if (counting && !this.#stopTicking) {
      this.#stopTicking = this.clock.every(TICK_MS, () => {
        this.#now = this.clock.now();
      });
    } else if (!counting && this.#stopTicking) {
      this.dispose();
    }
  }
}
