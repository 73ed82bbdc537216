// Schema version 1: SIP accounts and the key/value settings table.
import type { Migration } from '../migrate';

export const accountsSettings: Migration = {
  version: 1,
  name: 'accounts-settings',
  up(db) {
    // STRICT makes SQLite reject a value of the wrong type instead of storing it. Times are milliseconds since the
    // epoch. `password` holds ciphertext from a SecretCipher, never the password itself.
    db.exec(`
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY NOT NULL,
        display_name TEXT NOT NULL,
        aor TEXT NOT NULL,
        auth_user TEXT,
        outbound_proxy TEXT,
        transport TEXT NOT NULL CHECK (transport IN ('udp', 'tcp')),
        expires INTEGER NOT NULL CHECK (expires > 0),
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        sort_order INTEGER NOT NULL,
        password BLOB,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) STRICT;
    `);
  },
};
