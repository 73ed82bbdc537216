import { TOKEN_CHARS, allIn } from './charset';
// RFC 3261 §7.3.1 and §7.3.3: field names are case-insensitive and several have compact forms. Internally every
// header is keyed by its lower-case long name; on the wire we write the conventional capitalisation.

const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

const WIRE_NAMES: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
};

/**
 * Headers whose values may be combined into one comma-separated line (RFC 3261 §7.3.1). The authentication
 * headers are the exception: their parameters are comma-separated, so each line is one value.
 */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'allow',
  'allow-events',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'in-reply-to',
  'warning',
  'error-info',
  'alert-info',
  'call-info',
  'path',
  'service-route',
  'reason',
  'security-client',
  'security-server',
  'security-verify',
  'p-asserted-identity',
  'accept-contact',
  'reject-contact',
]);

/** Headers that must appear at most once in a message (RFC 3261 §7.3.1; RFC 4475 §3.3.8, §3.3.9). */
export const SINGLE_VALUE_HEADERS: ReadonlySet<string> = new Set([
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'content-length',
  'content-type',
  'expires',
  'min-expires',
]);

// A cache of exact spellings seen on the wire: most messages use the same few, so a hit avoids toLowerCase().
const keyCache = new Map<string, string>();

/** The canonical (lower-case, long-form) key of a header name as it appeared on the wire. */
export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const key = (lower.length === 1 ? COMPACT_FORMS[lower] : undefined) ?? lower;
  if (keyCache.size < 1024) keyCache.set(name, key);
  return key;
}

/** The conventional capitalisation for a header we write (Call-ID, CSeq, WWW-Authenticate, Max-Forwards...). */
export function wireName(key: string): string {
  const special = WIRE_NAMES[key];
  if (special) return special;
  return key.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/** RFC 3261 §25.1 token characters. */
export function isToken(text: string): boolean {
  return allIn(TOKEN_CHARS, text);
}
