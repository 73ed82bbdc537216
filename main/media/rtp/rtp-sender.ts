// The sending half of one RTP stream (RFC 3550 §5.1): SSRC, sequence number and timestamp, written into one reused
// send buffer. Pure apart from the random start values drawn once: the caller passes the time of each packet.
//
// The timestamp is the sampling instant of the packet's first sample. Packets that follow each other advance it by
// the previous packet's duration, whatever the send jitter (a late burst after a stall still carries audio that was
// sampled back to back). A packet that starts a talk spurt (marker set: after silence suppression, hold, or a DTMF
// event) advances it by the time that really passed instead, so the far end sees the gap (§5.1, RFC 3551 §4.1).
import type { Random } from '../../platform/random';
import { writeRtpPacket } from './rtp-packet';

/** Large enough for any audio packet we send; one Ethernet MTU. */
export const RTP_SEND_BUFFER_BYTES = 1500;

export interface RtpSendStatsSnapshot {
  readonly packets: number;
  /** Payload octets only, as the SR's sender octet count (§6.4.1). */
  readonly bytes: number;
}

export interface OutgoingPacket {
  readonly payloadType: number;
  readonly payload: Uint8Array;
  readonly marker: boolean;
  /** Set for telephone events: every packet of an event carries the event's start (RFC 4733 §2.5.1). */
  readonly timestamp?: number;
  /** Timestamp units this packet covers; audio only (events do not move the audio timeline). */
  readonly duration?: number;
}

function uint32From(random: Random): number {
  const bytes = random.bytes(4);
  return (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
}

export class RtpSender {
  readonly ssrc: number;
  readonly #clockRate: number;
  readonly #buffer = new Uint8Array(RTP_SEND_BUFFER_BYTES);
  #sequence: number;
  /** Timestamp of the last audio packet, or of the stream's random origin before the first. */
  #lastTimestamp: number;
  #lastDuration = 0;
  #lastSentMs: number | undefined;
  #packets = 0;
  #bytes = 0;

  /** §5.1: SSRC, the first sequence number and the first timestamp are random. */
  constructor(random: Random, clockRate: number) {
    this.ssrc = uint32From(random);
    this.#sequence = uint32From(random) & 0xffff;
    this.#lastTimestamp = uint32From(random);
    this.#clockRate = clockRate;
  }

  get stats(): RtpSendStatsSnapshot {
    return { packets: this.#packets, bytes: this.#bytes };
  }

  /** Whether any packet has gone out yet. */
  get hasSent(): boolean {
    return this.#packets > 0;
  }

  /** The timestamp of the instant `nowMs` on the stream's timeline: what an SR pairs with its NTP time (§6.4.1). */
  timestampAt(nowMs: number): number {
    if (this.#lastSentMs === undefined) return this.#lastTimestamp;
    return (this.#lastTimestamp + this.#elapsedUnits(nowMs)) >>> 0;
  }

  /**
   * Where a talk spurt starting at `nowMs` begins: the time that passed since the last packet, but never inside that
   * packet. A DTMF event takes it as its timestamp.
   */
  spurtTimestampAt(nowMs: number): number {
    if (this.#lastSentMs === undefined) return this.#lastTimestamp;
    return (this.#lastTimestamp + Math.max(this.#elapsedUnits(nowMs), this.#lastDuration)) >>> 0;
  }

  /**
   * Writes the next packet into the shared send buffer and answers the bytes to send: a view valid until the next
   * call. Undefined only if the packet cannot be written (a payload over the MTU), which the caller counts.
   */
  write(packet: OutgoingPacket, nowMs: number): Uint8Array | undefined {
    let timestamp: number;
    if (packet.timestamp !== undefined) {
      timestamp = packet.timestamp;
    } else if (this.#lastSentMs === undefined) {
      timestamp = this.#lastTimestamp;
    } else if (packet.marker) {
      timestamp = this.spurtTimestampAt(nowMs);
    } else {
      timestamp = (this.#lastTimestamp + this.#lastDuration) >>> 0;
    }
    const written = writeRtpPacket(
      {
        marker: packet.marker,
        payloadType: packet.payloadType,
        sequenceNumber: this.#sequence,
        timestamp,
        ssrc: this.ssrc,
        csrcs: [],
        payload: packet.payload,
        paddingLength: 0,
      },
      this.#buffer,
    );
    if (!written.ok) return undefined;
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#packets++;
    this.#bytes += packet.payload.length;
    if (packet.timestamp === undefined || packet.marker) {
      // Audio moves the timeline on; so does the first packet of an event, whose timestamp is the instant it began,
      // so audio after the event resumes from there plus the time the event took.
      this.#lastTimestamp = timestamp;
      this.#lastDuration = packet.timestamp === undefined ? (packet.duration ?? 0) : 0;
      this.#lastSentMs = nowMs;
    }
    return this.#buffer.subarray(0, written.value);
  }

  #elapsedUnits(nowMs: number): number {
    return Math.max(0, Math.round(((nowMs - (this.#lastSentMs ?? nowMs)) * this.#clockRate) / 1000));
  }
}
