// How a contact is found by the address someone calls or writes from. Two SIP URIs name the same person when their
// user and host agree, whatever their parameters, port-less `;transport=tcp` or letter case of the host (RFC 3261
// §19.1.4 compares scheme and host case-insensitively and the user exactly, after unescaping); a caller known only
// by a number (`tel:+44…`, or `sip:+44…@gateway;user=phone`) is matched on the number's digits instead. These keys
// are what the store indexes; they are for finding a name, not for routing, so `sips:` and `sip:` share a key.
import { isSipUri, parseUri, type SipUri } from '../sip/message/uri';

/** The last digits two numbers must share when they are written differently (`020 7946 0000`, `+44 20 7946 0000`). */
export const PHONE_TAIL_DIGITS = 8;

/** A phone number as lookups compare it. */
export interface PhoneKey {
  /** The dialable characters only: 0-9, * and #. Empty when there are none. */
  readonly digits: string;
  /** The last PHONE_TAIL_DIGITS digits, or null for a shorter number (an extension matches only exactly). */
  readonly tail: string | null;
}

/** What a peer's URI can be looked up by: a SIP key, a phone number, or both (a SIP URI whose user is a number). */
export interface PeerKeys {
  readonly sip: string | null;
  readonly phone: PhoneKey | null;
}

/**
 * The lookup key of a SIP or SIPS URI: `sip:` + user (unescaped, case kept) + `@` + host (lower case) + `:port` when
 * one is written. Undefined when the text is not a SIP URI.
 */
export function sipAddressKey(uri: string): string | undefined {
  const parsed = parseUri(unbracketed(uri));
  return parsed.ok && isSipUri(parsed.value) ? keyOf(parsed.value) : undefined;
}

/** The digits of a phone number as written by a person (`+44 (0)20 7946-0000`) or in a tel URI. */
export function phoneKey(number: string): PhoneKey {
  const digits = number.replace(/[^0-9*#]/g, '');
  return { digits, tail: tailOf(digits) };
}

/**
 * The keys a peer's address (a call's remote URI, a message's From) can be found by. A `tel:` URI gives a number; a
 * SIP URI gives its key, and a number too when its user part is one (digits with an optional `+` and the visual
 * separators of RFC 3966 §5.1.1, or `;user=phone`).
 */
export function peerKeys(uri: string): PeerKeys {
  const parsed = parseUri(unbracketed(uri));
  if (!parsed.ok) return { sip: null, phone: null };
  const value = parsed.value;
  if (value.scheme === 'tel' && 'number' in value) return { sip: null, phone: usablePhone(value.number) };
  if (!isSipUri(value)) return { sip: null, phone: null };
  const user = value.user;
  const userIsNumber =
    user !== undefined &&
    (PHONE_USER.test(user) || (value.params.get('user')?.toLowerCase() === 'phone' && user.length > 0));
  return { sip: keyOf(value), phone: userIsNumber ? usablePhone(user.split(';')[0] ?? '') : null };
}

/** A global or local number as a SIP user part: `+442079460000`, `02079460000`, `+44-20-7946-0000`. */
const PHONE_USER = /^\+?[0-9][0-9\-.()]*$/;

function usablePhone(number: string): PhoneKey | null {
  const key = phoneKey(number);
  return key.digits.length > 0 ? key : null;
}

function tailOf(digits: string): string | null {
  const plain = digits.replace(/[*#]/g, '');
  return plain.length >= PHONE_TAIL_DIGITS ? plain.slice(-PHONE_TAIL_DIGITS) : null;
}

function keyOf(uri: SipUri): string {
  const user = uri.user === undefined ? '' : `${uri.user}@`;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  return `sip:${user}${uri.host.toLowerCase()}${port}`;
}

/** `<sip:bob@example.com>` as a name-addr writes it: the brackets are not part of the URI. */
function unbracketed(uri: string): string {
  const trimmed = uri.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
}
