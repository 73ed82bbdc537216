// Our own presence for one account: the status a person picks (available, away, busy, do not disturb, appear
// offline) and a note, published as PIDF (pidf-builder.ts) with Event: presence over a Publication (RFC 3903,
// RFC 3856 §6 names the package). The tuple and person ids stay the same for the life of this publisher, so each
// change modifies the same elements at the presence server instead of adding new ones.
import { formatUri } from '../sip/message/uri';
import { resolveNextHop } from '../ua/next-hop';
import { type OwnPresence, type PublishedStatus, buildPidf } from './pidf-builder';
import { PIDF_CONTENT_TYPE } from './pidf';
import { Publication, type PublicationState } from './publication';
import { type SubscriberAccount, type SubscriptionHost, authenticatorOf } from './subscription-usage';

/** RFC 3903 leaves the lifetime to us; an hour keeps refreshes rare and a crashed client's status short-lived. */
export const DEFAULT_PUBLISH_EXPIRES = 3_600;

export type PublisherHost = Omit<SubscriptionHost, 'core' | 'dialogs'>;

export interface PresencePublisherOptions {
  readonly expires?: number;
  /** Where this device can be reached, published as the tuple's contact. */
  readonly contact?: string;
}

export class PresencePublisher {
  readonly publication: Publication;
  readonly #entity: string;
  readonly #contact: string | undefined;
  readonly #tupleId: string;
  readonly #personId: string;
  readonly #wallTime: () => number;
  readonly #presenceListeners = new Set<(presence: OwnPresence) => void>();
  #current: OwnPresence | undefined;

  constructor(account: SubscriberAccount, host: PublisherHost, options: PresencePublisherOptions = {}) {
    const aor = account.requests.identity.aor;
    this.#entity = formatUri({ ...aor, params: new Map(), headers: new Map() });
    this.#contact = options.contact;
    // XML ids must start with a letter (an NCName); the random part keeps two devices of one person apart.
    this.#tupleId = `t${host.random.token(8)}`;
    this.#personId = `p${host.random.token(8)}`;
    this.#wallTime = () => host.clock.wallTime();
    this.publication = new Publication(
      {
        target: aor,
        event: 'presence',
        contentType: PIDF_CONTENT_TYPE,
        expires: options.expires ?? DEFAULT_PUBLISH_EXPIRES,
      },
      {
        clock: host.clock,
        random: host.random,
        sender: host.sender,
        requests: account.requests,
        authenticator: authenticatorOf(account, host.random),
        resolveDestination: () =>
          resolveNextHop(aor, account.outboundProxy, account.transport, host.resolver),
        ...(account.backoff ? { backoff: account.backoff } : {}),
        ...(host.logger ? { logger: host.logger } : {}),
      },
    );
  }

  get state(): PublicationState {
    return this.publication.state;
  }

  onStateChanged(listener: (state: PublicationState, previous: PublicationState) => void): () => void {
    return this.publication.onStateChanged(listener);
  }

  /** The status last set, as published (and as a peer-to-peer notifier tells watchers, presence-notifier.ts). */
  get current(): OwnPresence | undefined {
    return this.#current;
  }

  /** Hears every status set from now on, whether or not the server takes PUBLISH. */
  onPresence(listener: (presence: OwnPresence) => void): () => void {
    this.#presenceListeners.add(listener);
    return () => this.#presenceListeners.delete(listener);
  }

  /** Publishes `status` with an optional note (modifying the publication when one is up). */
  setStatus(status: PublishedStatus, note?: string): void {
    const presence: OwnPresence = {
      entity: this.#entity,
      status,
      ...(note !== undefined && note !== '' ? { note } : {}),
      ...(this.#contact !== undefined ? { contact: this.#contact } : {}),
      timestamp: this.#wallTime(),
      tupleId: this.#tupleId,
      personId: this.#personId,
    };
    this.#current = presence;
    this.publication.publish(new TextEncoder().encode(buildPidf(presence)));
    for (const listener of this.#presenceListeners) listener(presence);
  }

  remove(timeoutMs?: number): Promise<void> {
    return this.publication.remove(timeoutMs);
  }

  dispose(): void {
    this.publication.dispose();
  }
}
