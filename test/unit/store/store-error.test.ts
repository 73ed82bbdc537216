import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  StoreFailure,
  classifyStoreError,
  guarded,
  inUseError,
  kindOfCode,
  storeError,
} from '../../../main/store/store-error';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

function sqliteError(code: string, message = 'boom'): Error {
  return new Database.SqliteError(message, code);
}

describe('kindOfCode', () => {
  it.each([
    ['SQLITE_NOTADB', 'corrupt'],
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_CORRUPT_INDEX', 'corrupt'],
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_READONLY_DIRECTORY', 'read-only'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['SQLITE_PERM', 'read-only'],
    ['EACCES', 'read-only'],
    ['EPERM', 'read-only'],
    ['EROFS', 'read-only'],
    ['SQLITE_FULL', 'disk-full'],
    ['ENOSPC', 'disk-full'],
    ['EDQUOT', 'disk-full'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
    ['SQLITE_LOCKED', 'busy'],
    ['SQLITE_IOERR_WRITE', 'unknown'],
    ['SQLITE_NOTADBX', 'unknown'],
    ['ENOTDIR', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('%s → %s', (code, kind) => {
    expect(kindOfCode(code)).toBe(kind);
  });
});

describe('classifyStoreError', () => {
  it('keeps the kind, the path and the technical detail, and no sentence (the window words it)', () => {
    const error = classifyStoreError(
      sqliteError('SQLITE_FULL', 'database or disk is full'),
      '/data/x.sqlite',
    );
    expect(error).toEqual({
      kind: 'disk-full',
      path: '/data/x.sqlite',
      detail: 'SQLITE_FULL: database or disk is full',
      holderPid: null,
    });
  });

  it('does not repeat a code the message already names', () => {
    const cause = Object.assign(new Error("EACCES: permission denied, mkdir '/x'"), { code: 'EACCES' });
    expect(classifyStoreError(cause, '/x/db').detail).toBe("EACCES: permission denied, mkdir '/x'");
  });

  it('treats "cannot open" in a writable folder as unknown', () => {
    const dir = tempDir();
    const error = classifyStoreError(sqliteError('SQLITE_CANTOPEN'), join(dir, 'db.sqlite'));
    expect(error.kind).toBe('unknown');
  });

  it('classifies non-errors without throwing', () => {
    expect(classifyStoreError('weird', '/db')).toMatchObject({ kind: 'unknown', detail: 'weird' });
    expect(classifyStoreError(undefined, '/db').kind).toBe('unknown');
  });

  it('passes a StoreFailure through unchanged', () => {
    const error = storeError('corrupt', '/db', 'x');
    expect(classifyStoreError(new StoreFailure(error), '/other')).toBe(error);
  });

  it('names the holder of a folder in use only in that kind', () => {
    expect(inUseError('/some/db.sqlite', 'SQLITE_BUSY', 4242)).toEqual({
      kind: 'in-use',
      path: '/some/db.sqlite',
      detail: 'SQLITE_BUSY',
      holderPid: 4242,
    });
    expect(storeError('busy', '/some/db.sqlite', 'x').holderPid).toBeNull();
  });
});

describe('guarded', () => {
  it('returns the value when nothing fails', () => {
    expect(guarded('/db', () => 42)).toBe(42);
  });

  it('turns database and file-system errors into a StoreFailure', () => {
    const run = () =>
      guarded('/db', () => {
        throw sqliteError('SQLITE_READONLY');
      });
    expect(run).toThrow(StoreFailure);
    try {
      run();
    } catch (failure) {
      expect((failure as StoreFailure).error.kind).toBe('read-only');
      // Its Error message is the technical line for logs: kind, file and cause.
      expect((failure as StoreFailure).message).toMatch(/^read-only: \/db: SQLITE_READONLY/);
    }
  });

  it('lets programming errors through untouched', () => {
    const bug = new TypeError('not a function');
    expect(() =>
      guarded('/db', () => {
        throw bug;
      }),
    ).toThrow(bug);
  });
});
