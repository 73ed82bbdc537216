// Warms the media worker's per-packet code before calls need it. V8 compiles a JavaScript function with its
// optimising compiler only once the function has run enough (a budget counted in bytecode executed), and wasm
// functions likewise move from the baseline compiler to the optimising one: a call's tick runs 50 times a second,
// so one call alone leaves its encoder wrapper, RTP sender and parser, jitter buffer and frame rings in the slower
// tiers for tens of seconds, and libopus's first 200 frames or so cost 1.5–2 ms each while its wasm is compiled.
// A V8 flag could lower the budget, but V8 flags are process-wide (they would retune the main thread and, in
// Electron, the whole main process), and a Worker refuses V8 options of its own. So a worker asked for it runs a
// synthetic call instead, once, a tick per turn of its event loop, while it has no call: two streams of the very
// classes a call uses (CallStream, the RTP session, the jitter buffer, the codec, the frame rings), sending to each
// other through two UDP sockets on the loopback address, for each codec a call may use.
//
//   voice-like frames ─► mic ring ─► CallStream A ─encode─► RTP ─► socket A ─udp─► socket B ─► CallStream B ─► speaker ring
//                                        ▲                                                        │
//                                        └─────────── RTP ◄── socket A ◄─udp── socket B ◄── encode ┘
//
// Real sockets and real-looking times, because optimised code is only as good as what it was shown: a socket class,
// an address string of another kind, or whole-number times (a call's clock gives fractions) met later by a call
// throws the compiled code away. The rounds' clock is the warm-up's own (fractional milliseconds, 20 ms a tick), so
// a tick takes no wall time; nothing is posted, and every socket, stream, codec and ring is closed at the end.
import { SystemClock, type Clock, type TimerHandle } from '../../platform/clock';
import type { Random } from '../../platform/random';
import type { SocketFactory } from '../../platform/sockets';
import type { CodecName } from '../../sdp/codecs';
import { FRAME_MS, FRAME_SAMPLES } from '../media-seams';
import { AudioStreamChannel } from './audio-stream-channel';
import { MediaEngine } from './media-engine';
import { framePortOf } from './frame-port';
import { DEFAULT_WARM_UP_TICKS, type StreamParams } from './media-worker-protocol';
import type { StreamPieces } from './stream-pieces';

/**
 * DEFAULT_WARM_UP_TICKS (media-worker-protocol.ts, so the main thread can name it without this module) is the
 * ticks of the G.711 round (Opus runs a fifth of that). V8 moves a function to optimised code after it has used its
 * interrupt budget a few times over; with `--trace-opt` the per-packet functions got there within 600–1300 of these
 * ticks (two legs each: 25–50 s of one call's work), in about 1 s of CPU for the whole warm-up.
 */
export { DEFAULT_WARM_UP_TICKS };
/** The most ticks a worker may be asked to warm up with: bounds the CPU it spends before any call. */
export const MAX_WARM_UP_TICKS = 10_000;
/**
 * The most time the warm-up's steps may take in all (runWarmUp): about six times the 0.8 s the whole default warm-up
 * took, turns between steps included, on the two-core machine it was measured on. A machine too slow or too busy for
 * that stops early, its calls starting a little colder, rather than spending more of a core on it.
 */
export const MAX_WARM_UP_BUSY_MS = 5000;
/**
 * Real time the priming phase runs (see MediaWarmUp): a few ticks. Optimised code depends on what it has seen: a
 * clock class, or a stream field emptied by close(), met only after optimisation throws that code away (V8
 * deoptimises it) and the function starts climbing again.
 */
const PRIMING_MS = 100;
/**
 * The long rounds' length as a share of `ticks`. The code every codec shares is warmed by all rounds, so Opus, whose
 * own JavaScript is a few small functions around libopus and whose encoder costs about ten times G.711's, runs a
 * fifth as long: long enough for its wasm to be compiled by the optimising tier too (a couple of hundred frames).
 */
const LONG_ROUND_SHARE: Readonly<Record<Exclude<CodecName, 'pcma'>, number>> = { opus: 0.2, pcmu: 1 };

/** The codecs warmed, with the payload types and fmtp a typical offer carries. */
const WARM_CODECS: Readonly<Record<Exclude<CodecName, 'pcma'>, StreamParams['codec']>> = {
  opus: {
    payloadType: 111,
    name: 'opus',
    encodingName: 'opus',
    clockRate: 48_000,
    channels: 2,
    fmtp: 'useinbandfec=1;maxaveragebitrate=40000',
  },
  pcmu: { payloadType: 0, name: 'pcmu', encodingName: 'PCMU', clockRate: 8000, channels: 1 },
};

/** A clock whose time moves only when told to, with the timers the RTP session sets (RTCP). */
class WarmUpClock implements Clock {
  /** Fractional, as performance.now() is: the code's number feedback must not be whole numbers only. */
  #now = 1000.25;
  #nextId = 1;
  readonly #timers = new Map<number, { readonly due: number; readonly callback: () => void }>();

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.#now + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#timers.delete(handle.id);
  }

  /** Moves time on by `ms` and runs the timers that fell due, in order. */
  advance(ms: number): void {
    this.#now += ms;
    for (;;) {
      let first: [number, { readonly due: number; readonly callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].due <= this.#now && (first === undefined || entry[1].due < first[1].due)) first = entry;
      }
      if (first === undefined) return;
      this.#timers.delete(first[0]);
      first[1].callback();
    }
  }
}

/** One second of a voice-like sound (a gliding 120–200 Hz voice with harmonics, syllable-shaped), in frames. */
function voiceFrames(): Int16Array[] {
  const rate = (FRAME_SAMPLES * 1000) / FRAME_MS;
  const frames: Int16Array[] = [];
  let phase = 0;
  for (let frame = 0; frame < 1000 / FRAME_MS; frame++) {
    const samples = new Int16Array(FRAME_SAMPLES);
    for (let index = 0; index < FRAME_SAMPLES; index++) {
      const t = (frame * FRAME_SAMPLES + index) / rate;
      phase += (2 * Math.PI * (160 + 40 * Math.sin(2 * Math.PI * t))) / rate;
      let value = 0;
      for (let harmonic = 1; harmonic <= 8; harmonic++) value += Math.sin(harmonic * phase) / harmonic;
      const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t);
      samples[index] = Math.round(value * syllable * 6000);
    }
    frames.push(samples);
  }
  return frames;
}

export interface WarmUpOptions {
  readonly pieces: StreamPieces;
  readonly random: Random;
  /** Where the two streams bind their sockets (ephemeral ports, closed with the round). */
  readonly sockets: SocketFactory;
  /** A loopback address: the warm-up's packets never leave the host. */
  readonly bindAddress: string;
  /** Ticks of the G.711 round (Opus runs a fifth of that); default DEFAULT_WARM_UP_TICKS, at most MAX_WARM_UP_TICKS. */
  readonly ticks?: number;
  /** Codecs to warm, in order; default Opus, then PCMU (PCMA shares PCMU's code but for its table). */
  readonly codecs?: readonly Exclude<CodecName, 'pcma'>[];
  /** The clock the priming phase runs on: the worker's own (a call's streams use it); default a SystemClock. */
  readonly clock?: Clock;
}

/** What a finished warm-up did, for tests and the worker's log. */
export interface WarmUpReport {
  readonly ticks: number;
  /** Audio packets the two streams received from each other, over all codecs. */
  readonly packetsReceived: number;
  /** Speaker frames that carried sound (not silence), over all codecs. */
  readonly framesHeard: number;
  /** Codecs that could not be made (libopus missing): skipped, the others still warmed. */
  readonly skipped: readonly string[];
  /** Why the warm-up stopped early, when a step threw: calls are unaffected, they only start colder. */
  readonly failure?: string;
}

interface Leg {
  readonly callId: string;
  readonly channel: AudioStreamChannel;
}

/** A MediaEngine of the warm-up's own with two legs per codec calling each other, and its quality counts. */
interface Bench {
  readonly engine: MediaEngine;
  readonly received: Map<string, number>;
  closed: boolean;
}

/** A long round: one codec's two legs on the warm-up's clock. */
interface Round {
  readonly bench: Bench;
  readonly clock: WarmUpClock;
  readonly legs: readonly Leg[];
  readonly length: number;
  ticks: number;
}

/**
 * The warm-up's synthetic calls, run by the worker's own MediaEngine code (so every object the hot functions meet
 * comes from the same places as a call's), in two phases:
 * 1. priming: every codec's pair of legs at once on the system clock for PRIMING_MS of real time, then stopped, so
 *    the optimiser has met the system clock, every codec's classes and a stream's whole life before it compiles the
 *    shared code (CallStream, the RTP session, the jitter buffer): something met only later would deoptimise it.
 *    A call that starts meanwhile ends it at once (`yieldToCall`): these legs tick beside the call's;
 * 2. the long rounds, one codec at a time, on the warm-up's own clock: `step()` runs one 20 ms tick and says whether
 *    more remain. The packets a tick sends arrive through the event loop, so the caller lets a turn of it pass
 *    between steps (runWarmUp).
 * Every socket and stream is closed by the last step or by `stop()`.
 */
export class MediaWarmUp {
  readonly #options: WarmUpOptions;
  readonly #ticksPerCodec: number;
  readonly #codecs: readonly Exclude<CodecName, 'pcma'>[];
  readonly #queue: Exclude<CodecName, 'pcma'>[];
  readonly #voice = voiceFrames();
  readonly #heard = new Int16Array(FRAME_SAMPLES);
  readonly #random: Random;
  #primed = false;
  /** While the priming phase runs: whether a call came (it then skips or ends its wait), and how to end the wait. */
  #priming: { callCame: boolean } | undefined;
  #endPriming: (() => void) | undefined;
  #round: Round | undefined;
  #open: Bench | undefined;
  #ticks = 0;
  #packetsReceived = 0;
  #framesHeard = 0;
  readonly #skipped: string[] = [];
  #done = false;

  constructor(options: WarmUpOptions) {
    this.#options = options;
    const ticks = Math.floor(options.ticks ?? DEFAULT_WARM_UP_TICKS);
    this.#ticksPerCodec = Math.max(0, Math.min(MAX_WARM_UP_TICKS, Number.isFinite(ticks) ? ticks : 0));
    this.#codecs = options.codecs ?? ['opus', 'pcmu'];
    this.#queue = this.#ticksPerCodec === 0 ? [] : [...this.#codecs];
    // RTP timestamps and sequence origins are random: drawn from the top half here, so the code sees timestamps
    // beyond the small-integer range (and their wrap), as half of all calls do.
    const random = options.random;
    this.#random = {
      bytes: (count) => {
        const bytes = random.bytes(count);
        if (bytes.length > 0) bytes[0] = bytes[0]! | 0x80;
        return bytes;
      },
      token: (length) => random.token(length),
      fraction: () => random.fraction(),
    };
  }

  get done(): boolean {
    return this.#done;
  }

  report(): WarmUpReport {
    return {
      ticks: this.#ticks,
      packetsReceived: this.#packetsReceived,
      framesHeard: this.#framesHeard,
      skipped: [...this.#skipped],
    };
  }

  /** Runs the next tick (the priming phase first); false once everything is done and closed. */
  async step(): Promise<boolean> {
    if (this.#done) return false;
    if (!this.#primed) {
      this.#primed = true;
      if (this.#ticksPerCodec > 0) await this.#prime();
      return !this.#done;
    }
    const round = this.#round ?? (await this.#nextRound());
    if (round === undefined) {
      this.stop();
      return false;
    }
    for (const leg of round.legs)
      leg.channel.microphone.write(this.#voice[round.ticks % this.#voice.length]!);
    // The engine's scheduler ticks every stream when its timer falls due on the warm-up's clock.
    round.clock.advance(FRAME_MS);
    for (const leg of round.legs) {
      while (leg.channel.speaker.read(this.#heard)) {
        if (this.#heard.some((sample) => sample !== 0)) this.#framesHeard++;
      }
    }
    round.ticks++;
    this.#ticks++;
    if (round.ticks >= round.length) this.#endRound();
    return true;
  }

  /** Closes whatever is open; the warm-up is then done. Safe to call twice. */
  stop(): void {
    this.#endPriming?.();
    this.#endRound();
    this.#close(this.#open);
    this.#queue.length = 0;
    this.#done = true;
  }

  #bench(clock: Clock): Bench {
    const received = new Map<string, number>();
    const engine = new MediaEngine({
      clock,
      random: this.#random,
      sockets: this.#options.sockets,
      pieces: this.#options.pieces,
      // The quality events run the reporting path too; the packet counts are the warm-up's proof of work.
      emit: (event) => {
        if (event.type === 'quality') received.set(event.callId, event.quality.received.packets);
      },
    });
    return { engine, received, closed: false };
  }

  #close(bench: Bench | undefined): void {
    if (bench === undefined || bench.closed) return;
    bench.closed = true;
    if (this.#open === bench) this.#open = undefined;
    bench.engine.shutdown();
    for (const packets of bench.received.values()) this.#packetsReceived += packets;
  }

  /** Two legs of `codec` calling each other on `bench`; null when the codec cannot be made. */
  async #legs(bench: Bench, codec: Exclude<CodecName, 'pcma'>): Promise<Leg[] | null> {
    const { engine } = bench;
    const legs: (Leg & { port: number })[] = [];
    for (const side of ['a', 'b']) {
      const callId = `warm-up-${codec}-${side}`;
      const channel = AudioStreamChannel.create();
      // The consumer's side: listening, as a speaker or a window would be.
      channel.speaker.listening = true;
      const ports = await engine.allocate(callId, this.#options.bindAddress, framePortOf(channel));
      if (!ports.ok) throw new Error(`warm-up: ${ports.error.message}`);
      legs.push({ callId, channel, port: ports.value.rtpPort });
    }
    const [a, b] = legs as [Leg & { port: number }, Leg & { port: number }];
    const address = this.#options.bindAddress;
    for (const [leg, peer] of [
      [a, b],
      [b, a],
    ] as const) {
      const codecParams = WARM_CODECS[codec];
      const started = engine.start(leg.callId, {
        codec: codecParams,
        telephoneEvent: { payloadType: 101, clockRate: codecParams.clockRate },
        remoteRtp: { address, port: peer.port },
        remoteRtcp: { address, port: peer.port + 1 },
        rtcpMux: false,
        ptime: FRAME_MS,
        send: true,
        receive: true,
      });
      if (!started.ok) {
        engine.stop(a.callId);
        engine.stop(b.callId);
        if (started.error.code === 'codec-unavailable') return null;
        throw new Error(`warm-up: ${started.error.message}`);
      }
    }
    return [a, b];
  }

  /**
   * A call is about to start ticking. The long rounds need nothing (runWarmUp takes no step while the worker has a
   * call), but the priming legs tick on the system clock beside the call, cold Opus at a few milliseconds a frame:
   * a call started then had its first packets up to 17 ms late. So the priming phase ends here, at once.
   */
  yieldToCall(): void {
    // A call before the priming (the one the worker was started for) changes nothing: priming waits for it to end.
    if (this.#priming === undefined) return;
    this.#priming.callCame = true;
    this.#endPriming?.();
  }

  /** Phase 1: every codec's legs at once on the system clock for PRIMING_MS (or until a call comes), then stopped. */
  async #prime(): Promise<void> {
    const clock = this.#options.clock ?? new SystemClock();
    const bench = this.#bench(clock);
    this.#open = bench;
    const priming = { callCame: false };
    this.#priming = priming;
    try {
      for (const codec of this.#codecs) {
        if ((await this.#legs(bench, codec)) === null) this.#skip(codec);
        if (this.#done || priming.callCame) return;
      }
      await new Promise<void>((resolve) => {
        const timer = clock.setTimer(PRIMING_MS, resolve);
        this.#endPriming = () => {
          clock.clearTimer(timer);
          resolve();
        };
      });
    } finally {
      this.#priming = undefined;
      this.#endPriming = undefined;
      this.#close(bench);
    }
  }

  #skip(codec: Exclude<CodecName, 'pcma'>): void {
    this.#skipped.push(codec);
    const index = this.#queue.indexOf(codec);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  async #nextRound(): Promise<Round | undefined> {
    for (let codec = this.#queue.shift(); codec !== undefined; codec = this.#queue.shift()) {
      const clock = new WarmUpClock();
      const bench = this.#bench(clock);
      this.#open = bench;
      const legs = await this.#legs(bench, codec);
      if (this.#done || legs === null) {
        // stop() came while the sockets were being bound, or the codec cannot be made.
        this.#close(bench);
        if (legs === null) this.#skipped.push(codec);
        if (this.#done) return undefined;
        continue;
      }
      this.#round = {
        bench,
        clock,
        legs,
        length: Math.ceil(this.#ticksPerCodec * LONG_ROUND_SHARE[codec]),
        ticks: 0,
      };
      return this.#round;
    }
    return undefined;
  }

  #endRound(): void {
    const round = this.#round;
    if (round === undefined) return;
    this.#round = undefined;
    this.#close(round.bench);
  }
}

/** What bounds runWarmUp besides the warm-up's own ticks. */
export interface WarmUpBudget {
  /** Times the steps. */
  readonly clock: Pick<Clock, 'now'>;
  /** Default MAX_WARM_UP_BUSY_MS. */
  readonly maxBusyMs?: number;
}

/**
 * Runs `warmUp` a tick per turn of the event loop (`nextTurn` resolves on setImmediate in the worker), so the
 * packets of one tick arrive before the next, and the thread's messages, timers and calls are served between
 * ticks. Resolves with the report when done; a step that fails ends the warm-up (its streams closed) and the report
 * says why, since nothing here may take the worker down. With a `budget`, the time spent in steps (not the turns
 * between them, nor the waits while calls run) is added up, and the warm-up stops once it passes the budget.
 */
export async function runWarmUp(
  warmUp: MediaWarmUp,
  nextTurn: () => Promise<void>,
  budget?: WarmUpBudget,
): Promise<WarmUpReport> {
  const maxBusyMs = budget?.maxBusyMs ?? MAX_WARM_UP_BUSY_MS;
  let busyMs = 0;
  try {
    // A turn first: a call that starts with the worker goes before all of it.
    for (;;) {
      await nextTurn();
      const started = budget?.clock.now() ?? 0;
      const more = await warmUp.step();
      if (!more) return warmUp.report();
      if (budget === undefined) continue;
      busyMs += budget.clock.now() - started;
      if (busyMs > maxBusyMs) {
        warmUp.stop();
        return { ...warmUp.report(), failure: `stopped after its budget of ${maxBusyMs} ms` };
      }
    }
  } catch (error) {
    try {
      warmUp.stop();
    } catch {
      // a stream that cannot close is left to the collector; the worker goes on
    }
    return { ...warmUp.report(), failure: error instanceof Error ? error.message : String(error) };
  }
}

/** How often a warm-up paused by running calls looks again: one wake a second, nothing beside a call's 50. */
export const BUSY_RECHECK_MS = 1000;
/**
 * How long a new worker waits before its warm-up starts: the command that made it (a call's ports, the pool being
 * filled) comes within this, and the warm-up then waits for the call instead of holding up its set-up.
 */
export const WARM_UP_DELAY_MS = 2000;

/**
 * The worker's `nextTurn` for runWarmUp: a zero-delay timer (a turn of the event loop, in which the tick's packets
 * arrive), the first one after `startAfterMs`; but while `busy()` (the worker has calls) it waits, looking again
 * every BUSY_RECHECK_MS. A call's ticks then never queue behind a warm-up tick (an Opus one costs about a
 * millisecond), nor share the cores with the compiling the warm-up sets off, so the warm-up costs a call neither
 * pacing nor latency; it goes on once the calls have ended. (A worker started for a call warms up after that call,
 * for the next ones.)
 */
export function turnWhenIdle(clock: Clock, busy: () => boolean, startAfterMs = 0): () => Promise<void> {
  let firstDelayMs = startAfterMs;
  return () =>
    new Promise((resolve) => {
      const check = (): void => {
        if (busy()) clock.setTimer(BUSY_RECHECK_MS, check);
        else resolve();
      };
      clock.setTimer(firstDelayMs, check);
      firstDelayMs = 0;
    });
}
