// The media worker on a real thread with real UDP sockets on 127.0.0.1: the TypeScript entry loads through its
// bootstrap, two calls in one worker carry a tone and DTMF to each other, one call's failure leaves the other
// alone, and a worker that dies tells every call and is replaced.
import { afterEach, describe, expect, it } from 'vitest';
import { AudioStreamEndpoint } from '../../../main/media/session/audio-stream-endpoint';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import type { MediaEvent } from '../../../main/media/session/media-worker-protocol';
import { concat, frameOfTone, pcmuTo, toneShare, waitFor } from './support/media-test-kit';

/** Microphone frames queued ahead, as the WAV player does (200 ms): speaker frames reach the main thread on its
 *  20 ms poll, so the pacing loop runs up to a frame behind the worker. */
const LEAD_FRAMES = 10;
/** Frames judged together for the tone (800 ms), after at least SETTLE_FRAMES (the jitter buffer's priming). */
const TONE_WINDOW_FRAMES = 40;
const SETTLE_FRAMES = 20;

/**
 * Waits until the newest TONE_WINDOW_FRAMES frames heard are the `hz` tone (over 80 % of their energy), for at
 * most `timeoutMs`. Not a fixed stretch of frames: a worker starved of CPU in its first second (cold code, a loaded
 * machine) runs its ticks late for both ends of these calls at once, which the receiving jitter buffer rightly
 * takes as network jitter and absorbs by stretching the audio with concealment while it grows its delay. How that
 * start sounds is the benchmarks' concern; these tests ask whether the tone gets through at all.
 */
async function waitForTone(heard: readonly Int16Array[], hz: number, timeoutMs = 10_000): Promise<void> {
  let share = 0;
  try {
    await waitFor(() => {
      if (heard.length < SETTLE_FRAMES + TONE_WINDOW_FRAMES) return false;
      share = toneShare(concat(heard.slice(-TONE_WINDOW_FRAMES)), hz);
      return share > 0.8;
    }, timeoutMs);
  } catch {
    throw new Error(
      `no ${TONE_WINDOW_FRAMES} frames of the ${hz} Hz tone in ${heard.length} heard (last share ${share})`,
    );
  }
}

describe('media worker on a real thread', () => {
  const hosts: MediaWorkerHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });

  function newHost(workerUrl?: URL): { host: MediaWorkerHost; events: MediaEvent[] } {
    const host = new MediaWorkerHost(workerUrl === undefined ? {} : { workerUrl });
    hosts.push(host);
    const events: MediaEvent[] = [];
    host.onEvent((event) => events.push(event));
    return { host, events };
  }

  async function twoCalls(host: MediaWorkerHost): Promise<void> {
    const a = await host.allocate('a', '127.0.0.1');
    const b = await host.allocate('b', '127.0.0.1');
    if (!a.ok || !b.ok) throw new Error('allocation failed');
    expect(a.value.rtcpPort).toBe(a.value.rtpPort + 1);
    expect(await host.start('a', pcmuTo(b.value.rtpPort))).toEqual({ ok: true, value: null });
    expect(await host.start('b', pcmuTo(a.value.rtpPort))).toEqual({ ok: true, value: null });
  }

  it('carries a tone and DTMF between two calls, with quality reports', async () => {
    const { host, events } = newHost();
    await twoCalls(host);
    const speaker = new AudioStreamEndpoint(host.audioPort('a')!);
    const heard: Int16Array[] = [];
    new AudioStreamEndpoint(host.audioPort('b')!).onFrame((frame) => heard.push(frame));
    // a's microphone: a tone, one frame per frame the worker plays (the worker's tick paces it), after a lead of
    // LEAD_FRAMES so a main thread slowed by a loaded machine does not leave the worker without a frame.
    let sent = 0;
    for (; sent < LEAD_FRAMES; sent++) speaker.sendFrame(frameOfTone(sent));
    speaker.onFrame(() => speaker.sendFrame(frameOfTone(sent++)));
    await waitForTone(heard, 1000);

    expect(await host.sendDtmf('b', '42')).toEqual({ ok: true, value: null });
    await waitFor(() => events.filter((event) => event.type === 'dtmf').length === 2);
    expect(
      events.flatMap((event) => (event.type === 'dtmf' ? [`${event.callId}:${event.digit.digit}`] : [])),
    ).toEqual(['a:4', 'a:2']);
    await waitFor(() => events.some((event) => event.type === 'quality' && event.callId === 'b'), 4_000);
    const quality = events.find((event) => event.type === 'quality' && event.callId === 'b');
    expect(quality?.type === 'quality' && quality.quality.received.packets).toBeGreaterThan(50);
  });

  it('runs an Opus call beside the G.711 ones in the same worker', async () => {
    const { host } = newHost();
    await twoCalls(host);
    const opus = {
      payloadType: 111,
      name: 'opus',
      encodingName: 'opus',
      clockRate: 48_000,
      channels: 2,
    } as const;
    const c = await host.allocate('c', '127.0.0.1');
    const d = await host.allocate('d', '127.0.0.1');
    if (!c.ok || !d.ok) throw new Error('allocation failed');
    expect(await host.start('c', pcmuTo(d.value.rtpPort, { codec: opus }))).toEqual({
      ok: true,
      value: null,
    });
    expect(await host.start('d', pcmuTo(c.value.rtpPort, { codec: opus }))).toEqual({
      ok: true,
      value: null,
    });
    const microphone = new AudioStreamEndpoint(host.audioPort('c')!);
    let sent = 0;
    for (; sent < LEAD_FRAMES; sent++) microphone.sendFrame(frameOfTone(sent, 700));
    microphone.onFrame(() => microphone.sendFrame(frameOfTone(sent++, 700)));
    const heard: Int16Array[] = [];
    const heardOnB: Int16Array[] = [];
    new AudioStreamEndpoint(host.audioPort('d')!).onFrame((frame) => heard.push(frame));
    new AudioStreamEndpoint(host.audioPort('b')!).onFrame((frame) => heardOnB.push(frame));
    await waitForTone(heard, 700);
    // The G.711 call beside it kept playing all the while: its speaker, listened to from the same moment, heard
    // about as many frames (each reader polls on its own 20 ms timer, so one may be a frame or two ahead).
    expect(heardOnB.length).toBeGreaterThan(heard.length - SETTLE_FRAMES);
    expect(host.callIds).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reports a crashed worker to every call, fails the request in flight, and starts a fresh worker', async () => {
    const { host, events } = newHost(new URL('./support/crashing-media-worker.mjs', import.meta.url));
    await twoCalls(host);
    const result = await host.sendDtmf('a', '9');
    expect(result).toMatchObject({ ok: false, error: { code: 'worker-crashed' } });
    await waitFor(() => events.filter((event) => event.type === 'error').length === 2);
    expect(events.filter((event) => event.type === 'error')).toEqual([
      {
        type: 'error',
        callId: 'a',
        failure: { code: 'worker-crashed', message: expect.stringContaining('injected') },
      },
      {
        type: 'error',
        callId: 'b',
        failure: { code: 'worker-crashed', message: expect.stringContaining('injected') },
      },
    ]);
    expect(host.crashes).toBe(1);
    expect(host.callIds).toEqual([]);
    // The next call gets a new worker.
    await twoCalls(host);
    const heard: Int16Array[] = [];
    new AudioStreamEndpoint(host.audioPort('b')!).onFrame((frame) => heard.push(frame));
    await waitFor(() => heard.length >= 10);
  });
});
