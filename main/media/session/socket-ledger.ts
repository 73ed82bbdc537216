// Every UDP socket of the media worker goes through one ledger, so that the worker can close them all, for certain,
// before its thread is terminated. Node (v20) aborts the whole process when a datagram reaches a socket of a worker
// whose JavaScript is being terminated: the socket's receive callback builds the sender's address object on an
// isolate that refuses to run anything, and the failed check is fatal ("FATAL ERROR: v8::FromJust Maybe value is
// Nothing" in node::AddressToJS under UDPWrap::OnRecv, SIGABRT). A busy worker (calls, the warm-up, a flood at its
// ports) is the likely victim. A socket that is closed delivers nothing more, so the host asks the worker to
// `shutdown` first and terminates it only after the answer, which comes once `closeAll()` has resolved:
//
//   open ──close()──► releasing ──released()──► gone        binds in flight: settled, then closed if too late
//     └──closeAll()──┘  (refuses new binds from then on)
//
// Calls' sockets, the port pool's and the warm-up's all come from here, so none is forgotten.
import type {
  DatagramSocket,
  SocketAddress,
  SocketFactory,
  StreamConnection,
  StreamServer,
} from '../../platform/sockets';

/** Why a bind fails once the ledger has closed: the worker is on its way out. */
export const LEDGER_CLOSED_MESSAGE = 'the media worker is shutting down: no more sockets';

/** A socket of the ledger: the inner socket, with its close noted. */
class LedgerSocket implements DatagramSocket {
  readonly local: SocketAddress;
  readonly #inner: DatagramSocket;
  readonly #onClose: (socket: LedgerSocket) => void;
  #closed = false;

  constructor(inner: DatagramSocket, onClose: (socket: LedgerSocket) => void) {
    this.local = inner.local;
    this.#inner = inner;
    this.#onClose = onClose;
  }

  send(data: Uint8Array, port: number, address: string): void {
    this.#inner.send(data, port, address);
  }

  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void {
    this.#inner.onMessage(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.#inner.onError(handler);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Noted even if the inner close throws: the ledger waits on `released()`, which a broken socket answers at once.
    try {
      this.#inner.close();
    } finally {
      this.#onClose(this);
    }
  }

  released(): Promise<void> {
    return this.#inner.released?.() ?? Promise.resolve();
  }
}

/** The worker's SocketFactory: datagram sockets only, each one known until it is released. */
export class SocketLedger implements SocketFactory {
  readonly #inner: SocketFactory;
  readonly #open = new Set<LedgerSocket>();
  /** Closed sockets whose inner socket may still be open (sends going out), and binds not yet answered. */
  readonly #settling = new Set<Promise<unknown>>();
  #closed = false;

  constructor(inner: SocketFactory) {
    this.#inner = inner;
  }

  /** Sockets bound and not closed. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Whether `closeAll` has been called: every bind fails from then on. */
  get closed(): boolean {
    return this.#closed;
  }

  bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    if (this.#closed) return Promise.reject(new Error(LEDGER_CLOSED_MESSAGE));
    const binding = this.#inner.bindDatagram(address, port).then((inner) => {
      const socket = new LedgerSocket(inner, (closed) => this.#noteClosed(closed));
      if (this.#closed) {
        // closeAll() came while the bind was in flight: the socket never reaches its caller.
        socket.close();
        throw new Error(LEDGER_CLOSED_MESSAGE);
      }
      this.#open.add(socket);
      return socket;
    });
    this.#watch(binding);
    return binding;
  }

  listenStream(): Promise<StreamServer> {
    return Promise.reject(new Error('the media worker uses datagram sockets only'));
  }

  connectStream(): Promise<StreamConnection> {
    return Promise.reject(new Error('the media worker uses datagram sockets only'));
  }

  /**
   * Refuses every bind from now on, closes every socket still open and resolves once all of them, and those of
   * binds that were in flight, are released: nothing can arrive on any of them any more.
   */
  async closeAll(): Promise<void> {
    this.#closed = true;
    for (const socket of [...this.#open]) {
      try {
        socket.close();
      } catch {
        // counted as closed by LedgerSocket all the same
      }
    }
    while (this.#settling.size > 0) await Promise.all([...this.#settling]);
  }

  #noteClosed(socket: LedgerSocket): void {
    this.#open.delete(socket);
    this.#watch(socket.released());
  }

  /** Keeps `promise` in #settling until it settles, whichever way. */
  #watch(promise: Promise<unknown>): void {
    const forget = (): void => {
      this.#settling.delete(settled);
    };
    const settled: Promise<void> = promise.then(forget, forget);
    this.#settling.add(settled);
  }
}
