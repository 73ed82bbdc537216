// The thin adapter between one sans-IO transaction machine (RFC 3261 §17) and the injected Clock: inputs run to
// completion one at a time (a TU callback that re-enters queues its input instead of nesting a step), timer actions
// become clock timers whose expiry is fed back as an input, and every other action goes to the owner.
import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { MachineState } from './state-machine';
import type { Step, TimerInput, TransactionAction } from './transaction-actions';
import type { TimerName } from './timers';

/**
 * What the driver needs from its owner. One hooks object serves every transaction of a layer, and each call names
 * the owner: closures per transaction would cost about a kilobyte each, and a flood makes thousands of transactions.
 */
export interface DriverHooks<O> {
  readonly clock: Clock;
  /** Carries out an action other than the timer ones; `terminated` comes last, after the timers are cleared. */
  readonly perform: (owner: O, action: TransactionAction) => void;
  readonly stateChanged?: (owner: O, from: string, to: string) => void;
  /** An owner's perform threw (a bug: TU callbacks are caught nearer); the driver carries on with the next action. */
  readonly failed?: (owner: O, error: unknown) => void;
}

/** What a layer's context offers every transaction's hooks. */
export interface DriverHooksContext<O> {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stateChanged: (owner: O, from: string, to: string) => void;
}

/**
 * The hooks object a layer's transactions of one side share, made on first use and kept per context: each
 * transaction then costs no closures of its own. `perform` reaches the owner's private action handler.
 */
export function sharedDriverHooks<C extends DriverHooksContext<O>, O extends { readonly id: string }>(
  cache: WeakMap<C, DriverHooks<O>>,
  context: C,
  side: 'client' | 'server',
  perform: (owner: O, action: TransactionAction) => void,
  describe: (error: unknown) => unknown,
): DriverHooks<O> {
  let hooks = cache.get(context);
  if (!hooks) {
    hooks = {
      clock: context.clock,
      perform,
      stateChanged: (owner, from, to) => context.stateChanged(owner, from, to),
      failed: (owner, error) =>
        context.logger.log('error', `${side} transaction action failed`, {
          id: owner.id,
          error: describe(error),
        }),
    };
    cache.set(context, hooks);
  }
  return hooks;
}

export class TransactionDriver<S extends MachineState, I extends { readonly kind: string }, O> {
  #state: S;
  readonly #step: (state: S, input: I | TimerInput) => Step<S>;
  readonly #hooks: DriverHooks<O>;
  readonly #owner: O;
  readonly #queue: (I | TimerInput)[] = [];
  /** Created with the first timer: most transactions spend most of their life with one timer or none. */
  #timers: Map<TimerName, TimerHandle> | undefined;
  #running = false;

  constructor(
    initial: S,
    step: (state: S, input: I | TimerInput) => Step<S>,
    hooks: DriverHooks<O>,
    owner: O,
  ) {
    this.#state = initial;
    this.#step = step;
    this.#hooks = hooks;
    this.#owner = owner;
  }

  get state(): S {
    return this.#state;
  }

  /** Timers currently scheduled, for tests and traces. */
  get runningTimers(): TimerName[] {
    return this.#timers ? [...this.#timers.keys()] : [];
  }

  dispatch(input: I | TimerInput): void {
    this.#queue.push(input);
    if (this.#running) return;
    this.#running = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const from = this.#state.name;
        const { state, actions } = this.#step(this.#state, next);
        this.#state = state;
        if (state.name !== from) this.#hooks.stateChanged?.(this.#owner, from, state.name);
        for (const action of actions) this.#carryOut(action);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Stops every timer without a state change (layer shutdown). */
  dispose(): void {
    for (const handle of this.#timers?.values() ?? []) this.#hooks.clock.clearTimer(handle);
    this.#timers = undefined;
    this.#queue.length = 0;
  }

  #carryOut(action: TransactionAction): void {
    switch (action.kind) {
      case 'start-timer': {
        const timers = (this.#timers ??= new Map());
        this.#hooks.clock.clearTimer(timers.get(action.name));
        const name = action.name;
        const handle = this.#hooks.clock.setTimer(action.ms, () => {
          if (this.#timers?.get(name) !== handle) return;
          this.#timers.delete(name);
          this.dispatch({ kind: 'timer', name });
        });
        timers.set(name, handle);
        return;
      }
      case 'cancel-timer':
        this.#hooks.clock.clearTimer(this.#timers?.get(action.name));
        this.#timers?.delete(action.name);
        return;
      case 'terminated':
        this.dispose();
        break;
      default:
        break;
    }
    try {
      this.#hooks.perform(this.#owner, action);
    } catch (error) {
      this.#hooks.failed?.(this.#owner, error);
    }
  }
}
