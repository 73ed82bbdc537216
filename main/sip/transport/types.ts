// The seam between the transport layer (RFC 3261 §18) and the layers above it. Destinations are always IP
// literals: name resolution (RFC 3263) happens above, and is skipped entirely when an outbound proxy is configured.
import type { SipMessage, SipRequest, SipResponse } from '../message/message';

export type TransportProtocol = 'udp' | 'tcp';

export interface Destination {
  readonly protocol: TransportProtocol;
  /** IP literal without brackets. */
  readonly address: string;
  readonly port: number;
}

/** Where a message came from: enough to answer it per RFC 3261 §18.2.2 and RFC 3581 §4. */
export interface MessageSource {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  /** The local address the message arrived on. */
  readonly localAddress: string;
  readonly localPort: number;
  /** The stream connection it arrived on, so responses reuse it (RFC 3261 §18.2.2). */
  readonly connectionId?: string;
}

export interface IncomingMessage {
  readonly message: SipMessage;
  readonly source: MessageSource;
  /** Wire size, for traces and limits. */
  readonly size: number;
}

/** The address and transport token to write into our top Via for a destination (RFC 3261 §18.1.1). */
export interface SentBy {
  readonly transport: 'UDP' | 'TCP';
  readonly host: string;
  readonly port: number;
}

export class TransportError extends Error {
  constructor(
    message: string,
    readonly destination: Destination,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** What the transaction layer needs from the transport layer. */
export interface TransportSender {
  /** The sent-by to put in the top Via of a request to this destination. */
  sentBy(destination: Destination): SentBy;
  /**
   * Sends a request. Resolves once handed to the socket; rejects with TransportError when the destination cannot
   * be reached (connection refused, ICMP unreachable seen, no route). A message larger than the UDP limit is sent
   * over TCP instead (RFC 3261 §18.1.1) — the returned destination says which was used.
   */
  sendRequest(request: SipRequest, destination: Destination): Promise<Destination>;
  /** Sends a response to a request received from `source`, choosing the target per RFC 3261 §18.2.2. */
  sendResponse(response: SipResponse, source: MessageSource): Promise<void>;
  /**
   * Learns of UDP destinations found unreachable (an ICMP port or host unreachable) after a request was sent there,
   * so the transactions waiting on them can end now (RFC 3261 §8.1.3.1). Optional: not every transport can tell.
   */
  onDestinationUnreachable?(handler: (destination: Destination) => void): void;
}

export function isReliable(protocol: TransportProtocol): boolean {
  return protocol === 'tcp';
}
