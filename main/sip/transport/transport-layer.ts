// RFC 3261 §18: the transport layer. One UDP socket and one TCP listener on the same local address and port,
// outgoing TCP connections reused per remote address (and incoming ones for our answers), RFC 3581 rport,
// §18.1.1's switch to TCP for large requests, and RFC 5626 §3.5.1 CRLF keep-alives on streams.
import type { Clock, TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { silentLogger } from '../../platform/logger';
import { RateLimitedLogger } from '../../platform/rate-limited-logger';
import type {
  DatagramSocket,
  SocketAddress,
  SocketFactory,
  StreamConnection,
  StreamServer,
} from '../../platform/sockets';
import type { SipMessage, SipRequest, SipResponse } from '../message/message';
import { parseMessage } from '../message/parse';
import { salvageRequest } from '../message/salvage';
import type { ParseError } from '../message/result';
import { serializeMessage } from '../message/serialize';
import { StreamFramer } from '../message/stream-framer';
import { bareHost, uriHost } from '../message/uri';
import {
  type Destination,
  type IncomingMessage,
  type MessageSource,
  type SentBy,
  type TransportProtocol,
  type TransportSender,
  TransportError,
} from './types';
import { type StreamLimits, InboundConnectionCount, streamLimits } from './stream-limits';
import { UdpReachability } from './udp-reachability';
import { replaceTopVia, responseDestination, stampReceived } from './via-processing';

export interface TraceEvent {
  readonly direction: 'sent' | 'received';
  readonly protocol: TransportProtocol;
  readonly local: string;
  readonly remote: string;
  readonly bytes: Uint8Array;
}

export interface InvalidMessage {
  readonly error: ParseError;
  readonly source: MessageSource;
  /** The message as far as it could be framed and split, when it could; used to answer 400 (RFC 3261 §8.2). */
  readonly partial?: SipMessage;
}

export interface TransportLayerOptions {
  readonly sockets: SocketFactory;
  /** Local IP address to bind (an IP literal, not a wildcard: it is what our Via and Contact carry). */
  readonly bindAddress: string;
  /** Local port for both UDP and TCP; 0 picks a free one. */
  readonly port?: number;
  readonly protocols?: readonly TransportProtocol[];
  readonly logger?: Logger;
  /** RFC 3261 §18.1.1: requests larger than this go over TCP when TCP is available. */
  readonly maxUdpRequestSize?: number;
  /**
   * Drives the TCP time limits (message completion, idle inbound connections) and the log rate limit. Without one
   * those are off; the count and size limits always hold.
   */
  readonly clock?: Clock;
  /** Bounds on inbound TCP connections and on what each may buffer; see DEFAULT_STREAM_LIMITS. */
  readonly streamLimits?: Partial<StreamLimits>;
  /**
   * Shadow each UDP request with a reachability probe (see udp-reachability.ts) so an ICMP unreachable ends its
   * transaction at once. Needs a clock and a socket factory that can connect datagram sockets. Default true.
   */
  readonly probeUdpReachability?: boolean;
}

interface Connection {
  readonly id: string;
  readonly stream: StreamConnection;
  readonly framer: StreamFramer;
  readonly remoteKey: string;
  /** The peer connected to us (counted against the inbound limits, closed when idle). */
  readonly inbound: boolean;
  /** Bytes received and not yet seen to end a message, ping or pong: an estimate of what the framer holds. */
  partialBytes: number;
  /** Runs while a message is incomplete (StreamLimits.messageTimeoutMs). */
  messageTimer: TimerHandle | undefined;
  /** Inbound only: checks for idleness (StreamLimits.idleTimeoutMs). */
  idleTimer: TimerHandle | undefined;
  /** Clock time of the last bytes in either direction. */
  lastActivity: number;
  /** Requests the peer sent on this connection that have no final response from us yet. */
  unanswered: number;
  /** We sent a ping on this connection and no pong has come back yet. */
  awaitingPong: boolean;
  /** A lone CRLF arrived that answered no ping of ours: perhaps the first half of a ping split across reads. */
  halfPing: boolean;
}

/** An inbound connection where a request still awaits our answer is kept idle at most this many idle timeouts. */
const PINNED_IDLE_FACTOR = 4;
const PING = Buffer.from('\r\n\r\n');
const PONG = Buffer.from('\r\n');

export class TransportLayer implements TransportSender {
  readonly #options: TransportLayerOptions;
  readonly #logger: Logger;
  readonly #udp: DatagramSocket | undefined;
  readonly #tcp: StreamServer | undefined;
  readonly #local: SocketAddress;
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  readonly #clock: Clock | undefined;
  readonly #limits: StreamLimits;
  readonly #inbound: InboundConnectionCount;
  readonly #reachability: UdpReachability | undefined;
  #onUnreachable: (destination: Destination) => void = () => undefined;
  #nextConnectionId = 1;
  #closed = false;
  #onMessage: (incoming: IncomingMessage) => void = () => undefined;
  #onInvalid: (invalid: InvalidMessage) => void = () => undefined;
  #onTrace: ((event: TraceEvent) => void) | undefined;
  #onConnectionClosed: (destination: Destination) => void = () => undefined;
  #onPong: (destination: Destination) => void = () => undefined;

  private constructor(
    options: TransportLayerOptions,
    udp: DatagramSocket | undefined,
    tcp: StreamServer | undefined,
  ) {
    this.#options = options;
    this.#clock = options.clock;
    const logger = options.logger ?? silentLogger;
    // Floods (refused connections, broken streams) must not turn into floods of identical log lines.
    this.#logger = options.clock
      ? new RateLimitedLogger(logger, options.clock, {
          burst: 5,
          windowMs: 10_000,
          levels: ['warn', 'error'],
        })
      : logger;
    this.#limits = streamLimits(options.streamLimits);
    this.#inbound = new InboundConnectionCount(this.#limits);
    this.#udp = udp;
    this.#tcp = tcp;
    this.#local = (udp ?? tcp)!.local;
    this.#reachability =
      udp && options.clock && options.sockets.connectDatagram && options.probeUdpReachability !== false
        ? new UdpReachability({
            sockets: options.sockets,
            clock: options.clock,
            localAddress: udp.local.address,
          })
        : undefined;
    this.#reachability?.onUnreachable((destination, code) => {
      this.#logger.log('info', 'UDP destination unreachable', {
        destination: remoteKey(destination.address, destination.port),
        code,
      });
      this.#notify('onDestinationUnreachable', () => this.#onUnreachable(destination));
    });
    udp?.onMessage((data, from) => this.#receiveDatagram(data, from));
    udp?.onError((error) => this.#logger.log('warn', 'UDP socket error', { error: error.message }));
    tcp?.onConnection((stream) => this.#accept(stream));
  }

  /** Binds UDP and TCP on one port (retrying a few ephemeral ports if TCP finds the UDP port taken). */
  static async start(options: TransportLayerOptions): Promise<TransportLayer> {
    const protocols = options.protocols ?? ['udp', 'tcp'];
    const wantUdp = protocols.includes('udp');
    const wantTcp = protocols.includes('tcp');
    if (!wantUdp && !wantTcp) throw new Error('at least one transport protocol is required');
    const requestedPort = options.port ?? 0;
    for (let attempt = 0; ; attempt++) {
      const udp = wantUdp
        ? await options.sockets.bindDatagram(options.bindAddress, requestedPort)
        : undefined;
      const port = udp?.local.port ?? requestedPort;
      try {
        const tcp = wantTcp ? await options.sockets.listenStream(options.bindAddress, port) : undefined;
        return new TransportLayer(options, udp, tcp);
      } catch (error) {
        udp?.close();
        if (requestedPort !== 0 || attempt >= 10) throw error;
      }
    }
  }

  get localAddress(): string {
    return this.#local.address;
  }

  get localPort(): number {
    return this.#local.port;
  }

  /** Open TCP connections, those peers opened to us apart: for tests and diagnostics. */
  connectionCounts(): { readonly inbound: number; readonly outbound: number } {
    const inbound = this.#inbound.total;
    return { inbound, outbound: this.#connections.size - inbound };
  }

  supports(protocol: TransportProtocol): boolean {
    return protocol === 'udp' ? this.#udp !== undefined : this.#tcp !== undefined;
  }

  onMessage(handler: (incoming: IncomingMessage) => void): void {
    this.#onMessage = handler;
  }

  onInvalid(handler: (invalid: InvalidMessage) => void): void {
    this.#onInvalid = handler;
  }

  onTrace(handler: ((event: TraceEvent) => void) | undefined): void {
    this.#onTrace = handler;
  }

  /** A stream to `destination` closed: flows bound to it (registrations over TCP) must recover. */
  onConnectionClosed(handler: (destination: Destination) => void): void {
    this.#onConnectionClosed = handler;
  }

  /** A UDP destination we sent a request to answered with an ICMP unreachable (see UdpReachability). */
  onDestinationUnreachable(handler: (destination: Destination) => void): void {
    this.#onUnreachable = handler;
  }

  /** A CRLF pong answering our ping arrived on a stream (RFC 5626 §4.4.1 liveness); unsolicited CRLFs are not. */
  onPong(handler: (destination: Destination) => void): void {
    this.#onPong = handler;
  }

  /** Whether requests can go over `protocol` here (a large request on UDP needs TCP, §18.1.1). */
  carries(protocol: TransportProtocol): boolean {
    return protocol === 'tcp' ? this.#tcp !== undefined : this.#udp !== undefined;
  }

  sentBy(destination: Destination): SentBy {
    return {
      transport: destination.protocol === 'tcp' ? 'TCP' : 'UDP',
      host: uriHost(this.#local.address),
      port: this.#local.port,
    };
  }

  async sendRequest(request: SipRequest, destination: Destination): Promise<Destination> {
    const bytes = serializeMessage(request);
    const limit = this.#options.maxUdpRequestSize ?? 1300;
    if (destination.protocol === 'udp' && bytes.length > limit && this.#tcp) {
      // RFC 3261 §18.1.1: too large for UDP → TCP, and the top Via must say so.
      const tcp: Destination = { ...destination, protocol: 'tcp' };
      const top = request.topVia;
      if (top) replaceTopVia(request, { ...top, transport: 'TCP' });
      try {
        await this.#send(serializeMessage(request), tcp);
        return tcp;
      } catch (error) {
        if (this.#closed) throw error;
        // §18.1.1: when the peer refuses or resets the connection, the request SHOULD be retried over UDP.
        this.#logger.log('debug', 'large request goes over UDP after all: TCP failed', {
          destination: remoteKey(tcp.address, tcp.port),
          error: error instanceof Error ? error.message : String(error),
        });
        if (top) replaceTopVia(request, top);
      }
    }
    await this.#send(bytes, destination);
    if (destination.protocol === 'udp' && request.method !== 'ACK') this.#reachability?.probe(destination);
    return destination;
  }

  async sendResponse(response: SipResponse, source: MessageSource): Promise<void> {
    const bytes = serializeMessage(response);
    if (source.protocol === 'tcp' && source.connectionId !== undefined) {
      const connection = this.#connections.get(source.connectionId);
      if (connection) {
        if (response.status >= 200 && connection.unanswered > 0) connection.unanswered--;
        this.#write(connection, bytes);
        return;
      }
    }
    await this.#send(bytes, responseDestination(response, source));
  }

  /** Sends raw bytes (used for retransmissions of an already serialised message). */
  async sendRaw(bytes: Uint8Array, destination: Destination): Promise<void> {
    await this.#send(bytes, destination);
  }

  /** RFC 5626 §3.5.1 double-CRLF ping on a stream; on UDP a CRLF datagram keeps NAT bindings open. */
  async sendKeepAlive(destination: Destination): Promise<void> {
    if (destination.protocol === 'udp') {
      await this.#send(PING, destination);
      return;
    }
    if (this.#closed) throw new TransportError('transport is closed', destination);
    const connection = await this.#connection(destination);
    connection.awaitingPong = true;
    this.#write(connection, PING);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reachability?.close();
    for (const connection of this.#connections.values()) {
      this.#stopTimers(connection);
      connection.stream.close();
    }
    this.#connections.clear();
    this.#byRemote.clear();
    this.#udp?.close();
    this.#tcp?.close();
  }

  async #send(bytes: Uint8Array, destination: Destination): Promise<void> {
    if (this.#closed) throw new TransportError('transport is closed', destination);
    if (destination.protocol === 'udp') {
      if (!this.#udp) throw new TransportError('UDP is not enabled', destination);
      if (familyOf(destination.address) !== familyOf(this.#local.address))
        throw new TransportError(
          `cannot reach ${destination.address} from ${this.#local.address}`,
          destination,
        );
      this.#trace('sent', 'udp', destination.address, destination.port, bytes);
      this.#udp.send(bytes, destination.port, destination.address);
      return;
    }
    const connection = await this.#connection(destination);
    this.#write(connection, bytes);
  }

  #write(connection: Connection, bytes: Uint8Array): void {
    if (this.#clock) connection.lastActivity = this.#clock.now();
    const remote = connection.stream.remote;
    this.#trace('sent', 'tcp', remote.address, remote.port, bytes);
    connection.stream.write(bytes);
  }

  async #connection(destination: Destination): Promise<Connection> {
    if (!this.#tcp) throw new TransportError('TCP is not enabled', destination);
    if (familyOf(destination.address) !== familyOf(this.#local.address))
      throw new TransportError(
        `cannot reach ${destination.address} from ${this.#local.address}`,
        destination,
      );
    const key = remoteKey(destination.address, destination.port);
    const existing = this.#byRemote.get(key);
    if (existing) return existing;
    let pending = this.#connecting.get(key);
    if (!pending) {
      pending = this.#options.sockets
        .connectStream(destination.address, destination.port, this.#local.address)
        .then((stream) => {
          if (this.#closed) {
            // close() ran while the connection was being made: it must not outlive the transport.
            stream.close();
            throw new Error('transport closed while connecting');
          }
          return this.#adopt(stream, false);
        })
        .catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          throw new TransportError(`TCP connection to ${key} failed: ${reason}`, destination);
        })
        .finally(() => this.#connecting.delete(key));
      this.#connecting.set(key, pending);
    }
    return pending;
  }

  /** A peer connected to us: within the limits it is adopted, past them closed at once. */
  #accept(stream: StreamConnection): void {
    if (this.#closed) {
      stream.close();
      return;
    }
    const refusal = this.#inbound.admit(stream.remote.address);
    if (refusal) {
      this.#logger.log('warn', 'inbound TCP connection refused: connection limit reached', {
        remote: remoteKey(stream.remote.address, stream.remote.port),
        limit: refusal,
      });
      stream.close();
      return;
    }
    this.#adopt(stream, true);
  }

  #adopt(stream: StreamConnection, inbound: boolean): Connection {
    const id = `c${this.#nextConnectionId++}`;
    const key = remoteKey(stream.remote.address, stream.remote.port);
    const connection: Connection = {
      id,
      stream,
      framer: new StreamFramer({
        maxHeaderBytes: this.#limits.maxHeadBytes,
        maxBodyBytes: this.#limits.maxBodyBytes,
      }),
      remoteKey: key,
      inbound,
      partialBytes: 0,
      messageTimer: undefined,
      idleTimer: undefined,
      lastActivity: this.#clock?.now() ?? 0,
      unanswered: 0,
      awaitingPong: false,
      halfPing: false,
    };
    this.#connections.set(id, connection);
    if (!this.#byRemote.has(key)) this.#byRemote.set(key, connection);
    if (inbound) this.#watchIdle(connection, this.#limits.idleTimeoutMs);
    stream.onData((chunk) => this.#receiveStream(connection, chunk));
    stream.onClose((error) => {
      this.#stopTimers(connection);
      if (inbound) this.#inbound.release(stream.remote.address);
      this.#connections.delete(id);
      if (this.#byRemote.get(key) === connection) this.#byRemote.delete(key);
      if (error)
        this.#logger.log('debug', 'TCP connection closed with error', { remote: key, error: error.message });
      if (!this.#closed) {
        const destination: Destination = {
          protocol: 'tcp',
          address: stream.remote.address,
          port: stream.remote.port,
        };
        this.#notify('onConnectionClosed', () => this.#onConnectionClosed(destination));
      }
    });
    return connection;
  }

  #receiveStream(connection: Connection, chunk: Uint8Array): void {
    const remote = connection.stream.remote;
    if (this.#clock) connection.lastActivity = this.#clock.now();
    connection.partialBytes += chunk.length;
    const events = connection.framer.push(chunk);
    for (const event of events) {
      connection.partialBytes -=
        event.kind === 'message'
          ? event.bytes.length
          : event.kind === 'ping'
            ? 4
            : event.kind === 'pong'
              ? 2
              : 0;
    }
    if (events.length > 0) this.#stopMessageTimer(connection);
    if (connection.partialBytes <= 0) connection.partialBytes = 0;
    // Stray CR or LF bytes between messages are tolerated (RFC 3261 §7.5); only a begun message is timed.
    else if (connection.messageTimer === undefined && !onlyLineBreaks(chunk))
      this.#startMessageTimer(connection);
    for (const event of events) {
      if (event.kind === 'ping') {
        connection.halfPing = false;
        this.#write(connection, PONG);
        // Some servers answer a ping with a ping: the peer is alive all the same.
        if (connection.awaitingPong) this.#pongArrived(connection);
      } else if (event.kind === 'pong') {
        this.#receiveCrlf(connection);
      } else if (event.kind === 'error') {
        this.#logger.log('warn', 'closing TCP connection after a framing error', {
          remote: connection.remoteKey,
          reason: event.reason,
        });
        connection.stream.close();
      } else {
        connection.halfPing = false;
        this.#trace('received', 'tcp', remote.address, remote.port, event.bytes);
        this.#deliver(event.bytes, {
          protocol: 'tcp',
          address: remote.address,
          port: remote.port,
          localAddress: connection.stream.local.address,
          localPort: connection.stream.local.port,
          connectionId: connection.id,
        });
      }
    }
  }

  /**
   * A lone CRLF. RFC 5626 §3.5.1: only the side that sent a ping expects a pong, so on a connection with no ping of
   * ours outstanding two lone CRLFs in a row are a ping that arrived in two reads, and it is answered.
   */
  #receiveCrlf(connection: Connection): void {
    if (connection.awaitingPong) {
      connection.halfPing = false;
      this.#pongArrived(connection);
    } else if (connection.halfPing) {
      connection.halfPing = false;
      this.#write(connection, PONG);
    } else {
      connection.halfPing = true;
    }
  }

  #pongArrived(connection: Connection): void {
    connection.awaitingPong = false;
    const remote = connection.stream.remote;
    const destination: Destination = { protocol: 'tcp', address: remote.address, port: remote.port };
    this.#notify('onPong', () => this.#onPong(destination));
  }

  /**
   * Slow heads and bodies (slowloris): the first bytes of a message start the clock, and the message must be complete
   * when it runs out; trickling more bytes does not restart it.
   */
  #startMessageTimer(connection: Connection): void {
    const clock = this.#clock;
    if (!clock) return;
    connection.messageTimer = clock.setTimer(this.#limits.messageTimeoutMs, () => {
      connection.messageTimer = undefined;
      this.#logger.log('warn', 'closing TCP connection: message not completed in time', {
        remote: connection.remoteKey,
        bufferedBytes: connection.partialBytes,
      });
      connection.stream.close();
    });
  }

  #stopMessageTimer(connection: Connection): void {
    this.#clock?.clearTimer(connection.messageTimer);
    connection.messageTimer = undefined;
  }

  /**
   * Inbound connections are closed after idleTimeoutMs without traffic, unless a request of the peer still waits for
   * our answer there. One timer per connection that looks again when it fires, rather than one per packet.
   */
  #watchIdle(connection: Connection, delayMs: number): void {
    const clock = this.#clock;
    if (!clock) return;
    connection.idleTimer = clock.setTimer(delayMs, () => {
      connection.idleTimer = undefined;
      const idleFor = clock.now() - connection.lastActivity;
      const limit = this.#limits.idleTimeoutMs;
      if (idleFor < limit) {
        this.#watchIdle(connection, limit - idleFor);
      } else if (connection.unanswered > 0 && idleFor < PINNED_IDLE_FACTOR * limit) {
        // Our answer is still owed there, but a TU that never answers must not pin it for ever.
        this.#watchIdle(connection, limit);
      } else {
        this.#logger.log('debug', 'closing idle inbound TCP connection', { remote: connection.remoteKey });
        connection.stream.close();
      }
    });
  }

  #stopTimers(connection: Connection): void {
    this.#stopMessageTimer(connection);
    this.#clock?.clearTimer(connection.idleTimer);
    connection.idleTimer = undefined;
  }

  #receiveDatagram(data: Uint8Array, from: SocketAddress): void {
    // A datagram of only CR/LF is a keep-alive (RFC 5626 §3.5.1 style): nothing to parse, nothing to answer.
    if (onlyLineBreaks(data)) return;
    this.#trace('received', 'udp', from.address, from.port, data);
    this.#deliver(data, {
      protocol: 'udp',
      address: from.address,
      port: from.port,
      localAddress: this.#local.address,
      localPort: this.#local.port,
    });
  }

  #deliver(bytes: Uint8Array, source: MessageSource): void {
    const parsed = parseMessage(bytes);
    if (!parsed.ok) {
      // What an answer needs, read from what the parser refused (a bad start line, a Content-Length past the
      // datagram, an unreadable header): RFC 3261 §8.2 and RFC 4475 §3.1.2 want a 400 or 505 where it can be routed.
      const partial = salvageRequest(bytes);
      // The 400 built from it must reach the sender where it really is (RFC 3581 §4), like any response.
      if (partial) stampPartial(partial, source);
      const invalid: InvalidMessage = { error: parsed.error, source, ...(partial ? { partial } : {}) };
      this.#notify('onInvalid', () => this.#onInvalid(invalid));
      return;
    }
    const message = parsed.message;
    if (message.kind === 'request') {
      stampReceived(message, source);
      if (source.connectionId !== undefined && message.method !== 'ACK') {
        // Our answer is owed on this connection (RFC 3261 §18.2.2): it must not be closed as idle meanwhile.
        const connection = this.#connections.get(source.connectionId);
        if (connection) connection.unanswered++;
      }
    } else if (!this.#isOurVia(message)) {
      // RFC 3261 §18.1.2: a response whose top Via is not ours was misrouted.
      this.#logger.log('debug', 'dropping a response whose top Via is not ours', {
        via: message.header('via'),
      });
      return;
    }
    this.#notify('onMessage', () => this.#onMessage({ message, source, size: bytes.length }));
  }

  /** Runs a handler of the layer above. A bug up there must not take the socket (or a send) down with it. */
  #notify(handler: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#logger.log('error', `${handler} handler failed`, {
        error: error instanceof Error ? error.stack : String(error),
      });
    }
  }

  #isOurVia(response: SipMessage): boolean {
    const top = response.topVia;
    if (!top) return false;
    return (
      bareHost(top.host).toLowerCase() === this.#local.address.toLowerCase() &&
      (top.port ?? 5060) === this.#local.port
    );
  }

  #trace(
    direction: 'sent' | 'received',
    protocol: TransportProtocol,
    address: string,
    port: number,
    bytes: Uint8Array,
  ): void {
    const onTrace = this.#onTrace;
    if (!onTrace) return;
    const event: TraceEvent = {
      direction,
      protocol,
      local: `${uriHost(this.#local.address)}:${this.#local.port}`,
      remote: `${uriHost(address)}:${port}`,
      bytes,
    };
    this.#notify('onTrace', () => onTrace(event));
  }
}

/** Stamps a request that failed validation, if its top Via can be read at all. */
function stampPartial(request: SipMessage, source: MessageSource): void {
  try {
    stampReceived(request, source);
  } catch {
    // The Via itself is malformed: no response can be routed anyway.
  }
}

function onlyLineBreaks(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0x0d || b === 0x0a);
}

function remoteKey(address: string, port: number): string {
  return `${uriHost(address)}:${port}`;
}

function familyOf(address: string): 'IPv4' | 'IPv6' {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}
