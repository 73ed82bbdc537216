// One INVITE session (RFC 3261 §13–§15, RFC 6026), outgoing or incoming, and what happens inside its dialog: BYE,
// re-INVITE and UPDATE for hold and media changes (RFC 3264 §8, RFC 3311, RFC 6337), 491 glare (§14.1), INFO DTMF.
// The machine below is the user's view (call-state.ts); the SIP state lives in the transactions and in the
// dialogs kept in the agent's DialogSet. Time comes from the injected clock; media only through the MediaPort.
//
// Outgoing (§13.2): the INVITE carries our offer; 1xx with a To tag make early dialogs (several To tags = forks);
// the first 2xx wins and is ACKed by us (§13.2.2.4), again for each retransmission; any other fork's 2xx is ACKed
// and then BYEd. 401/407 are answered once with the account's authenticator, 3xx followed (bounded, loops refused),
// other failures end the call with a reason code. hangup() before the answer CANCELs (§9.1), and a 2xx that
// crosses the CANCEL is ACKed and BYEd.
// Incoming (§13.3): 180 (or 183 with our answer for early media), then answer() sends the 2xx and resends it with
// T1 doubling up to T2 until the ACK; 64·T1 without ACK ends the call with a BYE (§13.3.1.4). An INVITE without
// SDP gets our offer in the 2xx and the answer comes in the ACK.
import type { TimerHandle } from '../../platform/clock';
import type { NegotiatedMedia } from '../../sdp/negotiated-media';
import type { SdpError } from '../../sdp/sdp-error';
import type { DigestAuthenticator } from '../../sip/auth/authenticator';
import {
  type DialogState,
  TARGET_REFRESH_METHODS,
  createUacDialog,
  createUasDialog,
  stepDialog,
} from '../../sip/dialog/dialog';
import { type InDialogRequestSpec, buildInDialogRequest } from '../../sip/dialog/in-dialog-request';
import { routeInDialog } from '../../sip/dialog/route-set';
import { createResponse, reasonPhrase } from '../../sip/message/builders';
import { type HeaderField, SipRequest, type SipResponse, field } from '../../sip/message/message';
import { type NameAddr, formatNameAddr, withoutTag } from '../../sip/message/name-addr';
import { type SipUri, isSipUri } from '../../sip/message/uri';
import {
  type ClientTransaction,
  type ClientTransactionUser,
  isSynthesizedResponse,
} from '../../sip/transaction/client-transaction';
import { transactionTimeout } from '../../sip/transaction/timers';
import type { Destination, MessageSource, TransportProtocol } from '../../sip/transport/types';
import type { RequestFactory } from '../request-factory';
import type { ServerTransactionHandle as ServerTransaction } from '../uas-core';
import type { CallContext, CallHandle } from './call-context';
import {
  type CallEnd,
  type CallEndReason,
  type CallEndedBy,
  type CallStateName,
  canTransition,
  endReasonForStatus,
} from './call-state';
import { DTMF_RELAY_TYPE, DTMF_TYPE, formatDtmfRelay, isDtmfDigit, parseDtmfInfo } from './dtmf-relay';
import { glareDelay } from './glare';
import type { LocalAnswer, MediaPort } from './media-port';
import { type CallEventMap, Listeners } from './call-events';
import {
  formatReplaces,
  parseReplaces,
  REFER_SUBSCRIPTION_SECONDS,
  SIPFRAG_TYPE,
  formatReferTo,
  readReferTo,
  readSipfragStatus,
  sipfrag,
} from './refer';
import {
  MIN_SESSION_EXPIRES,
  type RefresherRole,
  SessionTimer,
  TIMER_TAG,
  formatSessionExpires,
  parseMinSe,
  parseSessionExpires,
} from './session-timer';

const SDP = 'application/sdp';
/** RFC 4028 §6: 422s answered in one call before giving up. */
const MAX_INTERVAL_RETRIES = 2;
/** RFC 3261 §8.1.3.4 lets a UAC follow redirects; we stop after this many in one call. */
export const MAX_REDIRECTS = 5;
/** §14.2: how long (at most, in seconds) a peer is told to wait when its re-INVITE crosses one of ours. */
const RETRY_AFTER_MAX_SECONDS = 10;
/** The longest delay a timer can take (Node's setTimeout limit). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();

export type CallDirection = 'outgoing' | 'incoming';

/** Who we are in a call and how we reach the network: an account, or the agent's own address for direct calls. */
export interface CallIdentity {
  readonly requests: RequestFactory;
  /** Answers 401/407; none for direct calls without credentials. */
  readonly auth?: DigestAuthenticator;
  /** Every out-of-dialog request goes here first (RFC 3261 §8.1.2). */
  readonly outboundProxy?: SipUri;
  readonly transport: TransportProtocol;
}

export interface HoldState {
  /** We hold the call (our re-INVITE offered sendonly or inactive). */
  readonly local: boolean;
  /** The far end holds it (its SDP says it will not receive, or c=0.0.0.0). */
  readonly remote: boolean;
}

export interface AnswerOptions {
  /** Start on hold (call waiting: answering a second call holds nothing here; the services hold the first). */
  readonly hold?: boolean;
}

export class Call implements CallHandle {
  readonly id: string;
  readonly direction: CallDirection;
  /** The far end as the INVITE names it: the To we call, or the From that calls us. */
  readonly remote: NameAddr;
  readonly #context: CallContext;
  readonly #identity: CallIdentity;
  readonly #listeners = new Listeners<CallEventMap>();
  #state: CallStateName;
  #end: CallEnd | undefined;
  #port: MediaPort | undefined;
  #media: NegotiatedMedia | undefined;
  #mediaStarted = false;
  #portStopped = false;
  #hold: HoldState = { local: false, remote: false };
  /** What the user asked for; a re-INVITE goes out whenever it differs from `#hold.local` and nothing is pending. */
  #wantHold = false;
  /** The confirmed dialog (or, for an incoming call, the one our 2xx will confirm). */
  #dialog: DialogState | undefined;
  readonly #timers = new Set<TimerHandle>();

  // Outgoing INVITE.
  #target: SipUri | undefined;
  #invite: SipRequest | undefined;
  #inviteTransaction: ClientTransaction | undefined;
  #inviteDestination: Destination | undefined;
  #cancelRequested = false;
  /** The ring timeout fired: the CANCEL it sent ends the call as `no-answer`, not `cancelled`. */
  #ringTimedOut = false;
  #ringTimer: TimerHandle | undefined;
  #redirects = 0;
  /** The To tag of the 1xx whose SDP answer we took (early media), if any. */
  #earlyAnswerTag: string | undefined;
  readonly #triedTargets = new Set<string>();
  /** The ACK for the winning 2xx, sent again for each retransmission of it. */
  #ack:
    | { readonly request: SipRequest; readonly destination: Destination; readonly remoteTag: string }
    | undefined;

  // Incoming INVITE.
  #serverInvite: ServerTransaction | undefined;
  #localTag: string | undefined;
  #inviteRequest: SipRequest | undefined;
  #preparedAnswer: LocalAnswer | undefined;

  // 2xx we sent to an INVITE or re-INVITE and resend until its ACK (§13.3.1.4).
  #pending2xx:
    | {
        readonly response: SipResponse;
        readonly transaction: ServerTransaction;
        readonly cseq: number;
        /** Our offer went in the 2xx: the answer comes in the ACK. */
        readonly answerInAck: boolean;
        interval: number;
        timer: TimerHandle | undefined;
        readonly deadline: TimerHandle;
      }
    | undefined;
  /** hangup() while our 2xx waited for its ACK: the BYE waits too (§15). */
  #byeAfterAck = false;

  // re-INVITE / UPDATE.
  #reinvitePending = false;
  #incomingOfferPending = false;
  /** The ACK for the 2xx to our latest re-INVITE, by its CSeq, sent again for each retransmission of that 2xx. */
  readonly #reinviteAcked = new Map<number, { request: SipRequest; destination: Destination }>();
  #glareTimer: TimerHandle | undefined;

  // Blind transfer (RFC 3515).
  /** Our REFER is out or accepted, and the referred call has not ended yet. */
  #transferPending = false;
  /** Headers our INVITE adds (Referred-By on a call a REFER asked for). */
  #inviteHeaders: ReadonlyArray<readonly [string, string]> = [];

  // Reliable provisionals (RFC 3262).
  /** UAC: the last RSeq taken per remote tag, so retransmissions are not PRACKed again (§4). */
  readonly #rseqByTag = new Map<string, number>();
  /** UAS: the INVITE required 100rel, so all our 1xx go reliably. */
  #peerRequires100rel = false;
  /** UAS: the INVITE supported 100rel, so a 1xx with SDP (early media) goes reliably. */
  #peerSupports100rel = false;
  /** UAS: our reliable 1xx not yet PRACKed, resent at T1 doubling (§3). */
  #unackedProvisional:
    | { readonly response: SipResponse; readonly rseq: number; readonly hasSdp: boolean; interval: number }
    | undefined;
  #provisionalTimers: { resend: TimerHandle | undefined; deadline: TimerHandle | undefined } = {
    resend: undefined,
    deadline: undefined,
  };
  /** answer() came while a reliable 1xx with SDP was unacknowledged: the 2xx waits for its PRACK (§3). */
  #answerAfterPrack: AnswerOptions | undefined;
  #nextRseq = 0;

  // Session timer (RFC 4028).
  #sessionTimer: SessionTimer | undefined;
  /** We are the session's refresher (RFC 4028 §7.4 keeps it so on our re-INVITEs). */
  #weRefresh = false;
  #intervalRetries = 0;
  /** The refresh re-INVITE we have in flight, if the one in flight is one. */
  #refreshing = false;
  /** A refresh UPDATE (no SDP) is in flight. */
  #updateRefreshPending = false;
  /**
   * The far end's Allow lists UPDATE (RFC 3311 §5.1): then we refresh the session with an UPDATE (RFC 4028 §9).
   * Learnt from the last Allow it sent in this call; an absent Allow tells nothing (RFC 3261 §20.5).
   */
  #peerAllowsUpdate = false;

  private constructor(
    context: CallContext,
    identity: CallIdentity,
    direction: CallDirection,
    remote: NameAddr,
    state: CallStateName,
  ) {
    this.#context = context;
    this.#identity = identity;
    this.direction = direction;
    this.remote = remote;
    this.#state = state;
    this.id = `call-${context.random.token(12)}`;
  }

  /** An outgoing call in `idle`; `start()` sends the INVITE. */
  static outgoing(
    context: CallContext,
    identity: CallIdentity,
    target: SipUri,
    to?: NameAddr,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): Call {
    const remote = to ?? { uri: { ...target, params: new Map(), headers: new Map() }, params: new Map() };
    const call = new Call(context, identity, 'outgoing', remote, 'idle');
    call.#target = target;
    call.#inviteHeaders = headers;
    return call;
  }

  /**
   * An incoming call for `invite` (no To tag). It makes its media port, checks the offer (a bad one is refused with
   * 400/488 and the call never surfaces), then rings. `surface` is called once it rings.
   */
  static incoming(
    context: CallContext,
    identity: CallIdentity,
    invite: SipRequest,
    transaction: ServerTransaction,
    options: { readonly earlyMedia: boolean },
    surface: (call: Call) => void,
  ): Call {
    const call = new Call(context, identity, 'incoming', withoutTag(invite.from), 'incoming');
    call.#serverInvite = transaction;
    call.#inviteRequest = invite;
    call.#notePeerMethods(invite);
    call.#localTag = context.random.token(10);
    call.#background(call.#prepareIncoming(options.earlyMedia, surface));
    return call;
  }

  get state(): CallStateName {
    return this.#state;
  }

  /** How it ended; undefined until `ended`. */
  get end(): CallEnd | undefined {
    return this.#end;
  }

  /** The media last agreed, if any. */
  get media(): NegotiatedMedia | undefined {
    return this.#media;
  }

  get hold(): HoldState {
    return this.#hold;
  }

  /** The dialog the call talks in, once there is one (for an attended transfer's Replaces). */
  get dialogId(): DialogState['id'] | undefined {
    return this.#dialog?.id;
  }

  get callId(): string | undefined {
    return this.#dialog?.id.callId ?? this.#invite?.callId ?? this.#inviteRequest?.callId;
  }

  /**
   * Who we are in this call: the account's request factory (the very object `Account.requests` is) or, for a
   * direct call, the one made for it. The services use it to tell which account an incoming call is for.
   */
  get requests(): RequestFactory {
    return this.#identity.requests;
  }

  on<K extends keyof CallEventMap>(event: K, listener: (payload: CallEventMap[K]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Outgoing

  /** Ends a call that was never started (the usage's call limit): no request goes out. */
  endUnstarted(reason: CallEndReason, detail: string): void {
    if (this.#state === 'idle') this.#finish({ by: 'error', reason, detail });
  }

  /** Makes the media port and sends the INVITE with our offer. */
  async start(): Promise<void> {
    if (this.#state !== 'idle' || this.#target === undefined) return;
    this.#transition('calling');
    let port: MediaPort;
    let destination: Destination;
    try {
      port = await this.#context.media({ callRef: this.id, direction: 'outgoing' });
    } catch (error) {
      this.#finish({ by: 'error', reason: 'internal-error', detail: `media port: ${messageOf(error)}` });
      return;
    }
    this.#port = port;
    if (this.state !== 'calling') {
      // hangup() while the port was being made: nothing was sent, so there is nothing to cancel.
      this.#stopPort();
      return;
    }
    try {
      destination = await this.#context.resolveHop(
        this.#identity.outboundProxy ?? this.#target,
        this.#identity.transport,
      );
    } catch (error) {
      this.#finish({ by: 'error', reason: 'unreachable', detail: `next hop: ${messageOf(error)}` });
      return;
    }
    if (this.state !== 'calling') return;
    const offer = port.createOffer({ hold: false });
    const invite = this.#identity.requests.create(destination, {
      method: 'INVITE',
      requestUri: this.#target,
      to: this.remote,
      contact: true,
      headers: [...this.#inviteHeaders, ...this.#sessionOfferHeaders()],
      body: encoder.encode(offer),
      contentType: SDP,
    });
    this.#triedTargets.add(targetKey(this.#target));
    this.#context.registry.bindInvite(invite.callId, invite.from.tag ?? '', this);
    this.#sendInvite(invite, destination);
    this.#startRingTimer();
  }

  /** The ring timeout starts: not at all when it is 0 (or not a finite number), which turns it off. */
  #startRingTimer(): void {
    const limit = this.#context.behaviour.ringTimeoutMs;
    if (!Number.isFinite(limit) || limit <= 0) return;
    // Timers past 2^31-1 ms would fire at once on Node's setTimeout; no call rings 24 days anyway.
    this.#ringTimer = this.#timer(Math.min(limit, MAX_TIMER_MS), () => this.#ringTimeout());
  }

  /** Nobody answered in time: an outgoing call is CANCELled, an incoming one refused with 480 (a missed call). */
  #ringTimeout(): void {
    this.#ringTimer = undefined;
    if (this.direction === 'outgoing') {
      // A 2xx already taken (its ACK on the way) has answered the call: too late to give up on it.
      if ((this.#state !== 'calling' && this.#state !== 'early') || this.#ack !== undefined) return;
      this.#ringTimedOut = true;
      this.hangup();
      return;
    }
    // The user already answered and the 2xx only waits for a PRACK: that wait has its own bound (64·T1).
    if ((this.#state !== 'incoming' && this.#state !== 'ringing') || this.#answerAfterPrack) return;
    this.#respondInvite(480);
    this.#finish({ by: 'local', reason: 'no-answer', status: 480 });
  }

  /** Why a call we CANCELled ended: the user hung up, or the ring timeout did. */
  #cancelReason(): CallEndReason {
    return this.#ringTimedOut ? 'no-answer' : 'cancelled';
  }

  #sendInvite(invite: SipRequest, destination: Destination): void {
    this.#invite = invite;
    this.#inviteDestination = destination;
    const auth = this.#identity.auth;
    if (auth) {
      for (const header of auth.authorize({
        method: 'INVITE',
        uri: invite.requestUriText,
        body: invite.body,
      }))
        invite.setHeader(header.name, header.value);
    }
    const user: ClientTransactionUser = {
      onProvisional: (response) => this.#inviteProvisional(response),
      onFinal: (response) => this.#inviteFinal(response, invite),
    };
    this.#inviteTransaction = this.#context.transactions.sendRequest(invite, destination, user);
  }

  #inviteProvisional(response: SipResponse): void {
    if (this.#state !== 'calling' && this.#state !== 'early' && this.#state !== 'ending') return;
    const invite = this.#invite!;
    if (response.status > 100 && response.tryTo().ok && response.to.tag !== undefined) {
      const early = this.#earlyDialog(invite, response);
      if (early && this.#state === 'calling') this.#transition('early');
      if (early && requires100rel(response)) {
        // RFC 3262 §4: a reliable provisional is PRACKed once; a retransmission (same or older RSeq) is dropped.
        const rseq = parseRseq(response.header('rseq'));
        if (rseq === undefined) return;
        const last = this.#rseqByTag.get(early.id.remoteTag);
        if (last !== undefined && rseq <= last) return;
        this.#rseqByTag.set(early.id.remoteTag, rseq);
        this.#background(this.#sendPrack(early, rseq, invite));
      }
    }
    this.#listeners.emit('progress', { status: response.status, reason: response.reason });
    // RFC 3261 §13.2.1 and RFC 3264: an SDP answer in a reliable-less 183 is only a preview of the final one; we
    // play it (early media) until the 2xx says otherwise.
    if (response.body.length > 0 && isSdp(response) && !this.#mediaStarted && this.#state !== 'ending') {
      const media = this.#port?.acceptAnswer(response.bodyText);
      if (media?.ok) {
        this.#earlyAnswerTag = response.tryTo().ok ? response.to.tag : undefined;
        this.#applyMedia(media.value);
      }
    }
  }

  /** RFC 3262 §7.2: PRACK in the early dialog, RAck naming the provisional (RSeq) and the INVITE (CSeq). */
  async #sendPrack(early: DialogState, rseq: number, invite: SipRequest): Promise<void> {
    const built = buildInDialogRequest(early, {
      method: 'PRACK',
      headers: [['RAck', `${rseq} ${invite.cseq.seq} INVITE`]],
    });
    if (!built.ok) return;
    this.#context.dialogs.update(built.value.state);
    const prack = built.value.request;
    const auth = this.#identity.auth;
    if (auth)
      for (const header of auth.authorize({ method: 'PRACK', uri: prack.requestUriText, body: prack.body }))
        prack.setHeader(header.name, header.value);
    const destination = await this.#hopFor(prack);
    if (!destination) return;
    this.#context.transactions.sendRequest(prack, destination, { onFinal: () => undefined });
  }

  /** Creates or refreshes the early dialog a 1xx with a To tag names (§13.2.2.4, a fork per To tag). */
  #earlyDialog(invite: SipRequest, response: SipResponse): DialogState | undefined {
    const dialogs = this.#context.dialogs;
    const existing = dialogs.findForResponse(response);
    if (existing) {
      const step = stepDialog(existing, { kind: 'response', response });
      dialogs.update(step.state);
      return step.state;
    }
    const created = createUacDialog(invite, response);
    if (!created.ok) {
      this.#context.logger.log('debug', 'provisional response makes no dialog', {
        reason: created.error.reason,
      });
      return undefined;
    }
    if (!dialogs.update(created.value)) return undefined;
    this.#context.registry.bindDialog(created.value.id, this);
    return created.value;
  }

  #inviteFinal(response: SipResponse, invite: SipRequest): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#invite2xx(response, invite);
      return;
    }
    if (invite !== this.#invite) return;
    this.#dropEarlyDialogs();
    if (this.#state === 'ended') return;
    if ((status === 401 || status === 407) && !this.#cancelRequested) {
      if (this.#retryAuthenticated(response, invite)) return;
      this.#finish({ by: 'remote', reason: 'auth-failed', status, detail: statusLine(response) });
      return;
    }
    if (status >= 300 && status < 400 && !this.#cancelRequested) {
      this.#followRedirect(response, invite);
      return;
    }
    if (status === 422 && !this.#cancelRequested) {
      // RFC 4028 §6: ask again with the interval the far end (or a proxy) demands, a bounded number of times.
      const minimum = parseMinSe(response.header('min-se'));
      if (minimum !== undefined && this.#intervalRetries < MAX_INTERVAL_RETRIES) {
        this.#intervalRetries += 1;
        const again = reissue(invite, invite.requestUri, invite.cseq.seq + 1);
        again.setHeader('Session-Expires', String(minimum));
        again.setHeader('Min-SE', String(minimum));
        this.#sendInvite(again, this.#inviteDestination!);
        return;
      }
      this.#finish({
        by: 'remote',
        reason: 'session-interval-too-small',
        status,
        detail: statusLine(response),
      });
      return;
    }
    if (this.#cancelRequested) {
      this.#finish({ by: 'local', reason: this.#cancelReason(), status, detail: statusLine(response) });
      return;
    }
    this.#finish({
      by: 'remote',
      reason: endReasonForStatus(status, isSynthesizedResponse(response)),
      status,
      detail: statusLine(response),
    });
  }

  /** §22.2: the same request again with credentials and the next CSeq; false when the challenge cannot be met. */
  #retryAuthenticated(response: SipResponse, invite: SipRequest): boolean {
    const auth = this.#identity.auth;
    if (!auth) return false;
    const challenges = response.status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
    const outcome = auth.handleChallenge({ status: response.status as 401 | 407, challenges });
    if (outcome.action !== 'retry') return false;
    this.#sendInvite(reissue(invite, invite.requestUri, invite.cseq.seq + 1), this.#inviteDestination!);
    return true;
  }

  /** §8.1.3.4: try the Contacts of a 3xx, best q first, skipping targets already tried; bounded and loop-free. */
  #followRedirect(response: SipResponse, invite: SipRequest): void {
    const status = response.status;
    const contacts = response.tryContact();
    const candidates = (contacts.ok ? contacts.value : [])
      .filter((contact) => isSipUri(contact.uri))
      .sort((a, b) => (b.q ?? 1) - (a.q ?? 1));
    const next = candidates.find((contact) => !this.#triedTargets.has(targetKey(contact.uri as SipUri)));
    if (next === undefined) {
      const reason: CallEndReason = candidates.length > 0 ? 'redirect-loop' : 'redirect-failed';
      this.#finish({ by: 'remote', reason, status, detail: statusLine(response) });
      return;
    }
    if (this.#redirects >= MAX_REDIRECTS) {
      this.#finish({
        by: 'remote',
        reason: 'redirect-loop',
        status,
        detail: `more than ${MAX_REDIRECTS} redirects`,
      });
      return;
    }
    this.#redirects += 1;
    const target = next.uri as SipUri;
    this.#triedTargets.add(targetKey(target));
    this.#target = target;
    this.#background(
      this.#context.resolveHop(this.#identity.outboundProxy ?? target, this.#identity.transport).then(
        (destination) => {
          if (this.#state === 'ended' || this.#cancelRequested) {
            if (this.#state !== 'ended') this.#finish({ by: 'local', reason: this.#cancelReason() });
            return;
          }
          this.#sendInvite(reissue(invite, target, invite.cseq.seq + 1), destination);
        },
        (error: unknown) =>
          this.#finish({
            by: 'error',
            reason: 'unreachable',
            detail: `redirect target: ${messageOf(error)}`,
          }),
      ),
    );
  }

  /** A 2xx to our INVITE: the first confirms the call, a retransmission is ACKed again, another fork is ended. */
  #invite2xx(response: SipResponse, invite: SipRequest): void {
    const tag = response.tryTo().ok ? response.to.tag : undefined;
    if (tag === undefined) {
      this.#context.logger.log('debug', '2xx without To tag ignored', { callId: response.callId });
      return;
    }
    const ack = this.#ack;
    if (ack !== undefined) {
      if (ack.remoteTag === tag) this.#background(this.#resendAck(ack));
      else this.#background(this.#ackAndBye(invite, response));
      return;
    }
    if (this.#state === 'ended') {
      // The call is gone (Timer B fired, a failure was final): any late 2xx still gets its ACK and a BYE.
      this.#background(this.#ackAndBye(invite, response));
      return;
    }
    const dialogs = this.#context.dialogs;
    const early = dialogs.findForResponse(response);
    let confirmed: DialogState;
    if (early) {
      const step = stepDialog(early, { kind: 'response', response });
      if (step.state.name !== 'confirmed') {
        this.#background(this.#ackAndBye(invite, response));
        return;
      }
      confirmed = step.state;
    } else {
      const created = createUacDialog(invite, response);
      if (!created.ok) {
        this.#context.logger.log('warn', '2xx makes no dialog', { reason: created.error.reason });
        this.#finish({
          by: 'error',
          reason: 'failed',
          status: response.status,
          detail: created.error.reason,
        });
        return;
      }
      confirmed = created.value;
    }
    this.#setDialog(confirmed);
    this.#notePeerMethods(response);
    // §13.2.2.4: every other early dialog of this INVITE ends; a 2xx from one of them later is ACKed and BYEd.
    for (const fork of dialogs.forked(confirmed.id.callId, confirmed.id.localTag)) {
      if (fork.id.remoteTag === confirmed.id.remoteTag) continue;
      dialogs.remove(fork.id);
      this.#context.registry.unbindDialog(fork.id);
    }
    this.#background(
      this.#sendAckFor(confirmed, invite, response).then(() => {
        if (this.#cancelRequested || this.#state === 'ended') {
          // The 2xx crossed our CANCEL (§9.1): the call exists now, so it is ACKed and ended with a BYE.
          this.#sendBye(this.#cancelReason(), 'local');
          return;
        }
        const answer = response.body.length > 0 && isSdp(response) ? response.bodyText : undefined;
        const media = answer === undefined ? undefined : this.#port?.acceptAnswer(answer);
        if (this.#state === 'calling' || this.#state === 'early') this.#transition('connected');
        if (media === undefined && this.#mediaStarted && this.#earlyAnswerTag === confirmed.id.remoteTag) {
          // RFC 3262 §5 / RFC 3261 §13.2.1: the answer came in a 1xx of this same fork (above all a reliable one,
          // after which the 2xx carries no SDP); it stands.
          this.#sessionFromResponse(response);
          this.#reconcileHold();
          return;
        }
        if (media === undefined || !media.ok) {
          // §13.2.1 and RFC 3264: an answer in a 2xx cannot be refused with a status; the call is ACKed and ended.
          const detail = media === undefined ? 'the 2xx carries no SDP answer' : media.error.reason;
          this.#sendBye('media-refused', 'error', detail);
          return;
        }
        this.#applyMedia(media.value);
        this.#sessionFromResponse(response);
        this.#reconcileHold();
      }),
    );
  }

  async #sendAckFor(dialog: DialogState, invite: SipRequest, response: SipResponse): Promise<void> {
    const built = buildInDialogRequest(dialog, { method: 'ACK', inviteCSeq: invite.cseq.seq });
    if (!built.ok) return;
    const request = built.value.request;
    // §13.2.2.4: the ACK carries the INVITE's credentials.
    for (const name of ['authorization', 'proxy-authorization'])
      for (const value of invite.headerLines(name)) request.addHeader(name, value);
    const destination = await this.#hopFor(request);
    if (destination === undefined) return;
    this.#ack = { request, destination, remoteTag: response.to.tag ?? '' };
    await this.#resendAck(this.#ack);
  }

  async #resendAck(ack: { readonly request: SipRequest; readonly destination: Destination }): Promise<void> {
    try {
      await this.#context.transactions.sendAck(ack.request, ack.destination);
    } catch (error) {
      this.#context.logger.log('warn', 'could not send an ACK', { error: messageOf(error) });
    }
  }

  /** §13.2.2.4: a 2xx from a dialog we do not keep is acknowledged and the dialog ended at once. */
  async #ackAndBye(invite: SipRequest, response: SipResponse): Promise<void> {
    const created = createUacDialog(invite, response);
    if (!created.ok) return;
    const ack = buildInDialogRequest(created.value, { method: 'ACK', inviteCSeq: invite.cseq.seq });
    if (!ack.ok) return;
    const destination = await this.#hopFor(ack.value.request);
    if (destination === undefined) return;
    await this.#resendAck({ request: ack.value.request, destination });
    const bye = buildInDialogRequest(created.value, { method: 'BYE' });
    if (!bye.ok) return;
    this.#context.transactions.sendRequest(bye.value.request, destination, { onFinal: () => undefined });
  }

  /** A 2xx the transaction layer no longer matches (after Timer M) for one of our INVITEs (RFC 6026 §8.4). */
  receiveStray2xx(response: SipResponse): void {
    const invite = this.#invite;
    if (invite === undefined) return;
    this.#invite2xx(response, invite);
  }

  #dropEarlyDialogs(): void {
    const invite = this.#invite;
    if (invite === undefined) return;
    const dialogs = this.#context.dialogs;
    for (const fork of dialogs.forked(invite.callId, invite.from.tag ?? '')) {
      if (this.#dialog && fork.id.remoteTag === this.#dialog.id.remoteTag) continue;
      dialogs.remove(fork.id);
      this.#context.registry.unbindDialog(fork.id);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Incoming

  async #prepareIncoming(earlyMedia: boolean, surface: (call: Call) => void): Promise<void> {
    const invite = this.#inviteRequest!;
    const interval = this.#refuseSessionInterval(invite, this.#serverInvite!);
    if (interval !== undefined) {
      this.#finish({ by: 'error', reason: 'session-interval-too-small', status: interval });
      return;
    }
    let port: MediaPort;
    try {
      port = await this.#context.media({ callRef: this.id, direction: 'incoming' });
    } catch (error) {
      this.#respondInvite(500);
      this.#finish({ by: 'error', reason: 'internal-error', detail: `media port: ${messageOf(error)}` });
      return;
    }
    this.#port = port;
    if (this.#state !== 'incoming') {
      // CANCELled while the port was being made.
      this.#stopPort();
      return;
    }
    if (invite.body.length > 0) {
      if (!isSdp(invite)) {
        this.#respondInvite(415, { headers: [['Accept', SDP]] });
        this.#finish({ by: 'error', reason: 'media-refused', status: 415, detail: 'INVITE body is not SDP' });
        return;
      }
      const answer = port.createAnswer(invite.bodyText, { hold: false });
      if (!answer.ok) {
        this.#refuseOffer(answer.error);
        return;
      }
      this.#preparedAnswer = answer.value;
    }
    // RFC 3262 §3: a caller that requires 100rel gets our 1xx reliably (RSeq, resent until PRACKed); one that only
    // supports it gets them reliably when they carry SDP (see #sendProvisional).
    this.#peerRequires100rel = requires100rel(invite);
    this.#peerSupports100rel = supports100rel(invite);
    if (earlyMedia && this.#preparedAnswer) {
      const created = this.#createUasDialog(183);
      this.#sendProvisional(183, this.#preparedAnswer.sdp);
      if (created) this.#applyMedia(this.#preparedAnswer.media);
    } else {
      this.#createUasDialog(180);
      this.#sendProvisional(180);
    }
    if (this.#state === 'incoming') {
      this.#transition('ringing');
      this.#startRingTimer();
    }
    surface(this);
  }

  #sendProvisional(status: number, sdp?: string): void {
    // §3 lets a UAS send a 1xx reliably whenever the INVITE supports 100rel. We do it only for a 1xx carrying SDP:
    // its answer then cannot be lost, and RFC 3261 §13.3.1.1 would otherwise have to repeat that answer in the 2xx
    // anyway. A bare 180 carries nothing that a PRACK round trip would protect.
    const reliable = this.#peerRequires100rel || (this.#peerSupports100rel && sdp !== undefined);
    if (!reliable) {
      this.#respondInvite(status, { contact: true, ...(sdp === undefined ? {} : { body: sdp }) });
      return;
    }
    // §3: RSeq starts anywhere in 1..2^31-1 and grows by one per reliable provisional.
    if (this.#nextRseq === 0) this.#nextRseq = 1 + Math.floor(this.#context.random.fraction() * 0x7fff_0000);
    const rseq = this.#nextRseq++;
    const response = this.#response(this.#inviteRequest!, status, {
      contact: true,
      headers: [
        ['Require', '100rel'],
        ['RSeq', String(rseq)],
      ],
      ...(sdp === undefined ? {} : { body: sdp }),
    });
    const timers = this.#context.timers;
    this.#clearProvisionalTimers();
    const pending = { response, rseq, hasSdp: sdp !== undefined, interval: timers.t1 };
    this.#unackedProvisional = pending;
    this.#serverInvite!.respond(response);
    const resend = (): void => {
      if (this.#unackedProvisional !== pending) return;
      this.#serverInvite?.respond(response);
      pending.interval *= 2;
      this.#provisionalTimers.resend = this.#timer(pending.interval, resend);
    };
    this.#provisionalTimers.resend = this.#timer(pending.interval, resend);
    this.#provisionalTimers.deadline = this.#timer(transactionTimeout(timers), () => {
      if (this.#unackedProvisional !== pending || this.#state === 'ended') return;
      // §3: never PRACKed within 64·T1: the INVITE is refused with a 5xx.
      this.#clearProvisionalTimers();
      this.#respondInvite(504, {});
      this.#finish({
        by: 'error',
        reason: 'no-ack',
        status: 504,
        detail: 'reliable provisional never PRACKed',
      });
    });
  }

  #clearProvisionalTimers(): void {
    this.#clearTimer(this.#provisionalTimers.resend);
    this.#clearTimer(this.#provisionalTimers.deadline);
    this.#provisionalTimers = { resend: undefined, deadline: undefined };
    this.#unackedProvisional = undefined;
  }

  /** RFC 3262 §3: a PRACK for our reliable 1xx stops its retransmissions; one matching nothing gets 481. */
  #receivePrack(request: SipRequest, transaction: ServerTransaction): void {
    const rack = parseRack(request.header('rack'));
    const pending = this.#unackedProvisional;
    const invite = this.#inviteRequest;
    if (!rack || !pending || !invite || rack.rseq !== pending.rseq || rack.cseq !== invite.cseq.seq) {
      transaction.respond(this.#response(request, 481));
      return;
    }
    this.#clearProvisionalTimers();
    transaction.respond(this.#response(request, 200));
    const deferred = this.#answerAfterPrack;
    if (deferred !== undefined) {
      this.#answerAfterPrack = undefined;
      this.answer(deferred);
    }
  }

  #refuseOffer(error: SdpError): void {
    const headers: Array<readonly [string, string]> = [];
    if (error.warning) headers.push(['Warning', `${error.warning.code} - "${error.warning.text}"`]);
    this.#respondInvite(error.status, { headers });
    this.#finish({ by: 'error', reason: 'media-refused', status: error.status, detail: error.reason });
  }

  #createUasDialog(status: number): DialogState | undefined {
    if (this.#dialog) return this.#dialog;
    const created = createUasDialog(this.#inviteRequest!, {
      status,
      localTag: this.#localTag!,
      firstLocalCSeq: 1 + Math.floor(this.#context.random.fraction() * 10_000),
    });
    if (!created.ok) {
      this.#context.logger.log('debug', 'INVITE makes no dialog', { reason: created.error.reason });
      return undefined;
    }
    this.#setDialog(created.value);
    return created.value;
  }

  /** Accepts the incoming call: 2xx with our answer (or our offer), resent until the ACK. */
  answer(options: AnswerOptions = {}): boolean {
    if (this.#state !== 'ringing' && this.#state !== 'incoming') return false;
    const port = this.#port;
    if (port === undefined) return false;
    if (this.#unackedProvisional?.hasSdp) {
      // RFC 3262 §3: no 2xx while a reliable 1xx carrying SDP is unacknowledged; it goes when the PRACK comes.
      this.#answerAfterPrack = options;
      return true;
    }
    this.#clearProvisionalTimers();
    const hold = options.hold ?? false;
    this.#wantHold = hold;
    let body: string;
    let answerInAck = false;
    if (this.#preparedAnswer) {
      let answer = this.#preparedAnswer;
      if (hold) {
        const again = port.createAnswer(this.#inviteRequest!.bodyText, { hold: true });
        if (again.ok) answer = again.value;
      }
      body = answer.sdp;
      this.#applyMedia(answer.media, hold);
    } else {
      // §13.2.1: no offer in the INVITE, so the 2xx carries ours and the ACK the answer.
      body = port.createOffer({ hold });
      answerInAck = true;
      this.#hold = { local: hold, remote: false };
    }
    const dialog = this.#createUasDialog(200);
    if (dialog === undefined) {
      this.#respondInvite(500);
      this.#finish({ by: 'error', reason: 'internal-error', detail: 'the INVITE makes no dialog' });
      return false;
    }
    this.#setDialog(stepDialog(dialog, { kind: 'answered' }).state);
    const session = this.#sessionAnswer(this.#inviteRequest!, true);
    const response = this.#response(this.#inviteRequest!, 200, {
      body,
      contact: true,
      headers: session.headers,
    });
    this.#serverInvite!.respond(response);
    this.#applySessionAnswer(session);
    this.#transition('connecting');
    this.#await2xxAck(response, this.#serverInvite!, this.#inviteRequest!.cseq.seq, answerInAck);
    return true;
  }

  /** Refuses the incoming call: 486 Busy Here, 603 Decline, or any 4xx-6xx. */
  reject(status = 486): boolean {
    if (this.#state !== 'ringing' && this.#state !== 'incoming') return false;
    const code = status >= 400 && status < 700 ? status : 486;
    this.#respondInvite(code);
    this.#finish({ by: 'local', reason: 'rejected', status: code });
    return true;
  }

  /**
   * RFC 3891 §3: an INVITE with Replaces naming this call's dialog arrived and was accepted; this call ends with a
   * BYE (reason `replaced`) and `by` tells the window which call took its place.
   */
  replacedBy(call: Call): void {
    this.#listeners.emit('replaced', call);
    if (this.#state === 'connected') this.#sendBye('replaced', 'remote');
    else this.hangup();
  }

  /** The caller CANCELled before we answered (§9.2): 487 to the INVITE. */
  cancelledByCaller(): void {
    if (this.#state !== 'incoming' && this.#state !== 'ringing') return;
    this.#respondInvite(487);
    this.#finish({ by: 'remote', reason: 'cancelled-by-caller', status: 487 });
  }

  #respondInvite(
    status: number,
    options: { body?: string; contact?: boolean; headers?: ReadonlyArray<readonly [string, string]> } = {},
  ): void {
    const transaction = this.#serverInvite;
    if (!transaction) return;
    if (status >= 200) this.#clearProvisionalTimers();
    transaction.respond(this.#response(this.#inviteRequest!, status, options));
  }

  #response(
    request: SipRequest,
    status: number,
    options: { body?: string; contact?: boolean; headers?: ReadonlyArray<readonly [string, string]> } = {},
    reason?: string,
  ): SipResponse {
    const headers: Array<readonly [string, string]> = [...(options.headers ?? [])];
    if (options.contact) headers.push(['Contact', formatNameAddr(this.#contact())]);
    return createResponse(request, status, {
      ...(reason === undefined ? {} : { reason }),
      toTag: this.#localTag ?? this.#dialog?.id.localTag ?? this.#context.random.token(10),
      headers,
      ...(options.body === undefined ? {} : { body: encoder.encode(options.body), contentType: SDP }),
    });
  }

  #contact(): NameAddr {
    const source = this.#serverInvite?.source;
    const destination: Destination = source
      ? destinationOf(source)
      : (this.#inviteDestination ?? { protocol: this.#identity.transport, address: '127.0.0.1', port: 5060 });
    return this.#identity.requests.contact(destination);
  }

  /** §13.3.1.4: resend the 2xx (T1, doubling up to T2) until the ACK; 64·T1 without one ends the call. */
  #await2xxAck(
    response: SipResponse,
    transaction: ServerTransaction,
    cseq: number,
    answerInAck: boolean,
  ): void {
    const timers = this.#context.timers;
    const deadline = this.#timer(transactionTimeout(timers), () => this.#ackTimedOut());
    const pending = {
      response,
      transaction,
      cseq,
      answerInAck,
      interval: timers.t1,
      timer: undefined as TimerHandle | undefined,
      deadline,
    };
    this.#pending2xx = pending;
    // Over TCP the transport delivers the 2xx; only the wait for the ACK remains (§13.3.1.4, §17.2.1).
    if (transaction.source?.protocol === 'tcp') return;
    const resend = (): void => {
      if (this.#pending2xx !== pending) return;
      transaction.respond(response);
      pending.interval = Math.min(pending.interval * 2, timers.t2);
      pending.timer = this.#timer(pending.interval, resend);
    };
    pending.timer = this.#timer(pending.interval, resend);
  }

  #clearPending2xx(): void {
    const pending = this.#pending2xx;
    if (!pending) return;
    this.#clearTimer(pending.timer);
    this.#clearTimer(pending.deadline);
    this.#pending2xx = undefined;
  }

  #ackTimedOut(): void {
    const pending = this.#pending2xx;
    if (!pending) return;
    this.#clearPending2xx();
    this.#incomingOfferPending = false;
    if (this.#state === 'ended') return;
    this.#context.logger.log('info', 'our 2xx was never acknowledged', { callId: this.callId });
    this.#sendBye('no-ack', 'error');
  }

  /** An ACK in our dialog: for the 2xx we are resending (§13.3.1.4), with the answer when we offered in the 2xx. */
  receiveAck(ack: SipRequest): void {
    const pending = this.#pending2xx;
    if (!pending || ack.cseq.seq !== pending.cseq) return;
    this.#clearPending2xx();
    if (pending.answerInAck) {
      const answer = ack.body.length > 0 && isSdp(ack) ? ack.bodyText : undefined;
      const media = answer === undefined ? undefined : this.#port?.acceptAnswer(answer);
      if (media === undefined || !media.ok) {
        this.#incomingOfferPending = false;
        this.#port?.rollback();
        const detail = media === undefined ? 'the ACK carries no SDP answer' : media.error.reason;
        if (this.#state === 'connecting' || this.#state === 'ending') {
          this.#transition('connected');
          this.#sendBye('media-refused', 'error', detail);
        } else {
          // A re-INVITE without SDP whose ACK brought no usable answer: §14.2 leaves the old session in place.
          this.#context.logger.log('debug', 'no usable answer in the ACK of a re-INVITE', { detail });
        }
        return;
      }
      this.#applyMedia(media.value);
    }
    this.#incomingOfferPending = false;
    if (this.#state === 'connecting') this.#transition('connected');
    if (this.#byeAfterAck) {
      this.#byeAfterAck = false;
      this.#sendBye('normal', 'local');
      return;
    }
    this.#reconcileHold();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Both directions

  /**
   * Ends the call as the user asks: CANCEL before an answer (§9.1), BYE once it is up, a 603 for a call still
   * ringing here. Returns false when there was nothing to end.
   */
  hangup(): boolean {
    switch (this.#state) {
      case 'idle':
        this.#finish({ by: 'local', reason: 'cancelled' });
        return true;
      case 'calling':
      case 'early': {
        this.#cancelRequested = true;
        const transaction = this.#inviteTransaction;
        if (transaction === undefined) {
          // The INVITE has not left yet (media port or next hop pending): nothing to cancel on the wire.
          this.#finish({ by: 'local', reason: 'cancelled' });
          return true;
        }
        this.#transition('ending');
        transaction.cancel({ onFinal: () => undefined });
        // The INVITE's final answer (487, or a 2xx that crossed the CANCEL) ends the call. A far end that took the
        // CANCEL but never answers the INVITE would leave it ending for ever: §9.1 has the UAC give up on the INVITE
        // 64·T1 after the CANCEL (a 2xx after that is still ACKed and BYEd, as for any ended call).
        this.#timer(transactionTimeout(this.#context.timers), () => {
          if (this.#state === 'ending' && this.#ack === undefined)
            this.#finish({
              by: 'local',
              reason: this.#cancelReason(),
              detail: 'no final response to the cancelled INVITE',
            });
        });
        return true;
      }
      case 'incoming':
      case 'ringing':
        return this.reject(603);
      case 'connecting':
        this.#byeAfterAck = true;
        this.#transition('ending');
        return true;
      case 'connected':
        this.#sendBye('normal', 'local');
        return true;
      case 'ending':
      case 'ended':
        return false;
    }
  }

  /**
   * The media session heard nothing from the far end for too long (the engine's RTP inactivity limit, 30 s by
   * default): the far end has vanished, so the call is ended with a BYE and reason `media-timeout`.
   */
  mediaLost(): boolean {
    if (this.#state !== 'connected') return false;
    this.#sendBye('media-timeout', 'error');
    return true;
  }

  /** Puts the call on hold with a re-INVITE offering sendonly (RFC 6337 §5). */
  holdCall(): boolean {
    return this.#requestHold(true);
  }

  /** Takes it off hold: a re-INVITE offering sendrecv. */
  resume(): boolean {
    return this.#requestHold(false);
  }

  #requestHold(hold: boolean): boolean {
    if (this.#state === 'ended' || this.#state === 'ending') return false;
    this.#wantHold = hold;
    this.#reconcileHold();
    return true;
  }

  /** Sends a re-INVITE when what the user wants differs from what is agreed and no offer is in flight. */
  #reconcileHold(): void {
    if (this.#state !== 'connected' || this.#dialog?.name !== 'confirmed') return;
    if (this.#reinvitePending || this.#incomingOfferPending || this.#pending2xx || this.#glareTimer) return;
    if (this.#wantHold === this.#hold.local) return;
    this.#sendReinvite(this.#wantHold);
  }

  #sendReinvite(hold: boolean): void {
    const port = this.#port;
    if (!port) return;
    this.#reinvitePending = true;
    const offer = port.createOffer({ hold });
    this.#background(
      this.#sendInDialog(
        {
          method: 'INVITE',
          body: encoder.encode(offer),
          contentType: SDP,
          headers: this.#sessionRequestHeaders(),
        },
        {
          onFinal: (response, request) => this.#reinviteFinal(response, request, hold),
        },
      ).then((sent) => {
        if (!sent) {
          this.#reinvitePending = false;
          this.#refreshing = false;
          port.rollback();
          this.#sessionTimer?.refreshFailed();
        }
      }),
    );
  }

  #reinviteFinal(response: SipResponse, request: SipRequest, hold: boolean): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (this.#reinviteAcked.has(request.cseq.seq)) {
        this.#background(this.#resendReinviteAck(request.cseq.seq));
        return;
      }
      this.#reinvitePending = false;
      this.#refreshing = false;
      this.#notePeerMethods(response);
      this.#background(
        this.#ackReinvite(request, response).then(() => {
          this.#sessionFromResponse(response);
          const answer = response.body.length > 0 && isSdp(response) ? response.bodyText : undefined;
          const media = answer === undefined ? undefined : this.#port?.acceptAnswer(answer);
          if (media === undefined || !media.ok) {
            // RFC 3264 §8: an unusable answer to a re-offer; the session stays as it was and the far end hears of it
            // through a BYE only if it is beyond repair. Here it is not: keep the old media.
            this.#port?.rollback();
            this.#context.logger.log('info', 're-INVITE answer unusable; session unchanged', {
              detail: media === undefined ? 'no SDP' : media.error.reason,
            });
          } else {
            this.#applyMedia(media.value, hold);
          }
          this.#reconcileHold();
        }),
      );
      return;
    }
    this.#reinvitePending = false;
    this.#port?.rollback();
    if (this.#refreshing) {
      this.#refreshing = false;
      // §10: a refresh that failed (491 included) is tried again soon; the expiry watch still bounds the session.
      if (status !== 481 && status !== 408) this.#sessionTimer?.refreshFailed();
    }
    if (status === 422) {
      const minimum = parseMinSe(response.header('min-se'));
      if (minimum !== undefined && this.#sessionTimer) this.#agreeSession(minimum, this.#weRefresh);
      return;
    }
    if (status === 491) {
      // §14.1: glare. Whoever owns the Call-ID (sent the initial INVITE) waits 2.1-4 s, the other 0-2 s.
      const delay = glareDelay(this.#dialog?.role === 'uac', this.#context.random);
      this.#glareTimer = this.#timer(delay, () => {
        this.#glareTimer = undefined;
        this.#reconcileHold();
      });
      return;
    }
    if (status === 481 || status === 408) {
      this.#finishAfterDialogLoss(response);
      return;
    }
    // §14.1: any other failure leaves the session as it was; what the user wanted is dropped.
    this.#wantHold = this.#hold.local;
    this.#listeners.emit('hold', this.#hold);
  }

  async #ackReinvite(request: SipRequest, response: SipResponse): Promise<void> {
    const dialog = this.#dialog;
    if (!dialog) return;
    const stepped = stepDialog(dialog, { kind: 'response', response });
    this.#setDialog(stepped.state);
    const built = buildInDialogRequest(stepped.state, { method: 'ACK', inviteCSeq: request.cseq.seq });
    if (!built.ok) return;
    const ack = built.value.request;
    for (const name of ['authorization', 'proxy-authorization'])
      for (const value of request.headerLines(name)) ack.addHeader(name, value);
    const destination = await this.#hopFor(ack);
    if (!destination) return;
    this.#reinviteAcked.clear();
    this.#reinviteAcked.set(request.cseq.seq, { request: ack, destination });
    await this.#resendAck({ request: ack, destination });
  }

  async #resendReinviteAck(cseq: number): Promise<void> {
    const ack = this.#reinviteAcked.get(cseq);
    if (ack) await this.#resendAck(ack);
  }

  /** Sends one DTMF digit as SIP INFO `application/dtmf-relay`. */
  sendInfoDtmf(digit: string, durationMs = 160): boolean {
    const upper = digit.toUpperCase();
    if (this.#state !== 'connected' || !isDtmfDigit(upper)) return false;
    const body = formatDtmfRelay({ digit: upper, durationMs });
    this.#background(
      this.#sendInDialog(
        { method: 'INFO', body: encoder.encode(body), contentType: DTMF_RELAY_TYPE },
        {
          onFinal: (response) => {
            if (response.status === 481 || response.status === 408) this.#finishAfterDialogLoss(response);
          },
        },
      ),
    );
    return true;
  }

  /**
   * A request in one of this call's dialogs (the usage found it by dialog id). `dialog` is the state the agent
   * holds for that id: the call's own, or an early fork of an outgoing call.
   */
  receiveRequest(request: SipRequest, transaction: ServerTransaction, dialog: DialogState): void {
    const own = this.#dialog !== undefined && sameDialog(dialog, this.#dialog);
    const step = stepDialog(dialog, { kind: 'request', request });
    if (own) this.#setDialog(step.state);
    else this.#context.dialogs.update(step.state);
    for (const action of step.actions) {
      if (action.kind === 'reject') {
        transaction.respond(this.#response(request, action.status, {}));
        return;
      }
    }
    if (!own && this.#receiveInEarlyFork(request, transaction, dialog)) return;
    if (!own) {
      // A fork we do not keep: a BYE ends it, anything else is not for a call that is elsewhere.
      transaction.respond(this.#response(request, request.method === 'BYE' ? 200 : 481));
      if (step.state.name === 'terminated') this.#context.registry.unbindDialog(dialog.id);
      return;
    }
    this.#notePeerMethods(request);
    switch (request.method) {
      case 'BYE':
        this.#receiveBye(request, transaction);
        return;
      case 'INVITE':
        this.#receiveReinvite(request, transaction);
        return;
      case 'UPDATE':
        this.#receiveUpdate(request, transaction);
        return;
      case 'INFO':
        this.#receiveInfo(request, transaction);
        return;
      case 'PRACK':
        this.#receivePrack(request, transaction);
        return;
      case 'REFER':
        this.#receiveRefer(request, transaction);
        return;
      case 'NOTIFY':
        this.#receiveNotify(request, transaction);
        return;
      default:
        transaction.respond(
          this.#response(request, 405, {
            headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY']],
          }),
        );
    }
  }

  /**
   * A request in an early dialog of our outgoing INVITE, before any 2xx chose a fork (RFC 3261 §12.1: requests may
   * flow in early dialogs). UPDATE (RFC 3311 §5.1, an offer or a session refresh) and INFO (DTMF) are taken on any
   * fork; false leaves the request to the caller (a BYE ends that fork, the rest get 481).
   */
  #receiveInEarlyFork(request: SipRequest, transaction: ServerTransaction, dialog: DialogState): boolean {
    if (this.direction !== 'outgoing' || this.#dialog !== undefined || dialog.name !== 'early') return false;
    if (this.#state !== 'calling' && this.#state !== 'early') return false;
    if (request.method === 'INFO') {
      this.#receiveInfo(request, transaction);
      return true;
    }
    if (request.method !== 'UPDATE') return false;
    if (request.body.length === 0) {
      transaction.respond(this.#response(request, 200, { contact: true }));
      return true;
    }
    const port = this.#port;
    if (!port || !isSdp(request)) {
      transaction.respond(this.#response(request, 415, { headers: [['Accept', SDP]] }));
      return true;
    }
    // RFC 3311 §5.2: while the offer in our INVITE has no answer yet (no SDP in any 1xx so far), a new offer is glare.
    if (!this.#mediaStarted) {
      transaction.respond(this.#response(request, 491));
      return true;
    }
    const answer = port.createAnswer(request.bodyText, { hold: false });
    if (!answer.ok) {
      transaction.respond(this.#response(request, answer.error.status));
      return true;
    }
    transaction.respond(this.#response(request, 200, { body: answer.value.sdp, contact: true }));
    this.#applyMedia(answer.value.media);
    return true;
  }

  #receiveBye(request: SipRequest, transaction: ServerTransaction): void {
    transaction.respond(this.#response(request, 200));
    if (this.#state === 'ended') return;
    if (this.#state === 'incoming' || this.#state === 'ringing') {
      // A BYE for an early dialog of ours (§15: the caller may end an early dialog this way): the INVITE gets 487.
      this.#respondInvite(487);
    }
    this.#clearPending2xx();
    const by: CallEndedBy = this.#state === 'ending' && this.#cancelRequested ? 'local' : 'remote';
    this.#finish({ by, reason: by === 'local' ? this.#cancelReason() : 'normal' });
  }

  #receiveReinvite(request: SipRequest, transaction: ServerTransaction): void {
    // §14.2: a re-INVITE that crosses ours gets 491; one that arrives while our answer to another is pending, 500.
    if (this.#reinvitePending) {
      transaction.respond(this.#response(request, 491));
      return;
    }
    if (this.#incomingOfferPending || this.#pending2xx) {
      const wait = Math.floor(this.#context.random.fraction() * (RETRY_AFTER_MAX_SECONDS + 1));
      transaction.respond(this.#response(request, 500, { headers: [['Retry-After', String(wait)]] }));
      return;
    }
    const port = this.#port;
    if (!port || this.#state === 'ending' || this.#state === 'ended') {
      transaction.respond(this.#response(request, 481));
      return;
    }
    if (this.#refuseSessionInterval(request, transaction) !== undefined) return;
    let body: string;
    let answerInAck = false;
    if (request.body.length > 0) {
      if (!isSdp(request)) {
        transaction.respond(this.#response(request, 415, { headers: [['Accept', SDP]] }));
        return;
      }
      const answer = port.createAnswer(request.bodyText, { hold: this.#hold.local });
      if (!answer.ok) {
        const headers: Array<readonly [string, string]> = [];
        if (answer.error.warning)
          headers.push(['Warning', `${answer.error.warning.code} - "${answer.error.warning.text}"`]);
        transaction.respond(this.#response(request, answer.error.status, { headers }));
        return;
      }
      body = answer.value.sdp;
      this.#applyMedia(answer.value.media);
    } else {
      // §14.2: a re-INVITE without SDP asks for our offer in the 2xx; the answer comes in the ACK.
      body = port.createOffer({ hold: this.#hold.local });
      answerInAck = true;
      this.#incomingOfferPending = true;
    }
    const session = this.#sessionAnswer(request);
    const response = this.#response(request, 200, { body, contact: true, headers: session.headers });
    transaction.respond(response);
    this.#applySessionAnswer(session);
    this.#await2xxAck(response, transaction, request.cseq.seq, answerInAck);
  }

  /** RFC 3311: UPDATE changes the session (or only refreshes the target) without touching the INVITE state. */
  #receiveUpdate(request: SipRequest, transaction: ServerTransaction): void {
    if (this.#refuseSessionInterval(request, transaction) !== undefined) return;
    if (request.body.length === 0) {
      // RFC 4028 §9: an UPDATE without SDP is how a refresher may refresh the session.
      const session = this.#sessionAnswer(request);
      transaction.respond(this.#response(request, 200, { contact: true, headers: session.headers }));
      this.#applySessionAnswer(session);
      return;
    }
    // RFC 3311 §5.2: an offer while one of ours is outstanding is glare (491); one while theirs is, 500.
    if (this.#reinvitePending) {
      transaction.respond(this.#response(request, 491));
      return;
    }
    if (this.#incomingOfferPending) {
      transaction.respond(this.#response(request, 500, { headers: [['Retry-After', '1']] }));
      return;
    }
    const port = this.#port;
    if (!port || !isSdp(request)) {
      transaction.respond(this.#response(request, 415, { headers: [['Accept', SDP]] }));
      return;
    }
    const answer = port.createAnswer(request.bodyText, { hold: this.#hold.local });
    if (!answer.ok) {
      transaction.respond(this.#response(request, answer.error.status));
      return;
    }
    const session = this.#sessionAnswer(request);
    transaction.respond(
      this.#response(request, 200, { body: answer.value.sdp, contact: true, headers: session.headers }),
    );
    this.#applySessionAnswer(session);
    this.#applyMedia(answer.value.media);
  }

  #receiveInfo(request: SipRequest, transaction: ServerTransaction): void {
    const contentType = (request.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== DTMF_RELAY_TYPE && contentType !== DTMF_TYPE) {
      // RFC 6086 §4.2.2 / RFC 3261 §21.4.13: a body we do not take.
      transaction.respond(
        this.#response(request, 415, { headers: [['Accept', `${DTMF_RELAY_TYPE}, ${DTMF_TYPE}`]] }),
      );
      return;
    }
    const digit = parseDtmfInfo(contentType, request.bodyText);
    if (digit === undefined) {
      transaction.respond(this.#response(request, 400, { headers: [] }));
      return;
    }
    transaction.respond(this.#response(request, 200));
    this.#listeners.emit('dtmf', digit);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Blind transfer (RFC 3515)

  /**
   * Asks the far end to call `target` (REFER with Refer-To and Referred-By). Progress comes as `transfer` events
   * from the NOTIFYs; when the target answers we hang up with reason `transferred`.
   *
   * With `replaces`, an attended transfer to a dialog this agent does not hold (another UA's consultation call,
   * RFC 5589 §7): the Refer-To carries `?Replaces=` (RFC 3891 §6.1, as the target's UA sees the dialog: to-tag
   * its own tag, from-tag the other end's), so the new INVITE replaces that dialog. False when it does not parse.
   */
  transfer(target: SipUri, replaces?: string): boolean {
    if (replaces === undefined) return this.#refer(target, undefined);
    const parsed = parseReplaces(replaces);
    if (parsed === undefined) return false;
    const formatted = formatReplaces(parsed) + (parsed.earlyOnly ? ';early-only' : '');
    return this.#refer(target, formatted);
  }

  /**
   * Attended transfer (RFC 5589 §7, RFC 3891): asks the far end of this call to call the far end of `other`, whose
   * dialog the new call replaces. Refer-To is the other call's remote target with `?Replaces=`.
   */
  transferTo(other: Call): boolean {
    const dialog = other.#dialog;
    if (other === this || other.#state !== 'connected' || dialog === undefined) return false;
    if (!isSipUri(dialog.remoteTarget)) return false;
    // The tags as the other call's far end sees them: its own tag is our remote tag (RFC 3891 §6.1).
    const replaces = formatReplaces({
      callId: dialog.id.callId,
      toTag: dialog.id.remoteTag,
      fromTag: dialog.id.localTag,
    });
    return this.#refer(dialog.remoteTarget, replaces);
  }

  /**
   * This call was the consultation of an attended transfer that succeeded: the transferee now talks to our far
   * end. A target that honoured the Replaces INVITE has already ended this dialog (RFC 3891 §3); one that did not
   * would keep us on the line, so we BYE with reason `transferred`. False when the call is no longer up.
   */
  endTransferred(): boolean {
    if (this.#state !== 'connected') return false;
    this.#sendBye('transferred', 'local');
    return true;
  }

  #refer(target: SipUri, replaces: string | undefined): boolean {
    if (this.#state !== 'connected' || this.#transferPending) return false;
    this.#transferPending = true;
    const referredBy: NameAddr = { uri: this.#identity.requests.identity.aor, params: new Map() };
    this.#background(
      this.#sendInDialog(
        {
          method: 'REFER',
          headers: [
            ['Refer-To', formatReferTo(target, replaces)],
            ['Referred-By', formatNameAddr(referredBy)],
          ],
        },
        {
          onFinal: (response) => {
            if (response.status >= 200 && response.status < 300) {
              this.#listeners.emit('transfer', {
                role: 'transferor',
                state: 'accepted',
                status: response.status,
              });
              return;
            }
            this.#transferPending = false;
            if (response.status === 481 || response.status === 408) this.#finishAfterDialogLoss(response);
            this.#listeners.emit('transfer', {
              role: 'transferor',
              state: 'failed',
              status: response.status,
            });
          },
        },
      ).then((sent) => {
        if (!sent) this.#transferPending = false;
      }),
    );
    return true;
  }

  /** §2.4.5: each NOTIFY of the implicit subscription carries the referred call's latest status line. */
  #receiveNotify(request: SipRequest, transaction: ServerTransaction): void {
    const event = (request.header('event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (event !== 'refer') {
      // RFC 6665 §8.2.1: an event package we did not subscribe to.
      transaction.respond(this.#response(request, 489));
      return;
    }
    transaction.respond(this.#response(request, 200));
    if (!this.#transferPending) return;
    const status = readSipfragStatus(request.bodyText);
    const terminated = (request.header('subscription-state') ?? '')
      .trim()
      .toLowerCase()
      .startsWith('terminated');
    if (status === undefined || status < 200) {
      if (status !== undefined)
        this.#listeners.emit('transfer', { role: 'transferor', state: 'progress', status });
      if (!terminated) return;
    }
    this.#transferPending = false;
    if (status !== undefined && status >= 200 && status < 300) {
      this.#listeners.emit('transfer', { role: 'transferor', state: 'succeeded', status });
      if (this.#state === 'connected') this.#sendBye('transferred', 'local');
      return;
    }
    this.#listeners.emit('transfer', {
      role: 'transferor',
      state: 'failed',
      ...(status === undefined ? {} : { status }),
    });
  }

  /** §2.4.2: accept with 202, report the new call's progress by NOTIFY (message/sipfrag), and make the call. */
  #receiveRefer(request: SipRequest, transaction: ServerTransaction): void {
    const referTo = readReferTo(request.header('refer-to'));
    if (referTo === undefined) {
      transaction.respond(this.#response(request, 400, {}, 'Bad Request (Refer-To)'));
      return;
    }
    if (this.#state !== 'connected') {
      transaction.respond(this.#response(request, 481));
      return;
    }
    transaction.respond(this.#response(request, 202, { contact: true }));
    const notify = (status: number, reason: string, final: boolean): void => {
      this.#background(
        this.#sendInDialog(
          {
            method: 'NOTIFY',
            headers: [
              ['Event', 'refer'],
              [
                'Subscription-State',
                final ? 'terminated;reason=noresource' : `active;expires=${REFER_SUBSCRIPTION_SECONDS}`,
              ],
            ],
            body: encoder.encode(sipfrag(status, reason)),
            contentType: `${SIPFRAG_TYPE};version=2.0`,
          },
          { onFinal: () => undefined },
        ),
      );
    };
    notify(100, 'Trying', false);
    const referred = this.#context.referred(
      referTo.target,
      this.#identity,
      request.header('referred-by'),
      referTo.replaces,
    );
    if (referred.state === 'ended') {
      // Refused before it started (the call limit): the subscription ends at once.
      notify(503, reasonPhrase(503), true);
      return;
    }
    let done = false;
    referred.on('progress', (progress) => {
      if (!done && progress.status > 100) notify(progress.status, progress.reason, false);
    });
    referred.on('state', ({ to }) => {
      if (to !== 'connected' || done) return;
      done = true;
      notify(200, 'OK', true);
    });
    referred.on('ended', (end) => {
      if (done) return;
      done = true;
      const status = end.status ?? 503;
      notify(status, reasonPhrase(status), true);
    });
    this.#listeners.emit('transfer', { role: 'transferee', call: referred });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Session timers (RFC 4028)

  /**
   * §6/§9: a Session-Expires below our Min-SE is refused with 422 (a malformed one with 400). Returns the status
   * sent, or undefined when the request may go on.
   */
  #refuseSessionInterval(request: SipRequest, transaction: ServerTransaction): number | undefined {
    const asked = parseSessionExpires(request.header('session-expires'));
    if (asked === 'malformed') {
      transaction.respond(this.#response(request, 400, {}, 'Bad Request (Session-Expires)'));
      return 400;
    }
    const minimum = this.#context.behaviour.minSessionExpires;
    if (asked === undefined || asked.seconds >= minimum) return undefined;
    transaction.respond(this.#response(request, 422, { headers: [['Min-SE', String(minimum)]] }));
    return 422;
  }

  /**
   * §9: our 2xx to a request that asked for a session timer names the refresher: the one it asked for, or, when it
   * left the choice to us, the sender if it supports timers and we otherwise. `Require: timer` goes with
   * refresher=uac. A request without Session-Expires turns the timer off, except an initial INVITE from a caller
   * that supports timers: §9 lets us start one then, and we do with our own interval, the caller refreshing.
   */
  #sessionAnswer(request: SipRequest, initial = false): SessionAnswer {
    const peerSupports = supportsTimer(request);
    let asked = parseSessionExpires(request.header('session-expires'));
    const ours = this.#context.behaviour.sessionExpires;
    if (asked === undefined && initial && peerSupports && Number.isInteger(ours) && ours > 0) {
      // §9: never below the caller's own Min-SE, if it sent one.
      const floor = Math.max(
        this.#context.behaviour.minSessionExpires,
        parseMinSe(request.header('min-se')) ?? 0,
      );
      asked = { seconds: Math.max(ours, floor), refresher: 'uac' };
    }
    if (asked === undefined || asked === 'malformed') return { headers: [] };
    const role: RefresherRole = peerSupports ? (asked.refresher ?? 'uac') : 'uas';
    const headers: Array<readonly [string, string]> = [
      ['Session-Expires', formatSessionExpires(asked.seconds, role)],
      ['Supported', TIMER_TAG],
    ];
    if (role === 'uac') headers.push(['Require', TIMER_TAG]);
    return { headers, agreed: { seconds: asked.seconds, refresher: role } };
  }

  #applySessionAnswer(session: SessionAnswer): void {
    if (session.agreed === undefined) {
      this.#sessionTimer?.stop();
      return;
    }
    // We answered: refresher=uas means us.
    this.#agreeSession(session.agreed.seconds, session.agreed.refresher === 'uas');
  }

  /** The 2xx to a request we sent: Session-Expires says the interval and who refreshes (uac = us). */
  #sessionFromResponse(response: SipResponse): void {
    const agreed = parseSessionExpires(response.header('session-expires'));
    if (agreed === undefined || agreed === 'malformed') {
      this.#sessionTimer?.stop();
      return;
    }
    this.#agreeSession(agreed.seconds, (agreed.refresher ?? 'uac') === 'uac');
  }

  #agreeSession(seconds: number, weRefresh: boolean): void {
    this.#weRefresh = weRefresh;
    this.#sessionTimer ??= new SessionTimer({
      clock: this.#context.clock,
      random: this.#context.random,
      refresh: () => this.#refreshSession(),
      expired: () => this.#sendBye('session-expired', 'error'),
    });
    this.#sessionTimer.agreed(Math.max(seconds, this.#context.behaviour.minSessionExpires), weRefresh);
  }

  /**
   * RFC 4028 §7.1: our INVITE asks for a session timer (Session-Expires, no refresher: the far end may choose) and
   * states our Min-SE when it is not the default 90. A far end without timer support ignores both and no timer runs
   * (§7.2); one with it names the interval and refresher in its 2xx.
   */
  #sessionOfferHeaders(): Array<readonly [string, string]> {
    const { sessionExpires, minSessionExpires } = this.#context.behaviour;
    if (!Number.isInteger(sessionExpires) || sessionExpires <= 0) return [];
    const headers: Array<readonly [string, string]> = [
      ['Session-Expires', String(Math.max(sessionExpires, minSessionExpires))],
    ];
    if (minSessionExpires !== MIN_SESSION_EXPIRES) headers.push(['Min-SE', String(minSessionExpires)]);
    return headers;
  }

  /** The Session-Expires our re-INVITEs carry while a timer runs (the refresher stays who it is, §7.4). */
  #sessionRequestHeaders(): Array<readonly [string, string]> {
    const interval = this.#sessionTimer?.interval;
    if (interval === undefined) return [];
    return [
      ['Session-Expires', formatSessionExpires(interval, this.#weRefresh ? 'uac' : 'uas')],
      ['Supported', TIMER_TAG],
    ];
  }

  /**
   * RFC 4028 §9: the refresher refreshes with an UPDATE when the far end allows it (no SDP: the session stays as
   * it is, no offer/answer, no ACK), with a re-INVITE re-offering the current session otherwise.
   */
  #refreshSession(): void {
    if (
      this.#state !== 'connected' ||
      this.#reinvitePending ||
      this.#updateRefreshPending ||
      this.#incomingOfferPending ||
      this.#pending2xx
    ) {
      this.#sessionTimer?.refreshFailed();
      return;
    }
    this.#refreshing = true;
    if (this.#peerAllowsUpdate) this.#sendRefreshUpdate();
    else this.#sendReinvite(this.#hold.local);
  }

  #sendRefreshUpdate(): void {
    this.#updateRefreshPending = true;
    this.#background(
      this.#sendInDialog(
        { method: 'UPDATE', headers: this.#sessionRequestHeaders() },
        { onFinal: (response) => this.#refreshUpdateFinal(response) },
      ).then((sent) => {
        if (sent) return;
        this.#updateRefreshPending = false;
        this.#refreshing = false;
        this.#sessionTimer?.refreshFailed();
      }),
    );
  }

  /** The final response to our refresh UPDATE: failures are handled as a refresh re-INVITE's are. */
  #refreshUpdateFinal(response: SipResponse): void {
    this.#updateRefreshPending = false;
    this.#refreshing = false;
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#notePeerMethods(response);
      this.#sessionFromResponse(response);
      return;
    }
    if (status === 481 || status === 408) {
      this.#finishAfterDialogLoss(response);
      return;
    }
    // 405 or 501: the far end does not take UPDATE after all (its Allow said otherwise); re-INVITE from now on.
    if (status === 405 || status === 501) this.#peerAllowsUpdate = false;
    this.#sessionTimer?.refreshFailed();
    if (status === 422) {
      const minimum = parseMinSe(response.header('min-se'));
      if (minimum !== undefined && this.#sessionTimer) this.#agreeSession(minimum, this.#weRefresh);
    }
  }

  /** Learns from the far end's Allow, when a message carries one, whether it takes UPDATE. */
  #notePeerMethods(message: SipRequest | SipResponse): void {
    if (message.headerLines('allow').length === 0) return;
    this.#peerAllowsUpdate = message.allow.includes('UPDATE');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Plumbing

  /** Builds, authorizes and sends a request in the confirmed dialog; 401/407 are answered once per challenge. */
  async #sendInDialog(
    spec: InDialogRequestSpec,
    user: { onFinal(response: SipResponse, request: SipRequest): void },
  ): Promise<boolean> {
    const dialog = this.#dialog;
    if (!dialog) return false;
    const needsContact = TARGET_REFRESH_METHODS.has(spec.method);
    let contact: NameAddr | undefined;
    const hop = await this.#hopFor(buildProbe(dialog));
    if (!hop) return false;
    if (needsContact) contact = this.#identity.requests.contact(hop);
    const current = this.#dialog;
    if (!current || current.name === 'terminated') return false;
    const built = buildInDialogRequest(current, { ...spec, ...(contact ? { contact } : {}) });
    if (!built.ok) {
      this.#context.logger.log('warn', 'cannot build an in-dialog request', { reason: built.error.reason });
      return false;
    }
    this.#setDialog(built.value.state);
    const request = built.value.request;
    const auth = this.#identity.auth;
    if (auth)
      for (const header of auth.authorize({
        method: request.method,
        uri: request.requestUriText,
        body: request.body,
      }))
        request.setHeader(header.name, header.value);
    let retried = false;
    const send = (outgoing: SipRequest): void => {
      this.#context.transactions.sendRequest(outgoing, hop, {
        onFinal: (response) => {
          if ((response.status === 401 || response.status === 407) && auth && !retried) {
            const challenges =
              response.status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
            const outcome = auth.handleChallenge({ status: response.status, challenges });
            if (outcome.action === 'retry' && this.#dialog) {
              retried = true;
              // §22.2: the same request with credentials takes the next CSeq of the dialog.
              const next = this.#dialog.localSeq + 1;
              this.#setDialog({ ...this.#dialog, localSeq: next });
              const again = reissue(outgoing, outgoing.requestUri, next);
              for (const header of auth.authorize({
                method: again.method,
                uri: again.requestUriText,
                body: again.body,
              }))
                again.setHeader(header.name, header.value);
              send(again);
              return;
            }
          }
          user.onFinal(response, outgoing);
        },
      });
    };
    send(request);
    return true;
  }

  /** Where a request inside the dialog goes: its first Route if any, else its Request-URI (§12.2.1.1, §8.1.2). */
  async #hopFor(request: SipRequest): Promise<Destination | undefined> {
    const route = request.tryRoute();
    const first = route.ok ? route.value[0]?.uri : undefined;
    const uri = first ?? request.requestUri;
    if (!isSipUri(uri)) return undefined;
    try {
      return await this.#context.resolveHop(uri, this.#identity.transport);
    } catch (error) {
      this.#context.logger.log('warn', 'no next hop for an in-dialog request', { error: messageOf(error) });
      return undefined;
    }
  }

  #sendBye(reason: CallEndReason, by: CallEndedBy, detail?: string): void {
    if (this.#state === 'ended') return;
    if (this.#state !== 'ending') this.#transition('ending');
    const end: CallEnd = { by, reason, ...(detail === undefined ? {} : { detail }) };
    this.#stopPort();
    // §15.1.1: the call is over once the BYE is answered, whatever the answer (a 481 or a timeout included).
    this.#background(
      this.#sendInDialog({ method: 'BYE' }, { onFinal: () => this.#finish(end) }).then((sent) => {
        if (!sent) this.#finish(end);
      }),
    );
  }

  #finishAfterDialogLoss(response: SipResponse): void {
    if (this.#state === 'ended') return;
    this.#finish({
      by: 'remote',
      reason: 'dialog-lost',
      status: response.status,
      detail: statusLine(response),
    });
  }

  #applyMedia(media: NegotiatedMedia, localHold = this.#hold.local): void {
    const port = this.#port;
    if (!port) return;
    this.#media = media;
    if (this.#mediaStarted) port.update(media);
    else port.start(media);
    this.#mediaStarted = true;
    const hold = { local: localHold, remote: media.heldByRemote };
    const changed = hold.remote !== this.#hold.remote || hold.local !== this.#hold.local;
    this.#hold = hold;
    this.#listeners.emit('media', media);
    if (changed) this.#listeners.emit('hold', this.#hold);
  }

  #setDialog(dialog: DialogState): void {
    const previous = this.#dialog;
    this.#dialog = dialog;
    if (dialog.name === 'terminated') {
      this.#context.dialogs.remove(dialog.id);
      this.#context.registry.unbindDialog(dialog.id);
      return;
    }
    this.#context.dialogs.update(dialog);
    if (previous === undefined || !sameDialog(previous, dialog))
      this.#context.registry.bindDialog(dialog.id, this);
  }

  #transition(to: CallStateName): void {
    const from = this.#state;
    if (from === to) return;
    if (!canTransition(from, to)) {
      this.#context.logger.log('warn', 'call transition refused', { from, to, callId: this.callId });
      return;
    }
    this.#state = to;
    if (to === 'connecting' || to === 'connected' || to === 'ending' || to === 'ended') {
      this.#clearTimer(this.#ringTimer);
      this.#ringTimer = undefined;
    }
    this.#listeners.emit('state', { from, to });
  }

  #finish(end: CallEnd): void {
    if (this.#state === 'ended') return;
    this.#end = end;
    this.#clearPending2xx();
    for (const timer of this.#timers) this.#context.clock.clearTimer(timer);
    this.#timers.clear();
    this.#glareTimer = undefined;
    this.#sessionTimer?.stop();
    this.#stopPort();
    if (this.#dialog && this.#dialog.name !== 'terminated') {
      this.#context.dialogs.remove(this.#dialog.id);
      this.#context.registry.unbindDialog(this.#dialog.id);
    }
    this.#dropEarlyDialogs();
    this.#transition('ended');
    this.#context.registry.released(this);
    this.#listeners.emit('ended', end);
  }

  #stopPort(): void {
    const port = this.#port;
    if (!port || this.#portStopped) return;
    this.#portStopped = true;
    port.stop();
  }

  /**
   * Runs work that continues after an await (a next hop, an ACK, an in-dialog request). Nothing thrown there may
   * become an unhandled rejection, which would stop the process: it is logged and ends this call as an internal
   * error, leaving every other call alone.
   */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      this.#context.logger.log('error', 'call work failed', {
        callId: this.callId,
        error: error instanceof Error ? error.stack : String(error),
      });
      const detail = messageOf(error);
      // A call that is up is ended properly, so the far end does not keep a dead dialog.
      if (this.#state === 'connected' && this.#dialog?.name === 'confirmed')
        this.#sendBye('internal-error', 'error', detail);
      else if (this.#state !== 'ended') this.#finish({ by: 'error', reason: 'internal-error', detail });
    });
  }

  #timer(delay: number, callback: () => void): TimerHandle {
    const handle = this.#context.clock.setTimer(delay, () => {
      this.#timers.delete(handle);
      callback();
    });
    this.#timers.add(handle);
    return handle;
  }

  #clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.#context.clock.clearTimer(handle);
    this.#timers.delete(handle);
  }
}

interface SessionAnswer {
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly agreed?: { readonly seconds: number; readonly refresher: RefresherRole };
}

/** RFC 3262 §7.1: Require lists 100rel (a malformed Require counts as no). */
function requires100rel(message: SipRequest | SipResponse): boolean {
  try {
    return message.require.some((tag) => tag.toLowerCase() === '100rel');
  } catch {
    return false;
  }
}

/** Supported lists 100rel (a malformed Supported counts as no). */
function supports100rel(request: SipRequest): boolean {
  try {
    return request.supported.some((tag) => tag.toLowerCase() === '100rel');
  } catch {
    return false;
  }
}

/** RSeq (RFC 3262 §7.1): 1 to 2^32-1. */
function parseRseq(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  const number = Number(text);
  return number >= 1 && number <= 0xffff_ffff ? number : undefined;
}

/** RAck (RFC 3262 §7.2): `response-num CSeq-num Method`. */
function parseRack(value: string | undefined): { rseq: number; cseq: number } | undefined {
  const match = /^\s*(\d{1,10})\s+(\d{1,10})\s+INVITE\s*$/i.exec(value ?? '');
  return match ? { rseq: Number(match[1]), cseq: Number(match[2]) } : undefined;
}

/** The request's Supported lists `timer` (a malformed Supported counts as no). */
function supportsTimer(request: SipRequest): boolean {
  try {
    return request.supported.some((tag) => tag.toLowerCase() === TIMER_TAG);
  } catch {
    return false;
  }
}

function isSdp(message: SipRequest | SipResponse): boolean {
  const type = (message.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return type === SDP;
}

function statusLine(response: SipResponse): string {
  return `${response.status} ${response.reason}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The key a redirect target is remembered by: scheme, user, host and port (its parameters do not make it new). */
function targetKey(uri: SipUri): string {
  return `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}:${uri.port ?? ''}`;
}

function sameDialog(a: DialogState, b: DialogState): boolean {
  return a.id.callId === b.id.callId && a.id.localTag === b.id.localTag && a.id.remoteTag === b.id.remoteTag;
}

function destinationOf(source: MessageSource): Destination {
  return { protocol: source.protocol, address: source.address, port: source.port };
}

/** A request with the next hop's Route header, to find where the dialog's next request goes. */
function buildProbe(dialog: DialogState): SipRequest {
  const routing = routeInDialog(dialog.remoteTarget, dialog.routeSet);
  const headers = routing.route.map((route) => field('route', formatNameAddr(route)));
  return new SipRequest('OPTIONS', routing.requestUri, headers);
}

/**
 * The same request sent again as a new transaction: a new CSeq (§8.1.3.5, §22.2), maybe a new Request-URI (a 3xx,
 * §8.1.3.4), no Via (the transaction layer stamps a fresh branch) and no stale credentials.
 */
function reissue(
  request: SipRequest,
  requestUri: SipUri | SipRequest['requestUri'],
  cseq: number,
): SipRequest {
  const headers: HeaderField[] = [];
  for (const header of request.headers) {
    if (header.key === 'via' || header.key === 'authorization' || header.key === 'proxy-authorization')
      continue;
    if (header.key === 'cseq') {
      headers.push({ ...header, value: `${cseq} ${request.method}` });
      continue;
    }
    headers.push(header);
  }
  return new SipRequest(request.method, requestUri, headers, request.body);
}
