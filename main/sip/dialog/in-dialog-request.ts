// RFC 3261 §12.2.1.1: a request inside a dialog. The Request-URI and Route come from the remote target and the
// route set (loose or strict routing, route-set.ts), From and To from the dialog's URIs with their tags, the Call-ID
// from its id, the CSeq from its local sequence (one more per request; an ACK for a 2xx reuses the INVITE's number,
// §13.2.2.4). Target-refresh requests carry our Contact (§12.2.1.1, RFC 3311 §5.1, RFC 6665). The Via is left to the
// transaction layer, which stamps it with the flow's sent-by (§18.1.1). CANCEL is not built here: it copies the
// request it cancels, Via included (§9.1), so the INVITE's client transaction builds it (transaction-requests.ts).
import { createRequest } from '../message/builders';
import type { SipRequest } from '../message/message';
import type { NameAddr } from '../message/name-addr';
import { type Result, err, ok } from '../message/result';
import { MAX_CSEQ } from '../message/typed-headers';
import { type DialogState, TARGET_REFRESH_METHODS } from './dialog';
import { type DialogError, dialogError } from './dialog-error';
import { routeInDialog } from './route-set';

/** The methods sent inside a dialog (RFC 3261, 3262 PRACK, 3311 UPDATE, 3515 REFER, 6086 INFO, 6665 SUBSCRIBE/NOTIFY). */
export type InDialogMethod =
  | 'ACK'
  | 'BYE'
  | 'INFO'
  | 'INVITE'
  | 'MESSAGE'
  | 'NOTIFY'
  | 'OPTIONS'
  | 'PRACK'
  | 'REFER'
  | 'SUBSCRIBE'
  | 'UPDATE';

export interface InDialogRequestSpec {
  readonly method: InDialogMethod;
  /** Our Contact: required for target refreshes (INVITE, UPDATE, SUBSCRIBE, NOTIFY), added to others given one. */
  readonly contact?: NameAddr;
  /** For an ACK of a 2xx: the CSeq number of the INVITE it acknowledges (§13.2.2.4). */
  readonly inviteCSeq?: number;
  /** RFC 3261 §8.1.1.6 recommends 70. */
  readonly maxForwards?: number;
  /** What only the usage knows: RAck for PRACK, Refer-To, Event, Subscription-State, Session-Expires, ... */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
}

export interface InDialogRequest {
  /** The dialog with its local CSeq advanced (unchanged for ACK). */
  readonly state: DialogState;
  readonly request: SipRequest;
}

/** Builds the next request of a dialog; the returned state must replace the old one so the CSeq is not reused. */
export function buildInDialogRequest(
  state: DialogState,
  spec: InDialogRequestSpec,
): Result<InDialogRequest, DialogError> {
  if (state.name === 'terminated')
    return err(dialogError('terminated', `no ${spec.method} in an ended dialog`));
  if (TARGET_REFRESH_METHODS.has(spec.method) && spec.contact === undefined)
    return err(dialogError('contact-required', `${spec.method} refreshes the target and needs our Contact`));
  let cseq: number;
  let next = state;
  if (spec.method === 'ACK') {
    if (spec.inviteCSeq === undefined)
      return err(dialogError('ack-needs-cseq', 'an ACK needs the CSeq number of its INVITE'));
    cseq = spec.inviteCSeq;
  } else {
    if (state.localSeq >= MAX_CSEQ)
      return err(dialogError('cseq-exhausted', 'the local CSeq has reached 2^32-1 (§8.1.1.5)'));
    cseq = state.localSeq + 1;
    next = { ...state, localSeq: cseq };
  }
  const routing = routeInDialog(state.remoteTarget, state.routeSet);
  const remoteTag = state.id.remoteTag;
  const request = createRequest({
    method: spec.method,
    requestUri: routing.requestUri,
    from: { ...state.localUri, tag: state.id.localTag },
    // §12.2.1.1: an RFC 2543 peer's null tag means no tag in our To.
    to: remoteTag === '' ? state.remoteUri : { ...state.remoteUri, tag: remoteTag },
    callId: state.id.callId,
    cseq,
    ...(spec.maxForwards !== undefined ? { maxForwards: spec.maxForwards } : {}),
    ...(spec.contact !== undefined ? { contact: [spec.contact] } : {}),
    route: routing.route,
    ...(spec.headers !== undefined ? { headers: spec.headers } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.contentType !== undefined ? { contentType: spec.contentType } : {}),
  });
  return ok({ state: next, request });
}
