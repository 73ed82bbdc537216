// Schema migrations numbered by SQLite's `PRAGMA user_version`: version N means migrations 1..N have run. Pending
// migrations run together in one transaction, so a database is never left half-upgraded, and a database written by a
// newer app (a version above the last one known here) is refused rather than guessed at or downgraded.
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { migrations as knownMigrations } from './migrations/index';
import { classifyStoreError, storeError, type StoreError } from './store-error';

export interface Migration {
  /**
   * 1 for the first migration, then increasing. Consecutive once everything is merged; a gap is tolerated so that
   * migrations written in parallel can keep the numbers they were given (a database at version N has run every known
   * migration up to N).
   */
  readonly version: number;
  readonly name: string;
  /** Runs inside the migration transaction with foreign keys off; must not commit or change pragmas. */
  up(db: SqliteDatabase): void;
}

export interface MigrateOptions {
  /** Defaults to the app's migrations (migrations/index.ts). */
  readonly migrations?: readonly Migration[];
  /** Stop at this version instead of the latest; tests use it to build databases as earlier versions left them. */
  readonly target?: number;
}

export type MigrateOutcome =
  | { readonly ok: true; readonly from: number; readonly to: number }
  | { readonly ok: false; readonly error: StoreError };

/** Brings the database up to `target` (default: the latest known version). */
export function migrate(db: SqliteDatabase, options: MigrateOptions = {}): MigrateOutcome {
  const list = options.migrations ?? knownMigrations;
  checkNumbering(list);
  const latest = latestSchemaVersion(list);
  const target = options.target ?? latest;
  if (!Number.isInteger(target) || target < 0 || target > latest) {
    throw new RangeError(`Migration target ${target} is outside 0..${latest}`);
  }
  const path = db.name;
  // Table rebuilds (SQLite's recipe for most ALTERs) need foreign keys off, and that pragma is ignored inside a
  // transaction: switch it off around the transaction and check the keys before committing instead.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  let current = 'before reading the version';
  try {
    db.pragma('foreign_keys = OFF');
    // IMMEDIATE takes the write lock before the version is read, so two processes cannot both run a migration.
    return db
      .transaction((): MigrateOutcome => {
        const from = db.pragma('user_version', { simple: true }) as number;
        if (from > latest) {
          return {
            ok: false,
            error: storeError(
              'too-new',
              path,
              `schema version ${from}; this version of the app knows up to ${latest}`,
            ),
          };
        }
        if (from >= target) return { ok: true, from, to: from };
        for (const migration of list.filter(({ version }) => version > from && version <= target)) {
          current = `migration ${migration.version} (${migration.name})`;
          migration.up(db);
        }
        current = 'checking foreign keys';
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`${broken.length} rows break a foreign key`);
        db.pragma(`user_version = ${target}`);
        return { ok: true, from, to: target };
      })
      .immediate();
  } catch (cause) {
    const error = classifyStoreError(cause, path);
    // A cause with no kind of its own (a migration's bug, a broken foreign key) is still known to be the upgrade's:
    // the window can then say the file was left unchanged rather than just "could not be used".
    const kind = error.kind === 'unknown' ? 'upgrade-failed' : error.kind;
    return { ok: false, error: { ...error, kind, detail: `${current}: ${error.detail}` } };
  } finally {
    restoreForeignKeys(db, foreignKeys);
  }
}

/** The latest schema version this build knows. */
export function latestSchemaVersion(list: readonly Migration[] = knownMigrations): number {
  return list.at(-1)?.version ?? 0;
}

function restoreForeignKeys(db: SqliteDatabase, previous: number): void {
  try {
    db.pragma(`foreign_keys = ${previous ? 'ON' : 'OFF'}`);
  } catch {
    // The connection is failing already; the caller reports that error, not this one.
  }
}

function checkNumbering(list: readonly Migration[]): void {
  let previous = 0;
  for (const migration of list) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new Error(
        `Migration ${migration.name} is numbered ${migration.version}, expected a whole number above ${previous}`,
      );
    }
    previous = migration.version;
  }
}
