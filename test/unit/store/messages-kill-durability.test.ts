// "A message acknowledged as sent or received is never lost": a separate process runs the engine with a fake
// messaging engine, receives and sends messages and prints a line as soon as each is acknowledged (stored and
// answered, or announced delivered); we SIGKILL it at a point chosen by a seeded random draw and reopen the database.
import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../../../main/contract/contract';
import { openStore } from '../../../main/store/store';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { startChild } from './helpers/run-child';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

interface Acknowledged {
  readonly incoming: string[];
  readonly outgoing: string[];
  readonly delivered: string[];
}

/** Runs the writer until it has acknowledged `atLeast` messages (incoming and outgoing), then kills it. */
function writeThenKill(dataDir: string, round: number, atLeast: number): Promise<Acknowledged> {
  return new Promise((resolve, reject) => {
    const child = startChild('message-writer.ts', [dataDir, String(round)]);
    const acknowledged: Acknowledged = { incoming: [], outgoing: [], delivered: [] };
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [word, what, id] = line.split(' ');
        if (word !== 'acknowledged' || id === undefined) continue;
        if (what === 'incoming') acknowledged.incoming.push(id);
        if (what === 'outgoing') acknowledged.outgoing.push(id);
        if (what === 'delivered') acknowledged.delivered.push(id);
      }
      if (!killed && acknowledged.incoming.length + acknowledged.outgoing.length >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    // 'close' comes after stdout has ended: every line the child wrote before dying has been read.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`writer exited by itself (${code ?? signal}): ${stderr}`));
    });
  });
}

describe('kill -9 while messages come and go', () => {
  it('keeps every acknowledged message, over several kills of the same database', async () => {
    const dataDir = tempDir();
    const random = new SeededRandom(9);
    const all: Acknowledged = { incoming: [], outgoing: [], delivered: [] };
    for (const round of [1, 2, 3]) {
      const target = random.integer(30, 150);
      const result = await writeThenKill(dataDir, round, target);
      all.incoming.push(...result.incoming);
      all.outgoing.push(...result.outgoing);
      all.delivered.push(...result.delivered);
      expect(result.incoming.length + result.outgoing.length).toBeGreaterThanOrEqual(target);

      const opened = openStore({ dataDir, clock: new ManualClock() });
      if (!opened.ok) throw new Error(`round ${round}: ${opened.error.kind} (${opened.error.detail})`);
      const { store } = opened;
      try {
        const read = (id: string): MessageDto | undefined => store.messages.message(id)?.message;
        const lost = [...all.incoming, ...all.outgoing].filter((id) => read(id) === undefined);
        expect(lost, `round ${round} (killed after ${target}): acknowledged but lost`).toEqual([]);
        for (const id of all.incoming)
          expect(read(id)).toMatchObject({ direction: 'incoming', delivery: 'received' });
        for (const id of all.outgoing) expect(read(id)?.direction).toBe('outgoing');
        // Announced as delivered: delivered on disk too, never turned into a failure by the next start.
        for (const id of all.delivered) expect(read(id)?.delivery, id).toBe('delivered');
        // The text and its index came through whole.
        const hits = store.messages.search(`incoming ${round}`, 200);
        expect(hits.length).toBeGreaterThanOrEqual(result.incoming.length);
        for (const hit of hits) expect(hit.message.body).toMatch(/ — héllo 👋 שלום$/);
      } finally {
        store.close();
      }
    }
  }, 90_000);
});
