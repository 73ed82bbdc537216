// RFC 3261 §17.1.2 non-INVITE client transaction. Timer E backs off from T1 to T2 while Trying and runs at T2 in
// Proceeding (§17.1.2.2), so a request answered only with provisionals keeps being retransmitted until Timer F.
import {
  type ClientEvent,
  type MachineEvent,
  type NonInviteEvent,
  type Transition,
  clientEventOf,
  nonInviteEvent,
  onReliable as reliable,
  onUnreliable as unreliable,
  responseOf,
  runTransitions,
} from './state-machine';
import type { ClientTransactionInput, Step } from './transaction-actions';
import {
  type TimerSettings,
  type TransactionOptions,
  DEFAULT_TIMER_SETTINGS,
  transactionTimeout,
} from './timers';

/**
 * ```
 *                          | send
 *                          | request sent, start F (and E on UDP)
 *   Timer E                V
 *   request resent  +-----------+  Timer F: timeout (408 to TU)
 *   E=min(2E,T2)  +-|           |  transport error: 503 to TU
 *                 | |  Trying   |---------------------------------+
 *                 +>|           |                                 |
 *                   +-----------+                                 |
 *        200-699       |    | 1xx                                 |
 *        to TU         |    | 1xx to TU                           |
 *     +----------------+    V                                     |
 *     |   Timer E   +------------+  Timer F: timeout (408 to TU)  |
 *     |   resent, +-|            |  transport error: 503 to TU    |
 *     |   E=T2    | | Proceeding |------------------------------->|
 *     |   1xx     +>|            |                                |
 *     |   to TU     +------------+                                |
 *     |   200-699      |                                          |
 *     |   to TU        |                                          |
 *     V                V                                          |
 *   +-----------+                                                 |
 *   |           |--+ 200-699                                      |
 *   | Completed |  | absorbed                                     |
 *   |           |<-+                                              |
 *   +-----------+                                                 |
 *     | Timer K (T4 on UDP, 0 on TCP)                             |
 *     V                                                           |
 *   +-----------+                                                 |
 *   | Terminated|<------------------------------------------------+
 *   +-----------+
 * ```
 * `Initial` is the moment before the TU hands the request over. On a reliable transport Timer E never runs and Timer
 * K is zero, so a final response goes straight to Terminated. `transport-reliable` (the transport moved the request
 * from UDP to TCP, §18.1.1) makes the transaction reliable from then on: Timer E stops, and Completed ends at once
 * as a zero Timer K would end it.
 */
export type ClientNonInviteStateName = 'initial' | 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ClientNonInviteState {
  readonly name: ClientNonInviteStateName;
  readonly reliable: boolean;
  readonly timers: TimerSettings;
  /** Interval Timer E was last started with. */
  readonly timerE: number;
}

export function createClientNonInviteState(options: TransactionOptions): ClientNonInviteState {
  const timers = options.timers ?? DEFAULT_TIMER_SETTINGS;
  return { name: 'initial', reliable: options.reliable, timers, timerE: timers.t1 };
}

/** What the table may be keyed by: client events with 2xx..6xx as `final`, and Timers E, F and K only. */
export type ClientNonInviteEvent = MachineEvent<NonInviteEvent<ClientEvent>, 'E' | 'F' | 'K'>;

type Row = Transition<ClientNonInviteState, ClientTransactionInput, ClientNonInviteEvent>;

export const CLIENT_NON_INVITE_TRANSITIONS: readonly Row[] = [
  {
    from: ['initial'],
    on: 'send',
    to: 'trying',
    guard: unreliable,
    effect: (s) => ({
      update: { timerE: s.timers.t1 },
      actions: [
        { kind: 'send-request' },
        { kind: 'start-timer', name: 'E', ms: s.timers.t1 },
        { kind: 'start-timer', name: 'F', ms: transactionTimeout(s.timers) },
      ],
    }),
  },
  {
    from: ['initial'],
    on: 'send',
    to: 'trying',
    guard: reliable,
    effect: (s) => ({
      actions: [
        { kind: 'send-request' },
        { kind: 'start-timer', name: 'F', ms: transactionTimeout(s.timers) },
      ],
    }),
  },
  {
    from: ['trying'],
    on: 'timer:E',
    to: 'trying',
    effect: (s) => {
      const next = Math.min(2 * s.timerE, s.timers.t2);
      return {
        update: { timerE: next },
        actions: [{ kind: 'send-request' }, { kind: 'start-timer', name: 'E', ms: next }],
      };
    },
  },
  {
    from: ['proceeding'],
    on: 'timer:E',
    to: 'proceeding',
    effect: (s) => ({
      update: { timerE: s.timers.t2 },
      actions: [{ kind: 'send-request' }, { kind: 'start-timer', name: 'E', ms: s.timers.t2 }],
    }),
  },
  {
    from: ['trying', 'proceeding'],
    on: '1xx',
    to: 'proceeding',
    effect: (_s, input) => ({ actions: [{ kind: 'deliver', response: responseOf(input) }] }),
  },
  {
    from: ['trying', 'proceeding'],
    on: 'final',
    to: 'completed',
    guard: unreliable,
    effect: (s, input) => ({
      actions: [
        { kind: 'cancel-timer', name: 'E' },
        { kind: 'cancel-timer', name: 'F' },
        { kind: 'deliver', response: responseOf(input) },
        { kind: 'start-timer', name: 'K', ms: s.timers.t4 },
      ],
    }),
  },
  {
    from: ['trying', 'proceeding'],
    on: 'final',
    to: 'terminated',
    guard: reliable,
    effect: (_s, input) => ({ actions: [{ kind: 'deliver', response: responseOf(input) }] }),
  },
  {
    from: ['trying', 'proceeding'],
    on: 'timer:F',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'timeout' }] }),
  },
  {
    from: ['trying', 'proceeding'],
    on: 'transport-error',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'transport-failed' }] }),
  },
  {
    from: ['completed'],
    on: 'timer:K',
    to: 'terminated',
  },
  {
    from: ['initial'],
    on: 'transport-reliable',
    to: 'initial',
    guard: unreliable,
    effect: () => ({ update: { reliable: true } }),
  },
  {
    from: ['trying', 'proceeding'],
    on: 'transport-reliable',
    to: 'same',
    guard: unreliable,
    effect: () => ({ update: { reliable: true }, actions: [{ kind: 'cancel-timer', name: 'E' }] }),
  },
  {
    from: ['completed'],
    on: 'transport-reliable',
    to: 'terminated',
    guard: unreliable,
    effect: () => ({ update: { reliable: true }, actions: [{ kind: 'cancel-timer', name: 'K' }] }),
  },
];

export function stepClientNonInvite(
  state: ClientNonInviteState,
  input: ClientTransactionInput,
): Step<ClientNonInviteState> {
  return runTransitions(CLIENT_NON_INVITE_TRANSITIONS, nonInviteEvent(clientEventOf(input)), state, input);
}
