import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../main/store/db';
import type { StoreError } from '../../../main/store/store-error';
import { useTempDirs } from './helpers/temp-dir';
import { NOBODY, runChild } from './helpers/run-child';

const tempDir = useTempDirs();

function openOk(path: string): Database.Database {
  const opened = openDatabase(path);
  if (!opened.ok) throw new Error(`expected to open: ${opened.error.detail}`);
  return opened.db;
}

function openError(path: string, options?: Parameters<typeof openDatabase>[1]): StoreError {
  const opened = openDatabase(path, options);
  if (opened.ok) {
    opened.db.close();
    throw new Error('expected the open to fail');
  }
  return opened.error;
}

/** A closed database with some rows and an index, spread over many pages (4 KiB each). */
function makeDatabase(path: string, journalMode: 'delete' | 'wal' = 'delete'): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT); CREATE INDEX t_x ON t (x);');
  const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`row ${i} ${'y'.repeat(50)}`);
  })();
  db.close();
}

function scribble(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

const isRoot = process.getuid?.() === 0;
const posix = process.platform !== 'win32';

/**
 * What an ordinary user gets from openDatabase(path). Root ignores file modes, so as root the open runs in a child
 * process as `nobody`; otherwise in this process.
 */
function openAsUnprivileged(path: string): { ok: true } | { ok: false; error: StoreError } {
  if (!isRoot) {
    const opened = openDatabase(path);
    if (opened.ok) opened.db.close();
    return opened.ok ? { ok: true } : opened;
  }
  return JSON.parse(runChild('open-probe.ts', [path], NOBODY)) as
    { ok: true } | { ok: false; error: StoreError };
}

/** A folder the unprivileged user can reach (mkdtemp makes 0700 folders owned by us). */
function sharedDir(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  return dir;
}

describe('openDatabase', () => {
  it('creates the file and its missing folders, with the store pragmas', () => {
    const path = join(tempDir(), 'a', 'b', 'store.sqlite');
    const db = openOk(path);
    try {
      expect(existsSync(path)).toBe(true);
      if (posix) expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      closeDatabase(db);
    }
  });

  it('opens an existing database and keeps its data', () => {
    const path = join(tempDir(), 'store.sqlite');
    makeDatabase(path);
    const db = openOk(path);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
    closeDatabase(db);
    closeDatabase(db); // twice is harmless
  });

  it('reports a file that is not a database as corrupt', () => {
    const path = join(tempDir(), 'store.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 'garbage! '));
    const error = openError(path);
    expect(error).toMatchObject({ kind: 'corrupt', path, holderPid: null });
    expect(error.detail).toContain('SQLITE_NOTADB');
  });

  // The header (page 1) stays intact, so the file still looks like a database and opens; only reading the damaged
  // pages tells. Opening runs no query that reads them, which is what quick_check is for.
  it('finds scribbled cell pointers inside a valid database with quick_check', () => {
    const path = join(tempDir(), 'store.sqlite');
    makeDatabase(path);
    scribble(path, 4096 * 9 + 20, 100);
    const error = openError(path);
    expect(error.kind).toBe('corrupt');
    expect(error.detail).toMatch(/^quick_check: .*page 10/);
    expect(error.detail).not.toContain('\n');
  });

  it('reports whole pages of garbage as corrupt too', () => {
    const path = join(tempDir(), 'store.sqlite');
    makeDatabase(path);
    scribble(path, 4096 * 3, 4096 * 4);
    const error = openError(path);
    expect(error.kind).toBe('corrupt');
    // Depending on which page SQLite trips over first, the check reports it or fails with SQLITE_CORRUPT.
    expect(error.detail).toMatch(/^quick_check: |SQLITE_CORRUPT/);
  });

  it('skips the check when asked, so a damaged page goes unnoticed at open', () => {
    const path = join(tempDir(), 'store.sqlite');
    makeDatabase(path);
    scribble(path, 4096 * 9 + 20, 100);
    const opened = openDatabase(path, { quickCheck: false });
    expect(opened.ok).toBe(true);
    if (opened.ok) opened.db.close();
  });

  it('reports a read-only connection refusing a write as read-only', () => {
    const path = join(tempDir(), 'store.sqlite');
    makeDatabase(path);
    const opened = openDatabase(path, { readonly: true });
    if (!opened.ok) throw new Error(opened.error.detail);
    expect(() => opened.db.exec("INSERT INTO t (x) VALUES ('z')")).toThrow(
      expect.objectContaining({ code: 'SQLITE_READONLY' }),
    );
    opened.db.close();
  });

  it('does not create a missing file when opened read-only', () => {
    const path = join(tempDir(), 'missing.sqlite');
    expect(openError(path, { readonly: true }).kind).toBe('unknown');
    expect(existsSync(path)).toBe(false);
  });

  describe.skipIf(!posix)('files and folders the user may not write', () => {
    it('a read-only file in a read-only folder is reported as read-only', () => {
      const dir = sharedDir();
      const path = join(dir, 'store.sqlite');
      makeDatabase(path);
      chmodSync(path, 0o444);
      expect(openAsUnprivileged(path)).toMatchObject({ ok: false, error: { kind: 'read-only', path } });
    });

    it('a read-only file in a writable folder is caught by the write probe', () => {
      // SQLite opens this without complaint and even switches it to WAL; only a write fails.
      const dir = sharedDir();
      chmodSync(dir, 0o777);
      const path = join(dir, 'store.sqlite');
      makeDatabase(path, 'wal');
      chmodSync(path, 0o444);
      const result = openAsUnprivileged(path);
      expect(result).toMatchObject({ ok: false, error: { kind: 'read-only', path } });
    });

    it('a new database in a folder the user may not write is reported as read-only', () => {
      const dir = sharedDir();
      const path = join(dir, 'store.sqlite');
      expect(openAsUnprivileged(path)).toMatchObject({ ok: false, error: { kind: 'read-only', path } });
    });

    it('a missing folder that cannot be created is reported as read-only', () => {
      const path = join(sharedDir(), 'sub', 'store.sqlite');
      const result = openAsUnprivileged(path);
      expect(result).toMatchObject({ ok: false, error: { kind: 'read-only' } });
      if (!result.ok) expect(result.error.detail).toMatch(/EACCES/);
    });

    it('the same files open fine for their owner (the checks above are about permissions)', () => {
      const dir = sharedDir();
      chmodSync(dir, 0o777);
      const path = join(dir, 'store.sqlite');
      makeDatabase(path);
      chmodSync(path, 0o666);
      expect(openAsUnprivileged(path)).toEqual({ ok: true });
    });
  });

  it('reports a folder path that is a file as an unknown error naming the path', () => {
    const blocker = join(tempDir(), 'not-a-folder');
    writeFileSync(blocker, 'x');
    const path = join(blocker, 'store.sqlite');
    const error = openError(path);
    expect(error.kind).toBe('unknown');
    expect(error.path).toBe(path);
    expect(error.detail).toMatch(/EEXIST|ENOTDIR/);
  });

  it('reports a database locked by another connection as busy after the timeout', () => {
    const path = join(tempDir(), 'store.sqlite');
    const holder = openOk(path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      const error = openError(path, { busyTimeoutMs: 50 });
      expect(error.kind).toBe('busy');
      expect(error.detail).toMatch(/SQLITE_BUSY|locked/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('quick_check on a new database is cheap', () => {
    const path = join(tempDir(), 'store.sqlite');
    const db = openOk(path);
    const started = performance.now();
    db.pragma('quick_check');
    expect(performance.now() - started).toBeLessThan(50);
    db.close();
  });

  it('takes group and other access away from a data folder that already exists', () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    openOk(join(dir, 'store.sqlite')).close();
    if (posix) expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
