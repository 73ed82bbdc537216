// "Nothing acknowledged is lost on kill -9": a separate process writes to the store and prints a line after each
// write returns; we SIGKILL it mid-stream (no exit handlers, no close, no checkpoint) and reopen the database.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../main/store/store';
import { ManualClock } from '../../support/manual-clock';
import { startChild } from './helpers/run-child';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

interface Acknowledged {
  readonly accounts: string[];
  /** The last sipPort value acknowledged, if any. */
  readonly sipPort: number | undefined;
}

/** Runs the writer until it has acknowledged at least `atLeast` accounts, then kills it with SIGKILL. */
function writeThenKill(dataDir: string, atLeast: number): Promise<Acknowledged> {
  return new Promise((resolve, reject) => {
    const child = startChild('ack-writer.ts', [dataDir]);
    const accounts: string[] = [];
    let sipPort: number | undefined;
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [word, what, value, id] = line.split(' ');
        if (word !== 'acknowledged') continue;
        if (what === 'account') accounts.push(id!);
        if (what === 'sipPort') sipPort = Number(value);
      }
      if (!killed && accounts.length >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    // 'close' comes after stdout has ended: every line the child wrote before dying has been read.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ accounts, sipPort });
      else reject(new Error(`writer exited by itself (${code ?? signal}): ${stderr}`));
    });
  });
}

describe('kill -9 while writing', () => {
  it('keeps every acknowledged write, over several kills of the same database', async () => {
    const dataDir = tempDir();
    const acknowledged: string[] = [];
    for (const round of [1, 2, 3]) {
      const result = await writeThenKill(dataDir, 60 * round);
      acknowledged.push(...result.accounts);

      const opened = openStore({ dataDir, clock: new ManualClock() });
      if (!opened.ok) throw new Error(`round ${round}: ${opened.error.kind} (${opened.error.detail})`);
      const { store } = opened;
      try {
        const stored = new Set(store.accounts.list().map((account) => account.id));
        const lost = acknowledged.filter((id) => !stored.has(id));
        expect(lost, `round ${round}: acknowledged but lost`).toEqual([]);
        // At most the one insert in flight when the signal landed may be there without an acknowledgement.
        expect(stored.size - acknowledged.length).toBeGreaterThanOrEqual(0);
        expect(stored.size - acknowledged.length).toBeLessThanOrEqual(1);
        for (const id of acknowledged)
          expect(store.accounts.getPassword(id)?.toString()).toMatch(/^ciphertext-\d+$/);
        expect(result.sipPort).toBeDefined();
        expect(store.settings.getAll().sipPort).toBeGreaterThanOrEqual(result.sipPort!);
        // Keep the ids of an unacknowledged insert that made it, so the next round's count stays exact.
        for (const id of stored) if (!acknowledged.includes(id)) acknowledged.push(id);
      } finally {
        store.close();
      }
    }
  }, 60_000);
});
