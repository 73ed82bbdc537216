// The media worker's cumulative counters turned into per-interval quality reports and the history's summary.
import { describe, expect, it } from 'vitest';
import { CallQualityTracker } from '../../../main/services/call-quality';
import { mosFromRating } from '../../../main/services/e-model';
import { quality } from './fake-call-engine';

describe('CallQualityTracker', () => {
  it('has no codec and no summary before any report', () => {
    const tracker = new CallQualityTracker('c1');
    expect(tracker.codec).toBeNull();
    expect(tracker.summary()).toBeNull();
  });

  it('reports the loss of each interval from the cumulative counters', () => {
    const tracker = new CallQualityTracker('c1');
    expect(tracker.report(quality({ packets: 95, cumulativeLost: 5 })).lossPercent).toBe(5);
    // 100 more expected: 98 arrived, 2 more lost.
    expect(tracker.report(quality({ packets: 193, cumulativeLost: 7 })).lossPercent).toBe(2);
    // Nothing new arrived or went missing: no loss to speak of.
    expect(tracker.report(quality({ packets: 193, cumulativeLost: 7 })).lossPercent).toBe(0);
    expect(tracker.summary()?.lossPercent).toBe(3.5);
  });

  it('counts a drop of the cumulative loss (duplicates, RFC 3550 A.3) as no loss, never as negative', () => {
    const tracker = new CallQualityTracker('c1');
    tracker.report(quality({ packets: 90, cumulativeLost: 10 }));
    const next = tracker.report(quality({ packets: 192, cumulativeLost: 8 }));
    expect(next.lossPercent).toBe(0);
    expect(tracker.summary()?.lossPercent).toBeGreaterThanOrEqual(0);
  });

  it('estimates the MOS from the interval loss, the round trip and the buffer delay', () => {
    const tracker = new CallQualityTracker('c1');
    const report = tracker.report(quality({ packets: 98, cumulativeLost: 2, roundTripMs: 60, delayMs: 40 }));
    // One way: 30 + 40 + 20 = 90 ms, no delay impairment; 2 % loss with Bpl 25.1.
    expect(report.mos).toBeCloseTo(mosFromRating(93.2 - (95 * 2) / 27.1), 2);
    expect(report).toMatchObject({ roundTripMs: 60, jitterBufferDelayMs: 40, codec: 'opus', callId: 'c1' });
  });

  it("passes on the jitter buffer's target and its late, concealed and FEC-recovered frame counts", () => {
    const tracker = new CallQualityTracker('c1');
    const base = quality({ packets: 245, cumulativeLost: 13, delayMs: 62 });
    const report = tracker.report({
      ...base,
      jitterBuffer: { ...base.jitterBuffer, targetDelayMs: 78.6, late: 1, concealed: 3, recovered: 9 },
    });
    expect(report).toMatchObject({
      jitterBufferDelayMs: 62,
      jitterBufferTargetMs: 79,
      lateFrames: 1,
      concealedFrames: 3,
      recoveredFrames: 9,
    });
  });

  it('reports broken frame counters as 0', () => {
    const tracker = new CallQualityTracker('c1');
    const base = quality();
    const report = tracker.report({
      ...base,
      jitterBuffer: {
        ...base.jitterBuffer,
        targetDelayMs: Number.NaN,
        late: -1,
        concealed: Number.POSITIVE_INFINITY,
        recovered: 2.5,
      },
    });
    expect(report).toMatchObject({
      jitterBufferTargetMs: 0,
      lateFrames: 0,
      concealedFrames: 0,
      recoveredFrames: 0,
    });
  });

  it('rates the loss the listener hears: frames rebuilt from FEC count as heard, late ones as lost', () => {
    const rating = (lossPercent: number) => mosFromRating(93.2 - (95 * lossPercent) / (lossPercent + 25.1));
    const fec = new CallQualityTracker('c1');
    // 5 of 100 lost on the network, 4 of them rebuilt from the next packet's FEC: 1 % heard.
    const rebuilt = fec.report(
      quality({ packets: 95, cumulativeLost: 5, recovered: 4, roundTripMs: 0, delayMs: 0 }),
    );
    expect(rebuilt.lossPercent).toBe(5);
    expect(rebuilt.mos).toBeCloseTo(rating(1), 2);
    // The next interval: 2 more lost, none rebuilt; the earlier recoveries are not counted again.
    const next = fec.report(
      quality({ packets: 193, cumulativeLost: 7, recovered: 4, roundTripMs: 0, delayMs: 0 }),
    );
    expect(next.mos).toBeCloseTo(rating(2), 2);

    // Nothing lost on the network, but 3 of 100 came after their turn and were concealed.
    const late = new CallQualityTracker('c2');
    const report = late.report(
      quality({ packets: 100, cumulativeLost: 0, bufferLost: 3, late: 3, roundTripMs: 0, delayMs: 0 }),
    );
    expect(report.lossPercent).toBe(0);
    expect(report.mos).toBeCloseTo(rating(3), 2);
  });

  it('never rates more FEC recoveries than losses as better than no loss', () => {
    const tracker = new CallQualityTracker('c1');
    const report = tracker.report(
      quality({ packets: 98, cumulativeLost: 2, recovered: 9, roundTripMs: 0, delayMs: 0 }),
    );
    expect(report.mos).toBe(4.41);
  });

  it('gives no MOS before media arrives, and averages only the reports that had one', () => {
    const tracker = new CallQualityTracker('c1');
    expect(tracker.report(quality({ packets: 0, jitterMs: 0 })).mos).toBeNull();
    const second = tracker.report(quality({ packets: 100, jitterMs: 4 }));
    expect(tracker.summary()).toEqual({ mos: second.mos, lossPercent: 0, jitterMs: 2 });
  });

  it('treats broken figures as zero instead of passing NaN on', () => {
    const tracker = new CallQualityTracker('c1');
    const broken = quality({
      packets: 100,
      jitterMs: Number.NaN,
      roundTripMs: Number.POSITIVE_INFINITY,
      delayMs: -3,
    });
    const report = tracker.report({ ...broken, sendBitrate: Number.NaN });
    expect(report).toMatchObject({ jitterMs: 0, roundTripMs: null, jitterBufferDelayMs: 0, sendBitrate: 0 });
    expect(Number.isFinite(report.mos)).toBe(true);
    for (const key of [
      'sendBitrate',
      'receiveBitrate',
      'jitterMs',
      'lossPercent',
      'jitterBufferDelayMs',
      'jitterBufferTargetMs',
      'lateFrames',
      'concealedFrames',
      'recoveredFrames',
    ] as const)
      expect(Number.isFinite(report[key]), key).toBe(true);
  });
});
