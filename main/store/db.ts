// Opening the SQLite database: the one place that sets the connection's pragmas and turns "cannot open" into a
// StoreError a person can act on (damaged file, read-only file or folder, full disk, …) instead of a crash.
//
// Durability choice: WAL with synchronous=FULL. In WAL mode a commit is written to the -wal file before better-sqlite3
// returns, so synchronous=NORMAL already survives the process being killed (kill -9): the written pages sit in the
// OS page cache and SQLite recovers them on the next open. NORMAL skips the fsync at each commit, so a power cut or OS
// crash can still roll back the last few commits. Writes here happen at human pace (someone saves an account), and
// FULL costs about one fsync (≈1 ms on an SSD) per commit, so we take FULL: once a write is acknowledged it survives a
// power cut as well.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { nativeBindingForThisProcess } from './native-binding';
import { classifyStoreError, storeError, type StoreError } from './store-error';

/** How long a statement waits for another connection's lock before failing with "busy". */
export const BUSY_TIMEOUT_MS = 5_000;

export interface OpenDatabaseOptions {
  /** Open without writing anything (no WAL switch, no folder creation, no write probe). Default false. */
  readonly readonly?: boolean;
  /**
   * Run `PRAGMA quick_check` so a damaged file is reported at start rather than on some later query. It reads every
   * page: about 0.2 ms for a new database and 30 ms for 30 MB. Default true.
   */
  readonly quickCheck?: boolean;
  readonly busyTimeoutMs?: number;
  /**
   * The compiled addon to load. Default: the Electron-ABI copy when running inside Electron from the source tree,
   * better-sqlite3's own build otherwise (see native-binding.ts).
   */
  readonly nativeBinding?: string;
}

export type OpenDatabaseOutcome =
  { readonly ok: true; readonly db: SqliteDatabase } | { readonly ok: false; readonly error: StoreError };

/** Opens (creating it and its folder when missing) the database at `path` with the store's pragmas. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenDatabaseOutcome {
  const readonly = options.readonly ?? false;
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  let db: SqliteDatabase | undefined;
  try {
    // 0700: the folder also holds the key file that protects stored passwords.
    if (!readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const nativeBinding = options.nativeBinding ?? nativeBindingForThisProcess();
    db = new Database(path, {
      readonly,
      fileMustExist: readonly,
      timeout: busyTimeoutMs,
      ...(nativeBinding !== undefined ? { nativeBinding } : {}),
    });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // The first statement that reads the file: a file that is not a database fails here with SQLITE_NOTADB.
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (options.quickCheck ?? true) {
      const problems = quickCheckProblems(db);
      if (problems.length > 0) {
        db.close();
        return { ok: false, error: storeError('corrupt', path, `quick_check: ${problems.join('; ')}`) };
      }
    }
    if (!readonly) probeWrite(db);
    return { ok: true, db };
  } catch (cause) {
    closeQuietly(db);
    return { ok: false, error: classifyStoreError(cause, path) };
  }
}

/** Closes the connection, first letting SQLite refresh its query-planner statistics as it recommends. */
export function closeDatabase(db: SqliteDatabase): void {
  if (!db.open) return;
  try {
    if (!db.readonly) db.pragma('optimize');
  } catch {
    // Only an optimisation; closing (which checkpoints the WAL) is what matters, and shutdown must not throw.
  }
  db.close();
}

function quickCheckProblems(db: SqliteDatabase): string[] {
  // A few findings are enough for the detail line and keep it short for a badly damaged file. Recent SQLite returns
  // them as lines of one row, under a "*** in database main ***" heading.
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  return rows
    .flatMap((row) => row.quick_check.split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('***'))
    .slice(0, 5);
}

// A read-only file in a writable folder opens without complaint and even enters WAL mode; only a write tells. Setting
// user_version to its current value is a real write that changes nothing.
function probeWrite(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${version}`);
}

function closeQuietly(db: SqliteDatabase | undefined): void {
  try {
    if (db?.open) db.close();
  } catch {
    // Already failing; the first error is the one worth reporting.
  }
}
