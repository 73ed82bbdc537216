// The RFC 3550 A.1 sequence tracker, A.3 loss figures and A.8 jitter estimator.
import { describe, expect, it } from 'vitest';
import {
  JitterEstimator,
  MAX_DROPOUT,
  SequenceTracker,
  type SequenceVerdict,
} from '../../../main/media/rtp/sequence';

function feed(tracker: SequenceTracker, sequences: readonly number[]): SequenceVerdict[] {
  return sequences.map((sequence) => tracker.update(sequence));
}

/**
 * A tracker past probation. As in A.1, the packet that ends probation becomes the base: `first` itself is not
 * counted, `first + 1` is.
 */
function validFrom(first: number): SequenceTracker {
  const tracker = new SequenceTracker(first);
  feed(tracker, [first, (first + 1) & 0xffff]);
  return tracker;
}

describe('SequenceTracker', () => {
  it('keeps a new source on probation until two packets arrive in order', () => {
    const tracker = new SequenceTracker(100);
    expect(tracker.update(100)).toBe('probation');
    expect(tracker.valid).toBe(false);
    expect(tracker.update(101)).toBe('accepted');
    expect(tracker.valid).toBe(true);
    expect(tracker.takeReport()).toMatchObject({ extendedHighestSequence: 101, expected: 1, received: 1 });
  });

  it('starts probation over when a packet comes out of order', () => {
    const tracker = new SequenceTracker(100);
    expect(feed(tracker, [100, 105, 106])).toEqual(['probation', 'probation', 'accepted']);
    expect(tracker.extendedHighestSequence).toBe(106);
  });

  it('counts a cycle on wraparound at 65535 and extends the highest sequence', () => {
    const tracker = validFrom(65533);
    expect(feed(tracker, [65535, 0, 1, 2])).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const report = tracker.takeReport();
    expect(report.extendedHighestSequence).toBe(65536 + 2);
    expect(report.expected).toBe(5); // 65534 (the base) to 65536 + 2
    expect(report.received).toBe(5);
    expect(report.cumulativeLost).toBe(0);
  });

  it('takes reordered packets across the wrap without adding a cycle', () => {
    const tracker = validFrom(65534);
    expect(feed(tracker, [1, 0, 65535])).toEqual(['accepted', 'accepted', 'accepted']);
    expect(tracker.extendedHighestSequence).toBe(65536 + 1);
    expect(tracker.takeReport()).toMatchObject({ expected: 3, received: 4, cumulativeLost: -1 });
  });

  it('reports loss, and fraction lost over the interval since the previous report', () => {
    const tracker = validFrom(1000);
    feed(tracker, [1002, 1003, 1005]); // 1001 accepted at start; 1004 missing; 1000 was probation
    const first = tracker.takeReport();
    expect(first).toMatchObject({ expected: 5, received: 4, cumulativeLost: 1 });
    expect(first.fractionLost).toBe(Math.floor((1 * 256) / 5));
    feed(tracker, [1006, 1007, 1008, 1009]);
    expect(tracker.takeReport()).toMatchObject({ cumulativeLost: 1, fractionLost: 0 });
    feed(tracker, [1012]);
    expect(tracker.takeReport()).toMatchObject({
      cumulativeLost: 3,
      fractionLost: Math.floor((2 * 256) / 3),
    });
  });

  it('counts duplicates as received, so cumulative loss can go negative and fraction lost stays 0', () => {
    const tracker = validFrom(10);
    expect(feed(tracker, [12, 12, 12])).toEqual(['accepted', 'accepted', 'accepted']);
    expect(tracker.takeReport()).toMatchObject({
      expected: 2,
      received: 4,
      cumulativeLost: -2,
      fractionLost: 0,
    });
  });

  it('accepts a gap just under MAX_DROPOUT as loss', () => {
    const tracker = validFrom(0);
    expect(tracker.update(1 + MAX_DROPOUT - 1)).toBe('accepted');
    expect(tracker.takeReport().cumulativeLost).toBe(MAX_DROPOUT - 2);
  });

  it('drops a single big jump, and restarts when the next packet follows it', () => {
    const tracker = validFrom(500);
    expect(tracker.update(40_000)).toBe('bad');
    expect(tracker.update(502)).toBe('accepted');
    expect(tracker.update(30_000)).toBe('bad');
    expect(tracker.update(30_001)).toBe('restarted');
    expect(tracker.update(30_002)).toBe('accepted');
    expect(tracker.takeReport()).toMatchObject({
      extendedHighestSequence: 30_002,
      expected: 2,
      received: 2,
      cumulativeLost: 0,
    });
  });

  it('clamps cumulative loss to the signed 24-bit range', () => {
    const tracker = validFrom(0);
    for (let step = 1; step <= 6000; step++) tracker.update((step * 2999) & 0xffff);
    expect(tracker.takeReport().cumulativeLost).toBe(0x7fffff);
  });
});

describe('JitterEstimator', () => {
  it('stays at zero for packets that arrive exactly as sent', () => {
    const estimator = new JitterEstimator();
    for (let i = 0; i < 50; i++) estimator.update(1000 + i * 160, i * 160);
    expect(estimator.jitter).toBe(0);
  });

  it('moves 1/16 of the way towards each transit difference', () => {
    const estimator = new JitterEstimator();
    estimator.update(0, 0);
    estimator.update(160 + 32, 160); // arrived 32 units late
    expect(estimator.jitter).toBe(2);
    estimator.update(320, 320); // back on time: |D| = 32 again
    expect(estimator.jitter).toBe(2 + (32 - 2) / 16);
    expect(estimator.reportValue).toBe(3);
  });

  it('converges near the mean absolute deviation for alternating delays', () => {
    const estimator = new JitterEstimator();
    for (let i = 0; i < 500; i++) estimator.update(i * 160 + (i % 2 === 0 ? 0 : 80), i * 160);
    expect(estimator.jitter).toBeCloseTo(80, 5);
  });

  it('is not disturbed by the RTP timestamp wrapping', () => {
    const estimator = new JitterEstimator();
    const start = 0xffffffff - 400;
    for (let i = 0; i < 10; i++) estimator.update(5_000_000 + i * 160, (start + i * 160) >>> 0);
    expect(estimator.jitter).toBe(0);
  });

  it('forgets its history on reset', () => {
    const estimator = new JitterEstimator();
    estimator.update(0, 0);
    estimator.update(500, 160);
    estimator.reset();
    expect(estimator.jitter).toBe(0);
    estimator.update(9_999, 0);
    expect(estimator.jitter).toBe(0);
  });
});
