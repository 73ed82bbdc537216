// One engine per data folder: the store holds SQLite's exclusive lock for as long as it is open. A second store on
// the folder (same process or another) is refused with kind `in-use`, naming the database file and the holder's
// pid; the lock dies with its process, so a SIGKILLed holder leaves nothing stale behind.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownerFileOf, processAlive, readOwner } from '../../../main/store/engine-owner';
import { type OpenStoreOutcome, openStore } from '../../../main/store/store';
import { ManualClock } from '../../support/manual-clock';
import { startChild } from './helpers/run-child';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();
const clock = new ManualClock();

function openOk(dataDir: string) {
  const opened = openStore({ dataDir, clock });
  if (!opened.ok) throw new Error(`${opened.error.kind}: ${opened.error.detail}`);
  return opened.store;
}

function refusal(outcome: OpenStoreOutcome) {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) throw new Error('unreachable');
  return outcome.error;
}

/** Starts a child holding the store and resolves once it says so. */
async function holdInChild(dataDir: string) {
  const child = startChild('hold-store.ts', [dataDir]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('holding')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`holder exited (${code}): ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

describe('one store per data folder', () => {
  it('refuses a second store in the same process, naming the folder and the process', () => {
    const dataDir = tempDir();
    const first = openOk(dataDir);
    try {
      const error = refusal(openStore({ dataDir, clock }));
      expect(error).toMatchObject({ kind: 'in-use', path: join(dataDir, 'softphone.sqlite') });
      expect(error.holderPid).toBe(process.pid);
      expect(error.detail).toMatch(/SQLITE_BUSY|locked/);
    } finally {
      first.close();
    }
    openOk(dataDir).close();
  });

  it('removes its owner file when it closes', () => {
    const dataDir = tempDir();
    const store = openOk(dataDir);
    expect(readOwner(store.path)).toEqual({ pid: process.pid });
    store.close();
    expect(existsSync(ownerFileOf(store.path))).toBe(false);
  });

  it('refuses while another process holds the folder, and opens at once after that process is SIGKILLed', async () => {
    const dataDir = tempDir();
    const { child, exited } = await holdInChild(dataDir);
    try {
      const error = refusal(openStore({ dataDir, clock }));
      expect(error.kind).toBe('in-use');
      expect(error.holderPid).toBe(child.pid);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    // No exit handler ran: the owner file is still there, naming a dead process, and no lock is left.
    const store = openOk(dataDir);
    try {
      expect(readOwner(store.path)).toEqual({ pid: process.pid });
    } finally {
      store.close();
    }
  }, 30_000);

  it('does not name a process that no longer exists', () => {
    const dataDir = tempDir();
    const store = openOk(dataDir);
    const path = store.path;
    store.close();
    writeFileSync(ownerFileOf(path), JSON.stringify({ pid: 999_999_999 }));
    expect(readOwner(path, () => false)).toBeNull();
    expect(readOwner(path, (pid) => pid === 999_999_999)).toEqual({ pid: 999_999_999 });
    expect(processAlive(process.pid)).toBe(true);
    expect(dirname(path)).toBe(dataDir);
  });

  it('may be opened without the lock for tools that only read', () => {
    const dataDir = tempDir();
    const first = openOk(dataDir);
    first.close();
    const a = openStore({ dataDir, clock, exclusive: false });
    const b = openStore({ dataDir, clock, exclusive: false });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok) a.store.close();
    if (b.ok) b.store.close();
  });
});
