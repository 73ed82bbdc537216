// Chromium's processes under one browser, by kind, from Linux's /proc: the renderer that runs the page (the
// window's JavaScript and its AudioWorklets), the audio service (a utility process that talks to the sound device),
// the GPU process, and the browser itself. Their CPU time is read with proc-stat.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { processCpuMs } from '../calls/proc-stat';

export interface ChromiumProcess {
  readonly pid: number;
  /** `browser`, `renderer`, `gpu-process`, `utility` ...: the `--type` switch, `browser` without one. */
  readonly type: string;
  /** For utility processes, `--utility-sub-type` (e.g. `audio.mojom.AudioService`). */
  readonly subType: string | undefined;
  /** The program, argv[0]. */
  readonly program: string;
}

/**
 * A switch's value from a /proc cmdline. Arguments are NUL-separated, except that Chromium rewrites its child
 * processes' argument memory into one space-separated title, so spaces separate too (no switch read here holds one).
 */
export function switchOf(cmdline: string, name: string): string | undefined {
  const prefix = `--${name}=`;
  return cmdline
    .split(/[\0 ]/)
    .find((argument) => argument.startsWith(prefix))
    ?.slice(prefix.length);
}

/** Parent pid: field 4 of /proc/<pid>/stat, counted from the last `)`. */
export function parentOf(stat: string): number {
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  return Number(fields[4 - 3]);
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Every process below `rootPid` (itself included) whose program is `programPart` (e.g. `chromium`): Playwright
 * starts the browser as a child of the process that launched it, so the launcher's pid finds its browser's tree.
 */
export function chromiumProcesses(rootPid: number, programPart = 'chrom'): ChromiumProcess[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOr(`/proc/${name}/stat`);
    if (stat !== undefined) parents.set(Number(name), parentOf(stat));
  }
  const below = (pid: number): boolean => {
    for (let at = pid, steps = 0; at > 1 && steps < 64; steps++) {
      if (at === rootPid) return true;
      at = parents.get(at) ?? 0;
    }
    return false;
  };
  const found: ChromiumProcess[] = [];
  for (const pid of parents.keys()) {
    if (!below(pid)) continue;
    const cmdline = readOr(`/proc/${pid}/cmdline`) ?? '';
    const program = cmdline.split(/[\0 ]/)[0] ?? '';
    if (!program.includes(programPart)) continue;
    found.push({
      pid,
      type: switchOf(cmdline, 'type') ?? 'browser',
      subType: switchOf(cmdline, 'utility-sub-type'),
      program,
    });
  }
  return found;
}

/** CPU milliseconds so far of each process; a process that has gone counts as 0. */
export function cpuOf(processes: readonly ChromiumProcess[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const process of processes) {
    try {
      cpu.set(process.pid, processCpuMs(process.pid));
    } catch {
      cpu.set(process.pid, 0);
    }
  }
  return cpu;
}
