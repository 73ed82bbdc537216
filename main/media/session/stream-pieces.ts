// The pieces a call's stream is assembled from, each behind one injected factory: the voice codec, the jitter
// buffer and the RTP session. The worker builds its streams from one `StreamPieces` object (worker-pieces.ts), so
// replacing a piece touches that object only, never the stream; tests pass pieces of their own.
import type { Result } from '../../contract/result';
import type { VoiceCodecPair } from '../codecs/create-voice-codec';
import type { Clock } from '../../platform/clock';
import type { Random } from '../../platform/random';
import type { DatagramSocket } from '../../platform/sockets';
import type {
  DtmfDigit,
  JitterBuffer,
  ReceivedAudioPacket,
  RtpReceiveStats,
  RtpSendStats,
  VoiceDecoder,
} from '../media-seams';
import type { StreamParams } from './media-worker-protocol';

export type { VoiceCodecPair };

export interface StreamRtpOptions {
  readonly rtpSocket: DatagramSocket;
  /** The RTCP socket allocated beside the RTP one; unused while rtcp-mux is on. */
  readonly rtcpSocket: DatagramSocket;
  readonly params: StreamParams;
  readonly clock: Clock;
  readonly random: Random;
  /** A checked audio packet of the negotiated codec, from the source the session latched to. */
  readonly onAudio: (packet: ReceivedAudioPacket) => void;
  /** A DTMF digit the far end sent (RFC 4733), reported once per event. */
  readonly onDtmf: (digit: DtmfDigit) => void;
  /** The far end's RTCP said what share of our packets it lost over its last interval (0–1). */
  readonly onFarEndLoss?: (fractionLost: number) => void;
}

/** The RTP (and RTCP) side of one call, as the stream drives it. */
export interface StreamRtp {
  /** One packet of audio; `durationTicks` in the codec's RTP clock. */
  sendAudio(payload: Uint8Array, durationTicks: number, marker: boolean): void;
  /** Queues RFC 4733 events for `digits`; false when telephone-event was not negotiated. */
  sendDtmf(digits: string): boolean;
  /** New remote addresses, directions or payload types after a re-INVITE (the codec itself may have changed). */
  update(params: StreamParams): void;
  stats(): {
    readonly sent: RtpSendStats;
    readonly received: RtpReceiveStats;
    readonly roundTripMs: number | null;
  };
  /** Stops sending and receiving (RTCP BYE where the session has RTCP). The sockets are the stream's to close. */
  close(): void;
}

export interface StreamPieces {
  createCodec(codec: StreamParams['codec']): Result<VoiceCodecPair, string>;
  createJitterBuffer(decoder: VoiceDecoder, codec: StreamParams['codec']): JitterBuffer;
  createRtp(options: StreamRtpOptions): StreamRtp;
}
