// Peer-to-peer presence (RFC 3856 §6, RFC 6665 §4.2): when the server takes no PUBLISH (489/501/405: the
// publication is `unsupported`), we answer SUBSCRIBEs for our own address-of-record ourselves, as the presence
// agent of one presentity. Our status comes from a PresenceSource — the PresencePublisher, which keeps the status a
// person set whether or not the server took it — so the two modes can never disagree.
//
// For each watcher (one dialog, made by our 200):
//
//   SUBSCRIBE ──► 200 (Expires: granted) + NOTIFY active;expires=N with our PIDF at once (§4.2.1.2)
//   status changes ──► NOTIFY active with the new PIDF (one NOTIFY in flight per dialog, §4.2.2; the newest
//                      state is sent when the previous one is answered)
//   SUBSCRIBE in the dialog ──► refresh: 200, the timer starts over, NOTIFY (§4.2.1.2)
//   SUBSCRIBE Expires: 0    ──► 200, NOTIFY terminated;reason=timeout, gone (§4.2.1.4)
//   the granted time passes ──► NOTIFY terminated;reason=timeout, gone (§4.2.2)
//   a NOTIFY answered with a failure (481, 408, any other) or that cannot be sent ──► gone (§4.2.2)
//   stop()                  ──► NOTIFY terminated;reason=deactivated with an offline PIDF to all (they may come back)
//
// Refused: a SUBSCRIBE in a dialog we do not hold (481), an Accept without PIDF (406), Expires below minExpires (423
// with Min-Expires), more than maxWatchers (503 with Retry-After), a Request-URI user that is none of ours (404).
// Other event packages never reach us: the UAS core answers them 489 with Allow-Events. Every watcher is allowed
// (there is no authorization policy without a server; RFC 3856 §6.6 leaves it to the presence agent).
//
// Several accounts on one user agent each have a notifier; the UAS core has one SUBSCRIBE handler per package, so
// the notifiers of one core share a router that picks by the Request-URI's user part (our Contact carries it too).
import type { Clock, TimerHandle } from '../platform/clock';
import { silentLogger } from '../platform/logger';
import type { Random } from '../platform/random';
import { type DialogState, createUasDialog, stepDialog } from '../sip/dialog/dialog';
import { dialogKey } from '../sip/dialog/dialog-id';
import { buildInDialogRequest } from '../sip/dialog/in-dialog-request';
import { createResponse } from '../sip/message/builders';
import type { SipRequest, SipResponse } from '../sip/message/message';
import { formatNameAddr } from '../sip/message/name-addr';
import { formatUri, isSipUri } from '../sip/message/uri';
import type { Destination } from '../sip/transport/types';
import { resolveNextHop } from '../ua/next-hop';
import type { ServerTransactionHandle, UasCore } from '../ua/uas-core';
import { type OwnPresence, buildPidf } from './pidf-builder';
import { PIDF_CONTENT_TYPE } from './pidf';
import type { PublicationState } from './publication';
import type { SubscriberAccount, SubscriptionHost } from './subscription-usage';

/** Where our status comes from: PresencePublisher is one. */
export interface PresenceSource {
  readonly current: OwnPresence | undefined;
  onPresence(listener: (presence: OwnPresence) => void): () => void;
}

export interface PresenceNotifierOptions {
  /** Watchers at once; the next one is told to come back later. */
  readonly maxWatchers?: number;
  /** Granted when a SUBSCRIBE names no Expires (RFC 3856 §6.4 suggests an hour). */
  readonly defaultExpires?: number;
  /** The longest we grant; a longer request is shortened in the 200 (RFC 6665 §4.2.1.1). */
  readonly maxExpires?: number;
  /** Shorter requests get 423 with this Min-Expires. */
  readonly minExpires?: number;
}

export const DEFAULT_NOTIFIER_OPTIONS: Required<PresenceNotifierOptions> = {
  maxWatchers: 200,
  defaultExpires: 3_600,
  maxExpires: 3_600,
  minExpires: 60,
};

/** Told to a watcher refused for want of room (RFC 3261 §21.5.4 with Retry-After). */
const FULL_RETRY_AFTER_SECONDS = 300;

export interface WatcherInfo {
  /** Who watches: the From URI of their SUBSCRIBE. */
  readonly uri: string;
  /** Milliseconds until their subscription expires unless refreshed. */
  readonly expiresInMs: number;
}

type Outgoing = { readonly kind: 'active' } | { readonly kind: 'terminated'; readonly reason: string };

interface Watcher {
  readonly key: string;
  readonly uri: string;
  readonly eventId: string | undefined;
  dialog: DialogState;
  expiresAt: number;
  timer: TimerHandle | undefined;
  inFlight: boolean;
  /** What to send once the NOTIFY in flight is answered (the newest state wins; a termination beats it). */
  next: Outgoing | undefined;
  /** Decided to end: no more SUBSCRIBEs taken in this dialog. */
  ending: boolean;
  /** Called once the last NOTIFY of this watcher is answered or failed. */
  onGone: (() => void) | undefined;
}

export class PresenceNotifier {
  readonly #host: SubscriptionHost;
  readonly #account: SubscriberAccount;
  readonly #source: PresenceSource;
  readonly #options: Required<PresenceNotifierOptions>;
  readonly #watchers = new Map<string, Watcher>();
  readonly #watcherListeners = new Set<(watchers: WatcherInfo[]) => void>();
  readonly #user: string;
  #stopSource: (() => void) | undefined;
  #running = false;

  constructor(
    host: SubscriptionHost,
    account: SubscriberAccount,
    source: PresenceSource,
    options: PresenceNotifierOptions = {},
  ) {
    this.#host = host;
    this.#account = account;
    this.#source = source;
    this.#options = { ...DEFAULT_NOTIFIER_OPTIONS, ...options };
    this.#user = account.requests.identity.aor.user ?? '';
  }

  get running(): boolean {
    return this.#running;
  }

  /** Who watches us now. */
  get watchers(): WatcherInfo[] {
    const now = this.#host.clock.now();
    return [...this.#watchers.values()]
      .filter((watcher) => !watcher.ending)
      .map((watcher) => ({ uri: watcher.uri, expiresInMs: Math.max(0, watcher.expiresAt - now) }));
  }

  /** Hears the watcher list after each change (one more, one gone), as `watchers` gives it. */
  onWatchers(listener: (watchers: WatcherInfo[]) => void): () => void {
    this.#watcherListeners.add(listener);
    return () => this.#watcherListeners.delete(listener);
  }

  /** Answers SUBSCRIBEs for our presence from now on, and tells every watcher each status change. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    routerOf(this.#host).add(this.#user, this);
    this.#stopSource = this.#source.onPresence(() => {
      for (const watcher of this.#watchers.values())
        if (!watcher.ending) this.#send(watcher, { kind: 'active' });
    });
  }

  /**
   * Ends every watcher's subscription with reason=deactivated (they may subscribe again later) and an offline
   * document, and takes no more SUBSCRIBEs. Resolves once each final NOTIFY is answered, after `timeoutMs` at most.
   */
  stop(timeoutMs = 4_000): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#running = false;
    routerOf(this.#host).remove(this.#user, this);
    this.#stopSource?.();
    this.#stopSource = undefined;
    const endings = [...this.#watchers.values()].map(
      (watcher) =>
        new Promise<void>((resolve) => {
          watcher.onGone = resolve;
          this.#end(watcher, 'deactivated');
        }),
    );
    if (endings.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const guard = this.#host.clock.setTimer(timeoutMs, () => {
        this.#dispose();
        resolve();
      });
      void Promise.all(endings).then(() => {
        this.#host.clock.clearTimer(guard);
        resolve();
      });
    });
  }

  /** A SUBSCRIBE for `presence` whose Request-URI names our user (the router checked both). */
  receiveSubscribe(request: SipRequest, transaction: ServerTransactionHandle): void {
    const toTag = request.tryTo();
    if (!toTag.ok) {
      transaction.respond(createResponse(request, 400, { reason: 'Bad Request (malformed To)' }));
      return;
    }
    if (toTag.value.tag !== undefined) this.#refresh(request, transaction);
    else this.#subscribe(request, transaction);
  }

  #subscribe(request: SipRequest, transaction: ServerTransactionHandle): void {
    const localTag = this.#host.random.token(10);
    const respond = (status: number, headers: Array<readonly [string, string]> = [], reason?: string): void =>
      transaction.respond(
        createResponse(request, status, { toTag: localTag, headers, ...(reason ? { reason } : {}) }),
      );
    if (!acceptsPidf(request.header('accept'))) {
      respond(406, [['Accept', PIDF_CONTENT_TYPE]]);
      return;
    }
    const expires = this.#grant(request, respond);
    if (expires === undefined) return;
    if (this.#watchers.size >= this.#options.maxWatchers) {
      respond(
        503,
        [['Retry-After', String(FULL_RETRY_AFTER_SECONDS)]],
        'Service Unavailable (too many watchers)',
      );
      return;
    }
    const created = createUasDialog(request, { status: 200, localTag });
    if (!created.ok) {
      respond(400, [], `Bad Request (${created.error.reason.slice(0, 80)})`);
      return;
    }
    const dialog = created.value;
    respond(200, [
      ['Expires', String(expires)],
      [
        'Contact',
        formatNameAddr(this.#account.requests.contact(replyDestination(transaction, this.#account))),
      ],
    ]);
    const watcher: Watcher = {
      key: dialogKey(dialog.id),
      uri: watcherUri(dialog),
      eventId: request.event?.id,
      dialog,
      expiresAt: 0,
      timer: undefined,
      inFlight: false,
      next: undefined,
      // A fetch (Expires: 0) is over as it starts: never a watcher to list.
      ending: expires === 0,
      onGone: undefined,
    };
    this.#watchers.set(watcher.key, watcher);
    if (expires === 0) {
      // §4.4.3 (a fetch): the state once, and the subscription ends with it.
      this.#end(watcher, 'timeout');
      return;
    }
    this.#arm(watcher, expires);
    this.#send(watcher, { kind: 'active' });
    this.#watchersChanged();
  }

  #refresh(request: SipRequest, transaction: ServerTransactionHandle): void {
    const respond = (status: number, headers: Array<readonly [string, string]> = [], reason?: string): void =>
      transaction.respond(createResponse(request, status, { headers, ...(reason ? { reason } : {}) }));
    const to = request.to;
    const from = request.from;
    const key = dialogKey({ callId: request.callId, localTag: to.tag ?? '', remoteTag: from.tag ?? '' });
    const watcher = this.#watchers.get(key);
    // §4.2.1.2 / RFC 3261 §12.2.2: no such subscription (or one that is ending), or another event id in the dialog.
    if (!watcher || watcher.ending || request.event?.id !== watcher.eventId) {
      respond(481);
      return;
    }
    const step = stepDialog(watcher.dialog, { kind: 'request', request });
    const reject = step.actions.find((action) => action.kind === 'reject');
    if (reject?.kind === 'reject') {
      respond(reject.status, [], reject.reason);
      return;
    }
    watcher.dialog = step.state;
    const expires = this.#grant(request, respond);
    if (expires === undefined) return;
    respond(200, [['Expires', String(expires)]]);
    if (expires === 0) {
      this.#end(watcher, 'timeout');
      return;
    }
    this.#arm(watcher, expires);
    this.#send(watcher, { kind: 'active' });
  }

  /** The lifetime to grant, or undefined once a refusal went out. */
  #grant(
    request: SipRequest,
    respond: (status: number, headers?: Array<readonly [string, string]>, reason?: string) => void,
  ): number | undefined {
    const asked = request.tryExpires();
    if (!asked.ok) {
      respond(400, [], 'Bad Request (malformed Expires)');
      return undefined;
    }
    const seconds = asked.value ?? this.#options.defaultExpires;
    if (seconds !== 0 && seconds < this.#options.minExpires) {
      respond(423, [['Min-Expires', String(this.#options.minExpires)]]);
      return undefined;
    }
    return Math.min(seconds, this.#options.maxExpires);
  }

  #arm(watcher: Watcher, seconds: number): void {
    const clock: Clock = this.#host.clock;
    clock.clearTimer(watcher.timer);
    watcher.expiresAt = clock.now() + seconds * 1000;
    watcher.timer = clock.setTimer(seconds * 1000, () => {
      watcher.timer = undefined;
      this.#end(watcher, 'timeout');
    });
  }

  #end(watcher: Watcher, reason: string): void {
    this.#host.clock.clearTimer(watcher.timer);
    watcher.timer = undefined;
    const was = watcher.ending;
    watcher.ending = true;
    this.#send(watcher, { kind: 'terminated', reason });
    if (!was) this.#watchersChanged();
  }

  /** Sends (or queues behind the NOTIFY in flight) one NOTIFY to `watcher`. */
  #send(watcher: Watcher, outgoing: Outgoing): void {
    if (watcher.inFlight) {
      if (watcher.next?.kind !== 'terminated') watcher.next = outgoing;
      return;
    }
    watcher.inFlight = true;
    void this.#notify(watcher, outgoing).catch((error: unknown) => {
      this.#log('cannot send NOTIFY', error);
      this.#forget(watcher);
    });
  }

  async #notify(watcher: Watcher, outgoing: Outgoing): Promise<void> {
    const now = this.#host.clock.now();
    const state =
      outgoing.kind === 'active'
        ? `active;expires=${Math.max(0, Math.ceil((watcher.expiresAt - now) / 1000))}`
        : `terminated;reason=${outgoing.reason}`;
    const offline = outgoing.kind === 'terminated' && outgoing.reason === 'deactivated';
    const body = new TextEncoder().encode(buildPidf(this.#presence(offline)));
    const hop = watcher.dialog.routeSet[0]?.uri ?? watcher.dialog.remoteTarget;
    if (!isSipUri(hop)) throw new Error('the watcher is not reachable by a SIP URI');
    const destination = await resolveNextHop(hop, undefined, this.#account.transport, this.#host.resolver);
    const built = buildInDialogRequest(watcher.dialog, {
      method: 'NOTIFY',
      contact: this.#account.requests.contact(destination),
      headers: [
        ['Event', watcher.eventId !== undefined ? `presence;id=${watcher.eventId}` : 'presence'],
        ['Subscription-State', state],
      ],
      body,
      contentType: PIDF_CONTENT_TYPE,
    });
    if (!built.ok) throw new Error(built.error.reason);
    watcher.dialog = built.value.state;
    this.#host.sender.sendRequest(built.value.request, destination, {
      onFinal: (response) => this.#answered(watcher, outgoing, response),
    });
  }

  #answered(watcher: Watcher, sent: Outgoing, response: SipResponse): void {
    watcher.inFlight = false;
    if (sent.kind === 'terminated' || response.status >= 300) {
      // §4.2.2: a failed NOTIFY (481 above all, or a timeout) ends the subscription; so does the last one.
      if (response.status >= 300) this.#log(`NOTIFY answered ${response.status}: the watcher is dropped`);
      this.#forget(watcher);
      return;
    }
    const next = watcher.next;
    watcher.next = undefined;
    if (next) this.#send(watcher, next);
  }

  #forget(watcher: Watcher): void {
    this.#host.clock.clearTimer(watcher.timer);
    watcher.timer = undefined;
    const was = watcher.ending;
    watcher.ending = true;
    if (this.#watchers.get(watcher.key) === watcher) this.#watchers.delete(watcher.key);
    const gone = watcher.onGone;
    watcher.onGone = undefined;
    gone?.();
    if (!was) this.#watchersChanged();
  }

  #watchersChanged(): void {
    if (this.#watcherListeners.size === 0) return;
    const watchers = this.watchers;
    for (const listener of this.#watcherListeners) listener(watchers);
  }

  #dispose(): void {
    for (const watcher of this.#watchers.values()) this.#host.clock.clearTimer(watcher.timer);
    this.#watchers.clear();
  }

  /** Our document now: the source's status, or closed when it has none yet (or we are going away). */
  #presence(offline: boolean): OwnPresence {
    const current = this.#source.current;
    if (current && !offline) return current;
    const aor = this.#account.requests.identity.aor;
    return {
      entity: current?.entity ?? formatUri({ ...aor, params: new Map(), headers: new Map() }),
      status: 'offline',
      timestamp: this.#host.clock.wallTime(),
      tupleId: current?.tupleId ?? 'tp2p',
      personId: current?.personId ?? 'pp2p',
    };
  }

  #log(message: string, error?: unknown): void {
    (this.#host.logger ?? silentLogger).log('warn', message, {
      presentity: this.#user,
      ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}),
    });
  }
}

/**
 * Starts `notifier` once `publication` turns out `unsupported` (the server answered PUBLISH 489, 501 or 405), so
 * watchers reach us directly; returns the way to stop listening.
 */
export function answerWatchersWhenUnsupported(
  publisher: { onStateChanged(listener: (state: PublicationState) => void): () => void },
  notifier: PresenceNotifier,
): () => void {
  return publisher.onStateChanged((state) => {
    if (state.name === 'unsupported') notifier.start();
  });
}

/** The watcher's address as a buddy list would key it: the From URI without parameters. */
function watcherUri(dialog: DialogState): string {
  const remote = dialog.remoteUri.uri;
  return isSipUri(remote)
    ? formatUri({ ...remote, params: new Map(), headers: new Map() })
    : formatUri(remote);
}

/** RFC 6665 §4.2.1.1 / RFC 3856 §6.7: no Accept means the package default (PIDF); otherwise PIDF must be in it. */
function acceptsPidf(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((range) => range.split(';', 1)[0]!.trim().toLowerCase())
    .some((range) => range === PIDF_CONTENT_TYPE || range === 'application/*' || range === '*/*');
}

/** Where our answer goes, for our Contact in the 200 (the address the watcher reached us from). */
function replyDestination(transaction: ServerTransactionHandle, account: SubscriberAccount): Destination {
  const source = transaction.source;
  return source
    ? { protocol: source.protocol, address: source.address, port: source.port }
    : { protocol: account.transport, address: '0.0.0.0', port: 0 };
}

/** The notifiers of one UAS core, by user part: the core takes one SUBSCRIBE handler per package. */
class NotifierRouter {
  readonly #notifiers = new Map<string, PresenceNotifier>();
  readonly #core: UasCore;
  readonly #random: Random;

  constructor(core: UasCore, random: Random) {
    this.#core = core;
    this.#random = random;
    core.handleEvent('SUBSCRIBE', 'presence', (request, transaction) => this.#route(request, transaction));
  }

  add(user: string, notifier: PresenceNotifier): void {
    this.#notifiers.set(user, notifier);
  }

  remove(user: string, notifier: PresenceNotifier): void {
    if (this.#notifiers.get(user) === notifier) this.#notifiers.delete(user);
  }

  #route(request: SipRequest, transaction: ServerTransactionHandle): void {
    const uri = request.requestUri;
    const user = isSipUri(uri) ? (uri.user ?? '') : '';
    // One presentity answers for a Request-URI without a user (an address literal), as a phone would.
    const only = this.#notifiers.size === 1 && user === '' ? [...this.#notifiers.values()][0] : undefined;
    const notifier = this.#notifiers.get(user) ?? only;
    const toTag = this.#random.token(10);
    if (this.#notifiers.size === 0) {
      // Every notifier stopped: as if nobody took the package (RFC 6665 §8.3.2).
      const others = this.#core.allowEvents('SUBSCRIBE').filter((name) => name !== 'presence');
      const headers: Array<readonly [string, string]> =
        others.length > 0 ? [['Allow-Events', others.join(', ')]] : [];
      transaction.respond(createResponse(request, 489, { toTag, headers }));
      return;
    }
    if (!notifier) {
      transaction.respond(createResponse(request, 404, { toTag }));
      return;
    }
    notifier.receiveSubscribe(request, transaction);
  }
}

const routers = new WeakMap<UasCore, NotifierRouter>();

function routerOf(host: SubscriptionHost): NotifierRouter {
  let router = routers.get(host.core);
  if (!router) {
    router = new NotifierRouter(host.core, host.random);
    routers.set(host.core, router);
  }
  return router;
}
