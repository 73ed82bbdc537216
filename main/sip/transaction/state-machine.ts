// A guarded transition table, the shape every transaction machine of RFC 3261 §17 is written in: the first row whose
// source state, event and guard match decides the next state and the actions. An input no row accepts is absorbed
// (no state change, no action), which is what the RFC asks for of stray or late messages and stale timers.
//
// Also what the four machines share: the event keys inputs are classified into (typed, so a misspelled `on` fails to
// compile), the response-class mapping (INVITE machines tell 2xx from 300-699; non-INVITE ones see any final alike),
// the reliable/unreliable guards, and reading the response out of an input.
import type { SipResponse } from '../message/message';
import type {
  ClientTransactionInput,
  ServerTransactionInput,
  Step,
  TransactionAction,
} from './transaction-actions';
import type { TimerName } from './timers';

export interface MachineState {
  readonly name: string;
}

export interface Effect<S> {
  /** Fields to change besides the state name. */
  readonly update?: Partial<Omit<S, 'name'>>;
  readonly actions?: readonly TransactionAction[];
}

/** A response's status class; `invalid` (outside 100..699) matches no row, so such a response is absorbed. */
export type ResponseClass = '1xx' | '2xx' | '3xx-6xx' | 'invalid';

/** A timer's expiry as an event key. */
export type TimerEvent<T extends TimerName = TimerName> = `timer:${T}`;

/** Every event key a client input can be classified into. */
export type ClientEvent =
  ResponseClass | TimerEvent | Exclude<ClientTransactionInput['kind'], 'response' | 'timer'>;

/** Every event key a server input can be classified into (a TU response by its class). */
export type ServerEvent =
  ResponseClass | TimerEvent | Exclude<ServerTransactionInput['kind'], 'tu-response' | 'timer'>;

/** Non-INVITE machines: any final response completes the transaction, so 2xx and 300-699 become `final`. */
export type NonInviteEvent<E extends string> = Exclude<E, '2xx' | '3xx-6xx'> | 'final';

/**
 * The events a machine's table may name: the side's events with only that machine's timers. A row keyed by a
 * misspelled event, or by another machine's timer, does not compile.
 */
export type MachineEvent<E extends string, T extends TimerName> = Exclude<E, TimerEvent> | TimerEvent<T>;

export interface Transition<S extends MachineState, I, E extends string> {
  readonly from: readonly S['name'][];
  /** The event key the machine's classifier gives the input, e.g. `2xx` or `timer:A`. */
  readonly on: E;
  /** The next state; `same` for a row shared by several states that each stay where they are. */
  readonly to: S['name'] | 'same';
  readonly guard?: (state: S, input: I) => boolean;
  readonly effect?: (state: S, input: I) => Effect<S>;
}

export const TERMINATED = 'terminated';

/**
 * Applies one input. Entering `terminated` appends the `terminated` action, so no row can forget to report it; rows
 * leave Terminated never. `event` may be any key of the side: one the table does not name is simply absorbed.
 */
export function runTransitions<S extends MachineState, I, E extends string>(
  table: readonly Transition<S, I, E>[],
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
export function statusClass(status: number): ResponseClass {
  if (status >= 100 && status < 200) return '1xx';
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 700) return '3xx-6xx';
  return 'invalid';
}

/** The event key of a client input: a response's status class, `timer:<name>`, or the input's kind. */
export function clientEventOf(input: ClientTransactionInput): ClientEvent {
  switch (input.kind) {
    case 'response':
      return statusClass(input.response.status);
    case 'timer':
      return `timer:${input.name}`;
    default:
      return input.kind;
  }
}

/** The event key of a server input: a TU response's status class, `timer:<name>`, or the input's kind. */
export function serverEventOf(input: ServerTransactionInput): ServerEvent {
  switch (input.kind) {
    case 'tu-response':
      return statusClass(input.response.status);
    case 'timer':
      return `timer:${input.name}`;
    default:
      return input.kind;
  }
}

/** The non-INVITE view of an event key (RFC 3261 §17.1.2.2, §17.2.2: 200-699 are handled alike). */
export function nonInviteEvent<E extends string>(event: E): NonInviteEvent<E> {
  return event === '2xx' || event === '3xx-6xx' ? 'final' : (event as Exclude<E, '2xx' | '3xx-6xx'>);
}

/** Guards shared by every machine: Timers A/E/G run and D/I/J/K are non-zero only on an unreliable transport. */
export const onReliable = (state: { readonly reliable: boolean }): boolean => state.reliable;
export const onUnreliable = (state: { readonly reliable: boolean }): boolean => !state.reliable;

/** The response a client row keyed by a status class was given. */
export function responseOf(input: ClientTransactionInput): SipResponse {
  if (input.kind !== 'response') throw new TypeError(`expected a response input, got ${input.kind}`);
  return input.response;
}

/** The response the TU handed a server row keyed by a status class. */
export function tuResponseOf(input: ServerTransactionInput): SipResponse {
  if (input.kind !== 'tu-response') throw new TypeError(`expected a tu-response input, got ${input.kind}`);
  return input.response;
}
