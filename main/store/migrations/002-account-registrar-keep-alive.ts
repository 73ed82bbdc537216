// Schema version 2: per account, the registrar to register with (null: the AoR's domain, RFC 3261 §10.2.6) and the
// keep-alive on the flow to the server (seconds, 0 = off; a CRLF ping of RFC 5626 §4.4.1 or an OPTIONS request).
// Added columns with defaults, so every existing account keeps behaving as before.
import type { Migration } from '../migrate';

export const accountRegistrarKeepAlive: Migration = {
  version: 2,
  name: 'account-registrar-keep-alive',
  up(db) {
    db.exec(`
      ALTER TABLE accounts ADD COLUMN registrar TEXT;
      ALTER TABLE accounts ADD COLUMN keep_alive_seconds INTEGER NOT NULL DEFAULT 0
        CHECK (keep_alive_seconds >= 0);
      ALTER TABLE accounts ADD COLUMN keep_alive_kind TEXT NOT NULL DEFAULT 'crlf'
        CHECK (keep_alive_kind IN ('crlf', 'options'));
    `);
  },
};
