// RFC 6665 §4.1: one subscription as the subscriber holds it — the SUBSCRIBE with Event, Accept and Expires, its 2xx,
// NOTIFYs that may come before the 2xx and create the dialog themselves (§4.1.2.4), forked NOTIFYs with other To
// tags that each make a dialog of their own, refreshes ahead of expiry on the shared Refresher (§4.1.2.1), the
// Subscription-State of every NOTIFY (§4.1.3, with afterTermination deciding what a termination asks of us), digest
// challenges (RFC 3261 §22), 423 Min-Expires (§4.1.2.1 via RFC 3261 §21.4.17) and unsubscribing with Expires: 0
// (§4.1.2.3). The body of each NOTIFY goes to the listeners as it came: the package (presence, watcher-info) reads it.
//
// Timer N (§4.1.2.4): a 2xx with no NOTIFY within 64*T1 means the notifier never set the subscription up; we drop
// it and subscribe afresh after a backoff. A NOTIFY whose Subscription-State `expires` is below what the 2xx granted
// shortens the subscription (§4.1.2.2, §4.2.1.4 let the notifier do so): the refresh moves forward to 90 % of it, so
// the notifier never has to end the subscription with reason=timeout. One that comes while our SUBSCRIBE is still
// unanswered (it may overtake the 2xx) is remembered and applied once the 2xx has set the refresh.
import type { Clock, TimerHandle } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { Random } from '../platform/random';
import type { DigestAuthenticator } from '../sip/auth/authenticator';
import { type DialogState, createUacDialog, createUasDialog, stepDialog } from '../sip/dialog/dialog';
import type { DialogId } from '../sip/dialog/dialog-id';
import type { DialogSet } from '../sip/dialog/dialog-set';
import { buildInDialogRequest } from '../sip/dialog/in-dialog-request';
import { createResponse } from '../sip/message/builders';
import type { SipRequest, SipResponse } from '../sip/message/message';
import type { NameAddr } from '../sip/message/name-addr';
import type { SubscriptionState as SubscriptionStateHeader } from '../sip/message/typed-headers';
import { type SipUri, formatUri } from '../sip/message/uri';
import { isSynthesizedResponse } from '../sip/transaction/client-transaction';
import type { Destination } from '../sip/transport/types';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelayFor } from '../ua/backoff';
import { type Exchange, Refresher } from '../ua/refresher';
import type { RequestFactory, RequestSequence } from '../ua/request-factory';
import type { RequestSender } from '../ua/request-sender';
import type { ServerTransactionHandle } from '../ua/uas-core';
import {
  type SubscriptionState,
  type TerminatedReason,
  afterTermination,
  canTransition,
  isLive,
} from './subscription-state';

export interface SubscriptionSpec {
  /** Whom we watch: the Request-URI and To of the SUBSCRIBE. */
  readonly target: SipUri;
  /** The event package, lower case (`presence`, `presence.winfo`). */
  readonly event: string;
  /** Body types we take in NOTIFYs (RFC 6665 §4.1.2: Accept; the package's default when empty). */
  readonly accept: readonly string[];
  /** Requested lifetime in seconds (§4.1.2.1). */
  readonly expires: number;
  /**
   * Option tags this subscription needs (`eventlist`, RFC 4662 §4.1): SubscriptionUsage makes the agent support them,
   * so they are in the initial SUBSCRIBE's Supported and accepted in NOTIFYs' Require; refreshes name them too.
   */
  readonly supported?: readonly string[];
}

export interface SubscriptionDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly sender: RequestSender;
  readonly requests: RequestFactory;
  /** The agent's dialogs: ours go in, so in-dialog requests for them pass the UAS core. */
  readonly dialogs: DialogSet;
  readonly authenticator: DigestAuthenticator;
  /** Where the initial SUBSCRIBE goes (the outbound proxy, or the target's domain). */
  readonly resolveDestination: () => Promise<Destination>;
  /** Where a request inside `dialog` goes (its first route, or the remote target). */
  readonly resolveDialogDestination: (dialog: DialogState) => Promise<Destination>;
  /** Routes NOTIFYs with this Call-ID and To tag here from now on; returns the way to stop. */
  readonly claim: (callId: string, localTag: string) => () => void;
  /** Forked dialogs kept per subscription; further forks are refused with 481 (§4.1.2.4 allows that). */
  readonly maxDialogs: number;
  readonly backoff?: BackoffPolicy;
  readonly logger?: Logger;
}

export interface Notification {
  /** The Subscription-State the NOTIFY carried. */
  readonly state: SubscriptionStateHeader;
  readonly body: Uint8Array;
  readonly contentType?: string;
  /** Which dialog (fork) it came in: the notifier's tag. */
  readonly remoteTag: string;
}

type StateListener = (state: SubscriptionState, previous: SubscriptionState) => void;
type NotifyListener = (notification: Notification) => void;

/** 423 answers we follow in a row before giving up (a server raising Min-Expires for ever). */
const MAX_INTERVAL_RETRIES = 2;
/** Immediate re-subscriptions allowed within QUICK_RESTART_WINDOW_MS before the backoff slows them down. */
const MAX_QUICK_RESTARTS = 3;
const QUICK_RESTART_WINDOW_MS = 60_000;
/** The share of a notifier's remaining lifetime a planned refresh must leave before it; less, and it moves. */
const NOTIFIER_MARGIN = 0.05;
/** Timer N, 64*T1 with T1 at its default 500 ms (RFC 6665 §4.1.2.4). */
export const TIMER_N_MS = 32_000;

export class Subscription {
  readonly spec: SubscriptionSpec;
  readonly #deps: SubscriptionDeps;
  readonly #refresher: Refresher;
  readonly #stateListeners = new Set<StateListener>();
  readonly #notifyListeners = new Set<NotifyListener>();
  #state: SubscriptionState = { name: 'idle' };
  /** The current would-be dialog set: one Call-ID and our From tag, until a fresh subscription replaces them. */
  #sequence: RequestSequence | undefined;
  #localTag = '';
  #release: (() => void) | undefined;
  /** The last initial SUBSCRIBE sent: a NOTIFY that comes before its 2xx builds the dialog from it. */
  #initial: SipRequest | undefined;
  #contact: NameAddr | undefined;
  #requestedExpires: number;
  #intervalRetries = 0;
  /** The notifier's Subscription-State per dialog, by remote tag. */
  readonly #forks = new Map<string, { id: DialogId; state: 'active' | 'pending' }>();
  #retryTimer: TimerHandle | undefined;
  /** Timer N: pending between the 2xx to the initial SUBSCRIBE and the first NOTIFY. */
  #timerN: TimerHandle | undefined;
  /** A NOTIFY has come for the current initial SUBSCRIBE. */
  #notified = false;
  readonly #quickRestarts: number[] = [];
  #unsubscribeWaiters: Array<() => void> = [];
  /** When the notifier said the subscription ends (clock ms), heard since our last SUBSCRIBE went out. */
  #notifierDeadline: number | undefined;
  #unsubscribeGuard: TimerHandle | undefined;

  constructor(spec: SubscriptionSpec, deps: SubscriptionDeps) {
    this.spec = spec;
    this.#deps = deps;
    this.#requestedExpires = spec.expires;
    this.#refresher = new Refresher({
      clock: deps.clock,
      random: deps.random,
      policy: { backoff: deps.backoff ?? DEFAULT_BACKOFF },
      send: (exchange) => void this.#send(exchange),
    });
  }

  get state(): SubscriptionState {
    return this.#state;
  }

  /** The dialogs (forks) this subscription holds now. */
  get dialogCount(): number {
    return this.#forks.size;
  }

  onStateChanged(listener: StateListener): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  onNotify(listener: NotifyListener): () => void {
    this.#notifyListeners.add(listener);
    return () => this.#notifyListeners.delete(listener);
  }

  /** Subscribes (or subscribes afresh, after a termination or to recover after a re-registration). */
  subscribe(): void {
    if (this.#state.name === 'unsubscribing') return;
    this.#clearRetry();
    this.#intervalRetries = 0;
    this.#requestedExpires = this.spec.expires;
    this.#dropDialogs();
    this.#refresher.start();
  }

  /**
   * Ends the subscription with Expires: 0 in each dialog (§4.1.2.3) and resolves once every one answered or the
   * terminating NOTIFY came, after `timeoutMs` at the latest so quitting never hangs.
   */
  unsubscribe(timeoutMs = 4_000): Promise<void> {
    this.#clearRetry();
    const generation = this.#refresher.stop();
    if (this.#state.name === 'unsubscribing')
      return new Promise((resolve) => this.#unsubscribeWaiters.push(resolve));
    const dialogs = this.#liveDialogs();
    if (dialogs.length === 0) {
      this.#finish('unsubscribed', 'unsubscribed');
      return Promise.resolve();
    }
    this.#transition({ name: 'unsubscribing' });
    const done = new Promise<void>((resolve) => this.#unsubscribeWaiters.push(resolve));
    this.#unsubscribeGuard = this.#deps.clock.setTimer(timeoutMs, () => this.#finishUnsubscribe());
    let open = dialogs.length;
    for (const dialog of dialogs) {
      void this.#sendInDialog(dialog.id, 0, generation, (response) => {
        if (response !== undefined && (response.status === 401 || response.status === 407))
          return 'retry-auth';
        open--;
        if (open === 0) this.#finishUnsubscribe();
        return 'done';
      });
    }
    return done;
  }

  /** Stops timers and forgets dialogs without sending anything (process exit after unsubscribe, tests). */
  dispose(): void {
    this.#clearRetry();
    this.#refresher.stop();
    this.#deps.clock.clearTimer(this.#unsubscribeGuard);
    this.#dropDialogs();
    this.#release?.();
    this.#release = undefined;
  }

  /** A NOTIFY routed here by its Call-ID and To tag (the router checked the package). */
  receiveNotify(request: SipRequest, transaction: ServerTransactionHandle): void {
    const respond = (status: number, reason?: string): void =>
      transaction.respond(createResponse(request, status, reason !== undefined ? { reason } : {}));
    const event = request.event;
    // §4.1.3 matches the Event's id too: a NOTIFY for another subscription in this dialog set is not ours.
    if (!event || event.event !== this.spec.event || event.id !== undefined) {
      respond(481);
      return;
    }
    const subscriptionState = request.subscriptionState;
    if (!subscriptionState) {
      // §8.2.3: Subscription-State is mandatory in NOTIFY.
      respond(400, 'Bad Request (missing or malformed Subscription-State)');
      return;
    }
    const from = request.tryFrom();
    const callId = request.tryCallId();
    if (!from.ok || !callId.ok) {
      respond(400);
      return;
    }
    const remoteTag = from.value.tag ?? '';
    const id: DialogId = { callId: callId.value, localTag: this.#localTag, remoteTag };
    const known = this.#deps.dialogs.get(id);
    if (known) {
      const step = stepDialog(known, { kind: 'request', request });
      const reject = step.actions.find((action) => action.kind === 'reject');
      if (reject?.kind === 'reject') {
        respond(reject.status, reject.reason);
        return;
      }
      this.#deps.dialogs.update(step.state);
    } else {
      const waitingForDialogs =
        this.#initial !== undefined &&
        (this.#state.name === 'subscribing' ||
          this.#state.name === 'pending' ||
          this.#state.name === 'active');
      if (!waitingForDialogs) {
        respond(481);
        return;
      }
      if (subscriptionState.state !== 'terminated') {
        if (this.#forks.size >= this.#deps.maxDialogs) {
          respond(481, 'Subscription does not exist (too many forks)');
          return;
        }
        // §4.1.2.4: the NOTIFY creates the dialog; we are the UAC of the SUBSCRIBE, but the dialog is built from
        // the NOTIFY as a UAS builds it from a request (its Record-Route in order, its Contact as target).
        const created = createUasDialog(request, {
          status: 200,
          localTag: this.#localTag,
          firstLocalCSeq: this.#initial!.cseq.seq + 1,
        });
        if (!created.ok) {
          respond(400, `Bad Request (${created.error.reason.slice(0, 80)})`);
          return;
        }
        if (!this.#deps.dialogs.update(created.value)) {
          respond(481, 'Subscription does not exist (too many forks)');
          return;
        }
      }
    }
    respond(200);
    this.#notified = true;
    this.#deps.clock.clearTimer(this.#timerN);
    this.#timerN = undefined;
    this.#apply(id, subscriptionState);
    const contentType = request.header('content-type');
    const notification: Notification = {
      state: subscriptionState,
      body: request.body,
      remoteTag,
      ...(contentType !== undefined ? { contentType } : {}),
    };
    for (const listener of this.#notifyListeners) listener(notification);
  }

  #apply(id: DialogId, header: SubscriptionStateHeader): void {
    if (header.state === 'terminated') {
      this.#forks.delete(id.remoteTag);
      this.#deps.dialogs.remove(id);
      if (this.#forks.size > 0) return;
      if (this.#state.name === 'unsubscribing') {
        this.#finishUnsubscribe();
        return;
      }
      this.#terminatedByNotifier(header);
      return;
    }
    // §4.1.3: an unknown state is not defined; we take it as pending (nothing promised yet).
    const state = header.state === 'active' ? 'active' : 'pending';
    this.#forks.set(id.remoteTag, { id, state });
    if (header.expires !== undefined) this.#notifierExpires(header.expires);
    if (this.#state.name === 'unsubscribing') return;
    const anyActive = [...this.#forks.values()].some((fork) => fork.state === 'active');
    this.#transition(anyActive ? { name: 'active' } : { name: 'pending' });
  }

  #terminatedByNotifier(header: SubscriptionStateHeader): void {
    const reason = header.reason?.toLowerCase();
    const next = afterTermination(reason, header.retryAfter);
    const detail = `terminated${reason ? `;reason=${reason}` : ''}`;
    switch (next.kind) {
      case 'stop':
        this.#finish(next.reason, detail);
        return;
      case 'resubscribe-after':
        this.#waitThenSubscribe(next.seconds * 1000, detail);
        return;
      case 'resubscribe-now': {
        const now = this.#deps.clock.now();
        while (this.#quickRestarts.length > 0 && now - this.#quickRestarts[0]! > QUICK_RESTART_WINDOW_MS)
          this.#quickRestarts.shift();
        if (this.#quickRestarts.length >= MAX_QUICK_RESTARTS) {
          // A notifier that ends every subscription at once would have us loop: slow down as after a failure.
          const delay = backoffDelayFor(
            this.#deps.backoff ?? DEFAULT_BACKOFF,
            this.#quickRestarts.length,
            this.#deps.random.fraction(),
          );
          this.#waitThenSubscribe(delay, `${detail} (again)`);
          return;
        }
        this.#quickRestarts.push(now);
        this.#refresher.start();
        return;
      }
    }
  }

  #waitThenSubscribe(delayMs: number, detail: string): void {
    this.#refresher.stop();
    this.#dropDialogs();
    this.#clearRetry();
    this.#transition({ name: 'waiting', retryInMs: delayMs, detail });
    this.#retryTimer = this.#deps.clock.setTimer(delayMs, () => {
      this.#retryTimer = undefined;
      this.#refresher.start();
    });
  }

  async #send(exchange: Exchange): Promise<void> {
    const generation = exchange.generation;
    this.#notifierDeadline = undefined;
    const dialogs = this.#liveDialogs();
    if (exchange.cause !== 'start' && dialogs.length > 0) {
      for (const dialog of dialogs) {
        void this.#sendInDialog(dialog.id, this.#requestedExpires, generation, (response) =>
          this.#onRefreshFinal(dialog.id, response, generation),
        );
      }
      return;
    }
    // A fresh subscription: a new Call-ID and From tag, so nothing of an earlier one can be mistaken for it.
    this.#dropDialogs();
    this.#release?.();
    const sequence = this.#deps.requests.sequence();
    this.#sequence = sequence;
    this.#localTag = this.#deps.requests.newTag();
    this.#release = this.#deps.claim(sequence.callId, this.#localTag);
    this.#initial = undefined;
    this.#notified = false;
    this.#transition({ name: 'subscribing', attempt: exchange.attempt });
    let destination: Destination;
    try {
      destination = await this.#deps.resolveDestination();
    } catch (error) {
      if (this.#refresher.isCurrent(generation))
        this.#retryLater(generation, `cannot resolve: ${messageOf(error)}`);
      return;
    }
    if (!this.#refresher.isCurrent(generation)) return;
    try {
      this.#sendInitial(destination, generation);
    } catch (error) {
      this.#retryLater(generation, `cannot send SUBSCRIBE: ${messageOf(error)}`);
    }
  }

  #sendInitial(destination: Destination, generation: number): void {
    const request = this.#sequence!.next(destination, {
      method: 'SUBSCRIBE',
      requestUri: this.spec.target,
      contact: true,
      fromTag: this.#localTag,
      headers: this.#headers(this.#requestedExpires),
    });
    for (const header of this.#deps.authenticator.authorize({
      method: 'SUBSCRIBE',
      uri: formatUri(this.spec.target),
    }))
      request.addHeader(header.name, header.value);
    this.#initial = request;
    this.#contact = request.contact[0];
    this.#deps.sender.sendRequest(request, destination, {
      onFinal: (response) => {
        if (!this.#refresher.isCurrent(generation) || this.#initial !== request) return;
        this.#guard(generation, () => this.#onInitialFinal(request, response, destination, generation));
      },
    });
  }

  /** `inDialog`: requests in a dialog get no Supported from the request factory, so the spec's go in here. */
  #headers(expires: number, inDialog = false): Array<readonly [string, string]> {
    const headers: Array<readonly [string, string]> = [['Event', this.spec.event]];
    if (this.spec.accept.length > 0) headers.push(['Accept', this.spec.accept.join(', ')]);
    // Refreshes carry the option tags too (RFC 4662 §4.1); the initial SUBSCRIBE has them from the agent's Supported.
    if (inDialog && this.spec.supported && this.spec.supported.length > 0)
      headers.push(['Supported', this.spec.supported.join(', ')]);
    headers.push(['Expires', String(expires)]);
    return headers;
  }

  #onInitialFinal(
    request: SipRequest,
    response: SipResponse,
    destination: Destination,
    generation: number,
  ): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#deps.authenticator.noteSuccess();
      this.#intervalRetries = 0;
      // A NOTIFY may have made this dialog already (§4.1.2.4); otherwise the 2xx does (§4.1.2.1).
      if (!this.#deps.dialogs.findForResponse(response) && this.#forks.size < this.#deps.maxDialogs) {
        const created = createUacDialog(request, response);
        if (created.ok && this.#deps.dialogs.update(created.value))
          this.#forks.set(created.value.id.remoteTag, { id: created.value.id, state: 'pending' });
      }
      const expires = response.tryExpires();
      const granted =
        expires.ok && expires.value !== undefined && expires.value > 0
          ? expires.value
          : this.#requestedExpires;
      this.#refresher.succeeded(generation, granted);
      this.#applyNotifierDeadline();
      if (!this.#notified) this.#startTimerN(generation);
      return;
    }
    if (status === 401 || status === 407) {
      if (this.#answerChallenge(response)) this.#sendInitial(destination, generation);
      return;
    }
    if (status === 423 && this.#raiseExpires(response)) {
      this.#sendInitial(destination, generation);
      return;
    }
    this.#failed(response, generation);
  }

  #onRefreshFinal(
    id: DialogId,
    response: SipResponse | undefined,
    generation: number,
  ): 'done' | 'retry-auth' {
    if (!this.#refresher.isCurrent(generation)) return 'done';
    if (response === undefined) {
      // The dialog's target cannot be reached from here (a name we cannot resolve, a transport gone): this dialog
      // is of no more use; a fresh subscription goes the way the first one went.
      this.#dropDialog(id);
      return 'done';
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      const dialog = this.#deps.dialogs.get(id);
      if (dialog) this.#deps.dialogs.update(stepDialog(dialog, { kind: 'response', response }).state);
      this.#deps.authenticator.noteSuccess();
      const expires = response.tryExpires();
      const granted =
        expires.ok && expires.value !== undefined && expires.value > 0
          ? expires.value
          : this.#requestedExpires;
      this.#refresher.succeeded(generation, granted);
      this.#applyNotifierDeadline();
      return 'done';
    }
    if (status === 401 || status === 407) return this.#answerChallenge(response) ? 'retry-auth' : 'done';
    if (status === 423 && this.#raiseExpires(response)) {
      void this.#sendInDialog(id, this.#requestedExpires, generation, (next) =>
        this.#onRefreshFinal(id, next, generation),
      );
      return 'done';
    }
    if (status === 481 || (status === 408 && !isSynthesizedResponse(response))) {
      // §4.1.2.2 (and RFC 3261 §12.2.1.2): the notifier has lost this dialog.
      this.#dropDialog(id);
      return 'done';
    }
    // The subscription still stands until it expires; the refresher tries again with backoff.
    this.#refresher.failed(generation, true);
    return 'done';
  }

  /** §4.1.2.2: the notifier may end the subscription sooner than the 2xx said; our refresh must come before that. */
  #notifierExpires(seconds: number): void {
    const deadline = this.#deps.clock.now() + seconds * 1000;
    if (this.#notifierDeadline === undefined || deadline < this.#notifierDeadline)
      this.#notifierDeadline = deadline;
    this.#applyNotifierDeadline();
  }

  #applyNotifierDeadline(): void {
    if (this.#notifierDeadline === undefined) return;
    const remainingMs = Math.max(0, this.#notifierDeadline - this.#deps.clock.now());
    const planned = this.#refresher.nextInMs;
    // Notifiers count the lifetime down in whole seconds (599 just after granting 600): a refresh planned with a
    // margin of NOTIFIER_MARGIN of what is left is early enough, and moving it would only cost a log line per NOTIFY.
    if (planned !== undefined && planned <= remainingMs * (1 - NOTIFIER_MARGIN)) return;
    const remaining = remainingMs / 1000;
    if (this.#refresher.expiresSooner(remaining))
      this.#log('info', 'the notifier shortened the subscription: refreshing sooner', { seconds: remaining });
  }

  /** Forgets one dialog; without any left, the subscription starts afresh. */
  #dropDialog(id: DialogId): void {
    this.#forks.delete(id.remoteTag);
    this.#deps.dialogs.remove(id);
    if (this.#forks.size === 0) this.#refresher.start();
  }

  /**
   * Sends SUBSCRIBE inside one dialog; `onFinal` says whether to send it again with credentials (one retry per
   * challenge the authenticator accepts). It hears `undefined` when the request could not be sent at all, so no
   * caller is left waiting for an answer that cannot come.
   */
  async #sendInDialog(
    id: DialogId,
    expires: number,
    generation: number,
    onFinal: (response: SipResponse | undefined) => 'done' | 'retry-auth',
  ): Promise<void> {
    const dialog = this.#deps.dialogs.get(id);
    if (!dialog || !this.#contact) {
      onFinal(undefined);
      return;
    }
    const built = buildInDialogRequest(dialog, {
      method: 'SUBSCRIBE',
      contact: this.#contact,
      headers: this.#headers(expires, true),
    });
    if (!built.ok) {
      onFinal(undefined);
      return;
    }
    this.#deps.dialogs.update(built.value.state);
    const request = built.value.request;
    for (const header of this.#deps.authenticator.authorize({
      method: 'SUBSCRIBE',
      uri: formatUri(request.requestUri),
    }))
      request.addHeader(header.name, header.value);
    let destination: Destination;
    try {
      destination = await this.#deps.resolveDialogDestination(dialog);
    } catch (error) {
      this.#log('warn', 'cannot resolve the dialog target', { error: messageOf(error) });
      onFinal(undefined);
      return;
    }
    const listener = {
      onFinal: (response: SipResponse): void => {
        let next: 'done' | 'retry-auth' = 'done';
        try {
          next = onFinal(response);
        } catch (error) {
          this.#log('warn', 'could not process a response to SUBSCRIBE', { error: messageOf(error) });
        }
        if (next === 'retry-auth') void this.#sendInDialog(id, expires, generation, onFinal);
      },
    };
    try {
      this.#deps.sender.sendRequest(request, destination, listener);
    } catch (error) {
      this.#log('warn', 'cannot send SUBSCRIBE in the dialog', { error: messageOf(error) });
      onFinal(undefined);
    }
  }

  #answerChallenge(response: SipResponse): boolean {
    const challenges = response.status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
    const outcome = this.#deps.authenticator.handleChallenge({
      status: response.status as 401 | 407,
      challenges,
    });
    if (outcome.action === 'retry') return true;
    if (this.#state.name === 'unsubscribing') return false;
    const reason: TerminatedReason =
      outcome.reason === 'bad-credentials' ? 'bad-credentials' : 'unsupported-challenge';
    this.#finish(reason, `${response.status} ${response.reason}`.trim(), response.status);
    return false;
  }

  /** RFC 3261 §21.4.17 as RFC 6665 §4.1.2.1 uses it: ask again with at least Min-Expires, a bounded number of times. */
  #raiseExpires(response: SipResponse): boolean {
    const minimum = response.tryMinExpires();
    if (!minimum.ok || minimum.value === undefined || minimum.value <= this.#requestedExpires) return false;
    if (this.#intervalRetries >= MAX_INTERVAL_RETRIES) return false;
    this.#intervalRetries++;
    this.#requestedExpires = minimum.value;
    return true;
  }

  /** A final failure to the initial SUBSCRIBE: some are worth a retry, the others end the subscription. */
  #failed(response: SipResponse, generation: number): void {
    const status = response.status;
    const line = `${status} ${response.reason}`.trim();
    if (status === 489) {
      this.#finish('bad-event', line, status);
      return;
    }
    if (status === 423) {
      this.#finish(
        'interval-too-brief',
        `${line}: Min-Expires ${response.header('min-expires') ?? '(none)'}`,
        status,
      );
      return;
    }
    const temporary = status === 408 || status === 480 || status === 486 || (status >= 500 && status < 600);
    if (!temporary) {
      this.#finish('rejected', line, status);
      return;
    }
    // §4.1.2.1 ties nothing to a failed SUBSCRIBE; a Retry-After from the server sets the pace when it is longer.
    const retryAfter = response.retryAfter?.seconds;
    if (retryAfter !== undefined && retryAfter > 0) {
      this.#waitThenSubscribe(Math.min(retryAfter, 86_400) * 1000, line);
      return;
    }
    this.#retryLater(generation, line, status);
  }

  #retryLater(generation: number, detail: string, status?: number): void {
    this.#dropDialogs();
    const retryInMs = this.#refresher.failed(generation, true);
    if (retryInMs === undefined) return;
    this.#transition({ name: 'waiting', retryInMs, detail, ...(status !== undefined ? { status } : {}) });
  }

  #finish(reason: TerminatedReason, detail: string, status?: number): void {
    this.#refresher.stop();
    this.#clearRetry();
    this.#dropDialogs();
    this.#release?.();
    this.#release = undefined;
    this.#initial = undefined;
    if (this.#state.name === 'terminated' && this.#state.reason === reason) return;
    this.#transition({ name: 'terminated', reason, detail, ...(status !== undefined ? { status } : {}) });
  }

  #finishUnsubscribe(): void {
    if (this.#state.name !== 'unsubscribing') return;
    this.#deps.clock.clearTimer(this.#unsubscribeGuard);
    this.#unsubscribeGuard = undefined;
    this.#finish('unsubscribed', 'unsubscribed');
    for (const resolve of this.#unsubscribeWaiters.splice(0)) resolve();
  }

  #liveDialogs(): DialogState[] {
    const out: DialogState[] = [];
    for (const fork of this.#forks.values()) {
      const dialog = this.#deps.dialogs.get(fork.id);
      if (dialog) out.push(dialog);
    }
    return out;
  }

  #dropDialogs(): void {
    for (const fork of this.#forks.values()) this.#deps.dialogs.remove(fork.id);
    this.#forks.clear();
  }

  #startTimerN(generation: number): void {
    this.#deps.clock.clearTimer(this.#timerN);
    this.#timerN = this.#deps.clock.setTimer(TIMER_N_MS, () => {
      this.#timerN = undefined;
      if (this.#notified || !this.#refresher.isCurrent(generation)) return;
      const policy = this.#deps.backoff ?? DEFAULT_BACKOFF;
      this.#waitThenSubscribe(
        backoffDelayFor(policy, 1, this.#deps.random.fraction()),
        'no NOTIFY followed the 2xx (Timer N)',
      );
    });
  }

  /** Clears the retry timer and Timer N: whatever follows starts its own. */
  #clearRetry(): void {
    this.#deps.clock.clearTimer(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#deps.clock.clearTimer(this.#timerN);
    this.#timerN = undefined;
  }

  /** The last line behind a response handler: a surprise ends the exchange as a failure with a retry, never a hang. */
  #guard(generation: number, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.#log('warn', 'could not process a response to SUBSCRIBE', { error: messageOf(error) });
      if (this.#refresher.isCurrent(generation))
        this.#retryLater(generation, `unreadable response: ${messageOf(error)}`);
    }
  }

  #transition(next: SubscriptionState): void {
    const previous = this.#state;
    if (!canTransition(previous.name, next.name)) {
      this.#log('warn', 'subscription transition refused', { from: previous.name, to: next.name });
      return;
    }
    if (previous.name === next.name && (next.name === 'active' || next.name === 'pending')) return;
    this.#state = next;
    for (const listener of this.#stateListeners) listener(next, previous);
  }

  #log(level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void {
    (this.#deps.logger ?? silentLogger).log(level, message, {
      target: formatUri(this.spec.target),
      event: this.spec.event,
      ...fields,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { isLive };
