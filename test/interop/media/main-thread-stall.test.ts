// The proof that media is off the main thread (issue 7 §5): while a call streams RTP from the media worker to a
// UDP receiver (itself in a worker, so it notes arrival times as packets come), the main thread busy-loops for
// 200 ms. The RTP must go on: packets arrive during the stall, no sequence number is missing, every timestamp
// steps by one packet, and no inter-arrival gap comes near the 200 ms a main-thread sender would show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import { pcmuTo, sleep } from './support/media-test-kit';
import { ArrivalRecorder, expectUnbrokenPcmu, pacing, percentile } from './support/rtp-arrivals';

const STALL_MS = 200;

function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

describe('a 200 ms main-thread stall during a call', () => {
  let host: MediaWorkerHost;
  let receiver: ArrivalRecorder;

  beforeAll(async () => {
    host = new MediaWorkerHost();
    receiver = await ArrivalRecorder.start();
  });

  afterAll(async () => {
    await host.close();
    await receiver.terminate();
  });

  it('leaves no gap in the RTP the worker sends', async () => {
    const allocated = await host.allocate('call', '127.0.0.1');
    expect(allocated.ok).toBe(true);
    expect(await host.start('call', pcmuTo(receiver.port, { receive: false }))).toEqual({
      ok: true,
      value: null,
    });
    await sleep(500);

    const stallStart = wallNow();
    // Busy, as a long SQLite write or a GC pause would keep it: no event loop turn for 200 ms.
    while (wallNow() - stallStart < STALL_MS) {
      // spin
    }
    const stallEnd = wallNow();
    await sleep(500);
    await host.stop('call');

    const arrivals = await receiver.arrivals();
    expect(arrivals.length).toBeGreaterThan(40);
    expectUnbrokenPcmu(arrivals);
    const duringStall = arrivals.filter((arrival) => arrival.at > stallStart && arrival.at < stallEnd);
    // 10 are due in 200 ms; a sender on the main thread would deliver none until the stall ends.
    expect(duringStall.length).toBeGreaterThanOrEqual(5);
    const { gaps: sorted, deviations } = pacing(arrivals);
    // Far from the 200 ms a blocked sender shows, with room for a loaded two-core machine.
    expect(sorted.at(-1)).toBeLessThan(120);
    console.info(
      `RTP send pacing over ${sorted.length} intervals with a ${STALL_MS} ms main-thread stall: ` +
        `interval p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms, ` +
        `max ${sorted.at(-1)!.toFixed(2)} ms; deviation from 20 ms p50 ${percentile(deviations, 0.5).toFixed(2)} ms, ` +
        `p99 ${percentile(deviations, 0.99).toFixed(2)} ms; ${duringStall.length} packets arrived during the stall`,
    );
  });
});
