// Process-group bookkeeping for peers started as detached children: a peer counts as gone when no process of
// its group is left running. Zombies do not count: after a SIGKILL the children are reparented to init, and
// some inits (this sandbox's among them) reap them only every second or two. They hold no ports or files.
import { readdirSync, readFileSync } from 'node:fs';

/** Ids of the processes in group `pgid` that are not zombies (Linux /proc; elsewhere a signal-0 probe). */
export function liveProcessesInGroup(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const live: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') live.push(Number(entry));
  }
  return live;
}

export function groupAlive(pgid: number): boolean {
  return liveProcessesInGroup(pgid).length > 0;
}

/** Sends `signal` to every process of group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until no live process is left in group `pgid`; false on timeout. */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

// Every group a test started and has not yet seen end, killed if the test process exits early.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  });
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/** SIGTERM (or `signal`), then SIGKILL after `graceMs`, and wait until the group is gone. */
export async function endGroup(
  pgid: number,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 3000,
): Promise<void> {
  signalGroup(pgid, signal);
  if (!(await waitForGroupExit(pgid, graceMs))) {
    signalGroup(pgid, 'SIGKILL');
    await waitForGroupExit(pgid, graceMs);
  }
  untrackGroup(pgid);
}
