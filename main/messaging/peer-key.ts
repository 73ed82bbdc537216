// The key a conversation is found by. A peer writes as `sip:Bob@Example.COM;transport=tcp` one day and as
// `sip:Bob@example.com` the next; both are one person. Following RFC 3261 §19.1.4 the scheme and host compare
// without regard to case and the user part with it; the port stays (an absent port is not 5060). Parameters, headers
// and a password are not part of who someone is, so they are dropped. A `tel:` peer (RFC 3966) keys by its number.
// The messaging usage keys its is-composing machines and the peers who may hear our typing by it; the message service
// keys conversations by it (the conversations' peer_key column).
//
// This is deliberately not the contacts' sipAddressKey (contacts/address-key.ts), though both drop parameters and
// lower-case the host: that key is for finding a name, so `sips:` and `sip:` share it and a number matches on its
// digits; this one names a conversation, where `sips:` is another address to write to, and it is stored, so its
// spelling (a user part escaped as formatUri escapes it) must not change.
import { type Uri, formatUri, isSipUri, parseUri } from '../sip/message/uri';

/** The lookup key for a peer's address, or null when it is not a SIP or tel URI. */
export function peerKey(address: string): string | null {
  const parsed = parseUri(address.trim());
  return parsed.ok ? peerKeyOf(parsed.value) : null;
}

/** peerKey of a URI already parsed. */
export function peerKeyOf(uri: Uri): string | null {
  if (isSipUri(uri)) {
    return formatUri({
      scheme: uri.scheme,
      user: uri.user,
      host: uri.host.toLowerCase(),
      port: uri.port,
      params: new Map(),
      headers: new Map(),
    });
  }
  if (uri.scheme === 'tel' && 'number' in uri) return `tel:${uri.number}`;
  return null;
}

/**
 * The address as written, less the password of its userinfo (`sip:bob:secret@host` → `sip:bob@host`). RFC 3261
 * §19.1.1 advises against passwords in SIP URIs; one that comes anyway is never stored, shown or sent on. An address
 * without one, or that is not a SIP URI, is returned unchanged.
 */
export function withoutPassword(address: string): string {
  const parsed = parseUri(address.trim());
  if (!parsed.ok || !isSipUri(parsed.value) || parsed.value.password === undefined) return address;
  return formatUri({ ...parsed.value, password: undefined });
}
