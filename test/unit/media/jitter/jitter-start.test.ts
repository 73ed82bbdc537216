// The delay a clean stream settles at when its first packets arrive before anyone pulls: the worker's stream
// receives RTP from the moment it starts, but pulls only once the audio port listens (the CLI's recorder, the
// window's speaker), which can be a few hundred milliseconds later. Those packets must not become standing delay.
import { describe, expect, it } from 'vitest';
import { AdaptiveJitterBuffer } from '../../../../main/media/jitter/jitter-buffer';
import { FakeVoiceDecoder, SPEECH } from './fake-voice-decoder';
import { playOut, send, transmit } from './stream-simulation';

/** A continuous tone: every packet is speech, so there is no quiet frame to shrink on. */
function settle(firstPullMs: number) {
  const decoder = new FakeVoiceDecoder();
  const buffer = new AdaptiveJitterBuffer({ decoder });
  const arrivals = transmit(send({ count: 300 }), { delayMs: 1 });
  const frames = playOut(buffer, arrivals, 3_000, undefined, firstPullMs);
  return { buffer, frames, decoder };
}

describe('AdaptiveJitterBuffer start on a clean stream', () => {
  for (const firstPullMs of [0, 21, 81, 161, 281, 601]) {
    it(`settles at one or two frames when the first pull comes ${firstPullMs} ms after the first packet`, () => {
      const { buffer, frames } = settle(firstPullMs);
      const stats = buffer.stats();
      expect(stats.targetDelayMs).toBe(20);
      expect(stats.delayMs).toBeLessThanOrEqual(40);
      expect(stats.playoutDelayMs).toBeLessThanOrEqual(40);
      // Nothing was made up to get there: the audio is the sender's, continuous, with no late packet.
      expect(stats.late).toBe(0);
      expect(stats.concealed).toBe(0);
      const firstSound = frames.findIndex((frame) => frame.some((sample) => sample !== 0));
      expect(firstSound).toBeGreaterThanOrEqual(0);
      expect(frames.slice(firstSound).every((frame) => frame.every((sample) => sample === SPEECH))).toBe(
        true,
      );
    });
  }
});
