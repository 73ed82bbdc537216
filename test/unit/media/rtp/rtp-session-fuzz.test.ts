// The receive path under random input (fixed seed): datagrams of random bytes, and real RTP/RTCP/telephone-event
// packets with random fields and flipped bits, on a muxed port and on a separate RTCP port. Nothing may throw, every
// counter stays a finite number, and audio still flows afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeRtcpCompound } from '../../../../main/media/rtp/rtcp-packet';
import { serializeRtpPacket } from '../../../../main/media/rtp/rtp-packet';
import { RtpSession } from '../../../../main/media/rtp/rtp-session';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';

const SEED = 4961;

const rtpDatagram = fc
  .record({
    marker: fc.boolean(),
    payloadType: fc.constantFrom(0, 8, 101, 111, 127),
    sequenceNumber: fc.nat({ max: 0xffff }),
    timestamp: fc.nat({ max: 0xffffffff }),
    ssrc: fc.constantFrom(1, 2, 0xffffffff),
    payload: fc.uint8Array({ maxLength: 200 }),
  })
  .map((fields) => {
    const bytes = serializeRtpPacket({ ...fields, csrcs: [], paddingLength: 0 });
    return bytes.ok ? bytes.value : new Uint8Array(0);
  });

const rtcpDatagram = fc
  .record({
    ssrc: fc.nat({ max: 0xffffffff }),
    lsr: fc.nat({ max: 0xffffffff }),
    dlsr: fc.nat({ max: 0xffffffff }),
    about: fc.nat({ max: 0xffffffff }),
    bye: fc.boolean(),
  })
  .map(({ ssrc, lsr, dlsr, about, bye }) => {
    const bytes = serializeRtcpCompound([
      {
        type: 'rr',
        ssrc,
        reports: [
          {
            ssrc: about,
            fractionLost: 0,
            cumulativeLost: 0,
            extendedHighestSequence: 0,
            jitter: 0,
            lastSenderReport: lsr,
            delaySinceLastSenderReport: dlsr,
          },
        ],
      },
      ...(bye ? [{ type: 'bye' as const, ssrcs: [ssrc] }] : []),
    ]);
    return bytes.ok ? bytes.value : new Uint8Array(0);
  });

/** A valid packet with some bits flipped: the inputs that get furthest into a parser. */
const mangled = fc
  .tuple(fc.oneof(rtpDatagram, rtcpDatagram), fc.array(fc.nat(), { maxLength: 6 }))
  .map(([bytes, flips]) => {
    const copy = bytes.slice();
    for (const flip of flips) if (copy.length > 0) copy[flip % copy.length]! ^= 1 << (flip % 8);
    return copy;
  });

const datagram = fc.oneof(fc.uint8Array({ maxLength: 300 }), rtpDatagram, rtcpDatagram, mangled);

describe('RtpSession receive path, fuzzed', () => {
  for (const mux of [true, false]) {
    it(`never throws on random datagrams (${mux ? 'rtcp-mux' : 'separate RTCP port'})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(datagram, fc.boolean(), fc.boolean(), fc.nat({ max: 300 })), { maxLength: 40 }),
          async (inputs) => {
            const clock = new ManualClock();
            const network = new LoopbackNetwork({ clock });
            const rtp = await network.bindDatagram('127.0.0.1', 40_000);
            const rtcp = mux ? undefined : await network.bindDatagram('127.0.0.1', 40_001);
            const peer = await network.bindDatagram('127.0.0.1', 50_000);
            const stranger = await network.bindDatagram('127.0.0.1', 50_002);
            const session = new RtpSession({
              rtpSocket: rtp,
              ...(rtcp === undefined ? {} : { rtcpSocket: rtcp }),
              remoteRtp: { address: '127.0.0.1', port: 50_000 },
              remoteRtcp: { address: '127.0.0.1', port: 50_001 },
              payloadType: 0,
              clockRate: 8000,
              telephoneEvent: { payloadType: 101, clockRate: 8000 },
              cname: 'fuzz@example.invalid',
              clock,
              random: new SeededRandom(SEED),
            });
            let delivered = 0;
            session.onAudio(() => delivered++);
            for (const [bytes, fromStranger, toRtcp, waitMs] of inputs) {
              const port = toRtcp && !mux ? 40_001 : 40_000;
              (fromStranger ? stranger : peer).send(bytes, port, '127.0.0.1');
              clock.advance(waitMs);
            }
            const stats = session.stats();
            for (const value of [
              stats.received.packets,
              stats.received.discarded,
              stats.received.cumulativeLost,
              stats.received.jitterMs,
              stats.rtcpDiscarded,
            ]) {
              expect(Number.isFinite(value)).toBe(true);
            }
            expect(stats.roundTripMs === null || Number.isFinite(stats.roundTripMs)).toBe(true);
            // Still a working stream: our own audio goes out.
            expect(session.sendAudio(new Uint8Array(160), 160)).toBe(true);
            expect(delivered).toBeLessThanOrEqual(stats.received.packets);
            session.close();
            clock.advance(0);
          },
        ),
        { seed: SEED, numRuns: 300 },
      );
    });
  }
});
