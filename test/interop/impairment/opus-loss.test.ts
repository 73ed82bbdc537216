// Issue 7 §8: at 5 % random loss (seeded) an Opus call keeps the tone. Two media workers on real threads carry a
// call through the impairment relay (support/impaired-call.ts); the receiving side's jitter buffer must count every
// loss it can see, each one concealed or rebuilt from the next packet's in-band FEC (we offer and send
// useinbandfec=1), and what it plays must still be the tone: ≥ 80 % of the energy within ±10 % of it in every active
// half-second, level within 3 dB of what was sent.
import { describe, expect, it } from 'vitest';
import { OPUS } from '../../../main/sdp/codecs';
import { analyzeTone, decibels } from '../../support/audio/tone-judge';
import { fatesOf, lossesBetweenDelivered, runImpairedCall, TONE_RMS } from './support/impaired-call';
import { opusParams } from './support/stream-codecs';

const SEED = 7;
const LOSS = { loss: 0.05 };

describe('an Opus call at 5 % random loss', () => {
  it('keeps the tone, and every loss is concealed or recovered by FEC', async () => {
    const run = await runImpairedCall({
      codec: opusParams(OPUS.fmtp),
      seed: SEED,
      aToB: LOSS,
      toneMs: 5_000,
      toneHz: 1000,
    });
    const fates = fatesOf(SEED, LOSS, run.aToB.received);
    const jb = run.final.jitterBuffer;

    // The relay dropped exactly the packets the seed names, about one in twenty.
    expect(run.aToB.lost).toBe(fates.filter((fate) => fate.lost).length);
    expect(run.aToB.lost / run.aToB.received).toBeGreaterThan(0.03);
    expect(run.aToB.lost / run.aToB.received).toBeLessThan(0.08);
    // The jitter buffer saw each loss between its first and last packet (and any packet that came too late, which
    // loopback under load can produce at the start, before the target has grown).
    expect(jb.lost).toBe(lossesBetweenDelivered(fates) + jb.late);
    // Each one was played as FEC from the packet after it, or concealed; FEC did part of the work.
    expect(jb.recovered).toBeGreaterThan(0);
    expect(jb.recovered).toBeLessThanOrEqual(jb.lost);
    expect(jb.concealed + jb.recovered).toBeGreaterThanOrEqual(jb.lost);

    const tone = analyzeTone(run.heard, { toneHz: 1000 });
    expect(tone.activeWindows).toBeGreaterThanOrEqual(9);
    expect(tone.minActiveShare).toBeGreaterThanOrEqual(0.8);
    expect(Math.abs(decibels(tone.toneRms / TONE_RMS))).toBeLessThan(3);
  });
});
