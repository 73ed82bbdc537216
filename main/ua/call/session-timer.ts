// RFC 4028 session timers: the Session-Expires / Min-SE headers, who refreshes, and the timing of one call's timer.
// The refresher sends a refresh (an UPDATE when the far end allows it, a re-INVITE otherwise, §9) at half the
// interval (§10) through the shared Refresher; either side ends the session with a BYE when no refresh arrived by
// the interval minus min(32 s, interval/3) (§10).
import type { Clock, TimerHandle } from '../../platform/clock';
import type { Random } from '../../platform/random';
import { Refresher } from '../refresher';

/** The option tag (RFC 4028 §3). */
export const TIMER_TAG = 'timer';
/** RFC 4028 §4: the smallest interval anyone may ask for, and our Min-SE. */
export const MIN_SESSION_EXPIRES = 90;

export type RefresherRole = 'uac' | 'uas';

export interface SessionExpires {
  readonly seconds: number;
  readonly refresher?: RefresherRole;
}

/**
 * `Session-Expires: 1800;refresher=uac` (RFC 4028 §4). Undefined when absent; 'malformed' when present but not
 * delta-seconds (an unknown refresher value is ignored, as unknown parameters are).
 */
export function parseSessionExpires(value: string | undefined): SessionExpires | 'malformed' | undefined {
  if (value === undefined) return undefined;
  const [head, ...params] = value.split(';');
  const seconds = head?.trim() ?? '';
  if (!/^\d{1,10}$/.test(seconds)) return 'malformed';
  let refresher: RefresherRole | undefined;
  for (const param of params) {
    const [name, raw] = param.split('=');
    if (name?.trim().toLowerCase() !== 'refresher') continue;
    const role = raw?.trim().toLowerCase();
    if (role === 'uac' || role === 'uas') refresher = role;
  }
  return { seconds: Number(seconds), ...(refresher ? { refresher } : {}) };
}

/** `Min-SE: 90` (RFC 4028 §5); undefined when absent or unreadable. */
export function parseMinSe(value: string | undefined): number | undefined {
  const seconds = value?.split(';')[0]?.trim();
  return seconds !== undefined && /^\d{1,10}$/.test(seconds) ? Number(seconds) : undefined;
}

export function formatSessionExpires(seconds: number, refresher: RefresherRole): string {
  return `${seconds};refresher=${refresher}`;
}

/** §10: without a refresh the session ends this long after the last one. */
export function expiryDelayMs(seconds: number): number {
  return (seconds - Math.min(32, seconds / 3)) * 1000;
}

export interface SessionTimerOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Send a refresh now; report it with `refreshed` (2xx) or `refreshFailed`. */
  readonly refresh: () => void;
  /** No refresh came in time: end the session (a BYE). */
  readonly expired: () => void;
}

/** One call's session timer: refreshing when we are the refresher, and the expiry watch either way. */
export class SessionTimer {
  readonly #options: SessionTimerOptions;
  readonly #refresher: Refresher;
  #expiry: TimerHandle | undefined;
  #generation = 0;
  #interval: number | undefined;

  constructor(options: SessionTimerOptions) {
    this.#options = options;
    this.#refresher = new Refresher({
      clock: options.clock,
      random: options.random,
      // §10: the refresher refreshes at half the interval; a failed refresh is retried soon, within the interval.
      policy: { refreshRatio: 0.5, backoff: { baseMs: 2_000, maxMs: 16_000 } },
      send: (exchange) => {
        this.#generation = exchange.generation;
        // The exchange that starts the timer is the INVITE (or refresh) just agreed; only later ones are sent.
        if (exchange.cause === 'start') this.#refresher.succeeded(exchange.generation, this.#interval ?? 0);
        else options.refresh();
      },
    });
  }

  /** The interval now agreed, in seconds; undefined while no timer runs. */
  get interval(): number | undefined {
    return this.#interval;
  }

  /** A session (or refresh) was agreed for `seconds`: we refresh it, or watch for the far end's refresh. */
  agreed(seconds: number, weRefresh: boolean): void {
    this.#interval = seconds;
    this.#watchExpiry(seconds);
    if (weRefresh) {
      if (this.#refresher.state.phase === 'sending') this.#refresher.succeeded(this.#generation, seconds);
      else this.#refresher.start();
    } else {
      this.#refresher.stop();
    }
  }

  /** Our refresh failed: try again after a short backoff (the expiry watch still bounds the session). */
  refreshFailed(): void {
    this.#refresher.failed(this.#generation, true);
  }

  stop(): void {
    this.#refresher.stop();
    this.#options.clock.clearTimer(this.#expiry);
    this.#expiry = undefined;
    this.#interval = undefined;
  }

  #watchExpiry(seconds: number): void {
    const clock = this.#options.clock;
    clock.clearTimer(this.#expiry);
    this.#expiry = clock.setTimer(expiryDelayMs(seconds), () => {
      this.#expiry = undefined;
      this.stop();
      this.#options.expired();
    });
  }
}
