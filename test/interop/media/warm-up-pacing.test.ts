// A call that starts while the media worker is warming up (warm-up.ts) keeps its 20 ms pacing: the warm-up yields
// to calls (it takes no tick while the worker has one), so the call's RTP leaves on time from its first packet. The
// RTP is noted on arrival by a UDP receiver in a worker thread of its own (as in the main-thread stall test): no
// sequence number missing, every timestamp one packet on, and no gap near what a tick stuck behind the warm-up would
// show. Afterwards the warm-up goes on and finishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import { DEFAULT_WARM_UP_TICKS } from '../../../main/media/session/media-worker-protocol';
import { pcmuTo, sleep, waitFor } from './support/media-test-kit';
import { ownUdpPorts } from './support/own-udp-ports';
import { ArrivalRecorder, expectUnbrokenPcmu, pacing, percentile } from './support/rtp-arrivals';

describe('a call that starts during the worker warm-up', () => {
  let host: MediaWorkerHost;
  let receiver: ArrivalRecorder;

  beforeAll(async () => {
    receiver = await ArrivalRecorder.start();
    // The warm-up at once (not 2 s after the worker is ready), without a port pool: every socket beyond the
    // receiver's is the warm-up's until the call binds its own.
    host = new MediaWorkerHost({ warmUpTicks: DEFAULT_WARM_UP_TICKS, warmUpDelayMs: 0, portPoolSize: 0 });
  });

  afterAll(async () => {
    await host.close();
    await receiver.terminate();
  });

  it('sends its RTP every 20 ms with no gap, and the warm-up finishes after it', async () => {
    const baseline = ownUdpPorts().length;
    let warm = false;
    void host.warmedUp().then(() => (warm = true));
    await waitFor(() => ownUdpPorts().length > baseline, 10_000);

    const allocated = await host.allocate('call', '127.0.0.1');
    expect(allocated.ok).toBe(true);
    expect(await host.start('call', pcmuTo(receiver.port, { receive: false }))).toEqual({
      ok: true,
      value: null,
    });
    // The call did start in the middle of the warm-up.
    expect(warm).toBe(false);
    await sleep(1000);
    await host.stop('call');
    await waitFor(() => warm, 20_000);

    const arrivals = await receiver.arrivals();
    expect(arrivals.length).toBeGreaterThan(40);
    expectUnbrokenPcmu(arrivals);
    const { gaps: sorted, deviations } = pacing(arrivals);
    // As in the stall test: far from a tick held up behind a warm-up round, with room for a loaded two-core machine.
    expect(sorted.at(-1)).toBeLessThan(120);
    console.info(
      `RTP send pacing over ${sorted.length} intervals of a call started during the warm-up: ` +
        `interval p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms, ` +
        `max ${sorted.at(-1)!.toFixed(2)} ms; deviation from 20 ms p99 ${percentile(deviations, 0.99).toFixed(2)} ms`,
    );
  });
});
