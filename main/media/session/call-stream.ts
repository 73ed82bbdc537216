// One call's audio inside the media worker. Every 20 ms tick (driven by the worker's FrameScheduler) it takes the
// next microphone frame from the call's audio stream (shared memory, frame-port.ts), or silence when none has come
// (it never waits), encodes `ptime` worth and sends it as RTP; and it pulls one frame from the jitter buffer and
// puts it in the audio stream while someone listens (pulled even while no one listens, then thrown away, so what
// arrived meanwhile does not become delay). Received RTP goes to the jitter buffer as it arrives.
//
//   audio stream ──mic frame──tick──► encoder ──► RTP session ──► network
//   audio stream ◄─speaker frame─ jitter buffer.pull ◄─tick       RTP session ◄── network
//
// Muted, the stream keeps sending packets of encoded silence: the far end's jitter buffer and any NAT binding stay
// warm, and no comfort-noise payload (RFC 3389) is negotiated to send instead. On hold (`send: false`) nothing is
// sent; a microphone frame is still let go each tick, so a file being played keeps its place in time.
import { err, ok, type Result } from '../../contract/result';
import type { Clock } from '../../platform/clock';
import type { Random } from '../../platform/random';
import type { DatagramSocket } from '../../platform/sockets';
import { FRAME_MS, FRAME_SAMPLES, type JitterBuffer, type RtpSendStats } from '../media-seams';
import { ExpectedLoss } from '../codecs/expected-loss';
import type { FramePort } from './frame-port';
import {
  DTMF_DIGITS,
  MAX_DTMF_DIGITS,
  streamParamsProblem,
  type MediaEvent,
  type MediaFailure,
  type StreamCounters,
  type StreamParams,
} from './media-worker-protocol';
import type { StreamPieces, StreamRtp, VoiceCodecPair } from './stream-pieces';

/** Ticks between quality events: 2 s. */
export const QUALITY_INTERVAL_TICKS = 2_000 / FRAME_MS;
export const DEFAULT_INACTIVITY_TIMEOUT_MS = 30_000;

export interface CallStreamOptions {
  readonly callId: string;
  readonly rtpSocket: DatagramSocket;
  readonly rtcpSocket: DatagramSocket;
  readonly audio: FramePort;
  readonly pieces: StreamPieces;
  readonly clock: Clock;
  readonly random: Random;
  readonly emit: (event: MediaEvent) => void;
}

interface Running {
  params: StreamParams;
  codec: VoiceCodecPair;
  jitter: JitterBuffer;
  readonly rtp: StreamRtp;
}

function failure(code: MediaFailure['code'], message: string): Result<never, MediaFailure> {
  return err({ code, message });
}

function disposeCodec(codec: VoiceCodecPair): void {
  try {
    codec.encoder.dispose();
  } finally {
    codec.decoder.dispose();
  }
}

function sameCodec(a: StreamParams['codec'], b: StreamParams['codec']): boolean {
  return (
    a.payloadType === b.payloadType && a.name === b.name && a.clockRate === b.clockRate && a.fmtp === b.fmtp
  );
}

export class CallStream {
  readonly callId: string;
  readonly #options: CallStreamOptions;
  #running: Running | undefined;
  #closed = false;
  #muted = false;
  /** The next packet starts a talk spurt (RFC 3551 §4.1): the first after start or after hold. */
  #marker = true;
  /** The packet being gathered (ptime / 20 ms frames) and how many frames it has. */
  #packet: Int16Array | undefined;
  #gathered = 0;
  readonly #silence = new Int16Array(FRAME_SAMPLES);
  /** The loss our encoder protects against with FEC, from the far end's reports (kept across codec changes). */
  readonly #expectedLoss = new ExpectedLoss();
  #ticks = 0;
  #lastAudioMs = 0;
  #inactiveReported = false;
  #lastReport: { sent: RtpSendStats; receivedBytes: number } = {
    sent: { packets: 0, bytes: 0 },
    receivedBytes: 0,
  };
  #inputUnderruns = 0;

  constructor(options: CallStreamOptions) {
    this.callId = options.callId;
    this.#options = options;
  }

  get started(): boolean {
    return this.#running !== undefined;
  }

  start(params: StreamParams): Result<null, MediaFailure> {
    if (this.#closed) return failure('unknown-call', `call ${this.callId} has stopped`);
    if (this.#running !== undefined)
      return failure('already-started', `call ${this.callId} is already started`);
    const problem = streamParamsProblem(params);
    if (problem !== null) return failure('invalid-params', problem);
    const codec = this.#options.pieces.createCodec(params.codec);
    if (!codec.ok) return failure('codec-unavailable', codec.error);
    const { pieces, clock, random, rtpSocket, rtcpSocket } = this.#options;
    let jitter: JitterBuffer;
    let rtp: StreamRtp;
    try {
      jitter = pieces.createJitterBuffer(codec.value.decoder, params.codec);
      rtp = pieces.createRtp({
        rtpSocket,
        rtcpSocket,
        params,
        clock,
        random,
        onAudio: (packet) => {
          this.#lastAudioMs = packet.arrivalMs;
          this.#inactiveReported = false;
          this.#running?.jitter.push(packet);
        },
        onDtmf: (digit) => this.#options.emit({ type: 'dtmf', callId: this.callId, digit }),
        onFarEndLoss: (fractionLost) => {
          const percent = this.#expectedLoss.report(fractionLost);
          this.#running?.codec.encoder.setExpectedLossPercent?.(percent);
        },
      });
    } catch (error) {
      // The codec may hold native memory (Opus in WebAssembly): release it before the failure goes up.
      disposeCodec(codec.value);
      throw error;
    }
    this.#running = { params, codec: codec.value, jitter, rtp };
    this.#lastAudioMs = clock.now();
    return ok(null);
  }

  update(params: StreamParams): Result<null, MediaFailure> {
    const running = this.#running;
    if (running === undefined) return failure('not-started', `call ${this.callId} has not started`);
    const problem = streamParamsProblem(params);
    if (problem !== null) return failure('invalid-params', problem);
    if (!sameCodec(running.params.codec, params.codec)) {
      const codec = this.#options.pieces.createCodec(params.codec);
      if (!codec.ok) return failure('codec-unavailable', codec.error);
      let jitter: JitterBuffer;
      try {
        jitter = this.#options.pieces.createJitterBuffer(codec.value.decoder, params.codec);
      } catch (error) {
        disposeCodec(codec.value);
        throw error;
      }
      disposeCodec(running.codec);
      codec.value.encoder.setExpectedLossPercent?.(this.#expectedLoss.percent);
      running.codec = codec.value;
      running.jitter = jitter;
      this.#packet = undefined;
      this.#gathered = 0;
      this.#marker = true;
    }
    if (params.receive && !running.params.receive) {
      this.#lastAudioMs = this.#options.clock.now();
      this.#inactiveReported = false;
    }
    running.params = params;
    running.rtp.update(params);
    return ok(null);
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  sendDtmf(digits: string): Result<null, MediaFailure> {
    const running = this.#running;
    if (running === undefined) return failure('not-started', `call ${this.callId} has not started`);
    if (digits.length === 0 || digits.length > MAX_DTMF_DIGITS || !DTMF_DIGITS.test(digits)) {
      return failure('invalid-params', `DTMF digits must be 1-${MAX_DTMF_DIGITS} of 0-9 * # A-D`);
    }
    return running.rtp.sendDtmf(digits)
      ? ok(null)
      : failure('no-telephone-event', 'telephone-event was not negotiated on this call');
  }

  /** One 20 ms step; `lateTicks`/`skippedTicks` are the scheduler's, reported with the quality. */
  tick(nowMs: number, scheduler: { readonly lateTicks: number; readonly skippedTicks: number }): void {
    const running = this.#running;
    if (running === undefined || this.#closed) return;
    this.#capture(running);
    // The buffer's playout clock runs with the stream, whether or not anyone listens: received packets go in from
    // the start, and a buffer left unpulled would hold everything that came meanwhile as standing delay once a
    // speaker listens, which a continuous sound gives it no quiet frame to shed.
    const frame = running.params.receive ? running.jitter.pull(nowMs) : null;
    const audio = this.#options.audio;
    if (audio.listening) audio.putFrame(frame ?? this.#silence);
    this.#checkInactivity(running, nowMs);
    this.#ticks++;
    if (this.#ticks % QUALITY_INTERVAL_TICKS === 0) this.#reportQuality(running, scheduler);
  }

  counters(scheduler: { readonly lateTicks: number; readonly skippedTicks: number }): StreamCounters {
    return {
      inputDropped: this.#options.audio.inputDropped,
      // Frames come through shared memory as whole frames: none can be malformed any more.
      inputMalformed: 0,
      inputUnderruns: this.#inputUnderruns,
      lateTicks: scheduler.lateTicks,
      skippedTicks: scheduler.skippedTicks,
    };
  }

  /** Stops the stream and releases its sockets and port; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const running = this.#running;
    this.#running = undefined;
    const steps: (() => void)[] = [
      () => running?.rtp.close(),
      () => running !== undefined && disposeCodec(running.codec),
      () => this.#options.rtpSocket.close(),
      () => this.#options.rtcpSocket.close(),
      () => this.#options.audio.close(),
    ];
    // Every resource is released even when one of them fails to close.
    for (const step of steps) {
      try {
        step();
      } catch {
        // nothing more can be done for it
      }
    }
  }

  /** Takes this tick's microphone frame into the packet being gathered, and sends the packet once it is whole. */
  #capture(running: Running): void {
    const audio = this.#options.audio;
    if (!running.params.send) {
      if (!audio.skipFrame()) this.#inputUnderruns++;
      this.#packet = undefined;
      this.#gathered = 0;
      this.#marker = true;
      return;
    }
    const framesPerPacket = running.params.ptime / FRAME_MS;
    if (this.#packet?.length !== FRAME_SAMPLES * framesPerPacket) {
      this.#packet = new Int16Array(FRAME_SAMPLES * framesPerPacket);
      this.#gathered = 0;
    }
    const packet = this.#packet;
    const slot = packet.subarray(this.#gathered * FRAME_SAMPLES, (this.#gathered + 1) * FRAME_SAMPLES);
    const taken = audio.takeFrame(slot);
    if (!taken) this.#inputUnderruns++;
    if (!taken || this.#muted) slot.fill(0);
    this.#gathered++;
    if (this.#gathered < framesPerPacket) return;
    this.#gathered = 0;
    // The encoders copy what they need (into WebAssembly memory, or through the resampler) before returning, so
    // the packet's buffer is filled again for the next one.
    const encoder = running.codec.encoder;
    const payload = encoder.encode(packet);
    const durationTicks = (running.params.ptime * encoder.clockRate) / 1000;
    running.rtp.sendAudio(payload, durationTicks, this.#marker);
    this.#marker = false;
  }

  #checkInactivity(running: Running, nowMs: number): void {
    if (!running.params.receive || this.#inactiveReported) return;
    const timeout = running.params.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_TIMEOUT_MS;
    const silentMs = nowMs - this.#lastAudioMs;
    if (silentMs < timeout) return;
    this.#inactiveReported = true;
    this.#options.emit({ type: 'inactive', callId: this.callId, silentMs });
  }

  #reportQuality(
    running: Running,
    scheduler: { readonly lateTicks: number; readonly skippedTicks: number },
  ): void {
    const rtp = running.rtp.stats();
    const seconds = (QUALITY_INTERVAL_TICKS * FRAME_MS) / 1000;
    const previous = this.#lastReport;
    this.#lastReport = { sent: rtp.sent, receivedBytes: rtp.received.bytes };
    this.#options.emit({
      type: 'quality',
      callId: this.callId,
      quality: {
        codec: running.params.codec.name,
        sendBitrate: ((rtp.sent.bytes - previous.sent.bytes) * 8) / seconds,
        receiveBitrate: ((rtp.received.bytes - previous.receivedBytes) * 8) / seconds,
        sent: rtp.sent,
        received: rtp.received,
        roundTripMs: rtp.roundTripMs,
        jitterBuffer: running.jitter.stats(),
      },
      counters: this.counters(scheduler),
    });
  }
}
