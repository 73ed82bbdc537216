// HistoryState: pages with a cursor, the missed-calls count and when it counts as seen, delete one or all,
// suggestions for the dialpad, errors in words.
import { describe, expect, it } from 'vitest';
import { HistoryState, type SeenStore } from '../../../renderer/src/lib/state/history.svelte';
import { call, FakeEngine, historyEntry } from '../support/fake-engine';

class MemorySeen implements SeenStore {
  constructor(public value: number | null = null) {}
  get(): number | null {
    return this.value;
  }
  set(value: number): void {
    this.value = value;
  }
}

const missedEnd = { by: 'remote', reason: 'missed', status: null, detail: null } as const;
const missed = (id: string, startedAt: number) =>
  historyEntry({ id, direction: 'incoming', answeredAt: null, durationMs: 0, end: missedEnd, startedAt });

describe('HistoryState', () => {
  it('loads page after page with the cursor', async () => {
    const history = Array.from({ length: 5 }, (_, i) => historyEntry({ id: `h${i}`, startedAt: 5_000 - i }));
    const engine = new FakeEngine({ history });
    const state = new HistoryState(engine.bridge, new MemorySeen(), 2);
    await state.load();
    expect(state.entries.map((entry) => entry.id)).toEqual(['h0', 'h1']);
    await state.loadMore();
    await state.loadMore();
    expect(state.entries.map((entry) => entry.id)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
    expect(state.next).toBeNull();
    expect(engine.bridge.callsOf('history.list').at(1)).toEqual([
      { limit: 2, before: { startedAt: 4_999, id: 'h1' } },
    ]);
  });

  it('keeps the older pages listed when a call ends', async () => {
    const engine = new FakeEngine({
      history: Array.from({ length: 6 }, (_, i) => historyEntry({ id: `h${i}`, startedAt: 5_000 - i })),
    });
    const state = new HistoryState(engine.bridge, new MemorySeen(), 2);
    await state.load();
    await state.loadMore();
    engine.history = [historyEntry({ id: 'new', startedAt: 9_000 }), ...engine.history];
    await state.callEnded(call({ id: 'new', state: 'ended', startedAt: 9_000 }));
    expect(state.entries.map((entry) => entry.id)).toEqual(['new', 'h0', 'h1', 'h2', 'h3']);
    expect(state.next).toEqual({ startedAt: 4_997, id: 'h3' });
  });

  it('counts missed calls newer than the last look, and remembers the look', async () => {
    const seen = new MemorySeen(2_000);
    const engine = new FakeEngine({
      history: [missed('m3', 3_000), missed('m1', 1_000), historyEntry({ id: 'o' })],
    });
    const state = new HistoryState(engine.bridge, seen);
    await state.load();
    expect(state.missedCount).toBe(1);
    state.markSeen();
    expect(state.missedCount).toBe(0);
    expect(seen.value).toBe(1_700_000_000_000);
    // A call that ends as missed counts at once, before the reload lists it.
    engine.history = [missed('m4', 1_800_000_000_000), ...engine.history];
    const ended = state.callEnded(
      call({ id: 'm4', direction: 'incoming', state: 'ended', startedAt: 1_800_000_000_000, end: missedEnd }),
    );
    expect(state.missedCount).toBe(1);
    await ended;
    expect(state.missedCount).toBe(1);
    expect(state.entries[0]?.id).toBe('m4');
  });

  it('deletes one entry and clears all; a failure is worded', async () => {
    const engine = new FakeEngine({
      history: [historyEntry({ id: 'a' }), historyEntry({ id: 'b', startedAt: 1 })],
    });
    const state = new HistoryState(engine.bridge, new MemorySeen());
    await state.load();
    await state.delete('a');
    expect(state.entries.map((entry) => entry.id)).toEqual(['b']);
    const failed = await state.delete('zzz');
    expect(failed.ok).toBe(false);
    expect(state.error?.text).toBe(
      'The call history could not be changed: the call or account no longer exists.',
    );
    await state.clear();
    expect(state.entries).toEqual([]);
    expect(state.error).toBeNull();
  });

  it('suggests earlier peers matching the typed text, each once', async () => {
    const engine = new FakeEngine({
      history: [
        historyEntry({ id: 'a', peerUri: 'sip:bob@example.com', peerName: 'Bob' }),
        historyEntry({ id: 'b', peerUri: 'sip:bob@example.com', startedAt: 1 }),
        historyEntry({ id: 'c', peerUri: 'sip:100@example.com', peerName: 'Reception', startedAt: 0 }),
      ],
    });
    const state = new HistoryState(engine.bridge, new MemorySeen());
    await state.load();
    expect(state.suggestions('BO').map((entry) => entry.id)).toEqual(['a']);
    expect(state.suggestions('recep').map((entry) => entry.id)).toEqual(['c']);
    expect(state.suggestions('  ')).toEqual([]);
  });

  it('reports a failed load', async () => {
    const engine = new FakeEngine();
    engine.bridge.handle('history.list', () => ({
      ok: false,
      error: { code: 'storage', message: 'disk I/O' },
    }));
    const state = new HistoryState(engine.bridge, new MemorySeen());
    await state.load();
    expect(state.loadError?.detail).toBe('disk I/O');
    expect(state.loaded).toBe(false);
  });
});
