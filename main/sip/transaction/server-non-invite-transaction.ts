// RFC 3261 §17.2.2 non-INVITE server transaction: absorbs request retransmissions, answering each with the last
// response sent, and lingers in Completed for Timer J (64*T1 on UDP) so late retransmissions still get that answer.
import type { SipResponse } from '../message/message';
import {
  type Effect,
  type MachineEvent,
  type NonInviteEvent,
  type ServerEvent,
  type Transition,
  nonInviteEvent,
  onReliable as reliable,
  onUnreliable as unreliable,
  runTransitions,
  serverEventOf,
  tuResponseOf,
} from './state-machine';
import type { ServerTransactionInput, Step } from './transaction-actions';
import {
  type TimerSettings,
  type TransactionOptions,
  DEFAULT_TIMER_SETTINGS,
  transactionTimeout,
} from './timers';

/**
 * ```
 *                          | receive (the request arrived)
 *                          V
 *   request:        +-----------+
 *   absorbed    +---|           |  transport error: inform TU
 *               |   |  Trying   |-------------------------------------+
 *               +-->|           |                                     |
 *                   +-----------+                                     |
 *    200-699 from TU:  |     | 1xx from TU: send it                   |
 *    send it           |     V                                        |
 *     +----------------+   +------------+  transport error:           |
 *     |   1xx from TU: +---|            |  inform TU                  |
 *     |   send it      |   | Proceeding |---------------------------->|
 *     |   request:     +-->|            |                             |
 *     |   resend 1xx       +------------+                             |
 *     |  200-699 from TU:     |                                       |
 *     |  send it              |                                       |
 *     V                       V                                       |
 *   +-----------+                                                     |
 *   |           |--+ request: resend the final response               |
 *   | Completed |  | final from TU: discarded                         |
 *   |           |<-+ transport error: inform TU ----------------------+
 *   +-----------+                                                     |
 *     | Timer J (64*T1 on UDP, 0 on TCP)                              |
 *     V                                                               |
 *   +-----------+                                                     |
 *   | Terminated|<----------------------------------------------------+
 *   +-----------+
 * ```
 * `Initial` is the moment before the request is handed in. On a reliable transport Timer J is zero, so the final
 * response leads straight to Terminated.
 */
export type ServerNonInviteStateName = 'initial' | 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ServerNonInviteState {
  readonly name: ServerNonInviteStateName;
  readonly reliable: boolean;
  readonly timers: TimerSettings;
  /** The most recent response sent: resent for request retransmissions. */
  readonly lastResponse?: SipResponse;
}

export function createServerNonInviteState(options: TransactionOptions): ServerNonInviteState {
  return { name: 'initial', reliable: options.reliable, timers: options.timers ?? DEFAULT_TIMER_SETTINGS };
}

/** What the table may be keyed by: server events with 2xx..6xx as `final`, and Timer J only. */
export type ServerNonInviteEvent = MachineEvent<NonInviteEvent<ServerEvent>, 'J'>;

type Row = Transition<ServerNonInviteState, ServerTransactionInput, ServerNonInviteEvent>;

function sendFromTu(_s: ServerNonInviteState, input: ServerTransactionInput): Effect<ServerNonInviteState> {
  const response = tuResponseOf(input);
  return { update: { lastResponse: response }, actions: [{ kind: 'send-response', response }] };
}

export const SERVER_NON_INVITE_TRANSITIONS: readonly Row[] = [
  { from: ['initial'], on: 'receive', to: 'trying' },
  { from: ['trying', 'proceeding'], on: '1xx', to: 'proceeding', effect: sendFromTu },
  {
    from: ['trying', 'proceeding'],
    on: 'final',
    to: 'completed',
    guard: unreliable,
    effect: (s, input) => {
      const { update, actions } = sendFromTu(s, input);
      return {
        update,
        actions: [...(actions ?? []), { kind: 'start-timer', name: 'J', ms: transactionTimeout(s.timers) }],
      };
    },
  },
  {
    from: ['trying', 'proceeding'],
    on: 'final',
    to: 'terminated',
    guard: reliable,
    effect: sendFromTu,
  },
  {
    from: ['proceeding', 'completed'],
    on: 'request-retransmission',
    to: 'same',
    effect: (s) => ({ actions: s.lastResponse ? [{ kind: 'send-response', response: s.lastResponse }] : [] }),
  },
  { from: ['completed'], on: 'timer:J', to: 'terminated' },
  {
    from: ['trying', 'proceeding', 'completed'],
    on: 'transport-error',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'transport-failed' }] }),
  },
];

export function stepServerNonInvite(
  state: ServerNonInviteState,
  input: ServerTransactionInput,
): Step<ServerNonInviteState> {
  return runTransitions(SERVER_NON_INVITE_TRANSITIONS, nonInviteEvent(serverEventOf(input)), state, input);
}
