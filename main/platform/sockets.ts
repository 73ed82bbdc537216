// Sockets as a seam: the transport layer talks to these interfaces; node:dgram / node:net adapters live beside them
// and tests substitute an in-memory network.

export type AddressFamily = 'IPv4' | 'IPv6';

export interface SocketAddress {
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
}

export interface DatagramSocket {
  readonly local: SocketAddress;
  send(data: Uint8Array, port: number, address: string): void;
  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void;
  onError(handler: (error: Error) => void): void;
  close(): void;
  /**
   * Resolves once the socket is really closed after close(): nothing can arrive on it any more. A node socket lets
   * the datagrams already handed to it go out first, so this can be a turn of the event loop later. Optional: a
   * socket without it is closed as soon as close() returns.
   */
  released?(): Promise<void>;
}

/**
 * A UDP socket connected to one peer. Connecting is what makes the kernel report ICMP errors for that peer on the
 * socket (Linux: ECONNREFUSED for a port unreachable, EHOSTUNREACH for a host unreachable); an unconnected socket
 * never hears of them. Used to learn whether a destination is reachable at all.
 */
export interface ConnectedDatagramSocket {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  send(data: Uint8Array): void;
  /** An ICMP error for the peer, or a failed send. */
  onError(handler: (error: Error & { readonly code?: string }) => void): void;
  close(): void;
}

export interface StreamConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  write(data: Uint8Array): void;
  onData(handler: (chunk: Uint8Array) => void): void;
  onClose(handler: (error?: Error) => void): void;
  close(): void;
}

export interface StreamServer {
  readonly local: SocketAddress;
  onConnection(handler: (connection: StreamConnection) => void): void;
  close(): void;
}

/** Creates sockets; the real one wraps node:dgram and node:net, tests use an in-memory network. */
export interface SocketFactory {
  bindDatagram(address: string, port: number): Promise<DatagramSocket>;
  listenStream(address: string, port: number): Promise<StreamServer>;
  connectStream(address: string, port: number, localAddress?: string): Promise<StreamConnection>;
  /** A UDP socket on an ephemeral port of `localAddress`, connected to address:port. Optional: reachability only. */
  connectDatagram?(address: string, port: number, localAddress: string): Promise<ConnectedDatagramSocket>;
}

export function addressFamilyOf(address: string): AddressFamily {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}
