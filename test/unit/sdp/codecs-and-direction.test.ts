import { describe, expect, it } from 'vitest';
import { DEFAULT_CODEC_ORDER, codecFor, normaliseCodecOrder } from '../../../main/sdp/codecs';
import { fromFlow, intersect, mirror, toFlow } from '../../../main/sdp/direction';
import type { Direction } from '../../../main/sdp/session-description';

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

describe('codecs', () => {
  it('recognises our codecs by rtpmap, names case-insensitively (RFC 8866 §6.6), channels exactly', () => {
    expect(codecFor('OPUS', 48000, 2)?.name).toBe('opus');
    expect(codecFor('pcmu', 8000, 1)?.name).toBe('pcmu');
    expect(codecFor('PCMA', 8000, 1)?.name).toBe('pcma');
    expect(codecFor('PCMA', 16000, 1)).toBeUndefined();
    expect(codecFor('opus', 48000, 1)).toBeUndefined();
    expect(codecFor('G722', 8000, 1)).toBeUndefined();
  });

  it('keeps an account order without duplicates and falls back to the default when it is empty', () => {
    expect(normaliseCodecOrder(['pcma', 'opus', 'pcma'])).toEqual(['pcma', 'opus']);
    expect(normaliseCodecOrder([])).toEqual(DEFAULT_CODEC_ORDER);
    expect(normaliseCodecOrder(undefined)).toEqual(['opus', 'pcmu', 'pcma']);
  });
});

describe('direction algebra', () => {
  it('round-trips every direction through its flow', () => {
    for (const direction of DIRECTIONS) expect(fromFlow(toFlow(direction))).toBe(direction);
  });

  it('mirrors as RFC 3264 §6.1 answers: sendonly ↔ recvonly, the others unchanged', () => {
    expect(DIRECTIONS.map(mirror)).toEqual(['sendrecv', 'recvonly', 'sendonly', 'inactive']);
  });

  it('intersects: only what both allow', () => {
    expect(intersect('sendonly', 'recvonly')).toBe('inactive');
    expect(intersect('sendrecv', 'recvonly')).toBe('recvonly');
    for (const direction of DIRECTIONS) {
      expect(intersect(direction, 'sendrecv')).toBe(direction);
      expect(intersect(direction, 'inactive')).toBe('inactive');
    }
  });
});
