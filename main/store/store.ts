// The store as the engine uses it: open the database file in the data folder, bring its schema up to date, and hand
// out the repositories. Opened once per process; every failure on the way is a StoreError for the error screen.
import { join } from 'node:path';
import type { Clock } from '../platform/clock';
import { AccountsRepository } from './accounts-repository';
import { closeDatabase, openDatabase } from './db';
import { migrate } from './migrate';
import { SettingsRepository } from './settings-repository';
import type { StoreError } from './store-error';

export const DATABASE_FILE_NAME = 'softphone.sqlite';

export interface Store {
  /** The database file. */
  readonly path: string;
  readonly accounts: AccountsRepository;
  readonly settings: SettingsRepository;
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
}

export type OpenStoreOutcome =
  { readonly ok: true; readonly store: Store } | { readonly ok: false; readonly error: StoreError };

export function openStore(options: OpenStoreOptions): OpenStoreOutcome {
  const path = join(options.dataDir, options.fileName ?? DATABASE_FILE_NAME);
  const opened = openDatabase(path, { quickCheck: options.quickCheck });
  if (!opened.ok) return opened;
  const { db } = opened;
  const migrated = migrate(db);
  if (!migrated.ok) {
    db.close();
    return migrated;
  }
  const accounts = new AccountsRepository(db, { clock: options.clock, newId: options.newId });
  const settings = new SettingsRepository(db);
  return { ok: true, store: { path, accounts, settings, close: () => closeDatabase(db) } };
}
