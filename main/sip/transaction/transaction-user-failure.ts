// What the transaction layer does when a transaction user's callback throws. A throw must never strand a transaction:
// a server transaction without a final response would sit in Trying for ever (RFC 3261 §17.2.2 gives it no timer
// there), holding its request, and its client would retransmit into the void. So the layer answers on the TU's
// behalf — 400 when the TU tripped over a malformed header (§8.2, §21.4.1), 500 otherwise (§21.5.1) — and tells the
// layer's owner, who can fail the usage the callback belonged to.
import { MalformedHeaderError } from '../message/result';
import type { ClientTransaction, ClientTransactionUser } from './client-transaction';
import type { ServerTransaction } from './server-transaction';

export type ClientCallback = 'onProvisional' | 'onFinal' | 'onTerminated';

export type ServerCallback =
  'onRequest' | 'onAck' | 'onStray2xx' | 'onCancel' | 'onAckTimeout' | 'onTransportError';

export type TransactionUserFailure =
  | {
      readonly side: 'client';
      readonly callback: ClientCallback;
      readonly transaction: ClientTransaction;
      /** The user whose callback threw (a CANCEL's user differs from its INVITE's). */
      readonly user: ClientTransactionUser;
      readonly error: unknown;
    }
  | {
      readonly side: 'server';
      readonly callback: ServerCallback;
      /** Absent for callbacks about traffic outside any transaction (a stray 2xx, an ACK for a 2xx). */
      readonly transaction: ServerTransaction | undefined;
      readonly error: unknown;
      /** The final status the layer answered with on the TU's behalf, if the transaction still needed one. */
      readonly answered?: number;
    };

/** 400 for a header the TU could not read, 500 for anything else. */
export function failureStatus(error: unknown): 400 | 500 {
  return error instanceof MalformedHeaderError ? 400 : 500;
}

/** Reason phrase for the answer: the header problem is worth telling the sender; a bug's details are not. */
export function failureReason(error: unknown): string | undefined {
  if (!(error instanceof MalformedHeaderError)) return undefined;
  // The message quotes untrusted input: keep it short and on one line.
  let detail = '';
  for (const char of error.message.slice(0, 100)) {
    const code = char.charCodeAt(0);
    detail += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return `Bad Request (${detail})`;
}

/** A short form of an error for a log line (no stack for the expected kind). */
export function describeError(error: unknown): string {
  if (error instanceof MalformedHeaderError) return error.message;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
