// What our RTCP reports say and what we learn from the far end's (RFC 3550 §6.4, §6.5, §6.6). Pure: the caller
// passes the wall-clock time (for NTP timestamps) and the monotonic time (for delays), and sends the bytes.
//
// - SR when we sent RTP since the report before last (§6.3.8's we_sent, also §6.4), else RR.
// - One report block about the far end when it sent RTP since our last report (§6.4): A.3 loss, the extended
//   highest sequence, A.8 jitter, and LSR/DLSR from its last SR so it can compute the round trip.
// - SDES with our CNAME in every compound (§6.1), BYE last when leaving (§6.6).
// - From the far end: LSR bookkeeping from its SRs, the round-trip time from its report blocks about us (§6.4.1),
//   its CNAME, its BYE.
import type { RtpReceiver } from './rtp-receiver';
import type { RtpSender } from './rtp-sender';
import {
  middleNtpBits,
  roundTripSeconds,
  serializeRtcpCompound,
  type ReportBlock,
  type RtcpPacket,
} from './rtcp-packet';

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

/** An NTP timestamp (§4) for a wall-clock time in milliseconds since the Unix epoch. */
export function ntpTimestamp(wallMs: number): { readonly seconds: number; readonly fraction: number } {
  const whole = Math.floor(wallMs / 1000);
  const fraction = Math.floor(((wallMs - whole * 1000) / 1000) * 0x1_0000_0000);
  return { seconds: (whole + NTP_UNIX_OFFSET_SECONDS) >>> 0, fraction: Math.min(fraction, 0xffffffff) >>> 0 };
}

export interface RtcpReportTimes {
  /** Monotonic ms (the session's Clock.now()). */
  readonly nowMs: number;
  /** Wall-clock ms since the Unix epoch (Clock.wallTime()). */
  readonly wallMs: number;
}

export interface IncomingRtcpSummary {
  /** The far end sent RTCP as the source we receive RTP from (or the first source heard on RTCP). */
  readonly fromRemote: boolean;
  /** A fresh round-trip measurement, in ms. */
  readonly roundTripMs?: number;
  /**
   * What the far end's latest report block about our stream says it lost over its last interval, 0–1 (§6.4.1
   * fraction lost, an 8-bit fixed-point number).
   */
  readonly farEndFractionLost?: number;
  readonly goodbye?: { readonly ssrc: number; readonly reason?: string };
}

export class RtcpReporter {
  readonly #sender: RtpSender;
  readonly #receiver: RtpReceiver;
  readonly #cname: string;
  /** Packets sent at the last two reports: we_sent is whether we sent since the one before last. */
  #sentAtReports: [number, number] = [0, 0];
  #receivedAtLastReport = 0;
  #lastSenderReport:
    { readonly middle: number; readonly arrivalMs: number; readonly ssrc: number } | undefined;
  #roundTripMs: number | null = null;
  #remoteCname: string | undefined;

  constructor(sender: RtpSender, receiver: RtpReceiver, cname: string) {
    this.#sender = sender;
    this.#receiver = receiver;
    this.#cname = cname;
  }

  /** The last round trip measured from the far end's reports, ms; null before the first. */
  get roundTripMs(): number | null {
    return this.#roundTripMs;
  }

  get remoteCname(): string | undefined {
    return this.#remoteCname;
  }

  /** §6.3.8: whether we sent RTP since the report before last. */
  get weSent(): boolean {
    return this.#sender.stats.packets > this.#sentAtReports[0];
  }

  /** The compound for a regular report; `goodbye` appends a BYE (§6.6). Never empty or malformed. */
  buildReport(times: RtcpReportTimes, goodbye?: { readonly reason?: string }): Uint8Array {
    const packets: RtcpPacket[] = [
      this.#report(times),
      { type: 'sdes', chunks: [{ ssrc: this.#sender.ssrc, cname: this.#cname }] },
    ];
    if (goodbye !== undefined) {
      packets.push({
        type: 'bye',
        ssrcs: [this.#sender.ssrc],
        ...(goodbye.reason === undefined ? {} : { reason: goodbye.reason }),
      });
    }
    const sent = this.#sender.stats.packets;
    this.#sentAtReports = [this.#sentAtReports[1], sent];
    const bytes = serializeRtcpCompound(packets);
    // Every field above is built in range (the tests write each shape), so this cannot fail; an empty datagram
    // would be refused by the far end's parser rather than mislead it.
    return bytes.ok ? bytes.value : new Uint8Array(0);
  }

  /** Reads a parsed compound from the far end. */
  receive(packets: readonly RtcpPacket[], times: RtcpReportTimes): IncomingRtcpSummary {
    const remote = this.#receiver.ssrc;
    let fromRemote = false;
    let roundTripMs: number | undefined;
    let farEndFractionLost: number | undefined;
    let goodbye: IncomingRtcpSummary['goodbye'];
    for (const packet of packets) {
      switch (packet.type) {
        case 'sr':
        case 'rr': {
          if (remote === undefined || packet.ssrc === remote) fromRemote = true;
          if (packet.type === 'sr') {
            this.#lastSenderReport = {
              middle: middleNtpBits(packet.ntpSeconds, packet.ntpFraction),
              arrivalMs: times.nowMs,
              ssrc: packet.ssrc,
            };
          }
          const aboutUs = packet.reports.find((block) => block.ssrc === this.#sender.ssrc);
          if (aboutUs !== undefined) {
            farEndFractionLost = aboutUs.fractionLost / 256;
            const now = ntpTimestamp(times.wallMs);
            const seconds = roundTripSeconds(aboutUs, middleNtpBits(now.seconds, now.fraction));
            if (seconds !== undefined) {
              roundTripMs = seconds * 1000;
              this.#roundTripMs = roundTripMs;
            }
          }
          break;
        }
        case 'sdes':
          for (const chunk of packet.chunks) {
            if (chunk.cname !== undefined && (remote === undefined || chunk.ssrc === remote)) {
              this.#remoteCname = chunk.cname;
            }
          }
          break;
        case 'bye': {
          const ssrc = packet.ssrcs.find((candidate) => remote === undefined || candidate === remote);
          if (ssrc !== undefined) {
            goodbye = { ssrc, ...(packet.reason === undefined ? {} : { reason: packet.reason }) };
          }
          break;
        }
        case 'other':
          break;
      }
    }
    return {
      fromRemote,
      ...(roundTripMs === undefined ? {} : { roundTripMs }),
      ...(farEndFractionLost === undefined ? {} : { farEndFractionLost }),
      ...(goodbye === undefined ? {} : { goodbye }),
    };
  }

  #report(times: RtcpReportTimes): RtcpPacket {
    const reports = this.#reportBlocks(times.nowMs);
    if (!this.weSent) return { type: 'rr', ssrc: this.#sender.ssrc, reports };
    const ntp = ntpTimestamp(times.wallMs);
    const stats = this.#sender.stats;
    return {
      type: 'sr',
      ssrc: this.#sender.ssrc,
      ntpSeconds: ntp.seconds,
      ntpFraction: ntp.fraction,
      rtpTimestamp: this.#sender.timestampAt(times.nowMs),
      packetCount: stats.packets >>> 0,
      octetCount: stats.bytes >>> 0,
      reports,
    };
  }

  #reportBlocks(nowMs: number): ReportBlock[] {
    const ssrc = this.#receiver.ssrc;
    const received = this.#receiver.packets;
    const heardSince = received > this.#receivedAtLastReport;
    this.#receivedAtLastReport = received;
    if (ssrc === undefined || !heardSince) return [];
    const loss = this.#receiver.takeReport();
    if (loss === undefined) return [];
    const sr = this.#lastSenderReport?.ssrc === ssrc ? this.#lastSenderReport : undefined;
    return [
      {
        ssrc,
        fractionLost: loss.fractionLost,
        cumulativeLost: loss.cumulativeLost,
        extendedHighestSequence: loss.extendedHighestSequence,
        jitter: this.#receiver.jitter.reportValue,
        lastSenderReport: sr?.middle ?? 0,
        // §6.4.1: in units of 1/65536 s.
        delaySinceLastSenderReport:
          sr === undefined ? 0 : Math.min(0xffffffff, Math.floor(((nowMs - sr.arrivalMs) * 65536) / 1000)),
      },
    ];
  }
}
