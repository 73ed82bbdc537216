// RFC 3261 §10.2: a UA's registration of one Contact for one address-of-record, kept alive by refreshes (§10.2.4),
// negotiated by 423 Interval Too Brief (§10.2.8, §21.4.17), authenticated by digest (§22, RFC 7616/8760), recovered
// after failures with capped exponential backoff (RFC 5626 §4.5 in spirit) and removed with Expires: 0 (§10.2.2).
// The requests come from the RequestFactory, the timing (refresh, backoff, stale exchanges) from the Refresher, and
// the flow's keep-alive from the flow itself (flow-keep-alive.ts): this file is what is particular to REGISTER.
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { silentLogger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import { DigestAuthenticator } from '../../sip/auth/authenticator';
import type { SipResponse } from '../../sip/message/message';
import type { NameAddr } from '../../sip/message/name-addr';
import { type SipUri, formatUri, isSipUri } from '../../sip/message/uri';
import { isSynthesizedResponse } from '../../sip/transaction/client-transaction';
import type { Destination } from '../../sip/transport/types';
import type { BackoffPolicy } from '../backoff';
import type { KeepAlivePolicy } from '../flow-keep-alive';
import { type Exchange, Refresher } from '../refresher';
import type { RequestFactory, RequestSequence } from '../request-factory';
import type { RequestSender } from '../request-sender';
import {
  type FailureReason,
  type PreviousFailure,
  type RegistrationState,
  type RegistrationStateName,
  canTransition,
  classifyFailure,
} from './registration-state';

export interface RegistrationAccount {
  readonly password: string;
  /** Digest user name when it differs from the AoR's user part. */
  readonly authUser?: string;
  /** Registrar URI; defaults to the AoR's domain (RFC 3261 §10.2.6). */
  readonly registrar?: SipUri;
  /** Requested binding lifetime in seconds (RFC 3261 §10.2.1.1). */
  readonly expires: number;
}

/** Watches the flow a registration uses; `onFailed` runs once if it breaks. Returns the way to stop watching. */
export type FlowWatch = (destination: Destination, onFailed: (detail: string) => void) => () => void;

export interface RegistererDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly sender: RequestSender;
  /** Builds our REGISTERs: identity (the AoR), route set, Contact, Allow, User-Agent, Call-ID and CSeq. */
  readonly requests: RequestFactory;
  /** Where REGISTERs go: the outbound proxy or the registrar, already resolved to an IP literal. */
  readonly resolveDestination: () => Promise<Destination>;
  /** Keeps the flow to the registrar alive while registered and says when it breaks. */
  readonly watchFlow?: FlowWatch;
  readonly backoff?: BackoffPolicy;
  readonly logger?: Logger;
}

export type StateListener = (state: RegistrationState, previous: RegistrationState) => void;

/** How many 423s in a row we follow before concluding the registrar and we cannot agree. */
const MAX_INTERVAL_RETRIES = 2;

export class Registerer {
  readonly #account: RegistrationAccount;
  readonly #deps: RegistererDeps;
  readonly #auth: DigestAuthenticator;
  readonly #aor: SipUri;
  readonly #registrar: SipUri;
  /** RFC 3261 §10.2.4: refreshes reuse the Call-ID and increase the CSeq. */
  readonly #sequence: RequestSequence;
  readonly #refresher: Refresher;
  readonly #listeners = new Set<StateListener>();
  #state: RegistrationState = { name: 'unregistered' };
  #requestedExpires: number;
  #intervalRetries = 0;
  /** The last failure, shown while an automatic retry is in flight; cleared by success and by register(). */
  #lastFailure: PreviousFailure | undefined;
  #destination: Destination | undefined;
  #contact: NameAddr | undefined;
  #unwatchFlow: (() => void) | undefined;
  #watchedFlow: Destination | undefined;
  #unregisterWaiters: Array<() => void> = [];

  constructor(account: RegistrationAccount, deps: RegistererDeps) {
    this.#account = account;
    this.#deps = deps;
    this.#aor = deps.requests.identity.aor;
    this.#registrar = account.registrar ?? registrarOf(this.#aor);
    this.#auth = new DigestAuthenticator({
      username: account.authUser ?? this.#aor.user ?? '',
      password: account.password,
      random: deps.random,
    });
    this.#sequence = deps.requests.sequence();
    this.#refresher = new Refresher({
      clock: deps.clock,
      random: deps.random,
      ...(deps.backoff ? { policy: { backoff: deps.backoff } } : {}),
      send: (exchange) => void this.#send(exchange),
    });
    this.#requestedExpires = account.expires;
  }

  get state(): RegistrationState {
    return this.#state;
  }

  get destination(): Destination | undefined {
    return this.#destination;
  }

  onStateChanged(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts registering (or re-registers now when already registered or waiting to retry). */
  register(): void {
    if (this.#state.name === 'unregistering') return;
    this.#intervalRetries = 0;
    this.#requestedExpires = this.#account.expires;
    this.#lastFailure = undefined;
    this.#refresher.start();
  }

  /**
   * Removes our binding (Expires: 0) and resolves when the registrar answered, or after `timeoutMs` at the latest,
   * so quitting never hangs on an unreachable server.
   */
  unregister(timeoutMs = 4_000): Promise<void> {
    this.#stopWatchingFlow();
    const wasBound = this.#state.name === 'registered' || this.#state.name === 'registering';
    if (this.#state.name === 'unregistered') {
      this.#refresher.stop();
      return Promise.resolve();
    }
    if (!wasBound || !this.#destination || !this.#contact) {
      this.#refresher.stop();
      if (this.#state.name !== 'unregistering') this.#transition({ name: 'unregistering' });
      this.#transition({ name: 'unregistered' });
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.#unregisterWaiters.push(resolve));
    if (this.#state.name !== 'unregistering') {
      this.#transition({ name: 'unregistering' });
      // The closing exchange gets a generation of its own: late answers to the REGISTERs before it are ignored.
      const generation = this.#refresher.stop();
      const guard = this.#deps.clock.setTimer(timeoutMs, () => this.#finishUnregister(generation));
      const finish = (): void => {
        this.#deps.clock.clearTimer(guard);
        this.#finishUnregister(generation);
      };
      try {
        this.#sendRegister(0, generation, (response) => {
          this.#deps.clock.clearTimer(guard);
          if ((response.status === 401 || response.status === 407) && this.#retryAuth(response, generation)) {
            this.#sendRegister(0, generation, finish);
            return;
          }
          this.#finishUnregister(generation);
        });
      } catch (error) {
        // Nothing could be sent (the transport is gone): the binding will expire by itself.
        this.#log('warn', 'could not send the un-REGISTER', { error: messageOf(error) });
        finish();
      }
    }
    return done;
  }

  /** The flow to the registrar broke (TCP closed, keep-alive failed): register again right away. */
  flowFailed(): void {
    if (this.#state.name !== 'registered') return;
    this.#log('info', 'flow to the registrar lost; registering again');
    this.register();
  }

  /** Stops timers without sending anything (process exit after unregister, or tests). */
  dispose(): void {
    this.#refresher.stop();
    this.#stopWatchingFlow();
  }

  async #send(exchange: Exchange): Promise<void> {
    const generation = exchange.generation;
    // A refresh keeps showing "registered": the binding is still in place while it is renewed.
    if (this.#state.name !== 'registered') {
      const previous = this.#lastFailure;
      this.#transition({
        name: 'registering',
        attempt: exchange.attempt,
        ...(previous ? { previous } : {}),
      });
    }
    let destination: Destination;
    try {
      destination = await this.#deps.resolveDestination();
    } catch (error) {
      if (!this.#refresher.isCurrent(generation)) return;
      this.#fail(
        generation,
        'unreachable',
        undefined,
        `cannot resolve the registrar: ${messageOf(error)}`,
        true,
      );
      return;
    }
    if (!this.#refresher.isCurrent(generation)) return;
    this.#destination = destination;
    try {
      this.#sendRegister(this.#requestedExpires, generation, (response) =>
        this.#onFinal(response, generation),
      );
    } catch (error) {
      this.#fail(generation, 'unreachable', undefined, `cannot send REGISTER: ${messageOf(error)}`, true);
    }
  }

  #sendRegister(expires: number, generation: number, onFinal: (response: SipResponse) => void): void {
    const destination = this.#destination!;
    const requests = this.#deps.requests;
    this.#contact = requests.contact(destination);
    const identity = requests.identity;
    const request = this.#sequence.next(destination, {
      method: 'REGISTER',
      requestUri: this.#registrar,
      // §10.2: To carries the AoR whose bindings are being managed (so does From, a third party aside).
      to: {
        uri: identity.aor,
        params: new Map(),
        ...(identity.displayName ? { displayName: identity.displayName } : {}),
      },
      contact: this.#contact,
      headers: [['Expires', String(expires)]],
    });
    for (const header of this.#auth.authorize({ method: 'REGISTER', uri: formatUri(this.#registrar) })) {
      request.addHeader(header.name, header.value);
    }
    this.#deps.sender.sendRequest(request, destination, {
      onFinal: (response) => {
        if (!this.#refresher.isCurrent(generation)) return;
        this.#read(response, generation, () => onFinal(response));
      },
    });
  }

  /**
   * Runs what reads a response. Every typed view read on this path goes through the Result readers (`tryContact()`…); this is the last line
   * behind it, so a surprise can only end the exchange as a failure with a retry, never leave it waiting for ever.
   */
  #read(response: SipResponse, generation: number, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.#log('warn', 'could not process a response to REGISTER', { error: messageOf(error) });
      if (!this.#refresher.isCurrent(generation)) return;
      if (this.#state.name === 'unregistering') {
        this.#finishUnregister(generation);
        return;
      }
      const detail = `${this.#statusLine(response)}${this.#fromServer()} could not be read: ${messageOf(error)}`;
      this.#fail(generation, 'server-error', response.status, detail, true);
    }
  }

  #onFinal(response: SipResponse, generation: number): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#onSuccess(response, generation);
      return;
    }
    if (status === 401 || status === 407) {
      if (this.#retryAuth(response, generation)) {
        this.#sendRegister(this.#requestedExpires, generation, (next) => this.#onFinal(next, generation));
      }
      return;
    }
    if (status === 423) {
      // RFC 3261 §10.2.8: retry with an Expires no shorter than Min-Expires.
      const minimum = response.minExpires;
      if (
        minimum !== undefined &&
        minimum > this.#requestedExpires &&
        this.#intervalRetries < MAX_INTERVAL_RETRIES
      ) {
        this.#intervalRetries++;
        this.#requestedExpires = minimum;
        this.#log('info', 'registrar wants a longer interval', { minExpires: minimum });
        this.#sendRegister(this.#requestedExpires, generation, (next) => this.#onFinal(next, generation));
        return;
      }
      this.#fail(
        generation,
        'interval-too-brief',
        status,
        `registrar demands Min-Expires ${minimum ?? '(none given)'}`,
        false,
      );
      return;
    }
    const { reason, retry } = classifyFailure(status);
    this.#fail(generation, reason, status, this.#failureDetail(response), retry);
  }

  /** The technical line: the status, and who said it — or, for an outcome we made up ourselves, who did not. */
  #failureDetail(response: SipResponse): string {
    const line = this.#statusLine(response);
    const server = this.#serverAddress();
    if (isSynthesizedResponse(response) && server) {
      // The transaction layer's own 408 (Timer F) or 503 (the transport could not send): nobody answered.
      return response.status === 408
        ? `${line} (no answer from ${server})`
        : `${line} (cannot reach ${server})`;
    }
    return `${line}${this.#fromServer()}`;
  }

  /** Answers a challenge; false (and a failed state) when the credentials were already refused. */
  #retryAuth(response: SipResponse, generation: number): boolean {
    const challenges = response.status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
    const outcome = this.#auth.handleChallenge({ status: response.status as 401 | 407, challenges });
    if (outcome.action === 'retry') return true;
    if (this.#state.name === 'unregistering') return false;
    const reason: FailureReason =
      outcome.reason === 'bad-credentials' ? 'bad-credentials' : 'unsupported-challenge';
    const detail =
      outcome.reason === 'bad-credentials'
        ? `${this.#statusLine(response)}${this.#fromServer()}`
        : outcome.detail;
    this.#fail(generation, reason, response.status, detail, false);
    return false;
  }

  #onSuccess(response: SipResponse, generation: number): void {
    this.#auth.noteSuccess();
    this.#intervalRetries = 0;
    const granted = this.#grantedExpires(response);
    if (!granted.ok) {
      // The registrar said yes in a form we cannot read: we cannot know our binding's lifetime, so we cannot
      // keep it. The server's fault, and worth retrying — perhaps it is fixed by then.
      const detail = `${this.#statusLine(response)}${this.#fromServer()} has a malformed ${granted.header}: ${granted.reason}`;
      this.#fail(generation, 'server-error', response.status, detail, true);
      return;
    }
    if (granted.seconds <= 0) {
      this.#fail(
        generation,
        'rejected',
        response.status,
        'the registrar accepted the request but kept no binding',
        true,
      );
      return;
    }
    this.#lastFailure = undefined;
    this.#transition({
      name: 'registered',
      expires: granted.seconds,
      contact: formatUri(this.#contact!.uri),
    });
    this.#refresher.succeeded(generation, granted.seconds);
    this.#watchFlow(this.#destination!);
  }

  /** RFC 3261 §10.2.4: the lifetime granted is the expires param of our Contact in the 200, else Expires. */
  #grantedExpires(
    response: SipResponse,
  ): { ok: true; seconds: number } | { ok: false; header: string; reason: string } {
    // The message layer's Result readers: a malformed header is an outcome here, never a throw into the
    // transaction layer (which would leave the registration waiting for ever).
    const contacts = response.tryContact();
    if (!contacts.ok) return { ok: false, header: contacts.error.header, reason: contacts.error.reason };
    const expires = response.tryExpires();
    if (!expires.ok) return { ok: false, header: expires.error.header, reason: expires.error.reason };
    const fallback = expires.value ?? this.#requestedExpires;
    const ours = this.#contact!.uri as SipUri;
    const instance = this.#contact!.params.get('+sip.instance');
    for (const contact of contacts.value) {
      const uri = contact.uri;
      if (!isSipUri(uri)) continue;
      const sameInstance = typeof instance === 'string' && contact.params.get('+sip.instance') === instance;
      const sameUri =
        uri.user === ours.user &&
        uri.host.toLowerCase() === ours.host.toLowerCase() &&
        uri.port === ours.port;
      if (sameInstance || sameUri) return { ok: true, seconds: contact.expires ?? fallback };
    }
    return { ok: true, seconds: fallback };
  }

  #fail(
    generation: number,
    reason: FailureReason,
    status: number | undefined,
    detail: string,
    retry: boolean,
  ): void {
    this.#stopWatchingFlow();
    const failure: PreviousFailure = { reason, detail, ...(status !== undefined ? { status } : {}) };
    this.#lastFailure = failure;
    const retryInMs = this.#refresher.failed(generation, retry);
    this.#transition({
      name: 'failed',
      ...failure,
      ...(retryInMs !== undefined ? { retryInMs } : {}),
    });
  }

  #watchFlow(destination: Destination): void {
    const watching = this.#watchedFlow;
    if (
      this.#unwatchFlow &&
      watching?.protocol === destination.protocol &&
      watching.address === destination.address &&
      watching.port === destination.port
    )
      return;
    this.#stopWatchingFlow();
    const watch = this.#deps.watchFlow;
    if (!watch) return;
    this.#watchedFlow = destination;
    this.#unwatchFlow = watch(destination, (detail) => {
      this.#unwatchFlow = undefined;
      this.#watchedFlow = undefined;
      this.#log('info', 'flow failed', { detail });
      this.flowFailed();
    });
  }

  #stopWatchingFlow(): void {
    const unwatch = this.#unwatchFlow;
    this.#unwatchFlow = undefined;
    this.#watchedFlow = undefined;
    unwatch?.();
  }

  #statusLine(response: SipResponse): string {
    return `${response.status} ${response.reason}`.trim();
  }

  /** "192.0.2.10:5060" (or "[2001:db8::1]:5060"): the server we sent to, for the technical detail line. */
  #serverAddress(): string | undefined {
    const destination = this.#destination;
    if (!destination) return undefined;
    const host = destination.address.includes(':') ? `[${destination.address}]` : destination.address;
    return `${host}:${destination.port}`;
  }

  /** " from 192.0.2.10:5060": which server said it. */
  #fromServer(): string {
    const server = this.#serverAddress();
    return server ? ` from ${server}` : '';
  }

  #finishUnregister(generation: number): void {
    if (!this.#refresher.isCurrent(generation) || this.#state.name !== 'unregistering') return;
    // A second answer (to a retransmission, or after the guard fired) must find nothing left to finish.
    this.#refresher.stop();
    this.#transition({ name: 'unregistered' });
    for (const resolve of this.#unregisterWaiters.splice(0)) resolve();
  }

  #transition(next: RegistrationState): void {
    const previous = this.#state;
    if (!canTransition(previous.name, next.name)) {
      throw new Error(`registration cannot go from ${previous.name} to ${next.name}`);
    }
    this.#state = next;
    for (const listener of this.#listeners) listener(next, previous);
  }

  #log(level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void {
    (this.#deps.logger ?? silentLogger).log(level, message, { aor: formatUri(this.#aor), ...fields });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** RFC 3261 §10.2.6: the registrar's Request-URI is the AoR's domain (no user part). */
export function registrarOf(aor: SipUri): SipUri {
  return { scheme: aor.scheme, host: aor.host, port: aor.port, params: new Map(), headers: new Map() };
}

export type { KeepAlivePolicy, RegistrationState, RegistrationStateName };
