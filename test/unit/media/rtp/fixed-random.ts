// A Random whose bytes are given up front, so a test chooses the SSRC, first sequence number and first timestamp.
import type { Random } from '../../../../main/platform/random';
import { SeededRandom } from '../../../support/seeded-random';

/** Hands out `words` as big-endian 32-bit values, one per bytes(4); after that, seeded bytes; fraction() fixed. */
export function fixedRandom(words: readonly number[], fraction = 0.5): Random {
  const queue = [...words];
  const fallback = new SeededRandom(7);
  return {
    bytes(count: number): Uint8Array {
      const word = queue.shift();
      if (word === undefined || count !== 4) return fallback.bytes(count);
      return Uint8Array.from([word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff]);
    },
    token: (length) => fallback.token(length),
    fraction: () => fraction,
  };
}
