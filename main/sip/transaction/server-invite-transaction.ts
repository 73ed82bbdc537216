// RFC 3261 §17.2.1 INVITE server transaction, with the RFC 6026 §7 correction: a 2xx from the TU moves it to
// Accepted, where it absorbs INVITE retransmissions, passes the TU's 2xx retransmissions to the transport and ACKs to
// the TU, until Timer L. Also sends 100 (Trying) itself when the TU has not answered within 200 ms (§17.2.1).
import { createResponse } from '../message/builders';
import type { SipRequest, SipResponse } from '../message/message';
import {
  type MachineEvent,
  type ServerEvent,
  type Transition,
  onReliable as reliable,
  onUnreliable as unreliable,
  runTransitions,
  serverEventOf,
  tuResponseOf,
} from './state-machine';
import type { ServerTransactionInput, Step, TransactionAction } from './transaction-actions';
import {
  type TimerSettings,
  type TransactionOptions,
  DEFAULT_TIMER_SETTINGS,
  transactionTimeout,
} from './timers';

/**
 * ```
 *                            | receive (the INVITE arrived)
 *                            | start Trying (200 ms)
 *                            V
 *   INVITE: resend    +------------+  Trying fired, nothing sent yet: send 100
 *   the last 1xx  +---|            |  transport error: inform TU
 *   1xx from TU:  |   | Proceeding |-------------------------------------------+
 *   send it       +-->|            |                                           |
 *                     +------------+                                           |
 *   300-699 from TU:    |       |  2xx from TU: send it, start L               |
 *   send it, start H    |       +------------------------+                     |
 *   (and G on UDP)      V                                V                     |
 *                     +------------+              +------------+               |
 *   INVITE, or    +---|            |          +---|            |  INVITE: absorbed
 *   Timer G:      |   | Completed  |          |   |  Accepted  |  2xx from TU: send it
 *   resend final, +-->|            |          +-->|            |  ACK: to the TU
 *   G=min(2G,T2)      +------------+              +------------+               |
 *                       |        |                       |                     |
 *                   ACK |        | Timer H: timeout      | Timer L (64*T1)     |
 *                       V        | (the ACK never came)  |                     |
 *                 +-----------+  | transport error:      |                     |
 *   ACK:      +---|           |  | inform TU             |                     |
 *   absorbed  +-->| Confirmed |  |                       |                     |
 *                 +-----------+  |                       |                     |
 *                       |        |                       |                     |
 *     Timer I (T4 on    |        |                       |                     |
 *     UDP, 0 on TCP)    V        V                       V                     |
 *                 +----------------------------------------------------+       |
 *                 |                     Terminated                     |<------+
 *                 +----------------------------------------------------+
 * ```
 * `Initial` is the moment before the INVITE is handed in. On a reliable transport Timer G never runs and Timer I is
 * zero, so the ACK leads from Completed straight to Terminated.
 */
export type ServerInviteStateName =
  'initial' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface ServerInviteState {
  readonly name: ServerInviteStateName;
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly timers: TimerSettings;
  /** The most recent response sent: resent for request retransmissions (and by Timer G). */
  readonly lastResponse?: SipResponse;
  /** Interval Timer G was last started with. */
  readonly timerG: number;
}

export function createServerInviteState(request: SipRequest, options: TransactionOptions): ServerInviteState {
  const timers = options.timers ?? DEFAULT_TIMER_SETTINGS;
  return { name: 'initial', request, reliable: options.reliable, timers, timerG: timers.t1 };
}

/** What the table may be keyed by: server events with Timers G, H, I, L and the 100 (Trying) wait only. */
export type ServerInviteEvent = MachineEvent<ServerEvent, 'G' | 'H' | 'I' | 'L' | 'Trying'>;

type Row = Transition<ServerInviteState, ServerTransactionInput, ServerInviteEvent>;

function resendLast(s: ServerInviteState): readonly TransactionAction[] {
  return s.lastResponse ? [{ kind: 'send-response', response: s.lastResponse }] : [];
}

/** Sends the TU's response and remembers it; the 100 (Trying) wait is over once the TU has said anything. */
function sendFromTu(input: ServerTransactionInput): {
  lastResponse: SipResponse;
  actions: TransactionAction[];
} {
  const response = tuResponseOf(input);
  return {
    lastResponse: response,
    actions: [
      { kind: 'cancel-timer', name: 'Trying' },
      { kind: 'send-response', response },
    ],
  };
}

export const SERVER_INVITE_TRANSITIONS: readonly Row[] = [
  {
    from: ['initial'],
    on: 'receive',
    to: 'proceeding',
    effect: (s) => ({
      actions:
        s.timers.tryingDelay === false
          ? []
          : [{ kind: 'start-timer', name: 'Trying', ms: s.timers.tryingDelay }],
    }),
  },
  {
    from: ['proceeding'],
    on: 'timer:Trying',
    to: 'proceeding',
    guard: (s) => s.lastResponse === undefined,
    effect: (s) => {
      const trying = createResponse(s.request, 100);
      return { update: { lastResponse: trying }, actions: [{ kind: 'send-response', response: trying }] };
    },
  },
  {
    from: ['proceeding'],
    on: '1xx',
    to: 'proceeding',
    effect: (_s, input) => {
      const { lastResponse, actions } = sendFromTu(input);
      return { update: { lastResponse }, actions };
    },
  },
  {
    from: ['proceeding'],
    on: '2xx',
    to: 'accepted',
    effect: (s, input) => {
      const { lastResponse, actions } = sendFromTu(input);
      return {
        update: { lastResponse },
        actions: [...actions, { kind: 'start-timer', name: 'L', ms: transactionTimeout(s.timers) }],
      };
    },
  },
  {
    from: ['proceeding'],
    on: '3xx-6xx',
    to: 'completed',
    guard: unreliable,
    effect: (s, input) => {
      const { lastResponse, actions } = sendFromTu(input);
      return {
        update: { lastResponse, timerG: s.timers.t1 },
        actions: [
          ...actions,
          { kind: 'start-timer', name: 'G', ms: s.timers.t1 },
          { kind: 'start-timer', name: 'H', ms: transactionTimeout(s.timers) },
        ],
      };
    },
  },
  {
    from: ['proceeding'],
    on: '3xx-6xx',
    to: 'completed',
    guard: reliable,
    effect: (s, input) => {
      const { lastResponse, actions } = sendFromTu(input);
      return {
        update: { lastResponse },
        actions: [...actions, { kind: 'start-timer', name: 'H', ms: transactionTimeout(s.timers) }],
      };
    },
  },
  {
    from: ['proceeding', 'completed'],
    on: 'request-retransmission',
    to: 'same',
    effect: (s) => ({ actions: resendLast(s) }),
  },
  {
    from: ['completed'],
    on: 'timer:G',
    to: 'completed',
    effect: (s) => {
      const next = Math.min(2 * s.timerG, s.timers.t2);
      return {
        update: { timerG: next },
        actions: [...resendLast(s), { kind: 'start-timer', name: 'G', ms: next }],
      };
    },
  },
  {
    from: ['completed'],
    on: 'timer:H',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'timeout' }] }),
  },
  {
    from: ['completed'],
    on: 'ack',
    to: 'confirmed',
    guard: unreliable,
    effect: (s) => ({
      actions: [
        { kind: 'cancel-timer', name: 'G' },
        { kind: 'cancel-timer', name: 'H' },
        { kind: 'start-timer', name: 'I', ms: s.timers.t4 },
      ],
    }),
  },
  {
    from: ['completed'],
    on: 'ack',
    to: 'terminated',
    guard: reliable,
  },
  {
    from: ['confirmed'],
    on: 'timer:I',
    to: 'terminated',
  },
  {
    // The TU core retransmits its 2xx itself (§13.3.1.4); the transaction only carries it.
    from: ['accepted'],
    on: '2xx',
    to: 'accepted',
    effect: (_s, input) => {
      const response = tuResponseOf(input);
      return { update: { lastResponse: response }, actions: [{ kind: 'send-response', response }] };
    },
  },
  {
    from: ['accepted'],
    on: 'ack',
    to: 'accepted',
    effect: (_s, input) => ({
      actions: input.kind === 'ack' ? [{ kind: 'deliver-ack', ack: input.ack }] : [],
    }),
  },
  {
    from: ['accepted'],
    on: 'timer:L',
    to: 'terminated',
  },
  {
    from: ['proceeding', 'completed'],
    on: 'transport-error',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'transport-failed' }] }),
  },
  {
    // A 2xx that could not be sent: the TU decides (it may end the dialog); Timer L still ends the transaction.
    from: ['accepted'],
    on: 'transport-error',
    to: 'accepted',
    effect: () => ({ actions: [{ kind: 'transport-failed' }] }),
  },
];

export function stepServerInvite(
  state: ServerInviteState,
  input: ServerTransactionInput,
): Step<ServerInviteState> {
  return runTransitions(SERVER_INVITE_TRANSITIONS, serverEventOf(input), state, input);
}
