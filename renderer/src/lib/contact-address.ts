// How the window compares addresses and text when it looks for a contact: a SIP URI is reduced to the parts RFC 3261
// §19.1.4 compares (scheme, user, host and port; the host case-insensitively; parameters and headers left out), the
// way the engine keys its conversations; a phone number to its digits; a name to lower-case letters without accents,
// so "Jose" finds "José".

/** A SIP or tel URI's comparable form (`sip:bob@example.com`), or null when it is neither. */
export function addressKey(uri: string): string | null {
  let text = uri.trim();
  // A name-addr ("Bob" <sip:bob@host>) keeps only what is between the angle brackets.
  const open = text.indexOf('<');
  if (open >= 0) {
    const close = text.indexOf('>', open);
    text = text.slice(open + 1, close < 0 ? undefined : close).trim();
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') {
    const digits = phoneDigits(rest.split(';')[0] ?? '');
    return digits === '' ? null : `tel:${digits}`;
  }
  if (scheme !== 'sip' && scheme !== 'sips') return null;
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at).split(';')[0] : '';
  const hostPart = (at >= 0 ? rest.slice(at + 1) : rest).split(/[;?]/)[0] ?? '';
  const host = hostPart.toLowerCase();
  if (host === '') return null;
  // sips: and sip: name the same person; the window does not tell them apart when naming.
  return user ? `sip:${user}@${host}` : `sip:${host}`;
}

/**
 * The digits of a phone number, or of a SIP URI's user part when it is one (`sip:+44 20…@pbx`); '' when the text
 * is not a number (letters other than visual separators).
 */
export function phoneDigits(text: string): string {
  const trimmed = text.trim();
  if (!/^[+]?[0-9 ().\-/]*[0-9][0-9 ().\-/]*$/u.test(trimmed)) return '';
  return trimmed.replace(/[^0-9]/gu, '');
}

/** The digits of a SIP URI's user part when it is a phone number (`sip:+442079460000@pbx.example`), else ''. */
export function uriPhoneDigits(uri: string): string {
  const key = addressKey(uri);
  return key === null ? '' : keyPhoneDigits(key);
}

/** `uriPhoneDigits` for an address already reduced by `addressKey`, so a lookup parses the address once. */
export function keyPhoneDigits(key: string): string {
  if (key.startsWith('tel:')) return key.slice(4);
  const at = key.lastIndexOf('@');
  return at < 0 ? '' : phoneDigits(key.slice(4, at));
}

/**
 * Whether two phone numbers' digits name the same line: equal, or one the other's national form (a leading 0
 * dropped, a country code in front: 020 7946 0000 and +44 20 7946 0000) when at least seven digits are left.
 */
export function samePhone(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  const shortA = a.replace(/^0+/u, '');
  const shortB = b.replace(/^0+/u, '');
  const [shorter, longer] = shortA.length <= shortB.length ? [shortA, shortB] : [shortB, shortA];
  return shorter.length >= 7 && longer.endsWith(shorter);
}

/** Lower case without accents (NFD, combining marks dropped), for matching what a person types. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}
