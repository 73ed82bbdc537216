// Issue 7 §8: at 50 ms of jitter (seeded), once the jitter buffer has adapted no frame is dropped for lateness, and
// the tone still arrives. Two media workers on real threads carry an Opus call through the impairment relay
// (support/impaired-call.ts), which delays each RTP packet by a seeded draw from [0, 50] ms, so packets 20 ms apart
// also overtake each other. The receiver's quality reports (every 2 s) show the late count; after the adaptation
// period it must not grow again.
import { describe, expect, it } from 'vitest';
import { OPUS } from '../../../main/sdp/codecs';
import { analyzeTone, decibels, type ToneReport } from '../../support/audio/tone-judge';
import { fatesOf, runImpairedCall, TONE_RMS, type ImpairedCallResult } from './support/impaired-call';
import { opusParams } from './support/stream-codecs';

const JITTER = { jitterMs: 50 };

function expectToneArrived(run: ImpairedCallResult): ToneReport {
  const tone = analyzeTone(run.heard, { toneHz: 1000 });
  expect(tone.minActiveShare).toBeGreaterThanOrEqual(0.8);
  expect(Math.abs(decibels(tone.toneRms / TONE_RMS))).toBeLessThan(3);
  return tone;
}

describe('an Opus call at 50 ms of jitter', () => {
  it('from the first packet: the buffer adapts at once, and no packet is late after the first report', async () => {
    const seed = 12;
    const run = await runImpairedCall({
      codec: opusParams(OPUS.fmtp),
      seed,
      aToB: JITTER,
      toneMs: 5_000,
      toneHz: 1000,
    });
    const [first] = run.reports;
    const jb = run.final.jitterBuffer;
    // Packets really did overtake each other: the seeded delays reorder some of the 20 ms spaced packets.
    const departures = fatesOf(seed, JITTER, run.aToB.received).map(
      (fate, index) => index * 20 + fate.delayMs,
    );
    expect(
      departures.filter((departure, index) => departure > (departures[index + 1] ?? Infinity)).length,
    ).toBeGreaterThan(10);
    expect(run.aToB.lost).toBe(0);

    // The target covers the jitter (its peak, a frame, a margin), and the late count stopped where it was at the
    // first report: every packet lost to the buffer was lost while it adapted.
    expect(jb.peakJitterMs).toBeGreaterThan(40);
    expect(jb.targetDelayMs).toBeGreaterThan(jb.peakJitterMs);
    expect(jb.late).toBe(first!.jitterBuffer.late);
    expect(jb.late).toBeLessThanOrEqual(2);
    expect(jb.lost).toBe(jb.late);
    expect(jb.received).toBe(run.aToB.sent);
    expectToneArrived(run);
  });

  it('when a clean network turns jittery mid-call: the buffer grows, and after that nothing more is late', async () => {
    // 2.5 s clean, then 50 ms of jitter for 3.5 s; B reports at 2, 4, 6 s (and once more after A stops).
    const run = await runImpairedCall({
      codec: opusParams(OPUS.fmtp),
      seed: 11,
      aToBLater: { frame: 125, impairment: JITTER },
      toneMs: 6_000,
      toneHz: 1000,
    });
    const adapted = run.reports[1];
    const jb = run.final.jitterBuffer;
    expect(run.reports.length).toBeGreaterThanOrEqual(4);
    // After the change its target covers the jitter. (Before it the target is usually near 30 ms, but a loaded
    // machine starting two workers can show as much jitter on loopback, so that is not asserted.)
    expect(jb.peakJitterMs).toBeGreaterThan(40);
    expect(jb.targetDelayMs).toBeGreaterThan(jb.peakJitterMs);
    // Whatever came late while it grew (the switch is 1.5 s before the second report), nothing did afterwards.
    expect(jb.late).toBe(adapted!.jitterBuffer.late);
    expect(jb.late).toBeLessThanOrEqual(3);
    expect(run.aToB.lost).toBe(0);
    expect(jb.lost).toBe(jb.late);
    // A packet the buffer gave up as late is played from its successor's FEC or concealed, like a lost one.
    expect(jb.concealed + jb.recovered).toBeGreaterThanOrEqual(jb.lost);
    expectToneArrived(run);
  });
});
