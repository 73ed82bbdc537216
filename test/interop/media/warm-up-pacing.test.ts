// A call that starts while the media worker is warming up (warm-up.ts) keeps its 20 ms pacing: the warm-up yields
// to calls (it takes no tick while the worker has one), so the call's RTP leaves on time from its first packet. The
// RTP is noted on arrival by a UDP receiver in a worker thread of its own (as in the main-thread stall test): no
// sequence number missing, every timestamp one packet on, and no gap near what a tick stuck behind the warm-up would
// show. Afterwards the warm-up goes on and finishes.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import { DEFAULT_WARM_UP_TICKS } from '../../../main/media/session/media-worker-protocol';
import { pcmuTo, sleep, waitFor } from './support/media-test-kit';
import { ownUdpPorts } from './support/own-udp-ports';

interface Arrival {
  readonly at: number;
  readonly sequence: number;
  readonly timestamp: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

describe('a call that starts during the worker warm-up', () => {
  let host: MediaWorkerHost;
  let receiver: Worker;
  let receiverPort: number;

  beforeAll(async () => {
    receiver = new Worker(new URL('./support/udp-arrival-recorder.mjs', import.meta.url));
    receiverPort = await new Promise<number>((resolve) =>
      receiver.once('message', (message: { port: number }) => resolve(message.port)),
    );
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
    expect(await host.start('call', pcmuTo(receiverPort, { receive: false }))).toEqual({
      ok: true,
      value: null,
    });
    // The call did start in the middle of the warm-up.
    expect(warm).toBe(false);
    await sleep(1000);
    await host.stop('call');
    await waitFor(() => warm, 20_000);

    receiver.postMessage('report');
    const { arrivals } = await new Promise<{ arrivals: Arrival[] }>((resolve) =>
      receiver.once('message', (message: { arrivals: Arrival[] }) => resolve(message)),
    );
    expect(arrivals.length).toBeGreaterThan(40);
    for (let index = 1; index < arrivals.length; index++) {
      expect((arrivals[index]!.sequence - arrivals[index - 1]!.sequence) & 0xffff).toBe(1);
      expect((arrivals[index]!.timestamp - arrivals[index - 1]!.timestamp) >>> 0).toBe(160);
    }
    const gaps = arrivals.slice(1).map((arrival, index) => arrival.at - arrivals[index]!.at);
    const sorted = [...gaps].sort((a, b) => a - b);
    // As in the stall test: far from a tick held up behind a warm-up round, with room for a loaded two-core machine.
    expect(sorted.at(-1)).toBeLessThan(120);
    const deviations = gaps.map((gap) => Math.abs(gap - 20)).sort((a, b) => a - b);
    console.info(
      `RTP send pacing over ${gaps.length} intervals of a call started during the warm-up: ` +
        `interval p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms, ` +
        `max ${sorted.at(-1)!.toFixed(2)} ms; deviation from 20 ms p99 ${percentile(deviations, 0.99).toFixed(2)} ms`,
    );
  });
});
