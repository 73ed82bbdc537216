import { describe, expect, it } from 'vitest';
import {
  ExpectedLoss,
  LOSS_WINDOW_REPORTS,
  MAX_EXPECTED_LOSS_PERCENT,
} from '../../../../main/media/codecs/expected-loss';

describe('ExpectedLoss', () => {
  it('expects no loss before any report', () => {
    expect(new ExpectedLoss().percent).toBe(0);
  });

  it('rises at once to a report, rounded up to a whole percent', () => {
    const loss = new ExpectedLoss();
    expect(loss.report(0.05)).toBe(5);
    expect(loss.report(1 / 256)).toBe(5);
    const fresh = new ExpectedLoss();
    expect(fresh.report(1 / 256)).toBe(1);
    expect(fresh.percent).toBe(1);
  });

  it('keeps the worst of the last reports and falls only as it leaves the window', () => {
    const loss = new ExpectedLoss();
    loss.report(0.12);
    const quiet: number[] = [];
    for (let i = 0; i < LOSS_WINDOW_REPORTS; i++) quiet.push(loss.report(0));
    expect(quiet.slice(0, LOSS_WINDOW_REPORTS - 1)).toEqual(Array(LOSS_WINDOW_REPORTS - 1).fill(12));
    expect(quiet.at(-1)).toBe(0);
  });

  it('caps what it asks for where FEC stops helping', () => {
    expect(new ExpectedLoss().report(0.9)).toBe(MAX_EXPECTED_LOSS_PERCENT);
  });

  it('counts a report it cannot read as no loss', () => {
    const loss = new ExpectedLoss();
    expect(loss.report(Number.NaN)).toBe(0);
    expect(loss.report(-3)).toBe(0);
    expect(loss.report(Infinity)).toBe(0);
    expect(loss.report(2)).toBe(MAX_EXPECTED_LOSS_PERCENT);
  });
});
