// The seams between the pieces of a call's audio path, fixed before the pieces are built so each can be written and
// tested alone: the voice codecs (G.711 here, Opus through WebAssembly in native/), the jitter buffer, the RTP
// session and the per-call stream that joins them inside the media worker. Every frame that crosses these seams is
// 16-bit PCM, mono, at the engine's one rate (48 kHz); codecs that run slower resample inside their adapter.
import type { CodecName } from '../sdp/codecs';

/** The engine's sample rate: capture, playback, the stream ports and every codec adapter's PCM side. */
export const ENGINE_SAMPLE_RATE = 48_000;
/** One frame of audio: what the stream ports carry and what the jitter buffer hands out per pull. */
export const FRAME_MS = 20;
/** Samples in one frame at the engine's rate. */
export const FRAME_SAMPLES = (ENGINE_SAMPLE_RATE * FRAME_MS) / 1_000;

/** Turns engine frames into RTP payloads for one codec. */
export interface VoiceEncoder {
  readonly codec: CodecName;
  /** The RTP clock rate (RFC 3551 §4.5: 8000 for G.711; RFC 7587 §4.1: 48000 for Opus). */
  readonly clockRate: number;
  /**
   * One packet's payload for `frame`, which holds `ptime` ms of audio at 48 kHz (a multiple of 20 ms). The
   * returned bytes may be a view the encoder reuses on its next call: send or copy them before encoding again.
   */
  encode(frame: Int16Array): Uint8Array;
  /** Opus only; G.711 ignores these. */
  setBitrate?(bitsPerSecond: number): void;
  setExpectedLossPercent?(percent: number): void;
  dispose(): void;
}

/** Turns RTP payloads back into engine frames for one codec. */
export interface VoiceDecoder {
  readonly codec: CodecName;
  readonly clockRate: number;
  /** The packet's audio at 48 kHz; its length says how long the packet was (160 μ-law bytes → 960 samples). */
  decode(payload: Uint8Array): Int16Array;
  /**
   * Audio to play for a lost packet of `samples` length (at 48 kHz): Opus's own packet-loss concealment, G.711's
   * repeat-and-fade. Consecutive calls fade further; the next `decode` resets the fade.
   */
  conceal(samples: number): Int16Array;
  /**
   * The lost packet rebuilt from the in-band FEC carried by the packet after it (RFC 7587 §3.1, libopus's
   * `decode_fec`), or null when the codec has none or that packet carried none.
   */
  recoverFromNext?(nextPayload: Uint8Array, samples: number): Int16Array | null;
  dispose(): void;
}

/** A received RTP packet as the jitter buffer sees it: already checked, from the latched source. */
export interface ReceivedAudioPacket {
  /** Extended sequence number (cycles × 65536 + seq), so ordering survives the 16-bit wrap. */
  readonly sequence: number;
  /** The RTP timestamp, in the codec's clock (wraps at 2^32). */
  readonly timestamp: number;
  /** Start of a talk spurt (RFC 3551 §4.1): the buffer may adapt its delay here without a gap. */
  readonly marker: boolean;
  readonly payload: Uint8Array;
  /** When it arrived, on the monotonic clock (ms). */
  readonly arrivalMs: number;
}

export interface JitterBufferStats {
  /** Audio held now, ms. */
  readonly delayMs: number;
  /** What the buffer aims for, from the measured jitter. */
  readonly targetDelayMs: number;
  readonly received: number;
  readonly duplicates: number;
  /** Arrived after their turn to play had passed. */
  readonly late: number;
  /** Never arrived (or arrived late): each one concealed or recovered. */
  readonly lost: number;
  /** Frames made up by the decoder's concealment. */
  readonly concealed: number;
  /** Frames rebuilt from the next packet's FEC. */
  readonly recovered: number;
}

/** Reorders received packets and hands out one frame per pull at the playout clock. */
export interface JitterBuffer {
  push(packet: ReceivedAudioPacket): void;
  /** Exactly FRAME_SAMPLES samples (silence before the first packet and after the stream has stopped). */
  pull(nowMs: number): Int16Array;
  stats(): JitterBufferStats;
}

/** A DTMF digit heard on the call (RFC 4733 event, or SIP INFO), or sent on it. */
export interface DtmfDigit {
  /** 0-9, *, #, A-D. */
  readonly digit: string;
  readonly durationMs: number;
}

/** Receive-side counters of one RTP stream, the input of call-quality reports. */
export interface RtpReceiveStats {
  readonly packets: number;
  readonly bytes: number;
  /** Dropped before the jitter buffer: unparsable, wrong payload type, from an address we did not latch to. */
  readonly discarded: number;
  readonly cumulativeLost: number;
  readonly fractionLost: number;
  /** Interarrival jitter (RFC 3550 A.8), ms. */
  readonly jitterMs: number;
}

export interface RtpSendStats {
  readonly packets: number;
  readonly bytes: number;
}

/** What a call's media reports every couple of seconds. */
export interface StreamQuality {
  readonly codec: CodecName;
  readonly sendBitrate: number;
  readonly receiveBitrate: number;
  readonly sent: RtpSendStats;
  readonly received: RtpReceiveStats;
  /** From the far end's last report (RFC 3550 §6.4.1 LSR/DLSR), when it sent one. */
  readonly roundTripMs: number | null;
  readonly jitterBuffer: JitterBufferStats;
}
