// RFC 3261 §17.1 client transactions as the TU sees them: one handle per request sent, whose outcome always arrives
// as a SipResponse — timeouts and transport failures included, as the 408 and 503 that §8.1.3.1 says to treat them
// as. It also holds the hook for cancelling a pending INVITE (§9.1).
import { createResponse } from '../message/builders';
import type { SipRequest, SipResponse } from '../message/message';
import type { Logger } from '../../platform/logger';
import type { Clock } from '../../platform/clock';
import { type Destination, type TransportSender, isReliable } from '../transport/types';
import { createClientInviteState, stepClientInvite } from './client-invite-transaction';
import { createClientNonInviteState, stepClientNonInvite } from './client-non-invite-transaction';
import type { MachineState } from './state-machine';
import type { ClientTransactionInput, TransactionAction } from './transaction-actions';
import { type DriverHooks, TransactionDriver, sharedDriverHooks } from './transaction-driver';
import { buildCancel } from './transaction-requests';
import { clientTransactionKey } from './matching';
import type { TimerName, TimerSettings } from './timers';
import { type ClientCallback, type TransactionUserFailure, describeError } from './transaction-user-failure';

export interface ClientTransactionUser {
  onProvisional?(response: SipResponse): void;
  /**
   * A final response. A timeout (Timer B or F) arrives as a 408 and a transport failure as a 503, both built locally
   * (see isSynthesizedResponse). For INVITE this is called again for every 2xx retransmission or fork that arrives
   * while the transaction is Accepted (RFC 6026): the TU answers each with an ACK.
   */
  onFinal(response: SipResponse): void;
  /** The transaction is gone; no more calls follow. */
  onTerminated?(): void;
}

/**
 * `sent`: the CANCEL is on its way. `deferred`: no provisional response yet, so it goes out with the first one
 * (§9.1); if a final response comes first it is never sent and the CANCEL's user only sees onTerminated.
 * `not-cancellable`: not an INVITE, already cancelled, or a final response has arrived.
 */
export type CancelOutcome = 'sent' | 'deferred' | 'not-cancellable';

export type ClientTransactionKind = 'client-invite' | 'client-non-invite';

export interface ClientTransaction {
  /** Opaque and unique among live client transactions (branch and method). */
  readonly id: string;
  readonly kind: ClientTransactionKind;
  readonly branch: string;
  readonly method: string;
  /** The request as sent, with the top Via the layer added. */
  readonly request: SipRequest;
  readonly destination: Destination;
  /** The machine's state name: initial, calling, trying, proceeding, completed, accepted or terminated. */
  readonly state: string;
  /** Cancels a pending INVITE with a CANCEL in its own client transaction, reported to `user`. */
  cancel(user: ClientTransactionUser): CancelOutcome;
}

const synthesized = new WeakSet<SipResponse>();

/** True for the 408 and 503 the layer builds for a timeout or a transport failure. */
export function isSynthesizedResponse(response: SipResponse): boolean {
  return synthesized.has(response);
}

function synthesize(request: SipRequest, status: 408 | 503): SipResponse {
  const response = createResponse(request, status);
  synthesized.add(response);
  return response;
}

/** What a client transaction needs from the layer that owns it. */
export interface ClientTransactionContext {
  readonly clock: Clock;
  readonly transport: TransportSender;
  readonly logger: Logger;
  readonly timers: TimerSettings;
  readonly stateChanged: (transaction: ClientTransaction, from: string, to: string) => void;
  /** The transaction terminated: forget it. */
  readonly release: (transaction: ClientTransactionHandle) => void;
  /** Starts a CANCEL (its Via already set) as a client transaction of its own. */
  readonly startCancel: (cancel: SipRequest, destination: Destination, user: ClientTransactionUser) => void;
  /** A TU callback threw; the transaction carries on to its end regardless. */
  readonly userFailed: (failure: TransactionUserFailure) => void;
}

interface DrivenMachine {
  readonly state: MachineState;
  readonly runningTimers: TimerName[];
  dispatch(input: ClientTransactionInput): void;
  dispose(): void;
}

export class ClientTransactionHandle implements ClientTransaction {
  /** One hooks object per layer (context), shared by all its client transactions. */
  static readonly #hooks = new WeakMap<ClientTransactionContext, DriverHooks<ClientTransactionHandle>>();

  static #hooksFor(context: ClientTransactionContext): DriverHooks<ClientTransactionHandle> {
    return sharedDriverHooks(
      ClientTransactionHandle.#hooks,
      context,
      'client',
      (owner, action) => owner.#perform(action),
      describeError,
    );
  }

  readonly id: string;
  readonly kind: ClientTransactionKind;
  readonly method: string;
  readonly #context: ClientTransactionContext;
  readonly #user: ClientTransactionUser;
  readonly #machine: DrivenMachine;
  /** Where retransmissions go: the destination the transport actually used the first time (UDP may become TCP). */
  #route: Destination;
  /** The machine treats the transport as reliable (from the start, or since the transport moved to TCP). */
  #reliable: boolean;
  #finalDelivered = false;
  #cancelRequested = false;
  #pendingCancel: ClientTransactionUser | undefined;

  constructor(
    context: ClientTransactionContext,
    readonly request: SipRequest,
    readonly destination: Destination,
    readonly branch: string,
    user: ClientTransactionUser,
    reliable: boolean,
  ) {
    this.#context = context;
    this.#user = user;
    this.#route = destination;
    this.#reliable = reliable;
    this.method = request.method;
    this.id = clientTransactionKey(branch, request.method);
    this.kind = request.method === 'INVITE' ? 'client-invite' : 'client-non-invite';
    const hooks = ClientTransactionHandle.#hooksFor(context);
    const options = { reliable, timers: context.timers };
    this.#machine =
      this.kind === 'client-invite'
        ? new TransactionDriver(createClientInviteState(request, options), stepClientInvite, hooks, this)
        : new TransactionDriver(createClientNonInviteState(options), stepClientNonInvite, hooks, this);
  }

  get state(): string {
    return this.#machine.state.name;
  }

  /** Timers currently running, for tests and traces. */
  get runningTimers(): TimerName[] {
    return this.#machine.runningTimers;
  }

  /** Where the request (and its retransmissions) actually go. */
  get route(): Destination {
    return this.#route;
  }

  start(): void {
    this.#machine.dispatch({ kind: 'send' });
  }

  /**
   * The transport learned that the destination cannot be reached (ICMP). Only a transaction that has heard nothing
   * yet ends on it (503, §8.1.3.1): one that got a response knows better than a stray ICMP error.
   */
  destinationUnreachable(): void {
    const state = this.state;
    if (state !== 'trying' && state !== 'calling') return;
    this.#context.logger.log('debug', 'destination unreachable: transaction ends', { id: this.id });
    this.#machine.dispatch({ kind: 'transport-error' });
  }

  receive(response: SipResponse): void {
    this.#machine.dispatch({ kind: 'response', response });
  }

  dispose(): void {
    this.#machine.dispose();
  }

  cancel(user: ClientTransactionUser): CancelOutcome {
    if (this.kind !== 'client-invite' || this.#cancelRequested) return 'not-cancellable';
    const state = this.state;
    if (state === 'proceeding') {
      this.#cancelRequested = true;
      this.#sendCancel(user);
      return 'sent';
    }
    if (state === 'initial' || state === 'calling') {
      this.#cancelRequested = true;
      this.#pendingCancel = user;
      return 'deferred';
    }
    return 'not-cancellable';
  }

  #sendCancel(user: ClientTransactionUser): void {
    this.#context.startCancel(buildCancel(this.request), this.#route, user);
  }

  #perform(action: TransactionAction): void {
    switch (action.kind) {
      case 'send-request':
        this.#send(this.request);
        return;
      case 'send-ack':
        this.#send(action.ack);
        return;
      case 'deliver':
        if (action.response.status < 200) {
          const response = action.response;
          this.#callUser(this.#user, 'onProvisional', (user) => user.onProvisional?.(response));
          const pending = this.#pendingCancel;
          this.#pendingCancel = undefined;
          if (pending) this.#sendCancel(pending);
        } else {
          this.#deliverFinal(action.response);
        }
        return;
      case 'timeout':
        this.#deliverFinal(synthesize(this.request, 408));
        return;
      case 'transport-failed':
        this.#deliverFinal(synthesize(this.request, 503));
        return;
      case 'terminated':
        this.#context.release(this);
        this.#dropPendingCancel();
        this.#callUser(this.#user, 'onTerminated', (user) => user.onTerminated?.());
        return;
      default:
        this.#context.logger.log('warn', 'client transaction ignored an action', {
          id: this.id,
          action: action.kind,
        });
    }
  }

  /** The TU hears of one final outcome, except the RFC 6026 2xx retransmissions and forks it must see. */
  #deliverFinal(response: SipResponse): void {
    const is2xx = response.status >= 200 && response.status < 300 && !synthesized.has(response);
    if (this.#finalDelivered && !(is2xx && this.kind === 'client-invite')) {
      this.#context.logger.log('debug', 'outcome after the final response not passed on', {
        id: this.id,
        status: response.status,
      });
      return;
    }
    this.#finalDelivered = true;
    this.#dropPendingCancel();
    this.#callUser(this.#user, 'onFinal', (user) => user.onFinal(response));
  }

  #dropPendingCancel(): void {
    const pending = this.#pendingCancel;
    this.#pendingCancel = undefined;
    if (pending) this.#callUser(pending, 'onTerminated', (user) => user.onTerminated?.());
  }

  /**
   * Each callback on its own: one that throws must not keep the transaction from ending, nor the next user (a
   * deferred CANCEL's) from hearing its news. The owner hears of the throw and can fail the usage.
   */
  #callUser(
    user: ClientTransactionUser,
    callback: ClientCallback,
    call: (user: ClientTransactionUser) => void,
  ): void {
    try {
      call(user);
    } catch (error) {
      this.#context.userFailed({ side: 'client', callback, transaction: this, user, error });
    }
  }

  #send(message: SipRequest): void {
    let sent: Promise<Destination>;
    try {
      sent = this.#context.transport.sendRequest(message, this.#route);
    } catch (error) {
      this.#transportFailed(error);
      return;
    }
    sent.then(
      (used) => {
        this.#route = used;
        if (!this.#reliable && isReliable(used.protocol)) {
          // §18.1.1 sent it over TCP: retransmitting over TCP would only duplicate what TCP delivers anyway.
          this.#reliable = true;
          this.#machine.dispatch({ kind: 'transport-reliable' });
        }
      },
      (error: unknown) => this.#transportFailed(error),
    );
  }

  #transportFailed(error: unknown): void {
    this.#context.logger.log('warn', 'transport could not send a request', {
      id: this.id,
      error: error instanceof Error ? error.message : String(error),
    });
    this.#machine.dispatch({ kind: 'transport-error' });
  }
}
