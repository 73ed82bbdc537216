// Schema version 8: no password in a contact's SIP address or in a call's far-end address either. Version 7 cleaned
// conversations; the contact service and the call engine now keep no password too (RFC 3261 §19.1.1), but earlier
// versions stored a contact's address as typed or imported and a caller's From as it came. This removes the password
// from those rows the way version 7 did (the URI grammar, no SIP parser in the store) and leaves the rest as written.
// A contact's match key never held the password, so lookups by caller stay as they were.
import type { Migration } from '../migrate';
import { addressWithoutPassword } from './007-conversation-address-password';

export const addressPasswords: Migration = {
  version: 8,
  name: 'address-passwords',
  up(db) {
    const contactRows = db
      .prepare(
        `SELECT contact_id, position, value FROM contact_addresses WHERE kind = 'sip' AND value LIKE 'sip%:%:%@%'`,
      )
      .all() as { contact_id: string; position: number; value: string }[];
    const updateContact = db.prepare(
      `UPDATE contact_addresses SET value = ? WHERE contact_id = ? AND kind = 'sip' AND position = ?`,
    );
    for (const row of contactRows) {
      const stripped = addressWithoutPassword(row.value);
      if (stripped !== row.value) updateContact.run(stripped, row.contact_id, row.position);
    }
    const callRows = db
      .prepare(`SELECT id, peer_uri FROM call_history WHERE peer_uri LIKE 'sip%:%:%@%'`)
      .all() as { id: string; peer_uri: string }[];
    const updateCall = db.prepare('UPDATE call_history SET peer_uri = ? WHERE id = ?');
    for (const row of callRows) {
      const stripped = addressWithoutPassword(row.peer_uri);
      if (stripped !== row.peer_uri) updateCall.run(stripped, row.id);
    }
  },
};
