// On-CPU time of one thread in nanoseconds, from Linux's scheduler statistics (`/proc/<pid>/task/<tid>/schedstat`;
// `/proc/<pid>/schedstat` is the process's first thread, all there is of a single-threaded program). Unlike
// `stat`'s 10 ms ticks this counts every nanosecond on the CPU, which a figure of a few tenths of a per cent needs:
// a thread that wakes 50 times a second for 50 µs would show as 0 or 1 tick per second in `stat`.
import { readFileSync, readlinkSync } from 'node:fs';

/** The three fields of a schedstat line (the kernel's Documentation/scheduler/sched-stats.rst). */
export interface Schedstat {
  /** Time spent on the CPU, ns. */
  readonly runNs: number;
  /** Time spent runnable, waiting for a CPU, ns. */
  readonly waitNs: number;
  /** Times the thread was put on a CPU: one per wake of a thread that sleeps between short bursts of work. */
  readonly slices: number;
}

/** Reads `<run ns> <wait ns> <slices>`; anything else is refused with the text it got. */
export function parseSchedstat(text: string): Schedstat {
  const fields = text.trim().split(/\s+/);
  const [runNs, waitNs, slices] = fields.map(Number);
  if (
    fields.length !== 3 ||
    !Number.isSafeInteger(runNs) ||
    !Number.isSafeInteger(waitNs) ||
    !Number.isSafeInteger(slices)
  ) {
    throw new Error(`not a /proc schedstat line: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { runNs: runNs!, waitNs: waitNs!, slices: slices! };
}

/** One thread of this process. */
export function threadSchedstat(tid: number): Schedstat {
  return parseSchedstat(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8'));
}

/** Another process's first thread (the whole of a single-threaded child). */
export function processSchedstat(pid: number): Schedstat {
  return parseSchedstat(readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
}

/** What a thread cost between two readings `wallMs` apart. */
export interface ThreadCost {
  /** On-CPU time as a percentage of one core. */
  readonly percentOfCore: number;
  /** Times it was put on a CPU, per second of wall time. */
  readonly wakesPerSecond: number;
  /** On-CPU time per wake, µs. */
  readonly runUsPerWake: number;
  /** Time spent waiting for a CPU per wake, µs: how crowded the machine was. */
  readonly waitUsPerWake: number;
}

export function threadCost(before: Schedstat, after: Schedstat, wallMs: number): ThreadCost {
  if (!(wallMs > 0)) throw new RangeError('threadCost: the wall time must be positive');
  const runNs = after.runNs - before.runNs;
  const waitNs = after.waitNs - before.waitNs;
  const slices = after.slices - before.slices;
  if (runNs < 0 || waitNs < 0 || slices < 0) {
    throw new RangeError('threadCost: the readings go backwards (two different threads?)');
  }
  return {
    percentOfCore: (runNs / 1e6 / wallMs) * 100,
    wakesPerSecond: slices / (wallMs / 1000),
    runUsPerWake: slices === 0 ? 0 : runNs / 1000 / slices,
    waitUsPerWake: slices === 0 ? 0 : waitNs / 1000 / slices,
  };
}

/**
 * The thread id in a `/proc/thread-self` link (`<pid>/task/<tid>`): how a worker thread learns its own id, which
 * Node does not expose.
 */
export function tidFromThreadSelf(link: string): number {
  const match = /^(\d+)\/task\/(\d+)$/.exec(link.trim());
  if (match === null) throw new Error(`not a /proc/thread-self link: ${JSON.stringify(link.slice(0, 80))}`);
  return Number(match[2]);
}

/** The calling thread's id (a worker thread's own, which Node does not expose). */
export function ownThreadId(): number {
  return tidFromThreadSelf(readlinkSync('/proc/thread-self'));
}
