// Keeping a flow alive, and noticing when it dies (RFC 5626 §3.5 and §4.4 in spirit, without outbound's reg-id): a
// flow is the path to one next hop over one transport. The registrations that use it watch it; the flow sends the
// keep-alives (a CRLF ping on the stream or datagram, RFC 5626 §3.5.1, or an OPTIONS request where a NAT or a
// server needs a real request), once for all its watchers, at the shortest interval any of them asks for. When a
// probe fails or the transport reports the connection closed, every watcher hears it once and the flow forgets
// them: each re-registers (which watches the flow again once it succeeds).
//
// On a stream, a CRLF ping that the write accepted proves little: a peer that vanished without a FIN or RST (a host
// gone, a NAT mapping dropped) leaves the connection half-open, and writes keep succeeding. RFC 5626 §4.4.1 treats a
// flow as failed when no pong comes back within 10 s of a ping. Servers without outbound support may never answer a
// ping, so the flow only holds a server to that once it has answered one: from then on, silence means failure.
//
// `FlowKeepAlive` is one flow; `FlowTable` finds the flow for a destination and is what the user agent owns.
import type { Clock, TimerHandle } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { bareHost } from '../sip/message/uri';
import type { Destination } from '../sip/transport/types';

export interface KeepAlivePolicy {
  /** A CRLF ping, or an OPTIONS request (datagram flows only: a stream is always pinged with CRLF). */
  readonly kind: 'crlf' | 'options';
  readonly intervalMs: number;
}

export interface FlowWatcher {
  /** The keep-alive this watcher wants; none means it only wants to hear when the flow closes. */
  readonly keepAlive?: KeepAlivePolicy;
  /** Sends an OPTIONS ping over the flow; resolves true when anything answered (any response proves the path). */
  readonly ping?: (destination: Destination) => Promise<boolean>;
  /** The flow failed; called once, after which the watcher is forgotten. */
  readonly onFailed: (detail: string) => void;
}

export interface FlowKeepAliveOptions {
  readonly clock: Clock;
  readonly destination: Destination;
  /** The transport's CRLF keep-alive; rejects when the flow cannot carry it. */
  readonly sendCrlf: (destination: Destination) => Promise<void>;
  /** How long a stream's peer that answers pings may take to answer one (RFC 5626 §4.4.1: 10 s). */
  readonly pongTimeoutMs?: number;
  readonly logger?: Logger;
}

/** RFC 5626 §4.4.1. */
export const DEFAULT_PONG_TIMEOUT_MS = 10_000;

export class FlowKeepAlive {
  readonly destination: Destination;
  readonly #options: FlowKeepAliveOptions;
  readonly #watchers = new Set<FlowWatcher>();
  #timer: TimerHandle | undefined;
  /** The interval the running timer was set for, to notice when the shortest wish changes. */
  #intervalMs: number | undefined;
  #pinging = false;
  /** The peer has answered a CRLF ping with a pong on this flow, so it is expected to answer the next ones too. */
  #answersPings = false;
  #pongTimer: TimerHandle | undefined;

  constructor(options: FlowKeepAliveOptions) {
    this.#options = options;
    this.destination = options.destination;
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  /** Watches the flow; the returned function stops watching (and does nothing after a failure was reported). */
  watch(watcher: FlowWatcher): () => void {
    this.#watchers.add(watcher);
    this.#reschedule();
    return () => {
      if (this.#watchers.delete(watcher)) this.#reschedule();
    };
  }

  /** A pong arrived on this flow's stream (the transport only reports those that answer a ping of ours). */
  pong(): void {
    this.#answersPings = true;
    this.#options.clock.clearTimer(this.#pongTimer);
    this.#pongTimer = undefined;
  }

  /** The transport saw the connection of this flow close. */
  closed(detail = 'the connection closed'): void {
    this.#fail(detail);
  }

  /** Stops the keep-alive without telling anyone (the user agent is shutting down). */
  dispose(): void {
    this.#watchers.clear();
    this.#reschedule();
  }

  /** The watcher whose keep-alive runs: the one asking for the shortest interval. */
  #leader(): FlowWatcher | undefined {
    let leader: FlowWatcher | undefined;
    for (const watcher of this.#watchers) {
      const interval = watcher.keepAlive?.intervalMs ?? 0;
      if (interval <= 0) continue;
      if (!leader || interval < leader.keepAlive!.intervalMs) leader = watcher;
    }
    return leader;
  }

  #reschedule(): void {
    const interval = this.#leader()?.keepAlive?.intervalMs;
    if (interval === this.#intervalMs) return;
    this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#intervalMs = interval;
    if (interval !== undefined) {
      this.#schedule(interval);
    } else {
      // Nobody wants keep-alives any more: an answer still awaited no longer matters.
      this.#options.clock.clearTimer(this.#pongTimer);
      this.#pongTimer = undefined;
    }
  }

  #schedule(interval: number): void {
    this.#timer = this.#options.clock.setTimer(interval, () => {
      this.#schedule(interval);
      this.#probe();
    });
  }

  #probe(): void {
    const leader = this.#leader();
    if (!leader?.keepAlive) return;
    const destination = this.destination;
    const ping =
      leader.keepAlive.kind === 'options' && destination.protocol === 'udp' ? leader.ping : undefined;
    if (!ping) {
      this.#options.sendCrlf(destination).then(
        () => this.#awaitPong(),
        (error: unknown) => this.#fail(`keep-alive could not be sent: ${messageOf(error)}`),
      );
      return;
    }
    // One OPTIONS ping at a time: an unanswered one takes Timer F (32 s) to time out, longer than most intervals.
    if (this.#pinging) return;
    this.#pinging = true;
    const finished = (alive: boolean, detail: string): void => {
      this.#pinging = false;
      if (!alive) this.#fail(detail);
    };
    ping(destination).then(
      (alive) => finished(alive, 'no answer to the OPTIONS keep-alive'),
      (error: unknown) => finished(false, `OPTIONS keep-alive failed: ${messageOf(error)}`),
    );
  }

  #awaitPong(): void {
    if (this.destination.protocol !== 'tcp' || !this.#answersPings || this.#pongTimer) return;
    const timeout = this.#options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
    this.#pongTimer = this.#options.clock.setTimer(timeout, () => {
      this.#pongTimer = undefined;
      this.#fail(`no pong within ${timeout / 1000} s of a keep-alive ping`);
    });
  }

  #fail(detail: string): void {
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    this.#reschedule();
    if (watchers.length === 0) return;
    const logger = this.#options.logger ?? silentLogger;
    logger.log('info', 'flow failed', { destination: flowKey(this.destination), detail });
    for (const watcher of watchers) {
      try {
        watcher.onFailed(detail);
      } catch (error) {
        // One watcher's bug must not keep the others from recovering.
        logger.log('error', 'flow watcher failed', { error: messageOf(error) });
      }
    }
  }
}

export interface FlowTableOptions {
  readonly clock: Clock;
  readonly sendCrlf: (destination: Destination) => Promise<void>;
  readonly pongTimeoutMs?: number;
  readonly logger?: Logger;
}

/** The flows of one user agent, by destination: created when first watched, forgotten when nobody watches. */
export class FlowTable {
  readonly #options: FlowTableOptions;
  readonly #flows = new Map<string, FlowKeepAlive>();

  constructor(options: FlowTableOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#flows.size;
  }

  /** True when a registration of ours uses the flow to `destination`. */
  has(destination: Destination): boolean {
    return this.#flows.has(flowKey(destination));
  }

  watch(destination: Destination, watcher: FlowWatcher): () => void {
    const key = flowKey(destination);
    let flow = this.#flows.get(key);
    if (!flow) {
      flow = new FlowKeepAlive({
        clock: this.#options.clock,
        destination,
        sendCrlf: this.#options.sendCrlf,
        ...(this.#options.pongTimeoutMs !== undefined ? { pongTimeoutMs: this.#options.pongTimeoutMs } : {}),
        ...(this.#options.logger ? { logger: this.#options.logger } : {}),
      });
      this.#flows.set(key, flow);
    }
    const current = flow;
    const unwatch = current.watch({
      ...watcher,
      onFailed: (detail) => {
        this.#forget(key, current);
        watcher.onFailed(detail);
      },
    });
    return () => {
      unwatch();
      this.#forget(key, current);
    };
  }

  /** The transport reports a pong on a stream: the flow over it is alive. */
  pong(destination: Destination): void {
    this.#flows.get(flowKey(destination))?.pong();
  }

  /** The transport reports a closed connection: the flow over it (if any) has failed. */
  closed(destination: Destination, detail?: string): void {
    this.#flows.get(flowKey(destination))?.closed(detail);
  }

  dispose(): void {
    for (const flow of this.#flows.values()) flow.dispose();
    this.#flows.clear();
  }

  #forget(key: string, flow: FlowKeepAlive): void {
    if (flow.watcherCount === 0 && this.#flows.get(key) === flow) this.#flows.delete(key);
  }
}

/** One key per flow: transport, address (brackets and case aside) and port. */
export function flowKey(destination: Destination): string {
  return `${destination.protocol}:${bareHost(destination.address).toLowerCase()}:${destination.port}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
