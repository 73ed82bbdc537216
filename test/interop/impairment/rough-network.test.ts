// Issue 7 §8 (optional part): burst loss (Gilbert–Elliott), reordering and duplication do not crash or break a
// call's stream. Both codecs' concealment paths run: Opus (PLC and FEC) and G.711 (repeat and fade). Two media
// workers on real threads carry the call through the seeded impairment relay (support/impaired-call.ts), both
// directions impaired; neither stream may stop or go quiet, the receiver's jitter buffer must account for what
// the relay did, and the tone must survive.
import { describe, expect, it } from 'vitest';
import { OPUS } from '../../../main/sdp/codecs';
import { analyzeTone } from '../../support/audio/tone-judge';
import type { Impairment } from '../../support/impairment-relay';
import { fatesOf, lossesBetweenDelivered, runImpairedCall } from './support/impaired-call';
import { opusParams, PCMU_PARAMS } from './support/stream-codecs';

const SEED = 21;
/** Bursts of 1 / 0.3 ≈ 3 packets (60 ms) about every 50 packets, 5 % reordered, 5 % duplicated. */
const A_TO_B: Impairment = { burst: { goodToBad: 0.02, badToGood: 0.3 }, reorder: 0.05, duplicate: 0.05 };
const B_TO_A: Impairment = { reorder: 0.1, duplicate: 0.1 };

describe.each([
  ['Opus', opusParams(OPUS.fmtp)],
  ['PCMU', PCMU_PARAMS],
])('a %s call on a rough network', (_name, codec) => {
  it('survives burst loss, reordering and duplication, and keeps the tone', async () => {
    const run = await runImpairedCall({
      codec,
      seed: SEED,
      aToB: A_TO_B,
      bToA: B_TO_A,
      toneMs: 5_000,
      toneHz: 1000,
    });
    const jb = run.final.jitterBuffer;
    expect(run.failures).toEqual([]);
    // The relay did all three to A's packets, and reordered and duplicated B's.
    expect(run.aToB.lostInBurst).toBeGreaterThan(0);
    expect(run.aToB.reordered).toBeGreaterThan(0);
    expect(run.aToB.duplicated).toBeGreaterThan(0);
    expect(run.bToA.reordered + run.bToA.duplicated).toBeGreaterThan(0);

    // B's buffer took every datagram the relay sent, dropped each extra copy as a duplicate (or as late, when the
    // first copy was late too), and counted each loss it could see; every loss was filled.
    expect(jb.received).toBe(run.aToB.sent);
    expect(jb.duplicates).toBeLessThanOrEqual(run.aToB.duplicated);
    expect(jb.duplicates + jb.late).toBeGreaterThanOrEqual(run.aToB.duplicated);
    const seen = lossesBetweenDelivered(fatesOf(SEED, A_TO_B, run.aToB.received));
    expect(jb.lost).toBeGreaterThanOrEqual(seen);
    expect(jb.lost).toBeLessThanOrEqual(seen + jb.late);
    expect(jb.concealed + jb.recovered).toBeGreaterThanOrEqual(jb.lost);
    expect(jb.restarts).toBe(0);

    const tone = analyzeTone(run.heard, { toneHz: 1000 });
    expect(tone.toneWindows).toBeGreaterThanOrEqual(9);
    expect(tone.minActiveShare).toBeGreaterThanOrEqual(0.8);
  });
});
