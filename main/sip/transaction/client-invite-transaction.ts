// RFC 3261 §17.1.1 INVITE client transaction, with the RFC 6026 §7 correction: a 2xx moves it to Accepted, where
// retransmitted and forked 2xx responses keep reaching the TU until Timer M, instead of ending it at once.
import type { SipRequest } from '../message/message';
import {
  type ClientEvent,
  type MachineEvent,
  type Transition,
  clientEventOf,
  onReliable as reliable,
  onUnreliable as unreliable,
  responseOf,
  runTransitions,
} from './state-machine';
import type { ClientTransactionInput, Step, TransactionAction } from './transaction-actions';
import { buildNon2xxAck } from './transaction-requests';
import {
  type TimerSettings,
  type TransactionOptions,
  DEFAULT_TIMER_SETTINGS,
  transactionTimeout,
} from './timers';

/**
 * ```
 *                          | send
 *                          | INVITE sent, start B (and A on UDP)
 *   Timer A                V
 *   INVITE resent   +-----------+  Timer B: timeout (408 to TU)
 *   A doubled  +----|           |  transport error: 503 to TU
 *              |    |  Calling  |--------------------------------------+
 *              +--->|           |------------------+                   |
 *                   +-----------+   2xx            |                   |
 *          300-699     |   |        2xx to TU      |                   |
 *          ACK sent    |   | 1xx                   |                   |
 *          to TU       |   | 1xx to TU             |                   |
 *     +----------------+   V                       |                   |
 *     |             +------------+  2xx            |                   |
 *     |        1xx  |            |  2xx to TU      |                   |
 *     |    to TU +--| Proceeding |------------+    |                   |
 *     |          +->|            |            |    |                   |
 *     |             +------------+            V    V                   |
 *     |    300-699     |                   +----------+                |
 *     |    ACK sent    |                   |          |--+ 2xx         |
 *     |    to TU       |                   | Accepted |  | 2xx to TU   |
 *     V                V                   |          |<-+             |
 *   +-----------+                          +----------+                |
 *   |           |--+ 300-699                    |                      |
 *   | Completed |  | ACK resent                 | Timer M (64*T1)      |
 *   |           |<-+                            |                      |
 *   +-----------+                               |                      |
 *     | Timer D (32 s on UDP, 0 on TCP)         |                      |
 *     | transport error                         |                      |
 *     V                                         V                      |
 *   +------------------------------------------------+                 |
 *   |                   Terminated                   |<----------------+
 *   +------------------------------------------------+
 * ```
 * `Initial` is the moment before the TU hands the INVITE over. On a reliable transport Timer A never runs and Timer
 * D is zero, so a 300-699 goes straight from Calling/Proceeding to Terminated after the ACK. `transport-reliable`
 * (the transport moved the INVITE from UDP to TCP, §18.1.1) makes the transaction reliable from then on: Timer A
 * stops, and Completed ends at once as a zero Timer D would end it. Timers B and M do not depend on the transport.
 */
export type ClientInviteStateName =
  'initial' | 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientInviteState {
  readonly name: ClientInviteStateName;
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly timers: TimerSettings;
  /** Interval Timer A was last started with. */
  readonly timerA: number;
  /** The ACK for the non-2xx final response, resent for each retransmission of that response. */
  readonly ack?: SipRequest;
}

export function createClientInviteState(request: SipRequest, options: TransactionOptions): ClientInviteState {
  const timers = options.timers ?? DEFAULT_TIMER_SETTINGS;
  return { name: 'initial', request, reliable: options.reliable, timers, timerA: timers.t1 };
}

/** What the table may be keyed by: client events with Timers A, B, D and M only. */
export type ClientInviteEvent = MachineEvent<ClientEvent, 'A' | 'B' | 'D' | 'M'>;

type Row = Transition<ClientInviteState, ClientTransactionInput, ClientInviteEvent>;

const STOP_CALLING: readonly TransactionAction[] = [
  { kind: 'cancel-timer', name: 'A' },
  { kind: 'cancel-timer', name: 'B' },
];

function acknowledge(
  s: ClientInviteState,
  input: ClientTransactionInput,
): { ack: SipRequest; actions: TransactionAction[] } {
  const response = responseOf(input);
  const ack = buildNon2xxAck(s.request, response);
  return {
    ack,
    actions: [...STOP_CALLING, { kind: 'send-ack', ack }, { kind: 'deliver', response }],
  };
}

export const CLIENT_INVITE_TRANSITIONS: readonly Row[] = [
  {
    from: ['initial'],
    on: 'send',
    to: 'calling',
    guard: unreliable,
    effect: (s) => ({
      update: { timerA: s.timers.t1 },
      actions: [
        { kind: 'send-request' },
        { kind: 'start-timer', name: 'A', ms: s.timers.t1 },
        { kind: 'start-timer', name: 'B', ms: transactionTimeout(s.timers) },
      ],
    }),
  },
  {
    from: ['initial'],
    on: 'send',
    to: 'calling',
    guard: reliable,
    effect: (s) => ({
      actions: [
        { kind: 'send-request' },
        { kind: 'start-timer', name: 'B', ms: transactionTimeout(s.timers) },
      ],
    }),
  },
  {
    from: ['calling'],
    on: 'timer:A',
    to: 'calling',
    effect: (s) => ({
      update: { timerA: 2 * s.timerA },
      actions: [{ kind: 'send-request' }, { kind: 'start-timer', name: 'A', ms: 2 * s.timerA }],
    }),
  },
  {
    from: ['calling'],
    on: 'timer:B',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'timeout' }] }),
  },
  {
    from: ['calling'],
    on: 'transport-error',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'transport-failed' }] }),
  },
  {
    from: ['calling'],
    on: '1xx',
    to: 'proceeding',
    effect: (_s, input) => ({ actions: [...STOP_CALLING, { kind: 'deliver', response: responseOf(input) }] }),
  },
  {
    from: ['proceeding'],
    on: '1xx',
    to: 'proceeding',
    effect: (_s, input) => ({ actions: [{ kind: 'deliver', response: responseOf(input) }] }),
  },
  {
    from: ['calling', 'proceeding'],
    on: '2xx',
    to: 'accepted',
    effect: (s, input) => ({
      actions: [
        ...STOP_CALLING,
        { kind: 'deliver', response: responseOf(input) },
        { kind: 'start-timer', name: 'M', ms: transactionTimeout(s.timers) },
      ],
    }),
  },
  {
    from: ['calling', 'proceeding'],
    on: '3xx-6xx',
    to: 'completed',
    guard: unreliable,
    effect: (s, input) => {
      const { ack, actions } = acknowledge(s, input);
      return {
        update: { ack },
        actions: [...actions, { kind: 'start-timer', name: 'D', ms: s.timers.timerD }],
      };
    },
  },
  {
    from: ['calling', 'proceeding'],
    on: '3xx-6xx',
    to: 'terminated',
    guard: reliable,
    effect: (s, input) => {
      const { ack, actions } = acknowledge(s, input);
      return { update: { ack }, actions };
    },
  },
  {
    // A retransmitted final response means our ACK was lost: send it again, but the TU has its answer already.
    from: ['completed'],
    on: '3xx-6xx',
    to: 'completed',
    effect: (s) => ({ actions: s.ack ? [{ kind: 'send-ack', ack: s.ack }] : [] }),
  },
  {
    from: ['completed'],
    on: 'timer:D',
    to: 'terminated',
  },
  {
    from: ['completed'],
    on: 'transport-error',
    to: 'terminated',
    effect: () => ({ actions: [{ kind: 'transport-failed' }] }),
  },
  {
    // RFC 6026: retransmissions and forks of the 2xx go to the TU, which answers each with its own ACK.
    from: ['accepted'],
    on: '2xx',
    to: 'accepted',
    effect: (_s, input) => ({ actions: [{ kind: 'deliver', response: responseOf(input) }] }),
  },
  {
    from: ['accepted'],
    on: 'timer:M',
    to: 'terminated',
  },
  {
    from: ['initial', 'proceeding', 'accepted'],
    on: 'transport-reliable',
    to: 'same',
    guard: unreliable,
    effect: () => ({ update: { reliable: true } }),
  },
  {
    from: ['calling'],
    on: 'transport-reliable',
    to: 'calling',
    guard: unreliable,
    effect: () => ({ update: { reliable: true }, actions: [{ kind: 'cancel-timer', name: 'A' }] }),
  },
  {
    from: ['completed'],
    on: 'transport-reliable',
    to: 'terminated',
    guard: unreliable,
    effect: () => ({ update: { reliable: true }, actions: [{ kind: 'cancel-timer', name: 'D' }] }),
  },
];

export function stepClientInvite(
  state: ClientInviteState,
  input: ClientTransactionInput,
): Step<ClientInviteState> {
  return runTransitions(CLIENT_INVITE_TRANSITIONS, clientEventOf(input), state, input);
}
