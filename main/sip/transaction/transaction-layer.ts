// RFC 3261 §17 transaction layer: owns the client and server transactions, stamps the top Via of outgoing requests
// (§8.1.1.7 branch, §18.1.1 sent-by, RFC 3581 rport), matches incoming messages to transactions (§17.1.3, §17.2.3)
// and routes what matches none: new requests and 2xx ACKs to the TU, stray 2xx to the TU core (RFC 6026), and CANCEL
// answered here per §9.2. Time and randomness are injected; the machines themselves are pure.
import { createResponse, formatViaValue, newBranch } from '../message/builders';
import type { SipRequest, SipResponse } from '../message/message';
import { uriHost } from '../message/uri';
import type { Clock } from '../../platform/clock';
import { type Logger, silentLogger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import { RateLimitedLogger } from '../../platform/rate-limited-logger';
import {
  type Destination,
  type IncomingMessage,
  type MessageSource,
  type TransportSender,
  isReliable,
} from '../transport/types';
import {
  type ClientTransaction,
  type ClientTransactionContext,
  type ClientTransactionKind,
  type ClientTransactionUser,
  ClientTransactionHandle,
} from './client-transaction';
import {
  type ServerTransactionKey,
  clientTransactionKey,
  responseTransactionKey,
  rfc2543ToTagMatches,
  serverTransactionKey,
} from './matching';
import {
  type ServerTransaction,
  type ServerTransactionContext,
  type ServerTransactionKind,
  type ServerTransactionUser,
  ServerTransactionHandle,
} from './server-transaction';
import { type TimerSettings, timerSettings } from './timers';
import {
  type ServerCallback,
  type TransactionUserFailure,
  describeError,
  failureReason,
  failureStatus,
} from './transaction-user-failure';

export interface TransactionStateChange {
  readonly id: string;
  readonly kind: ClientTransactionKind | ServerTransactionKind;
  readonly from: string;
  readonly to: string;
}

export interface TransactionLayerOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly transport: TransportSender;
  /** May also be set later with setUser (the TU is usually built after the layer it sends through). */
  readonly user?: ServerTransactionUser;
  /** T1, T2, T4, Timer D and the 100 Trying delay; defaults per RFC 3261. */
  readonly timers?: Partial<TimerSettings>;
  readonly logger?: Logger;
  /** Every state change of every transaction (habit 4's stateChanged event), for traces and tests. */
  readonly onStateChanged?: (change: TransactionStateChange) => void;
  /**
   * Live server transactions at most; a new request past this is answered 503 with Retry-After, statelessly, so a
   * flood cannot grow memory without bound (each transaction lingers 64*T1 after its answer on UDP). Default 5,000.
   */
  readonly maxServerTransactions?: number;
  /** The Retry-After of those 503s, in seconds (RFC 3261 §21.5.4, §20.33). Default 5. */
  readonly retryAfterSeconds?: number;
  /** A TU callback threw (see onUserFailure). */
  readonly onUserFailure?: (failure: TransactionUserFailure) => void;
}

/** Random characters after the z9hG4bK cookie: 16 of [0-9a-z] is about 82 bits, unique enough (§8.1.1.7). */
const BRANCH_TOKEN_LENGTH = 16;
/** Length of the To tag the layer adds to the responses it sends itself (481 or 200 to a CANCEL). */
const TAG_LENGTH = 10;
export const DEFAULT_MAX_SERVER_TRANSACTIONS = 5_000;
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export class TransactionLayer {
  readonly timers: TimerSettings;
  readonly #maxServerTransactions: number;
  readonly #retryAfterSeconds: number;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #transport: TransportSender;
  readonly #logger: RateLimitedLogger;
  readonly #onStateChanged: ((change: TransactionStateChange) => void) | undefined;
  #onUserFailure: ((failure: TransactionUserFailure) => void) | undefined;
  #user: ServerTransactionUser | undefined;
  readonly #clients = new Map<string, ClientTransactionHandle>();
  readonly #servers = new Map<string, ServerTransactionHandle>();
  readonly #clientContext: ClientTransactionContext;
  readonly #serverContext: ServerTransactionContext;

  constructor(options: TransactionLayerOptions) {
    this.timers = timerSettings(options.timers);
    this.#maxServerTransactions = options.maxServerTransactions ?? DEFAULT_MAX_SERVER_TRANSACTIONS;
    this.#retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#transport = options.transport;
    // A flood of requests that make the TU throw must not become a flood of identical log lines.
    this.#logger = new RateLimitedLogger(options.logger ?? silentLogger, options.clock, {
      burst: 5,
      windowMs: 10_000,
      levels: ['warn', 'error'],
    });
    this.#onStateChanged = options.onStateChanged;
    this.#onUserFailure = options.onUserFailure;
    options.transport.onDestinationUnreachable?.((destination) => this.destinationUnreachable(destination));
    this.#user = options.user;
    const common = {
      clock: this.#clock,
      transport: this.#transport,
      logger: this.#logger,
      timers: this.timers,
    };
    this.#clientContext = {
      ...common,
      stateChanged: (transaction, from, to) => this.#stateChanged(transaction, from, to),
      release: (transaction) => {
        if (this.#clients.get(transaction.id) === transaction) this.#clients.delete(transaction.id);
      },
      startCancel: (cancel, destination, user) => {
        this.#startClient(cancel, destination, user);
      },
      userFailed: (failure) => this.#userFailed(failure),
    };
    this.#serverContext = {
      ...common,
      user: () => this.#user,
      stateChanged: (transaction, from, to) => this.#stateChanged(transaction, from, to),
      release: (transaction) => {
        if (this.#servers.get(transaction.id) === transaction) this.#servers.delete(transaction.id);
      },
      userFailed: (failure) => this.#userFailed(failure),
    };
  }

  /** A UDP destination is unreachable: every client transaction still waiting for its first word from it ends. */
  destinationUnreachable(destination: Destination): void {
    for (const transaction of [...this.#clients.values()]) {
      const route = transaction.route;
      if (
        route.protocol === destination.protocol &&
        route.port === destination.port &&
        route.address.toLowerCase() === destination.address.toLowerCase()
      )
        transaction.destinationUnreachable();
    }
  }

  /** Sets (or, with undefined, removes) the TU for incoming traffic; without one, incoming requests are dropped. */
  setUser(user: ServerTransactionUser | undefined): void {
    this.#user = user;
  }

  /**
   * Sends `request` in a new client transaction. The request is changed in place: its Via headers are replaced by
   * one top Via with a fresh branch, the transport's sent-by and `rport`. ACK is not sent this way (see sendAck);
   * CANCEL goes through `cancel()` on the INVITE's transaction, which reuses the INVITE's Via as §9.1 requires.
   */
  sendRequest(request: SipRequest, destination: Destination, user: ClientTransactionUser): ClientTransaction {
    if (request.method === 'ACK')
      throw new TypeError('an ACK is not sent in a client transaction: use sendAck');
    this.#stampVia(request, destination);
    return this.#startClient(request, destination, user);
  }

  /**
   * Sends the ACK for a 2xx outside any transaction (§13.2.2.4, §17.1.1.3). A Via is added only when the ACK has
   * none, so passing the same ACK again for each 2xx retransmission sends it unchanged.
   */
  sendAck(ack: SipRequest, destination: Destination): Promise<Destination> {
    if (ack.method !== 'ACK') throw new TypeError(`sendAck needs an ACK, not ${ack.method}`);
    if (!ack.hasHeader('via')) this.#stampVia(ack, destination);
    return this.#transport.sendRequest(ack, destination);
  }

  /**
   * Hears of every TU callback that threw. A server transaction that still owed a final response has been answered
   * (400 or 500, see `answered`); a client transaction carries on to its end; the owner fails the usage concerned.
   */
  onUserFailure(handler: ((failure: TransactionUserFailure) => void) | undefined): void {
    this.#onUserFailure = handler;
  }

  /** A message from the transport layer: to its transaction, or to the TU. */
  receive(incoming: IncomingMessage): void {
    const { message, source } = incoming;
    if (message.kind === 'response') this.#receiveResponse(message, source);
    else this.#receiveRequest(message, source);
  }

  /** Live transactions, for tests and diagnostics. */
  activeTransactions(): { readonly client: number; readonly server: number } {
    return { client: this.#clients.size, server: this.#servers.size };
  }

  /** Stops every timer and forgets every transaction, without telling anyone (the stack is going away). */
  shutdown(): void {
    for (const transaction of this.#clients.values()) transaction.dispose();
    for (const transaction of this.#servers.values()) transaction.dispose();
    this.#clients.clear();
    this.#servers.clear();
    this.#logger.dispose();
  }

  #stampVia(request: SipRequest, destination: Destination): string {
    const branch = newBranch(this.#random.token(BRANCH_TOKEN_LENGTH));
    const sentBy = this.#transport.sentBy(destination);
    const via = formatViaValue(
      sentBy.transport,
      `${uriHost(sentBy.host)}:${sentBy.port}`,
      branch,
      new Map([['rport', null]]),
    );
    request.removeHeader('via');
    request.prependHeader('Via', via);
    return branch;
  }

  #startClient(
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser,
  ): ClientTransaction {
    const branch = request.topVia?.branch ?? '';
    const transaction = new ClientTransactionHandle(
      this.#clientContext,
      request,
      destination,
      branch,
      user,
      isReliable(destination.protocol),
    );
    const key = clientTransactionKey(branch, request.method);
    this.#clients.get(key)?.dispose();
    this.#clients.set(key, transaction);
    transaction.start();
    return transaction;
  }

  #receiveResponse(response: SipResponse, source: MessageSource): void {
    const key = responseTransactionKey(response);
    const transaction = key === undefined ? undefined : this.#clients.get(key);
    if (transaction) {
      transaction.receive(response);
      return;
    }
    if (response.status >= 200 && response.status < 300 && cseqMethodOf(response) === 'INVITE') {
      this.#toUser('onStray2xx', (user) => user.onStray2xx(response, source));
      return;
    }
    this.#logger.log('debug', 'stray response dropped', { status: response.status, key });
  }

  #receiveRequest(request: SipRequest, source: MessageSource): void {
    const match = serverTransactionKey(request);
    if (!match) {
      this.#logger.log('debug', 'request without a usable top Via or CSeq dropped', {
        method: request.method,
      });
      return;
    }
    const existing = this.#findServer(match, request);
    if (request.method === 'ACK') {
      if (existing) existing.ack(request, source);
      else this.#toUser('onAck', (user) => user.onAck(request, source));
      return;
    }
    if (existing) {
      existing.retransmission();
      return;
    }
    if (!this.#user && request.method !== 'CANCEL') {
      // Nobody would ever answer it: a transaction would only sit in Trying.
      this.#logger.log('warn', 'no transaction user: message dropped', { method: request.method });
      return;
    }
    if (this.#servers.size >= this.#maxServerTransactions && !this.#cancelsLiveInvite(request)) {
      this.#refuseOverLimit(request, source);
      return;
    }
    const transaction = new ServerTransactionHandle(
      this.#serverContext,
      match.key,
      request,
      source,
      isReliable(source.protocol),
    );
    this.#servers.get(match.key)?.dispose();
    this.#servers.set(match.key, transaction);
    transaction.start();
    if (request.method === 'CANCEL') this.#receiveCancel(request, transaction);
    else this.#toUser('onRequest', (user) => user.onRequest(request, transaction), transaction);
  }

  /** A CANCEL for an INVITE we hold is let through past the cap: it is how that transaction ends sooner. */
  #cancelsLiveInvite(request: SipRequest): boolean {
    if (request.method !== 'CANCEL') return false;
    const target = serverTransactionKey(request, 'INVITE');
    return target !== undefined && this.#findServer(target, request) !== undefined;
  }

  /** Past the cap: a stateless 503 (RFC 3261 §21.5.4) that tells the client when to come back. */
  #refuseOverLimit(request: SipRequest, source: MessageSource): void {
    this.#logger.log('warn', 'server transaction limit reached: request refused with 503', {
      limit: this.#maxServerTransactions,
      method: request.method,
      from: source.address,
    });
    try {
      const response = createResponse(request, 503, {
        toTag: this.#random.token(TAG_LENGTH),
        headers: [['Retry-After', String(this.#retryAfterSeconds)]],
      });
      void this.#transport.sendResponse(response, source).catch(() => undefined);
    } catch {
      // No answer can be built or sent: the request is dropped, which is all the client would learn anyway.
    }
  }

  /** §9.2: 481 when the CANCEL matches nothing, otherwise 200 — after the TU has heard of it, so tags agree. */
  #receiveCancel(cancel: SipRequest, transaction: ServerTransactionHandle): void {
    const target = serverTransactionKey(cancel, 'INVITE');
    const invite = target ? this.#findServer(target, cancel) : undefined;
    if (!invite) {
      transaction.respond(createResponse(cancel, 481, { toTag: this.#random.token(TAG_LENGTH) }));
      return;
    }
    if (invite.state === 'proceeding')
      this.#toUser('onCancel', (user) => user.onCancel(cancel, invite), invite);
    const toTag = toTagOf(invite.lastResponse) ?? this.#random.token(TAG_LENGTH);
    transaction.respond(createResponse(cancel, 200, { toTag }));
  }

  #findServer(match: ServerTransactionKey, request: SipRequest): ServerTransactionHandle | undefined {
    const transaction = this.#servers.get(match.key);
    if (!transaction) return undefined;
    if (match.rfc2543 && !rfc2543ToTagMatches(request, transaction.request, transaction.lastResponse))
      return undefined;
    return transaction;
  }

  /** Calls the TU about `transaction` (if any); a throw ends the transaction with an answer if it still owed one. */
  #toUser(
    callback: ServerCallback,
    call: (user: ServerTransactionUser) => void,
    transaction?: ServerTransactionHandle,
  ): void {
    const user = this.#user;
    if (!user) {
      this.#logger.log('warn', 'no transaction user: message dropped', { callback });
      return;
    }
    try {
      call(user);
    } catch (error) {
      const answered = transaction ? this.#answerForUser(transaction, error) : undefined;
      this.#userFailed({
        side: 'server',
        callback,
        transaction,
        error,
        ...(answered !== undefined ? { answered } : {}),
      });
    }
  }

  /** The final response the TU will not send now; returns its status, or undefined when none was owed. */
  #answerForUser(transaction: ServerTransactionHandle, error: unknown): number | undefined {
    if (transaction.answered) return undefined;
    const status = failureStatus(error);
    const reason = failureReason(error);
    try {
      // Reuse the To tag of a provisional already sent: the client may have made an early dialog of it.
      const toTag = toTagOf(transaction.lastResponse) ?? this.#random.token(TAG_LENGTH);
      transaction.respond(
        createResponse(transaction.request, status, { toTag, ...(reason ? { reason } : {}) }),
      );
    } catch (buildError) {
      this.#logger.log('warn', 'could not answer for a failed transaction user', {
        id: transaction.id,
        error: describeError(buildError),
      });
    }
    // Whatever happened above, the transaction must not outlive the TU's failure without an end in sight.
    if (!transaction.answered) transaction.abandon();
    return status;
  }

  #userFailed(failure: TransactionUserFailure): void {
    this.#logger.log('error', 'transaction user callback threw', {
      side: failure.side,
      callback: failure.callback,
      id: failure.transaction?.id,
      error: describeError(failure.error),
    });
    const handler = this.#onUserFailure;
    if (!handler) return;
    try {
      handler(failure);
    } catch (error) {
      this.#logger.log('error', 'user failure handler threw', { error: describeError(error) });
    }
  }

  #stateChanged(transaction: ClientTransaction | ServerTransaction, from: string, to: string): void {
    this.#logger.log('debug', 'transaction state', { id: transaction.id, kind: transaction.kind, from, to });
    this.#onStateChanged?.({ id: transaction.id, kind: transaction.kind, from, to });
  }
}

function cseqMethodOf(response: SipResponse): string | undefined {
  try {
    return response.cseq.method;
  } catch {
    return undefined;
  }
}

function toTagOf(response: SipResponse | undefined): string | undefined {
  if (!response) return undefined;
  try {
    return response.to.tag;
  } catch {
    return undefined;
  }
}
