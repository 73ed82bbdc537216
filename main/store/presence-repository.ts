// What presence keeps between runs, in rows of the `settings` table under keys of its own (no migration needed, and
// the typed settings never see them: SettingsRepository reads only the keys it knows):
//
//   presence.own:<accountId>       {"status":"away","note":"back at 3"}   the status a person chose for an account
//   presence.watchers:<accountId>  {"sip:bob@example.com":1700000000000}  when each watcher was first seen
//   presence.watchersSeenAt        1700000000000                          when the window last showed the watchers
//
// A row that is missing or unreadable (hand-edited, from another version) reads as nothing, never as an error.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { OWN_STATUSES, PRESENCE_NOTE_MAX } from '../contract/limits';
import type { OwnStatus } from '../contract/contract';
import { guarded } from './store-error';

export interface ChosenStatus {
  readonly status: OwnStatus;
  readonly note: string | null;
}

/** First-seen times by watcher URI; kept to this many per account (the winfo watcher keeps at most 1,000). */
export const MAX_REMEMBERED_WATCHERS = 1_000;

const OWN = 'presence.own:';
const WATCHERS = 'presence.watchers:';
const SEEN_AT = 'presence.watchersSeenAt';

export class PresenceRepository {
  readonly #db: SqliteDatabase;
  readonly #get: Statement<[string], { value: string }>;
  readonly #upsert: Statement<[{ key: string; value: string }]>;
  readonly #delete: Statement<[string]>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#get = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.#upsert = db.prepare(
      'INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.#delete = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The status chosen for an account; undefined when none was ever chosen (the service then says available). */
  ownStatus(accountId: string): ChosenStatus | undefined {
    const value = this.#read(OWN + accountId);
    if (typeof value !== 'object' || value === null) return undefined;
    const { status, note } = value as { status?: unknown; note?: unknown };
    if (typeof status !== 'string' || !(OWN_STATUSES as readonly string[]).includes(status)) return undefined;
    const text = typeof note === 'string' && note !== '' ? note.slice(0, PRESENCE_NOTE_MAX) : null;
    return { status: status as OwnStatus, note: text };
  }

  setOwnStatus(accountId: string, chosen: ChosenStatus): void {
    this.#write(OWN + accountId, { status: chosen.status, note: chosen.note });
  }

  /** When each of an account's watchers was first seen (ms since the epoch), by URI. */
  watchersFirstSeen(accountId: string): Map<string, number> {
    const value = this.#read(WATCHERS + accountId);
    const seen = new Map<string, number>();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return seen;
    for (const [uri, at] of Object.entries(value as Record<string, unknown>)) {
      if (seen.size >= MAX_REMEMBERED_WATCHERS) break;
      if (typeof at === 'number' && Number.isFinite(at)) seen.set(uri, at);
    }
    return seen;
  }

  setWatchersFirstSeen(accountId: string, seen: ReadonlyMap<string, number>): void {
    const entries = [...seen].slice(0, MAX_REMEMBERED_WATCHERS);
    this.#write(WATCHERS + accountId, Object.fromEntries(entries));
  }

  /** When the window last showed the watchers; 0 when never. */
  watchersSeenAt(): number {
    const value = this.#read(SEEN_AT);
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  }

  setWatchersSeenAt(at: number): void {
    this.#write(SEEN_AT, at);
  }

  /** Forgets everything kept for an account (it was deleted). */
  forgetAccount(accountId: string): void {
    guarded(this.#db.name, () =>
      this.#db.transaction(() => {
        this.#delete.run(OWN + accountId);
        this.#delete.run(WATCHERS + accountId);
      })(),
    );
  }

  #read(key: string): unknown {
    const row = guarded(this.#db.name, () => this.#get.get(key));
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  #write(key: string, value: unknown): void {
    guarded(this.#db.name, () => this.#upsert.run({ key, value: JSON.stringify(value) }));
  }
}
