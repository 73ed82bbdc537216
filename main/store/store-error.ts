// Storage failures as data a person can act on. SQLite and the file system report codes (SQLITE_NOTADB, EACCES,
// ENOSPC…); the interface needs to say "the file is damaged" or "the disk is full" and where, so every failure that
// leaves the store is classified here once.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';

export type StoreErrorKind =
  'corrupt' | 'read-only' | 'disk-full' | 'busy' | 'in-use' | 'too-new' | 'unknown';

export interface StoreError {
  readonly kind: StoreErrorKind;
  /** The database file concerned. */
  readonly path: string;
  /** One or two sentences for a person: what is wrong and what to do. */
  readonly message: string;
  /** The technical cause (error code and text), for a detail line and logs. */
  readonly detail: string;
}

/** Thrown by repositories when the database cannot do what was asked; carries the classified error. */
export class StoreFailure extends Error {
  constructor(readonly error: StoreError) {
    super(error.message);
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

export function messageFor(kind: StoreErrorKind, path: string): string {
  switch (kind) {
    case 'corrupt':
      return `The settings database ${path} is damaged and cannot be read. Move it aside (or restore a backup) and start the app again to begin with an empty one.`;
    case 'read-only':
      return `The settings database ${path} cannot be written: the file or its folder is read-only. Give your user write access to them and start the app again.`;
    case 'disk-full':
      return `The disk holding ${path} is full. Free some space and try again.`;
    case 'busy':
      return `The settings database ${path} is in use by another program, probably another copy of the softphone. Close it and try again.`;
    case 'in-use':
      return `The data folder ${dirname(path)} is in use by another softphone engine (the app or \`npm run web\`). Only one may use a data folder at a time: close the other one, or give this one another data folder.`;
    case 'too-new':
      return `The settings database ${path} was written by a newer version of the softphone. Update the app to use it; it was left unchanged.`;
    case 'unknown':
      return `The settings database ${path} could not be used.`;
  }
}

export function storeError(kind: StoreErrorKind, path: string, detail: string): StoreError {
  return { kind, path, message: messageFor(kind, path), detail };
}

/** `in-use`, naming the engine that holds the folder when its process is known. */
export function inUseError(path: string, detail: string, holderPid: number | null): StoreError {
  if (holderPid === null) return storeError('in-use', path, detail);
  return {
    kind: 'in-use',
    path,
    message: `The data folder ${dirname(path)} is in use by another softphone engine, process ${holderPid} (the app or \`npm run web\`). Only one may use a data folder at a time: close the other one, or give this one another data folder.`,
    detail: `held by pid ${holderPid}; ${detail}`,
  };
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
