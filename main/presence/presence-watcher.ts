// Watching one buddy (RFC 3856): a subscription to the `presence` package whose NOTIFY bodies are read as PIDF
// (pidf.ts) and merged into one status (presence-merge.ts). Each NOTIFY becomes one event; a body that cannot be
// read is reported as an error in the event and leaves the last good status in place, so a hostile or broken
// document costs a log line, never the subscription. A NOTIFY without a body (RFC 3856 §6.6.2 allows it while
// authorization is pending) changes nothing but the subscription state.
import type { SipUri } from '../sip/message/uri';
import { formatUri } from '../sip/message/uri';
import { PIDF_CONTENT_TYPE, type PidfError, type PresenceDocument, parsePidf } from './pidf';
import { type MergeOptions, type MergedPresence, mergePresence } from './presence-merge';
import type { Subscription } from './subscription';
import type { SubscriptionState } from './subscription-state';
import type { SubscriberAccount, SubscriptionUsage } from './subscription-usage';
import { type Result, err, ok } from '../sip/message/result';

export type PresenceEvent =
  | {
      readonly kind: 'presence';
      readonly uri: string;
      readonly presence: MergedPresence;
      readonly document: PresenceDocument;
    }
  | { readonly kind: 'unreadable'; readonly uri: string; readonly error: PidfError }
  | { readonly kind: 'subscription'; readonly uri: string; readonly state: SubscriptionState };

/** RFC 3856 §6.4 suggests an hour for presence subscriptions. */
export const DEFAULT_PRESENCE_EXPIRES = 3_600;

export interface WatchOptions extends MergeOptions {
  readonly expires?: number;
}

export class PresenceWatcher {
  readonly subscription: Subscription;
  readonly uri: string;
  readonly #listeners = new Set<(event: PresenceEvent) => void>();
  #last: MergedPresence | undefined;

  private constructor(subscription: Subscription, target: SipUri, options: WatchOptions) {
    this.subscription = subscription;
    this.uri = formatUri(target);
    subscription.onStateChanged((state) => this.#emit({ kind: 'subscription', uri: this.uri, state }));
    subscription.onNotify((notification) => {
      if (notification.body.length === 0) return;
      const parsed = parsePidf(notification.body);
      if (!parsed.ok) {
        this.#emit({ kind: 'unreadable', uri: this.uri, error: parsed.error });
        return;
      }
      this.#last = mergePresence(parsed.value, options);
      this.#emit({ kind: 'presence', uri: this.uri, presence: this.#last, document: parsed.value });
    });
  }

  /** Creates the watcher (not yet subscribed: call start() once listeners are in place). */
  static create(
    usage: SubscriptionUsage,
    account: SubscriberAccount,
    target: SipUri,
    options: WatchOptions = {},
  ): Result<PresenceWatcher, { readonly code: 'limit'; readonly message: string }> {
    const made = usage.create(account, {
      target,
      event: 'presence',
      accept: [PIDF_CONTENT_TYPE],
      expires: options.expires ?? DEFAULT_PRESENCE_EXPIRES,
    });
    if (!made.ok) return err(made.error);
    return ok(new PresenceWatcher(made.value, target, options));
  }

  /** The last status read, if any. */
  get presence(): MergedPresence | undefined {
    return this.#last;
  }

  on(listener: (event: PresenceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.subscription.subscribe();
  }

  #emit(event: PresenceEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
