// Presence in the engine: the buddy list (one PresenceWatcher per watched contact, on its account), our own status
// per account (one PresencePublisher each, with `on-the-phone` during calls and `away` when idle), and who watches us
// (one WinfoWatcher per registered account). It learns everything through the EventHub, as the window does:
//
//   registration.changed  registered / not-registering ─► the account's presence starts (or recovers, below)
//                         unregistering / unregistered / disabled ─► unsubscribe all, remove the publication
//   contacts.changed, accounts.changed ─► the watch list is read again: buddies added, removed, moved
//   call.changed ─► on-the-phone while a call of the account is up      settings.changed ─► idle threshold
//
// Recovery: an account that registers again after anything else (a failure, a server restart seen by the flow
// keep-alive, "register now") subscribes every buddy afresh and publishes again, since the server may have lost
// both. New SUBSCRIBEs leave in batches (`pacing`), so a buddy list of 500 is not 500 requests in one tick.
// Ending — account off, contact unwatched, engine shutdown — unsubscribes within `teardownTimeoutMs`.
//
// Peer-to-peer: when an account's server takes no PUBLISH (489/501/405), its PresenceNotifier starts and answers
// SUBSCRIBEs for our address-of-record itself with what the publisher last set, so chosen, on-the-phone, idle away
// and appear-offline reach those watchers as NOTIFYs; the account's publication shows `peer-to-peer` and its watchers
// are the notifier's. The notifier owns SUBSCRIBE for `presence` on the user agent, the SubscriptionUsage owns NOTIFY
// for it: one owner per method and package. It stops (terminated NOTIFYs, bounded) with the account and at exit.
//
// Resource lists (RFC 4662): an account with `presenceListUri` subscribes to that list with a ResourceListWatcher. Its
// buddies wait for the list's first answer; then the contacts the list names (compared by scheme, user, host and
// port, host case-insensitive) take their status from it, and the others get a subscription of their own. A list
// refused (404, 489, terminated) or failing before its first document leaves every buddy on its own subscription; a
// list document arriving later moves the named ones back onto it. A contact leaving the list gets its own again.
import type {
  BuddyPresenceDto,
  OwnPresenceDto,
  RegistrationStatusDto,
  SetOwnStatusRequest,
  WatcherDto,
} from '../contract/contract';
import type { Clock, TimerHandle } from '../platform/clock';
import type { IdleSource } from '../platform/idle-source';
import type { Logger } from '../platform/logger';
import type { Random } from '../platform/random';
import { type PresenceEvent, PresenceWatcher } from '../presence/presence-watcher';
import {
  PresenceNotifier,
  type WatcherInfo,
  answerWatchersWhenUnsupported,
} from '../presence/presence-notifier';
import { PresencePublisher } from '../presence/presence-publisher';
import { type ResourceListEvent, ResourceListWatcher } from '../presence/resource-list-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../presence/subscription-usage';
import type { WinfoEvent } from '../presence/winfo-watcher';
import { WinfoWatcher } from '../presence/winfo-watcher';
import type { DialogSet } from '../sip/dialog/dialog-set';
import { type SipUri, isSipUri, parseUri } from '../sip/message/uri';
import { MAX_REMEMBERED_WATCHERS, type PresenceRepository } from '../store/presence-repository';
import type { NameResolver } from '../ua/next-hop';
import type { RequestSender } from '../ua/request-sender';
import type { UasCore } from '../ua/uas-core';
import type { Account } from '../ua/user-agent';
import type { AgentHost } from './account-service';
import type { EventHub } from './event-hub';
import { PacedStarter, type Pacing } from './paced-starter';
import {
  activityNames,
  buddyAvailability,
  buddySubscription,
  publicationView,
  publishedStatus,
  rememberWatchers,
} from './presence-view';
import { ServiceError } from './service-error';

/** A contact whose presence is watched, as ContactService lists them. */
export interface WatchedContact {
  readonly contactId: string;
  /** The contact's first SIP address. */
  readonly uri: string;
  /** The account to watch through; null for the first enabled, registering account. */
  readonly accountId: string | null;
}

/** Who to watch (ContactService fits); read again on every `contacts.changed`. */
export interface WatchList {
  watched(): readonly WatchedContact[];
}

/** What presence needs of a user agent (UserAgent fits); agents without it (test doubles) carry no presence. */
export interface PresenceAgent extends AgentHost {
  readonly core: UasCore;
  readonly dialogs: DialogSet;
  readonly transactions: RequestSender;
  readonly seams: { clock: Clock; random: Random; resolver: NameResolver; logger: Logger };
}

/** What the service needs of the accounts (AccountService and the accounts repository fit). */
export interface PresenceAccounts {
  /** Every stored account, in the person's order. */
  list(): readonly {
    readonly id: string;
    readonly enabled: boolean;
    readonly register: boolean;
    /** A resource list to watch the buddies it names through (RFC 4662); null or absent: none. */
    readonly presenceListUri?: string | null;
  }[];
  /** The running account with this id and the user agent it runs on. */
  live(id: string): { readonly ua: AgentHost; readonly account: Account } | undefined;
  /** Every account's registration status now (the service starts after some may have changed). */
  registrations(): readonly RegistrationStatusDto[];
}

export type PresenceStore = Pick<
  PresenceRepository,
  | 'ownStatus'
  | 'setOwnStatus'
  | 'watchersFirstSeen'
  | 'setWatchersFirstSeen'
  | 'watchersSeenAt'
  | 'setWatchersSeenAt'
  | 'forgetAccount'
>;

export interface PresenceServiceDeps {
  readonly accounts: PresenceAccounts;
  readonly store: PresenceStore;
  readonly watchList: WatchList;
  readonly events: EventHub;
  readonly clock: Clock;
  readonly idle: IdleSource;
  /** settings.idleAwayMinutes now (0: never away by itself). */
  readonly idleAwayMinutes: () => number;
  readonly logger: Logger;
  readonly pacing?: Pacing;
  /** How long unsubscribing and removing the publication may take when an account stops. */
  readonly teardownTimeoutMs?: number;
  /** How often the idle source is read. */
  readonly idlePollMs?: number;
  /** Presence subscriptions' lifetime (seconds); RFC 3856's hour when absent. */
  readonly subscribeExpires?: number;
}

/** 20 every 50 ms: 500 buddies subscribe in 1.25 s, and the server never sees more than 400 SUBSCRIBEs a second. */
export const DEFAULT_PACING: Pacing = { batch: 20, intervalMs: 50 };
const DEFAULT_IDLE_POLL_MS = 5_000;
const DEFAULT_TEARDOWN_MS = 2_000;
/** Buddies followed at most; the subscription usage's own bound (2,000) is shared with watcher information. */
export const MAX_BUDDIES = 1_500;

/** One account's running presence. */
interface AccountPresence {
  readonly accountId: string;
  readonly account: Account;
  readonly usage: SubscriptionUsage;
  readonly publisher: PresencePublisher | undefined;
  readonly winfo: WinfoWatcher | undefined;
  /** Answers watchers itself once the server turns out to take no PUBLISH (peer-to-peer mode). */
  readonly notifier: PresenceNotifier | undefined;
  /** The watchers of the last watcher-information document, by URI. */
  watchers: readonly WatcherDto[];
  /** The peer-to-peer notifier's watchers, as it last told them. */
  directWatchers: readonly WatcherDto[];
  /** The account's resource list subscription, when it has a list URI. */
  list: BuddyList | undefined;
  readonly firstSeen: Map<string, number>;
  /** The status and note last handed to the publisher, so an unchanged one is not published again. */
  published: string | undefined;
  readonly detach: Array<() => void>;
}

/**
 * One account's resource list. `waiting`: no answer yet (its buddies wait too); `ready`: a list document came, and
 * `named` holds the buddies it names; `failed`: refused, or failing before any document (each buddy subscribes itself).
 */
interface BuddyList {
  /** As the account names it, to notice a change. */
  readonly text: string;
  readonly watcher: ResourceListWatcher;
  phase: 'waiting' | 'ready' | 'failed';
  named: ReadonlySet<string>;
  readonly detach: () => void;
}

interface Buddy {
  readonly contactId: string;
  readonly uri: string;
  readonly target: SipUri | undefined;
  /** How the target compares with a list's resources (`listKey`). */
  readonly key: string | undefined;
  readonly accountId: string;
  watcher: PresenceWatcher | undefined;
  /** Its status comes from the account's resource list (then `watcher` is undefined and `runtime` is set). */
  listed: boolean;
  runtime: AccountPresence | undefined;
  detach: (() => void) | undefined;
  dto: BuddyPresenceDto;
}

const UP_STATES = new Set<RegistrationStatusDto['state']>(['registered', 'not-registering']);
const DOWN_STATES = new Set<RegistrationStatusDto['state']>(['unregistering', 'unregistered', 'disabled']);
/** A call in these states is not (or no longer) a conversation: ringing here, or over. */
const NOT_ON_THE_PHONE = new Set(['incoming', 'ended']);

export class PresenceService {
  readonly #deps: PresenceServiceDeps;
  /** How long ending an account's, a buddy's or a list's subscriptions may take. */
  readonly #teardownMs: number;
  readonly #starter: PacedStarter;
  readonly #runtimes = new Map<string, AccountPresence>();
  readonly #usages = new WeakMap<PresenceAgent, SubscriptionUsage>();
  readonly #buddies = new Map<string, Buddy>();
  readonly #states = new Map<string, RegistrationStatusDto['state']>();
  /** Calls not ended, by call id → account id. */
  readonly #calls = new Map<string, string>();
  readonly #announcedOwn = new Map<string, string>();
  readonly #pending = new Set<Promise<void>>();
  #idleTimer: TimerHandle | undefined;
  #idle = false;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  #watchersKey = '';

  constructor(deps: PresenceServiceDeps) {
    this.#deps = deps;
    this.#teardownMs = deps.teardownTimeoutMs ?? DEFAULT_TEARDOWN_MS;
    this.#starter = new PacedStarter(deps.clock, deps.pacing ?? DEFAULT_PACING, (error) =>
      deps.logger.log('warn', 'presence: a subscription could not start', { error: messageOf(error) }),
    );
  }

  /** Starts listening; accounts already up get their presence now. */
  start(): void {
    if (this.#unsubscribe || this.#stopped) return;
    this.#unsubscribe = this.#deps.events.subscribe((name, payload) => {
      try {
        if (name === 'registration.changed') this.#onRegistration(payload as RegistrationStatusDto);
        else if (name === 'contacts.changed' || name === 'accounts.changed') this.#reconcile();
        else if (name === 'call.changed')
          this.#onCall(payload as { id: string; accountId: string | null; state: string });
        else if (name === 'settings.changed') this.#pollIdle();
      } catch (error) {
        this.#deps.logger.log('warn', 'presence could not follow an event', {
          event: name,
          error: messageOf(error),
        });
      }
    });
    for (const status of this.#deps.accounts.registrations()) this.#onRegistration(status);
    this.#reconcile();
    this.#scheduleIdlePoll();
  }

  /**
   * Unsubscribes every buddy and watcher list and removes every publication, waiting at most `timeoutMs`; nothing
   * starts afterwards. The engine calls it before the accounts unregister.
   */
  async stop(timeoutMs = DEFAULT_TEARDOWN_MS): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#deps.clock.clearTimer(this.#idleTimer);
    this.#starter.close();
    for (const id of [...this.#runtimes.keys()]) this.#teardown(id, timeoutMs);
    await this.#bounded(
      Promise.allSettled([...this.#pending]).then(() => undefined),
      timeoutMs + 250,
    );
  }

  // ── Commands ─────────────────────────────────────────────────────────────────────────────────────────────────

  buddies(): BuddyPresenceDto[] {
    return [...this.#buddies.values()].map((buddy) => buddy.dto);
  }

  own(): OwnPresenceDto[] {
    return this.#deps.accounts.list().map((account) => this.#ownDto(account.id));
  }

  setStatus(request: SetOwnStatusRequest): OwnPresenceDto[] {
    const accounts = this.#deps.accounts.list();
    const known = accounts.map((account) => account.id);
    if (request.accountId !== null && !known.includes(request.accountId))
      throw new ServiceError('not-found', 'That account no longer exists.', { field: 'accountId' });
    const note = request.note === null || request.note.trim() === '' ? null : request.note.trim();
    const targets = request.accountId === null ? known : [request.accountId];
    for (const id of targets) {
      this.#deps.store.setOwnStatus(id, { status: request.status, note });
      const runtime = this.#runtimes.get(id);
      if (runtime) this.#publish(runtime);
      this.#announceOwn(id, accounts);
    }
    return this.own();
  }

  watchers(): WatcherDto[] {
    return [...this.#runtimes.values()].flatMap((runtime) => {
      // A server that takes no PUBLISH hardly keeps watcher information; if it does, its entry wins.
      const listed = new Set(runtime.watchers.map((watcher) => watcher.uri));
      return [...runtime.watchers, ...runtime.directWatchers.filter((watcher) => !listed.has(watcher.uri))];
    });
  }

  watchersSeen(): null {
    const now = this.#deps.clock.wallTime();
    this.#deps.store.setWatchersSeenAt(now);
    for (const runtime of this.#runtimes.values()) {
      runtime.watchers = runtime.watchers.map((watcher) => ({ ...watcher, isNew: false }));
      runtime.directWatchers = runtime.directWatchers.map((watcher) => ({ ...watcher, isNew: false }));
    }
    this.#announceWatchers();
    return null;
  }

  /** What the service holds, for tests that check nothing leaks. */
  holdings(): {
    accounts: number;
    buddies: number;
    watching: number;
    listed: number;
    queued: number;
    subscriptions: number;
  } {
    let subscriptions = 0;
    const usages = new Set([...this.#runtimes.values()].map((runtime) => runtime.usage));
    for (const usage of usages) subscriptions += usage.size;
    return {
      accounts: this.#runtimes.size,
      buddies: this.#buddies.size,
      watching: [...this.#buddies.values()].filter((buddy) => buddy.watcher !== undefined).length,
      listed: [...this.#buddies.values()].filter((buddy) => buddy.listed).length,
      queued: this.#starter.size,
      subscriptions,
    };
  }

  // ── Accounts ─────────────────────────────────────────────────────────────────────────────────────────────────

  #onRegistration(status: RegistrationStatusDto): void {
    if (this.#stopped) return;
    const id = status.accountId;
    const previous = this.#states.get(id);
    this.#states.set(id, status.state);
    if (UP_STATES.has(status.state)) {
      const runtime = this.#runtimes.get(id);
      if (!runtime) this.#startAccount(id, status.state === 'registered');
      else if (status.state === 'registered' && previous !== 'registered') this.#recover(runtime);
    } else if (DOWN_STATES.has(status.state)) {
      this.#teardown(id, this.#teardownMs);
      if (!this.#deps.accounts.list().some((account) => account.id === id)) {
        // Deleted: what was kept for it goes too.
        this.#deps.store.forgetAccount(id);
        this.#states.delete(id);
        this.#announcedOwn.delete(id);
      }
    }
    this.#reconcile();
    this.#announceOwn(id);
  }

  #startAccount(id: string, registers: boolean): void {
    const live = this.#deps.accounts.live(id);
    if (!live || !isPresenceAgent(live.ua)) return;
    const agent = live.ua;
    const host = hostOf(agent);
    let usage = this.#usages.get(agent);
    if (!usage) {
      usage = new SubscriptionUsage(host);
      this.#usages.set(agent, usage);
    }
    const subscriber = subscriberOf(live.account);
    // A trunk account that never registers has no presence server of its own to publish to or ask about watchers.
    const publisher = registers ? new PresencePublisher(subscriber, host) : undefined;
    const aor = live.account.config.aor;
    const self = { ...aor, params: new Map(), headers: new Map() };
    const winfoMade = registers ? WinfoWatcher.create(usage, subscriber, self) : undefined;
    const runtime: AccountPresence = {
      accountId: id,
      account: live.account,
      usage,
      publisher,
      winfo: winfoMade?.ok ? winfoMade.value : undefined,
      notifier: publisher ? new PresenceNotifier(host, subscriber, publisher) : undefined,
      watchers: [],
      directWatchers: [],
      list: undefined,
      firstSeen: this.#deps.store.watchersFirstSeen(id),
      published: undefined,
      detach: [],
    };
    this.#runtimes.set(id, runtime);
    const notifier = runtime.notifier;
    if (publisher && notifier) {
      // Before the announcement below, so the `unsupported` state is announced as `peer-to-peer`.
      runtime.detach.push(answerWatchersWhenUnsupported(publisher, notifier));
      runtime.detach.push(
        notifier.onWatchers((watchers) => {
          this.#onDirectWatchers(runtime, watchers);
        }),
      );
    }
    if (publisher) runtime.detach.push(publisher.onStateChanged(() => this.#announceOwn(id)));
    if (runtime.winfo) {
      const winfo = runtime.winfo;
      runtime.detach.push(winfo.on((event) => this.#onWinfo(runtime, event)));
      this.#enqueue(`winfo:${id}`, () => winfo.start());
    }
    this.#syncList(runtime);
    this.#publish(runtime);
  }

  /** The account registered again after a failure: the server may have forgotten our subscriptions and status. */
  #recover(runtime: AccountPresence): void {
    this.#deps.logger.log('info', 'presence: account registered again, subscribing and publishing afresh', {
      account: runtime.accountId,
    });
    for (const buddy of this.#buddies.values()) {
      const watcher = buddy.watcher;
      if (buddy.runtime !== runtime || !watcher) continue;
      this.#enqueue(buddy.contactId, () => {
        const name = watcher.subscription.state.name;
        if (name !== 'unsubscribing') watcher.subscription.subscribe();
      });
    }
    const winfo = runtime.winfo;
    if (winfo) this.#enqueue(`winfo:${runtime.accountId}`, () => winfo.subscription.subscribe());
    const list = runtime.list?.watcher;
    if (list)
      this.#enqueue(`list:${runtime.accountId}`, () => {
        if (list.subscription.state.name !== 'unsubscribing') list.subscription.subscribe();
      });
    runtime.published = undefined;
    this.#publish(runtime);
  }

  #teardown(id: string, timeoutMs: number): void {
    const runtime = this.#runtimes.get(id);
    if (!runtime) return;
    this.#runtimes.delete(id);
    for (const detach of runtime.detach.splice(0)) detach();
    for (const buddy of this.#buddies.values())
      if (buddy.runtime === runtime) this.#stopWatching(buddy, timeoutMs);
    this.#starter.cancel(`winfo:${id}`);
    this.#stopList(runtime, timeoutMs);
    if (runtime.winfo) this.#track(runtime.usage.remove(runtime.winfo.subscription, timeoutMs));
    // Its watchers hear `terminated;reason=deactivated` with an offline document, and may come back later.
    if (runtime.notifier) this.#track(runtime.notifier.stop(timeoutMs));
    const publisher = runtime.publisher;
    if (publisher)
      this.#track(
        publisher
          .remove(timeoutMs)
          .catch(() => undefined)
          .finally(() => publisher.dispose()),
      );
    if (runtime.watchers.length > 0 || runtime.directWatchers.length > 0) this.#announceWatchers();
  }

  // ── Buddies ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** Reads the watch list again and brings the buddies in line with it. */
  #reconcile(): void {
    if (this.#stopped) return;
    const accounts = this.#deps.accounts.list();
    for (const runtime of this.#runtimes.values()) this.#syncList(runtime, accounts);
    const wanted = new Map<string, WatchedContact>();
    for (const contact of this.#deps.watchList.watched()) {
      if (wanted.size >= MAX_BUDDIES) break;
      if (!wanted.has(contact.contactId)) wanted.set(contact.contactId, contact);
    }
    for (const [contactId, buddy] of this.#buddies) {
      if (wanted.has(contactId)) continue;
      this.#stopWatching(buddy, this.#teardownMs);
      this.#buddies.delete(contactId);
      this.#deps.events.emit('buddy.removed', { contactId });
    }
    const fallback = this.#defaultAccount(accounts);
    for (const contact of wanted.values()) {
      const accountId = contact.accountId ?? fallback ?? '';
      let buddy = this.#buddies.get(contact.contactId);
      if (buddy && (buddy.uri !== contact.uri || buddy.accountId !== accountId)) {
        // Moved to another account or address: the old subscription ends, a new one starts.
        this.#stopWatching(buddy, this.#teardownMs);
        this.#buddies.delete(contact.contactId);
        buddy = undefined;
      }
      if (!buddy) {
        buddy = this.#newBuddy(contact, accountId);
        this.#buddies.set(contact.contactId, buddy);
        this.#deps.events.emit('buddy.changed', buddy.dto);
      }
      const runtime = this.#runtimes.get(accountId);
      if (runtime) this.#place(buddy, runtime);
    }
  }

  /**
   * Puts a buddy where the account's list says: on the list when it names the buddy, on a subscription of its own
   * otherwise (or when there is no usable list), nowhere yet while the list has not answered.
   */
  #place(buddy: Buddy, runtime: AccountPresence): void {
    if (!buddy.target) return;
    const list = runtime.list;
    if (list?.phase === 'waiting') {
      // A buddy already subscribed keeps that subscription until the list says whether it covers it.
      if (!buddy.watcher && !buddy.listed && buddy.dto.subscription === 'stopped')
        this.#update(buddy, { subscription: 'pending' });
      return;
    }
    const onList = list?.phase === 'ready' && buddy.key !== undefined && list.named.has(buddy.key);
    if (onList) {
      if (buddy.listed && buddy.runtime === runtime) return;
      if (buddy.watcher) this.#stopWatching(buddy, this.#teardownMs);
      buddy.listed = true;
      buddy.runtime = runtime;
      if (buddy.dto.subscription === 'stopped') this.#update(buddy, { subscription: 'pending' });
      return;
    }
    if (buddy.listed) this.#leaveList(buddy);
    if (!buddy.watcher) this.#watch(buddy, runtime);
  }

  #leaveList(buddy: Buddy): void {
    buddy.listed = false;
    buddy.runtime = undefined;
    this.#update(buddy, { availability: 'unknown', activities: [], note: null, subscription: 'stopped' });
  }

  // ── Resource lists ───────────────────────────────────────────────────────────────────────────────────────────

  /** Starts, changes or ends the account's list subscription to match its `presenceListUri`. */
  #syncList(runtime: AccountPresence, accounts = this.#deps.accounts.list()): void {
    const text =
      accounts.find((account) => account.id === runtime.accountId)?.presenceListUri?.trim() || null;
    if ((runtime.list?.text ?? null) === text) return;
    this.#stopList(runtime, this.#teardownMs);
    if (text === null) return;
    const parsed = parseUri(text);
    if (!parsed.ok || !isSipUri(parsed.value)) {
      this.#deps.logger.log('warn', 'presence: the presence list is not a SIP URI', {
        account: runtime.accountId,
      });
      return;
    }
    const made = ResourceListWatcher.create(runtime.usage, subscriberOf(runtime.account), parsed.value, {
      ...(this.#deps.subscribeExpires !== undefined ? { expires: this.#deps.subscribeExpires } : {}),
    });
    if (!made.ok) {
      this.#deps.logger.log('warn', 'presence: cannot watch the presence list', {
        error: made.error.message,
      });
      return;
    }
    const watcher = made.value;
    const list: BuddyList = {
      text,
      watcher,
      phase: 'waiting',
      named: new Set(),
      detach: watcher.on((event) => this.#onList(runtime, list, event)),
    };
    runtime.list = list;
    this.#enqueue(`list:${runtime.accountId}`, () => watcher.start());
  }

  #stopList(runtime: AccountPresence, timeoutMs: number): void {
    const list = runtime.list;
    if (!list) return;
    runtime.list = undefined;
    list.detach();
    this.#starter.cancel(`list:${runtime.accountId}`);
    this.#track(runtime.usage.remove(list.watcher.subscription, timeoutMs));
    for (const buddy of this.#buddies.values())
      if (buddy.listed && buddy.runtime === runtime) this.#leaveList(buddy);
  }

  #onList(runtime: AccountPresence, list: BuddyList, event: ResourceListEvent): void {
    if (runtime.list !== list || this.#stopped) return;
    switch (event.kind) {
      case 'list': {
        const named = new Set(event.resources.map(listKey));
        const changed =
          list.phase !== 'ready' ||
          named.size !== list.named.size ||
          [...named].some((key) => !list.named.has(key));
        list.named = named;
        list.phase = 'ready';
        // Most NOTIFYs only change statuses: the buddies move only when the list's members do.
        if (changed) this.#placeAll(runtime);
        return;
      }
      case 'list-unreadable':
      case 'resync':
        this.#deps.logger.log('debug', `presence: resource list ${event.kind}`, {
          account: runtime.accountId,
        });
        return;
      case 'subscription':
        if (event.uri === list.watcher.uri) {
          this.#onListState(runtime, list, event.state);
          return;
        }
        break;
      default:
        break;
    }
    // A resource's status or state: for the buddies the list covers.
    const key = listKey(event.uri);
    for (const buddy of this.#buddies.values())
      if (buddy.listed && buddy.runtime === runtime && buddy.key === key) this.#onPresence(buddy, event);
  }

  #onListState(
    runtime: AccountPresence,
    list: BuddyList,
    state: ResourceListWatcher['subscription']['state'],
  ): void {
    // Refused for good, or failing before it ever answered: each buddy subscribes itself. A list that answered once
    // and is retrying keeps its buddies (their last status stays, as a single subscription's would).
    if (list.phase === 'failed') return;
    if ((state.name === 'active' || state.name === 'pending') && list.phase === 'waiting') {
      // Answered: a list server's NOTIFY carries its RLMI document, taken in the same turn as this state. None by
      // the end of it means no list server took the URI (RFC 4662 §4.3: it was handled as an
      // ordinary presentity), so nothing will ever name the buddies.
      queueMicrotask(() => {
        if (runtime.list === list && list.phase === 'waiting') this.#listFailed(runtime, list, 'not a list');
      });
      return;
    }
    if (state.name === 'terminated' || (state.name === 'waiting' && list.phase === 'waiting'))
      this.#listFailed(runtime, list, state.name);
  }

  #listFailed(runtime: AccountPresence, list: BuddyList, why: string): void {
    if (this.#stopped) return;
    this.#deps.logger.log('info', 'presence: no usable presence list, watching each buddy', {
      account: runtime.accountId,
      why,
    });
    list.phase = 'failed';
    list.named = new Set();
    this.#placeAll(runtime);
  }

  /** Places every buddy of the account again (the list's members or its usability changed). */
  #placeAll(runtime: AccountPresence): void {
    for (const buddy of [...this.#buddies.values()])
      if (buddy.accountId === runtime.accountId && this.#buddies.get(buddy.contactId) === buddy)
        this.#place(buddy, runtime);
  }

  /** The account a contact without one is watched through: the first enabled, registering one, else any enabled. */
  #defaultAccount(accounts: ReturnType<PresenceAccounts['list']>): string | undefined {
    const enabled = accounts.filter((account) => account.enabled);
    return (enabled.find((account) => account.register) ?? enabled[0])?.id;
  }

  #newBuddy(contact: WatchedContact, accountId: string): Buddy {
    const parsed = parseUri(contact.uri);
    const target = parsed.ok && isSipUri(parsed.value) ? parsed.value : undefined;
    return {
      key: target ? keyOf(target) : undefined,
      listed: false,
      contactId: contact.contactId,
      // As the contact wrote it: the next read of the watch list compares this text, not a normalised form.
      uri: contact.uri,
      target,
      accountId,
      watcher: undefined,
      runtime: undefined,
      detach: undefined,
      dto: {
        contactId: contact.contactId,
        uri: contact.uri,
        accountId,
        availability: 'unknown',
        activities: [],
        note: null,
        subscription: target ? 'stopped' : 'refused',
        changedAt: null,
      },
    };
  }

  #watch(buddy: Buddy, runtime: AccountPresence): void {
    if (!buddy.target) return;
    const made = PresenceWatcher.create(runtime.usage, subscriberOf(runtime.account), buddy.target, {
      ...(this.#deps.subscribeExpires !== undefined ? { expires: this.#deps.subscribeExpires } : {}),
    });
    if (!made.ok) {
      this.#deps.logger.log('warn', 'presence: cannot watch a buddy', { error: made.error.message });
      this.#update(buddy, { subscription: 'refused' });
      return;
    }
    const watcher = made.value;
    buddy.watcher = watcher;
    buddy.runtime = runtime;
    buddy.detach = watcher.on((event) => {
      if (buddy.watcher === watcher) this.#onPresence(buddy, event);
    });
    this.#update(buddy, { subscription: 'pending' });
    this.#enqueue(buddy.contactId, () => watcher.start());
  }

  #stopWatching(buddy: Buddy, timeoutMs: number): void {
    const { watcher, runtime } = buddy;
    this.#starter.cancel(buddy.contactId);
    if (buddy.listed) {
      this.#leaveList(buddy);
      return;
    }
    if (!watcher || !runtime) return;
    buddy.detach?.();
    buddy.watcher = undefined;
    buddy.runtime = undefined;
    buddy.detach = undefined;
    this.#track(runtime.usage.remove(watcher.subscription, timeoutMs));
    this.#update(buddy, { availability: 'unknown', activities: [], note: null, subscription: 'stopped' });
  }

  #onPresence(buddy: Buddy, event: PresenceEvent): void {
    switch (event.kind) {
      case 'presence':
        this.#update(buddy, {
          availability: buddyAvailability(event.presence),
          activities: activityNames(event.presence),
          note: event.presence.note?.text ?? null,
          subscription: buddySubscription(buddy.watcher?.subscription.state ?? { name: 'active' }),
        });
        return;
      case 'unreadable':
        // The last good status stays; the document is the sender's problem, worth a line and no more.
        this.#deps.logger.log('debug', 'presence: unreadable document', {
          uri: event.uri,
          code: event.error.code,
        });
        return;
      case 'subscription': {
        const subscription = buddySubscription(event.state);
        // Pending, refused or stopped: the server is not telling us, so what we knew is no longer news. While
        // retrying, the last status stays (a server restart should not blank the list for a second).
        const forget =
          event.state.name === 'pending' || subscription === 'refused' || subscription === 'stopped';
        this.#update(
          buddy,
          forget ? { subscription, availability: 'unknown', activities: [], note: null } : { subscription },
        );
        return;
      }
    }
  }

  #update(buddy: Buddy, change: Partial<BuddyPresenceDto>): void {
    const before = buddy.dto;
    const next = { ...before, ...change };
    const statusChanged =
      next.availability !== before.availability ||
      next.note !== before.note ||
      next.activities.join('\n') !== before.activities.join('\n');
    if (!statusChanged && next.subscription === before.subscription) return;
    buddy.dto = statusChanged ? { ...next, changedAt: this.#deps.clock.wallTime() } : next;
    if (this.#buddies.get(buddy.contactId) === buddy) this.#deps.events.emit('buddy.changed', buddy.dto);
  }

  // ── Pacing ───────────────────────────────────────────────────────────────────────────────────────────────────

  #enqueue(key: string, work: () => void): void {
    if (!this.#stopped) this.#starter.enqueue(key, work);
  }

  // ── Own status ───────────────────────────────────────────────────────────────────────────────────────────────

  #onCall(call: { id: string; accountId: string | null; state: string }): void {
    const before = this.#calls.get(call.id);
    const touched = [...new Set([before, call.accountId])].filter((id) => id !== undefined && id !== null);
    // Most call changes (mute, hold, media) leave every account as much on the phone as it was: nothing to do.
    const wasInCall = touched.map((id) => this.#inCall(id));
    if (call.accountId === null || NOT_ON_THE_PHONE.has(call.state)) this.#calls.delete(call.id);
    else this.#calls.set(call.id, call.accountId);
    for (const [index, id] of touched.entries()) {
      if (this.#inCall(id) === wasInCall[index]) continue;
      const runtime = this.#runtimes.get(id);
      if (runtime) this.#publish(runtime);
      this.#announceOwn(id);
    }
  }

  #scheduleIdlePoll(): void {
    if (this.#stopped) return;
    this.#idleTimer = this.#deps.clock.setTimer(this.#deps.idlePollMs ?? DEFAULT_IDLE_POLL_MS, () => {
      this.#pollIdle();
      this.#scheduleIdlePoll();
    });
  }

  #pollIdle(): void {
    if (this.#stopped) return;
    const minutes = this.#deps.idleAwayMinutes();
    let idle = false;
    try {
      idle = minutes > 0 && this.#deps.idle.idleSeconds() >= minutes * 60;
    } catch (error) {
      this.#deps.logger.log('debug', 'presence: the idle source failed', { error: messageOf(error) });
    }
    if (idle === this.#idle) return;
    this.#idle = idle;
    for (const runtime of this.#runtimes.values()) this.#publish(runtime);
    const accounts = this.#deps.accounts.list();
    for (const account of accounts) this.#announceOwn(account.id, accounts);
  }

  #inCall(accountId: string): boolean {
    for (const id of this.#calls.values()) if (id === accountId) return true;
    return false;
  }

  #chosen(accountId: string) {
    return this.#deps.store.ownStatus(accountId) ?? { status: 'available' as const, note: null };
  }

  #publish(runtime: AccountPresence): void {
    const publisher = runtime.publisher;
    if (!publisher || this.#stopped) return;
    const chosen = this.#chosen(runtime.accountId);
    const { published } = publishedStatus(chosen.status, this.#inCall(runtime.accountId), this.#idle);
    const key = `${published}\n${chosen.note ?? ''}`;
    if (key === runtime.published) return;
    runtime.published = key;
    publisher.setStatus(published, chosen.note ?? undefined);
  }

  #ownDto(accountId: string): OwnPresenceDto {
    const chosen = this.#chosen(accountId);
    const { published, automatic } = publishedStatus(chosen.status, this.#inCall(accountId), this.#idle);
    const runtime = this.#runtimes.get(accountId);
    const view = publicationView(runtime?.publisher?.state, runtime?.notifier?.running ?? false);
    return {
      accountId,
      status: chosen.status,
      note: chosen.note,
      published,
      automatic,
      publication: view.publication,
      detail: view.detail,
    };
  }

  /** `accounts`: the stored accounts when the caller has just read them (each read is a database query). */
  #announceOwn(accountId: string, accounts = this.#deps.accounts.list()): void {
    if (!accounts.some((account) => account.id === accountId)) return;
    const dto = this.#ownDto(accountId);
    const key = JSON.stringify(dto);
    if (this.#announcedOwn.get(accountId) === key) return;
    this.#announcedOwn.set(accountId, key);
    this.#deps.events.emit('presence.changed', dto);
  }

  // ── Watchers ─────────────────────────────────────────────────────────────────────────────────────────────────

  #onWinfo(runtime: AccountPresence, event: WinfoEvent): void {
    if (event.kind === 'unreadable') {
      this.#deps.logger.log('debug', 'presence: unreadable watcher information', { code: event.error.code });
      return;
    }
    runtime.watchers = this.#watcherDtos(
      runtime,
      event.watchers.map((watcher) => ({
        uri: watcher.uri,
        displayName: watcher.displayName ?? null,
        status: watcher.status,
      })),
    );
    this.#announceWatchers();
  }

  /** The peer-to-peer notifier's watchers: every one sees us (there is no server to hold them pending). */
  #onDirectWatchers(runtime: AccountPresence, watchers: readonly WatcherInfo[]): void {
    if (this.#runtimes.get(runtime.accountId) !== runtime) return;
    const uris = [...new Set(watchers.map((watcher) => watcher.uri))];
    runtime.directWatchers = this.#watcherDtos(
      runtime,
      uris.map((uri) => ({ uri, displayName: null, status: 'active' as const })),
    );
    this.#announceWatchers();
  }

  /** Remembers when each watcher was first seen (kept only when that changed) and says which are new. */
  #watcherDtos(
    runtime: AccountPresence,
    seen: readonly Pick<WatcherDto, 'uri' | 'displayName' | 'status'>[],
  ): WatcherDto[] {
    const seenAt = this.#deps.store.watchersSeenAt();
    const uris = seen.map((watcher) => watcher.uri);
    if (rememberWatchers(runtime.firstSeen, uris, this.#deps.clock.wallTime(), MAX_REMEMBERED_WATCHERS))
      this.#deps.store.setWatchersFirstSeen(runtime.accountId, runtime.firstSeen);
    return seen.map((watcher): WatcherDto => {
      const firstSeenAt = runtime.firstSeen.get(watcher.uri) ?? 0;
      return { accountId: runtime.accountId, ...watcher, firstSeenAt, isNew: firstSeenAt > seenAt };
    });
  }

  #announceWatchers(): void {
    const all = this.watchers();
    const key = JSON.stringify(all);
    if (key === this.#watchersKey) return;
    this.#watchersKey = key;
    this.#deps.events.emit('watchers.changed', all);
  }

  // ── Helpers ──────────────────────────────────────────────────────────────────────────────────────────────────

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#deps.logger.log('debug', 'presence: ending a subscription failed', { error: messageOf(error) });
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  #bounded(work: Promise<void>, ms: number): Promise<void> {
    let timer: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.#deps.clock.setTimer(ms, resolve);
    });
    return Promise.race([work, deadline]).finally(() => this.#deps.clock.clearTimer(timer));
  }
}

function isPresenceAgent(agent: AgentHost): agent is PresenceAgent {
  const candidate = agent as Partial<PresenceAgent>;
  return (
    candidate.core !== undefined &&
    candidate.dialogs !== undefined &&
    candidate.transactions !== undefined &&
    candidate.seams !== undefined
  );
}

/**
 * How a buddy and a list's resource are matched: scheme, user, host (case-insensitive, RFC 3261 §19.1.4) and port;
 * parameters are left out, since a list server names its resources without the ones a contact may carry.
 */
function keyOf(uri: SipUri): string {
  return `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}${uri.port !== undefined ? `:${uri.port}` : ''}`;
}

function listKey(text: string): string {
  const parsed = parseUri(text);
  return parsed.ok && isSipUri(parsed.value) ? keyOf(parsed.value) : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
