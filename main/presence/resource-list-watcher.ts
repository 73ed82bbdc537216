// Watching a whole buddy list with one subscription (RFC 4662): SUBSCRIBE to the list's URI with `Supported:
// eventlist` and an Accept of multipart/related, application/rlmi+xml and application/pidf+xml (§4.1); each NOTIFY
// carries an RLMI document and the PIDF of each resource that changed (rlmi.ts, multipart.ts). Every resource comes
// out as the same PresenceEvent a PresenceWatcher gives for one buddy, keyed by the resource's URI, so whoever keeps
// a buddy list cannot tell the two apart.
//
// Full and partial state (§5.2): a fullState document is the whole list (a resource it no longer names has left the
// list: a `terminated`/`noresource` event for it); a partial one names only what changed, and its version must be the
// last one plus one. A gap means a NOTIFY was lost: we subscribe afresh, whose first NOTIFY is full state (§4.4), and
// skip the partial one. A version at or below the last one is old news and skipped too.
//
// Per resource: an active instance with a PIDF part is a status; several active instances (the resource's own forks
// behind the list server) are merged as one document with all their tuples and persons. A pending instance, or an
// active one without a part, says a subscription exists but no state yet (`pending`); a terminated one ends that
// resource with its reason (rejected, noresource, invariant; any other reason is the list server's to retry, so the
// resource shows as pending). A resource whose instance is a nested list (§5.4) has its own resources reported.
//
// The server may also answer with a plain PIDF (it is no list server, the URI named one person): that is reported
// for the subscribed URI, as the single watcher would.
import { type Result, err, ok } from '../sip/message/result';
import type { SipUri } from '../sip/message/uri';
import { formatUri, parseUri } from '../sip/message/uri';
import type { MultipartLimits } from './multipart';
import { PIDF_CONTENT_TYPE, type PresenceDocument, parsePidf } from './pidf';
import { type MergeOptions, mergePresence } from './presence-merge';
import type { PresenceEvent } from './presence-watcher';
import {
  MULTIPART_RELATED,
  RLMI_CONTENT_TYPE,
  type ResolvedResource,
  type ResourceListBody,
  type ResourceListError,
  parseResourceListBody,
} from './rlmi';
import type { Notification, Subscription } from './subscription';
import type { SubscriptionState, TerminatedReason } from './subscription-state';
import type { SubscriberAccount, SubscriptionUsage } from './subscription-usage';
import type { XmlLimits } from './xml-document';

export const EVENTLIST_OPTION_TAG = 'eventlist';

/** What the list itself says, besides its resources' presence. */
export type ResourceListEvent =
  | PresenceEvent
  | {
      readonly kind: 'list';
      /** The list's URI (the subscription's target). */
      readonly uri: string;
      readonly version: number;
      readonly fullState: boolean;
      /** The resources the list holds now, in the order the server last listed them. */
      readonly resources: readonly string[];
      readonly name?: string;
    }
  | { readonly kind: 'list-unreadable'; readonly uri: string; readonly error: ResourceListError }
  /** A version gap (§5.2): the partial NOTIFY was skipped and the list subscribed afresh for full state. */
  | { readonly kind: 'resync'; readonly uri: string; readonly expected: number; readonly received: number };

export interface ResourceListOptions extends MergeOptions {
  readonly expires?: number;
  readonly limits?: { readonly multipart?: MultipartLimits; readonly xml?: XmlLimits };
}

/** Resources kept per list: a list server that names more is not describing a buddy list. */
const MAX_RESOURCES = 2_000;
const STOPPING_REASONS = new Set<TerminatedReason>(['rejected', 'noresource', 'invariant']);

export class ResourceListWatcher {
  readonly subscription: Subscription;
  /** The list's URI as subscribed. */
  readonly uri: string;
  readonly #options: ResourceListOptions;
  readonly #listeners = new Set<(event: ResourceListEvent) => void>();
  /**
   * The resources listed now, by URI, in list order, with the display name the list gives. Only these few strings are
   * kept: a resource's parts are views into the NOTIFY's body, and keeping one would keep the whole body alive.
   */
  readonly #resources = new Map<string, { readonly name?: string }>();
  #version: number | undefined;

  private constructor(subscription: Subscription, target: SipUri, options: ResourceListOptions) {
    this.subscription = subscription;
    this.uri = formatUri(target);
    this.#options = options;
    subscription.onStateChanged((state) => {
      // A fresh subscription numbers its NOTIFYs from its own start (§5.2).
      if (state.name === 'subscribing') this.#version = undefined;
      this.#emit({ kind: 'subscription', uri: this.uri, state });
    });
    subscription.onNotify((notification) => this.#receive(notification));
  }

  /** Creates the watcher for the list at `target` (not yet subscribed: call start() once listeners are in place). */
  static create(
    usage: SubscriptionUsage,
    account: SubscriberAccount,
    target: SipUri,
    options: ResourceListOptions = {},
  ): Result<ResourceListWatcher, { readonly code: 'limit'; readonly message: string }> {
    const made = usage.create(account, {
      target,
      event: 'presence',
      accept: [MULTIPART_RELATED, RLMI_CONTENT_TYPE, PIDF_CONTENT_TYPE],
      expires: options.expires ?? 3_600,
      supported: [EVENTLIST_OPTION_TAG],
    });
    if (!made.ok) return err(made.error);
    return ok(new ResourceListWatcher(made.value, target, options));
  }

  /** The resources the list holds now. */
  get resources(): string[] {
    return [...this.#resources.keys()];
  }

  /** The display name the list gives `uri` (RFC 4662 §5.2 <name>), if any. */
  nameOf(uri: string): string | undefined {
    return this.#resources.get(uri)?.name;
  }

  /** The version of the last list document taken. */
  get version(): number | undefined {
    return this.#version;
  }

  on(listener: (event: ResourceListEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.subscription.subscribe();
  }

  #receive(notification: Notification): void {
    if (notification.body.length === 0) return;
    const contentType = notification.contentType ?? '';
    if (/^\s*application\/pidf\+xml\s*(;|$)/i.test(contentType)) {
      this.#single(notification.body);
      return;
    }
    const parsed = parseResourceListBody(notification.body, contentType, this.#options.limits);
    if (!parsed.ok) {
      this.#emit({ kind: 'list-unreadable', uri: this.uri, error: parsed.error });
      return;
    }
    const list = parsed.value;
    const last = this.#version;
    if (last !== undefined && list.version <= last) return;
    // A partial document first is taken as it is: resubscribing for it could loop with a server that never sends
    // full state, and what it names is still true.
    if (!list.fullState && last !== undefined && list.version !== last + 1) {
      this.#emit({ kind: 'resync', uri: this.uri, expected: last + 1, received: list.version });
      this.#version = undefined;
      this.subscription.subscribe();
      return;
    }
    this.#version = list.version;
    this.#take(list);
  }

  #take(list: ResourceListBody): void {
    const events: ResourceListEvent[] = [];
    if (list.fullState) {
      const named = new Set(list.resources.map((resource) => normalize(resource.uri)));
      for (const uri of this.#resources.keys()) {
        if (named.has(uri)) continue;
        this.#resources.delete(uri);
        events.push(this.#state(uri, { name: 'terminated', reason: 'noresource', detail: 'left the list' }));
      }
    }
    for (const resource of list.resources) {
      const uri = normalize(resource.uri);
      if (!this.#resources.has(uri) && this.#resources.size >= MAX_RESOURCES) continue;
      const name = resource.names[0]?.text;
      this.#resources.set(uri, name !== undefined ? { name } : {});
      events.push(...this.#resourceEvents(uri, resource, 1));
    }
    const name = list.names[0]?.text;
    events.unshift({
      kind: 'list',
      uri: this.uri,
      version: list.version,
      fullState: list.fullState,
      resources: [...this.#resources.keys()],
      ...(name !== undefined ? { name } : {}),
    });
    for (const event of events) this.#emit(event);
  }

  #resourceEvents(uri: string, resource: ResolvedResource, depth: number): ResourceListEvent[] {
    const nested = resource.instances.flatMap((instance) =>
      instance.content?.kind === 'list' && depth < 2 ? [instance.content.list] : [],
    );
    if (nested.length > 0)
      return nested.flatMap((list) =>
        list.resources.flatMap((inner) => this.#resourceEvents(normalize(inner.uri), inner, depth + 1)),
      );
    const active = resource.instances.filter((instance) => instance.state === 'active');
    const documents: PresenceDocument[] = [];
    for (const instance of active) {
      const content = instance.content;
      if (content?.kind !== 'document' || content.contentType.type !== PIDF_CONTENT_TYPE) continue;
      const parsed = parsePidf(content.body);
      if (!parsed.ok) return [{ kind: 'unreadable', uri, error: parsed.error }];
      documents.push(parsed.value);
    }
    if (documents.length > 0) {
      const document = combine(documents);
      return [{ kind: 'presence', uri, presence: mergePresence(document, this.#options), document }];
    }
    if (active.length > 0 || resource.instances.some((instance) => instance.state === 'pending'))
      return [this.#state(uri, { name: 'pending' })];
    const ended = resource.instances.find((instance) => instance.state === 'terminated');
    if (!ended) return [this.#state(uri, { name: 'pending' })];
    const reason = ended.reason as TerminatedReason | undefined;
    if (reason !== undefined && STOPPING_REASONS.has(reason))
      return [this.#state(uri, { name: 'terminated', reason, detail: `terminated;reason=${reason}` })];
    // deactivated, timeout, probation, giveup...: the list server resubscribes on its side (§4.4).
    return [this.#state(uri, { name: 'pending' })];
  }

  #single(body: Uint8Array): void {
    const parsed = parsePidf(body);
    if (!parsed.ok) {
      this.#emit({ kind: 'unreadable', uri: this.uri, error: parsed.error });
      return;
    }
    const presence = mergePresence(parsed.value, this.#options);
    this.#emit({ kind: 'presence', uri: this.uri, presence, document: parsed.value });
  }

  #state(uri: string, state: SubscriptionState): PresenceEvent {
    return { kind: 'subscription', uri, state };
  }

  #emit(event: ResourceListEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** One document out of several instances' documents: every tuple, person and note, for the usual merge. */
function combine(documents: readonly PresenceDocument[]): PresenceDocument {
  if (documents.length === 1) return documents[0]!;
  return {
    entity: documents[0]!.entity,
    tuples: documents.flatMap((d) => d.tuples),
    persons: documents.flatMap((d) => d.persons),
    notes: documents.flatMap((d) => d.notes),
  };
}

/** The resource's URI as the single watcher spells a target (formatUri), so both key a buddy the same way. */
function normalize(uri: string): string {
  const parsed = parseUri(uri);
  return parsed.ok ? formatUri(parsed.value) : uri;
}
