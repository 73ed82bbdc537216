// Starts and stops the CPU-floor benchmark's worker thread (bench/calls/floor-worker.ts) and reads its counters.
import { Worker } from 'node:worker_threads';
import { FloorCounter, type FloorTimer, type FloorWorkerData } from './floor-worker-data';

export interface FloorWorkerOptions {
  readonly timer: FloorTimer;
  readonly peerPort: number | null;
  readonly opus: boolean;
}

export interface FloorWorker {
  /** The worker's thread id, for `/proc/self/task/<tid>/schedstat`. */
  readonly tid: number;
  /**
   * The shared counters now, indexed by FloorCounter; reading them does not wake the worker. Throws what the worker
   * threw, if it failed since it started.
   */
  counts(): readonly number[];
  /** Asks the worker to end, and terminates it if it has not within 2 s. */
  stop(): Promise<void>;
}

function threadIdIn(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null || !('tid' in message)) return undefined;
  return Number.isInteger(message.tid) ? Number(message.tid) : undefined;
}

/** Resolves once the worker has started ticking and said which thread it is. */
export async function startFloorWorker(options: FloorWorkerOptions): Promise<FloorWorker> {
  const shared = new Int32Array(new SharedArrayBuffer(FloorCounter.length * Int32Array.BYTES_PER_ELEMENT));
  const data: FloorWorkerData = { ...options, counters: shared.buffer as SharedArrayBuffer };
  const worker = new Worker(new URL('./floor-worker-bootstrap.mjs', import.meta.url), { workerData: data });
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  // Kept for `counts`: an 'error' event with no listener would end the whole benchmark.
  let failure: unknown;
  worker.on('error', (error) => {
    failure ??= error;
  });
  const stop = async (): Promise<void> => {
    Atomics.store(shared, FloorCounter.stop, 1);
    // Wakes an Atomics.wait at once; an event-loop worker sees the flag at its next tick.
    Atomics.notify(shared, FloorCounter.stop);
    await Promise.race([exited, new Promise((done) => setTimeout(done, 2000))]);
    await worker.terminate();
  };
  try {
    const tid = await new Promise<number>((done, fail) => {
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`the floor worker exited (${code}) before starting`)));
      worker.once('message', (message: unknown) => {
        const tid = threadIdIn(message);
        if (tid === undefined)
          fail(new Error(`the floor worker said ${JSON.stringify(message)}, not its thread id`));
        else done(tid);
      });
    });
    const counts = (): readonly number[] => {
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
      return Array.from(shared);
    };
    return { tid, counts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
