// The pieces of the CPU-floor benchmark (bench/call-cpu-floor.ts): the worker's data check, the echo peer, the C
// sleeper's build and the worker thread itself. What they cost is the benchmark's business; here they only have to
// work and to stop without leaving anything behind.
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeadlineSleeper, startEchoPeer, type StartedChild } from '../../../bench/calls/floor-children';
import { FloorCounter, parseFloorWorkerData } from '../../../bench/calls/floor-worker-data';
import { startFloorWorker, type FloorWorker } from '../../../bench/calls/floor-worker-host';
import { OpusFrameWork } from '../../../bench/calls/opus-frame-work';
import { ownThreadId, processSchedstat, threadSchedstat } from '../../../bench/calls/schedstat';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function keep<T extends StartedChild | FloorWorker>(started: T): T {
  stops.push(() => started.stop());
  return started;
}

/** Polls `ready` every 20 ms until it holds; fails with `what` after 10 s (a generous bound, not a measurement). */
async function eventually(what: string, ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready(); waited += 20) {
    if (waited > 10_000) throw new Error(`never happened: ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('parseFloorWorkerData', () => {
  const counters = new SharedArrayBuffer(FloorCounter.length * 4);

  it('accepts each row’s data', () => {
    const data = { timer: 'event-loop', peerPort: 40_000, opus: true, counters };
    expect(parseFloorWorkerData(data)).toEqual(data);
    expect(parseFloorWorkerData({ timer: 'atomics', peerPort: null, opus: false, counters }).timer).toBe(
      'atomics',
    );
  });

  it('refuses data put together wrongly, saying what is wrong', () => {
    const good = { timer: 'event-loop', peerPort: null, opus: false, counters };
    expect(() => parseFloorWorkerData(undefined)).toThrow('no worker data');
    expect(() => parseFloorWorkerData({ ...good, timer: 'interval' })).toThrow('timer must be');
    expect(() => parseFloorWorkerData({ ...good, peerPort: 0 })).toThrow('peerPort must be');
    expect(() => parseFloorWorkerData({ ...good, peerPort: 70_000 })).toThrow('peerPort must be');
    expect(() => parseFloorWorkerData({ ...good, peerPort: '5060' })).toThrow('peerPort must be');
    expect(() => parseFloorWorkerData({ ...good, opus: 1 })).toThrow('opus must be');
    expect(() => parseFloorWorkerData({ ...good, counters: new SharedArrayBuffer(4) })).toThrow(
      'counters must be',
    );
    expect(() => parseFloorWorkerData({ ...good, counters: new ArrayBuffer(64) })).toThrow(
      'counters must be',
    );
    expect(() => parseFloorWorkerData({ ...good, timer: 'atomics', peerPort: 40_000 })).toThrow(
      'the atomics timer cannot receive datagrams',
    );
  });
});

describe('OpusFrameWork', () => {
  it('encodes successive frames of speech at the call’s bitrate and decodes a packet each step', () => {
    const work = new OpusFrameWork();
    try {
      let bytes = 0;
      let first: Uint8Array | undefined;
      for (let frame = 0; frame < 100; frame++) {
        const packet = work.step(first);
        first ??= packet.slice();
        bytes += packet.length;
      }
      // 32 kb/s is 80 bytes a frame on average; speech with pauses comes in somewhat under.
      expect(bytes / 100).toBeGreaterThan(40);
      expect(bytes / 100).toBeLessThan(120);
    } finally {
      work.dispose();
    }
  });
});

describe('ownThreadId', () => {
  it('is the process id on the main thread', () => {
    expect(ownThreadId()).toBe(process.pid);
  });
});

describe('the UDP echo peer', () => {
  it('sends a datagram back to its sender, and is gone once stopped', async () => {
    const peer = keep(await startEchoPeer(0));
    const socket = createSocket('udp4');
    stops.push(() => new Promise((done) => socket.close(() => done())));
    const echoed = new Promise<Buffer>((done) => socket.once('message', (datagram) => done(datagram)));
    await new Promise<void>((done) => socket.bind(0, '127.0.0.1', () => done()));
    socket.send(Buffer.from('one RTP packet'), peer.port, '127.0.0.1');
    expect((await echoed).toString()).toBe('one RTP packet');
    await peer.stop();
    expect(peer.exited).toBe(true);
  });

  it('refuses a delay out of range with a clear error', async () => {
    await expect(startEchoPeer(5000)).rejects.toThrow(
      /exited \(2\) before binding: .*delay must be 0 to 999 ms/,
    );
  });
});

describe('the C deadline sleeper', () => {
  it('says so when there is no compiler', async () => {
    expect(await startDeadlineSleeper('no-such-c-compiler')).toBe(
      'no C compiler (`no-such-c-compiler`) on this machine',
    );
  });

  it('says so when the build fails', async () => {
    expect(await startDeadlineSleeper('false')).toBe('`false` failed: exit 1');
  });

  it('runs as a single thread that keeps waking, until stopped', async () => {
    const sleeper = await startDeadlineSleeper();
    // A machine without `cc` gets the answer above instead; the benchmark's row then says so.
    if (typeof sleeper === 'string') {
      expect(sleeper).toBe('no C compiler (`cc`) on this machine');
      return;
    }
    keep(sleeper);
    // Its statistics count the wakes of its loop (5 of them take 100 ms).
    await eventually('five wakes', () => processSchedstat(sleeper.pid).slices >= 5);
    expect(sleeper.exited).toBe(false);
    await sleeper.stop();
    expect(sleeper.exited).toBe(true);
  });
});

describe('the floor worker', () => {
  it('runs a bare call: ticks, sends, decodes the echoes and encodes Opus, then ends its thread', async () => {
    const peer = keep(await startEchoPeer(10));
    const worker = keep(await startFloorWorker({ timer: 'event-loop', peerPort: peer.port, opus: true }));
    await eventually('three echoes back', () => worker.counts()[FloorCounter.received]! >= 3);
    const counts = worker.counts();
    expect(counts[FloorCounter.ticks]).toBeGreaterThanOrEqual(3);
    expect(counts[FloorCounter.sent]).toBeGreaterThanOrEqual(counts[FloorCounter.received]!);
    expect(counts[FloorCounter.encodedBytes]).toBeGreaterThan(0);
    expect(threadSchedstat(worker.tid).runNs).toBeGreaterThan(0);
    await worker.stop();
    expect(existsSync(`/proc/self/task/${worker.tid}`)).toBe(false);
  });

  it('ticks on Atomics.wait with no event loop, and ends when told', async () => {
    const worker = keep(await startFloorWorker({ timer: 'atomics', peerPort: null, opus: false }));
    await eventually('three ticks', () => worker.counts()[FloorCounter.ticks]! >= 3);
    expect(worker.counts()[FloorCounter.sent]).toBe(0);
    await worker.stop();
    expect(existsSync(`/proc/self/task/${worker.tid}`)).toBe(false);
  });

  it('fails to start, with the reason, on data the worker refuses', async () => {
    await expect(startFloorWorker({ timer: 'atomics', peerPort: 40_000, opus: false })).rejects.toThrow(
      'the atomics timer cannot receive datagrams',
    );
  });
});
