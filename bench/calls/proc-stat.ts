// CPU time of a process or of one thread, read from Linux's /proc: `/proc/<pid>/stat` counts a whole process
// (threads that already exited included), `/proc/<pid>/task/<tid>/stat` one thread. Node 20 has no per-thread
// counter of its own (process.cpuUsage() in a worker thread reports the whole process), so the media worker's
// thread is read here from outside.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** utime and stime, in clock ticks (`getconf CLK_TCK`, 100 per second on Linux). */
export interface CpuTicks {
  readonly user: number;
  readonly system: number;
}

/**
 * Reads utime (field 14) and stime (field 15) of a stat line (proc(5)). Field 2, the command name, is in parentheses
 * and may itself hold spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(text: string): CpuTicks {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  // After ") " come field 3 (state), 4, 5 ...: field n is at index n - 3.
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const user = Number(fields[14 - 3]);
  const system = Number(fields[15 - 3]);
  if (!Number.isInteger(user) || !Number.isInteger(system)) {
    throw new Error(`no utime/stime in the /proc stat line: ${text.slice(0, 80)}`);
  }
  return { user, system };
}

export function totalTicks(ticks: CpuTicks): number {
  return ticks.user + ticks.system;
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`); 100, Linux's value, if getconf cannot say. */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      clockTicks = 100;
    }
    if (!Number.isInteger(clockTicks) || clockTicks <= 0) clockTicks = 100;
  }
  return clockTicks;
}

/** CPU milliseconds a process has used so far (user + system, its exited threads included). */
export function processCpuMs(pid: number): number {
  return (totalTicks(parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))) * 1000) / ticksPerSecond();
}

/** CPU milliseconds one thread of this process has used so far. */
export function threadCpuMs(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return (totalTicks(parseProcStat(stat)) * 1000) / ticksPerSecond();
}

/** The ids of this process's threads now. */
export function ownThreadIds(): number[] {
  return readdirSync('/proc/self/task').map(Number);
}
