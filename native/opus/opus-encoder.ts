// A libopus encoder in the wasm module's memory: 48 kHz, mono, OPUS_APPLICATION_VOIP, with typed controls for what
// a phone call tunes (bitrate, complexity, in-band FEC, expected loss, DTX, maximum bandwidth). Three blocks are
// malloc'ed once (the encoder state, one PCM input buffer, one packet output buffer) and freed by dispose().
import {
  OPUS_APPLICATION_VOIP,
  OPUS_MAX_BITRATE,
  OPUS_MAX_FRAME_SAMPLES,
  OPUS_MIN_BITRATE,
  OPUS_SIGNAL_VOICE,
  OpusRequest,
  opusErrorName,
  type OpusBandwidth,
} from './opus-defines';
import { loadOpus, type OpusRuntime } from './opus-wasm';

export const OPUS_SAMPLE_RATE = 48_000;
/** libopus's recommended output bound ("max_data_bytes … 4000 bytes is recommended", opus.h). */
const MAX_PACKET_BYTES = 4000;

export interface OpusEncoderSettings {
  /** Bits per second, clamped to libopus's 500..512000. Default: libopus's own choice for 48 kHz mono. */
  readonly bitrate?: number;
  /** 0 (cheapest) to 10 (best); clamped. Default: libopus's (9 in this build). */
  readonly complexity?: number;
  /** Carry a low-bitrate copy of each frame in the next packet (SILK LBRR), for decode_fec at the far end. */
  readonly inbandFec?: boolean;
  /** The loss the encoder should protect against, 0..100; FEC spends bits only when this is above zero. */
  readonly expectedLossPercent?: number;
  /** Discontinuous transmission: in silence, packets of at most 2 bytes that need not be sent (opus.h). */
  readonly dtx?: boolean;
  /** The widest audio band to encode (the far end's maxplaybackrate, RFC 7587 §6.1). */
  readonly maxBandwidth?: OpusBandwidth;
}

/** A libopus call failed: the code and libopus's name for it. */
export class OpusError extends Error {
  constructor(
    readonly code: number,
    operation: string,
  ) {
    super(`libopus ${operation} failed: ${opusErrorName(code)} (${code})`);
    this.name = 'OpusError';
  }
}

export class WasmOpusEncoder {
  private readonly runtime: OpusRuntime;
  private state: number;
  private readonly pcmPointer: number;
  private readonly packetPointer: number;
  /** The JavaScript-side copy of the last packet, so a memory growth cannot detach what the caller holds. */
  private readonly packet = new Uint8Array(MAX_PACKET_BYTES);

  constructor(settings: OpusEncoderSettings = {}, runtime: OpusRuntime = loadOpus()) {
    this.runtime = runtime;
    const wasm = runtime.exports;
    [this.state, this.pcmPointer, this.packetPointer] = runtime.allocateAll([
      wasm.opus_encoder_get_size(1),
      OPUS_MAX_FRAME_SAMPLES * 2,
      MAX_PACKET_BYTES,
    ]) as [number, number, number];
    const code = wasm.opus_encoder_init(this.state, OPUS_SAMPLE_RATE, 1, OPUS_APPLICATION_VOIP);
    if (code < 0) {
      this.dispose();
      throw new OpusError(code, 'opus_encoder_init');
    }
    this.set(OpusRequest.setSignal, OPUS_SIGNAL_VOICE);
    this.configure(settings);
  }

  /** Applies every setting given; the others keep their current value. */
  configure(settings: OpusEncoderSettings): void {
    if (settings.bitrate !== undefined) this.bitrate = settings.bitrate;
    if (settings.complexity !== undefined) this.complexity = settings.complexity;
    if (settings.inbandFec !== undefined) this.inbandFec = settings.inbandFec;
    if (settings.expectedLossPercent !== undefined) this.expectedLossPercent = settings.expectedLossPercent;
    if (settings.dtx !== undefined) this.dtx = settings.dtx;
    if (settings.maxBandwidth !== undefined) this.set(OpusRequest.setMaxBandwidth, settings.maxBandwidth);
  }

  get bitrate(): number {
    return this.get(OpusRequest.getBitrate);
  }
  set bitrate(bitsPerSecond: number) {
    this.set(OpusRequest.setBitrate, clampInteger(bitsPerSecond, OPUS_MIN_BITRATE, OPUS_MAX_BITRATE));
  }

  get complexity(): number {
    return this.get(OpusRequest.getComplexity);
  }
  set complexity(value: number) {
    this.set(OpusRequest.setComplexity, clampInteger(value, 0, 10));
  }

  get inbandFec(): boolean {
    return this.get(OpusRequest.getInbandFec) !== 0;
  }
  set inbandFec(on: boolean) {
    this.set(OpusRequest.setInbandFec, on ? 1 : 0);
  }

  get expectedLossPercent(): number {
    return this.get(OpusRequest.getPacketLossPercent);
  }
  set expectedLossPercent(percent: number) {
    this.set(OpusRequest.setPacketLossPercent, clampInteger(percent, 0, 100));
  }

  get dtx(): boolean {
    return this.get(OpusRequest.getDtx) !== 0;
  }
  set dtx(on: boolean) {
    this.set(OpusRequest.setDtx, on ? 1 : 0);
  }

  get maxBandwidth(): OpusBandwidth {
    return this.get(OpusRequest.getMaxBandwidth) as OpusBandwidth;
  }

  /**
   * One packet from `pcm` (48 kHz mono; 2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms). The result is a view of a
   * buffer this encoder reuses: send or copy it before the next call. Throws OpusError for a length libopus
   * refuses, which is a caller's mistake, never a property of the audio.
   */
  encode(pcm: Int16Array): Uint8Array {
    const state = this.live();
    if (pcm.length > OPUS_MAX_FRAME_SAMPLES) throw new OpusError(-1, `opus_encode of ${pcm.length} samples`);
    this.runtime.samples(this.pcmPointer, pcm.length).set(pcm);
    const length = this.runtime.exports.opus_encode(
      state,
      this.pcmPointer,
      pcm.length,
      this.packetPointer,
      MAX_PACKET_BYTES,
    );
    if (length < 0) throw new OpusError(length, `opus_encode of ${pcm.length} samples`);
    const heap = this.runtime.heap();
    this.packet.set(heap.subarray(this.packetPointer, this.packetPointer + length));
    return this.packet.subarray(0, length);
  }

  get disposed(): boolean {
    return this.state === 0;
  }

  /** Frees the encoder's memory; calling it again does nothing. */
  dispose(): void {
    if (this.state === 0) return;
    this.runtime.release(this.state);
    this.runtime.release(this.pcmPointer);
    this.runtime.release(this.packetPointer);
    this.state = 0;
  }

  private live(): number {
    if (this.state === 0) throw new Error('Opus encoder used after dispose()');
    return this.state;
  }

  private set(request: number, value: number): void {
    const code = this.runtime.exports.opus_encoder_ctl_set(this.live(), request, value);
    if (code < 0) throw new OpusError(code, `opus_encoder_ctl(${request}, ${value})`);
  }

  private get(request: number): number {
    return this.runtime.exports.opus_encoder_ctl_get(this.live(), request);
  }
}

function clampInteger(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}
