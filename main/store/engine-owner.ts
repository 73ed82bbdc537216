// Who holds a data folder. The lock itself is SQLite's exclusive lock on the database (db.ts), which the operating
// system drops when the holder exits or dies; this file only lets a refused second engine name the holder. It is
// written after the lock is taken and removed when the store closes. A crashed holder leaves it behind, harmlessly:
// the next engine takes the lock and overwrites it, and a refused engine checks that the pid it names is alive.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from './db';

export interface EngineOwner {
  readonly pid: number;
}

/** The owner file beside a database: `softphone.sqlite.owner`. */
export function ownerFileOf(databasePath: string): string {
  return `${databasePath}.owner`;
}

export function writeOwner(databasePath: string, owner: EngineOwner): void {
  try {
    writeFileSync(ownerFileOf(databasePath), `${JSON.stringify(owner)}\n`, { mode: PRIVATE_FILE_MODE });
  } catch {
    // Only a courtesy for the message a second engine shows; the lock holds without it.
  }
}

export function removeOwner(databasePath: string, owner: EngineOwner): void {
  // Never remove a file another engine wrote after ours was left behind.
  if (readOwner(databasePath)?.pid === owner.pid) rmSync(ownerFileOf(databasePath), { force: true });
}

/** The recorded owner when the file is readable and names a process that is alive; otherwise null. */
export function readOwner(
  databasePath: string,
  isAlive: (pid: number) => boolean = processAlive,
): EngineOwner | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(ownerFileOf(databasePath), 'utf8'));
  } catch {
    return null;
  }
  const pid = (parsed as { pid?: unknown } | null)?.pid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return null;
  return isAlive(pid) ? { pid } : null;
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
