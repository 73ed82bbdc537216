// The life cycle every refreshed usage shares — a registration (RFC 3261 §10.2.4), and later session timers (RFC
// 4028 §10), subscriptions (RFC 6665 §4.1.2.1) and publications (RFC 3903 §4.4): send, hear how long the server
// granted, refresh ahead of expiry, and after a failure retry with capped exponential backoff (backoff.ts). The
// usage decides what success and failure mean; this decides when the next request goes out.
//
//            start                 succeeded(lifetime)
//   idle ───────────► sending ──────────────────────► waiting-refresh
//    ▲  ◄───────────    │  ▲  ◄──────────────────────────┘ timer (refresh at 90% of the lifetime)
//    │  failed, no      │  │
//    │  retry           │  └─────────────────────────────┐ timer (backoff)
//    │                  └───────────────────────► waiting-retry
//    │                     failed, retry
//    └── stop (from any phase)
//
// A lifetime shorter than the one granted may be heard later (a NOTIFY's Subscription-State expires below what the
// 2xx to SUBSCRIBE granted, RFC 6665 §4.1.2.2): `expires-sooner` brings a pending refresh forward to 90% of it, never
// back, and leaves every other phase alone.
//
// Generation guard: every exchange (one `send`) and every timer carries the generation it belongs to. `start`,
// `stop` and each timer that fires move to a new generation, so an outcome or a timer of an exchange that was
// abandoned meanwhile is recognised and ignored instead of acting on a newer one.
//
// `stepRefresher` is the pure machine (time and jitter are inputs); `Refresher` is the thin adapter that owns the one
// timer through the injected Clock and draws the jitter from the injected Random.
import type { Clock, TimerHandle } from '../platform/clock';
import type { Random } from '../platform/random';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelayFor } from './backoff';

export interface RefreshPolicy {
  readonly backoff: BackoffPolicy;
  /** Share of the granted lifetime after which to refresh; RFC 3261 §10.2.4 leaves the margin to the client. */
  readonly refreshRatio: number;
  /** Never refresh sooner than this, however short the lifetime granted. */
  readonly minRefreshMs: number;
}

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  backoff: DEFAULT_BACKOFF,
  refreshRatio: 0.9,
  minRefreshMs: 500,
};

export type RefresherPhase = 'idle' | 'sending' | 'waiting-refresh' | 'waiting-retry';

export interface RefresherState {
  readonly phase: RefresherPhase;
  readonly generation: number;
  /** Exchanges since the last start (the first is 1). */
  readonly attempt: number;
  /** Failures in a row; a success resets it. Drives the backoff. */
  readonly failures: number;
}

export const INITIAL_REFRESHER_STATE: RefresherState = {
  phase: 'idle',
  generation: 0,
  attempt: 0,
  failures: 0,
};

/** Why an exchange is sent: a (re)start by the usage, a refresh ahead of expiry, or a retry after a failure. */
export type ExchangeCause = 'start' | 'refresh' | 'retry';

export type RefresherInput =
  | { readonly kind: 'start' }
  | { readonly kind: 'succeeded'; readonly generation: number; readonly lifetimeSeconds: number }
  /** `jitter` in [0, 1) scales the backoff; only read when `retry` is true. */
  | { readonly kind: 'failed'; readonly generation: number; readonly retry: boolean; readonly jitter: number }
  | { readonly kind: 'timer-fired'; readonly generation: number }
  /** The remote side says the lifetime ends in `lifetimeSeconds`; `remainingMs` is how long the pending timer has. */
  | { readonly kind: 'expires-sooner'; readonly lifetimeSeconds: number; readonly remainingMs: number }
  | { readonly kind: 'stop' };

export type RefresherAction =
  | {
      readonly kind: 'send';
      readonly generation: number;
      readonly attempt: number;
      readonly cause: ExchangeCause;
    }
  | {
      readonly kind: 'set-timer';
      readonly delayMs: number;
      readonly generation: number;
      readonly purpose: 'refresh' | 'retry';
    }
  | { readonly kind: 'clear-timer' };

export interface RefresherStep {
  readonly state: RefresherState;
  readonly actions: readonly RefresherAction[];
}

export function stepRefresher(
  state: RefresherState,
  input: RefresherInput,
  policy: RefreshPolicy = DEFAULT_REFRESH_POLICY,
): RefresherStep {
  switch (input.kind) {
    case 'start': {
      const generation = state.generation + 1;
      return {
        state: { phase: 'sending', generation, attempt: 1, failures: 0 },
        actions: [{ kind: 'clear-timer' }, { kind: 'send', generation, attempt: 1, cause: 'start' }],
      };
    }
    case 'stop':
      return {
        state: { ...state, phase: 'idle', generation: state.generation + 1 },
        actions: [{ kind: 'clear-timer' }],
      };
    case 'timer-fired': {
      const waiting = state.phase === 'waiting-refresh' || state.phase === 'waiting-retry';
      if (!waiting || input.generation !== state.generation) return unchanged(state);
      const generation = state.generation + 1;
      const attempt = state.attempt + 1;
      const cause: ExchangeCause = state.phase === 'waiting-refresh' ? 'refresh' : 'retry';
      return {
        state: { ...state, phase: 'sending', generation, attempt },
        actions: [{ kind: 'send', generation, attempt, cause }],
      };
    }
    case 'expires-sooner': {
      if (state.phase !== 'waiting-refresh') return unchanged(state);
      const delayMs = refreshDelay(input.lifetimeSeconds, policy);
      if (delayMs >= input.remainingMs) return unchanged(state);
      return {
        state,
        actions: [{ kind: 'set-timer', delayMs, generation: state.generation, purpose: 'refresh' }],
      };
    }
    case 'succeeded': {
      if (state.phase !== 'sending' || input.generation !== state.generation) return unchanged(state);
      const delayMs = refreshDelay(input.lifetimeSeconds, policy);
      return {
        state: { ...state, phase: 'waiting-refresh', failures: 0 },
        actions: [{ kind: 'set-timer', delayMs, generation: state.generation, purpose: 'refresh' }],
      };
    }
    case 'failed': {
      if (state.phase !== 'sending' || input.generation !== state.generation) return unchanged(state);
      const failures = state.failures + 1;
      if (!input.retry) return { state: { ...state, phase: 'idle', failures }, actions: [] };
      const delayMs = backoffDelayFor(policy.backoff, failures, input.jitter);
      return {
        state: { ...state, phase: 'waiting-retry', failures },
        actions: [{ kind: 'set-timer', delayMs, generation: state.generation, purpose: 'retry' }],
      };
    }
  }
}

function refreshDelay(lifetimeSeconds: number, policy: RefreshPolicy): number {
  return Math.max(policy.minRefreshMs, lifetimeSeconds * 1000 * policy.refreshRatio);
}

function unchanged(state: RefresherState): RefresherStep {
  return { state, actions: [] };
}

export interface Exchange {
  readonly generation: number;
  readonly attempt: number;
  readonly cause: ExchangeCause;
}

export interface RefresherOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly policy?: Partial<RefreshPolicy>;
  /** Sends one exchange; its outcome comes back through succeeded() or failed() with the same generation. */
  readonly send: (exchange: Exchange) => void;
}

export class Refresher {
  readonly #options: RefresherOptions;
  readonly #policy: RefreshPolicy;
  #state: RefresherState = INITIAL_REFRESHER_STATE;
  #timer: TimerHandle | undefined;
  /** When the pending timer fires, on the clock's scale; undefined while none is pending. */
  #timerDueAt: number | undefined;

  constructor(options: RefresherOptions) {
    this.#options = options;
    this.#policy = { ...DEFAULT_REFRESH_POLICY, ...options.policy };
  }

  get state(): RefresherState {
    return this.#state;
  }

  get generation(): number {
    return this.#state.generation;
  }

  /** Milliseconds until the pending refresh or retry, if one is pending. */
  get nextInMs(): number | undefined {
    return this.#timerDueAt === undefined ? undefined : this.#timerDueAt - this.#options.clock.now();
  }

  /** True while `generation` is the exchange in progress: anything older is stale and must be ignored. */
  isCurrent(generation: number): boolean {
    return generation === this.#state.generation;
  }

  /** Sends now, forgetting any pending timer and earlier failures (a person asked, or the flow broke). */
  start(): void {
    this.#dispatch({ kind: 'start' });
  }

  /** The exchange succeeded and the server granted `lifetimeSeconds`: schedules the refresh. */
  succeeded(generation: number, lifetimeSeconds: number): void {
    this.#dispatch({ kind: 'succeeded', generation, lifetimeSeconds });
  }

  /** The exchange failed; returns the delay before the retry, or undefined when none is scheduled. */
  failed(generation: number, retry: boolean): number | undefined {
    // Drawn only for a retry, so a failure that is not retried leaves the random sequence alone.
    const jitter = retry && this.isCurrent(generation) ? this.#options.random.fraction() : 0;
    const actions = this.#dispatch({ kind: 'failed', generation, retry, jitter });
    const timer = actions.find((action) => action.kind === 'set-timer');
    return timer?.kind === 'set-timer' ? timer.delayMs : undefined;
  }

  /**
   * The lifetime ends in `lifetimeSeconds` after all, sooner than the one granted: a pending refresh moves forward to
   * 90% of it. Returns true when it moved.
   */
  expiresSooner(lifetimeSeconds: number): boolean {
    const remainingMs = this.nextInMs;
    if (remainingMs === undefined) return false;
    const actions = this.#dispatch({ kind: 'expires-sooner', lifetimeSeconds, remainingMs });
    return actions.length > 0;
  }

  /**
   * Stops refreshing and abandons the exchange in progress. Returns the new generation, which a closing exchange
   * (an un-REGISTER) may use as its own guard until the next stop() or start().
   */
  stop(): number {
    this.#dispatch({ kind: 'stop' });
    return this.#state.generation;
  }

  #dispatch(input: RefresherInput): readonly RefresherAction[] {
    const step = stepRefresher(this.#state, input, this.#policy);
    this.#state = step.state;
    for (const action of step.actions) this.#perform(action);
    return step.actions;
  }

  #perform(action: RefresherAction): void {
    const clock = this.#options.clock;
    switch (action.kind) {
      case 'clear-timer':
        this.#clearTimer();
        return;
      case 'set-timer': {
        this.#clearTimer();
        const generation = action.generation;
        this.#timerDueAt = clock.now() + action.delayMs;
        this.#timer = clock.setTimer(action.delayMs, () => {
          this.#timer = undefined;
          this.#timerDueAt = undefined;
          this.#dispatch({ kind: 'timer-fired', generation });
        });
        return;
      }
      case 'send':
        this.#options.send({ generation: action.generation, attempt: action.attempt, cause: action.cause });
        return;
    }
  }

  #clearTimer(): void {
    this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerDueAt = undefined;
  }
}
