// RFC 3261 §12: the state of one dialog (id, local and remote URI, remote target, route set, local and remote CSeq,
// secure flag) and how it changes, as a pure step function on an explicit transition table. Creation is §12.1.1
// (UAS) and §12.1.2 (UAC); requests inside it §12.2; termination §12.3. RFC 6026 keeps INVITE 2xx retransmissions
// and their ACKs in the transaction layer, so nothing here waits on a timer.
import type { MalformedHeaderError, SipRequest, SipResponse } from '../message/message';
import { type NameAddr, withoutTag } from '../message/name-addr';
import { type Result, err, ok } from '../message/result';
import type { Uri } from '../message/uri';
import type { DialogId } from './dialog-id';
import { type DialogError, dialogError } from './dialog-error';
import { uacRouteSet, uasRouteSet } from './route-set';

/**
 * ```
 *   UAC: 101-199 with To tag          UAC: 2xx with To tag
 *   UAS: 101-199 sent with our tag    UAS: 2xx sent with our tag
 *            |                                 |
 *            V                                 |
 *      +-----------+  2xx to the INVITE        |
 *      |           |  (UAC: route set and      |
 *      |   Early   |  target from the 2xx,     |
 *      |           |  §13.2.2.4; UAS: answered)|
 *      +-----------+-----------+               |
 *        |   ^  | 1xx to the   |               V
 *        |   +--+ INVITE,      |         +-----------+  in-dialog requests, 2xx to
 *        |   UPDATE and its 2xx:         |           |  re-INVITE, UPDATE, ...:
 *        |   target refresh  +---------->| Confirmed |  remote target refresh
 *        |                               |           |  (§12.2), CSeq checks
 *        | 300-699 to the INVITE         +-----------+
 *        | (§12.3), 481/408 (§12.2.1.2),        | BYE received or answered (§15),
 *        | terminate                            | 481/408, terminate
 *        V                                      V
 *      +------------------------------------------------+
 *      |                   Terminated                   |
 *      +------------------------------------------------+
 * ```
 * An input no row takes is absorbed: a failed re-INVITE leaves the dialog as it was (§14.1), a late 1xx to a
 * confirmed dialog changes nothing. Terminated takes no input.
 */
export type DialogStateName = 'early' | 'confirmed' | 'terminated';

export type DialogRole = 'uac' | 'uas';

export interface DialogState {
  readonly name: DialogStateName;
  /** Who sent the request that created the dialog. */
  readonly role: DialogRole;
  readonly id: DialogId;
  /** The address in the From of our requests (tag excluded): the To of the INVITE for a UAS (§12.1.1). */
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  /** Where our requests go: the peer's Contact, replaced on each target refresh (§12.2). */
  readonly remoteTarget: Uri;
  /** The proxies our requests pass, first hop first. Fixed when the dialog is confirmed (§12.2.1.2). */
  readonly routeSet: readonly NameAddr[];
  /** The CSeq of the last request we sent in the dialog (a UAS starts one below its first, §12.1.1). */
  readonly localSeq: number;
  /** The CSeq of the last request the peer sent; undefined until it sends one (a UAC's dialog, §12.1.2). */
  readonly remoteSeq: number | undefined;
  /** A SIPS Request-URI over TLS created it (§12.1.1, §12.1.2): every request in it must stay on sips. */
  readonly secure: boolean;
}

/**
 * The methods whose requests and 2xx responses replace the remote target: INVITE (§12.2), UPDATE (RFC 3311 §5), and
 * SUBSCRIBE and NOTIFY, which RFC 6665 made target-refresh requests (it updates RFC 3261 there).
 */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'UPDATE',
  'SUBSCRIBE',
  'NOTIFY',
]);

export interface CreateDialogOptions {
  /** The request came (or went) over TLS: with a sips Request-URI the dialog is secure. */
  readonly secureTransport?: boolean;
}

/**
 * §12.1.2: the dialog a response to our INVITE creates (a 101-199 with a To tag makes an early dialog, a 2xx a
 * confirmed one). `request` is the INVITE we sent; the response's Contact and Record-Route are read with the Result
 * readers, so a malformed one is an error here and never an exception.
 */
export function createUacDialog(
  request: SipRequest,
  response: SipResponse,
  options: CreateDialogOptions = {},
): Result<DialogState, DialogError> {
  if (response.status <= 100 || response.status >= 300)
    return err(dialogError('not-dialog-creating', `a ${response.status} creates no dialog`));
  const to = response.tryTo();
  if (!to.ok) return err(malformed('malformed-header', to.error));
  if (to.value.tag === undefined)
    return err(dialogError('not-dialog-creating', 'the response has no To tag (§12.1)'));
  const from = request.tryFrom();
  const cseq = request.tryCSeq();
  const callId = request.tryCallId();
  if (!from.ok) return err(malformed('malformed-header', from.error));
  if (!cseq.ok) return err(malformed('malformed-header', cseq.error));
  if (!callId.ok) return err(malformed('malformed-header', callId.error));
  const routeSet = uacRouteSet(response);
  if (!routeSet.ok) return err(malformed('malformed-record-route', routeSet.error));
  const contact = response.tryContact();
  if (!contact.ok) return err(malformed('malformed-contact', contact.error));
  const target = contact.value[0]?.uri;
  // §12.1.2 requires a Contact in the 2xx; a 1xx without one still makes an early dialog (some gateways send 180s
  // without Contact), which can only reach the peer through the Request-URI until a refresh names a target.
  if (target === undefined && response.status >= 200)
    return err(dialogError('missing-contact', 'the 2xx that creates the dialog has no Contact'));
  return ok({
    name: response.status >= 200 ? 'confirmed' : 'early',
    role: 'uac',
    id: { callId: callId.value, localTag: from.value.tag ?? '', remoteTag: to.value.tag },
    localUri: withoutTag(from.value),
    remoteUri: withoutTag(to.value),
    remoteTarget: target ?? request.requestUri,
    routeSet: routeSet.value,
    localSeq: cseq.value.seq,
    remoteSeq: undefined,
    secure: isSecure(request.requestUri, options),
  });
}

export interface CreateUasDialogOptions extends CreateDialogOptions {
  /** The status of the response that creates the dialog: 101-199 (early) or 2xx (confirmed). */
  readonly status: number;
  /** The To tag we put in that response. */
  readonly localTag: string;
  /**
   * The CSeq of our first request in the dialog. §12.1.1 leaves the local sequence empty and §12.2.1.1 lets us pick
   * any start below 2^31; the caller picks (from its injected Random) so this stays pure. Defaults to 1.
   */
  readonly firstLocalCSeq?: number;
}

/** §12.1.1: the dialog our response to `request` (an INVITE) creates. */
export function createUasDialog(
  request: SipRequest,
  options: CreateUasDialogOptions,
): Result<DialogState, DialogError> {
  if (options.status <= 100 || options.status >= 300)
    return err(dialogError('not-dialog-creating', `a ${options.status} creates no dialog`));
  const from = request.tryFrom();
  const to = request.tryTo();
  const cseq = request.tryCSeq();
  const callId = request.tryCallId();
  if (!from.ok) return err(malformed('malformed-header', from.error));
  if (!to.ok) return err(malformed('malformed-header', to.error));
  if (!cseq.ok) return err(malformed('malformed-header', cseq.error));
  if (!callId.ok) return err(malformed('malformed-header', callId.error));
  const routeSet = uasRouteSet(request);
  if (!routeSet.ok) return err(malformed('malformed-record-route', routeSet.error));
  const contact = request.tryContact();
  if (!contact.ok) return err(malformed('malformed-contact', contact.error));
  const target = contact.value[0]?.uri;
  if (target === undefined)
    return err(dialogError('missing-contact', 'the request that creates the dialog has no Contact'));
  return ok({
    name: options.status >= 200 ? 'confirmed' : 'early',
    role: 'uas',
    id: { callId: callId.value, localTag: options.localTag, remoteTag: from.value.tag ?? '' },
    localUri: withoutTag(to.value),
    remoteUri: withoutTag(from.value),
    remoteTarget: target,
    routeSet: routeSet.value,
    localSeq: (options.firstLocalCSeq ?? 1) - 1,
    remoteSeq: cseq.value.seq,
    secure: isSecure(request.requestUri, options),
  });
}

function isSecure(requestUri: Uri, options: CreateDialogOptions): boolean {
  return options.secureTransport === true && requestUri.scheme === 'sips';
}

function malformed(code: DialogError['code'], error: MalformedHeaderError): DialogError {
  return dialogError(code, error.message);
}

/** What a dialog is told. */
export type DialogInput =
  /** A response to a request we sent in this dialog, or to the INVITE that created it (its CSeq names the method). */
  | { readonly kind: 'response'; readonly response: SipResponse }
  /** A request the peer sent in this dialog; the step says whether it may go on (`accept`) or is refused. */
  | { readonly kind: 'request'; readonly request: SipRequest }
  /** We (the UAS) sent a 2xx to the INVITE that created this early dialog. */
  | { readonly kind: 'answered' }
  /** The usage ends the dialog (a BYE it sent was challenged to death, a non-2xx final it sent, shutdown). */
  | { readonly kind: 'terminate' };

export type DialogAction =
  | { readonly kind: 'state-changed'; readonly from: DialogStateName; readonly to: DialogStateName }
  | { readonly kind: 'target-refreshed'; readonly target: Uri }
  /** The request may be handed to its usage. */
  | { readonly kind: 'accept' }
  /** Answer the request with this status instead of handing it on. */
  | { readonly kind: 'reject'; readonly status: number; readonly reason: string }
  /** A header the dialog needed was malformed; the state did not move. */
  | { readonly kind: 'malformed'; readonly error: DialogError };

export interface DialogStep {
  readonly state: DialogState;
  readonly actions: readonly DialogAction[];
}

/** The event keys inputs are classified into; a row keyed by anything else does not compile. */
export type DialogEvent =
  | 'invite-1xx'
  | 'invite-2xx'
  | 'invite-failure'
  | 'refresh-2xx'
  | 'bye-final'
  | 'gone'
  | 'response-other'
  | 'request-out-of-order'
  | 'request-malformed'
  | 'request-unsequenced'
  | 'request-bye'
  | 'request-target-refresh'
  | 'request-other'
  | 'answered'
  | 'terminate';

/** One row of the table: in any of `from`, on `on`, go `to` (or stay, `same`) doing what `effect` says. */
export interface DialogTransition {
  readonly from: readonly DialogStateName[];
  readonly on: DialogEvent;
  readonly to: DialogStateName | 'same';
  readonly effect?: (state: DialogState, input: DialogInput) => DialogEffect;
}

export interface DialogEffect {
  readonly update?: Partial<Omit<DialogState, 'name'>>;
  readonly actions?: readonly DialogAction[];
  /** The effect found the input unusable: keep the state as it was and report only these actions. */
  readonly stay?: boolean;
}

const LIVE: readonly DialogStateName[] = ['early', 'confirmed'];

export const DIALOG_TRANSITIONS: readonly DialogTransition[] = [
  // §12.2.1.2: a 481 or 408 to any request in the dialog means the peer has lost it.
  { from: LIVE, on: 'gone', to: 'terminated' },
  // §13.2.2.4: a later 1xx may carry a new Contact; the route set of an early dialog stays what the first said.
  { from: ['early'], on: 'invite-1xx', to: 'early', effect: (s, i) => refreshFromResponse(s, i) },
  // §13.2.2.4: the 2xx confirms the dialog and its route set is recomputed from the 2xx.
  { from: ['early'], on: 'invite-2xx', to: 'confirmed', effect: (s, i) => confirmFromResponse(s, i) },
  // §12.2.1.2: the 2xx to a re-INVITE refreshes the target; the route set does not change.
  { from: ['confirmed'], on: 'invite-2xx', to: 'confirmed', effect: (s, i) => refreshFromResponse(s, i) },
  // RFC 3311 §5.2: the 2xx to UPDATE refreshes the target, in an early dialog too (and that of SUBSCRIBE/NOTIFY).
  { from: LIVE, on: 'refresh-2xx', to: 'same', effect: (s, i) => refreshFromResponse(s, i) },
  // §12.3: a 300-699 to the INVITE ends its early dialogs; one to a re-INVITE (confirmed) changes nothing (§14.1).
  { from: ['early'], on: 'invite-failure', to: 'terminated' },
  // §15.1.1: the dialog ends once our BYE is answered (a 401/407 is not an answer: the BYE is sent again).
  { from: LIVE, on: 'bye-final', to: 'terminated' },
  // §12.2.2: a request below the remote sequence is out of order; the CSeq is not taken.
  {
    from: LIVE,
    on: 'request-out-of-order',
    to: 'same',
    effect: (s, i) => ({
      stay: true,
      actions: [
        { kind: 'reject', status: 500, reason: `CSeq ${requestOf(i).cseq.seq} is below ${s.remoteSeq ?? 0}` },
      ],
    }),
  },
  {
    from: LIVE,
    on: 'request-malformed',
    to: 'same',
    effect: () => ({ stay: true, actions: [{ kind: 'reject', status: 400, reason: 'Bad Request (CSeq)' }] }),
  },
  // ACK and CANCEL carry the CSeq number of the request they belong to (§13.2.2.4, §9.1): no ordering check.
  { from: LIVE, on: 'request-unsequenced', to: 'same', effect: () => ({ actions: [{ kind: 'accept' }] }) },
  // §15.1.2: a BYE ends the dialog; the usage answers it with 200.
  {
    from: LIVE,
    on: 'request-bye',
    to: 'terminated',
    effect: (_s, i) => ({ update: { remoteSeq: requestOf(i).cseq.seq }, actions: [{ kind: 'accept' }] }),
  },
  { from: LIVE, on: 'request-target-refresh', to: 'same', effect: (s, i) => refreshFromRequest(s, i) },
  {
    from: LIVE,
    on: 'request-other',
    to: 'same',
    effect: (_s, i) => ({ update: { remoteSeq: requestOf(i).cseq.seq }, actions: [{ kind: 'accept' }] }),
  },
  { from: ['early'], on: 'answered', to: 'confirmed' },
  { from: LIVE, on: 'terminate', to: 'terminated' },
];

/**
 * Applies one input: the first row whose state and event match decides. A request no row takes (the dialog is
 * terminated) is refused with 481, since §12.2.2 treats it as one for a dialog that does not exist.
 */
export function stepDialog(state: DialogState, input: DialogInput): DialogStep {
  const event = classify(state, input);
  if (state.name !== 'terminated') {
    for (const row of DIALOG_TRANSITIONS) {
      if (row.on !== event || !row.from.includes(state.name)) continue;
      const effect = row.effect?.(state, input) ?? {};
      if (effect.stay) return { state, actions: effect.actions ?? [] };
      const name = row.to === 'same' ? state.name : row.to;
      const next: DialogState = { ...state, ...effect.update, name };
      const actions = [...(effect.actions ?? [])];
      if (name !== state.name) actions.unshift({ kind: 'state-changed', from: state.name, to: name });
      return { state: next, actions };
    }
  }
  if (input.kind === 'request' && input.request.method !== 'ACK')
    return { state, actions: [{ kind: 'reject', status: 481, reason: 'the dialog has ended' }] };
  return { state, actions: [] };
}

function classify(state: DialogState, input: DialogInput): DialogEvent | undefined {
  switch (input.kind) {
    case 'answered':
    case 'terminate':
      return input.kind;
    case 'response':
      return classifyResponse(input.response);
    case 'request':
      return classifyRequest(state, input.request);
  }
}

function classifyResponse(response: SipResponse): DialogEvent {
  const status = response.status;
  const cseq = response.tryCSeq();
  const method = cseq.ok ? cseq.value.method : '';
  if (status === 481 || status === 408) return 'gone';
  if (method === 'INVITE') {
    if (status > 100 && status < 200) return 'invite-1xx';
    if (status >= 200 && status < 300) return 'invite-2xx';
    if (status >= 300 && status < 700) return 'invite-failure';
  }
  if (TARGET_REFRESH_METHODS.has(method) && status >= 200 && status < 300) return 'refresh-2xx';
  if (method === 'BYE' && status >= 200 && status !== 401 && status !== 407) return 'bye-final';
  return 'response-other';
}

function classifyRequest(state: DialogState, request: SipRequest): DialogEvent {
  const method = request.method;
  if (method === 'ACK' || method === 'CANCEL') return 'request-unsequenced';
  const cseq = request.tryCSeq();
  if (!cseq.ok) return 'request-malformed';
  if (state.remoteSeq !== undefined && cseq.value.seq < state.remoteSeq) return 'request-out-of-order';
  if (method === 'BYE') return 'request-bye';
  if (TARGET_REFRESH_METHODS.has(method)) return 'request-target-refresh';
  return 'request-other';
}

function requestOf(input: DialogInput): SipRequest {
  if (input.kind !== 'request') throw new TypeError(`expected a request input, got ${input.kind}`);
  return input.request;
}

function responseOf(input: DialogInput): SipResponse {
  if (input.kind !== 'response') throw new TypeError(`expected a response input, got ${input.kind}`);
  return input.response;
}

/** The target a response names, if any; a malformed Contact is reported and leaves the state alone. */
function refreshFromResponse(state: DialogState, input: DialogInput): DialogEffect {
  const contact = responseOf(input).tryContact();
  if (!contact.ok) return { stay: true, actions: [malformedAction('malformed-contact', contact.error)] };
  const target = contact.value[0]?.uri;
  if (target === undefined) return {};
  return { update: { remoteTarget: target }, actions: [{ kind: 'target-refreshed', target }] };
}

/** §13.2.2.4: the confirming 2xx gives the route set (reversed Record-Route) and the remote target. */
function confirmFromResponse(state: DialogState, input: DialogInput): DialogEffect {
  const response = responseOf(input);
  const routeSet = uacRouteSet(response);
  if (!routeSet.ok)
    return { stay: true, actions: [malformedAction('malformed-record-route', routeSet.error)] };
  const refresh = refreshFromResponse(state, input);
  if (refresh.stay) return refresh;
  return {
    update: { ...refresh.update, routeSet: routeSet.value },
    actions: refresh.actions ?? [],
  };
}

/** §12.2.2: a target-refresh request replaces the remote target with its Contact and takes the new CSeq. */
function refreshFromRequest(_state: DialogState, input: DialogInput): DialogEffect {
  const request = requestOf(input);
  const contact = request.tryContact();
  if (!contact.ok) {
    return {
      stay: true,
      actions: [{ kind: 'reject', status: 400, reason: 'Bad Request (malformed Contact)' }],
    };
  }
  const seq = request.cseq.seq;
  const target = contact.value[0]?.uri;
  if (target === undefined) return { update: { remoteSeq: seq }, actions: [{ kind: 'accept' }] };
  return {
    update: { remoteSeq: seq, remoteTarget: target },
    actions: [{ kind: 'target-refreshed', target }, { kind: 'accept' }],
  };
}

function malformedAction(code: DialogError['code'], error: MalformedHeaderError): DialogAction {
  return { kind: 'malformed', error: dialogError(code, error.message) };
}
