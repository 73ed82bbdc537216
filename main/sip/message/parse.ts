// RFC 3261 §7 message syntax and §18.3 framing. This is the packet path: it splits the start line and header lines
// in one pass over the text, then checks the headers the stack relies on (validate()). Anything else is parsed
// lazily by the message's typed getters. Network input never throws: the outcome says what a UAS should answer.
import { internHeaderName, isToken } from './header-names';
import { type HeaderField, type SipMessage, SipRequest, SipResponse } from './message';
import { type ParseError, parseError } from './result';
import { parseContentLength } from './typed-headers';
import { isSipUri, parseUri } from './uri';

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: ParseError };

export interface ParseOptions {
  /** Skip validate(): frame and split only. Typed getters still parse on demand. */
  readonly lazy?: boolean;
  /** validate('full'): also every Via, Contact, Route and Record-Route (the torture tests, `softphone parse`). */
  readonly strict?: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const EMPTY = new Uint8Array(0);

/** Parses one message from a datagram (or a complete framed message from a stream). */
export function parseMessage(data: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : asBuffer(data);
  // RFC 3261 §7.5: CRLFs before the start line are ignored (they are also the keep-alive of RFC 5626 §4.4.1).
  let start = 0;
  while (start < buf.length && (buf[start] === CR || buf[start] === LF)) start++;
  if (start >= buf.length) return failure('empty message');

  // Fast path: the first CRLFCRLF. splitHeaders notices when a bare-LF empty line ended the headers earlier.
  let headEnd = quickHeadEnd(buf, start);
  if (!headEnd) return failure('message has no empty line after its headers');
  let head = buf.toString('utf8', start, headEnd.headEnd);
  const firstLineEnd = head.indexOf('\n');
  const startLine = stripCr(head, 0, firstLineEnd < 0 ? head.length : firstLineEnd);
  let headers = splitHeaders(head, firstLineEnd < 0 ? head.length : firstLineEnd + 1);
  if (headers === EARLY_END) {
    headEnd = findHeadEnd(buf, start) ?? headEnd;
    head = buf.toString('utf8', start, headEnd.headEnd);
    headers = splitHeaders(head, firstLineEnd + 1);
  }
  if (headers === EARLY_END) return failure('message has no empty line after its headers');
  if (!Array.isArray(headers)) return { ok: false, error: headers };

  // Content-Length tells where the body ends; bytes after it in a datagram are ignored (RFC 4475 §3.1.1.8).
  const available = buf.length - headEnd.bodyStart;
  let bodyLength = available;
  let contentLengthText: string | undefined;
  for (const field of headers) {
    if (field.key === 'content-length') {
      if (contentLengthText !== undefined) return failure('more than one Content-Length header');
      contentLengthText = field.value;
    }
  }
  if (contentLengthText !== undefined) {
    const declared = parseContentLength(contentLengthText);
    if (declared === undefined) return failure(`invalid Content-Length: ${contentLengthText.slice(0, 40)}`);
    // RFC 3261 §18.3: a datagram shorter than its Content-Length is discarded (a UAS may answer 400).
    if (declared > available) return failure('Content-Length is larger than the message');
    bodyLength = declared;
  }
  const body = bodyLength === 0 ? EMPTY : buf.subarray(headEnd.bodyStart, headEnd.bodyStart + bodyLength);

  const message = buildMessage(startLine, headers, body);
  if (!message.ok) return message;
  if (options.lazy) return message;
  const parsed = message.message;
  const valid = parsed.validate(options.strict ? 'full' : 'essential');
  if (!valid.ok) return { ok: false, error: valid.error };
  if (parsed.kind === 'request') {
    // RFC 3261 §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17 → 400). RFC 4475
    // §3.1.2.18 prefers 501 when the method is one nobody implements, since that answer holds whatever the CSeq.
    if (parsed.cseq.method !== parsed.method) {
      const reason = `CSeq method ${parsed.cseq.method} does not match ${parsed.method}`;
      return failure(reason, KNOWN_METHODS.has(parsed.method) ? 400 : 501);
    }
    // RFC 3261 §19.1.1 (table): headers are not allowed in a Request-URI; RFC 4475 §3.1.2.11 lets a UAS answer 400.
    const uri = parsed.requestUri;
    if (isSipUri(uri) && uri.headers.size > 0) return failure('Request-URI contains escaped headers');
  }
  return message;
}

/** The IANA-registered SIP methods: an unknown method is answered 501 before anything else is looked at. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'ACK',
  'BYE',
  'CANCEL',
  'INFO',
  'INVITE',
  'MESSAGE',
  'NOTIFY',
  'OPTIONS',
  'PRACK',
  'PUBLISH',
  'REFER',
  'REGISTER',
  'SUBSCRIBE',
  'UPDATE',
]);

function buildMessage(startLine: string, headers: HeaderField[], body: Uint8Array): ParseResult {
  if (isVersionPrefix(startLine)) return buildResponse(startLine, headers, body);
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF, with exactly one SP each (RFC 4475 §3.1.2.9/10).
  const firstSp = startLine.indexOf(' ');
  const secondSp = firstSp < 0 ? -1 : startLine.indexOf(' ', firstSp + 1);
  if (firstSp <= 0 || secondSp < 0) return failure(`malformed request line: ${startLine.slice(0, 80)}`);
  const method = startLine.slice(0, firstSp);
  const uriText = startLine.slice(firstSp + 1, secondSp);
  const version = startLine.slice(secondSp + 1);
  if (!isToken(method)) return failure(`invalid method: ${method.slice(0, 40)}`);
  if (uriText.length === 0 || version.includes(' ') || version.includes('\t'))
    return failure(`malformed request line: ${startLine.slice(0, 80)}`);
  // RFC 3261 §7.1: the version string is case-insensitive.
  if (version.length !== 7 || !isVersionPrefix(version) || version.slice(4) !== '2.0') {
    if (/^SIP\/\d+\.\d+$/i.test(version)) return failure(`unsupported SIP version ${version}`, 505);
    return failure(`malformed request line: ${startLine.slice(0, 80)}`);
  }
  const uri = parseUri(uriText);
  if (!uri.ok) return { ok: false, error: uri.error };
  return { ok: true, message: new SipRequest(method, uri.value, headers, body, uriText) };
}

/** Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the phrase may be empty (RFC 4475 §3.1.1.13). */
function buildResponse(startLine: string, headers: HeaderField[], body: Uint8Array): ParseResult {
  const n = startLine.length;
  let ok = n >= 11 && startLine.slice(4, 8) === '2.0 ';
  for (let i = 8; ok && i < 11; i++) {
    const c = startLine.charCodeAt(i);
    ok = c >= 0x30 && c <= 0x39 && (i > 8 || (c >= 0x31 && c <= 0x36));
  }
  // Past the code comes the end of the line or SP and a phrase; a bare CR cannot be part of the phrase.
  if (!ok || (n > 11 && startLine.charCodeAt(11) !== SP) || startLine.includes('\r'))
    return failure(`malformed status line: ${startLine.slice(0, 80)}`);
  const status = Number(startLine.slice(8, 11));
  return { ok: true, message: new SipResponse(status, n > 12 ? startLine.slice(12) : '', headers, body) };
}

/** True when text starts with "SIP/" in any letter case. */
function isVersionPrefix(text: string): boolean {
  return (
    text.length >= 4 &&
    (text.charCodeAt(0) | 0x20) === 0x73 &&
    (text.charCodeAt(1) | 0x20) === 0x69 &&
    (text.charCodeAt(2) | 0x20) === 0x70 &&
    text.charCodeAt(3) === 0x2f
  );
}

/** splitHeaders met an empty line: the headers really ended before the CRLFCRLF the fast path found. */
const EARLY_END = 0;

/**
 * Splits header lines (CRLF, or bare LF from lenient peers), unfolding continuation lines (RFC 3261 §7.3.1).
 * Returns EARLY_END when an empty line appears before the end of `head`.
 */
function splitHeaders(head: string, from: number): HeaderField[] | ParseError | typeof EARLY_END {
  const headers: HeaderField[] = [];
  let pos = from;
  let pendingName = '';
  let pendingKey = '';
  let pendingValue: string | undefined;
  // A CR may only end a line: quoted-pair excludes it and a bare CR would split the header for other parsers.
  let cr = head.indexOf('\r', from);
  while (pos < head.length) {
    let lineEnd = head.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = head.length;
    let end = lineEnd;
    if (cr >= 0 && cr < lineEnd) {
      if (cr !== lineEnd - 1 || lineEnd === head.length) return parseError('bare CR in the header section');
      end = cr;
      cr = head.indexOf('\r', lineEnd + 1);
    }
    if (end === pos) return EARLY_END;
    const first = head.charCodeAt(pos);
    if (first === SP || first === HTAB) {
      if (pendingValue === undefined) return parseError('continuation line before the first header');
      const more = trimLws(head, pos, end);
      if (more.length > 0) pendingValue = pendingValue.length > 0 ? `${pendingValue} ${more}` : more;
    } else {
      if (pendingValue !== undefined)
        headers.push({ name: pendingName, key: pendingKey, value: pendingValue });
      const colon = head.indexOf(':', pos);
      if (colon < 0 || colon >= end)
        return parseError(`header line without a colon: ${head.slice(pos, Math.min(end, pos + 60))}`);
      let nameEnd = colon;
      while (nameEnd > pos && (head.charCodeAt(nameEnd - 1) === SP || head.charCodeAt(nameEnd - 1) === HTAB))
        nameEnd--;
      const interned = internHeaderName(head, pos, nameEnd);
      if (!interned)
        return parseError(`invalid header name: ${head.slice(pos, Math.min(nameEnd, pos + 40))}`);
      pendingName = interned.name;
      pendingKey = interned.key;
      pendingValue = trimLws(head, colon + 1, end);
    }
    pos = lineEnd + 1;
  }
  if (pendingValue !== undefined) headers.push({ name: pendingName, key: pendingKey, value: pendingValue });
  return headers;
}

function trimLws(text: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === SP || text.charCodeAt(a) === HTAB)) a++;
  while (b > a && (text.charCodeAt(b - 1) === SP || text.charCodeAt(b - 1) === HTAB)) b--;
  return text.slice(a, b);
}

function stripCr(text: string, from: number, to: number): string {
  return to > from && text.charCodeAt(to - 1) === CR ? text.slice(from, to - 1) : text.slice(from, to);
}

/**
 * Finds the empty line ending the headers: the first line terminator (CRLF, or a bare LF from lenient peers)
 * followed directly by another one. `headEnd` is just past the last header's terminator.
 */
export function findHeadEnd(buf: Buffer, from: number): { headEnd: number; bodyStart: number } | undefined {
  let lf = buf.indexOf(LF, from);
  while (lf >= 0) {
    const next = buf[lf + 1];
    if (next === LF) return { headEnd: lf + 1, bodyStart: lf + 2 };
    if (next === CR && buf[lf + 2] === LF) return { headEnd: lf + 1, bodyStart: lf + 3 };
    lf = buf.indexOf(LF, lf + 1);
  }
  return undefined;
}

/**
 * The packet path's guess: the first CRLFCRLF (one native search), else the exact scan. A datagram that ends right
 * after its last header line, without the empty line, is taken as a message without a body: the datagram's end
 * frames it unambiguously (RFC 4475's baddn.dat is such a datagram).
 */
function quickHeadEnd(buf: Buffer, from: number): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  if (crlf >= 0) return { headEnd: crlf + 2, bodyStart: crlf + 4 };
  const exact = findHeadEnd(buf, from);
  if (exact) return exact;
  return buf[buf.length - 1] === LF ? { headEnd: buf.length, bodyStart: buf.length } : undefined;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function failure(reason: string, status = 400): { ok: false; error: ParseError } {
  return { ok: false, error: parseError(reason, status) };
}
