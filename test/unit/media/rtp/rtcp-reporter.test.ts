// RTCP contents (RFC 3550 §6.4-§6.6) against hand-computed values, and the round trip from a crafted exchange.
import { describe, expect, it } from 'vitest';
import { ntpTimestamp, RtcpReporter } from '../../../../main/media/rtp/rtcp-reporter';
import {
  middleNtpBits,
  parseRtcpCompound,
  type RtcpPacket,
  type SenderReport,
} from '../../../../main/media/rtp/rtcp-packet';
import type { RtpPacket } from '../../../../main/media/rtp/rtp-packet';
import { RtpReceiver } from '../../../../main/media/rtp/rtp-receiver';
import { RtpSender } from '../../../../main/media/rtp/rtp-sender';
import { fixedRandom } from './fixed-random';

const OURS = 0x11111111;
const THEIRS = 0x22222222;
/** ManualClock's default epoch, 2025-01-01T00:00:00Z, as Unix seconds. */
const EPOCH_S = 1_735_689_600;
const EPOCH_MS = EPOCH_S * 1000;

function remotePacket(sequenceNumber: number): RtpPacket {
  return {
    marker: false,
    payloadType: 0,
    sequenceNumber,
    timestamp: sequenceNumber * 160,
    ssrc: THEIRS,
    csrcs: [],
    payload: new Uint8Array(160),
    paddingLength: 0,
  };
}

function parts(): { sender: RtpSender; receiver: RtpReceiver; reporter: RtcpReporter } {
  const sender = new RtpSender(fixedRandom([OURS, 1000, 5000]), 8000);
  const receiver = new RtpReceiver({ audioPayloadType: 0, audioClockRate: 8000 });
  return { sender, receiver, reporter: new RtcpReporter(sender, receiver, 'me@example.invalid') };
}

function sendThree(sender: RtpSender): void {
  for (const at of [0, 20, 40]) {
    sender.write({ payloadType: 0, payload: new Uint8Array(160), marker: false, duration: 160 }, at);
  }
}

function parse(bytes: Uint8Array): readonly RtcpPacket[] {
  const result = parseRtcpCompound(bytes);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('ntpTimestamp', () => {
  it('counts from 1900 with a 32-bit binary fraction (§4)', () => {
    expect(ntpTimestamp(EPOCH_MS + 1600)).toEqual({
      seconds: EPOCH_S + 1 + 2_208_988_800,
      fraction: 2_576_980_377,
    });
    expect(ntpTimestamp(0)).toEqual({ seconds: 2_208_988_800, fraction: 0 });
  });
});

describe('RtcpReporter', () => {
  it('sends an SR with sender info, one report block about the far end, and SDES CNAME', () => {
    const { sender, receiver, reporter } = parts();
    sendThree(sender);
    // The far end's packets 100, 101, 103 (102 lost), 103 arriving 2 ms late.
    receiver.receive(remotePacket(100), 0);
    receiver.receive(remotePacket(101), 20);
    receiver.receive(remotePacket(103), 62);
    // Its SR arrives at 100 ms.
    reporter.receive(
      [
        {
          type: 'sr',
          ssrc: THEIRS,
          ntpSeconds: 0x12345678,
          ntpFraction: 0x9abcdef0,
          rtpTimestamp: 0,
          packetCount: 3,
          octetCount: 480,
          reports: [],
        },
      ],
      { nowMs: 100, wallMs: EPOCH_MS + 100 },
    );

    const compound = parse(reporter.buildReport({ nowMs: 1600, wallMs: EPOCH_MS + 1600 }));
    expect(compound).toEqual([
      {
        type: 'sr',
        ssrc: OURS,
        ntpSeconds: EPOCH_S + 1 + 2_208_988_800,
        ntpFraction: 2_576_980_377,
        // The last packet (timestamp 5320) was sent at 40 ms; 1560 ms later at 8 kHz.
        rtpTimestamp: 5320 + 12_480,
        packetCount: 3,
        octetCount: 480,
        reports: [
          {
            ssrc: THEIRS,
            // A.1/A.3: 101 (the end of probation) is the base; 101..103 expected, 2 received.
            fractionLost: Math.floor(256 / 3),
            cumulativeLost: 1,
            extendedHighestSequence: 103,
            // A.8: one transit difference of 16 units, over 16.
            jitter: 1,
            lastSenderReport: 0x56789abc,
            delaySinceLastSenderReport: 1.5 * 65536,
          },
        ],
      },
      { type: 'sdes', chunks: [{ ssrc: OURS, cname: 'me@example.invalid' }] },
    ]);
  });

  it('keeps sending SRs until a report interval passes with no RTP since the one before (§6.3.8), then RRs', () => {
    const { sender, reporter } = parts();
    const kinds: string[] = [];
    const report = (at: number): void => {
      kinds.push(parse(reporter.buildReport({ nowMs: at, wallMs: EPOCH_MS + at }))[0]!.type);
    };
    report(0);
    sendThree(sender);
    report(5000);
    report(10_000);
    report(15_000);
    expect(kinds).toEqual(['rr', 'sr', 'sr', 'rr']);
  });

  it('leaves the report block out when nothing came from the far end since the last report', () => {
    const { receiver, reporter } = parts();
    receiver.receive(remotePacket(1), 0);
    receiver.receive(remotePacket(2), 20);
    const first = parse(reporter.buildReport({ nowMs: 100, wallMs: EPOCH_MS }))[0]!;
    const second = parse(reporter.buildReport({ nowMs: 5100, wallMs: EPOCH_MS }))[0]!;
    expect(first.type === 'rr' && first.reports.length).toBe(1);
    expect(second.type === 'rr' && second.reports.length).toBe(0);
  });

  it('computes the round trip from the far end’s block about us: arrival − LSR − DLSR (§6.4.1)', () => {
    const { sender, reporter } = parts();
    sendThree(sender);
    const sr = parse(reporter.buildReport({ nowMs: 1000, wallMs: EPOCH_MS + 1000 }))[0] as SenderReport;
    const lsr = middleNtpBits(sr.ntpSeconds, sr.ntpFraction);
    // The far end held our SR 200 ms (13107 units of 1/65536 s) and its RR reaches us 250 ms after we sent.
    const summary = reporter.receive(
      [
        {
          type: 'rr',
          ssrc: THEIRS,
          reports: [
            {
              ssrc: OURS,
              fractionLost: 0,
              cumulativeLost: 0,
              extendedHighestSequence: 1002,
              jitter: 0,
              lastSenderReport: lsr,
              delaySinceLastSenderReport: 13_107,
            },
          ],
        },
      ],
      { nowMs: 1250, wallMs: EPOCH_MS + 1250 },
    );
    // 250 ms in middle NTP bits is 16384 units: (16384 − 13107) / 65536 s.
    expect(summary.roundTripMs).toBeCloseTo(((16_384 - 13_107) / 65_536) * 1000, 1);
    expect(reporter.roundTripMs).toBeCloseTo(50, 0);
    expect(summary.fromRemote).toBe(true);
  });

  it('reads the fraction the far end lost of our stream from its block about us, and ignores other blocks', () => {
    const { reporter } = parts();
    const block = {
      ssrc: OURS,
      fractionLost: 64,
      cumulativeLost: 12,
      extendedHighestSequence: 0,
      jitter: 0,
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    };
    const about = reporter.receive([{ type: 'rr', ssrc: THEIRS, reports: [{ ...block, ssrc: 5 }, block] }], {
      nowMs: 0,
      wallMs: EPOCH_MS,
    });
    expect(about.farEndFractionLost).toBe(0.25);
    const other = reporter.receive([{ type: 'rr', ssrc: THEIRS, reports: [{ ...block, ssrc: 5 }] }], {
      nowMs: 0,
      wallMs: EPOCH_MS,
    });
    expect(other.farEndFractionLost).toBeUndefined();
  });

  it('measures no round trip from a block about another source or one without LSR', () => {
    const { reporter } = parts();
    const block = {
      ssrc: OURS,
      fractionLost: 0,
      cumulativeLost: 0,
      extendedHighestSequence: 0,
      jitter: 0,
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    };
    const summary = reporter.receive(
      [{ type: 'rr', ssrc: THEIRS, reports: [block, { ...block, ssrc: 5, lastSenderReport: 77 }] }],
      { nowMs: 0, wallMs: EPOCH_MS },
    );
    expect(summary.roundTripMs).toBeUndefined();
    expect(reporter.roundTripMs).toBeNull();
  });

  it('ends with a BYE when leaving (§6.6), and reads the far end’s CNAME and BYE', () => {
    const { receiver, reporter } = parts();
    const bye = parse(reporter.buildReport({ nowMs: 0, wallMs: EPOCH_MS }, { reason: 'call ended' }));
    expect(bye.map((packet) => packet.type)).toEqual(['rr', 'sdes', 'bye']);
    expect(bye[2]).toEqual({ type: 'bye', ssrcs: [OURS], reason: 'call ended' });

    receiver.receive(remotePacket(1), 0);
    const summary = reporter.receive(
      [
        { type: 'rr', ssrc: THEIRS, reports: [] },
        { type: 'sdes', chunks: [{ ssrc: THEIRS, cname: 'them@example.invalid' }] },
        { type: 'bye', ssrcs: [THEIRS] },
      ],
      { nowMs: 0, wallMs: EPOCH_MS },
    );
    expect(summary.goodbye).toEqual({ ssrc: THEIRS });
    expect(reporter.remoteCname).toBe('them@example.invalid');
  });
});
