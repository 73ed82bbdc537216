// A libopus decoder in the wasm module's memory: 48 kHz mono output, with the three ways a receiver uses it —
// decode a packet, conceal a lost one (opus_decode with a null packet: libopus's PLC), and rebuild a lost one from
// the in-band FEC of the packet after it (opus_decode with decode_fec = 1, RFC 6716 §4.2.5 LBRR frames). A packet
// libopus refuses comes back as a failure with its code, never as an exception: bad payloads are expected input.
import {
  OPUS_INVALID_PACKET,
  OPUS_MAX_FRAME_SAMPLES,
  OPUS_MIN_FRAME_SAMPLES,
  OpusRequest,
  opusErrorName,
} from './opus-defines';
import { OPUS_SAMPLE_RATE, OpusError } from './opus-encoder';
import { loadOpus, type OpusRuntime } from './opus-wasm';

/** Larger than any RTP payload we accept (an MTU), and than a 120 ms packet at the top bitrate. */
export const MAX_OPUS_PACKET_BYTES = 8192;

export type OpusDecodeResult =
  | { readonly ok: true; readonly pcm: Int16Array }
  | { readonly ok: false; readonly code: number; readonly reason: string };

export class WasmOpusDecoder {
  private readonly runtime: OpusRuntime;
  private state: number;
  private readonly packetPointer: number;
  private readonly pcmPointer: number;
  /** JavaScript-side copy of the last output, reused per call (see decode()). */
  private readonly output = new Int16Array(OPUS_MAX_FRAME_SAMPLES);

  constructor(runtime: OpusRuntime = loadOpus()) {
    this.runtime = runtime;
    const wasm = runtime.exports;
    [this.state, this.packetPointer, this.pcmPointer] = runtime.allocateAll([
      wasm.opus_decoder_get_size(1),
      MAX_OPUS_PACKET_BYTES,
      OPUS_MAX_FRAME_SAMPLES * 2,
    ]) as [number, number, number];
    const code = wasm.opus_decoder_init(this.state, OPUS_SAMPLE_RATE, 1);
    if (code < 0) {
      this.dispose();
      throw new OpusError(code, 'opus_decoder_init');
    }
  }

  /**
   * The packet's audio. The samples are a view of a buffer this decoder reuses: copy them before the next call.
   * An empty, oversized or corrupt packet is a failure result (libopus's OPUS_INVALID_PACKET and friends).
   */
  decode(packet: Uint8Array): OpusDecodeResult {
    if (packet.length === 0 || packet.length > MAX_OPUS_PACKET_BYTES) return failure(OPUS_INVALID_PACKET);
    return this.run(packet, OPUS_MAX_FRAME_SAMPLES, false);
  }

  /**
   * `samples` of concealment for a lost packet (libopus's PLC, which also fades on its own over a long loss).
   * libopus conceals in steps of 2.5 ms: a request that is not a multiple of 120 samples is rounded up inside and
   * cut to length; more than 120 ms is produced in several calls.
   */
  conceal(samples: number): Int16Array {
    const wanted = Math.max(0, Math.floor(samples));
    const result = new Int16Array(wanted);
    let filled = 0;
    while (filled < wanted) {
      const step = Math.min(OPUS_MAX_FRAME_SAMPLES, roundUp(wanted - filled, OPUS_MIN_FRAME_SAMPLES));
      const concealed = this.run(null, step, false);
      // A concealment call only fails for a bad frame size, which roundUp rules out; silence is the safe answer.
      if (!concealed.ok) break;
      result.set(concealed.pcm.subarray(0, wanted - filled), filled);
      filled += step;
    }
    return result;
  }

  /**
   * The packet before `nextPacket`, rebuilt from the FEC data `nextPacket` carries: `samples` long (the lost
   * packet's duration, a multiple of 2.5 ms). When the packet carries no FEC, libopus conceals instead; use
   * opusPacketHasFec() first to know which one you get.
   */
  decodeFec(nextPacket: Uint8Array, samples: number): OpusDecodeResult {
    if (nextPacket.length === 0 || nextPacket.length > MAX_OPUS_PACKET_BYTES)
      return failure(OPUS_INVALID_PACKET);
    const size = Math.floor(samples);
    if (size <= 0 || size > OPUS_MAX_FRAME_SAMPLES || size % OPUS_MIN_FRAME_SAMPLES !== 0) return failure(-1);
    return this.run(nextPacket, size, true);
  }

  /** Duration of the last packet decoded or concealed, in samples (OPUS_GET_LAST_PACKET_DURATION). */
  lastPacketSamples(): number {
    return this.runtime.exports.opus_decoder_ctl_get(this.live(), OpusRequest.getLastPacketDuration);
  }

  get disposed(): boolean {
    return this.state === 0;
  }

  /** Frees the decoder's memory; calling it again does nothing. */
  dispose(): void {
    if (this.state === 0) return;
    this.runtime.release(this.state);
    this.runtime.release(this.packetPointer);
    this.runtime.release(this.pcmPointer);
    this.state = 0;
  }

  private run(packet: Uint8Array | null, frameSize: number, fec: boolean): OpusDecodeResult {
    const state = this.live();
    const wasm = this.runtime.exports;
    if (packet !== null) this.runtime.heap().set(packet, this.packetPointer);
    const decoded = wasm.opus_decode(
      state,
      packet === null ? 0 : this.packetPointer,
      packet === null ? 0 : packet.length,
      this.pcmPointer,
      frameSize,
      fec ? 1 : 0,
    );
    if (decoded < 0) return failure(decoded);
    this.output.set(this.runtime.samples(this.pcmPointer, decoded));
    return { ok: true, pcm: this.output.subarray(0, decoded) };
  }

  private live(): number {
    if (this.state === 0) throw new Error('Opus decoder used after dispose()');
    return this.state;
  }
}

function failure(code: number): OpusDecodeResult {
  return { ok: false, code, reason: opusErrorName(code) };
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
