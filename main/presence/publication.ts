// RFC 3903: one event state publication (PUBLISH) and its entity-tag. The first PUBLISH carries the body and no
// SIP-If-Match (§4.2); the 2xx names the entity-tag (SIP-ETag) and the lifetime (Expires). After that, every PUBLISH
// names the tag in SIP-If-Match: a refresh without a body before expiry (§4.3), a modification with the new body
// (§4.4), a removal with Expires: 0 (§4.5). 412 Conditional Request Failed means the server forgot the tag: start
// again with a fresh initial publication (§6 step 5). 423 is answered with Min-Expires (§5, RFC 3261 §21.4.17).
// 489 Bad Event, 501 Not Implemented and 405 Method Not Allowed mean the server takes no PUBLISH for this package:
// the state says `unsupported`, so a later piece can answer watchers itself instead (peer-to-peer presence).
//
//            publish(body)            2xx with SIP-ETag
//   idle ─────────────────► publishing ───────────────► published ──┐ refresh timer, publish(body): publishing
//                             │  ▲  │ 5xx/408/480: backoff             │
//                             │  │  └──────► failed(retry) ───────────┘
//                             │  └─ timer ──────┘
//                             ├──── 489/501/405 ────► unsupported
//                             └──── other 4xx-6xx ──► failed (no retry)        remove(): removing ──► removed
//
// One PUBLISH at a time (§4: a new one waits for the previous one's answer): a change made meanwhile is sent as soon
// as the answer is in.
import type { Clock, TimerHandle } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { Random } from '../platform/random';
import type { DigestAuthenticator } from '../sip/auth/authenticator';
import type { SipResponse } from '../sip/message/message';
import { type SipUri, formatUri } from '../sip/message/uri';
import type { Destination } from '../sip/transport/types';
import type { BackoffPolicy } from '../ua/backoff';
import { type Exchange, Refresher } from '../ua/refresher';
import type { RequestFactory, RequestSequence } from '../ua/request-factory';
import type { RequestSender } from '../ua/request-sender';

export type PublicationState =
  | { readonly name: 'idle' }
  | { readonly name: 'publishing' }
  | { readonly name: 'published'; readonly etag: string; readonly expires: number }
  | {
      readonly name: 'failed';
      readonly detail: string;
      readonly status?: number;
      readonly retryInMs?: number;
    }
  /** The server takes no PUBLISH for this event package (489, 501 or 405). */
  | { readonly name: 'unsupported'; readonly status: number; readonly detail: string }
  | { readonly name: 'removing' }
  | { readonly name: 'removed' };

export interface PublicationSpec {
  /** The presentity: the Request-URI and To of the PUBLISH, our address-of-record for presence. */
  readonly target: SipUri;
  readonly event: string;
  readonly contentType: string;
  /** Requested lifetime in seconds. */
  readonly expires: number;
}

export interface PublicationDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly sender: RequestSender;
  readonly requests: RequestFactory;
  readonly authenticator: DigestAuthenticator;
  readonly resolveDestination: () => Promise<Destination>;
  readonly backoff?: BackoffPolicy;
  readonly logger?: Logger;
}

type Kind = 'initial' | 'refresh' | 'modify' | 'remove';
type StateListener = (state: PublicationState, previous: PublicationState) => void;

const MAX_INTERVAL_RETRIES = 2;
const UNSUPPORTED = new Set([405, 489, 501]);

export class Publication {
  readonly spec: PublicationSpec;
  readonly #deps: PublicationDeps;
  readonly #refresher: Refresher;
  readonly #sequence: RequestSequence;
  readonly #listeners = new Set<StateListener>();
  #state: PublicationState = { name: 'idle' };
  #body: Uint8Array | undefined;
  /** The body the server holds under #etag differs from #body: the next exchange modifies. */
  #changed = false;
  #etag: string | undefined;
  #requestedExpires: number;
  #intervalRetries = 0;
  #inFlight = false;
  /** publish() was called while a PUBLISH was in flight: send the change once it is answered. */
  #queued = false;
  #removeGuard: TimerHandle | undefined;

  constructor(spec: PublicationSpec, deps: PublicationDeps) {
    this.spec = spec;
    this.#deps = deps;
    this.#requestedExpires = spec.expires;
    this.#sequence = deps.requests.sequence();
    this.#refresher = new Refresher({
      clock: deps.clock,
      random: deps.random,
      ...(deps.backoff ? { policy: { backoff: deps.backoff } } : {}),
      send: (exchange) => void this.#send(exchange),
    });
  }

  get state(): PublicationState {
    return this.#state;
  }

  /** The entity-tag the server gave our current publication, if any. */
  get etag(): string | undefined {
    return this.#etag;
  }

  onStateChanged(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Publishes `body` (the first time, or as a modification) and keeps it refreshed. */
  publish(body: Uint8Array): void {
    if (this.#state.name === 'removing' || this.#state.name === 'unsupported') return;
    this.#body = body;
    this.#changed = true;
    this.#intervalRetries = 0;
    if (this.#inFlight) {
      this.#queued = true;
      return;
    }
    this.#refresher.start();
  }

  /** Removes the publication (Expires: 0, §4.5); resolves when answered, after `timeoutMs` at the latest. */
  remove(timeoutMs = 4_000): Promise<void> {
    const generation = this.#refresher.stop();
    this.#queued = false;
    const etag = this.#etag;
    if (etag === undefined || this.#state.name === 'removing') {
      if (this.#state.name !== 'removing') this.#transition({ name: 'removed' });
      return Promise.resolve();
    }
    this.#transition({ name: 'removing' });
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        this.#deps.clock.clearTimer(this.#removeGuard);
        this.#removeGuard = undefined;
        if (this.#state.name !== 'removing') return;
        this.#etag = undefined;
        this.#transition({ name: 'removed' });
        resolve();
      };
      this.#removeGuard = this.#deps.clock.setTimer(timeoutMs, finish);
      void this.#exchange('remove', generation, (response) => {
        if ((response.status === 401 || response.status === 407) && this.#challenge(response)) return 'again';
        finish();
        return 'done';
      });
    });
  }

  /** Stops the refresh timer without sending anything (tests, process exit after remove). */
  dispose(): void {
    this.#refresher.stop();
    this.#deps.clock.clearTimer(this.#removeGuard);
  }

  async #send(exchange: Exchange): Promise<void> {
    const generation = exchange.generation;
    const kind: Kind = this.#etag === undefined ? 'initial' : this.#changed ? 'modify' : 'refresh';
    if (this.#state.name !== 'published') this.#transition({ name: 'publishing' });
    await this.#exchange(kind, generation, (response, sent) => this.#onFinal(sent, response, generation));
  }

  /** One PUBLISH of `kind`; `onFinal` returns 'again' to send the same kind once more (after a challenge, 412, 423). */
  async #exchange(
    kind: Kind,
    generation: number,
    onFinal: (response: SipResponse, sent: Kind) => 'done' | 'again' | Kind,
  ): Promise<void> {
    let destination: Destination;
    try {
      destination = await this.#deps.resolveDestination();
    } catch (error) {
      if (kind !== 'remove' && this.#refresher.isCurrent(generation))
        this.#fail(generation, `cannot resolve: ${messageOf(error)}`, undefined, true);
      return;
    }
    const headers: Array<readonly [string, string]> = [
      ['Event', this.spec.event],
      ['Expires', String(kind === 'remove' ? 0 : this.#requestedExpires)],
    ];
    if (kind !== 'initial' && this.#etag !== undefined) headers.push(['SIP-If-Match', this.#etag]);
    const withBody = kind === 'initial' || kind === 'modify';
    const body = withBody ? this.#body : undefined;
    const request = this.#sequence.next(destination, {
      method: 'PUBLISH',
      requestUri: this.spec.target,
      headers,
      ...(body ? { body, contentType: this.spec.contentType } : {}),
    });
    for (const header of this.#deps.authenticator.authorize({
      method: 'PUBLISH',
      uri: formatUri(this.spec.target),
    }))
      request.addHeader(header.name, header.value);
    this.#inFlight = kind !== 'remove';
    try {
      this.#deps.sender.sendRequest(request, destination, {
        onFinal: (response) => {
          this.#inFlight = false;
          let next: 'done' | 'again' | Kind = 'done';
          try {
            next = onFinal(response, kind);
          } catch (error) {
            (this.#deps.logger ?? silentLogger).log('warn', 'could not process a response to PUBLISH', {
              error: messageOf(error),
            });
            if (kind !== 'remove' && this.#refresher.isCurrent(generation))
              this.#fail(generation, `unreadable response: ${messageOf(error)}`, response.status, true);
          }
          if (next === 'again') void this.#exchange(kind, generation, onFinal);
          else if (next !== 'done') void this.#exchange(next, generation, onFinal);
          else this.#sendQueued();
        },
      });
    } catch (error) {
      this.#inFlight = false;
      if (kind !== 'remove' && this.#refresher.isCurrent(generation))
        this.#fail(generation, `cannot send PUBLISH: ${messageOf(error)}`, undefined, true);
    }
  }

  #onFinal(kind: Kind, response: SipResponse, generation: number): 'done' | 'again' | Kind {
    if (!this.#refresher.isCurrent(generation)) return 'done';
    const status = response.status;
    if (status >= 200 && status < 300) {
      const etag = response.header('sip-etag')?.trim();
      const expires = response.tryExpires();
      if (!etag) {
        // §6 step 7 requires SIP-ETag in the 2xx: without it we could never refresh or remove.
        this.#fail(generation, `${status} without SIP-ETag`, status, true);
        return 'done';
      }
      this.#deps.authenticator.noteSuccess();
      this.#intervalRetries = 0;
      this.#etag = etag;
      // A change made while this PUBLISH was in flight is still to be sent (queued): it must go as a modification.
      if (kind !== 'refresh' && !this.#queued) this.#changed = false;
      const granted =
        expires.ok && expires.value !== undefined && expires.value > 0
          ? expires.value
          : this.#requestedExpires;
      this.#transition({ name: 'published', etag, expires: granted });
      this.#refresher.succeeded(generation, granted);
      return 'done';
    }
    if (status === 401 || status === 407) return this.#challenge(response, generation) ? 'again' : 'done';
    if (status === 412 && kind !== 'initial') {
      // §6 step 5 / §4.3: the server has no publication under our tag (it restarted, or it expired): start over.
      this.#etag = undefined;
      this.#changed = true;
      return 'initial';
    }
    if (status === 423) {
      const minimum = response.tryMinExpires();
      if (
        minimum.ok &&
        minimum.value !== undefined &&
        minimum.value > this.#requestedExpires &&
        this.#intervalRetries < MAX_INTERVAL_RETRIES
      ) {
        this.#intervalRetries++;
        this.#requestedExpires = minimum.value;
        return 'again';
      }
    }
    const line = `${status} ${response.reason}`.trim();
    if (UNSUPPORTED.has(status)) {
      this.#refresher.stop();
      this.#etag = undefined;
      this.#transition({ name: 'unsupported', status, detail: line });
      return 'done';
    }
    const temporary = status === 408 || status === 480 || (status >= 500 && status < 600);
    this.#fail(generation, line, status, temporary);
    return 'done';
  }

  #challenge(response: SipResponse, generation?: number): boolean {
    const challenges = response.status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
    const outcome = this.#deps.authenticator.handleChallenge({
      status: response.status as 401 | 407,
      challenges,
    });
    if (outcome.action === 'retry') return true;
    if (generation !== undefined)
      this.#fail(generation, `${response.status} ${response.reason}`.trim(), response.status, false);
    return false;
  }

  #fail(generation: number, detail: string, status: number | undefined, retry: boolean): void {
    const retryInMs = this.#refresher.failed(generation, retry);
    this.#transition({
      name: 'failed',
      detail,
      ...(status !== undefined ? { status } : {}),
      ...(retryInMs !== undefined ? { retryInMs } : {}),
    });
  }

  #sendQueued(): void {
    if (!this.#queued) return;
    this.#queued = false;
    this.#refresher.start();
  }

  #transition(next: PublicationState): void {
    const previous = this.#state;
    if (previous.name === 'removed' && next.name !== 'publishing') return;
    this.#state = next;
    for (const listener of this.#listeners) listener(next, previous);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
