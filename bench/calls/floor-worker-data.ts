// What bench/call-cpu-floor.ts tells its worker thread (bench/calls/floor-worker.ts), and the counters the two share.

/** How the worker waits for its next 20 ms deadline. */
export type FloorTimer = 'event-loop' | 'atomics';

export interface FloorWorkerData {
  readonly timer: FloorTimer;
  /** The UDP echo peer's port on 127.0.0.1, or null for a row without datagrams. */
  readonly peerPort: number | null;
  /** Encode and decode one Opus frame per tick. */
  readonly opus: boolean;
  /** `FloorCounter.length` 32-bit integers, read and written with Atomics. */
  readonly counters: SharedArrayBuffer;
}

/** Slots of the shared counters. */
export const FloorCounter = {
  /** Set to 1 (and notified) by the benchmark to end the worker. */
  stop: 0,
  ticks: 1,
  sent: 2,
  received: 3,
  encodedBytes: 4,
  length: 5,
} as const;

/** Checks what arrived as `workerData`: a clear error for a row put together wrongly, not a worker that hangs. */
export function parseFloorWorkerData(value: unknown): FloorWorkerData {
  if (typeof value !== 'object' || value === null) throw new TypeError('floor worker: no worker data');
  const data = value as Record<string, unknown>;
  const { timer, peerPort, opus, counters } = data;
  if (timer !== 'event-loop' && timer !== 'atomics') {
    throw new TypeError(`floor worker: timer must be event-loop or atomics, not ${String(timer)}`);
  }
  if (
    peerPort !== null &&
    !(Number.isInteger(peerPort) && Number(peerPort) > 0 && Number(peerPort) < 65_536)
  ) {
    throw new TypeError(`floor worker: peerPort must be a port number or null, not ${String(peerPort)}`);
  }
  if (typeof opus !== 'boolean') throw new TypeError('floor worker: opus must be true or false');
  if (!(counters instanceof SharedArrayBuffer) || counters.byteLength < FloorCounter.length * 4) {
    throw new TypeError(`floor worker: counters must be a SharedArrayBuffer of ${FloorCounter.length} int32`);
  }
  // Atomics.wait holds the thread: the event loop that would deliver a received datagram never turns.
  if (timer === 'atomics' && peerPort !== null) {
    throw new TypeError('floor worker: the atomics timer cannot receive datagrams');
  }
  return { timer, peerPort: peerPort as number | null, opus, counters };
}
