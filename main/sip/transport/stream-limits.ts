// What a stranger can make the TCP side of the transport hold (RFC 3261 §18.3 leaves connection management to the
// implementation). Every inbound connection costs a descriptor and up to a head plus a body of buffered bytes, so the
// number of them is bounded overall and per source address, a message that is begun must be finished in time (a
// peer trickling a head byte by byte would otherwise hold its buffer for ever), and an inbound connection that
// carries nothing of ours is closed when idle. Connections we open ourselves (registration flows) are counted apart:
// their life is the flow's business.

export interface StreamLimits {
  /** Inbound connections open at once; one more is closed as soon as it is accepted. */
  readonly maxInboundConnections: number;
  /** Inbound connections open at once from one IP address. */
  readonly maxInboundPerAddress: number;
  /** A message whose first bytes arrived must be complete within this, or the connection is closed. */
  readonly messageTimeoutMs: number;
  /**
   * An inbound connection with no traffic either way for this long, and no request of its peer still waiting for
   * our final response, is closed (with such a request, after four times this). Longer than 64*T1 (32 s) so a
   * request of ours sent on it is answered first.
   */
  readonly idleTimeoutMs: number;
  /** Start line and headers of one message, at most (the framer closes the connection past it). */
  readonly maxHeadBytes: number;
  /** A body larger than this is refused as soon as its Content-Length is read, before any of it is buffered. */
  readonly maxBodyBytes: number;
}

/**
 * A softphone takes few inbound connections (peers and proxies that do not reuse ours), so these are generous for
 * real use and keep a storm to about 256 × (32 + 64) KiB ≈ 24 MiB of buffers at worst.
 */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxInboundConnections: 256,
  maxInboundPerAddress: 16,
  messageTimeoutMs: 20_000,
  idleTimeoutMs: 120_000,
  maxHeadBytes: 32 * 1024,
  maxBodyBytes: 64 * 1024,
};

export function streamLimits(overrides: Partial<StreamLimits> = {}): StreamLimits {
  return { ...DEFAULT_STREAM_LIMITS, ...overrides };
}

export type AdmissionRefusal = 'overall' | 'per-address';

/** Counts inbound connections overall and per source address. */
export class InboundConnectionCount {
  readonly #limits: StreamLimits;
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: StreamLimits) {
    this.#limits = limits;
  }

  get total(): number {
    return this.#total;
  }

  /** Counts a connection from `address` in, or says which limit it would break. */
  admit(address: string): AdmissionRefusal | undefined {
    const key = address.toLowerCase();
    const fromAddress = this.#perAddress.get(key) ?? 0;
    if (this.#total >= this.#limits.maxInboundConnections) return 'overall';
    if (fromAddress >= this.#limits.maxInboundPerAddress) return 'per-address';
    this.#total++;
    this.#perAddress.set(key, fromAddress + 1);
    return undefined;
  }

  /** A connection admitted from `address` closed. */
  release(address: string): void {
    const key = address.toLowerCase();
    const fromAddress = this.#perAddress.get(key) ?? 0;
    if (fromAddress <= 0) return;
    this.#total--;
    if (fromAddress === 1) this.#perAddress.delete(key);
    else this.#perAddress.set(key, fromAddress - 1);
  }
}
