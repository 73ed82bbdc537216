// The E-model estimate against the values ITU-T publishes: G.107's default rating, the R-to-MOS table of G.109
// (Table 1), and the shape of the delay and loss impairments.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASIC_RATING,
  delayImpairment,
  effectiveEquipmentImpairment,
  estimateMos,
  mosFromRating,
  oneWayDelayMs,
  ratingFactor,
} from '../../../main/services/e-model';

const clean = { lossPercent: 0, roundTripMs: 0, jitterBufferDelayMs: 0 } as const;

describe('mosFromRating (G.107 Annex B)', () => {
  it.each([
    // G.109 Table 1: the user-satisfaction boundaries and their MOS.
    [90, 4.34],
    [80, 4.03],
    [70, 3.6],
    [60, 3.1],
    [50, 2.58],
    // G.107 §7.7: all defaults give R = 93.2, "MOS 4.41".
    [93.2, 4.41],
  ])('R = %d gives MOS %d', (r, mos) => {
    // The table prints two decimals (4.024 appears as 4.03), so agree within 0.01.
    expect(Math.abs(mosFromRating(r) - mos)).toBeLessThanOrEqual(0.01);
  });

  it('stays within 1 to 4.5 at and beyond the ends of the scale', () => {
    expect(mosFromRating(-20)).toBe(1);
    expect(mosFromRating(0)).toBe(1);
    expect(mosFromRating(3)).toBe(1);
    expect(mosFromRating(100)).toBe(4.5);
    expect(mosFromRating(130)).toBe(4.5);
  });
});

describe('delayImpairment (Idd, G.107 §7.4)', () => {
  it('is nothing up to 100 ms one way', () => {
    expect(delayImpairment(0)).toBe(0);
    expect(delayImpairment(100)).toBe(0);
    expect(delayImpairment(Number.NaN)).toBe(0);
  });

  it('grows slowly to 200 ms and steeply beyond, as G.107 Figure 7-1 draws it', () => {
    // X = 1 at 200 ms: 25·(2^⅙ − 3·(1 + 3⁻⁶)^⅙ + 2).
    expect(delayImpairment(200)).toBeCloseTo(3.04, 2);
    // X = 2 at 400 ms.
    expect(delayImpairment(400)).toBeCloseTo(24.07, 1);
    const samples = [120, 150, 200, 300, 400, 600].map(delayImpairment);
    for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThan(samples[i - 1]!);
  });
});

describe('effectiveEquipmentImpairment (Ie,eff, G.107 §7.5, random loss)', () => {
  it('is Ie alone without loss and tends to 95 with total loss', () => {
    expect(effectiveEquipmentImpairment(0, 25.1, 0)).toBe(0);
    expect(effectiveEquipmentImpairment(11, 19, 0)).toBe(11);
    expect(effectiveEquipmentImpairment(0, 25.1, 100)).toBeCloseTo((95 * 100) / 125.1, 6);
  });

  it('follows Ppl / (Ppl + Bpl) for G.711 with concealment (G.113 Table I.3: Bpl 25.1)', () => {
    expect(effectiveEquipmentImpairment(0, 25.1, 2)).toBeCloseTo((95 * 2) / 27.1, 6);
    expect(effectiveEquipmentImpairment(0, 25.1, 5)).toBeCloseTo((95 * 5) / 30.1, 6);
  });

  it('treats a negative or broken loss figure as none', () => {
    expect(effectiveEquipmentImpairment(0, 25.1, -3)).toBe(0);
    expect(effectiveEquipmentImpairment(0, 25.1, Number.NaN)).toBe(0);
  });
});

describe('estimateMos', () => {
  it('rates a clean short call 4.41, the narrowband ceiling, for every codec', () => {
    for (const codec of ['pcmu', 'pcma', 'opus'] as const) {
      expect(ratingFactor({ codec, ...clean })).toBeCloseTo(DEFAULT_BASIC_RATING, 6);
      expect(estimateMos({ codec, ...clean })).toBe(4.41);
    }
  });

  it('rates Opus and G.711 alike for the same heard loss and delay: one narrowband scale, no guessed Opus values', () => {
    for (const lossPercent of [0, 1, 3, 10]) {
      const input = { lossPercent, roundTripMs: 80, jitterBufferDelayMs: 60 };
      expect(estimateMos({ codec: 'opus', ...input })).toBe(estimateMos({ codec: 'pcmu', ...input }));
    }
    // 1 % heard loss (e.g. 5 % on the network with 4 % rebuilt from FEC): R = 93.2 − 95·1/26.1 ≈ 89.56.
    expect(ratingFactor({ codec: 'opus', ...clean, lossPercent: 1 })).toBeCloseTo(93.2 - 95 / 26.1, 6);
    expect(estimateMos({ codec: 'opus', ...clean, lossPercent: 1 })).toBe(4.33);
  });

  it('counts half the round trip, the jitter buffer and one frame as the one-way delay', () => {
    expect(oneWayDelayMs({ roundTripMs: 200, jitterBufferDelayMs: 60 })).toBe(180);
    expect(oneWayDelayMs({ roundTripMs: null, jitterBufferDelayMs: 40 })).toBe(60);
    expect(oneWayDelayMs({ roundTripMs: -5, jitterBufferDelayMs: -1 })).toBe(20);
  });

  it('falls with loss and with delay, and never leaves 1 to 4.41', () => {
    const at = (lossPercent: number, roundTripMs: number) =>
      estimateMos({ codec: 'pcmu', lossPercent, roundTripMs, jitterBufferDelayMs: 40 });
    expect(at(1, 50)).toBeLessThan(at(0, 50));
    expect(at(5, 50)).toBeLessThan(at(1, 50));
    expect(at(0, 600)).toBeLessThan(at(0, 100));
    // 2 % random loss with concealment: R = 93.2 − 95·2/27.1 ≈ 86.2, MOS ≈ 4.23.
    expect(at(2, 50)).toBeCloseTo(mosFromRating(93.2 - (95 * 2) / 27.1), 2);
    expect(at(100, 5_000)).toBe(1);
  });
});
