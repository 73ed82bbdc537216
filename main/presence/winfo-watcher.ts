// Who watches me (RFC 3857): a subscription to `presence.winfo` for our own address-of-record. Full documents
// replace the list, partial ones update it by watcher id (RFC 3858 §4.1); a partial document whose version does not
// follow the last one means we missed one, so we subscribe again to get a full state (§4.4). Events carry the whole
// list after each change and the watchers that are new since the last one.
import type { SipUri } from '../sip/message/uri';
import { type Result, err, ok } from '../sip/message/result';
import type { Subscription } from './subscription';
import type { SubscriberAccount, SubscriptionUsage } from './subscription-usage';
import {
  WATCHERINFO_CONTENT_TYPE,
  type Watcher,
  type WatcherInfoError,
  parseWatcherInfo,
} from './watcher-info';

export type WinfoEvent =
  | { readonly kind: 'watchers'; readonly watchers: readonly Watcher[]; readonly added: readonly Watcher[] }
  | { readonly kind: 'unreadable'; readonly error: WatcherInfoError };

/** Watchers kept at most: a person with more has a broadcast, not a buddy list. */
const MAX_WATCHERS = 1_000;

export class WinfoWatcher {
  readonly subscription: Subscription;
  readonly #watchers = new Map<string, Watcher>();
  readonly #listeners = new Set<(event: WinfoEvent) => void>();
  #version: number | undefined;

  private constructor(subscription: Subscription) {
    this.subscription = subscription;
    subscription.onNotify((notification) => {
      if (notification.body.length === 0) return;
      const parsed = parseWatcherInfo(notification.body);
      if (!parsed.ok) {
        this.#emit({ kind: 'unreadable', error: parsed.error });
        return;
      }
      const info = parsed.value;
      if (info.state === 'partial' && (this.#version === undefined || info.version !== this.#version + 1)) {
        // §4.4: a gap in the versions; only a full document can put us right.
        this.#version = undefined;
        subscription.subscribe();
        return;
      }
      this.#version = info.version;
      const before = new Set(this.#watchers.keys());
      if (info.state === 'full') this.#watchers.clear();
      for (const list of info.lists) {
        for (const watcher of list.watchers) {
          if (watcher.status === 'terminated') this.#watchers.delete(watcher.id);
          else if (this.#watchers.size < MAX_WATCHERS || this.#watchers.has(watcher.id))
            this.#watchers.set(watcher.id, watcher);
        }
      }
      const watchers = [...this.#watchers.values()];
      this.#emit({ kind: 'watchers', watchers, added: watchers.filter((w) => !before.has(w.id)) });
    });
  }

  static create(
    usage: SubscriptionUsage,
    account: SubscriberAccount,
    self: SipUri,
    expires = 3_600,
  ): Result<WinfoWatcher, { readonly code: 'limit'; readonly message: string }> {
    const made = usage.create(account, {
      target: self,
      event: 'presence.winfo',
      accept: [WATCHERINFO_CONTENT_TYPE],
      expires,
    });
    return made.ok ? ok(new WinfoWatcher(made.value)) : err(made.error);
  }

  get watchers(): Watcher[] {
    return [...this.#watchers.values()];
  }

  on(listener: (event: WinfoEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.subscription.subscribe();
  }

  #emit(event: WinfoEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
