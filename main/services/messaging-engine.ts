// The seam between the message service and whatever carries messages: the MESSAGE usage of main/messaging on the
// user agents, which the engine's composition joins behind this interface. The service stores, numbers and words
// nothing here; a MessagingEngine sends page-mode messages (RFC 3428) and is-composing indications (RFC 3994), and
// hands over what arrives. Failures are outcomes, never throws.
import type { MessageFailureDto } from '../contract/contract';

/** A message the service has checked and stored: the body fits MESSAGE_BODY_MAX_BYTES as UTF-8. */
export interface OutgoingMessage {
  /** The account to send from; null sends straight to `to` without an account's proxy or credentials. */
  readonly accountId: string | null;
  /** A SIP URI that parses. */
  readonly to: string;
  /** text/plain; the engine sends it as UTF-8. */
  readonly body: string;
}

/**
 * How sending ended: a 2xx (RFC 3428 §7: delivered to the next hop, nothing more is known), or a failure the window
 * words. `detail` is the technical line ("202 Accepted from 127.0.0.1:5060").
 */
export type SendOutcome =
  | { readonly ok: true; readonly status: number; readonly detail: string }
  | { readonly ok: false; readonly failure: MessageFailureDto };

export interface IncomingMessage {
  /** The account whose address it came to; null when it came to none of them (a direct message to our address). */
  readonly accountId: string | null;
  /**
   * The sender's address of record (From URI without parameters or password, RFC 3261 §19.1.1), and the display
   * name it carried.
   */
  readonly from: string;
  readonly fromName: string | null;
  /** The text, decoded from the body's charset (UTF-8 when none is named). */
  readonly body: string;
  /** The Date header in ms since the epoch when it carried a sane one (a store-and-forward server keeps it). */
  readonly date: number | null;
  /** When it arrived here, ms since the epoch. */
  readonly receivedAt: number;
  /**
   * The same message sent again (a retransmission after our 200 was lost, or a server delivering twice) carries the
   * same key: the service keeps one copy. Built from what a resend keeps (Call-ID and CSeq, else sender, Date and a
   * digest of the body).
   */
  readonly dedupeKey: string;
}

/**
 * What the service answers an incoming message with, once it has stored it (or could not): the engine sends 200 only
 * after `stored`, so a server that keeps messages (msilo) never deletes one we lost; `failed` answers 500 and the
 * sender tries again later; `refused` answers the given final status (e.g. 415, 413, 486).
 */
export type IncomingVerdict =
  | { readonly kind: 'stored' }
  | { readonly kind: 'failed'; readonly detail: string }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string };

/** The peer is typing or stopped (RFC 3994); `idle` also when an `active` state's refresh ran out unrenewed. */
export interface ComposingIndication {
  readonly accountId: string | null;
  /** As IncomingMessage's `from`: no parameters, no password. */
  readonly from: string;
  readonly state: 'active' | 'idle';
}

export interface MessagingEngine {
  send(message: OutgoingMessage): Promise<SendOutcome>;
  /**
   * Our typing state towards `to`. `active` is sent at once unless already sent; the engine refreshes it while it
   * stays active (RFC 3994 §3.2, every 120 s by default) and sends `idle` itself when no new `active` came for 15 s.
   */
  setComposing(accountId: string | null, to: string, state: 'active' | 'idle'): void;
  /** The one handler for incoming messages: called synchronously, its verdict decides the SIP response. */
  setIncomingHandler(handler: (message: IncomingMessage) => IncomingVerdict): void;
  onComposing(listener: (indication: ComposingIndication) => void): () => void;
  /** Stops the composing timers; messages still in flight end as failed. */
  shutdown(): void;
}

/** The stand-in when messages cannot be carried: every send fails with `no-account`, nothing ever arrives. */
export function unavailableMessagingEngine(
  reason = 'messages are not available in this engine',
): MessagingEngine {
  return {
    send: () =>
      Promise.resolve({ ok: false, failure: { reason: 'no-account', status: null, detail: reason } }),
    setComposing: () => undefined,
    setIncomingHandler: () => undefined,
    onComposing: () => () => undefined,
    shutdown: () => undefined,
  };
}
