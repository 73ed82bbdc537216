// RFC 3261 §10.2: a UA's registration of one Contact for one address-of-record, kept alive by refreshes (§10.2.4),
// negotiated by 423 Interval Too Brief (§10.2.8, §21.4.17), authenticated by digest (§22, RFC 7616/8760), recovered
// after failures with capped exponential backoff (RFC 5626 §4.5 in spirit) and removed with Expires: 0 (§10.2.2).
import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { silentLogger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import { DigestAuthenticator } from '../../sip/auth/authenticator';
import { createRequest } from '../../sip/message/builders';
import type { SipResponse } from '../../sip/message/message';
import type { NameAddr } from '../../sip/message/name-addr';
import { type SipUri, formatUri, isSipUri } from '../../sip/message/uri';
import type { Destination } from '../../sip/transport/types';
import type { RequestSender } from '../request-sender';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from './backoff';
import {
  type FailureReason,
  type RegistrationState,
  type RegistrationStateName,
  canTransition,
  classifyFailure,
} from './registration-state';

export interface RegistrationAccount {
  readonly aor: SipUri;
  readonly password: string;
  /** Digest user name when it differs from the AoR's user part. */
  readonly authUser?: string;
  readonly displayName?: string;
  /** Registrar URI; defaults to the AoR's domain (RFC 3261 §10.2.6). */
  readonly registrar?: SipUri;
  /** Requested binding lifetime in seconds (RFC 3261 §10.2.1.1). */
  readonly expires: number;
  /** A stable urn:uuid for +sip.instance (RFC 5626 §4.1), when the device has one. */
  readonly instanceId?: string;
}

export interface KeepAlivePolicy {
  readonly kind: 'crlf' | 'options';
  readonly intervalMs: number;
}

export interface RegistererDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly sender: RequestSender;
  /** Where REGISTERs go: the outbound proxy or the registrar, already resolved to an IP literal. */
  readonly resolveDestination: () => Promise<Destination>;
  /** Our Contact address for a destination (the transport's sent-by). */
  readonly contactAddress: (destination: Destination) => { host: string; port: number };
  /** Loose-route set for an outbound proxy (RFC 3261 §8.1.2); empty without one. */
  readonly routeSet?: readonly NameAddr[];
  readonly sendKeepAlive?: (destination: Destination) => Promise<void>;
  readonly keepAlive?: KeepAlivePolicy;
  readonly backoff?: BackoffPolicy;
  readonly logger?: Logger;
  readonly userAgent?: string;
}

export type StateListener = (state: RegistrationState, previous: RegistrationState) => void;

/** How many 423s in a row we follow before concluding the registrar and we cannot agree. */
const MAX_INTERVAL_RETRIES = 2;

export class Registerer {
  readonly #account: RegistrationAccount;
  readonly #deps: RegistererDeps;
  readonly #auth: DigestAuthenticator;
  readonly #callId: string;
  readonly #listeners = new Set<StateListener>();
  #state: RegistrationState = { name: 'unregistered' };
  #cseq: number;
  #requestedExpires: number;
  #intervalRetries = 0;
  #failures = 0;
  #attempt = 0;
  #timer: TimerHandle | undefined;
  #keepAliveTimer: TimerHandle | undefined;
  #destination: Destination | undefined;
  #contact: NameAddr | undefined;
  /** Bumped whenever an exchange is abandoned, so late responses to it are ignored. */
  #generation = 0;
  #unregisterWaiters: Array<() => void> = [];

  constructor(account: RegistrationAccount, deps: RegistererDeps) {
    this.#account = account;
    this.#deps = deps;
    this.#auth = new DigestAuthenticator({
      username: account.authUser ?? account.aor.user ?? '',
      password: account.password,
      random: deps.random,
    });
    // RFC 3261 §10.2.4: refreshes reuse the Call-ID and increase the CSeq.
    this.#callId = `${deps.random.token(20)}`;
    this.#cseq = 1 + Math.floor(deps.random.fraction() * 10_000);
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
    this.#clearTimer();
    this.#attempt = 0;
    this.#failures = 0;
    this.#intervalRetries = 0;
    this.#requestedExpires = this.#account.expires;
    void this.#send();
  }

  /**
   * Removes our binding (Expires: 0) and resolves when the registrar answered, or after `timeoutMs` at the latest,
   * so quitting never hangs on an unreachable server.
   */
  unregister(timeoutMs = 4_000): Promise<void> {
    this.#clearTimer();
    this.#stopKeepAlive();
    const wasBound = this.#state.name === 'registered' || this.#state.name === 'registering';
    if (this.#state.name === 'unregistered') return Promise.resolve();
    if (!wasBound || !this.#destination || !this.#contact) {
      this.#generation++;
      if (this.#state.name !== 'unregistering') this.#transition({ name: 'unregistering' });
      this.#transition({ name: 'unregistered' });
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.#unregisterWaiters.push(resolve));
    if (this.#state.name !== 'unregistering') {
      this.#transition({ name: 'unregistering' });
      const generation = ++this.#generation;
      const guard = this.#deps.clock.setTimer(timeoutMs, () => this.#finishUnregister(generation));
      this.#sendRegister(0, generation, (response) => {
        this.#deps.clock.clearTimer(guard);
        if ((response.status === 401 || response.status === 407) && this.#retryAuth(response)) {
          this.#sendRegister(0, generation, () => this.#finishUnregister(generation));
          return;
        }
        this.#finishUnregister(generation);
      });
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
    this.#generation++;
    this.#clearTimer();
    this.#stopKeepAlive();
  }

  async #send(): Promise<void> {
    const generation = ++this.#generation;
    this.#attempt++;
    // A refresh keeps showing "registered": the binding is still in place while it is renewed.
    if (this.#state.name !== 'registered') this.#transition({ name: 'registering', attempt: this.#attempt });
    let destination: Destination;
    try {
      destination = await this.#deps.resolveDestination();
    } catch (error) {
      if (generation !== this.#generation) return;
      const detail = error instanceof Error ? error.message : String(error);
      this.#fail('unreachable', undefined, `cannot resolve the registrar: ${detail}`, true);
      return;
    }
    if (generation !== this.#generation) return;
    this.#destination = destination;
    try {
      this.#sendRegister(this.#requestedExpires, generation, (response) =>
        this.#onFinal(response, generation),
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#fail('unreachable', undefined, `cannot send REGISTER: ${detail}`, true);
    }
  }

  #sendRegister(expires: number, generation: number, onFinal: (response: SipResponse) => void): void {
    const destination = this.#destination!;
    const account = this.#account;
    const contactAddress = this.#deps.contactAddress(destination);
    const contactParams = new Map<string, string | null>();
    if (account.instanceId) contactParams.set('+sip.instance', `<${account.instanceId}>`);
    const contactUriParams = new Map<string, string | null>();
    if (destination.protocol === 'tcp') contactUriParams.set('transport', 'tcp');
    this.#contact = {
      uri: {
        scheme: 'sip',
        user: account.aor.user,
        host: contactAddress.host,
        port: contactAddress.port,
        params: contactUriParams,
        headers: new Map(),
      },
      params: contactParams,
    };
    const registrar = account.registrar ?? registrarOf(account.aor);
    const aorAddress: NameAddr = {
      uri: account.aor,
      params: new Map(),
      ...(account.displayName ? { displayName: account.displayName } : {}),
    };
    const request = createRequest({
      method: 'REGISTER',
      requestUri: registrar,
      from: { ...aorAddress, tag: this.#deps.random.token(10) },
      to: aorAddress,
      callId: this.#callId,
      cseq: this.#cseq++,
      contact: [this.#contact],
      route: this.#deps.routeSet ?? [],
      headers: [
        ['Expires', String(expires)],
        ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, SUBSCRIBE, REFER, INFO, UPDATE'],
        ...(this.#deps.userAgent ? ([['User-Agent', this.#deps.userAgent]] as const) : []),
      ],
    });
    for (const header of this.#auth.authorize({ method: 'REGISTER', uri: formatUri(registrar) })) {
      request.addHeader(header.name, header.value);
    }
    this.#deps.sender.sendRequest(request, destination, {
      onFinal: (response) => {
        if (generation === this.#generation) onFinal(response);
      },
    });
  }

  #onFinal(response: SipResponse, generation: number): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#onSuccess(response);
      return;
    }
    if (status === 401 || status === 407) {
      if (this.#retryAuth(response)) {
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
        'interval-too-brief',
        status,
        `registrar demands Min-Expires ${minimum ?? '(none given)'}`,
        false,
      );
      return;
    }
    const { reason, retry } = classifyFailure(status);
    const detail =
      status === 408
        ? `408 no answer${this.#fromServer()}`
        : `${status} ${response.reason}`.trim() + this.#fromServer();
    this.#fail(reason, status, detail, retry);
  }

  /** Answers a challenge; false (and a failed state) when the credentials were already refused. */
  #retryAuth(response: SipResponse): boolean {
    const challenges = response.status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
    const outcome = this.#auth.handleChallenge({ status: response.status as 401 | 407, challenges });
    if (outcome.action === 'retry') return true;
    if (this.#state.name === 'unregistering') return false;
    const reason: FailureReason =
      outcome.reason === 'bad-credentials' ? 'bad-credentials' : 'unsupported-challenge';
    const detail =
      outcome.reason === 'bad-credentials'
        ? `${response.status} ${response.reason}`.trim() + this.#fromServer()
        : outcome.detail;
    this.#fail(reason, response.status, detail, false);
    return false;
  }

  #onSuccess(response: SipResponse): void {
    this.#auth.noteSuccess();
    this.#failures = 0;
    this.#intervalRetries = 0;
    const granted = this.#grantedExpires(response);
    if (granted <= 0) {
      this.#fail('rejected', response.status, 'the registrar accepted the request but kept no binding', true);
      return;
    }
    this.#transition({ name: 'registered', expires: granted, contact: formatUri(this.#contact!.uri) });
    // Refresh ahead of expiry, at 90% of the lifetime granted (RFC 3261 §10.2.4 leaves the margin to us).
    const refreshInMs = Math.max(500, granted * 900);
    this.#timer = this.#deps.clock.setTimer(refreshInMs, () => {
      this.#timer = undefined;
      void this.#send();
    });
    this.#startKeepAlive();
  }

  /** RFC 3261 §10.2.4: the lifetime granted is the expires param of our Contact in the 200, else Expires. */
  #grantedExpires(response: SipResponse): number {
    const ours = this.#contact!.uri as SipUri;
    const instance = this.#account.instanceId ? `<${this.#account.instanceId}>` : undefined;
    for (const contact of response.contact) {
      const uri = contact.uri;
      if (!isSipUri(uri)) continue;
      const sameInstance = instance !== undefined && contact.params.get('+sip.instance') === instance;
      const sameUri =
        uri.user === ours.user &&
        uri.host.toLowerCase() === ours.host.toLowerCase() &&
        uri.port === ours.port;
      if (sameInstance || sameUri) return contact.expires ?? response.expires ?? this.#requestedExpires;
    }
    return response.expires ?? this.#requestedExpires;
  }

  #fail(reason: FailureReason, status: number | undefined, detail: string, retry: boolean): void {
    this.#stopKeepAlive();
    this.#failures++;
    const retryInMs = retry
      ? backoffDelay(this.#deps.backoff ?? DEFAULT_BACKOFF, this.#failures, this.#deps.random)
      : undefined;
    this.#transition({
      name: 'failed',
      reason,
      detail,
      ...(status !== undefined ? { status } : {}),
      ...(retryInMs !== undefined ? { retryInMs } : {}),
    });
    if (retryInMs !== undefined) {
      this.#timer = this.#deps.clock.setTimer(retryInMs, () => {
        this.#timer = undefined;
        void this.#send();
      });
    }
  }

  /** " from 192.0.2.10:5060": which server said it, for the technical detail line. */
  #fromServer(): string {
    const destination = this.#destination;
    if (!destination) return '';
    const host = destination.address.includes(':') ? `[${destination.address}]` : destination.address;
    return ` from ${host}:${destination.port}`;
  }

  #finishUnregister(generation: number): void {
    if (generation !== this.#generation || this.#state.name !== 'unregistering') return;
    this.#generation++;
    this.#transition({ name: 'unregistered' });
    for (const resolve of this.#unregisterWaiters.splice(0)) resolve();
  }

  #startKeepAlive(): void {
    this.#stopKeepAlive();
    const policy = this.#deps.keepAlive;
    if (!policy || policy.intervalMs <= 0) return;
    const tick = (): void => {
      this.#keepAliveTimer = this.#deps.clock.setTimer(policy.intervalMs, tick);
      const destination = this.#destination;
      if (!destination || this.#state.name !== 'registered') return;
      if (policy.kind === 'crlf' || destination.protocol === 'tcp') {
        this.#deps.sendKeepAlive?.(destination).catch(() => this.flowFailed());
      } else {
        this.#sendOptionsPing(destination);
      }
    };
    this.#keepAliveTimer = this.#deps.clock.setTimer(policy.intervalMs, tick);
  }

  #sendOptionsPing(destination: Destination): void {
    const target = this.#account.registrar ?? registrarOf(this.#account.aor);
    const request = createRequest({
      method: 'OPTIONS',
      requestUri: target,
      from: { uri: this.#account.aor, params: new Map(), tag: this.#deps.random.token(10) },
      to: { uri: target, params: new Map() },
      callId: this.#deps.random.token(20),
      cseq: 1,
      route: this.#deps.routeSet ?? [],
    });
    this.#deps.sender.sendRequest(request, destination, {
      onFinal: (response) => {
        // Any answer proves the path works; only silence or a transport error means the flow is gone.
        if (response.status === 408 || response.status === 503) this.flowFailed();
      },
    });
  }

  #stopKeepAlive(): void {
    this.#deps.clock.clearTimer(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
  }

  #clearTimer(): void {
    this.#deps.clock.clearTimer(this.#timer);
    this.#timer = undefined;
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
    (this.#deps.logger ?? silentLogger).log(level, message, { aor: formatUri(this.#account.aor), ...fields });
  }
}

/** RFC 3261 §10.2.6: the registrar's Request-URI is the AoR's domain (no user part). */
export function registrarOf(aor: SipUri): SipUri {
  return { scheme: aor.scheme, host: aor.host, port: aor.port, params: new Map(), headers: new Map() };
}

export type { RegistrationState, RegistrationStateName };
