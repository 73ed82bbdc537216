// RFC 3261 §17.2 server transactions as the TU sees them: a handle per received request that the TU answers through,
// now or later. The machine absorbs retransmissions of the request; the handle only carries its responses out.
import type { SipRequest, SipResponse } from '../message/message';
import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { MessageSource, TransportSender } from '../transport/types';
import { createServerInviteState, stepServerInvite } from './server-invite-transaction';
import { createServerNonInviteState, stepServerNonInvite } from './server-non-invite-transaction';
import type { MachineState } from './state-machine';
import type { ServerTransactionInput, TransactionAction } from './transaction-actions';
import { type DriverHooks, TransactionDriver, sharedDriverHooks } from './transaction-driver';
import { transactionCopy } from './transaction-requests';
import { type TimerName, type TimerSettings, transactionTimeout } from './timers';
import { type ServerCallback, type TransactionUserFailure, describeError } from './transaction-user-failure';

export type ServerTransactionKind = 'server-invite' | 'server-non-invite';

export interface ServerTransaction {
  /** Opaque and unique among live server transactions (the matching key). */
  readonly id: string;
  readonly kind: ServerTransactionKind;
  readonly method: string;
  /**
   * The request that created the transaction. Once a non-INVITE transaction has sent its final response, only its
   * start line and Via, From, To, Call-ID and CSeq are kept (what matching and retransmissions need): the TU has
   * the full request from onRequest.
   */
  readonly request: SipRequest;
  /** Where the request came from; responses go back per RFC 3261 §18.2.2 from here. */
  readonly source: MessageSource;
  /** The machine's state name: initial, trying, proceeding, completed, confirmed, accepted or terminated. */
  readonly state: string;
  /** The most recent response sent (a 100 Trying the transaction sent itself included). */
  readonly lastResponse: SipResponse | undefined;
  /**
   * Sends a provisional or final response built for `request` (createResponse). Finals after the first are dropped,
   * except further 2xx to an INVITE: the TU core's 2xx retransmissions (§13.3.1.4), which are sent even after the
   * transaction has ended.
   */
  respond(response: SipResponse): void;
}

/** Callbacks the layer calls for incoming traffic that is not part of a client transaction. */
export interface ServerTransactionUser {
  /** A new request (not a retransmission, not an ACK, not a CANCEL). Answer through `transaction.respond`. */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;
  /**
   * An ACK that is the TU's business: one matching no transaction (the ACK for a 2xx is a transaction of its own),
   * or one an INVITE server transaction in Accepted passed through (RFC 6026), then given as `transaction`. Late ACKs
   * for non-2xx responses also end up here once their transaction is gone; a TU ignores ACKs matching no dialog.
   */
  onAck(ack: SipRequest, source: MessageSource, transaction?: ServerTransaction): void;
  /** A 2xx to an INVITE that matches no client transaction (RFC 6026: only the TU core can tell whether to ACK it). */
  onStray2xx(response: SipResponse, source: MessageSource): void;
  /**
   * A CANCEL matched `invite`, which has no final response yet. The layer answers the CANCEL with 200 itself once
   * this returns (reusing the To tag of the INVITE's latest response); the TU decides whether to answer 487.
   */
  onCancel(cancel: SipRequest, invite: ServerTransaction): void;
  /** Timer H fired: our 300-699 response to an INVITE was never acknowledged (§17.2.1). */
  onAckTimeout?(transaction: ServerTransaction): void;
  /** The transport could not send one of the transaction's responses (§17.2.4). */
  onTransportError?(transaction: ServerTransaction): void;
}

/** What a server transaction needs from the layer that owns it. */
export interface ServerTransactionContext {
  readonly clock: Clock;
  readonly transport: TransportSender;
  readonly logger: Logger;
  readonly timers: TimerSettings;
  readonly user: () => ServerTransactionUser | undefined;
  readonly stateChanged: (transaction: ServerTransaction, from: string, to: string) => void;
  /** The transaction terminated: forget it. */
  readonly release: (transaction: ServerTransactionHandle) => void;
  /** A TU callback the transaction made threw; the transaction itself carries on. */
  readonly userFailed: (failure: TransactionUserFailure) => void;
}

interface DrivenMachine {
  readonly state: MachineState & { readonly lastResponse?: SipResponse };
  readonly runningTimers: TimerName[];
  dispatch(input: ServerTransactionInput): void;
  dispose(): void;
}

export class ServerTransactionHandle implements ServerTransaction {
  /** One hooks object per layer (context), shared by all its server transactions. */
  static readonly #hooks = new WeakMap<ServerTransactionContext, DriverHooks<ServerTransactionHandle>>();

  static #hooksFor(context: ServerTransactionContext): DriverHooks<ServerTransactionHandle> {
    return sharedDriverHooks(
      ServerTransactionHandle.#hooks,
      context,
      'server',
      (owner, action) => owner.#perform(action),
      describeError,
    );
  }

  readonly kind: ServerTransactionKind;
  readonly method: string;
  readonly #context: ServerTransactionContext;
  readonly #machine: DrivenMachine;
  #ackSource: MessageSource | undefined;
  #request: SipRequest;
  #requestTrimmed = false;
  /** Non-INVITE: bounds how long the TU may leave the request unanswered (see start). */
  #unansweredTimer: TimerHandle | undefined;
  /** Released without the machine reaching Terminated (see abandon); nothing is sent from here on. */
  #abandoned = false;

  constructor(
    context: ServerTransactionContext,
    readonly id: string,
    request: SipRequest,
    readonly source: MessageSource,
    reliable: boolean,
  ) {
    this.#context = context;
    this.#request = request;
    this.method = request.method;
    this.kind = request.method === 'INVITE' ? 'server-invite' : 'server-non-invite';
    const hooks = ServerTransactionHandle.#hooksFor(context);
    const options = { reliable, timers: context.timers };
    this.#machine =
      this.kind === 'server-invite'
        ? new TransactionDriver(createServerInviteState(request, options), stepServerInvite, hooks, this)
        : new TransactionDriver(createServerNonInviteState(options), stepServerNonInvite, hooks, this);
  }

  get request(): SipRequest {
    return this.#request;
  }

  get state(): string {
    return this.#abandoned ? 'terminated' : this.#machine.state.name;
  }

  get lastResponse(): SipResponse | undefined {
    return this.#machine.state.lastResponse;
  }

  /** A final response has been sent, or the transaction is over: nothing more is owed to the client. */
  get answered(): boolean {
    const state = this.state;
    return state !== 'initial' && state !== 'trying' && state !== 'proceeding';
  }

  /** Timers currently running, for tests and traces. */
  get runningTimers(): TimerName[] {
    return this.#machine.runningTimers;
  }

  start(): void {
    this.#machine.dispatch({ kind: 'receive' });
    if (this.kind !== 'server-non-invite') return;
    // RFC 3261 gives a non-INVITE server transaction no timer before its final response, so a TU that never answers
    // would keep it for ever. Its client gives up after 64*T1 (Timer F, §17.1.2.2): past that an answer is useless.
    const clock = this.#context.clock;
    this.#unansweredTimer = clock.setTimer(transactionTimeout(this.#context.timers), () => {
      this.#unansweredTimer = undefined;
      if (this.answered) return;
      this.#context.logger.log(
        'warn',
        'request never answered by the transaction user: transaction released',
        {
          id: this.id,
          method: this.method,
        },
      );
      this.abandon();
    });
  }

  retransmission(): void {
    this.#machine.dispatch({ kind: 'request-retransmission' });
  }

  ack(ack: SipRequest, source: MessageSource): void {
    this.#ackSource = source;
    this.#machine.dispatch({ kind: 'ack', ack });
  }

  dispose(): void {
    this.#clearUnansweredTimer();
    this.#machine.dispose();
  }

  /** Stops the timers and forgets the transaction without an answer: for when not even an error can be sent. */
  abandon(): void {
    this.#abandoned = true;
    this.dispose();
    this.#context.release(this);
  }

  respond(response: SipResponse): void {
    if (this.#abandoned) {
      this.#context.logger.log('debug', 'response for an abandoned server transaction dropped', {
        id: this.id,
        status: response.status,
      });
      return;
    }
    if (this.state !== 'terminated') {
      this.#machine.dispatch({ kind: 'tu-response', response });
      return;
    }
    if (this.kind === 'server-invite' && response.status >= 200 && response.status < 300) {
      this.#send(response);
      return;
    }
    this.#context.logger.log('debug', 'response after the server transaction ended dropped', {
      id: this.id,
      status: response.status,
    });
  }

  #perform(action: TransactionAction): void {
    const user = this.#context.user();
    switch (action.kind) {
      case 'send-response':
        if (action.response.status >= 200) this.#finalSent();
        this.#send(action.response);
        return;
      case 'deliver-ack':
        this.#callUser('onAck', () => user?.onAck(action.ack, this.#ackSource ?? this.source, this));
        return;
      case 'timeout':
        this.#callUser('onAckTimeout', () => user?.onAckTimeout?.(this));
        return;
      case 'transport-failed':
        this.#callUser('onTransportError', () => user?.onTransportError?.(this));
        return;
      case 'terminated':
        this.#clearUnansweredTimer();
        this.#context.release(this);
        return;
      default:
        this.#context.logger.log('warn', 'server transaction ignored an action', {
          id: this.id,
          action: action.kind,
        });
    }
  }

  /**
   * A non-INVITE transaction now only lingers (Timer J) to answer retransmissions: the parsed request, its body and
   * its other headers are no longer needed, and a flood of requests would otherwise keep them all for 32 s.
   */
  #finalSent(): void {
    this.#clearUnansweredTimer();
    if (this.kind !== 'server-non-invite' || this.#requestTrimmed) return;
    this.#requestTrimmed = true;
    this.#request = transactionCopy(this.#request);
  }

  #clearUnansweredTimer(): void {
    this.#context.clock.clearTimer(this.#unansweredTimer);
    this.#unansweredTimer = undefined;
  }

  /** These callbacks come after the final response: a throw leaves nothing to answer, only something to report. */
  #callUser(callback: ServerCallback, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#context.userFailed({ side: 'server', callback, transaction: this, error });
    }
  }

  #send(response: SipResponse): void {
    let sent: Promise<void>;
    try {
      sent = this.#context.transport.sendResponse(response, this.source);
    } catch (error) {
      this.#transportFailed(error);
      return;
    }
    sent.catch((error: unknown) => this.#transportFailed(error));
  }

  #transportFailed(error: unknown): void {
    this.#context.logger.log('warn', 'transport could not send a response', {
      id: this.id,
      error: error instanceof Error ? error.message : String(error),
    });
    this.#machine.dispatch({ kind: 'transport-error' });
  }
}
