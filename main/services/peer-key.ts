// The key a conversation is found by. A peer writes as `sip:Bob@Example.COM;transport=tcp` one day and as
// `sip:Bob@example.com` the next; both are one person. Following RFC 3261 §19.1.4 the scheme and host compare
// without regard to case and the user part with it; the port stays (an absent port is not 5060). Parameters, headers
// and a password are not part of who someone is, so they are dropped. A `tel:` peer (RFC 3966) keys by its number.
import { formatUri, isSipUri, parseUri } from '../sip/message/uri';

/** The lookup key for a peer's address, or null when it is not a SIP or tel URI. */
export function peerKey(address: string): string | null {
  const parsed = parseUri(address.trim());
  if (!parsed.ok) return null;
  const uri = parsed.value;
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
