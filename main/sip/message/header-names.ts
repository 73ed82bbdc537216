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
  // As RFC 4028 and RFC 3262 spell them: the names are case-insensitive, but some peers (SIPp's header matching
  // among them) compare them as written.
  'min-se': 'Min-SE',
  rseq: 'RSeq',
  rack: 'RAck',
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

/**
 * Headers the packet path looks for, each with a bit: one pass over the lines notes which are present and which
 * repeat (validate()'s single-value check, Content-Length framing) without a Map lookup per line.
 */
const TRACKED_HEADERS: readonly string[] = [
  ...SINGLE_VALUE_HEADERS,
  'via',
  'contact',
  'route',
  'record-route',
];
const HEADER_BITS = new Map<string, number>(TRACKED_HEADERS.map((key, index) => [key, 1 << index]));

/** The bit of a tracked header key (see TRACKED_HEADERS), 0 for any other header. */
export function headerBit(key: string): number {
  return HEADER_BITS.get(key) ?? 0;
}

/** The bits of every header that may appear only once. */
export const SINGLE_VALUE_BITS: number = [...SINGLE_VALUE_HEADERS].reduce(
  (bits, key) => bits | headerBit(key),
  0,
);

/** A header name read off the wire: the spelling as sent (a shared string for known spellings) and its key. */
export interface InternedName {
  readonly name: string;
  readonly key: string;
  /** headerBit(key), computed once per spelling. */
  readonly bit: number;
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

// Known spellings bucketed by length and first character, for internHeaderName: an array read and a startsWith
// rather than a hash over every character.
const MAX_KNOWN_LENGTH = 31;
// Filled up front so the array stays a flat vector rather than a sparse dictionary.
const KNOWN_NAMES = new Array<InternedName[] | undefined>((MAX_KNOWN_LENGTH + 1) << 7).fill(undefined);
// The same names by their first two characters (a compact form's second is its ':'), for knownHeaderAt.
const KNOWN_BY_PREFIX = new Array<InternedName[] | undefined>(128 << 7).fill(undefined);
/** A known spelling with its characters as bytes, for knownHeaderIn. */
interface KnownBytes {
  readonly codes: Uint8Array;
  readonly known: InternedName;
}
// The same buckets as KNOWN_BY_PREFIX, holding the spellings as bytes.
const KNOWN_BYTES_BY_PREFIX = new Array<KnownBytes[] | undefined>(128 << 7).fill(undefined);
for (const name of COMMON_SPELLINGS) {
  const slot = (name.length << 7) | name.charCodeAt(0);
  const key = headerKey(name);
  const known: InternedName = { name, key, bit: headerBit(key) };
  (KNOWN_NAMES[slot] ??= []).push(known);
  const second = name.length > 1 ? name.charCodeAt(1) : 0x3a;
  const prefix = (name.charCodeAt(0) << 7) | second;
  (KNOWN_BY_PREFIX[prefix] ??= []).push(known);
  (KNOWN_BYTES_BY_PREFIX[prefix] ??= []).push({ codes: Buffer.from(name, 'latin1'), known });
}

/**
 * The known spelling that a header line at text[from] starts with when a ':' follows it directly (before `to`),
 * as nearly every line is written; undefined otherwise. This finds the name and the colon together: a candidate
 * is compared only when the character its length points at is the colon, so a line costs one comparison
 * instead of a colon search plus a name lookup.
 */
export function knownHeaderAt(text: string, from: number, to: number): InternedName | undefined {
  const first = text.charCodeAt(from);
  const second = text.charCodeAt(from + 1);
  const bucket = first < 128 && second < 128 ? KNOWN_BY_PREFIX[(first << 7) | second] : undefined;
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const known = bucket[i]!;
    const name = known.name;
    const colon = from + name.length;
    if (colon < to && text.charCodeAt(colon) === 0x3a && restMatches(text, from, name)) return known;
  }
  return undefined;
}

/**
 * knownHeaderAt on the bytes the head was decoded from (latin1, so byte offsets are string offsets): the same
 * answer for the same line, at about half the cost, because reading a typed array is cheaper than charCodeAt and
 * this compares every character of nearly every header name of every packet.
 */
export function knownHeaderIn(bytes: Uint8Array, from: number, to: number): InternedName | undefined {
  // A line of one character has no name followed by a colon.
  if (from + 1 >= to) return undefined;
  const first = bytes[from]!;
  const second = bytes[from + 1]!;
  const bucket = first < 128 && second < 128 ? KNOWN_BYTES_BY_PREFIX[(first << 7) | second] : undefined;
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const { codes, known } = bucket[i]!;
    const colon = from + codes.length;
    if (colon < to && bytes[colon] === 0x3a && bytesMatch(bytes, from, codes)) return known;
  }
  return undefined;
}

/** True when bytes[from..] continues as `codes` past the two bytes the bucket already matched. */
function bytesMatch(bytes: Uint8Array, from: number, codes: Uint8Array): boolean {
  for (let i = 2; i < codes.length; i++) if (bytes[from + i] !== codes[i]) return false;
  return true;
}

/**
 * True when text[from..] continues as `name` past the two characters the bucket already matched. Short names are
 * compared in a loop (cheaper than a native call for a few characters), long ones with startsWith.
 */
function restMatches(text: string, from: number, name: string): boolean {
  if (name.length > 8) return text.startsWith(name, from);
  for (let i = 2; i < name.length; i++) if (text.charCodeAt(from + i) !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads the header name in text[from, to): undefined when it is not a token. A known spelling is matched in
 * place and its shared strings returned, so the packet path neither slices nor lower-cases it.
 */
export function internHeaderName(text: string, from: number, to: number): InternedName | undefined {
  const length = to - from;
  if (length <= 0) return undefined;
  const first = text.charCodeAt(from);
  // An exact known spelling is a token by construction.
  const bucket = length <= MAX_KNOWN_LENGTH && first < 128 ? KNOWN_NAMES[(length << 7) | first] : undefined;
  if (bucket !== undefined) {
    for (let i = 0; i < bucket.length; i++) {
      const known = bucket[i]!;
      if (text.startsWith(known.name, from)) return known;
    }
  }
  if (!allIn(TOKEN_CHARS, text, from, to)) return undefined;
  const name = text.slice(from, to);
  const key = headerKey(name);
  return { name, key, bit: headerBit(key) };
}
