// An in-memory network behind the SocketFactory seam, driven by an injected Clock. Datagrams can be dropped,
// duplicated, reordered and delayed (per link or for everything) so transaction timers and retransmissions are tested
// deterministically; every datagram's fate goes into `trace`. Nothing is ever delivered inside send() or write():
// delivery waits for the clock (advance(0) at the least), so re-entrancy bugs in the layers above show up here.
import { isIP } from 'node:net';
import type { Clock, TimerHandle } from '../../main/platform/clock';
import type { Random } from '../../main/platform/random';
import {
  addressFamilyOf,
  type AddressFamily,
  type ConnectedDatagramSocket,
  type DatagramSocket,
  type SocketAddress,
  type SocketFactory,
  type StreamConnection,
  type StreamServer,
} from '../../main/platform/sockets';
import { socketAddress } from '../../main/platform/node-sockets';
import { SeededRandom } from './seeded-random';

export interface Packet {
  /** The sender's address as the receiver sees it. */
  readonly from: SocketAddress;
  /** The destination the sender addressed. */
  readonly to: SocketAddress;
  readonly data: Uint8Array;
}

export type PacketPredicate = (packet: Packet) => boolean;
/** A probability in [0, 1] (drawn from the network's Random), or a predicate that decides per packet. */
export type PacketChance = number | PacketPredicate;
/** Fixed milliseconds, uniform jitter in [min, max] whole milliseconds, or computed per packet. */
export type PacketDelay =
  number | { readonly min: number; readonly max: number } | ((packet: Packet) => number);

export interface LinkConditions {
  readonly drop?: PacketChance;
  readonly duplicate?: PacketChance;
  /** Hold the datagram back and deliver it right after the next one on the same path. */
  readonly reorder?: PacketChance;
  /**
   * Applies to datagrams and to stream traffic (which keeps its order whatever the delays). For stream events a
   * delay function sees the connection's addresses with an empty payload.
   */
  readonly delay?: PacketDelay;
}

/** `"127.0.0.1:5060"`, `"[::1]:5060"`, an address alone (any port), or a SocketAddress such as `socket.local`. */
export type EndpointPattern = string | { readonly address: string; readonly port?: number };

/** One direction of traffic; an omitted end matches anything. */
export interface LinkSelector {
  readonly from?: EndpointPattern;
  readonly to?: EndpointPattern;
}

export interface LoopbackNetworkOptions {
  readonly clock: Clock;
  /** Drives probabilities, jitter and chunk sizes. Default `new SeededRandom(1)`. */
  readonly random?: Random;
  /** Conditions for all traffic; per-link conditions override them knob by knob. */
  readonly conditions?: LinkConditions;
  /** Longest a reordered datagram waits for a successor before it goes out alone. Default 1000 ms. */
  readonly maxReorderHoldMs?: number;
  /** Split every stream write into pieces of 1..maxChunkBytes bytes, to exercise stream framing. */
  readonly splitStreamWrites?: { readonly maxChunkBytes: number };
  /** Where port 0 allocation starts. Default 49152. */
  readonly firstEphemeralPort?: number;
  /**
   * Offer connected datagram sockets (SocketFactory.connectDatagram) that, as on Linux, hear ECONNREFUSED when a
   * datagram of theirs reaches a port nobody is bound to. Off by default, so other tests see no probe traffic.
   */
  readonly reportUnreachable?: boolean;
}

export type DatagramFate = 'delivered' | 'dropped' | 'unreachable';

export interface DatagramTraceEntry extends Packet {
  /** Clock time of send(). */
  readonly sentAt: number;
  /** Clock time of the fate: delivery (or finding no socket bound), or sentAt for a drop. */
  readonly at: number;
  readonly fate: DatagramFate;
  /** The extra copy made by the `duplicate` knob (the original has its own entry). */
  readonly duplicate: boolean;
  /** Held back by the `reorder` knob. */
  readonly reordered: boolean;
  readonly text: string;
}

const decoder = new TextDecoder();

/** The payload as UTF-8 text (SIP is text; binary payloads come out with replacement characters). */
export function textOf(packet: { readonly data: Uint8Array } | Uint8Array): string {
  return decoder.decode(packet instanceof Uint8Array ? packet : packet.data);
}

function toPredicate(pattern: RegExp | PacketPredicate): PacketPredicate {
  if (typeof pattern === 'function') return pattern;
  // A copy without the g/y flags: those make test() remember lastIndex between packets.
  const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (packet) => regexp.test(textOf(packet));
}

/** Every packet whose text matches (or that the predicate accepts). */
export function matching(pattern: RegExp | PacketPredicate): PacketPredicate {
  return toPredicate(pattern);
}

/** The first `count` packets whose text matches, e.g. `drop: firstMatching(2, /^INVITE /)`; later ones pass. */
export function firstMatching(count: number, pattern: RegExp | PacketPredicate): PacketPredicate {
  const accepts = toPredicate(pattern);
  let seen = 0;
  return (packet) => {
    if (!accepts(packet)) return false;
    seen++;
    return seen <= count;
  };
}

function errorWithCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function loopbackOf(family: AddressFamily): string {
  return family === 'IPv6' ? '::1' : '127.0.0.1';
}

function keyOf(address: string, port: number): string {
  return `${address}|${port}`;
}

/** Bound sockets that would receive traffic addressed to (address, port), most specific first. */
function candidateKeys(address: string, port: number): string[] {
  const keys = [keyOf(address, port)];
  if (addressFamilyOf(address) === 'IPv4') keys.push(keyOf('0.0.0.0', port));
  keys.push(keyOf('::', port));
  return keys;
}

function parseEndpoint(pattern: EndpointPattern): { address: string; port: number | undefined } {
  if (typeof pattern !== 'string')
    return { address: socketAddress(pattern.address, 0).address, port: pattern.port };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(pattern);
  if (bracketed)
    return { address: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const colons = pattern.split(':').length - 1;
  if (colons === 1) {
    const [address, port] = pattern.split(':');
    return { address: address!, port: Number(port) };
  }
  return { address: socketAddress(pattern, 0).address, port: undefined };
}

function endpointMatches(pattern: EndpointPattern | undefined, endpoint: SocketAddress): boolean {
  if (pattern === undefined) return true;
  const { address, port } = parseEndpoint(pattern);
  return address === endpoint.address && (port === undefined || port === endpoint.port);
}

interface LinkRule {
  readonly selector: LinkSelector;
  readonly conditions: LinkConditions;
}

interface Delivery {
  readonly packet: Packet;
  readonly sentAt: number;
  readonly duplicate: boolean;
  reordered: boolean;
  dueAt: number;
}

interface HeldDatagrams {
  readonly deliveries: Delivery[];
  readonly release: TimerHandle;
}

/** What the sockets need from the network; kept off the public surface of LoopbackNetwork. */
interface DatagramHub {
  send(socket: LoopbackDatagramSocket, data: Uint8Array, port: number, address: string): void;
  unbind(socket: LoopbackDatagramSocket): void;
  later(callback: () => void): void;
}

interface StreamHub {
  clock: Clock;
  delayFor(packet: Packet): number;
  split(data: Uint8Array): Uint8Array[];
  release(key: string, owner: object): void;
}

export class LoopbackNetwork implements SocketFactory {
  /** Every datagram's fate, in the order the fates happened. */
  readonly trace: DatagramTraceEntry[] = [];
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #maxReorderHoldMs: number;
  readonly #firstEphemeralPort: number;
  #conditions: LinkConditions;
  #rules: LinkRule[] = [];
  #splitStreamWrites: { readonly maxChunkBytes: number } | undefined;
  #nextEphemeralPort: number;
  readonly #datagramSockets = new Map<string, LoopbackDatagramSocket>();
  /** Stream servers and the local ends of connections share one port space, as TCP ports do. */
  readonly #streamPorts = new Map<string, object>();
  readonly #held = new Map<string, HeldDatagrams>();
  readonly #datagramHub: DatagramHub;
  readonly #streamHub: StreamHub;
  /** Connected datagram sockets by local address:port, with the remote they are connected to. */
  readonly #connectedDatagrams = new Map<string, { socket: LoopbackDatagramSocket; remote: string }>();
  readonly connectDatagram?: (
    address: string,
    port: number,
    localAddress: string,
  ) => Promise<ConnectedDatagramSocket>;

  constructor(options: LoopbackNetworkOptions) {
    this.#clock = options.clock;
    this.#random = options.random ?? new SeededRandom(1);
    this.#conditions = options.conditions ?? {};
    this.#maxReorderHoldMs = options.maxReorderHoldMs ?? 1000;
    this.#splitStreamWrites = options.splitStreamWrites;
    this.#firstEphemeralPort = options.firstEphemeralPort ?? 49152;
    this.#nextEphemeralPort = this.#firstEphemeralPort;
    this.#datagramHub = {
      send: (socket, data, port, address) => this.#send(socket, data, port, address),
      unbind: (socket) => {
        const key = keyOf(socket.local.address, socket.local.port);
        if (this.#datagramSockets.get(key) === socket) this.#datagramSockets.delete(key);
      },
      later: (callback) => void this.#clock.setTimer(0, callback),
    };
    if (options.reportUnreachable)
      this.connectDatagram = (address, port, localAddress) =>
        this.#connectDatagram(address, port, localAddress);
    this.#streamHub = {
      clock: this.#clock,
      delayFor: (packet) => this.#delayFor(this.#conditionsFor(packet), packet),
      split: (data) => this.#split(data),
      release: (key, owner) => {
        if (this.#streamPorts.get(key) === owner) this.#streamPorts.delete(key);
      },
    };
  }

  /** Replaces the conditions for all traffic. */
  setConditions(conditions: LinkConditions): void {
    this.#conditions = conditions;
  }

  /** Adds conditions for one direction; they override the global ones knob by knob. Returns a remover. */
  addLinkConditions(selector: LinkSelector, conditions: LinkConditions): () => void {
    const rule: LinkRule = { selector, conditions };
    this.#rules.push(rule);
    return () => {
      this.#rules = this.#rules.filter((candidate) => candidate !== rule);
    };
  }

  /** Back to a perfect network: no global or per-link conditions. */
  clearConditions(): void {
    this.#conditions = {};
    this.#rules = [];
  }

  /** Split stream writes into random pieces of 1..maxChunkBytes bytes; `undefined` writes whole. */
  setStreamWriteSplitting(split: { readonly maxChunkBytes: number } | undefined): void {
    this.#splitStreamWrites = split;
  }

  clearTrace(): void {
    this.trace.length = 0;
  }

  /**
   * When each matching datagram was sent (retransmissions included, duplicates made by the network excluded), in
   * send order; e.g. diff them to check Timer E doubling.
   */
  sendTimes(pattern: RegExp | PacketPredicate = () => true): number[] {
    const accepts = toPredicate(pattern);
    return this.trace
      .filter((entry) => !entry.duplicate && accepts(entry))
      .map((entry) => entry.sentAt)
      .sort((a, b) => a - b);
  }

  bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    try {
      const local = this.#reserve(this.#datagramSockets, address, port);
      const socket = new LoopbackDatagramSocket(local, this.#datagramHub);
      this.#datagramSockets.set(keyOf(local.address, local.port), socket);
      return Promise.resolve(socket);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  listenStream(address: string, port: number): Promise<StreamServer> {
    try {
      const local = this.#reserve(this.#streamPorts, address, port);
      const key = keyOf(local.address, local.port);
      const server = new LoopbackStreamServer(local, () => this.#streamHub.release(key, server));
      this.#streamPorts.set(key, server);
      return Promise.resolve(server);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Resolves at once (no clock needed) with the client end; the server sees the connection when the clock delivers
   * it, before any data the client writes.
   */
  connectStream(address: string, port: number, localAddress?: string): Promise<StreamConnection> {
    try {
      const remote = this.#literal(address, port);
      const server = this.#streamServerAt(remote.address, remote.port);
      if (server === undefined) {
        throw errorWithCode(`connect ECONNREFUSED ${address}:${port}`, 'ECONNREFUSED');
      }
      const clientLocal = this.#reserve(this.#streamPorts, localAddress ?? loopbackOf(remote.family), 0);
      const clientKey = keyOf(clientLocal.address, clientLocal.port);
      const client = new LoopbackStreamConnection(clientLocal, remote, this.#streamHub, clientKey);
      const accepted = new LoopbackStreamConnection(remote, clientLocal, this.#streamHub, undefined);
      this.#streamPorts.set(clientKey, client);
      client.pair(accepted);
      accepted.pair(client);
      client.sendEvent(() => {
        if (!server.accept(accepted)) {
          accepted.abort(errorWithCode('server closed', 'ECONNRESET'));
        }
      });
      return Promise.resolve(client);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async #connectDatagram(
    address: string,
    port: number,
    localAddress: string,
  ): Promise<ConnectedDatagramSocket> {
    const remote = this.#literal(address, port);
    const socket = (await this.bindDatagram(localAddress, 0)) as LoopbackDatagramSocket;
    const localKey = keyOf(socket.local.address, socket.local.port);
    this.#connectedDatagrams.set(localKey, { socket, remote: keyOf(remote.address, remote.port) });
    return {
      local: socket.local,
      remote,
      send: (data) => socket.send(data, remote.port, remote.address),
      onError: (handler) => socket.onError(handler),
      close: () => {
        this.#connectedDatagrams.delete(localKey);
        socket.close();
      },
    };
  }

  #literal(address: string, port: number): SocketAddress {
    if (isIP(address) === 0) {
      throw errorWithCode(`not an IP address: ${JSON.stringify(address)}`, 'EINVAL');
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw errorWithCode(`bad port: ${port}`, 'ERR_SOCKET_BAD_PORT');
    }
    return socketAddress(address, port);
  }

  /** Validates (address, port), allocating an ephemeral port for 0; throws EADDRINUSE on a clash. */
  #reserve(space: Map<string, object>, address: string, port: number): SocketAddress {
    const wanted = this.#literal(address, port);
    if (wanted.port !== 0) {
      if (this.#clashes(space, wanted.address, wanted.port)) {
        throw errorWithCode(`bind EADDRINUSE ${address}:${port}`, 'EADDRINUSE');
      }
      return wanted;
    }
    const span = 65536 - this.#firstEphemeralPort;
    for (let tries = 0; tries < span; tries++) {
      const candidate = this.#nextEphemeralPort;
      this.#nextEphemeralPort = candidate >= 65535 ? this.#firstEphemeralPort : candidate + 1;
      if (!this.#clashes(space, wanted.address, candidate)) return { ...wanted, port: candidate };
    }
    throw errorWithCode(`no free port on ${address}`, 'EADDRINUSE');
  }

  #clashes(space: Map<string, object>, address: string, port: number): boolean {
    if (space.has(keyOf(address, port))) return true;
    if (isWildcard(address)) {
      // A wildcard bind clashes with any specific bind of the port it would cover.
      for (const key of space.keys()) {
        const [boundAddress, boundPort] = key.split('|');
        if (Number(boundPort) !== port) continue;
        if (address === '::' || addressFamilyOf(boundAddress!) === 'IPv4') return true;
      }
      return false;
    }
    return candidateKeys(address, port).some((key) => space.has(key));
  }

  #streamServerAt(address: string, port: number): LoopbackStreamServer | undefined {
    for (const key of candidateKeys(address, port)) {
      const owner = this.#streamPorts.get(key);
      if (owner instanceof LoopbackStreamServer) return owner;
    }
    return undefined;
  }

  #conditionsFor(packet: Packet): LinkConditions {
    let merged: LinkConditions = this.#conditions;
    for (const rule of this.#rules) {
      if (!endpointMatches(rule.selector.from, packet.from) || !endpointMatches(rule.selector.to, packet.to))
        continue;
      merged = { ...merged, ...definedOnly(rule.conditions) };
    }
    return merged;
  }

  #chance(chance: PacketChance | undefined, packet: Packet): boolean {
    if (chance === undefined) return false;
    if (typeof chance === 'function') return chance(packet);
    // Certain outcomes draw nothing, so adding a 0 or 1 knob does not shift the random sequence of the others.
    if (chance <= 0) return false;
    if (chance >= 1) return true;
    return this.#random.fraction() < chance;
  }

  #delayFor(conditions: LinkConditions, packet: Packet): number {
    const delay = conditions.delay;
    let ms: number;
    if (delay === undefined) ms = 0;
    else if (typeof delay === 'number') ms = delay;
    else if (typeof delay === 'function') ms = delay(packet);
    else ms = delay.min + Math.floor(this.#random.fraction() * (delay.max - delay.min + 1));
    return ms > 0 ? ms : 0;
  }

  #split(data: Uint8Array): Uint8Array[] {
    const split = this.#splitStreamWrites;
    if (split === undefined || data.length === 0) return [data];
    const pieces: Uint8Array[] = [];
    for (let offset = 0; offset < data.length;) {
      const size = 1 + Math.floor(this.#random.fraction() * Math.max(1, split.maxChunkBytes));
      pieces.push(data.subarray(offset, offset + size));
      offset += size;
    }
    return pieces;
  }

  #send(socket: LoopbackDatagramSocket, data: Uint8Array, port: number, address: string): void {
    let to: SocketAddress;
    try {
      to = this.#literal(address, port);
      if (port === 0) throw errorWithCode('send to port 0', 'ERR_SOCKET_BAD_PORT');
    } catch (error) {
      socket.reportLater(error as Error);
      return;
    }
    const local = socket.local;
    if (local.family !== to.family && local.address !== '::') {
      socket.reportLater(errorWithCode(`send EINVAL ${address}:${port} from ${local.address}`, 'EINVAL'));
      return;
    }
    const fromAddress = isWildcard(local.address) ? loopbackOf(to.family) : local.address;
    const packet: Packet = {
      from: { address: fromAddress, port: local.port, family: addressFamilyOf(fromAddress) },
      to,
      // A copy: the sender may reuse its buffer as soon as send() returns.
      data: data.slice(),
    };
    const now = this.#clock.now();
    const conditions = this.#conditionsFor(packet);
    const pathKey = `${keyOf(packet.from.address, packet.from.port)}>${keyOf(to.address, to.port)}`;

    if (this.#chance(conditions.drop, packet)) {
      this.#record({ packet, sentAt: now, duplicate: false, reordered: false, dueAt: now }, 'dropped');
      this.#releaseHeld(pathKey, now);
      return;
    }
    const duplicate = this.#chance(conditions.duplicate, packet);
    const reorder = this.#chance(conditions.reorder, packet);
    const dueAt = now + this.#delayFor(conditions, packet);
    const deliveries: Delivery[] = [{ packet, sentAt: now, duplicate: false, reordered: false, dueAt }];
    if (duplicate) {
      const copy = { ...packet, data: packet.data.slice() };
      deliveries.push({ packet: copy, sentAt: now, duplicate: true, reordered: false, dueAt });
    }

    if (reorder && !this.#held.has(pathKey)) {
      for (const delivery of deliveries) delivery.reordered = true;
      const release = this.#clock.setTimer(this.#maxReorderHoldMs, () => this.#releaseHeld(pathKey, 0));
      this.#held.set(pathKey, { deliveries, release });
      return;
    }
    for (const delivery of deliveries) this.#schedule(delivery);
    this.#releaseHeld(pathKey, dueAt);
  }

  /** Lets a held datagram go, no earlier than `notBefore`, so it lands after the one that overtook it. */
  #releaseHeld(pathKey: string, notBefore: number): void {
    const held = this.#held.get(pathKey);
    if (held === undefined) return;
    this.#held.delete(pathKey);
    this.#clock.clearTimer(held.release);
    for (const delivery of held.deliveries) {
      delivery.dueAt = Math.max(delivery.dueAt, notBefore, this.#clock.now());
      this.#schedule(delivery);
    }
  }

  #schedule(delivery: Delivery): void {
    this.#clock.setTimer(delivery.dueAt - this.#clock.now(), () => this.#deliver(delivery));
  }

  #deliver(delivery: Delivery): void {
    const { to } = delivery.packet;
    let target: LoopbackDatagramSocket | undefined;
    for (const key of candidateKeys(to.address, to.port)) {
      target = this.#datagramSockets.get(key);
      if (target !== undefined) break;
    }
    // An IPv6-only specific bind cannot receive IPv4 traffic, and vice versa; '::' is dual-stack.
    if (target !== undefined && target.local.family !== to.family && target.local.address !== '::')
      target = undefined;
    this.#record(delivery, target === undefined ? 'unreachable' : 'delivered');
    target?.receive(delivery.packet.data, delivery.packet.from);
    if (target === undefined) {
      // The ICMP port unreachable reaches the sender only if its socket is connected to that destination.
      const { from } = delivery.packet;
      const sender = this.#connectedDatagrams.get(keyOf(from.address, from.port));
      if (sender && sender.remote === keyOf(to.address, to.port))
        sender.socket.reportLater(errorWithCode(`recvmsg ECONNREFUSED`, 'ECONNREFUSED'));
    }
  }

  #record(delivery: Delivery, fate: DatagramFate): void {
    const { packet } = delivery;
    this.trace.push({
      from: packet.from,
      to: packet.to,
      data: packet.data,
      sentAt: delivery.sentAt,
      at: fate === 'dropped' ? delivery.sentAt : this.#clock.now(),
      fate,
      duplicate: delivery.duplicate,
      reordered: delivery.reordered,
      text: textOf(packet),
    });
  }
}

function definedOnly(conditions: LinkConditions): LinkConditions {
  return Object.fromEntries(Object.entries(conditions).filter(([, value]) => value !== undefined));
}

class LoopbackDatagramSocket implements DatagramSocket {
  readonly local: SocketAddress;
  readonly #hub: DatagramHub;
  readonly #messageHandlers: ((data: Uint8Array, from: SocketAddress) => void)[] = [];
  readonly #errorHandlers: ((error: Error) => void)[] = [];
  #closed = false;

  constructor(local: SocketAddress, hub: DatagramHub) {
    this.local = local;
    this.#hub = hub;
  }

  send(data: Uint8Array, port: number, address: string): void {
    if (this.#closed) return;
    this.#hub.send(this, data, port, address);
  }

  onMessage(handler: (data: Uint8Array, from: SocketAddress) => void): void {
    this.#messageHandlers.push(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.#errorHandlers.push(handler);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.unbind(this);
  }

  receive(data: Uint8Array, from: SocketAddress): void {
    if (this.#closed) return;
    for (const handler of this.#messageHandlers) handler(data, from);
  }

  reportLater(error: Error): void {
    this.#hub.later(() => {
      if (this.#closed) return;
      for (const handler of this.#errorHandlers) handler(error);
    });
  }
}

class LoopbackStreamServer implements StreamServer {
  readonly local: SocketAddress;
  readonly #unbind: () => void;
  readonly #handlers: ((connection: StreamConnection) => void)[] = [];
  readonly #backlog: StreamConnection[] = [];
  #closed = false;

  constructor(local: SocketAddress, unbind: () => void) {
    this.local = local;
    this.#unbind = unbind;
  }

  onConnection(handler: (connection: StreamConnection) => void): void {
    this.#handlers.push(handler);
    // Connections that arrived before anyone listened wait in the backlog, as the kernel's accept queue would.
    for (const connection of this.#backlog.splice(0)) handler(connection);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unbind();
    for (const connection of this.#backlog.splice(0)) connection.close();
  }

  /** False when the server closed while the connection was in flight. */
  accept(connection: StreamConnection): boolean {
    if (this.#closed) return false;
    if (this.#handlers.length === 0) this.#backlog.push(connection);
    for (const handler of this.#handlers) handler(connection);
    return true;
  }
}

/** One end of an in-memory stream; events for the peer go through the clock in order. */
export class LoopbackStreamConnection implements StreamConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly #hub: StreamHub;
  readonly #portKey: string | undefined;
  readonly #dataHandlers: ((chunk: Uint8Array) => void)[] = [];
  readonly #closeHandlers: ((error?: Error) => void)[] = [];
  readonly #unread: Uint8Array[] = [];
  #peer: LoopbackStreamConnection | undefined;
  /** Due time of the last event sent to the peer; later events never overtake it. */
  #lastDueAt = -Infinity;
  #closing = false;
  #finished = false;
  #error: Error | undefined;

  constructor(local: SocketAddress, remote: SocketAddress, hub: StreamHub, portKey: string | undefined) {
    this.local = local;
    this.remote = remote;
    this.#hub = hub;
    this.#portKey = portKey;
  }

  pair(peer: LoopbackStreamConnection): void {
    this.#peer = peer;
  }

  write(data: Uint8Array): void {
    if (this.#closing || this.#finished) return;
    const copy = data.slice();
    for (const piece of this.#hub.split(copy)) {
      this.sendEvent(() => this.#peer?.receive(piece));
    }
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.#dataHandlers.push(handler);
    if (this.#dataHandlers.length === 1 && this.#unread.length > 0) {
      // Hand over what arrived before anyone listened, on the next tick rather than inside this registration.
      this.#hub.clock.setTimer(0, () => {
        for (const chunk of this.#unread.splice(0)) this.#dispatch(chunk);
      });
    }
  }

  onClose(handler: (error?: Error) => void): void {
    if (this.#finished) {
      const error = this.#error;
      this.#hub.clock.setTimer(0, () => handler(error));
      return;
    }
    this.#closeHandlers.push(handler);
  }

  close(): void {
    if (this.#closing || this.#finished) return;
    this.#closing = true;
    this.sendEvent(() => this.#peer?.finish(undefined));
    this.#hub.clock.setTimer(0, () => this.finish(undefined));
  }

  /** Ends both sides with an error, as a connection reset would: `error` here, ECONNRESET at the peer. */
  abort(error: Error = errorWithCode('aborted', 'ECONNABORTED')): void {
    if (this.#finished) return;
    this.#closing = true;
    this.sendEvent(() => this.#peer?.finish(errorWithCode('read ECONNRESET', 'ECONNRESET')));
    this.#hub.clock.setTimer(0, () => this.finish(error));
  }

  /** Schedules `event` for the peer after the link delay, never ahead of earlier events. */
  sendEvent(event: () => void): void {
    const clock = this.#hub.clock;
    const now = clock.now();
    const probe: Packet = { from: this.local, to: this.remote, data: new Uint8Array(0) };
    const dueAt = Math.max(now + this.#hub.delayFor(probe), this.#lastDueAt);
    this.#lastDueAt = dueAt;
    clock.setTimer(dueAt - now, event);
  }

  receive(chunk: Uint8Array): void {
    if (this.#finished || this.#closing) return;
    if (this.#dataHandlers.length === 0 || this.#unread.length > 0) {
      this.#unread.push(chunk);
      return;
    }
    this.#dispatch(chunk);
  }

  finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#closing = true;
    this.#error = error;
    if (this.#portKey !== undefined) this.#hub.release(this.#portKey, this);
    for (const handler of this.#closeHandlers.splice(0)) handler(error);
  }

  #dispatch(chunk: Uint8Array): void {
    for (const handler of this.#dataHandlers) handler(chunk);
  }
}
