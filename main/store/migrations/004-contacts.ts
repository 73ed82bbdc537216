// Schema version 4: contacts. A contact has a name, a note, a favourite flag, whether to watch their presence and the
// account to reach them through; its SIP addresses and phone numbers are rows of their own, in the order the person
// put them (the first SIP address is the one watched and called first).
import type { Migration } from '../migrate';

export const contacts: Migration = {
  version: 4,
  name: 'contacts',
  up(db) {
    // `account_id` is SET NULL when its account is deleted: the contact stays and is then reached through the first
    // enabled account, as a contact saved without one is. `match_key` is the address as lookups compare it (a SIP
    // URI with its scheme and host lower-cased and its parameters dropped; a phone number's digits), `match_tail`
    // a phone number's last digits, for a number written nationally on one side and internationally on the other.
    // Both are computed by the service, which owns the rules; the store only indexes them.
    db.exec(`
      CREATE TABLE contacts (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        note TEXT NOT NULL,
        favorite INTEGER NOT NULL CHECK (favorite IN (0, 1)),
        watch_presence INTEGER NOT NULL CHECK (watch_presence IN (0, 1)),
        account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE contact_addresses (
        contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('sip', 'tel')),
        position INTEGER NOT NULL CHECK (position >= 0),
        value TEXT NOT NULL,
        label TEXT,
        match_key TEXT NOT NULL,
        match_tail TEXT,
        PRIMARY KEY (contact_id, kind, position)
      ) STRICT, WITHOUT ROWID;

      -- Lookups by address (who is calling or writing), by a number's last digits, the account's contacts (which
      -- makes ON DELETE SET NULL cheap) and the watched ones (the presence service's list, read from a few hundred
      -- among tens of thousands).
      CREATE INDEX contact_addresses_match ON contact_addresses (kind, match_key);
      CREATE INDEX contact_addresses_tail ON contact_addresses (match_tail) WHERE match_tail IS NOT NULL;
      CREATE INDEX contacts_account ON contacts (account_id) WHERE account_id IS NOT NULL;
      CREATE INDEX contacts_watched ON contacts (id) WHERE watch_presence = 1;
    `);
  },
};
