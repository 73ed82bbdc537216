// The media worker's core: the calls' streams by call id, one FrameScheduler ticking all started streams together,
// and the commands of media-worker-protocol.ts as methods answering Results. It owns no thread: the worker entry
// feeds it from its parentPort with the system clock and real sockets, and unit tests drive it with a ManualClock
// and a LoopbackNetwork.
//
// A call's failure stays that call's: a stream whose tick, command or piece throws is closed, its ports released,
// and an `error` event says so; the others keep ticking.
import { err, ok, type Result } from '../../contract/result';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import type { SocketFactory } from '../../platform/sockets';
import { FRAME_MS } from '../media-seams';
import { CallStream } from './call-stream';
import { FrameScheduler } from './frame-scheduler';
import type { FramePort } from './frame-port';
import {
  MAX_RESERVED_PAIRS,
  type AllocatedPorts,
  type MediaEvent,
  type MediaFailure,
  type StreamParams,
} from './media-worker-protocol';
import { bindRtpPortPair, type RtpPortPair } from './rtp-port-pair';
import type { StreamPieces } from './stream-pieces';

export interface MediaEngineOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly sockets: SocketFactory;
  readonly pieces: StreamPieces;
  readonly emit: (event: MediaEvent) => void;
  readonly logger?: Logger;
}

function portsOf(pair: RtpPortPair): AllocatedPorts {
  return { rtpPort: pair.rtp.local.port, rtcpPort: pair.rtcp.local.port };
}

function closePair(pair: RtpPortPair): void {
  pair.rtp.close();
  pair.rtcp.close();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class MediaEngine {
  readonly #options: MediaEngineOptions;
  readonly #streams = new Map<string, CallStream>();
  /** Calls whose sockets are being bound, and whether a stop came meanwhile. */
  readonly #allocating = new Map<string, { stopped: boolean }>();
  readonly #scheduler: FrameScheduler;
  /**
   * Pairs bound ahead of any call (the host's port pool), by reservation number. A pair leaves this map for one
   * call and closes with it: a port that carried a call's media never serves another call, whose stream could
   * otherwise receive the late packets of the first.
   */
  readonly #reserved = new Map<number, { readonly pair: RtpPortPair; readonly audio: FramePort }>();
  /** Reservations being bound (counted against the bound), and whether a release or shutdown came meanwhile. */
  readonly #reserving = new Map<number, { released: boolean }>();

  constructor(options: MediaEngineOptions) {
    this.#options = options;
    this.#scheduler = new FrameScheduler({ clock: options.clock, periodMs: FRAME_MS });
  }

  get callCount(): number {
    return this.#streams.size;
  }

  /** Whether the 20 ms tick is running (only while at least one call has started). */
  get ticking(): boolean {
    return this.#scheduler.running;
  }

  async allocate(
    callId: string,
    bindAddress: string,
    audio: FramePort,
  ): Promise<Result<AllocatedPorts, MediaFailure>> {
    if (this.#streams.has(callId) || this.#allocating.has(callId)) {
      audio.close();
      return err({ code: 'duplicate-call', message: `call ${callId} already has media` });
    }
    const marker = { stopped: false };
    this.#allocating.set(callId, marker);
    const pair = await bindRtpPortPair(this.#options.sockets, bindAddress);
    this.#allocating.delete(callId);
    if (!pair.ok) {
      audio.close();
      return err({ code: 'bind-failed', message: pair.error });
    }
    if (marker.stopped) {
      pair.value.rtp.close();
      pair.value.rtcp.close();
      audio.close();
      return err({ code: 'unknown-call', message: `call ${callId} was stopped while its ports were bound` });
    }
    return ok(this.#createStream(callId, pair.value, audio));
  }

  /** Pairs held for the host's pool, bound or being bound. */
  get reservedCount(): number {
    return this.#reserved.size + this.#reserving.size;
  }

  /**
   * Binds a pair on `bindAddress` ahead of any call and holds it, with the audio stream of the call that will take
   * it, until `claim` or `release`.
   */
  async reserve(
    reservation: number,
    bindAddress: string,
    audio: FramePort,
  ): Promise<Result<AllocatedPorts, MediaFailure>> {
    if (this.#reserved.has(reservation) || this.#reserving.has(reservation)) {
      audio.close();
      return err({ code: 'invalid-params', message: `reservation ${reservation} is taken` });
    }
    if (this.reservedCount >= MAX_RESERVED_PAIRS) {
      audio.close();
      return err({ code: 'pool-full', message: `${MAX_RESERVED_PAIRS} port pairs are held already` });
    }
    const marker = { released: false };
    this.#reserving.set(reservation, marker);
    const pair = await bindRtpPortPair(this.#options.sockets, bindAddress);
    this.#reserving.delete(reservation);
    if (!pair.ok) {
      audio.close();
      return err({ code: 'bind-failed', message: pair.error });
    }
    if (marker.released) {
      closePair(pair.value);
      audio.close();
      return err({ code: 'unknown-reservation', message: `reservation ${reservation} was released` });
    }
    this.#reserved.set(reservation, { pair: pair.value, audio });
    return ok(portsOf(pair.value));
  }

  /** The held pair of `reservation` (and its audio stream) becomes the media of `callId`, as `allocate` makes it. */
  claim(callId: string, reservation: number): Result<AllocatedPorts, MediaFailure> {
    const held = this.#reserved.get(reservation);
    if (held === undefined) {
      return err({ code: 'unknown-reservation', message: `no port pair held as ${reservation}` });
    }
    this.#reserved.delete(reservation);
    if (this.#streams.has(callId) || this.#allocating.has(callId)) {
      closePair(held.pair);
      held.audio.close();
      return err({ code: 'duplicate-call', message: `call ${callId} already has media` });
    }
    return ok(this.#createStream(callId, held.pair, held.audio));
  }

  /** Closes a held pair (or one still being bound) that no call will take. */
  release(reservation: number): Result<null, MediaFailure> {
    const binding = this.#reserving.get(reservation);
    if (binding !== undefined) {
      binding.released = true;
      return ok(null);
    }
    const held = this.#reserved.get(reservation);
    if (held === undefined) {
      return err({ code: 'unknown-reservation', message: `no port pair held as ${reservation}` });
    }
    this.#reserved.delete(reservation);
    closePair(held.pair);
    held.audio.close();
    return ok(null);
  }

  #createStream(callId: string, pair: RtpPortPair, audio: FramePort): AllocatedPorts {
    const { clock, random, pieces, emit } = this.#options;
    const stream = new CallStream({
      callId,
      rtpSocket: pair.rtp,
      rtcpSocket: pair.rtcp,
      audio,
      pieces,
      clock,
      random,
      emit: (event) => emit(event),
    });
    this.#streams.set(callId, stream);
    return portsOf(pair);
  }

  start(callId: string, params: StreamParams): Result<null, MediaFailure> {
    const result = this.#guarded(callId, (stream) => stream.start(params));
    if (result.ok) this.#ensureTicking();
    return result;
  }

  update(callId: string, params: StreamParams): Result<null, MediaFailure> {
    return this.#guarded(callId, (stream) => stream.update(params));
  }

  setMuted(callId: string, muted: boolean): Result<null, MediaFailure> {
    return this.#guarded(callId, (stream) => {
      stream.setMuted(muted);
      return ok(null);
    });
  }

  sendDtmf(callId: string, digits: string): Result<null, MediaFailure> {
    return this.#guarded(callId, (stream) => stream.sendDtmf(digits));
  }

  stop(callId: string): Result<null, MediaFailure> {
    const allocating = this.#allocating.get(callId);
    if (allocating !== undefined) {
      allocating.stopped = true;
      return ok(null);
    }
    const stream = this.#streams.get(callId);
    if (stream === undefined) return err({ code: 'unknown-call', message: `no media for call ${callId}` });
    this.#remove(stream);
    return ok(null);
  }

  /** Stops every call (RTCP BYE where the pieces send one) and the tick. */
  shutdown(): void {
    for (const marker of this.#allocating.values()) marker.stopped = true;
    for (const marker of this.#reserving.values()) marker.released = true;
    for (const held of this.#reserved.values()) {
      closePair(held.pair);
      held.audio.close();
    }
    this.#reserved.clear();
    for (const stream of [...this.#streams.values()]) this.#remove(stream);
    this.#scheduler.stop();
  }

  #guarded(
    callId: string,
    action: (stream: CallStream) => Result<null, MediaFailure>,
  ): Result<null, MediaFailure> {
    const stream = this.#streams.get(callId);
    if (stream === undefined) return err({ code: 'unknown-call', message: `no media for call ${callId}` });
    try {
      return action(stream);
    } catch (error) {
      const failure: MediaFailure = { code: 'stream-failed', message: describe(error) };
      this.#fail(stream, failure);
      return err(failure);
    }
  }

  #ensureTicking(): void {
    if (!this.#scheduler.running) this.#scheduler.start(() => this.#tick());
  }

  #tick(): void {
    const now = this.#options.clock.now();
    const scheduler = { lateTicks: this.#scheduler.lateTicks, skippedTicks: this.#scheduler.skipped };
    let started = 0;
    for (const stream of [...this.#streams.values()]) {
      if (!stream.started) continue;
      started++;
      try {
        stream.tick(now, scheduler);
      } catch (error) {
        this.#fail(stream, { code: 'stream-failed', message: describe(error) });
      }
    }
    if (started === 0) this.#scheduler.stop();
  }

  #fail(stream: CallStream, failure: MediaFailure): void {
    this.#options.logger?.log('warn', 'call media failed', {
      callId: stream.callId,
      failure: failure.message,
    });
    this.#remove(stream);
    this.#options.emit({ type: 'error', callId: stream.callId, failure });
  }

  #remove(stream: CallStream): void {
    this.#streams.delete(stream.callId);
    stream.close();
    if (![...this.#streams.values()].some((other) => other.started)) this.#scheduler.stop();
  }
}
