// Page-mode instant messages (RFC 3428) and is-composing (RFC 3994) on one user agent. It takes MESSAGE from the UAS
// core — out of dialog, and inside a call's dialog too, since the core lets a request with a known dialog through —
// and sends MESSAGEs from an account (its identity, credentials and outbound proxy) or straight to an address.
//
//   send() ─► exchangeMessage (auth, size, outcome) ─► ExchangeOutcome
//   setComposing() ─► ComposerTracker ─► an is-composing MESSAGE when the machine says so
//   MESSAGE ─► readIncomingMessage ─► text: the handler's verdict decides 200/500/refusal
//                                  └► is-composing: ReceiverTracker ─► onComposing
//
// The handler is called synchronously and its verdict is the response: 200 only once the message is kept, so a
// server that stores messages for us (msilo) never deletes one we lost. No handler means nobody can keep it: 480.
//
// Is-composing goes only to peers this usage has exchanged text with since it started (a message from them, or a
// 200 to ours), bounded and forgotten oldest first. Typing is not a message: an indication to someone we have never
// written to tells a stranger we are about to write, and one to an offline user would be stored by the server and
// delivered later as if it were a message (msilo keeps every MESSAGE it is given). A 202 or a failure to an
// indication forgets the peer again, for the same reason.
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { Random } from '../platform/random';
import { createResponse } from '../sip/message/builders';
import { printable } from '../sip/message/result';
import type { SipRequest } from '../sip/message/message';
import { type SipUri, formatUri, isSipUri } from '../sip/message/uri';
import type { TransportProtocol } from '../sip/transport/types';
import { type NameResolver, transportFor } from '../ua/next-hop';
import type { LocalIdentity, RequestFactory } from '../ua/request-factory';
import type { RequestSender } from '../ua/request-sender';
import type { ServerTransactionHandle, UasCore } from '../ua/uas-core';
import type { Account, UserAgent } from '../ua/user-agent';
import { MESSAGE_BODY_MAX_BYTES } from '../contract/limits';
import { ComposerTracker, ReceiverTracker } from './composing-tracker';
import { buildIsComposing } from './is-composing-document';
import { readIncomingMessage } from './incoming-message';
import { IS_COMPOSING, TEXT_PLAIN } from './message-body';
import { type ExchangeOutcome, type MessageSender, exchangeMessage } from './message-exchange';
import { messageFailure } from './message-failure';
import { peerKeyOf } from './peer-key';
import { formatSipDate } from './sip-date';

export interface MessagingHost {
  readonly core: UasCore;
  readonly sender: RequestSender;
  readonly clock: Clock;
  readonly random: Random;
  readonly resolver: NameResolver;
  readonly logger?: Logger;
  /** The agent's accounts, read when a MESSAGE arrives (which one it came to). */
  readonly accounts: () => readonly Account[];
  /** Requests for an identity that is no account (a message sent straight to an address). */
  readonly requestsFor: (identity: LocalIdentity) => RequestFactory;
  /** Our address, for the From of a message sent without an account. */
  readonly localAddress: () => { readonly host: string; readonly port: number };
  readonly carries: (protocol: TransportProtocol) => boolean;
}

/** The host a user agent offers. */
export function messagingHostOf(agent: UserAgent): MessagingHost {
  const seams = agent.seams;
  return {
    core: agent.core,
    sender: agent.transactions,
    ...seams,
    accounts: () => agent.accounts,
    requestsFor: (identity) => agent.requestsFor(identity),
    localAddress: () => {
      const sentBy = agent.transport.sentBy({
        protocol: 'udp',
        address: agent.transport.localAddress,
        port: 5060,
      });
      return { host: sentBy.host, port: sentBy.port };
    },
    carries: (protocol) => agent.transport.carries(protocol),
  };
}

/**
 * MESSAGE requests (text and is-composing) one user agent waits on for a final response. Each holds a client
 * transaction and its timers, and a next hop that never answers holds it for Timer F (32 s), so a person or a
 * script sending in a loop towards a silent peer would otherwise pile them up. It is above the message service's
 * SENDING_MAX (200), so a person sending from the window meets that bound first, in its words; the rest is room
 * for is-composing indications. Past it a send ends at once as `failed`, "N messages are waiting for an answer".
 */
export const MESSAGES_WAITING_MAX = 300;

export interface MessagingLimits {
  /** MESSAGE requests waiting for their final response at once (MESSAGES_WAITING_MAX); more fail at once. */
  readonly maxInFlight: number;
  /** Conversations whose typing state is followed, each way. */
  readonly maxComposingPeers: number;
  /** Peers remembered as ones we exchanged text with (who may hear our typing). */
  readonly maxKnownPeers: number;
  /** Largest body sent or taken. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_MESSAGING_LIMITS: MessagingLimits = {
  maxInFlight: MESSAGES_WAITING_MAX,
  maxComposingPeers: 256,
  maxKnownPeers: 1_000,
  maxBodyBytes: MESSAGE_BODY_MAX_BYTES,
};

/** A text message that arrived, for the handler to keep. */
export interface ReceivedMessage {
  /** The account whose address it came to; undefined for none (a message straight to our address). */
  readonly account: Account | undefined;
  readonly from: string;
  readonly fromName: string | null;
  readonly body: string;
  readonly date: number | null;
  readonly receivedAt: number;
  readonly dedupeKey: string;
}

/** The handler's answer: `stored` → 200, `failed` → 500, `refused` → its status. */
export type ReceivedVerdict =
  | { readonly kind: 'stored' }
  | { readonly kind: 'failed'; readonly detail: string }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string };

export interface ReceivedComposing {
  readonly account: Account | undefined;
  readonly from: string;
  readonly state: 'active' | 'idle';
}

interface Peer {
  readonly account: Account | undefined;
  readonly target: SipUri;
}

export class MessagingUsage {
  readonly #host: MessagingHost;
  readonly #limits: MessagingLimits;
  readonly #logger: Logger;
  readonly #composer: ComposerTracker<Peer>;
  readonly #receiver: ReceiverTracker<ReceivedComposing>;
  readonly #composingListeners = new Set<(indication: ReceivedComposing) => void>();
  /** Conversations (see conversationKey) we exchanged text with, oldest first. */
  readonly #known = new Set<string>();
  /** How each message still in flight ends if we stop first. */
  readonly #pending = new Set<(outcome: ExchangeOutcome) => void>();
  #handler: ((message: ReceivedMessage) => ReceivedVerdict) | undefined;
  #disposed = false;

  constructor(host: MessagingHost, limits: Partial<MessagingLimits> = {}) {
    this.#host = host;
    this.#limits = { ...DEFAULT_MESSAGING_LIMITS, ...limits };
    this.#logger = host.logger ?? silentLogger;
    this.#composer = new ComposerTracker<Peer>({
      clock: host.clock,
      maxPeers: this.#limits.maxComposingPeers,
      send: (peer, state, refreshSeconds) => void this.#sendComposing(peer, state, refreshSeconds),
    });
    this.#receiver = new ReceiverTracker<ReceivedComposing>({
      clock: host.clock,
      maxPeers: this.#limits.maxComposingPeers,
      emit: (peer, state) => this.#emitComposing({ ...peer, state }),
    });
    host.core.handle('MESSAGE', (request, transaction) => this.#receive(request, transaction));
  }

  /** Messages and indications waiting for their final response. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Conversations whose typing state is followed (ours and theirs). */
  get composingSize(): { readonly ours: number; readonly theirs: number } {
    return { ours: this.#composer.size, theirs: this.#receiver.size };
  }

  /** Sends `text` (text/plain; charset=UTF-8) from `account`, or straight to `target` without one. */
  async send(account: Account | undefined, target: SipUri, text: string): Promise<ExchangeOutcome> {
    const body = new TextEncoder().encode(text);
    if (body.length > this.#limits.maxBodyBytes)
      return {
        ok: false,
        failure: messageFailure(
          'too-large',
          null,
          `${body.length} bytes is over the ${this.#limits.maxBodyBytes} a message may carry`,
        ),
      };
    const key = this.#key(account, target);
    const outcome = await this.#exchange(account, target, body, `${TEXT_PLAIN};charset=UTF-8`);
    this.#composer.messageSent(key);
    // 200 means the peer (or a server for it) took it now; 202 a store that will deliver it later (RFC 3428 §7).
    if (outcome.ok && outcome.status === 200) this.#remember(key);
    return outcome;
  }

  /** Our typing state towards `target` (see the class comment for who hears it). */
  setComposing(account: Account | undefined, target: SipUri, state: 'active' | 'idle'): void {
    if (this.#disposed) return;
    const key = this.#key(account, target);
    if (state === 'active' && !this.#known.has(key)) return;
    this.#composer.set(key, { account, target }, state);
  }

  /** The one handler for incoming text; it is called synchronously and its verdict is the SIP response. */
  setIncomingHandler(handler: ((message: ReceivedMessage) => ReceivedVerdict) | undefined): void {
    this.#handler = handler;
  }

  onComposing(listener: (indication: ReceivedComposing) => void): () => void {
    this.#composingListeners.add(listener);
    return () => this.#composingListeners.delete(listener);
  }

  /** Stops the composing timers; every message still in flight ends failed at once. */
  dispose(): void {
    this.#disposed = true;
    this.#composer.dispose();
    this.#receiver.dispose();
    for (const end of [...this.#pending])
      end({ ok: false, failure: messageFailure('failed', null, 'the engine stopped before an answer came') });
    this.#pending.clear();
  }

  // ── sending ────────────────────────────────────────────────────────────────────────────────────────────────

  async #exchange(
    account: Account | undefined,
    target: SipUri,
    body: Uint8Array,
    contentType: string,
  ): Promise<ExchangeOutcome> {
    if (this.#disposed)
      return { ok: false, failure: messageFailure('failed', null, 'the engine is stopping') };
    if (this.#pending.size >= this.#limits.maxInFlight)
      return {
        ok: false,
        failure: messageFailure(
          'failed',
          null,
          `${this.#limits.maxInFlight} messages are waiting for an answer already`,
        ),
      };
    const host = this.#host;
    let end: (outcome: ExchangeOutcome) => void = () => undefined;
    const stopped = new Promise<ExchangeOutcome>((resolve) => (end = resolve));
    this.#pending.add(end);
    try {
      return await Promise.race([
        exchangeMessage(
          {
            sender: host.sender,
            random: host.random,
            resolver: host.resolver,
            carries: host.carries,
          },
          this.#senderFor(account, target),
          {
            target,
            body,
            contentType,
            // RFC 3261 §20.17: a server that keeps the message for later delivers it with the time we wrote it.
            headers: [['Date', formatSipDate(host.clock.wallTime())]],
          },
        ),
        stopped,
      ]);
    } finally {
      this.#pending.delete(end);
    }
  }

  #senderFor(account: Account | undefined, target: SipUri): MessageSender {
    if (account) {
      const config = account.config;
      return {
        requests: account.requests,
        credentials: { username: config.authUser ?? config.aor.user ?? '', password: config.password },
        transport: config.transport,
        ...(config.outboundProxy ? { outboundProxy: config.outboundProxy } : {}),
      };
    }
    const local = this.#host.localAddress();
    const aor: SipUri = {
      scheme: 'sip',
      user: 'anonymous',
      host: local.host,
      port: local.port,
      params: new Map(),
      headers: new Map(),
    };
    return { requests: this.#host.requestsFor({ aor }), transport: transportFor(target, 'udp') };
  }

  async #sendComposing(peer: Peer, state: 'active' | 'idle', refreshSeconds: number): Promise<void> {
    const body = new TextEncoder().encode(buildIsComposing(state, refreshSeconds));
    const outcome = await this.#exchange(peer.account, peer.target, body, IS_COMPOSING);
    if (!outcome.ok || outcome.status !== 200) {
      // Stored for later, refused or lost: this peer hears no more of our typing until text passes again.
      const key = this.#key(peer.account, peer.target);
      this.#known.delete(key);
      this.#composer.forget(key);
      this.#logger.log('debug', 'is-composing not delivered', {
        to: formatUri(peer.target),
        outcome: outcome.ok ? outcome.status : outcome.failure.reason,
      });
    }
  }

  // ── receiving ──────────────────────────────────────────────────────────────────────────────────────────────

  #receive(request: SipRequest, transaction: ServerTransactionHandle): void {
    const host = this.#host;
    const read = readIncomingMessage(request, host.clock.wallTime(), this.#limits.maxBodyBytes);
    if (read.kind === 'refuse') {
      this.#respond(request, transaction, read.status, read.reason, read.headers);
      return;
    }
    const account = this.#accountFor(request);
    const key = conversationKey(account, read.peerKey);
    if (read.kind === 'composing') {
      const peer: ReceivedComposing = { account, from: read.from, state: read.indication.state };
      this.#receiver.indication(key, peer, read.indication.state, read.indication.refreshSeconds);
      this.#respond(request, transaction, 200);
      return;
    }
    const handler = this.#handler;
    if (handler === undefined || this.#disposed) {
      this.#respond(request, transaction, 480, 'Temporarily Unavailable (no message store)');
      return;
    }
    let verdict: ReceivedVerdict;
    try {
      verdict = handler({
        account,
        from: read.from,
        fromName: read.fromName,
        body: read.body,
        date: read.date,
        receivedAt: host.clock.wallTime(),
        dedupeKey: read.dedupeKey,
      });
    } catch (error) {
      this.#logger.log('error', 'the message handler failed', { error: messageOf(error) });
      verdict = { kind: 'failed', detail: messageOf(error) };
    }
    switch (verdict.kind) {
      case 'stored':
        this.#respond(request, transaction, 200);
        // §3.3 of RFC 3994: their text ends their composing; and they may now hear ours.
        this.#receiver.message(key);
        this.#remember(key);
        return;
      case 'failed':
        this.#respond(request, transaction, 500, 'Server Internal Error (the message could not be kept)');
        return;
      case 'refused': {
        const status =
          Number.isInteger(verdict.status) && verdict.status >= 300 && verdict.status < 700
            ? verdict.status
            : 500;
        this.#respond(request, transaction, status, verdict.reason);
        return;
      }
    }
  }

  /**
   * The account a MESSAGE came to: the one whose address of record the To names (a proxy leaves To alone), else the
   * one the Request-URI names by user and host, else by user alone (the Request-URI is then our Contact, which
   * carries the account's user). Undefined when none matches: a message straight to our address.
   */
  #accountFor(request: SipRequest): Account | undefined {
    const accounts = this.#host.accounts();
    if (accounts.length === 0) return undefined;
    const to = request.tryTo();
    const toUri = to.ok && isSipUri(to.value.uri) ? to.value.uri : undefined;
    const requestUri = isSipUri(request.requestUri) ? request.requestUri : undefined;
    const sameAddress = (uri: SipUri | undefined) => (account: Account) =>
      uri !== undefined &&
      uri.user === account.config.aor.user &&
      uri.host.toLowerCase() === account.config.aor.host.toLowerCase();
    return (
      accounts.find(sameAddress(toUri)) ??
      accounts.find(sameAddress(requestUri)) ??
      (requestUri?.user === undefined
        ? undefined
        : accounts.find((account) => account.config.aor.user === requestUri.user))
    );
  }

  #respond(
    request: SipRequest,
    transaction: ServerTransactionHandle,
    status: number,
    reason?: string,
    headers?: ReadonlyArray<readonly [string, string]>,
  ): void {
    transaction.respond(
      createResponse(request, status, {
        toTag: this.#host.random.token(10),
        ...(reason ? { reason: printableReason(reason) } : {}),
        ...(headers ? { headers } : {}),
      }),
    );
  }

  #emitComposing(indication: ReceivedComposing): void {
    for (const listener of [...this.#composingListeners]) {
      try {
        listener(indication);
      } catch (error) {
        this.#logger.log('error', 'a composing listener failed', { error: messageOf(error) });
      }
    }
  }

  #key(account: Account | undefined, target: SipUri): string {
    // A SIP URI always has a peer key; the fallback only satisfies the type.
    return conversationKey(account, peerKeyOf(target) ?? formatUri(target));
  }

  #remember(key: string): void {
    this.#known.delete(key);
    this.#known.add(key);
    while (this.#known.size > this.#limits.maxKnownPeers) {
      const oldest = this.#known.values().next().value as string;
      this.#known.delete(oldest);
    }
  }
}

/**
 * One conversation: our identity and who the peer is by RFC 3261 §19.1.4 (peer-key.ts), so `sip:bob@Example.com` and
 * `sip:bob@example.com` share a composing machine and a place among the peers who may hear our typing.
 */
function conversationKey(account: Account | undefined, peerKey: string): string {
  return `${account ? account.id : 'direct'}|${peerKey}`;
}

/** A reason phrase from the handler goes on the wire: no control characters, and not longer than a line needs. */
function printableReason(reason: string): string {
  const clean = printable(reason).trim().slice(0, 100);
  return clean === '' ? 'Refused' : clean;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
