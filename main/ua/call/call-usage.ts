// The call usage of a user agent (RFC 3261 §13–§15): it takes INVITEs in place of the UAS core's built-in 480,
// routes in-dialog requests (BYE, re-INVITE, UPDATE, INFO), ACKs, CANCELs and stray 2xx to the call they belong to,
// and makes outgoing calls from an account or straight to `sip:user@IP:port`. Media is reached only through the
// MediaPortFactory it is given.
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import { DigestAuthenticator } from '../../sip/auth/authenticator';
import { dialogKey, dialogSetKey } from '../../sip/dialog/dialog-id';
import type { DialogSet } from '../../sip/dialog/dialog-set';
import { createResponse } from '../../sip/message/builders';
import type { SipRequest, SipResponse } from '../../sip/message/message';
import type { NameAddr } from '../../sip/message/name-addr';
import { type SipUri, isSipUri } from '../../sip/message/uri';
import type { TimerSettings } from '../../sip/transaction/timers';
import type { Destination, TransportProtocol } from '../../sip/transport/types';
import { type NameResolver, resolveNextHop, transportFor } from '../next-hop';
import type { LocalIdentity, RequestFactory } from '../request-factory';
import type { ServerTransactionHandle, UasCore } from '../uas-core';
import { Call, type CallIdentity } from './call';
import type { CallContext, CallHandle, CallRegistry, CallTransactions } from './call-context';
import { Listeners } from './call-events';
import type { MediaPortFactory } from './media-port';
import { parseReplaces } from './refer';
import { MIN_SESSION_EXPIRES, TIMER_TAG } from './session-timer';

/** An account as the call usage needs it (UserAgent's Account satisfies it). */
export interface CallAccount {
  readonly id: string;
  readonly requests: RequestFactory;
  readonly config: {
    readonly aor: SipUri;
    readonly password: string;
    readonly authUser?: string;
    readonly outboundProxy?: SipUri;
    readonly transport: TransportProtocol;
  };
}

/** What the usage takes from the user agent it is installed on. */
export interface CallHost {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly timers: TimerSettings;
  readonly core: UasCore;
  readonly transactions: CallTransactions;
  readonly dialogs: DialogSet;
  readonly resolver: NameResolver;
  /** The agent's accounts, read when a call is made or arrives. */
  readonly accounts: () => readonly CallAccount[];
  /** A request factory with no account behind it, for direct calls and calls to an address we have no account for. */
  readonly directRequests: (identity: LocalIdentity) => RequestFactory;
  /** The agent's own SIP address, for the From of direct calls. */
  readonly localAddress: () => { readonly host: string; readonly port: number };
}

/** Live calls at most (each holds a media session); an INVITE past it is refused with 486 (habit 11). */
export const DEFAULT_MAX_CALLS = 16;
/** How long a call may ring, either way, before it is given up as unanswered. */
export const DEFAULT_RING_TIMEOUT_MS = 120_000;
/** The Session-Expires our INVITEs ask for (RFC 4028 §7.1), as common softphones do. */
export const DEFAULT_SESSION_EXPIRES = 1800;

export interface CallUsageOptions {
  readonly media: MediaPortFactory;
  /**
   * Answer incoming INVITEs with 183 and our SDP before the user answers (early media), instead of a bare 180.
   * A function decides per call from the identity taking it (`Call.requests`): each account has its own setting.
   */
  readonly earlyMedia?: boolean | ((requests: RequestFactory) => boolean);
  /** Start with do-not-disturb on: every new incoming call is refused with 486 Busy Here. */
  readonly doNotDisturb?: boolean;
  /**
   * Do-not-disturb per identity (accounts sharing an agent each have their own): a new incoming call for an identity
   * this says yes to is refused with 486 at once, before any media port or ringing, as `doNotDisturb` does for all.
   */
  readonly doNotDisturbFor?: (requests: RequestFactory) => boolean;
  /**
   * Call waiting: answering an incoming call while others are up puts those on hold (re-INVITE sendonly), so only
   * one call talks at a time. Default true.
   */
  readonly holdOthersOnAnswer?: boolean;
  /** Live calls at most; default DEFAULT_MAX_CALLS. New incoming calls past it get 486, dial() gets an ended call. */
  readonly maxCalls?: number;
  /**
   * Ring timeout in ms (default DEFAULT_RING_TIMEOUT_MS): an outgoing call not answered by then is CANCELled, an
   * incoming one gets 480; both end as `no-answer`. 0 turns it off (a call then rings until someone acts).
   */
  readonly ringTimeoutMs?: number;
  /**
   * The session interval our INVITEs ask for (Session-Expires, RFC 4028 §7.1), in seconds; default
   * DEFAULT_SESSION_EXPIRES. A far end that supports timers agrees in its 2xx; one that does not ignores it. 0 (or
   * anything but a whole number) asks for none.
   */
  readonly sessionExpires?: number;
  /**
   * Our Min-SE in seconds (RFC 4028 §4): shorter intervals asked of us get 422 and shorter ones offered in a 2xx are
   * raised to it. Default and floor for real peers: MIN_SESSION_EXPIRES (90); only tests against a peer that allows
   * it go lower.
   */
  readonly minSessionExpires?: number;
}

export interface DialOptions {
  /** The account to call from; without one the call goes straight to the target, unregistered and unauthenticated. */
  readonly account?: CallAccount;
  /** Who we say we are on a direct call; `sip:anonymous@<our address>` when absent. */
  readonly from?: LocalIdentity;
  /** The To header; the target without its parameters when absent. */
  readonly to?: NameAddr;
}

/** An incoming call refused at once because do-not-disturb is on. */
export interface AutoRejected {
  readonly from: NameAddr;
  readonly status: number;
  /** The identity the call was for, when its own do-not-disturb (`doNotDisturbFor`) refused it. */
  readonly requests?: RequestFactory;
}

interface UsageEvents {
  readonly incoming: Call;
  readonly autoRejected: AutoRejected;
}

export class CallUsage {
  readonly #host: CallHost;
  readonly #options: CallUsageOptions;
  readonly #context: CallContext;
  readonly #events = new Listeners<UsageEvents>();
  readonly #calls = new Set<Call>();
  readonly #byDialog = new Map<string, Call>();
  readonly #byInvite = new Map<string, Call>();
  readonly #byServerInvite = new Map<ServerTransactionHandle, Call>();
  #doNotDisturb: boolean;
  readonly #maxCalls: number;

  constructor(host: CallHost, options: CallUsageOptions) {
    this.#host = host;
    this.#options = options;
    this.#doNotDisturb = options.doNotDisturb ?? false;
    this.#maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS;
    const registry: CallRegistry = {
      bindDialog: (id, owner) => this.#byDialog.set(dialogKey(id), owner as Call),
      unbindDialog: (id) => this.#byDialog.delete(dialogKey(id)),
      bindInvite: (callId, localTag, owner) =>
        this.#byInvite.set(dialogSetKey(callId, localTag), owner as Call),
      released: (owner) => this.#release(owner),
    };
    this.#context = {
      clock: host.clock,
      random: host.random,
      logger: host.logger,
      timers: host.timers,
      transactions: host.transactions,
      dialogs: host.dialogs,
      media: options.media,
      behaviour: {
        ringTimeoutMs: options.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
        sessionExpires: options.sessionExpires ?? DEFAULT_SESSION_EXPIRES,
        minSessionExpires: options.minSessionExpires ?? MIN_SESSION_EXPIRES,
      },
      registry,
      referred: (target, identity, referredBy, replaces) => {
        const headers: Array<readonly [string, string]> = [];
        if (referredBy !== undefined) headers.push(['Referred-By', referredBy]);
        // RFC 3891 §5: the INVITE for an attended transfer replaces the target's dialog, and says it needs that.
        if (replaces !== undefined) headers.push(['Replaces', replaces], ['Require', 'replaces']);
        return this.#place(Call.outgoing(this.#context, identity, target, undefined, headers));
      },
      resolveHop: (uri, protocol) =>
        resolveNextHop(uri, undefined, transportFor(uri, protocol), host.resolver),
    };
    // RFC 4028: we take part in session timers (see session-timer.ts); Supported: timer goes on our requests.
    host.core.support(TIMER_TAG);
    // RFC 3262: we PRACK reliable provisionals, and send ours reliably when a caller requires it.
    host.core.support('100rel');
    // RFC 3891: an INVITE with Replaces takes the place of one of our calls.
    host.core.support('replaces');
    for (const method of ['INVITE', 'BYE', 'UPDATE', 'INFO', 'PRACK', 'REFER', 'NOTIFY'])
      host.core.handle(method, (request, transaction) => this.#receiveRequest(request, transaction));
  }

  /** Live calls (not yet ended). */
  get calls(): Call[] {
    return [...this.#calls];
  }

  get doNotDisturb(): boolean {
    return this.#doNotDisturb;
  }

  /** While on, new incoming calls are refused with 486 Busy Here (calls in progress are untouched). */
  setDoNotDisturb(on: boolean): void {
    this.#doNotDisturb = on;
  }

  onIncoming(listener: (call: Call) => void): () => void {
    return this.#events.on('incoming', listener);
  }

  onAutoRejected(listener: (rejected: AutoRejected) => void): () => void {
    return this.#events.on('autoRejected', listener);
  }

  /** Starts a call to `target`; the returned call is in `calling` at once and reports everything after by events. */
  dial(target: SipUri, options: DialOptions = {}): Call {
    const identity = options.account
      ? this.#accountIdentity(options.account)
      : this.#directIdentity(target, options.from);
    return this.#place(Call.outgoing(this.#context, identity, target, options.to));
  }

  /** Starts an outgoing call, or ends it at once with `call-limit` when too many are up. */
  #place(call: Call): Call {
    if (this.#calls.size >= this.#maxCalls) {
      // Ended before it began: the caller sees the same shape as any other failure.
      call.endUnstarted('call-limit', `${this.#maxCalls} calls are up`);
      return call;
    }
    this.#calls.add(call);
    this.#background(call.start());
    return call;
  }

  /** An ACK that matched no transaction, or one passed up from an INVITE server transaction in Accepted. */
  receiveAck(ack: SipRequest): void {
    const dialog = this.#host.dialogs.findForRequest(ack);
    const call = dialog ? this.#byDialog.get(dialogKey(dialog.id)) : undefined;
    if (call) call.receiveAck(ack);
  }

  /** RFC 6026 §8.4: a 2xx no transaction matches anymore goes to the call whose INVITE it answers, if any. */
  receiveStray2xx(response: SipResponse): boolean {
    const from = response.tryFrom();
    const callId = response.tryCallId();
    if (!from.ok || !callId.ok) return false;
    const call = this.#byInvite.get(dialogSetKey(callId.value, from.value.tag ?? ''));
    if (!call) return false;
    call.receiveStray2xx(response);
    return true;
  }

  /** §9.2: a CANCEL for an INVITE still pending; the transaction layer answers the CANCEL itself. */
  receiveCancel(invite: ServerTransactionHandle): boolean {
    const call = this.#byServerInvite.get(invite);
    if (!call) return false;
    // The layer answers the CANCEL with 200 as soon as this returns; the 487 follows it, in the order callers (and
    // RFC 3261 §9.2's own example flow) expect.
    this.#background(Promise.resolve().then(() => call.cancelledByCaller()));
    return true;
  }

  /** Ends every call (hangup), for shutdown. */
  hangupAll(): void {
    for (const call of this.calls) call.hangup();
  }

  #receiveRequest(request: SipRequest, transaction: ServerTransactionHandle): void {
    if (request.to.tag !== undefined) {
      const dialog = this.#host.dialogs.findForRequest(request);
      const call = dialog ? this.#byDialog.get(dialogKey(dialog.id)) : undefined;
      if (!dialog || !call) {
        transaction.respond(this.#response(request, 481));
        return;
      }
      call.receiveRequest(request, transaction, dialog);
      return;
    }
    if (request.method !== 'INVITE') {
      // §15.1.2 (and the same for UPDATE and INFO): outside any dialog there is nothing they could refer to.
      transaction.respond(this.#response(request, 481));
      return;
    }
    this.#receiveInvite(request, transaction);
  }

  #receiveInvite(request: SipRequest, transaction: ServerTransactionHandle): void {
    const from = request.tryFrom();
    if (!from.ok) {
      transaction.respond(this.#response(request, 400));
      return;
    }
    if (this.#doNotDisturb) {
      transaction.respond(this.#response(request, 486));
      this.#events.emit('autoRejected', { from: from.value, status: 486 });
      return;
    }
    if (this.#calls.size >= this.#maxCalls) {
      // A stranger cannot make us hold more media sessions than this; to the caller we are simply busy.
      this.#host.logger.log('warn', 'call limit reached: INVITE refused with 486', { limit: this.#maxCalls });
      transaction.respond(this.#response(request, 486));
      this.#events.emit('autoRejected', { from: from.value, status: 486 });
      return;
    }
    const replaced = this.#replacedCall(request, transaction);
    if (replaced === null) return;
    const identity = this.#incomingIdentity(request);
    // A Replaces INVITE takes the place of a call already up (RFC 3891): not a new call to keep away.
    if (replaced === undefined && this.#options.doNotDisturbFor?.(identity.requests) === true) {
      transaction.respond(this.#response(request, 486));
      this.#events.emit('autoRejected', { from: from.value, status: 486, requests: identity.requests });
      return;
    }
    const call = Call.incoming(
      this.#context,
      identity,
      request,
      transaction,
      { earlyMedia: this.#earlyMediaFor(identity) },
      (ringing) => {
        if (replaced === undefined) {
          this.#events.emit('incoming', ringing);
          return;
        }
        // §3: the replacing call is answered at once and the old one ends.
        ringing.answer(replaced.hold.local ? { hold: true } : {});
        replaced.replacedBy(ringing);
      },
    );
    if (call.state === 'ended') return;
    this.#calls.add(call);
    this.#byServerInvite.set(transaction, call);
    if (this.#options.holdOthersOnAnswer ?? true) {
      call.on('state', ({ to }) => {
        if (to !== 'connecting') return;
        for (const other of this.#calls)
          if (other !== call && (other.state === 'connected' || other.state === 'connecting'))
            other.holdCall();
      });
    }
  }

  /** Early media for this INVITE: the usage's setting, or the answer per identity (accounts sharing an agent). */
  #earlyMediaFor(identity: CallIdentity): boolean {
    const setting = this.#options.earlyMedia ?? false;
    return typeof setting === 'function' ? setting(identity.requests) : setting;
  }

  /** A call's own work already guards itself; this only keeps a surprise from becoming an unhandled rejection. */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) =>
      this.#host.logger.log('error', 'call work failed', {
        error: error instanceof Error ? error.stack : String(error),
      }),
    );
  }

  /**
   * RFC 3891 §3: the call an INVITE's Replaces names (to-tag ours, from-tag theirs). undefined when there is no
   * Replaces; null when it names no call we have up (answered 481) or is malformed (400).
   */
  #replacedCall(request: SipRequest, transaction: ServerTransactionHandle): Call | undefined | null {
    const header = request.header('replaces');
    if (header === undefined) return undefined;
    const replaces = parseReplaces(header);
    if (replaces === undefined) {
      transaction.respond(this.#response(request, 400));
      return null;
    }
    const dialog = this.#host.dialogs.get({
      callId: replaces.callId,
      localTag: replaces.toTag,
      remoteTag: replaces.fromTag,
    });
    const call = dialog ? this.#byDialog.get(dialogKey(dialog.id)) : undefined;
    // Only a call that is up can be replaced here (an early-only Replaces, or a ringing call, gets 481).
    if (!call || replaces.earlyOnly || call.state !== 'connected') {
      transaction.respond(this.#response(request, 481));
      return null;
    }
    return call;
  }

  #release(owner: CallHandle): void {
    const call = owner as Call;
    this.#calls.delete(call);
    for (const [key, value] of this.#byDialog) if (value === call) this.#byDialog.delete(key);
    for (const [key, value] of this.#byServerInvite) if (value === call) this.#byServerInvite.delete(key);
    // Outgoing calls keep their INVITE entry a while: a 2xx arriving after the end still gets its ACK and BYE
    // (RFC 6026 §8.4). It is dropped once Timer M (64·T1) would have let the last fork's 2xx through.
    for (const [key, value] of this.#byInvite) {
      if (value !== call) continue;
      this.#host.clock.setTimer(64 * this.#host.timers.t1, () => {
        if (this.#byInvite.get(key) === call) this.#byInvite.delete(key);
      });
    }
  }

  #accountIdentity(account: CallAccount): CallIdentity {
    const config = account.config;
    return {
      requests: account.requests,
      auth: new DigestAuthenticator({
        username: config.authUser ?? config.aor.user ?? '',
        password: config.password,
        random: this.#host.random,
      }),
      ...(config.outboundProxy ? { outboundProxy: config.outboundProxy } : {}),
      transport: config.transport,
    };
  }

  #directIdentity(target: SipUri, from: LocalIdentity | undefined): CallIdentity {
    const local = this.#host.localAddress();
    const identity: LocalIdentity = from ?? {
      aor: {
        scheme: 'sip',
        user: 'anonymous',
        host: local.host,
        port: local.port,
        params: new Map(),
        headers: new Map(),
      },
    };
    return { requests: this.#host.directRequests(identity), transport: transportFor(target, 'udp') };
  }

  /** The account an INVITE is for: the one whose AoR user the Request-URI names, else the first, else none. */
  #incomingIdentity(request: SipRequest): CallIdentity {
    const accounts = this.#host.accounts();
    const uri = request.requestUri;
    const user = isSipUri(uri) ? uri.user : undefined;
    const account = accounts.find((candidate) => candidate.config.aor.user === user) ?? accounts[0];
    if (account) return this.#accountIdentity(account);
    const local = this.#host.localAddress();
    const to = request.tryTo();
    const aor: SipUri =
      to.ok && isSipUri(to.value.uri)
        ? to.value.uri
        : {
            scheme: 'sip',
            user: user ?? 'anonymous',
            host: local.host,
            port: local.port,
            params: new Map(),
            headers: new Map(),
          };
    const protocol: Destination['protocol'] = transaction(request);
    return { requests: this.#host.directRequests({ aor }), transport: protocol };
  }

  #response(request: SipRequest, status: number): SipResponse {
    return createResponse(request, status, { toTag: this.#host.random.token(10) });
  }
}

/** The transport an incoming request came over, read from its top Via (UDP when unreadable). */
function transaction(request: SipRequest): TransportProtocol {
  const via = request.tryTopVia();
  return via.ok && via.value.transport.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
}
