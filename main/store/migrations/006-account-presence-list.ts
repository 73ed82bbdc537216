// Schema version 6: per account, the URI of a presence resource list (RFC 4662) the server keeps for us; null: watch
// each buddy with a subscription of its own. A nullable column, so every existing account keeps behaving as before.
// (Versions 4 and 5 are the contacts and messages tables, written alongside this one.)
import type { Migration } from '../migrate';

export const accountPresenceList: Migration = {
  version: 6,
  name: 'account-presence-list',
  up(db) {
    db.exec('ALTER TABLE accounts ADD COLUMN presence_list_uri TEXT;');
  },
};
