// The jitter buffer's target delay: a peak-hold of relative delays over a drifting baseline.
import { describe, expect, it } from 'vitest';
import {
  BASELINE_WINDOW_MS,
  DEFAULT_DELAY_LIMITS,
  DelayEstimator,
  PEAK_WINDOW_MS,
} from '../../../../main/media/jitter/delay-estimator';

/** Feeds packets every 20 ms of media from `fromMs`, each delayed by `extraMs(index)` beyond a fixed 40 ms. */
function feed(
  estimator: DelayEstimator,
  count: number,
  extraMs: (index: number) => number,
  fromMs = 0,
): void {
  for (let index = 0; index < count; index++) {
    const mediaMs = fromMs + index * 20;
    estimator.observe(mediaMs + 40 + extraMs(index), mediaMs);
  }
}

describe('DelayEstimator', () => {
  it('aims for one frame when packets arrive evenly', () => {
    const estimator = new DelayEstimator();
    expect(estimator.baselineMs).toBeNull();
    feed(estimator, 100, () => 0);
    expect(estimator.baselineMs).toBe(40);
    expect(estimator.peakMs).toBe(0);
    expect(estimator.targetMs).toBe(20);
  });

  it('measures each packet against the fastest recent one, and aims for the peak plus a frame and a margin', () => {
    const estimator = new DelayEstimator();
    feed(estimator, 50, (index) => (index === 30 ? 25 : index % 3));
    expect(estimator.observe(50 * 20 + 40 + 7, 50 * 20)).toBe(7);
    expect(estimator.peakMs).toBe(25);
    expect(estimator.targetMs).toBe(25 + 20 + DEFAULT_DELAY_LIMITS.safetyMs);
  });

  it('keeps the margin no larger than the peak, so a little jitter costs a little delay', () => {
    const estimator = new DelayEstimator();
    feed(estimator, 50, (index) => (index === 10 ? 4 : 0));
    expect(estimator.targetMs).toBe(4 + 20 + 4);
  });

  it('grows at once and holds a peak for the peak window, then forgets it', () => {
    const estimator = new DelayEstimator();
    feed(estimator, 10, (index) => (index === 5 ? 120 : 0));
    expect(estimator.targetMs).toBe(150);
    feed(estimator, (PEAK_WINDOW_MS - 1_000) / 20, () => 0, 200);
    expect(estimator.targetMs).toBe(150);
    feed(estimator, 2_000 / 20, () => 0, PEAK_WINDOW_MS);
    expect(estimator.targetMs).toBe(20);
  });

  it('stays within the limits', () => {
    const estimator = new DelayEstimator({ minDelayMs: 40, maxDelayMs: 300, safetyMs: 10 });
    feed(estimator, 10, () => 0);
    expect(estimator.targetMs).toBe(40);
    feed(estimator, 10, (index) => (index === 3 ? 900 : 0), 200);
    expect(estimator.targetMs).toBe(300);
  });

  it('lets the baseline follow a drifting sender instead of taking the drift for jitter', () => {
    const estimator = new DelayEstimator();
    // 0.5 % slow: each packet arrives 0.1 ms later than the one before, relative to its media time.
    feed(estimator, 30_000, (index) => index * 0.1);
    expect(estimator.peakMs).toBeLessThanOrEqual((BASELINE_WINDOW_MS / 1_000) * 5 + 0.1);
    expect(estimator.baselineMs).toBeGreaterThan(40 + 30_000 * 0.1 - 20);
  });

  it('forgets the baseline but keeps the peaks when the timestamp base restarts', () => {
    const estimator = new DelayEstimator();
    feed(estimator, 10, (index) => (index === 2 ? 30 : 0));
    estimator.restartBase();
    expect(estimator.baselineMs).toBeNull();
    expect(estimator.targetMs).toBe(60);
    // The new base puts media time far from the old one; the first packet on it is not a jump in delay.
    expect(estimator.observe(250, 1_000_000)).toBe(0);
    expect(estimator.baselineMs).toBe(250 - 1_000_000);
  });
});
