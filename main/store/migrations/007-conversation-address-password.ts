// Schema version 7: no password in a conversation's address. RFC 3261 §19.1.1 advises against passwords in SIP URIs,
// and the message service no longer keeps one (the address written to and the sender's address are stored without
// it), but earlier versions stored `peer_uri` as given: `sip:bob:secret@example.com`. This removes the password from
// those rows and leaves everything else as written. `peer_key` never held a password, so no conversation merges.
//
// The store does not import the SIP parser, so the userinfo is found by the URI grammar itself (RFC 3261 §25.1): in a
// `sip:`/`sips:` URI the userinfo runs to the first `@` (neither the host, the parameters nor the headers may hold an
// unescaped one), and in it the user part ends at the first `:` (not a user character), after which comes the
// password. Every stored address was parsed by the service before it was written, so that shape holds.
import type { Migration } from '../migrate';

/** `scheme:user:password@rest` → `scheme:user@rest`; anything else is returned unchanged. */
export function addressWithoutPassword(uri: string): string {
  const match = /^(sips?:)([^:@]+):[^@]*@/i.exec(uri);
  return match ? `${match[1]}${match[2]}@${uri.slice(match[0].length)}` : uri;
}

export const conversationAddressPassword: Migration = {
  version: 7,
  name: 'conversation-address-password',
  up(db) {
    const rows = db
      .prepare("SELECT id, peer_uri FROM conversations WHERE peer_uri LIKE 'sip%:%:%@%'")
      .all() as { id: string; peer_uri: string }[];
    const update = db.prepare('UPDATE conversations SET peer_uri = ? WHERE id = ?');
    for (const row of rows) {
      const stripped = addressWithoutPassword(row.peer_uri);
      if (stripped !== row.peer_uri) update.run(stripped, row.id);
    }
  },
};
