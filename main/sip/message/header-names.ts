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

/** A header name read off the wire: the spelling as sent (a shared string for known spellings) and its key. */
export interface InternedName {
  readonly name: string;
  readonly key: string;
}

// Spellings seen on real traffic, long and compact; others take the slower path through headerKey.
const COMMON_SPELLINGS = [
  'Via',
  'From',
  'To',
  'Call-ID',
  'Call-Id',
  'CSeq',
  'Contact',
  'Max-Forwards',
  'Content-Length',
  'Content-Type',
  'Route',
  'Record-Route',
  'Expires',
  'Min-Expires',
  'Allow',
  'Supported',
  'Require',
  'Proxy-Require',
  'Unsupported',
  'User-Agent',
  'Server',
  'Authorization',
  'WWW-Authenticate',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Event',
  'Subscription-State',
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Allow-Events',
  'Date',
  'Timestamp',
  'Organization',
  'Subject',
  'Priority',
  'Warning',
  'Reason',
  'Path',
  'Service-Route',
  'Privacy',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Retry-After',
  'Session-Expires',
  'Min-SE',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'MIME-Version',
  'SIP-ETag',
  'SIP-If-Match',
  'Refer-To',
  'Referred-By',
  'Replaces',
  'Call-Info',
  'Alert-Info',
  'Error-Info',
  'In-Reply-To',
  'Reply-To',
  'RAck',
  'RSeq',
  'v',
  'f',
  't',
  'i',
  'm',
  'l',
  'c',
  'k',
  's',
  'e',
  'o',
  'u',
  'r',
  'b',
  'x',
];

function nameHash(text: string, from: number, to: number): number {
  let hash = 0;
  for (let i = from; i < to; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

const KNOWN_NAMES = new Map<number, InternedName[]>();
for (const name of COMMON_SPELLINGS) {
  const hash = nameHash(name, 0, name.length);
  const bucket = KNOWN_NAMES.get(hash) ?? [];
  bucket.push({ name, key: headerKey(name) });
  KNOWN_NAMES.set(hash, bucket);
}

/**
 * Reads the header name in text[from, to): undefined when it is not a token. A known spelling is matched in
 * place and its shared strings returned, so the packet path neither slices nor lower-cases it.
 */
export function internHeaderName(text: string, from: number, to: number): InternedName | undefined {
  let hash = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return undefined;
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  if (to <= from) return undefined;
  const bucket = KNOWN_NAMES.get(hash);
  if (bucket) {
    for (const known of bucket) {
      if (known.name.length === to - from && text.startsWith(known.name, from)) return known;
    }
  }
  const name = text.slice(from, to);
  return { name, key: headerKey(name) };
}
