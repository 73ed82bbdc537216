// The states of a call as its user sees them, and the only moves between them (habit 4: a guarded transition table
// with a diagram). The SIP details (transactions, dialogs, forks) live below; this is what the window and the CLI
// show. Hold is not a state: a connected call carries `hold` flags (ours, theirs) that re-INVITEs change.

/**
 * ```
 *   outgoing                                 incoming
 *   +------+  dial                           +----------+  INVITE arrived (offer checked)
 *   | idle |---------+                       | incoming |------------------+
 *   +------+         |                       +----------+                  |
 *                    V                          | 180 / 183 sent           |
 *              +---------+  1xx with To tag     V                          |
 *              | calling |-----------+     +---------+                     |
 *              +---------+           |     | ringing |                     |
 *                | 2xx  |            V     +---------+                     |
 *                |      |       +-------+     | answer(): 2xx sent        |
 *                |      |       | early |     V                            |
 *                |      |       +-------+  +------------+                  |
 *                |      |    2xx |  |      | connecting |  (2xx resent     |
 *                V      |        |  |      +------------+   until the ACK) |
 *           +-----------+<-------+  |         | ACK                        |
 *           | connected |<----------|---------+                            |
 *           +-----------+           |                                      |
 *                | hangup(): BYE    | hangup(): CANCEL                     |
 *                V                  V                                      |
 *           +-----------------------------+                                |
 *           |           ending            |  (BYE or CANCEL answered)      |
 *           +-----------------------------+                                |
 *                         |                                                |
 *                         V                                                |
 *           +-----------------------------+   failure response, reject(),  |
 *           |            ended            |<--CANCEL, BYE, Timer B/H ------+
 *           +-----------------------------+   (from every state above)
 * ```
 * Every state but `ended` may go straight to `ended`. `ended` is final.
 */
export type CallStateName =
  'idle' | 'calling' | 'early' | 'incoming' | 'ringing' | 'connecting' | 'connected' | 'ending' | 'ended';

export const CALL_TRANSITIONS: Readonly<Record<CallStateName, readonly CallStateName[]>> = {
  idle: ['calling', 'ended'],
  calling: ['early', 'connected', 'ending', 'ended'],
  early: ['connected', 'ending', 'ended'],
  incoming: ['ringing', 'connecting', 'ended'],
  ringing: ['connecting', 'ended'],
  connecting: ['connected', 'ending', 'ended'],
  connected: ['ending', 'ended'],
  ending: ['ended'],
  ended: [],
};

export function canTransition(from: CallStateName, to: CallStateName): boolean {
  return CALL_TRANSITIONS[from].includes(to);
}

/** Who ended a call: us (hangup, reject, cancel), the far end (BYE, CANCEL, a failure response), or a fault. */
export type CallEndedBy = 'local' | 'remote' | 'error';

/**
 * Why a call ended, as a code the window words (sentences live there). The SIP status, when one was involved, comes
 * beside it in `CallEnd.status`.
 */
export type CallEndReason =
  /** A BYE, sent or received, after the call was up. */
  | 'normal'
  /** We transferred the call (REFER) and the far end reached the target: we sent BYE. */
  | 'transferred'
  /** An INVITE with Replaces took the call's place (RFC 3891; the far end of an attended transfer). */
  | 'replaced'
  /** We cancelled our call before it was answered. */
  | 'cancelled'
  /** The caller cancelled before we answered (RFC 3261 §9.2). */
  | 'cancelled-by-caller'
  /** We refused an incoming call (reject(code)). */
  | 'rejected'
  /** Refused at once with 486 because do-not-disturb is on. */
  | 'do-not-disturb'
  /** 486, 600. */
  | 'busy'
  /** 603. */
  | 'declined'
  /** 404, 604, 410, 484. */
  | 'not-found'
  /** 480. */
  | 'unavailable'
  /** Timer B (a synthesized 408), a 408 from the far end, or 504. */
  | 'no-answer'
  /** The request could not be delivered (the transport's 503). */
  | 'unreachable'
  /** 488, 606, 415: the far end would not take our media; or an answer in a 2xx we could not use. */
  | 'media-refused'
  /** 401/407 we could not answer (wrong credentials, unsupported challenge), or 403. */
  | 'auth-failed'
  | 'forbidden'
  /** More than the bounded number of 3xx, or a 3xx back to a target already tried. */
  | 'redirect-loop'
  /** A 3xx with no Contact we can follow. */
  | 'redirect-failed'
  /** Our 2xx was never acknowledged (64·T1, RFC 3261 §13.3.1.4). */
  | 'no-ack'
  /** The media session heard no RTP from the far end for too long (reported through Call.mediaLost). */
  | 'media-timeout'
  /** No session refresh arrived in time (RFC 4028 §10): we sent BYE. */
  | 'session-expired'
  /** 422 Session Interval Too Small that we could not satisfy (RFC 4028 §6). */
  | 'session-interval-too-small'
  /** A 481 or 408 to a request inside the dialog: the far end no longer knows it (§12.2.1.2). */
  | 'dialog-lost'
  /** Other 5xx. */
  | 'server-error'
  /** Any other final failure. */
  | 'failed'
  /** The usage's call limit was reached: the call never started. */
  | 'call-limit'
  /** Our own fault: the media port could not be made, a request could not be built or sent. */
  | 'internal-error';

export interface CallEnd {
  readonly by: CallEndedBy;
  readonly reason: CallEndReason;
  /** The SIP status that ended it, when there was one. */
  readonly status?: number;
  /** Technical detail for logs (a status line, an SDP error); never shown as a sentence. */
  readonly detail?: string;
}

/** The end reason of a final failure response to our INVITE. */
export function endReasonForStatus(status: number, synthesized: boolean): CallEndReason {
  if (synthesized) return status === 408 ? 'no-answer' : 'unreachable';
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 603:
      return 'declined';
    case 404:
    case 410:
    case 484:
    case 604:
      return 'not-found';
    case 480:
      return 'unavailable';
    case 408:
    case 504:
      return 'no-answer';
    case 415:
    case 488:
    case 606:
      return 'media-refused';
    case 401:
    case 407:
      return 'auth-failed';
    case 403:
      return 'forbidden';
    default:
      return status >= 500 && status < 600 ? 'server-error' : 'failed';
  }
}
