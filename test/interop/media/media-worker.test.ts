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
    await waitFor(() => heard.length >= 60);
    expect(toneShare(concat(heard.slice(20, 60)), 1000)).toBeGreaterThan(0.8);

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
    await waitFor(() => heard.length >= 60);
    expect(toneShare(concat(heard.slice(20, 60)), 700)).toBeGreaterThan(0.8);
    expect(heardOnB.length).toBeGreaterThan(40);
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
