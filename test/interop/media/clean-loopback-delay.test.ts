// The delay the jitter buffer settles at on a clean loopback: two media workers on their own threads (as two
// phones), a continuous Opus tone each way over real UDP on 127.0.0.1, and the speaker of each side starting to
// listen a while after its stream started (as `softphone call`/`answer` do when the call connects). With no jitter
// the buffer must hold one or two frames; the quality report after about 4 s must say so.
import { afterEach, describe, expect, it } from 'vitest';
import { AudioStreamEndpoint } from '../../../main/media/session/audio-stream-endpoint';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import type { MediaEvent, StreamParams } from '../../../main/media/session/media-worker-protocol';
import { FRAME_MS, type JitterBufferStats } from '../../../main/media/media-seams';
import { frameOfTone, pcmuTo, sleep, waitFor } from './support/media-test-kit';

const OPUS: StreamParams['codec'] = {
  payloadType: 111,
  name: 'opus',
  encodingName: 'opus',
  clockRate: 48_000,
  channels: 2,
};

/**
 * The target a clean run shows here: measured alone, loopback peaks of 6-15 ms, so a target of the peak, the frame a
 * packet can wait for the next pull and a 10 ms safety margin (delay-estimator.ts) of at most 45 ms.
 */
const CLEAN_TARGET_MS = 45;
/** Above its target, a continuous tone (no quiet frame to drop) lets the buffer keep up to this before it cuts. */
const FORCED_SHRINK_MS = 60;

/**
 * The most the buffer may hold after settling. On a clean loopback, 60 ms (one or two frames plus the frame a
 * packet can wait for the next pull; measured alone: 20-40 ms). Other workers on the same two cores can make
 * loopback itself jittery (65-86 ms peaks seen under load, with packets arriving in bursts); the buffer must then
 * cover that jitter, so the bound follows the target that measured jitter set. Before the fix the buffer held all
 * that arrived before the speaker listened (300 ms with a 20-36 ms target), which either bound refuses.
 */
function allowedDelayMs(report: JitterBufferStats): number {
  if (report.targetDelayMs <= CLEAN_TARGET_MS) return 60;
  return report.targetDelayMs + FRAME_MS + FORCED_SHRINK_MS;
}

/** The quality reports come every 2 s: the second is the first one after about 3 s of audio. */
const SETTLED_REPORT = 2;

describe('jitter buffer delay on a clean loopback between two media workers', () => {
  const hosts: MediaWorkerHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });

  function newHost(): { host: MediaWorkerHost; events: MediaEvent[] } {
    const host = new MediaWorkerHost({});
    hosts.push(host);
    const events: MediaEvent[] = [];
    host.onEvent((event) => events.push(event));
    return { host, events };
  }

  /** A tone as the microphone, one frame per frame played, as a WAV player with a 200 ms lead does. */
  function playTone(endpoint: AudioStreamEndpoint, hz: number): void {
    let sent = 0;
    for (; sent < 10; sent++) endpoint.sendFrame(frameOfTone(sent, hz));
    endpoint.onFrame(() => endpoint.sendFrame(frameOfTone(sent++, hz)));
  }

  it('holds at most 60 ms once settled, with a speaker that starts listening 300 ms after the stream', async () => {
    const left = newHost();
    const right = newHost();
    const a = await left.host.allocate('a', '127.0.0.1');
    const b = await right.host.allocate('b', '127.0.0.1');
    if (!a.ok || !b.ok) throw new Error('allocation failed');
    expect(await left.host.start('a', pcmuTo(b.value.rtpPort, { codec: OPUS }))).toEqual({
      ok: true,
      value: null,
    });
    expect(await right.host.start('b', pcmuTo(a.value.rtpPort, { codec: OPUS }))).toEqual({
      ok: true,
      value: null,
    });
    // Silence goes out from the start (no microphone frame yet), so packets reach each buffer before anyone pulls.
    await sleep(300);
    playTone(new AudioStreamEndpoint(left.host.audioPort('a')!), 700);
    playTone(new AudioStreamEndpoint(right.host.audioPort('b')!), 1_000);

    const settled = (events: MediaEvent[]) =>
      events.filter((event) => event.type === 'quality').at(SETTLED_REPORT - 1);
    await waitFor(() => settled(left.events) !== undefined && settled(right.events) !== undefined, 8_000);
    for (const events of [left.events, right.events]) {
      const report = settled(events);
      if (report?.type !== 'quality') throw new Error('no quality report');
      const jitter = report.quality.jitterBuffer;
      expect(jitter.received).toBeGreaterThan(150);
      expect(jitter.delayMs, JSON.stringify(jitter)).toBeLessThanOrEqual(allowedDelayMs(jitter));
    }
  });
});
