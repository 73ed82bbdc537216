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
import type { AllocatedPorts, MediaEvent, MediaFailure, StreamParams } from './media-worker-protocol';
import { bindRtpPortPair } from './rtp-port-pair';
import type { StreamPieces } from './stream-pieces';

export interface MediaEngineOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly sockets: SocketFactory;
  readonly pieces: StreamPieces;
  readonly emit: (event: MediaEvent) => void;
  readonly logger?: Logger;
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
    const { clock, random, pieces, emit } = this.#options;
    const stream = new CallStream({
      callId,
      rtpSocket: pair.value.rtp,
      rtcpSocket: pair.value.rtcp,
      audio,
      pieces,
      clock,
      random,
      emit: (event) => emit(event),
    });
    this.#streams.set(callId, stream);
    return ok({ rtpPort: pair.value.rtp.local.port, rtcpPort: pair.value.rtcp.local.port });
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
