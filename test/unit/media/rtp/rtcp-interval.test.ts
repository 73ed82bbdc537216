// RFC 3550 §6.2/§6.3 and A.7: the RTCP interval as a pure function of members, senders, bandwidth and one draw.
import { describe, expect, it } from 'vitest';
import {
  nextAverageRtcpSize,
  RTCP_COMPENSATION,
  rtcpBandwidthOctets,
  rtcpIntervalMs,
  type RtcpIntervalInput,
} from '../../../../main/media/rtp/rtcp-interval';
import { SeededRandom } from '../../../support/seeded-random';

/** A two-party call: both send, 80 kbit/s session, 100-octet reports. */
const CALL: RtcpIntervalInput = {
  members: 2,
  senders: 2,
  rtcpBandwidth: rtcpBandwidthOctets(80_000),
  weSent: true,
  averageRtcpSize: 100,
  initial: false,
};

function draws(input: RtcpIntervalInput, count: number, seed: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => rtcpIntervalMs(input, random.fraction()));
}

describe('rtcpIntervalMs', () => {
  it('takes 5 % of the session bandwidth, in octets per second', () => {
    expect(rtcpBandwidthOctets(80_000)).toBe(500);
  });

  it('spreads a call’s reports uniformly over [0.5, 1.5] × 5 s / (e − 3/2)', () => {
    const samples = draws(CALL, 20_000, 3550);
    const low = (0.5 * 5000) / RTCP_COMPENSATION; // 2052 ms
    const high = (1.5 * 5000) / RTCP_COMPENSATION; // 6157 ms
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(low);
    expect(Math.max(...samples)).toBeLessThan(high);
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    expect(mean).toBeGreaterThan(4104 * 0.99);
    expect(mean).toBeLessThan(4104 * 1.01);
    // Ten equal bins over the range hold about a tenth each.
    const bins = new Array<number>(10).fill(0);
    for (const value of samples) bins[Math.floor(((value - low) / (high - low)) * 10)]!++;
    for (const count of bins) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it('halves the minimum before the first report (§6.2)', () => {
    expect(rtcpIntervalMs({ ...CALL, initial: true }, 0.5)).toBeCloseTo(2500 / RTCP_COMPENSATION, 6);
    expect(rtcpIntervalMs(CALL, 0.5)).toBeCloseTo(5000 / RTCP_COMPENSATION, 6);
    expect(rtcpIntervalMs(CALL, 0)).toBeCloseTo(2500 / RTCP_COMPENSATION, 6);
  });

  it('gives few senders a quarter of the bandwidth, shared among senders only (§6.2)', () => {
    const big = { members: 100, senders: 1, rtcpBandwidth: 10, averageRtcpSize: 200, initial: false };
    // A sender: 200 octets × 1 sender / (10 × 0.25 octets/s) = 80 s.
    expect(rtcpIntervalMs({ ...big, weSent: true }, 0.5)).toBeCloseTo(80_000 / RTCP_COMPENSATION, 3);
    // A receiver: 200 × 99 receivers / (10 × 0.75) = 2640 s.
    expect(rtcpIntervalMs({ ...big, weSent: false }, 0.5)).toBeCloseTo(2_640_000 / RTCP_COMPENSATION, 3);
    // More than a quarter sending: everyone shares the whole bandwidth, 200 × 100 / 10 = 2000 s.
    expect(rtcpIntervalMs({ ...big, senders: 50, weSent: true }, 0.5)).toBeCloseTo(
      2_000_000 / RTCP_COMPENSATION,
      3,
    );
  });

  it('falls back to the minimum for a zero bandwidth instead of dividing by it', () => {
    expect(rtcpIntervalMs({ ...CALL, rtcpBandwidth: 0 }, 0.5)).toBeCloseTo(5000 / RTCP_COMPENSATION, 6);
  });
});

describe('nextAverageRtcpSize', () => {
  it('moves 1/16 of the way to each packet, UDP and IP headers included (§6.3.3)', () => {
    expect(nextAverageRtcpSize(100, 72)).toBe(100);
    expect(nextAverageRtcpSize(100, 232)).toBe(110);
  });
});
