// A user-space UDP relay that impairs what it carries, for media tests on loopback: `tc netem` is not available on
// these machines, so loss, burst loss, delay, jitter, reordering and duplication happen here, per direction and
// drawn from a seeded Random so that a failing run can be repeated.
//
//   end A ──▶ [a-side port] ──(A→B impairment)──▶ [b-side port] ──▶ end B
//   end A ◀── [a-side port] ◀──(B→A impairment)── [b-side port] ◀── end B
//
// Each side has one socket per leg: leg 0 carries RTP (or everything, with rtcp-mux), leg 1 RTCP on the next port
// up (RFC 3550 §11), so an end that is told "the peer is at the relay's a-side port" finds RTCP where it expects it.
// A datagram arriving on one side goes out of the other side's socket of the same leg, to that side's target: the
// address set for it, or else the last address that sent to that socket (symmetric RTP latching, as the ends do).
//
// The impairment decisions are pure (ImpairmentModel: one Random draw sequence per direction) and the relay only
// carries them out with the injected Clock's timers, so the statistics are tested without sockets.
import { createSocket, type Socket } from 'node:dgram';
import { SystemClock, type Clock } from '../../main/platform/clock';
import type { Random } from '../../main/platform/random';

/**
 * Gilbert–Elliott burst loss: a two-state Markov chain stepped once per packet. In the bad state packets are lost
 * with `lossInBad` (default 1), in the good state with `lossInGood` (default 0). The mean burst length is
 * 1 / badToGood packets and the share of time in the bad state goodToBad / (goodToBad + badToGood).
 */
export interface GilbertElliott {
  readonly goodToBad: number;
  readonly badToGood: number;
  readonly lossInGood?: number;
  readonly lossInBad?: number;
}

/** What one direction does to its datagrams. Every probability is per datagram, in [0, 1]. */
export interface Impairment {
  /** Independent random loss. */
  readonly loss?: number;
  /** Burst loss, applied after the independent loss. */
  readonly burst?: GilbertElliott;
  /** Fixed one-way delay, ms. */
  readonly delayMs?: number;
  /**
   * Extra delay drawn uniformly from [0, jitterMs] per datagram. Datagrams may overtake each other as on a real
   * network, unless `keepOrder` holds each one until the previous has left.
   */
  readonly jitterMs?: number;
  readonly keepOrder?: boolean;
  /** Hold a datagram back and send it right after the next one (or after `reorderHoldMs` if none comes). */
  readonly reorder?: number;
  /** Longest a reordered datagram waits for its successor. Default 100 ms. */
  readonly reorderHoldMs?: number;
  /** Send a second copy right after the first. */
  readonly duplicate?: number;
}

/** The fate of one datagram. */
export interface PacketFate {
  readonly lost: boolean;
  /** Lost in a Gilbert–Elliott burst (also counted in `lost`). */
  readonly lostInBurst: boolean;
  /** Total delay before it leaves, ms (fixed delay + jitter). */
  readonly delayMs: number;
  readonly duplicated: boolean;
  readonly reordered: boolean;
}

/** Draws the fate of each datagram of one direction. Pure apart from the Random it owns. */
export class ImpairmentModel {
  readonly #config: Impairment;
  readonly #random: Random;
  #bad = false;

  constructor(config: Impairment, random: Random) {
    for (const [name, value] of Object.entries(config)) {
      if (typeof value === 'number' && (value < 0 || !Number.isFinite(value))) {
        throw new RangeError(`impairment ${name} must be a finite number ≥ 0, not ${value}`);
      }
    }
    for (const name of ['loss', 'reorder', 'duplicate'] as const) {
      if ((config[name] ?? 0) > 1)
        throw new RangeError(`impairment ${name} is a probability, not ${config[name]}`);
    }
    this.#config = config;
    this.#random = random;
  }

  /** True while the burst chain is in its bad state (after the latest `next()`). */
  get inBurst(): boolean {
    return this.#bad;
  }

  next(): PacketFate {
    const config = this.#config;
    // Draw every knob for every datagram, so changing one knob's value does not shift another's sequence.
    const lossDraw = this.#random.fraction();
    const burstDraw = this.#random.fraction();
    const stateDraw = this.#random.fraction();
    const jitterDraw = this.#random.fraction();
    const reorderDraw = this.#random.fraction();
    const duplicateDraw = this.#random.fraction();

    let lostInBurst = false;
    if (config.burst !== undefined) {
      const burst = config.burst;
      this.#bad = this.#bad ? stateDraw >= burst.badToGood : stateDraw < burst.goodToBad;
      const lossHere = this.#bad ? (burst.lossInBad ?? 1) : (burst.lossInGood ?? 0);
      lostInBurst = burstDraw < lossHere;
    }
    const lost = lossDraw < (config.loss ?? 0) || lostInBurst;
    return {
      lost,
      lostInBurst: lostInBurst && !(lossDraw < (config.loss ?? 0)),
      delayMs: (config.delayMs ?? 0) + jitterDraw * (config.jitterMs ?? 0),
      duplicated: !lost && duplicateDraw < (config.duplicate ?? 0),
      reordered: !lost && reorderDraw < (config.reorder ?? 0),
    };
  }
}

export interface DirectionCounters {
  /** Datagrams that arrived at the relay for this direction. */
  readonly received: number;
  /** Datagrams sent on, duplicates included. */
  readonly sent: number;
  /** Dropped by the independent or the burst loss. */
  readonly lost: number;
  /** Of `lost`, the ones only the burst chain dropped. */
  readonly lostInBurst: number;
  /** Extra copies sent. */
  readonly duplicated: number;
  /** Held back to go out after their successor. */
  readonly reordered: number;
  /** Arrived before the side they go to had a target (no address set, none latched yet): dropped. */
  readonly unroutable: number;
}

export type Side = 'a' | 'b';

export interface RelayAddress {
  readonly address: string;
  readonly port: number;
}

export interface ImpairmentRelayOptions {
  /** Seeds the impairment draws; each direction takes its own generator from `randomFor`. */
  readonly randomFor: (direction: 'aToB' | 'bToA') => Random;
  readonly aToB?: Impairment;
  readonly bToA?: Impairment;
  /** 1 (RTP only, or rtcp-mux) or 2 (RTP on an even port, RTCP on the next). Default 2. */
  readonly legs?: 1 | 2;
  /** Where side a's traffic goes out to (end A's RTP address); learnt from end A's first datagram if left out. */
  readonly targetA?: RelayAddress;
  readonly targetB?: RelayAddress;
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Timers for delay, jitter and reorder holds. Default the system clock. */
  readonly clock?: Clock;
}

export interface ImpairmentRelay {
  /** The RTP port of side a (RTCP is this + 1 with two legs): what end A is told end B's media address is. */
  readonly portA: number;
  readonly portB: number;
  readonly host: string;
  /** Sets where one side's traffic goes out to, for the RTP leg (RTCP: port + 1). */
  setTarget(side: Side, target: RelayAddress): void;
  /**
   * Changes a direction's impairment from the next datagram on. Draws continue from the same generator; a burst
   * chain starts again in its good state.
   */
  setImpairment(direction: 'aToB' | 'bToA', impairment: Impairment): void;
  /** Counters per direction; `leg` 0 is RTP, 1 RTCP; without it, both legs summed. */
  counters(direction: 'aToB' | 'bToA', leg?: 0 | 1): DirectionCounters;
  close(): Promise<void>;
}

const DEFAULT_REORDER_HOLD_MS = 100;

type MutableCounters = { -readonly [K in keyof DirectionCounters]: DirectionCounters[K] };

function emptyCounters(): MutableCounters {
  return { received: 0, sent: 0, lost: 0, lostInBurst: 0, duplicated: 0, reordered: 0, unroutable: 0 };
}

function bindSocket(host: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** `count` sockets on consecutive ports, the first even (RTP/RTCP pairs, RFC 3550 §11). */
async function bindRun(host: string, count: number): Promise<Socket[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = await bindSocket(host, 0);
    if (first === undefined) continue;
    const port = first.address().port;
    if (count === 1) return [first];
    if (port % 2 !== 0) {
      first.close();
      continue;
    }
    const second = await bindSocket(host, port + 1);
    if (second !== undefined) return [first, second];
    first.close();
  }
  throw new Error(`impairment relay: no ${count} consecutive free UDP ports on ${host}`);
}

/** One direction on one leg: carries out the fates its model draws. */
class DirectionPipe {
  readonly counters = emptyCounters();
  #held: { data: Buffer; timer: ReturnType<Clock['setTimer']> } | undefined;
  /** When the previous datagram leaves (keepOrder). */
  #lastDepartureMs = 0;
  #closed = false;

  constructor(
    private readonly model: () => ImpairmentModel,
    private readonly config: () => Impairment,
    private readonly clock: Clock,
    private readonly send: (data: Buffer) => boolean,
  ) {}

  carry(data: Buffer): void {
    this.counters.received++;
    const fate = this.model().next();
    if (fate.lost) {
      this.counters.lost++;
      if (fate.lostInBurst) this.counters.lostInBurst++;
      return;
    }
    let delay = fate.delayMs;
    if (this.config().keepOrder === true) {
      const departure = Math.max(this.clock.now() + delay, this.#lastDepartureMs);
      this.#lastDepartureMs = departure;
      delay = departure - this.clock.now();
    }
    this.#after(delay, () => this.#depart(data, fate));
  }

  #depart(data: Buffer, fate: PacketFate): void {
    if (fate.reordered && this.#held === undefined) {
      this.counters.reordered++;
      const holdMs = this.config().reorderHoldMs ?? DEFAULT_REORDER_HOLD_MS;
      const timer = this.clock.setTimer(holdMs, () => {
        const held = this.#held;
        this.#held = undefined;
        if (held !== undefined) this.#emit(held.data, false);
      });
      this.#held = { data, timer };
      return;
    }
    this.#emit(data, fate.duplicated);
    // The held one goes out right behind its successor: the two have swapped places.
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      this.clock.clearTimer(held.timer);
      this.#emit(held.data, false);
    }
  }

  #emit(data: Buffer, duplicated: boolean): void {
    if (this.#closed) return;
    if (!this.send(data)) {
      this.counters.unroutable++;
      return;
    }
    this.counters.sent++;
    if (duplicated) {
      this.counters.duplicated++;
      this.counters.sent++;
      this.send(data);
    }
  }

  #after(delayMs: number, action: () => void): void {
    if (delayMs <= 0) action();
    else this.clock.setTimer(delayMs, action);
  }

  close(): void {
    this.#closed = true;
    if (this.#held !== undefined) this.clock.clearTimer(this.#held.timer);
    this.#held = undefined;
  }
}

export async function startImpairmentRelay(options: ImpairmentRelayOptions): Promise<ImpairmentRelay> {
  const host = options.host ?? '127.0.0.1';
  const legs = options.legs ?? 2;
  const clock = options.clock ?? new SystemClock();
  const sockets: Record<Side, Socket[]> = { a: await bindRun(host, legs), b: [] };
  try {
    sockets.b = await bindRun(host, legs);
  } catch (error) {
    for (const socket of sockets.a) socket.close();
    throw error;
  }
  const impairments = { aToB: options.aToB ?? {}, bToA: options.bToA ?? {} };
  const randoms = { aToB: options.randomFor('aToB'), bToA: options.randomFor('bToA') };
  // One model per direction shared by its legs: RTCP draws from the same sequence as RTP.
  const models = {
    aToB: new ImpairmentModel(impairments.aToB, randoms.aToB),
    bToA: new ImpairmentModel(impairments.bToA, randoms.bToA),
  };
  const targets: Record<Side, (RelayAddress | undefined)[]> = {
    a: Array.from({ length: legs }, (_, leg) =>
      options.targetA === undefined ? undefined : { ...options.targetA, port: options.targetA.port + leg },
    ),
    b: Array.from({ length: legs }, (_, leg) =>
      options.targetB === undefined ? undefined : { ...options.targetB, port: options.targetB.port + leg },
    ),
  };
  const latched: Record<Side, (RelayAddress | undefined)[]> = { a: [], b: [] };

  const pipes = {
    aToB: [] as DirectionPipe[],
    bToA: [] as DirectionPipe[],
  };
  for (let leg = 0; leg < legs; leg++) {
    const out = (side: Side) => (data: Buffer) => {
      const target = targets[side][leg] ?? latched[side][leg];
      if (target === undefined) return false;
      sockets[side][leg]!.send(data, target.port, target.address);
      return true;
    };
    pipes.aToB.push(
      new DirectionPipe(
        () => models.aToB,
        () => impairments.aToB,
        clock,
        out('b'),
      ),
    );
    pipes.bToA.push(
      new DirectionPipe(
        () => models.bToA,
        () => impairments.bToA,
        clock,
        out('a'),
      ),
    );
    for (const side of ['a', 'b'] as const) {
      const pipe = side === 'a' ? pipes.aToB[leg]! : pipes.bToA[leg]!;
      sockets[side][leg]!.on('message', (data, from) => {
        latched[side][leg] = { address: from.address, port: from.port };
        pipe.carry(data);
      });
    }
  }

  const sum = (list: DirectionCounters[]): DirectionCounters => {
    const total = emptyCounters();
    for (const counters of list) {
      for (const key of Object.keys(total) as (keyof DirectionCounters)[]) total[key] += counters[key];
    }
    return total;
  };

  return {
    portA: sockets.a[0]!.address().port,
    portB: sockets.b[0]!.address().port,
    host,
    setTarget: (side, target) => {
      for (let leg = 0; leg < legs; leg++) targets[side][leg] = { ...target, port: target.port + leg };
    },
    setImpairment: (direction, impairment) => {
      impairments[direction] = impairment;
      models[direction] = new ImpairmentModel(impairment, randoms[direction]);
    },
    counters: (direction, leg) =>
      leg === undefined
        ? sum(pipes[direction].map((pipe) => pipe.counters))
        : { ...pipes[direction][leg]!.counters },
    close: async () => {
      for (const pipe of [...pipes.aToB, ...pipes.bToA]) pipe.close();
      await Promise.all(
        [...sockets.a, ...sockets.b].map(
          (socket) => new Promise<void>((resolve) => socket.close(() => resolve())),
        ),
      );
    },
  };
}
