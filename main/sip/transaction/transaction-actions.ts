// The vocabulary of the sans-IO transaction machines (RFC 3261 §17): what goes in (inputs from the transport, the
// TU and the clock) and what comes out (actions the adapter carries out). Nothing here touches a socket or a timer.
import type { SipRequest, SipResponse } from '../message/message';
import type { TimerName } from './timers';

export type TransactionAction =
  /** Pass the transaction's request to the transport (first send and every retransmission). */
  | { readonly kind: 'send-request' }
  /** Client INVITE: pass the ACK for a non-2xx final response to the transport (§17.1.1.3). */
  | { readonly kind: 'send-ack'; readonly ack: SipRequest }
  | { readonly kind: 'send-response'; readonly response: SipResponse }
  /** (Re)start a timer; a running timer of the same name is replaced. */
  | { readonly kind: 'start-timer'; readonly name: TimerName; readonly ms: number }
  | { readonly kind: 'cancel-timer'; readonly name: TimerName }
  /** Client: hand a response to the TU. */
  | { readonly kind: 'deliver'; readonly response: SipResponse }
  /** Server INVITE in Accepted: hand an ACK that matched the transaction to the TU (RFC 6026 §7). */
  | { readonly kind: 'deliver-ack'; readonly ack: SipRequest }
  /** Client: Timer B or F fired (the TU sees a 408). Server INVITE: Timer H fired, the ACK never came. */
  | { readonly kind: 'timeout' }
  /** The transport could not send (the client TU sees a 503, §8.1.3.1). */
  | { readonly kind: 'transport-failed' }
  /** The transaction is over: the adapter cancels every timer and forgets it. */
  | { readonly kind: 'terminated' };

export type TimerInput = { readonly kind: 'timer'; readonly name: TimerName };

export type ClientTransactionInput =
  /** The TU hands the request over: the arrow into Calling / Trying. */
  | { readonly kind: 'send' }
  | { readonly kind: 'response'; readonly response: SipResponse }
  | TimerInput
  | { readonly kind: 'transport-error' }
  /**
   * The transport carried the request over a reliable protocol although the transaction began on an unreliable
   * one (RFC 3261 §18.1.1: a request too large for UDP goes over TCP). From then on it is a reliable transaction.
   */
  | { readonly kind: 'transport-reliable' };

export type ServerTransactionInput =
  /** The request arrived and created the transaction: the arrow into Proceeding / Trying. */
  | { readonly kind: 'receive' }
  | { readonly kind: 'request-retransmission' }
  /** INVITE only: an ACK that matched the transaction (§17.2.3). */
  | { readonly kind: 'ack'; readonly ack: SipRequest }
  | { readonly kind: 'tu-response'; readonly response: SipResponse }
  | TimerInput
  | { readonly kind: 'transport-error' };

export interface Step<S> {
  readonly state: S;
  readonly actions: readonly TransactionAction[];
}
