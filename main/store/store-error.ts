// Storage failures as data a person can act on. SQLite and the file system report codes (SQLITE_NOTADB, EACCES,
// ENOSPC…); the window needs to say "the file is damaged" or "the disk is full" and where, so every failure that
// leaves the store is classified here once, into a kind the contract names. The sentences are the window's
// (renderer/src/lib/app-info-text.ts): the store only says which kind, which file, and the technical cause.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { StorageErrorDto, StorageErrorKind } from '../contract/contract';

export type StoreErrorKind = StorageErrorKind;

/**
 * The kind, the database file concerned, the technical cause (error code and text, for a detail line and logs) and,
 * for `in-use`, the holder's pid when known: exactly what `app.info` carries to the window.
 */
export type StoreError = StorageErrorDto;

/** Thrown by repositories when the database cannot do what was asked; carries the classified error. */
export class StoreFailure extends Error {
  constructor(readonly error: StoreError) {
    // A technical line for logs and stack traces; the window words the kind itself.
    super(`${error.kind}: ${error.path}: ${error.detail}`);
    this.name = 'StoreFailure';
  }
}

function codeOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null || !('code' in cause)) return undefined;
  const code = (cause as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function detailOf(cause: unknown): string {
  const code = codeOf(cause);
  const text = cause instanceof Error ? cause.message : String(cause);
  return code !== undefined && !text.includes(code) ? `${code}: ${text}` : text;
}

export function kindOfCode(code: string | undefined): StoreErrorKind {
  if (code === undefined) return 'unknown';
  // SQLite's extended codes refine the primary one (SQLITE_READONLY_DIRECTORY, SQLITE_CORRUPT_INDEX, …).
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  switch (primary) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return 'corrupt';
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'read-only';
    case 'SQLITE_FULL':
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk-full';
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'busy';
    default:
      return 'unknown';
  }
}

export function storeError(kind: StoreErrorKind, path: string, detail: string): StoreError {
  return { kind, path, detail, holderPid: null };
}

/** `in-use`, naming the engine that holds the folder when its process is known. */
export function inUseError(path: string, detail: string, holderPid: number | null): StoreError {
  return { kind: 'in-use', path, detail, holderPid };
}

/**
 * Classifies anything thrown while opening or using the database at `path` (a better-sqlite3 SqliteError, a Node
 * file-system error, or something else) into a StoreError.
 */
export function classifyStoreError(cause: unknown, path: string): StoreError {
  if (cause instanceof StoreFailure) return cause.error;
  const code = codeOf(cause);
  let kind = kindOfCode(code);
  // SQLite says only "unable to open database file"; a folder we may not write is the usual reason for a new file.
  if (kind === 'unknown' && code === 'SQLITE_CANTOPEN' && !writable(dirname(path))) kind = 'read-only';
  return storeError(kind, path, detailOf(cause));
}

function writable(directory: string): boolean {
  try {
    accessSync(directory, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs a database operation, turning whatever it throws into a StoreFailure with a classified error. */
export function guarded<T>(path: string, operation: () => T): T {
  try {
    return operation();
  } catch (cause) {
    if (cause instanceof StoreFailure) throw cause;
    if (!isStorageError(cause)) throw cause;
    throw new StoreFailure(classifyStoreError(cause, path));
  }
}

// Programming errors (a TypeError from a bad binding, say) must stay loud bugs, not become "storage" errors.
function isStorageError(cause: unknown): boolean {
  const code = codeOf(cause);
  return code !== undefined && (code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code));
}
