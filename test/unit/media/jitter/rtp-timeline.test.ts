// Unwrapping RTP sequence numbers and timestamps against an accepted packet.
import { describe, expect, it } from 'vitest';
import {
  advanceReference,
  referenceOf,
  unwrapSequence,
  unwrapTimestamp,
} from '../../../../main/media/jitter/rtp-timeline';

describe('RTP timeline', () => {
  it('carries the sequence number forward past 65535 and back across the wrap', () => {
    const reference = referenceOf(65_534, 0);
    expect(unwrapSequence(65_535, reference)).toBe(65_535);
    expect(unwrapSequence(0, reference)).toBe(65_536);
    expect(unwrapSequence(5, reference)).toBe(65_541);
    const past = advanceReference(3, 65_539, 0, 0);
    expect(unwrapSequence(65_530, past)).toBe(65_530);
  });

  it('reads only the low 16 bits, so an extended sequence number unwraps the same', () => {
    const reference = advanceReference(65_535, 65_535, 0, 0);
    expect(unwrapSequence(65_536 + 2, reference)).toBe(65_538);
    expect(unwrapSequence(2, reference)).toBe(65_538);
  });

  it('carries the timestamp forward past 2^32 and back across the wrap', () => {
    const reference = referenceOf(0, 2 ** 32 - 160);
    expect(unwrapTimestamp(0, reference)).toBe(2 ** 32);
    expect(unwrapTimestamp(160, reference)).toBe(2 ** 32 + 160);
    const past = advanceReference(1, 1, 320, 2 ** 32 + 320);
    expect(unwrapTimestamp(2 ** 32 - 320, past)).toBe(2 ** 32 - 320);
  });

  it('takes the nearer way round for a jump of half the range', () => {
    const reference = referenceOf(0, 0);
    expect(unwrapTimestamp(2 ** 31 - 1, reference)).toBe(2 ** 31 - 1);
    expect(unwrapTimestamp(2 ** 31 + 1, reference)).toBe(-(2 ** 31) + 1);
    expect(unwrapSequence(40_000, reference)).toBe(40_000 - 65_536);
  });
});
