// The store as the engine uses it: open the database file in the data folder, bring its schema up to date, and hand
// out the repositories. Opened once per process; every failure on the way is a StoreError for the error screen.
import { join } from 'node:path';
import type { Clock } from '../platform/clock';
import { AccountsRepository } from './accounts-repository';
import { CallHistoryRepository } from './call-history-repository';
import { closeDatabase, openDatabase } from './db';
import { readOwner, removeOwner, writeOwner } from './engine-owner';
import { migrate } from './migrate';
import { PresenceRepository } from './presence-repository';
import { SettingsRepository } from './settings-repository';
import { inUseError, type StoreError } from './store-error';

export const DATABASE_FILE_NAME = 'softphone.sqlite';

export interface Store {
  /** The database file. */
  readonly path: string;
  readonly accounts: AccountsRepository;
  readonly settings: SettingsRepository;
  readonly callHistory: CallHistoryRepository;
  /** Our chosen presence per account and the watchers seen, in rows of the settings table. */
  readonly presence: PresenceRepository;
  /** Closes the database; the repositories must not be used afterwards. Safe to call twice. */
  close(): void;
}

export interface OpenStoreOptions {
  /** The folder for the database (created when missing); the FileKeyCipher keeps its key here too. */
  readonly dataDir: string;
  readonly clock: Pick<Clock, 'wallTime'>;
  /** Defaults to DATABASE_FILE_NAME. */
  readonly fileName?: string;
  /** See OpenDatabaseOptions.quickCheck; default true. */
  readonly quickCheck?: boolean;
  /** Account id generator; defaults to random UUIDs. */
  readonly newId?: () => string;
  /**
   * Hold the data folder for this store alone (SQLite's exclusive lock, see db.ts): a second store on the same folder,
   * in this process or another, fails with kind `in-use`. Default true.
   */
  readonly exclusive?: boolean;
  /** Recorded so a refused second engine can name this one; defaults to this process. */
  readonly pid?: number;
}

export type OpenStoreOutcome =
  { readonly ok: true; readonly store: Store } | { readonly ok: false; readonly error: StoreError };

export function openStore(options: OpenStoreOptions): OpenStoreOutcome {
  const path = join(options.dataDir, options.fileName ?? DATABASE_FILE_NAME);
  const exclusive = options.exclusive ?? true;
  const opened = openDatabase(path, { quickCheck: options.quickCheck, exclusive });
  if (!opened.ok)
    return opened.error.kind === 'in-use' ? { ok: false, error: namingHolder(opened.error) } : opened;
  const { db } = opened;
  const migrated = migrate(db);
  if (!migrated.ok) {
    db.close();
    return migrated;
  }
  const owner = { pid: options.pid ?? process.pid };
  if (exclusive) writeOwner(path, owner);
  const accounts = new AccountsRepository(db, { clock: options.clock, newId: options.newId });
  const settings = new SettingsRepository(db);
  const callHistory = new CallHistoryRepository(db);
  const presence = new PresenceRepository(db);
  const close = () => {
    if (!db.open) return;
    closeDatabase(db);
    if (exclusive) removeOwner(path, owner);
  };
  return { ok: true, store: { path, accounts, settings, callHistory, presence, close } };
}

/** Names the engine holding the folder, when its owner file names a live process. */
function namingHolder(error: StoreError): StoreError {
  return inUseError(error.path, error.detail, readOwner(error.path)?.pid ?? null);
}
