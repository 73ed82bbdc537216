// The call history: a row when a call starts, completed when it ends; pages newest first that neither repeat nor skip
// entries while calls are added; delete and clear; calls cut short by a stopped engine closed at the next start; and
// a full disk as a StoreFailure the window can word.
import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CallEndDto, HistoryCursor } from '../../../main/contract/contract';
import { AccountsRepository } from '../../../main/store/accounts-repository';
import {
  type CallFinish,
  type CallStart,
  CallHistoryRepository,
} from '../../../main/store/call-history-repository';
import { StoreFailure } from '../../../main/store/store-error';
import { migratedDatabase } from './helpers/migrated-database';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

let db: Database;
let history: CallHistoryRepository;
let accounts: AccountsRepository;

beforeEach(() => {
  db = migratedDatabase(tempDir());
  history = new CallHistoryRepository(db);
  accounts = new AccountsRepository(db, { clock: { wallTime: () => 1 }, newId: () => 'acc-1' });
  return () => db.close();
});

const hangup: CallEndDto = { by: 'remote', reason: 'hangup', status: null, detail: null };

function start(id: string, startedAt: number, overrides: Partial<CallStart> = {}): void {
  history.start({
    id,
    accountId: null,
    direction: 'outgoing',
    peerUri: `sip:${id}@example.test`,
    peerName: null,
    startedAt,
    ...overrides,
  });
}

function finish(id: string, endedAt: number, overrides: Partial<CallFinish> = {}) {
  return history.finish(id, {
    answeredAt: null,
    endedAt,
    end: hangup,
    codec: null,
    quality: null,
    ...overrides,
  });
}

/** Starts and ends calls c<startedAt> at the given start times. */
function calls(...startTimes: number[]): void {
  for (const at of startTimes) {
    start(`c${at}`, at);
    finish(`c${at}`, at + 10);
  }
}

function pageIds(
  limit: number,
  before: HistoryCursor | null = null,
): { ids: string[]; next: HistoryCursor | null } {
  const page = history.list({ limit, before });
  return { ids: page.entries.map((entry) => entry.id), next: page.next };
}

describe('CallHistoryRepository', () => {
  it('lists a call only once it has ended, with its talk time and quality', () => {
    const account = accounts.insert({
      displayName: 'Alice',
      aor: 'sip:alice@example.test',
      authUser: null,
      outboundProxy: null,
      registrar: null,
      transport: 'udp',
      expires: 600,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
    });
    start('c1', 1_000, { accountId: account.id, direction: 'incoming', peerName: 'Bob' });
    expect(history.list({ limit: 10, before: null }).entries).toEqual([]);
    expect(history.get('c1')).toBeUndefined();
    const entry = finish('c1', 65_000, {
      answeredAt: 5_000,
      end: { by: 'local', reason: 'hangup', status: null, detail: 'BYE sent' },
      codec: 'opus',
      quality: { mos: 4.31, lossPercent: 1.5, jitterMs: 4.25 },
    });
    expect(entry).toEqual({
      id: 'c1',
      accountId: 'acc-1',
      direction: 'incoming',
      peerUri: 'sip:c1@example.test',
      peerName: 'Bob',
      startedAt: 1_000,
      answeredAt: 5_000,
      endedAt: 65_000,
      durationMs: 60_000,
      end: { by: 'local', reason: 'hangup', status: null, detail: 'BYE sent' },
      codec: 'opus',
      quality: { mos: 4.31, lossPercent: 1.5, jitterMs: 4.25 },
    });
    expect(history.list({ limit: 10, before: null })).toEqual({ entries: [entry], next: null });
  });

  it('gives an unanswered call no talk time and keeps the status that ended it', () => {
    start('c1', 1_000);
    const entry = finish('c1', 9_000, { end: { by: 'remote', reason: 'busy', status: 486, detail: null } });
    expect(entry).toMatchObject({ answeredAt: null, durationMs: 0, end: { reason: 'busy', status: 486 } });
  });

  it('never stores a negative talk time when the wall clock stepped back', () => {
    start('c1', 10_000);
    expect(finish('c1', 9_000, { answeredAt: 9_500 })?.durationMs).toBe(0);
  });

  it('notes the first answer of a call under way, and leaves an ended call alone', () => {
    start('c1', 1_000);
    expect(history.answered('c1', 2_000)).toBe(true);
    expect(history.answered('c1', 3_000)).toBe(false);
    expect(history.closeUnfinished(9_000)).toBe(1);
    expect(history.get('c1')).toMatchObject({ answeredAt: 2_000, durationMs: 7_000 });
    expect(history.answered('c1', 4_000)).toBe(false);
    expect(history.answered('nope', 4_000)).toBe(false);
  });

  it('keeps the first start of a call and ends an unknown one with undefined', () => {
    start('c1', 1_000, { peerName: 'First' });
    start('c1', 2_000, { peerName: 'Second' });
    expect(finish('c1', 3_000)).toMatchObject({ startedAt: 1_000, peerName: 'First' });
    expect(finish('nope', 3_000)).toBeUndefined();
  });

  it('stores a call on an account that no longer exists as a call without one', () => {
    start('c1', 1_000, { accountId: 'gone' });
    expect(finish('c1', 2_000)?.accountId).toBeNull();
  });

  it('pages newest first, ties broken by id, with a cursor to the next page', () => {
    calls(100, 300, 200, 400, 500);
    start('b300', 300);
    finish('b300', 310);
    const first = pageIds(2);
    expect(first.ids).toEqual(['c500', 'c400']);
    expect(first.next).toEqual({ startedAt: 400, id: 'c400' });
    const second = pageIds(2, first.next);
    expect(second.ids).toEqual(['c300', 'b300']);
    const third = pageIds(2, second.next);
    expect(third).toEqual({ ids: ['c200', 'c100'], next: null });
  });

  it('says there is no next page when the last page is exactly full', () => {
    calls(1, 2);
    expect(pageIds(2)).toEqual({ ids: ['c2', 'c1'], next: null });
  });

  it('neither repeats nor skips entries when calls end while someone pages', () => {
    calls(100, 200, 300, 400);
    const first = pageIds(2);
    calls(500, 600);
    expect(pageIds(10, first.next).ids).toEqual(['c200', 'c100']);
  });

  it('deletes one entry and clears them all', () => {
    calls(1, 2, 3);
    expect(history.delete('c2')).toBe(true);
    expect(history.delete('c2')).toBe(false);
    expect(pageIds(10).ids).toEqual(['c3', 'c1']);
    expect(history.clear()).toBe(2);
    expect(pageIds(10).ids).toEqual([]);
  });

  it('closes the calls a stopped engine left open as engine-stopped, and only those', () => {
    calls(1);
    start('open-answered', 1_000);
    db.prepare(`UPDATE call_history SET answered_at = 2000 WHERE id = 'open-answered'`).run();
    start('open-ringing', 3_000);
    expect(history.closeUnfinished(10_000)).toBe(2);
    expect(history.get('open-answered')).toMatchObject({
      answeredAt: 2_000,
      endedAt: 10_000,
      durationMs: 8_000,
      end: { by: 'error', reason: 'engine-stopped', status: null },
    });
    expect(history.get('open-ringing')).toMatchObject({ durationMs: 0, end: { reason: 'engine-stopped' } });
    expect(history.get('c1')?.end.reason).toBe('hangup');
    expect(history.closeUnfinished(20_000)).toBe(0);
  });

  it('reads an end reason this build does not know as failed', () => {
    calls(1);
    db.prepare(`UPDATE call_history SET end_reason = 'from-the-future' WHERE id = 'c1'`).run();
    expect(history.get('c1')?.end.reason).toBe('failed');
  });

  describe('when the database refuses', () => {
    it('throws StoreFailure(disk-full) when the database cannot grow, and keeps what it had', () => {
      calls(1);
      // SQLite's own limit on the file size produces the very error a full disk does (SQLITE_FULL).
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      let failure: unknown;
      try {
        for (let i = 0; i < 200; i++)
          start(`big-${i}`, 10 + i, { peerUri: `sip:${'x'.repeat(4_000)}@example.test` });
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(StoreFailure);
      expect((failure as StoreFailure).error).toMatchObject({ kind: 'disk-full', path: db.name });
      expect(history.get('c1')?.id).toBe('c1');
    });

    it('throws StoreFailure(read-only) when writes are refused', () => {
      calls(1);
      db.pragma('query_only = ON');
      let failure: unknown;
      try {
        history.clear();
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(StoreFailure);
      expect((failure as StoreFailure).error.kind).toBe('read-only');
      expect(() => start('c2', 2)).toThrow(StoreFailure);
      db.pragma('query_only = OFF');
      expect(pageIds(10).ids).toEqual(['c1']);
    });
  });
});
