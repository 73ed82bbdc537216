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
}

export function addressFamilyOf(address: string): AddressFamily {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}
