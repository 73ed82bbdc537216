// Node adapters for the socket seam in ./sockets: UDP over node:dgram, TCP over node:net.
// Addresses must be IP literals. Name resolution is the transport's job (RFC 3263), and a lookup hidden in here would
// stall the packet path and, in tests, reach for a resolver that is not on loopback.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, isIP, type Server, type Socket as TcpSocket } from 'node:net';
import {
  addressFamilyOf,
  type ConnectedDatagramSocket,
  type DatagramSocket,
  type SocketAddress,
  type SocketFactory,
  type StreamConnection,
  type StreamServer,
} from './sockets';

export interface NodeSocketFactoryOptions {
  /** SO_RCVBUF for datagram sockets; the kernel caps it (net.core.rmem_max). Default 4 MiB. */
  readonly receiveBufferBytes?: number;
  /** SO_SNDBUF for datagram sockets. Default 1 MiB. */
  readonly sendBufferBytes?: number;
}

const DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;
const DEFAULT_SEND_BUFFER = 1024 * 1024;

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `::ffff:127.0.0.1` → `127.0.0.1`; any other address unchanged. Dual-stack sockets report IPv4 peers this way. */
export function unmapIpv4(address: string): string {
  const match = MAPPED_IPV4.exec(address);
  return match ? match[1]! : address;
}

/** A SocketAddress with the IPv4-mapped prefix removed and the family derived from the address itself. */
export function socketAddress(address: string, port: number): SocketAddress {
  const plain = unmapIpv4(address);
  return { address: plain, port, family: addressFamilyOf(plain) };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * node:dgram resolves every destination, even an IP literal, through its `lookup` before sending, and the default
 * (dns.lookup) answers a literal on a later tick, so a datagram would leave only after whatever its caller did next
 * (an ACK behind the call starting its media). Addresses reaching this adapter are IP literals already, so this
 * lookup answers at once and the datagram is handed to the kernel inside send() (and a bind happens inside bind()).
 */
function literalLookup(
  hostname: string,
  _family: unknown,
  callback: (error: Error | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family === 0) callback(notAnIpLiteral(hostname), hostname, 0);
  else callback(null, hostname, family);
}

function notAnIpLiteral(address: string): Error {
  return Object.assign(
    new Error(`not an IP address: ${JSON.stringify(address)} (resolve names before this layer)`),
    {
      code: 'EINVAL',
    },
  );
}

export class NodeSocketFactory implements SocketFactory {
  readonly #receiveBufferBytes: number;
  readonly #sendBufferBytes: number;

  constructor(options: NodeSocketFactoryOptions = {}) {
    this.#receiveBufferBytes = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER;
    this.#sendBufferBytes = options.sendBufferBytes ?? DEFAULT_SEND_BUFFER;
  }

  bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    return new Promise((resolve, reject) => {
      if (isIP(address) === 0) {
        reject(notAnIpLiteral(address));
        return;
      }
      const socket = createSocket({
        type: addressFamilyOf(address) === 'IPv6' ? 'udp6' : 'udp4',
        lookup: literalLookup,
      });
      const failBind = (error: Error): void => {
        try {
          socket.close();
        } catch {
          // node may have closed it already
        }
        reject(error);
      };
      socket.once('error', failBind);
      socket.once('listening', () => {
        socket.off('error', failBind);
        // Bursts of retransmissions and RTP can outrun the event loop briefly; a big buffer absorbs them. The kernel
        // silently caps the size, and a refusal is no reason to fail the bind.
        try {
          socket.setRecvBufferSize(this.#receiveBufferBytes);
          socket.setSendBufferSize(this.#sendBufferBytes);
        } catch {
          // keep the system default
        }
        resolve(new NodeDatagramSocket(socket));
      });
      try {
        socket.bind({ address, port });
      } catch (error) {
        failBind(asError(error));
      }
    });
  }

  listenStream(address: string, port: number): Promise<StreamServer> {
    return new Promise((resolve, reject) => {
      if (isIP(address) === 0) {
        reject(notAnIpLiteral(address));
        return;
      }
      const server = createServer({ noDelay: true, keepAlive: false });
      const failListen = (error: Error): void => {
        server.close();
        reject(error);
      };
      server.once('error', failListen);
      try {
        server.listen({ host: address, port }, () => {
          server.off('error', failListen);
          resolve(new NodeStreamServer(server));
        });
      } catch (error) {
        failListen(asError(error));
      }
    });
  }

  connectDatagram(address: string, port: number, localAddress: string): Promise<ConnectedDatagramSocket> {
    return new Promise((resolve, reject) => {
      if (isIP(address) === 0 || isIP(localAddress) === 0) {
        reject(notAnIpLiteral(isIP(address) === 0 ? address : localAddress));
        return;
      }
      const socket = createSocket({
        type: addressFamilyOf(address) === 'IPv6' ? 'udp6' : 'udp4',
        lookup: literalLookup,
      });
      const fail = (error: Error): void => {
        try {
          socket.close();
        } catch {
          // node may have closed it already
        }
        reject(error);
      };
      socket.once('error', fail);
      try {
        socket.bind({ address: localAddress, port: 0 }, () => {
          socket.connect(port, address, () => {
            socket.off('error', fail);
            resolve(new NodeConnectedDatagramSocket(socket));
          });
        });
      } catch (error) {
        fail(asError(error));
      }
    });
  }

  connectStream(address: string, port: number, localAddress?: string): Promise<StreamConnection> {
    return new Promise((resolve, reject) => {
      if (isIP(address) === 0) {
        reject(notAnIpLiteral(address));
        return;
      }
      if (localAddress !== undefined && isIP(localAddress) === 0) {
        reject(notAnIpLiteral(localAddress));
        return;
      }
      let socket: TcpSocket;
      try {
        socket = connect({ host: address, port, localAddress, noDelay: true, keepAlive: false });
      } catch (error) {
        reject(asError(error));
        return;
      }
      const failConnect = (error: Error): void => {
        socket.destroy();
        reject(error);
      };
      socket.once('error', failConnect);
      socket.once('connect', () => {
        socket.off('error', failConnect);
        resolve(new NodeStreamConnection(socket));
      });
    });
  }
}

class NodeDatagramSocket implements DatagramSocket {
  readonly local: SocketAddress;
  readonly #socket: UdpSocket;
  readonly #messageHandlers: ((data: Uint8Array, from: SocketAddress) => void)[] = [];
  readonly #errorHandlers: ((error: Error) => void)[] = [];
  #closed = false;

  constructor(socket: UdpSocket) {
    this.#socket = socket;
    const bound = socket.address();
    this.local = socketAddress(bound.address, bound.port);
    socket.on('message', (message, remote) => {
      // Closed, with a last datagram still on its way out: nothing more is delivered.
      if (this.#closed) return;
      // A plain view rather than the Buffer subclass, so consumers see the same type as from the in-memory network.
      const data = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      const from = socketAddress(remote.address, remote.port);
      for (const handler of this.#messageHandlers) handler(data, from);
    });
    // Always listening for 'error' is what keeps an ICMP-induced or send error from becoming an uncaught exception.
    socket.on('error', (error) => this.#emitError(error));
  }

  send(data: Uint8Array, port: number, address: string): void {
    if (this.#closed) return;
    if (isIP(address) === 0) {
      this.#emitErrorLater(notAnIpLiteral(address));
      return;
    }
    try {
      // The datagram usually reaches the kernel inside this call (see literalLookup), but when the socket's send
      // queue is not empty libuv queues it and reads `data` later. A copy keeps the seam's promise that the caller
      // may reuse its buffer at once (the RTP sender writes every packet into one).
      this.#pendingSends++;
      this.#socket.send(Buffer.from(data), port, address, (error) => {
        this.#pendingSends--;
        if (error) this.#emitError(error);
        if (this.#closed) this.#closeWhenSent();
      });
    } catch (error) {
      this.#pendingSends--;
      // Argument errors (a bad port) throw synchronously; report them like any other send failure.
      this.#emitErrorLater(asError(error));
    }
  }

  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void {
    this.#messageHandlers.push(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.#errorHandlers.push(handler);
  }

  /** Datagrams handed to node and not yet sent; close() lets them go out first (a BYE before the socket ends). */
  #pendingSends = 0;
  #released = false;
  #whenReleased: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeWhenSent();
  }

  released(): Promise<void> {
    if (this.#released) return Promise.resolve();
    if (this.#whenReleased === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => (resolve = settle));
      this.#whenReleased = { promise, resolve };
    }
    return this.#whenReleased.promise;
  }

  #closeWhenSent(): void {
    if (this.#pendingSends > 0 || this.#released) return;
    this.#released = true;
    try {
      this.#socket.close();
    } catch {
      // already closed by node after a fatal error
    }
    // node's close() stops the handle reading at once: no datagram is delivered after this line.
    this.#whenReleased?.resolve();
  }

  #emitError(error: Error): void {
    if (this.#closed) return;
    for (const handler of this.#errorHandlers) handler(error);
  }

  // Never call handlers from inside send(): the caller may be half way through updating its own state.
  #emitErrorLater(error: Error): void {
    queueMicrotask(() => this.#emitError(error));
  }
}

class NodeConnectedDatagramSocket implements ConnectedDatagramSocket {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly #socket: UdpSocket;
  readonly #errorHandlers: ((error: Error) => void)[] = [];
  #closed = false;

  constructor(socket: UdpSocket) {
    this.#socket = socket;
    const bound = socket.address();
    const peer = socket.remoteAddress();
    this.local = socketAddress(bound.address, bound.port);
    this.remote = socketAddress(peer.address, peer.port);
    // libuv reads the pending ICMP error (recvmsg fails with ECONNREFUSED) and node emits it here.
    socket.on('error', (error) => this.#emitError(error));
    // Whatever the peer answers is of no interest; reading it keeps the receive queue empty.
    socket.on('message', () => undefined);
  }

  send(data: Uint8Array): void {
    if (this.#closed) return;
    try {
      this.#socket.send(data, (error) => {
        if (error) this.#emitError(error);
      });
    } catch (error) {
      const failure = asError(error);
      queueMicrotask(() => this.#emitError(failure));
    }
  }

  onError(handler: (error: Error) => void): void {
    this.#errorHandlers.push(handler);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close();
    } catch {
      // already closed by node after a fatal error
    }
  }

  #emitError(error: Error): void {
    if (this.#closed) return;
    for (const handler of this.#errorHandlers) handler(error);
  }
}

class NodeStreamServer implements StreamServer {
  readonly local: SocketAddress;
  readonly #server: Server;
  readonly #connectionHandlers: ((connection: StreamConnection) => void)[] = [];
  #closed = false;

  constructor(server: Server) {
    this.#server = server;
    const bound = server.address();
    this.local =
      bound !== null && typeof bound === 'object'
        ? socketAddress(bound.address, bound.port)
        : socketAddress('0.0.0.0', 0);
    server.on('connection', (socket) => {
      const connection = new NodeStreamConnection(socket);
      if (this.#connectionHandlers.length === 0) {
        connection.close();
        return;
      }
      for (const handler of this.#connectionHandlers) handler(connection);
    });
    // Accept failures (EMFILE and the like) are transient for a listening server; keep listening, never crash.
    server.on('error', () => undefined);
  }

  onConnection(handler: (connection: StreamConnection) => void): void {
    this.#connectionHandlers.push(handler);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Stops accepting; connections already accepted stay open until their owners close them.
    this.#server.close();
  }
}

class NodeStreamConnection implements StreamConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly #socket: TcpSocket;
  readonly #dataHandlers: ((chunk: Uint8Array) => void)[] = [];
  readonly #closeHandlers: ((error?: Error) => void)[] = [];
  #closing = false;
  #finished = false;
  #error: Error | undefined;

  constructor(socket: TcpSocket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(false);
    this.local = socketAddress(socket.localAddress ?? '', socket.localPort ?? 0);
    this.remote = socketAddress(socket.remoteAddress ?? '', socket.remotePort ?? 0);
    socket.on('error', (error) => {
      // Once we chose to close, a reset from the peer is not news to anyone.
      if (!this.#closing) this.#error ??= error;
    });
    socket.on('close', () => this.#finish());
  }

  write(data: Uint8Array): void {
    if (this.#closing || this.#finished || !this.#socket.writable) return;
    this.#socket.write(data);
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.#dataHandlers.push(handler);
    // Attach the node listener only now: until then the socket buffers what arrives instead of dropping it.
    if (this.#dataHandlers.length === 1) {
      this.#socket.on('data', (chunk: Buffer) => {
        const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (const dataHandler of this.#dataHandlers) dataHandler(view);
      });
    }
  }

  onClose(handler: (error?: Error) => void): void {
    if (this.#finished) {
      const error = this.#error;
      queueMicrotask(() => handler(error));
      return;
    }
    this.#closeHandlers.push(handler);
  }

  close(): void {
    if (this.#closing || this.#finished) return;
    this.#closing = true;
    // Flush what was written, send FIN, then release the descriptor rather than waiting for the peer's FIN.
    this.#socket.end(() => this.#socket.destroy());
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const handlers = this.#closeHandlers.splice(0);
    for (const handler of handlers) handler(this.#error);
  }
}
