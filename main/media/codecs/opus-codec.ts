// The Opus adapters behind the VoiceEncoder/VoiceDecoder seams (RFC 7587): RTP clock 48000 whatever the audio
// bandwidth, mono, one 20 ms (or longer) frame per packet, tuned from the far end's fmtp. The codec itself is
// libopus in WebAssembly, driven through native/opus.
import { OpusBandwidth } from '../../../native/opus/opus-defines';
import { WasmOpusDecoder } from '../../../native/opus/opus-decoder';
import { WasmOpusEncoder } from '../../../native/opus/opus-encoder';
import { opusPacketHasFec } from '../../../native/opus/opus-packet';
import type { OpusRuntime } from '../../../native/opus/opus-wasm';
import { FRAME_SAMPLES, type VoiceDecoder, type VoiceEncoder } from '../media-seams';
import { parseOpusFmtp, type OpusReceiverParameters } from './opus-fmtp';

/** RFC 7587 §4.1: the RTP timestamp of Opus always counts 48 kHz samples. */
export const OPUS_CLOCK_RATE = 48_000;
/** What we send when the far end sets no maximum: ample for wideband speech with FEC. */
export const DEFAULT_OPUS_BITRATE = 32_000;
/**
 * The loss we protect against when FEC is on and the far end has reported none yet: nothing, since FEC at 10 %
 * costs a tenth more bits and a quarter more encoding time. The call's stream raises it from the far end's RTCP
 * reports (expected-loss.ts), within a report interval of the first loss.
 */
export const DEFAULT_EXPECTED_LOSS_PERCENT = 0;
/** Speech needs little effort to sound good; 5 halves libopus's default cost for a barely audible difference. */
export const DEFAULT_OPUS_COMPLEXITY = 5;
const MAX_FRAME_SAMPLES = 5760;

export interface OpusEncoderOptions {
  /** The far end's fmtp for our payload type (what it wants to receive). */
  readonly fmtp?: string;
  readonly bitrate?: number;
  readonly complexity?: number;
  readonly expectedLossPercent?: number;
  /** The libopus instance to use (tests); by default the thread's. */
  readonly runtime?: OpusRuntime;
}

/** RFC 7587 §6.1: maxplaybackrate → the widest band worth encoding. */
function bandwidthFor(playbackRate: number | undefined): OpusBandwidth {
  if (playbackRate === undefined || playbackRate > 24_000) return OpusBandwidth.fullband;
  if (playbackRate > 16_000) return OpusBandwidth.superwideband;
  if (playbackRate > 12_000) return OpusBandwidth.wideband;
  if (playbackRate > 8000) return OpusBandwidth.mediumband;
  return OpusBandwidth.narrowband;
}

export class OpusEncoder implements VoiceEncoder {
  readonly codec = 'opus' as const;
  readonly clockRate = OPUS_CLOCK_RATE;
  /** What the far end asked for, kept so later bitrate changes stay within its maximum. */
  readonly farEnd: OpusReceiverParameters;
  private readonly encoder: WasmOpusEncoder;

  constructor(options: OpusEncoderOptions = {}) {
    this.farEnd = parseOpusFmtp(options.fmtp);
    this.encoder = new WasmOpusEncoder(
      {
        complexity: options.complexity ?? DEFAULT_OPUS_COMPLEXITY,
        inbandFec: this.farEnd.useInbandFec,
        expectedLossPercent: this.farEnd.useInbandFec
          ? (options.expectedLossPercent ?? DEFAULT_EXPECTED_LOSS_PERCENT)
          : 0,
        dtx: this.farEnd.useDtx,
        maxBandwidth: bandwidthFor(this.farEnd.maxPlaybackRate),
      },
      options.runtime,
    );
    this.setBitrate(options.bitrate ?? DEFAULT_OPUS_BITRATE);
  }

  /**
   * One packet for `frame` (48 kHz mono, 20 to 120 ms in whole 20 ms frames). With DTX on, a packet of 2 bytes or
   * less is silence that need not be sent (libopus's rule); the RTP session decides whether to skip it.
   */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length === 0 || frame.length % FRAME_SAMPLES !== 0 || frame.length > MAX_FRAME_SAMPLES) {
      throw new RangeError(
        `an Opus frame must be 20 to 120 ms in steps of 20 ms, not ${frame.length} samples`,
      );
    }
    return this.encoder.encode(frame);
  }

  /** Never above the far end's maxaveragebitrate (RFC 7587 §6.1). */
  setBitrate(bitsPerSecond: number): void {
    const ceiling = this.farEnd.maxAverageBitrate ?? Infinity;
    this.encoder.bitrate = Math.min(bitsPerSecond, ceiling);
  }

  /** Feeds the loss measured by RTCP back to the encoder, which sizes its FEC to it. */
  setExpectedLossPercent(percent: number): void {
    if (this.farEnd.useInbandFec) this.encoder.expectedLossPercent = percent;
  }

  /** The encoder's settings as libopus holds them (for call quality reports and tests). */
  settings(): {
    bitrate: number;
    complexity: number;
    inbandFec: boolean;
    expectedLossPercent: number;
    dtx: boolean;
    maxBandwidth: OpusBandwidth;
  } {
    const encoder = this.encoder;
    return {
      bitrate: encoder.bitrate,
      complexity: encoder.complexity,
      inbandFec: encoder.inbandFec,
      expectedLossPercent: encoder.expectedLossPercent,
      dtx: encoder.dtx,
      maxBandwidth: encoder.maxBandwidth,
    };
  }

  dispose(): void {
    this.encoder.dispose();
  }
}

export class OpusDecoder implements VoiceDecoder {
  readonly codec = 'opus' as const;
  readonly clockRate = OPUS_CLOCK_RATE;
  private readonly decoder: WasmOpusDecoder;
  private rejected = 0;
  /** Length of the last good packet, the best guess for how much a refused one should have held. */
  private lastPacketSamples = FRAME_SAMPLES;

  constructor(runtime?: OpusRuntime) {
    this.decoder = new WasmOpusDecoder(runtime);
  }

  /** Payloads libopus refused so far (each was concealed instead). */
  get rejectedPayloads(): number {
    return this.rejected;
  }

  /** The packet's audio; a payload libopus refuses is concealed for the last packet's length instead. */
  decode(payload: Uint8Array): Int16Array {
    const decoded = this.decoder.decode(payload);
    if (!decoded.ok) {
      this.rejected++;
      return this.conceal(this.lastPacketSamples);
    }
    this.lastPacketSamples = decoded.pcm.length;
    return decoded.pcm.slice();
  }

  conceal(samples: number): Int16Array {
    return this.decoder.conceal(samples);
  }

  /**
   * The lost packet from the FEC (LBRR) data in `nextPayload`, or null when that packet carries none (a CELT
   * packet, FEC off at the far end, the first packet of a talk spurt) or `samples` is not a whole number of
   * 2.5 ms steps up to 120 ms.
   */
  recoverFromNext(nextPayload: Uint8Array, samples: number): Int16Array | null {
    if (!opusPacketHasFec(nextPayload)) return null;
    const recovered = this.decoder.decodeFec(nextPayload, samples);
    return recovered.ok ? recovered.pcm.slice() : null;
  }

  dispose(): void {
    this.decoder.dispose();
  }
}
