// RTCP compound packets (RFC 3550 §6): hand-built SR, RR, SDES and BYE, the §6.1 / A.2 validity rules, the
// round-trip time of §6.4.1, and a fixed-seed fuzz: random bytes never throw, valid compounds round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  middleNtpBits,
  parseRtcpCompound,
  roundTripSeconds,
  serializeRtcpCompound,
  type ReportBlock,
  type RtcpPacket,
} from '../../../main/media/rtp/rtcp-packet';

const SEED = 3550;
const RUNS = 2000;

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(i * 2, i * 2 + 2), 16));
}

// SR from 0x11111111 with one block about 0x22222222 (fraction 0x40, cumulative lost -3), then SDES with a CNAME
// "ab@x" (4 octets: SSRC, type 1, length 4, "ab@x", one null, padded to 12) and BYE with reason "bye".
const SR = hex(`
  81 c8 00 0c  11111111  e8a1b2c3 80000000  00001f40  00000032 00001f40
  22222222  40 fffffd  00010005  00000010  b2c38000  00008000`);
const SDES = hex(`81 ca 00 03  11111111  01 04 61 62 40 78  00 00`);
const BYE = hex(`81 cb 00 02  11111111  03 62 79 65`);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('parseRtcpCompound', () => {
  it('reads an SR with a report block, an SDES CNAME and a BYE with a reason', () => {
    const result = parseRtcpCompound(concat(SR, SDES, BYE));
    expect(result).toEqual({
      ok: true,
      value: [
        {
          type: 'sr',
          ssrc: 0x11111111,
          ntpSeconds: 0xe8a1b2c3,
          ntpFraction: 0x80000000,
          rtpTimestamp: 8000,
          packetCount: 50,
          octetCount: 8000,
          reports: [
            {
              ssrc: 0x22222222,
              fractionLost: 0x40,
              cumulativeLost: -3,
              extendedHighestSequence: 0x00010005,
              jitter: 16,
              lastSenderReport: 0xb2c38000,
              delaySinceLastSenderReport: 0x8000,
            },
          ],
        },
        { type: 'sdes', chunks: [{ ssrc: 0x11111111, cname: 'ab@x' }] },
        { type: 'bye', ssrcs: [0x11111111], reason: 'bye' },
      ],
    });
  });

  it('writes the same compound back byte for byte', () => {
    const bytes = concat(SR, SDES, BYE);
    const parsed = parseRtcpCompound(bytes);
    if (!parsed.ok) throw new Error(parsed.error);
    const written = serializeRtcpCompound(parsed.value);
    expect(written.ok && Array.from(written.value)).toEqual(Array.from(bytes));
  });

  it('reads an empty RR, skips SDES items other than CNAME, and keeps unknown packet types opaque', () => {
    const compound = hex(`
      80 c9 00 01  33333333
      82 ca 00 06  33333333 02 03 62 6f 62 01 01 63 00 00 00 00  44444444 00 00 00 00
      81 cc 00 02  33333333  41424344`);
    expect(parseRtcpCompound(compound)).toEqual({
      ok: true,
      value: [
        { type: 'rr', ssrc: 0x33333333, reports: [] },
        { type: 'sdes', chunks: [{ ssrc: 0x33333333, cname: 'c' }, { ssrc: 0x44444444 }] },
        { type: 'other', packetType: 204, count: 1, body: hex('33333333 41424344') },
      ],
    });
  });

  it('strips padding on the last packet', () => {
    const result = parseRtcpCompound(hex(`a0 c9 00 02  33333333  00 00 00 04`));
    expect(result).toEqual({ ok: true, value: [{ type: 'rr', ssrc: 0x33333333, reports: [] }] });
  });

  it.each([
    ['too-short', '80 c9 00'],
    ['bad-version', '40 c9 00 01 33333333'],
    ['bad-length', '80 c9 00 02 33333333'],
    ['bad-length', '80 c9 00 01 33333333 80'],
    ['first-not-report', '81 ca 00 02 33333333 01 00 00 00'],
    ['first-not-report', '80 cb 00 00'],
    ['misplaced-padding', 'a0 c9 00 01 33333333 80 cb 00 00'],
    ['bad-padding', 'a0 c9 00 01 33333300'],
    ['bad-padding', 'a0 c9 00 01 33333309'],
    ['bad-padding', 'a0 c9 00 02 33333333 00 00 00 03'],
    ['bad-padding', '80 c9 00 01 33333333 a0 cc 00 01 00 00 00 01'],
    ['truncated-report', '81 c9 00 01 33333333'],
    ['truncated-report', '80 c8 00 01 33333333'],
    ['truncated-report', '80 c9 00 00'],
    ['bad-source-description', '80 c9 00 01 33333333 81 ca 00 02 33333333 01 09 61 61'],
    ['bad-source-description', '80 c9 00 01 33333333 81 ca 00 02 33333333 01 02 61 61'],
    ['bad-source-description', '80 c9 00 01 33333333 82 ca 00 02 33333333 00 00 00 00'],
    ['bad-goodbye', '80 c9 00 01 33333333 82 cb 00 01 33333333'],
    ['bad-goodbye', '80 c9 00 01 33333333 81 cb 00 02 33333333 07 61 00 00'],
  ])('refuses %s: %s', (reason, bytes) => {
    expect(parseRtcpCompound(hex(bytes))).toEqual({ ok: false, error: reason });
  });
});

describe('serializeRtcpCompound', () => {
  const rr: RtcpPacket = { type: 'rr', ssrc: 1, reports: [] };
  const block: ReportBlock = {
    ssrc: 2,
    fractionLost: 0,
    cumulativeLost: 0,
    extendedHighestSequence: 0,
    jitter: 0,
    lastSenderReport: 0,
    delaySinceLastSenderReport: 0,
  };

  it.each<[string, readonly RtcpPacket[]]>([
    ['empty', []],
    ['first-not-report', [{ type: 'bye', ssrcs: [1] }]],
    ['too-many-items', [{ type: 'rr', ssrc: 1, reports: Array.from({ length: 32 }, () => block) }]],
    ['bad-field', [{ type: 'rr', ssrc: 1, reports: [{ ...block, cumulativeLost: 0x800000 }] }]],
    ['bad-field', [{ type: 'rr', ssrc: 1, reports: [{ ...block, fractionLost: 256 }] }]],
    ['text-too-long', [rr, { type: 'bye', ssrcs: [1], reason: 'x'.repeat(256) }]],
    ['text-too-long', [rr, { type: 'sdes', chunks: [{ ssrc: 1, cname: 'é'.repeat(128) }] }]],
    ['bad-body', [rr, { type: 'other', packetType: 204, count: 0, body: new Uint8Array(3) }]],
  ])('refuses %s', (reason, packets) => {
    expect(serializeRtcpCompound(packets)).toEqual({ ok: false, error: reason });
  });

  it('pads an SDES chunk whose items end on a word boundary with a whole word of nulls', () => {
    const written = serializeRtcpCompound([rr, { type: 'sdes', chunks: [{ ssrc: 5, cname: 'ab' }] }]);
    expect(written.ok && Array.from(written.value.subarray(8))).toEqual(
      Array.from(hex('81 ca 00 03 00000005 01 02 61 62 00 00 00 00')),
    );
  });
});

describe('round-trip time (§6.4.1)', () => {
  it('takes LSR and DLSR off the arrival time', () => {
    const lsr = middleNtpBits(0xe8a1b2c3, 0x80000000);
    expect(lsr).toBe(0xb2c38000);
    const block: ReportBlock = {
      ssrc: 1,
      fractionLost: 0,
      cumulativeLost: 0,
      extendedHighestSequence: 0,
      jitter: 0,
      lastSenderReport: lsr,
      delaySinceLastSenderReport: 0x00010000, // the receiver held it 1 s
    };
    // Arrives 1.25 s after our SR was sent: 0.25 s round trip.
    expect(roundTripSeconds(block, (lsr + 0x00014000) >>> 0)).toBe(0.25);
    expect(roundTripSeconds({ ...block, lastSenderReport: 0 }, lsr)).toBeUndefined();
    expect(roundTripSeconds(block, lsr)).toBeUndefined();
  });
});

const uint32 = fc.nat({ max: 0xffffffff });
const reportBlock = fc.record({
  ssrc: uint32,
  fractionLost: fc.nat({ max: 255 }),
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  extendedHighestSequence: uint32,
  jitter: uint32,
  lastSenderReport: uint32,
  delaySinceLastSenderReport: uint32,
});
const reports = fc.array(reportBlock, { maxLength: 31 });
const text = fc.string({ maxLength: 60 });
const senderReport = fc.record({
  type: fc.constant('sr' as const),
  ssrc: uint32,
  ntpSeconds: uint32,
  ntpFraction: uint32,
  rtpTimestamp: uint32,
  packetCount: uint32,
  octetCount: uint32,
  reports,
});
const receiverReport = fc.record({ type: fc.constant('rr' as const), ssrc: uint32, reports });
const sourceDescription = fc.record({
  type: fc.constant('sdes' as const),
  chunks: fc.array(fc.record({ ssrc: uint32, cname: text }, { requiredKeys: ['ssrc'] }), { maxLength: 31 }),
});
const goodbye = fc.record(
  { type: fc.constant('bye' as const), ssrcs: fc.array(uint32, { maxLength: 31 }), reason: text },
  { requiredKeys: ['type', 'ssrcs'] },
);
const other = fc.record({
  type: fc.constant('other' as const),
  packetType: fc.constantFrom(204, 205, 206, 207),
  count: fc.nat({ max: 31 }),
  body: fc.nat({ max: 6 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
});
const compound = fc
  .tuple(
    fc.oneof(senderReport, receiverReport),
    fc.array(fc.oneof(senderReport, receiverReport, sourceDescription, goodbye, other), { maxLength: 4 }),
  )
  .map(([first, rest]): RtcpPacket[] => [first, ...rest]);

describe('RTCP fuzz (fixed seed)', () => {
  it('never throws on random bytes, and whatever parses writes and parses again to the same packets', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400, size: 'max' }), fc.boolean(), (random, steer) => {
        // Steer half of the inputs to a plausible first header (whole words, SR or RR, a few blocks, a length
        // that fills the datagram) so the deeper checks are reached; the rest of the bytes stay random.
        const input = steer && random.length >= 4 ? random.slice(0, random.length & ~3) : random;
        if (steer && input.length >= 4) {
          input[0] = 0x80 | (input[0]! & 0x23);
          input[1] = 200 + (input[1]! & 1);
          input[2] = 0;
          input[3] = (input.length >> 2) - 1;
        }
        const parsed = parseRtcpCompound(input);
        if (!parsed.ok) return;
        parsedCount++;
        const written = serializeRtcpCompound(parsed.value);
        expect(written.ok).toBe(true);
        if (!written.ok) return;
        expect(parseRtcpCompound(written.value)).toEqual(parsed);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The steering must let a fair share through, or the deeper checks and the round trip are never reached.
    expect(parsedCount).toBeGreaterThan(RUNS / 20);
  });

  it('round-trips every valid compound packet', () => {
    fc.assert(
      fc.property(compound, (packets) => {
        const written = serializeRtcpCompound(packets);
        expect(written.ok).toBe(true);
        if (!written.ok) return;
        expect(parseRtcpCompound(written.value)).toEqual({ ok: true, value: packets });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never throws on valid compounds with bytes flipped or cut short, and what still parses round-trips', () => {
    const mutation = fc.record({
      at: fc.nat(),
      value: fc.nat({ max: 255 }),
      cut: fc.nat(),
      truncate: fc.boolean(),
    });
    let parsedCount = 0;
    fc.assert(
      fc.property(compound, mutation, (packets, { at, value, cut, truncate }) => {
        const written = serializeRtcpCompound(packets);
        if (!written.ok) throw new Error(written.error);
        const bytes = written.value.slice();
        bytes[at % bytes.length] = value;
        const input = truncate ? bytes.subarray(0, cut % bytes.length) : bytes;
        const parsed = parseRtcpCompound(input);
        if (!parsed.ok) return;
        parsedCount++;
        const again = serializeRtcpCompound(parsed.value);
        expect(again.ok && parseRtcpCompound(again.value)).toEqual(parsed);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(parsedCount).toBeGreaterThan(RUNS / 20);
  });
});
