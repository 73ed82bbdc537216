// MIME multipart bodies (RFC 2046 §5.1.1) as RFC 4662 §5 uses them: a `multipart/related` (RFC 2387) NOTIFY body
// whose root part is the RLMI document and whose other parts are the resources' documents, found by Content-ID. The
// body is a stranger's bytes, so everything is bounded: the body's size, the number of parts, the size of each part's
// header section, and how deep multiparts may nest (a part may itself be a list, RFC 4662 §5.4; two levels are
// plenty). Parsing works on bytes, since the parts are UTF-8 documents and a boundary is plain ASCII; a part's body is
// a view into the input, never a copy.
//
//   preamble CRLF? "--" boundary padding CRLF  part-headers CRLF  body
//            CRLF  "--" boundary padding CRLF  part-headers CRLF  body  ...
//            CRLF  "--" boundary "--"  epilogue
//
// Bare LF line ends are taken as well as CRLF (some servers build bodies by hand). Content-Transfer-Encoding must be
// binary, 8bit or 7bit (what RFC 4662's examples and SIP's 8-bit-clean transports use); anything else is refused
// rather than misread.
import { type Result, err, ok } from '../sip/message/result';
import { type MediaType, parseContentType } from '../sip/message/typed-headers';

export interface MultipartLimits {
  /** Bytes in the whole body. */
  readonly maxBytes: number;
  /** Parts in one multipart (nested ones count on their own). */
  readonly maxParts: number;
  /** Bytes in one part's header section. */
  readonly maxHeaderBytes: number;
  /** Multiparts inside multiparts: 1 is a flat body, 2 allows one level of nested lists. */
  readonly maxNesting: number;
}

/** A list of 1,000 buddies with a few KiB of PIDF each fits; a 10 MiB body is refused before it is looked at. */
export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxParts: 1_001,
  maxHeaderBytes: 8 * 1024,
  maxNesting: 2,
};

export interface BodyPart {
  /** The part's Content-Type, parsed; `text/plain` when the part names none (RFC 2046 §5.1). */
  readonly contentType: MediaType;
  /** Content-ID without its angle brackets, when given (RFC 2392). */
  readonly contentId?: string;
  readonly body: Uint8Array;
  /** Parsed when the part is a multipart of its own (within the nesting limit). */
  readonly multipart?: Multipart;
}

export interface Multipart {
  readonly contentType: MediaType;
  readonly parts: readonly BodyPart[];
  /** RFC 2387 §3.2 start: the Content-ID of the root part; the first part when absent. */
  readonly start?: string;
}

export type MultipartErrorCode =
  | 'too-large'
  | 'too-many-parts'
  | 'too-deep'
  | 'header-too-large'
  | 'no-boundary'
  | 'not-multipart'
  | 'unsupported-encoding'
  | 'malformed';

export interface MultipartError {
  readonly code: MultipartErrorCode;
  readonly message: string;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;
const ascii = new TextDecoder('latin1');
const IDENTITY_ENCODINGS = new Set(['binary', '8bit', '7bit']);

/** Parses `body` sent as `contentType` (the Content-Type header's value), which must be a multipart. */
export function parseMultipart(
  body: Uint8Array,
  contentType: string,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): Result<Multipart, MultipartError> {
  const type = parseContentType(contentType);
  if (!type || !type.type.startsWith('multipart/'))
    return err({ code: 'not-multipart', message: `the body is ${type?.type ?? 'of no readable type'}` });
  return parseTyped(body, type, limits, 1);
}

function parseTyped(
  body: Uint8Array,
  type: MediaType,
  limits: MultipartLimits,
  depth: number,
): Result<Multipart, MultipartError> {
  if (body.byteLength > limits.maxBytes)
    return err({ code: 'too-large', message: `the body is larger than ${limits.maxBytes} bytes` });
  if (depth > limits.maxNesting)
    return err({ code: 'too-deep', message: `multiparts nested deeper than ${limits.maxNesting}` });
  const boundary = type.params.get('boundary');
  // RFC 2046 §5.1.1: 1 to 70 characters, none of them a control character.
  if (
    typeof boundary !== 'string' ||
    boundary.length === 0 ||
    boundary.length > 70 ||
    /[^\x20-\x7e]/.test(boundary)
  )
    return err({ code: 'no-boundary', message: 'the multipart has no usable boundary parameter' });
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const bodies = splitParts(body, delimiter, limits.maxParts);
  if (!bodies.ok) return bodies;
  const parts: BodyPart[] = [];
  for (const raw of bodies.value) {
    const part = readPart(raw, limits, depth);
    if (!part.ok) return part;
    parts.push(part.value);
  }
  const start = type.params.get('start');
  return ok({
    contentType: type,
    parts,
    ...(typeof start === 'string' ? { start: unbracket(start) } : {}),
  });
}

/** The bytes between delimiters: each starts after the delimiter line and ends before the CRLF that precedes the next. */
function splitParts(
  body: Uint8Array,
  delimiter: Uint8Array,
  maxParts: number,
): Result<Uint8Array[], MultipartError> {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: Uint8Array[] = [];
  let at = findDelimiter(buffer, delimiter, 0);
  if (at < 0) return err({ code: 'malformed', message: 'the boundary never occurs in the body' });
  for (;;) {
    let cursor = at + delimiter.length;
    if (buffer[cursor] === DASH && buffer[cursor + 1] === DASH) return ok(out);
    // Transport padding (RFC 2046 §5.1.1: LWSP after the boundary) up to the line end.
    while (buffer[cursor] === SPACE || buffer[cursor] === TAB) cursor++;
    if (buffer[cursor] === CR) cursor++;
    if (buffer[cursor] !== LF)
      return err({ code: 'malformed', message: 'text after a boundary on its line' });
    const start = cursor + 1;
    const next = findDelimiter(buffer, delimiter, start);
    if (next < 0) return err({ code: 'malformed', message: 'the closing boundary is missing' });
    if (out.length >= maxParts)
      return err({ code: 'too-many-parts', message: `more than ${maxParts} parts in one multipart` });
    // The line end before the delimiter belongs to the delimiter, not to the part.
    let end = next;
    if (end > start && buffer[end - 1] === LF) end--;
    if (end > start && buffer[end - 1] === CR) end--;
    out.push(body.subarray(start, Math.max(start, end)));
    at = next;
  }
}

/** The next delimiter at the start of a line (or of the body) from `from`, or -1. */
function findDelimiter(buffer: Buffer, delimiter: Uint8Array, from: number): number {
  let at = buffer.indexOf(delimiter, from);
  while (at >= 0) {
    if (at === 0 || buffer[at - 1] === LF) return at;
    at = buffer.indexOf(delimiter, at + 1);
  }
  return -1;
}

function readPart(raw: Uint8Array, limits: MultipartLimits, depth: number): Result<BodyPart, MultipartError> {
  const split = headerEnd(raw, limits.maxHeaderBytes);
  if (!split.ok) return split;
  const { headersEnd, bodyStart } = split.value;
  const headers = readHeaders(ascii.decode(raw.subarray(0, headersEnd)));
  const typeText = headers.get('content-type');
  const contentType = typeText === undefined ? plainText() : parseContentType(typeText);
  if (!contentType) return err({ code: 'malformed', message: 'a part has an unreadable Content-Type' });
  const encoding = headers.get('content-transfer-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && !IDENTITY_ENCODINGS.has(encoding))
    return err({
      code: 'unsupported-encoding',
      message: `a part is sent as ${encoding.slice(0, 40)}, not binary`,
    });
  const id = headers.get('content-id');
  const body = raw.subarray(bodyStart);
  let multipart: Multipart | undefined;
  if (contentType.type.startsWith('multipart/')) {
    const nested = parseTyped(body, contentType, limits, depth + 1);
    if (!nested.ok) return nested;
    multipart = nested.value;
  }
  return ok({
    contentType,
    body,
    ...(id !== undefined ? { contentId: unbracket(id.trim()) } : {}),
    ...(multipart ? { multipart } : {}),
  });
}

/** Where the header section ends (the empty line) and the body starts; a part with no headers starts with one. */
function headerEnd(
  raw: Uint8Array,
  maxHeaderBytes: number,
): Result<{ headersEnd: number; bodyStart: number }, MultipartError> {
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    if (i > maxHeaderBytes)
      return err({ code: 'header-too-large', message: `a part's headers exceed ${maxHeaderBytes} bytes` });
    if (raw[i] !== LF) continue;
    const lineEnd = i > lineStart && raw[i - 1] === CR ? i - 1 : i;
    if (lineEnd === lineStart) return ok({ headersEnd: lineStart, bodyStart: i + 1 });
    lineStart = i + 1;
  }
  // RFC 2046 §5.1.1: the empty line is required even when no header precedes it.
  return err({ code: 'malformed', message: 'a part has no empty line after its headers' });
}

/** Part headers (RFC 2045 §3 / RFC 5322 §2.2), folded lines joined; names lower-cased; the first of each kept. */
function readHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  let name: string | undefined;
  let value = '';
  const flush = (): void => {
    if (name !== undefined && !headers.has(name)) headers.set(name, value.trim());
  };
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && name !== undefined) {
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : undefined;
    value = colon > 0 ? line.slice(colon + 1) : '';
  }
  flush();
  return headers;
}

function plainText(): MediaType {
  return { type: 'text/plain', params: new Map() };
}

/** `<id@host>` → `id@host` (RFC 2392: a cid: URL and the RLMI cid attribute name the id without brackets). */
export function unbracket(id: string): string {
  return id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id;
}
