// A database file in a fresh folder, opened the way the store opens it and migrated to the latest schema.
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../../../../main/store/db';
import { migrate } from '../../../../main/store/migrate';

export function migratedDatabase(dir: string): Database {
  const opened = openDatabase(join(dir, 'store.sqlite'));
  if (!opened.ok) throw new Error(opened.error.detail);
  const migrated = migrate(opened.db);
  if (!migrated.ok) throw new Error(migrated.error.detail);
  return opened.db;
}
