// SequenceTracker.peekReport: live loss figures for stats without starting a new RTCP fraction-lost interval.
import { describe, expect, it } from 'vitest';
import { SequenceTracker } from '../../../../main/media/rtp/sequence';

describe('SequenceTracker.peekReport', () => {
  it('gives what takeReport would, and leaves the next takeReport’s interval untouched', () => {
    const tracker = new SequenceTracker(10);
    for (const sequence of [10, 11, 12, 14]) tracker.update(sequence);
    const peeked = tracker.peekReport();
    expect(peeked).toMatchObject({ cumulativeLost: 1, expected: 4, received: 3 });
    expect(tracker.peekReport()).toEqual(peeked);
    // Had peek started a new interval, this would be 0.
    expect(tracker.takeReport()).toEqual(peeked);
    expect(peeked.fractionLost).toBe(64);
  });
});
