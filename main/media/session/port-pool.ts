// The main thread's book of the RTP/RTCP port pairs the media worker holds bound ahead of calls, so a call can name
// its ports in the SDP at once instead of waiting for a round trip to the worker (see media-worker-host.ts). This
// file only keeps the book: which pairs are ready or still being bound, for which bind address. The host sends the
// `reserve`, `claim` and `release` messages it decides on.
//
//   plan(address) ──► reserve n ──► settled(address, r, ports) ──► ready ──► take(address) ──► claim (one call)
//                                                                    └────── evicted / cleared ──► release
//
// Rules that keep it safe:
// - A pair is handed out once. The worker closes it with its call, and the book never sees it again, so a port that
//   carried one call's media (whose late packets may still arrive) never serves the next call.
// - A pair serves only a call binding the very address it was bound on: the pool never changes which address or
//   family a call uses.
// - Bounded: `size` pairs ready or being bound per address, for the `maxAddresses` addresses used most recently.
import type { AllocatedPorts } from './media-worker-protocol';

export interface PooledPair {
  readonly reservation: number;
  readonly ports: AllocatedPorts;
}

export interface PortPoolOptions {
  /** Pairs kept ready (or being bound) per address; 0 turns the pool off. */
  readonly size: number;
  /** Addresses pooled at once; the least recently used one is given up for a new one. */
  readonly maxAddresses: number;
}

interface AddressBook {
  readonly ready: PooledPair[];
  readonly binding: Set<number>;
}

export class PortPool {
  readonly #size: number;
  readonly #maxAddresses: number;
  /** By address, least recently used first (a Map keeps insertion order; a use moves the address to the end). */
  readonly #books = new Map<string, AddressBook>();

  constructor(options: PortPoolOptions) {
    this.#size = Math.max(0, Math.floor(options.size));
    this.#maxAddresses = Math.max(1, Math.floor(options.maxAddresses));
  }

  get enabled(): boolean {
    return this.#size > 0;
  }

  /** Pairs ready for `address` now. */
  readyCount(address: string): number {
    return this.#books.get(address)?.ready.length ?? 0;
  }

  /** Pairs being bound for `address` now. */
  bindingCount(address: string): number {
    return this.#books.get(address)?.binding.size ?? 0;
  }

  /** A ready pair bound on exactly `address`, taken out of the book for good; undefined when none is ready. */
  take(address: string): PooledPair | undefined {
    const book = this.#touch(address);
    return book?.ready.shift();
  }

  /**
   * What to ask the worker for so `address` has `size` pairs ready or coming: the reservations to bind (numbered by
   * `nextReservation`), and the ready ones of an address given up to make room, to release.
   */
  plan(address: string, nextReservation: () => number): { reserve: number[]; release: number[] } {
    if (!this.enabled) return { reserve: [], release: [] };
    const release: number[] = [];
    let book = this.#touch(address);
    if (book === undefined) {
      while (this.#books.size >= this.#maxAddresses) {
        const [oldest, evicted] = this.#books.entries().next().value as [string, AddressBook];
        this.#books.delete(oldest);
        // Pairs still being bound for it are released when they settle (they are no longer in any book).
        release.push(...evicted.ready.map((pair) => pair.reservation));
      }
      book = { ready: [], binding: new Set() };
      this.#books.set(address, book);
    }
    const reserve: number[] = [];
    for (let count = book.ready.length + book.binding.size; count < this.#size; count++) {
      const reservation = nextReservation();
      book.binding.add(reservation);
      reserve.push(reservation);
    }
    return { reserve, release };
  }

  /**
   * The worker answered a `reserve`: with the pair's ports, or undefined when it could not bind. Answers whether the
   * pair is kept, must be released (its address was given up, or the book cleared, meanwhile), or never existed.
   */
  settled(
    address: string,
    reservation: number,
    ports: AllocatedPorts | undefined,
  ): 'kept' | 'release' | 'none' {
    const book = this.#books.get(address);
    const awaited = book?.binding.delete(reservation) === true;
    if (ports === undefined) return 'none';
    if (book === undefined || !awaited) return 'release';
    book.ready.push({ reservation, ports });
    return 'kept';
  }

  /** Forgets every pair (the worker went away, or the host closes); answers the ready ones, to release if it can. */
  clear(): number[] {
    const ready = [...this.#books.values()].flatMap((book) => book.ready.map((pair) => pair.reservation));
    this.#books.clear();
    return ready;
  }

  #touch(address: string): AddressBook | undefined {
    const book = this.#books.get(address);
    if (book === undefined) return undefined;
    this.#books.delete(address);
    this.#books.set(address, book);
    return book;
  }
}
