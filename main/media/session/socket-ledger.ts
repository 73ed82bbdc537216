// Every UDP socket of the media worker goes through one ledger, so that the worker can close them all, for certain,
// before its thread is terminated. Node (v20) aborts the whole process when a datagram reaches a socket of a worker
// whose JavaScript is being terminated: the socket's receive callback builds the sender's address object on an
// isolate that refuses to run anything, and the failed check is fatal ("FATAL ERROR: v8::FromJust Maybe value is
// Nothing" in node::AddressToJS under UDPWrap::OnRecv, SIGABRT). A busy worker (calls, the warm-up, a flood at its
// ports) is the likely victim. A socket that is closed delivers nothing more, so the host asks the worker to
// `shutdown` first and terminates it only after the answer, which comes once `closeAll()` has resolved:
//
//   bound ──close() by its owner, or closeAll()──► releasing ──released()──► gone (leaves the ledger)
//   a bind in flight at closeAll() ──► closed as soon as it is bound, its caller gets an error
//   closeAll() ──► no bind from then on; resolves once every socket is gone
//
// Calls' sockets, the port pool's and the warm-up's all come from here, so none is forgotten.
import type { DatagramSocket, SocketFactory, StreamConnection, StreamServer } from '../../platform/sockets';

/** Why a bind fails once the ledger has closed: the worker is on its way out. */
export const LEDGER_CLOSED_MESSAGE = 'the media worker is shutting down: no more sockets';

/**
 * The worker's SocketFactory: datagram sockets only, each one known until it is released. The sockets are the inner
 * factory's own, not wrapped: a call's per-packet code sends through them, and with a wrapper class in that path the
 * call benchmark's warm-up A/B for Opus went from 2–25 % less worker CPU to between 3 % less and 12 % more (a few
 * 20 s runs each on a shared machine). A socket leaves the ledger when its `released()` resolves; one without
 * `released()` (a test double) stays until `closeAll`.
 */
export class SocketLedger implements SocketFactory {
  readonly #inner: SocketFactory;
  readonly #open = new Set<DatagramSocket>();
  /** Binds not yet answered, and sockets being released during closeAll. */
  readonly #settling = new Set<Promise<unknown>>();
  #closed = false;

  constructor(inner: SocketFactory) {
    this.#inner = inner;
  }

  /** Sockets bound and not yet released. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Whether `closeAll` has been called: every bind fails from then on. */
  get closed(): boolean {
    return this.#closed;
  }

  bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    if (this.#closed) return Promise.reject(new Error(LEDGER_CLOSED_MESSAGE));
    const binding = this.#inner.bindDatagram(address, port).then((socket) => {
      if (this.#closed) {
        // closeAll() came while the bind was in flight: the socket never reaches its caller.
        this.#release(socket);
        throw new Error(LEDGER_CLOSED_MESSAGE);
      }
      this.#open.add(socket);
      void socket.released?.().then(() => this.#open.delete(socket));
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
   * Refuses every bind from now on, closes every socket not yet released (closing twice is harmless) and resolves
   * once all of them, and those of binds that were in flight, are released: nothing can arrive on any of them.
   */
  async closeAll(): Promise<void> {
    this.#closed = true;
    for (const socket of [...this.#open]) {
      this.#open.delete(socket);
      this.#release(socket);
    }
    while (this.#settling.size > 0) await Promise.all([...this.#settling]);
  }

  /** Closes `socket` and waits (in #settling) for it to be released. */
  #release(socket: DatagramSocket): void {
    try {
      socket.close();
    } catch {
      // a socket that cannot close has nothing left to release
    }
    this.#watch(socket.released?.() ?? Promise.resolve());
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
