// RFC 3261 §8.1.3.1 and §18.4: an ICMP port or host unreachable for a UDP destination is a transport failure that
// should end the client transaction at once, instead of leaving it to retransmit until Timer B or F (32 s).
//
// The socket our requests leave from cannot hear ICMP errors: Linux reports them only on a connected UDP socket, and
// ours is unconnected because it serves every peer. Sharing its port with a connected twin (SO_REUSEADDR) would let
// any local user bind that port too and take our incoming traffic, so instead each request to a UDP destination is
// shadowed by a probe: a double CRLF (the keep-alive servers already ignore, RFC 5626 §3.5.1) from a socket of its
// own on an ephemeral port, connected to the destination. Our Via and Contact keep their port; if nothing listens at
// the destination, the probe's socket gets ECONNREFUSED within a round trip and the destination is reported.
import type { Clock } from '../../platform/clock';
import type { ConnectedDatagramSocket, SocketFactory } from '../../platform/sockets';
import type { Destination } from './types';

export interface UdpReachabilityOptions {
  readonly sockets: SocketFactory;
  readonly clock: Clock;
  /** The address our transport is bound to: probes leave from it too, so they take the same route. */
  readonly localAddress: string;
  /** How long a probe listens for an ICMP error before it closes. Default 2 s. */
  readonly windowMs?: number;
  /** Probes open at once (each is a socket); past this, a request goes unprobed. Default 8. */
  readonly maxProbes?: number;
}

/** Socket errors that mean the destination cannot be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const PROBE = new Uint8Array([0x0d, 0x0a, 0x0d, 0x0a]);

export class UdpReachability {
  readonly #options: UdpReachabilityOptions;
  readonly #windowMs: number;
  readonly #maxProbes: number;
  /** Destinations being probed, by address:port; the value closes the probe. */
  readonly #probes = new Map<string, () => void>();
  #onUnreachable: (destination: Destination, code: string) => void = () => undefined;
  #closed = false;

  constructor(options: UdpReachabilityOptions) {
    this.#options = options;
    this.#windowMs = options.windowMs ?? 2_000;
    this.#maxProbes = options.maxProbes ?? 8;
  }

  onUnreachable(handler: (destination: Destination, code: string) => void): void {
    this.#onUnreachable = handler;
  }

  /** Probes `destination` unless a probe to it is already listening (retransmissions do not add probes). */
  probe(destination: Destination): void {
    const connect = this.#options.sockets.connectDatagram?.bind(this.#options.sockets);
    const key = `${destination.address} ${destination.port}`;
    if (!connect || this.#closed || this.#probes.has(key) || this.#probes.size >= this.#maxProbes) return;
    let socket: ConnectedDatagramSocket | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.#options.clock.clearTimer(timer);
      if (this.#probes.get(key) === finish) this.#probes.delete(key);
      socket?.close();
    };
    const timer = this.#options.clock.setTimer(this.#windowMs, finish);
    this.#probes.set(key, finish);
    connect(destination.address, destination.port, this.#options.localAddress).then(
      (connected) => {
        socket = connected;
        if (finished) {
          connected.close();
          return;
        }
        connected.onError((error) => {
          const code = error.code ?? '';
          if (finished || !UNREACHABLE_CODES.has(code)) return;
          finish();
          this.#onUnreachable(destination, code);
        });
        connected.send(PROBE);
      },
      // No probe socket (descriptors exhausted, say): the request itself went out; Timer F still bounds it.
      () => finish(),
    );
  }

  /** Probes listening now, for tests. */
  get openProbes(): number {
    return this.#probes.size;
  }

  close(): void {
    this.#closed = true;
    for (const finish of [...this.#probes.values()]) finish();
  }
}
