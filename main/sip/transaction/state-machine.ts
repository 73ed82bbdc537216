// A guarded transition table, the shape every transaction machine of RFC 3261 §17 is written in: the first row whose
// source state, event and guard match decides the next state and the actions. An input no row accepts is absorbed
// (no state change, no action), which is what the RFC asks for of stray or late messages and stale timers.
import type {
  ClientTransactionInput,
  ServerTransactionInput,
  Step,
  TransactionAction,
} from './transaction-actions';

export interface MachineState {
  readonly name: string;
}

export interface Effect<S> {
  /** Fields to change besides the state name. */
  readonly update?: Partial<Omit<S, 'name'>>;
  readonly actions?: readonly TransactionAction[];
}

export interface Transition<S extends MachineState, I> {
  readonly from: readonly S['name'][];
  /** The event key the machine's classifier gives the input, e.g. `2xx` or `timer:A`. */
  readonly on: string;
  /** The next state; `same` for a row shared by several states that each stay where they are. */
  readonly to: S['name'] | 'same';
  readonly guard?: (state: S, input: I) => boolean;
  readonly effect?: (state: S, input: I) => Effect<S>;
}

export const TERMINATED = 'terminated';

/**
 * Applies one input. Entering `terminated` appends the `terminated` action, so no row can forget to report it; rows
 * leave Terminated never.
 */
export function runTransitions<S extends MachineState, I>(
  table: readonly Transition<S, I>[],
  event: string,
  state: S,
  input: I,
): Step<S> {
  if (state.name === TERMINATED) return { state, actions: [] };
  for (const row of table) {
    if (row.on !== event || !row.from.includes(state.name)) continue;
    if (row.guard && !row.guard(state, input)) continue;
    const effect = row.effect?.(state, input) ?? {};
    const name = row.to === 'same' ? state.name : row.to;
    const next = { ...state, ...effect.update, name } as S;
    const actions = [...(effect.actions ?? [])];
    if (name === TERMINATED) actions.push({ kind: 'terminated' });
    return { state: next, actions };
  }
  return { state, actions: [] };
}

/** Event key for a response status: 1xx, 2xx or 3xx-6xx; `invalid` outside 100..699. */
export function statusClass(status: number): '1xx' | '2xx' | '3xx-6xx' | 'invalid' {
  if (status >= 100 && status < 200) return '1xx';
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 700) return '3xx-6xx';
  return 'invalid';
}

/** The event key of an input: a response's status class, `timer:<name>`, or the input's kind. */
export function eventOf(input: ClientTransactionInput | ServerTransactionInput): string {
  switch (input.kind) {
    case 'response':
    case 'tu-response':
      return statusClass(input.response.status);
    case 'timer':
      return `timer:${input.name}`;
    default:
      return input.kind;
  }
}
