// Opening the SQLite database: the one place that sets the connection's pragmas and turns "cannot open" into a
// StoreError a person can act on (damaged file, read-only file or folder, full disk, …) instead of a crash.
//
// Durability choice: WAL with synchronous=FULL. In WAL mode a commit is written to the -wal file before better-sqlite3
// returns, so synchronous=NORMAL already survives the process being killed (kill -9): the written pages sit in the
// OS page cache and SQLite recovers them on the next open. NORMAL skips the fsync at each commit, so a power cut or OS
// crash can still roll back the last few commits. Writes here happen at human pace (someone saves an account), and
// FULL costs about one fsync (≈1 ms on an SSD) per commit, so we take FULL: once a write is acknowledged it survives a
// power cut as well.
//
// Privacy: the folder is made 0700 and the database with its -wal/-shm 0600 whatever the umask, also when they already
// existed with looser modes: the file holds account settings and the folder the key that protects their passwords.
// The database file is created by us (0600) before SQLite opens it, because SQLite gives a new -wal or -shm the
// mode of the database file.
//
// One engine per data folder: with `exclusive`, the connection runs in `locking_mode=EXCLUSIVE`, so the first
// write takes SQLite's exclusive file lock and keeps it until the connection closes. The lock is the operating
// system's (fcntl on POSIX, LockFileEx on Windows), so it ends with the process however the process ends: a crash
// or a SIGKILL cannot leave a stale lock behind, and no pid has to be trusted to tell. SQLite also tracks its locks
// per connection inside one process, so a second engine in the same process is refused as well. A second opener
// gets SQLITE_BUSY at once (no busy wait while acquiring) and the outcome is the StoreError kind `in-use`.
// In exclusive mode WAL keeps its index in heap memory, so no -shm file is made and other programs cannot read the
// file while the engine runs.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
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
  /** Hold SQLite's exclusive lock for the life of the connection (one engine per data folder). Default false. */
  readonly exclusive?: boolean;
}

/** Owner-only modes for the data folder and the files in it. */
export const PRIVATE_DIRECTORY_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps beside the database. */
const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

export type OpenDatabaseOutcome =
  { readonly ok: true; readonly db: SqliteDatabase } | { readonly ok: false; readonly error: StoreError };

/** Opens (creating it and its folder when missing) the database at `path` with the store's pragmas. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenDatabaseOutcome {
  const readonly = options.readonly ?? false;
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  const exclusive = !readonly && (options.exclusive ?? false);
  let db: SqliteDatabase | undefined;
  try {
    if (!readonly) makePrivate(path);
    // Taking the exclusive lock does not wait: the holder is another engine, which keeps it until it stops.
    const waitMs = exclusive ? 0 : busyTimeoutMs;
    const nativeBinding = options.nativeBinding ?? nativeBindingForThisProcess();
    db = new Database(path, {
      readonly,
      fileMustExist: readonly,
      timeout: waitMs,
      ...(nativeBinding !== undefined ? { nativeBinding } : {}),
    });
    db.pragma(`busy_timeout = ${waitMs}`);
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
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
    if (exclusive) db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    return { ok: true, db };
  } catch (cause) {
    closeQuietly(db);
    const error = classifyStoreError(cause, path);
    if (exclusive && error.kind === 'busy')
      return { ok: false, error: storeError('in-use', path, error.detail) };
    return { ok: false, error };
  }
}

/**
 * The data folder 0700 and the database with its side files 0600, whatever the umask and whatever modes they had:
 * the database file is created here (empty, which SQLite takes for a new database) so that it never exists with a
 * looser mode, and SQLite gives the -wal and -shm it creates later the database file's mode. Only group and other
 * bits are taken away: a folder or file the owner made read-only stays read-only and is reported as such.
 */
function makePrivate(path: string): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  ownerOnly(folder);
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    // Already there (the usual case): its mode is tightened below.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  ownerOnly(path);
  for (const suffix of SIDE_FILE_SUFFIXES) {
    const side = `${path}${suffix}`;
    if (existsSync(side)) ownerOnly(side);
  }
}

function ownerOnly(path: string): void {
  const stat = statSync(path);
  // Only the owner may change a mode; someone else's folder is not ours to fix (nor to refuse: opening it may work).
  if (process.getuid !== undefined && stat.uid !== process.getuid()) return;
  const mode = stat.mode & 0o7777;
  // A sticky folder is shared on purpose (/tmp given as the data folder by mistake): closing it would break others.
  if (stat.isDirectory() && (mode & 0o1000) !== 0) return;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & ~0o077);
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
