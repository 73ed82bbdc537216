// The pure helpers of the impairment runs: the talking tone's level is the TONE_RMS the tests compare against and it
// is all in the judge's band; `fatesOf` repeats the relay's draws; `lossesBetweenDelivered` counts only the losses a
// receiver can see.
import { describe, expect, it } from 'vitest';
import { ENGINE_SAMPLE_RATE } from '../../../../main/media/media-seams';
import { analyzeTone, decibels } from '../../../support/audio/tone-judge';
import { ImpairmentModel, type PacketFate } from '../../../support/impairment-relay';
import { SeededRandom } from '../../../support/seeded-random';
import { concat } from '../../media/support/media-test-kit';
import { fatesOf, lossesBetweenDelivered, talkingToneFrame, TONE_RMS } from './impaired-call';

const fate = (lost: boolean): PacketFate => ({
  lost,
  lostInBurst: false,
  delayMs: 0,
  duplicated: false,
  reordered: false,
});

describe('impaired-call helpers', () => {
  it('the talking tone has the level TONE_RMS says, all of it within ±10 % of the tone', () => {
    // 2 s judged as one window: six whole syllables, so the level is the envelope's mean, not a window's share of it.
    const frames = Array.from({ length: 100 }, (_, index) => talkingToneFrame(index, 1000));
    const report = analyzeTone(
      { sampleRate: ENGINE_SAMPLE_RATE, channels: 1, samples: concat(frames) },
      { toneHz: 1000, windowS: 2 },
    );
    expect(report.minActiveShare).toBeGreaterThan(0.99);
    expect(Math.abs(decibels(report.toneRms / TONE_RMS))).toBeLessThan(0.1);
  });

  it('fatesOf draws what the relay model draws for the same seed', () => {
    const impairment = { loss: 0.2, jitterMs: 30 };
    const model = new ImpairmentModel(impairment, new SeededRandom(3));
    const expected = Array.from({ length: 50 }, () => model.next());
    expect(fatesOf(3, impairment, 50)).toEqual(expected);
    expect(expected.some((drawn) => drawn.lost)).toBe(true);
  });

  it('counts only the losses between the first and the last delivered packet', () => {
    const pattern = [true, false, true, true, false, false, true, false, true];
    expect(lossesBetweenDelivered(pattern.map(fate))).toBe(3);
    expect(lossesBetweenDelivered([true, true].map(fate))).toBe(0);
    expect(lossesBetweenDelivered([])).toBe(0);
  });
});
