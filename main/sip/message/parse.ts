// RFC 3261 §7 message syntax and §18.3 framing. This is the packet path: it splits the start line and header lines
// in one pass over the text, keeping each line as offsets (HeaderSection), then checks the headers the stack relies
// on (validate()). Anything else is parsed lazily, in place, by the message's typed getters. Network input never
// throws: the outcome says what a UAS should answer.
import { isAscii } from 'node:buffer';
import {
  headerBit,
  headerKey,
  internHeaderName,
  isToken,
  knownHeaderAt,
  knownHeaderIn,
  wireName,
} from './header-names';
import { HeaderSection } from './header-section';
import { MESSAGE_LIMITS } from './limits';
import { type SipMessage, SipRequest, SipResponse } from './message';
import { type ParseError, parseError } from './result';
import { MAX_CONTENT_LENGTH, parseScalarIn } from './typed-headers';
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
const CONTENT_LENGTH_BIT = headerBit('content-length');
const VIA_BIT = headerBit('via');
const { maxHeaderLines, maxHeaderLineLength, maxViaValues } = MESSAGE_LIMITS;
// A byte needle: searching with a string makes Buffer#indexOf encode it on every call.
const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Parses one message from a datagram (or a complete framed message from a stream). The message keeps views of
 * `data`, its body and the head's bytes that its typed getters read later, so the caller hands the buffer over:
 * a UDP socket and StreamFramer give a fresh one per message.
 */
export function parseMessage(data: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : asBuffer(data);
  // RFC 3261 §7.5: CRLFs before the start line are ignored (they are also the keep-alive of RFC 5626 §4.4.1).
  let start = 0;
  while (start < buf.length && (buf[start] === CR || buf[start] === LF)) start++;
  if (start >= buf.length) return failure('empty message');

  const read = readHeadAscii(buf, start) ?? readHead(buf, start);
  if (!(read instanceof Head)) return { ok: false, error: read };
  const { text: head, headers, bodyStart } = read;
  // In bytes, from the start line to the body (on the slower path the section has no `stop` of its own).
  if (bodyStart - start > MESSAGE_LIMITS.maxHeaderBytes)
    return failure(`header section longer than ${MESSAGE_LIMITS.maxHeaderBytes} bytes (the limit)`);
  const startLineEnd = withoutCr(head, read.firstLineEnd);

  // Content-Length tells where the body ends; bytes after it in a datagram are ignored (RFC 4475 §3.1.1.8).
  const available = buf.length - bodyStart;
  let bodyLength = available;
  if ((headers.repeated & CONTENT_LENGTH_BIT) !== 0) return failure('more than one Content-Length header');
  const contentLengthLine = headers.firstLine('content-length', CONTENT_LENGTH_BIT);
  if (contentLengthLine >= 0) {
    const declared = parseScalarIn(
      headers.textOf(contentLengthLine),
      headers.startOf(contentLengthLine),
      headers.endOf(contentLengthLine),
      MAX_CONTENT_LENGTH,
    );
    if (declared === undefined)
      return failure(`invalid Content-Length: ${headers.value(contentLengthLine).slice(0, 40)}`);
    // RFC 3261 §18.3: a datagram shorter than its Content-Length is discarded (a UAS may answer 400).
    if (declared > available) return failure('Content-Length is larger than the message');
    bodyLength = declared;
    headers.contentLength = declared;
  }
  const body = bodyLength === 0 ? EMPTY : buf.subarray(bodyStart, bodyStart + bodyLength);

  const message = buildMessage(head, startLineEnd, headers, body);
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

/** The IANA-registered SIP methods: an unknown one is answered 501, a known one a UA does not take 405. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
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

/** Builds the message from its start line, head[0, lineEnd) (without the CR), read in place. */
function buildMessage(head: string, lineEnd: number, headers: HeaderSection, body: Uint8Array): ParseResult {
  if (isVersionPrefix(head, 0, lineEnd)) return buildResponse(head, lineEnd, headers, body);
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF, with exactly one SP each (RFC 4475 §3.1.2.9/10).
  const firstSp = head.indexOf(' ');
  const secondSp = firstSp < 0 || firstSp >= lineEnd ? -1 : head.indexOf(' ', firstSp + 1);
  if (firstSp <= 0 || secondSp < 0 || secondSp >= lineEnd) return malformedRequestLine(head, lineEnd);
  const method = head.slice(0, firstSp);
  if (!isToken(method)) return failure(`invalid method: ${method.slice(0, 40)}`);
  if (secondSp === firstSp + 1) return malformedRequestLine(head, lineEnd);
  // RFC 3261 §7.1: the version string is case-insensitive. The usual "SIP/2.0" is checked in place; anything
  // else takes the slower path that words the error.
  const versionStart = secondSp + 1;
  if (
    lineEnd - versionStart !== 7 ||
    !isVersionPrefix(head, versionStart, lineEnd) ||
    !head.startsWith('2.0', versionStart + 4)
  )
    return badVersion(head, versionStart, lineEnd);
  const uri = parseUri(head, firstSp + 1, secondSp, headers.bytes);
  if (!uri.ok) return { ok: false, error: uri.error };
  return {
    ok: true,
    message: new SipRequest(method, uri.value, headers, body, head.slice(firstSp + 1, secondSp)),
  };
}

function malformedRequestLine(head: string, lineEnd: number): { ok: false; error: ParseError } {
  return failure(`malformed request line: ${head.slice(0, Math.min(lineEnd, 80))}`);
}

/** The error for a request line whose version is not SIP/2.0: 505 for another version, else 400. */
function badVersion(head: string, versionStart: number, lineEnd: number): { ok: false; error: ParseError } {
  const version = head.slice(versionStart, lineEnd);
  if (!version.includes(' ') && !version.includes('\t') && /^SIP\/\d+\.\d+$/i.test(version))
    return failure(`unsupported SIP version ${version}`, 505);
  return malformedRequestLine(head, lineEnd);
}

/** Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the phrase may be empty (RFC 4475 §3.1.1.13). */
function buildResponse(head: string, lineEnd: number, headers: HeaderSection, body: Uint8Array): ParseResult {
  let ok = lineEnd >= 11 && head.startsWith('2.0 ', 4);
  let status = 0;
  for (let i = 8; ok && i < 11; i++) {
    const c = head.charCodeAt(i);
    ok = c >= 0x30 && c <= 0x39 && (i > 8 || (c >= 0x31 && c <= 0x36));
    status = status * 10 + (c - 0x30);
  }
  // Past the code comes the end of the line or SP and a phrase; a bare CR cannot be part of the phrase.
  if (!ok || (lineEnd > 11 && head.charCodeAt(11) !== SP) || hasCrBefore(head, lineEnd))
    return failure(`malformed status line: ${head.slice(0, Math.min(lineEnd, 80))}`);
  const reason = lineEnd > 12 ? head.slice(12, lineEnd) : '';
  return { ok: true, message: new SipResponse(status, reason, headers, body) };
}

function hasCrBefore(head: string, end: number): boolean {
  const cr = head.indexOf('\r');
  return cr >= 0 && cr < end;
}

/** True when text[from, to) starts with "SIP/" in any letter case. */
function isVersionPrefix(text: string, from: number, to: number): boolean {
  return (
    to - from >= 4 &&
    (text.charCodeAt(from) | 0x20) === 0x73 &&
    (text.charCodeAt(from + 1) | 0x20) === 0x69 &&
    (text.charCodeAt(from + 2) | 0x20) === 0x70 &&
    text.charCodeAt(from + 3) === 0x2f
  );
}

/** A message head: its text (maybe running on into the body), the start line's end, the header lines. */
class Head {
  constructor(
    readonly text: string,
    /** Index of the LF ending the start line, or the text's length when there is none. */
    readonly firstLineEnd: number,
    readonly headers: HeaderSection,
    /** Byte offset of the body in the datagram. */
    readonly bodyStart: number,
  ) {}
}

/** Heads are read from a latin1 window of at most this many bytes; a longer one takes the searching path. */
const WINDOW = 4096;

/**
 * The fast way to the head: one latin1 decode of a window (a byte-for-byte copy, so string offsets are byte
 * offsets), the empty line found by splitHeaders itself as it walks the lines (no separate search for CRLFCRLF),
 * and one native check that the head is ASCII, for which latin1 and UTF-8 read the same. Undefined, to take
 * readHead instead, for a head that is not ASCII, not within the window, or not well-formed: readHead then
 * frames it exactly and words the error.
 */
function readHeadAscii(buf: Buffer, start: number): Head | undefined {
  const text = buf.toString('latin1', start, Math.min(buf.length, start + WINDOW));
  const firstLineEnd = text.indexOf('\n');
  if (firstLineEnd < 0) return undefined;
  // The bytes index for index with the text: the datagram itself unless CRLFs came before the start line or it
  // is longer than the window (a view then, so that no read past the text finds a byte where the text has none).
  const bytes = start === 0 && text.length === buf.length ? buf : buf.subarray(start, start + text.length);
  const headers = splitHeaders(text, firstLineEnd + 1, bytes);
  if (!(headers instanceof HeaderSection) || headers.stop < 0) return undefined;
  // The whole datagram first: that needs no view, and it is usually ASCII (SDP, PIDF); else the head alone.
  if (!isAscii(buf) && !isAscii(buf.subarray(start, start + headers.stop))) return undefined;
  return new Head(text, firstLineEnd, headers, start + headers.bodyStart);
}

/**
 * The head framed by byte searches and decoded as UTF-8: the first CRLFCRLF, unless splitHeaders meets an earlier
 * empty line of bare LFs. Returns the error when there is no head or its lines are malformed.
 */
function readHead(buf: Buffer, start: number): Head | ParseError {
  let headEnd = quickHeadEnd(buf, start);
  if (!headEnd) return parseError('message has no empty line after its headers');
  let head = buf.toString('utf8', start, headEnd.headEnd);
  const firstLineEnd = head.indexOf('\n');
  let headers = splitHeaders(head, firstLineEnd < 0 ? head.length : firstLineEnd + 1);
  if (headers instanceof HeaderSection && headers.stop >= 0) {
    headEnd = findHeadEnd(buf, start) ?? headEnd;
    head = buf.toString('utf8', start, headEnd.headEnd);
    headers = splitHeaders(head, firstLineEnd + 1);
    if (headers instanceof HeaderSection && headers.stop >= 0)
      return parseError('message has no empty line after its headers');
  }
  if (!(headers instanceof HeaderSection)) return headers;
  return new Head(head, firstLineEnd < 0 ? head.length : firstLineEnd, headers, headEnd.bodyStart);
}

/**
 * Splits header lines (CRLF, or bare LF from lenient peers) into a HeaderSection of offsets, unfolding continuation
 * lines (RFC 3261 §7.3.1). It stops at the first empty line and records where (HeaderSection#stop), or runs to the
 * end of `head`. It refuses a NUL byte before that line and enforces MESSAGE_LIMITS' header-line bounds. `bytes`,
 * when given, are the bytes `head` was decoded from, index for index: names are matched in them (knownHeaderIn),
 * and the section keeps them for the value parsers.
 */
function splitHeaders(head: string, from: number, bytes?: Uint8Array): HeaderSection | ParseError {
  const section = new HeaderSection(head, bytes);
  let pos = from;
  // A CR may only end a line: quoted-pair excludes it and a bare CR would split the header for other parsers.
  let cr = head.indexOf('\r', from);
  // No rule of RFC 3261 §25.1 admits a raw NUL in the head, and C-based peers read it as the end of a string
  // (RFC 4475 §3.1.1.9 escnull has only escaped ones). It may be in the body, past the empty line.
  const nul = head.indexOf('\0');
  if (nul >= 0 && nul < from) return parseError('NUL byte in the start line');
  // Via values counted so far, and the next ',' at or after the current Via value (searched again once passed).
  let vias = 0;
  let comma = -1;
  while (pos < head.length) {
    let lineEnd = head.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = head.length;
    if (nul >= pos && nul < lineEnd) return nulError(head, pos, nul, section);
    let end = lineEnd;
    if (cr >= 0 && cr < lineEnd) {
      if (cr !== lineEnd - 1 || lineEnd === head.length) return parseError('bare CR in the header section');
      end = cr;
      cr = head.indexOf('\r', lineEnd + 1);
    }
    if (end === pos) {
      section.stopAt(pos, lineEnd + 1);
      return section;
    }
    const first = head.charCodeAt(pos);
    if (first === SP || first === HTAB) {
      // Folding is rare (RFC 3261 §7.3.1 discourages it): the unfolded value is built eagerly.
      const last = section.length - 1;
      if (last < 0) return parseError('continuation line before the first header');
      const more = trimLws(head, pos, end);
      if (more.length > 0) {
        const pending = section.value(last);
        const unfolded = pending.length > 0 ? `${pending} ${more}` : more;
        if (unfolded.length > maxHeaderLineLength) return lineTooLong();
        section.setFolded(last, unfolded);
        if (section.names[last]!.bit === VIA_BIT) {
          vias += commasIn(more);
          if (vias > maxViaValues) return tooManyVias();
        }
      }
    } else {
      if (section.length >= maxHeaderLines)
        return parseError(`more than ${maxHeaderLines} header lines (the limit)`);
      if (end - pos > maxHeaderLineLength) return lineTooLong();
      // Usually a known name directly followed by its colon; otherwise search for the colon and read the name.
      let interned = bytes === undefined ? knownHeaderAt(head, pos, end) : knownHeaderIn(bytes, pos, end);
      let colon: number;
      if (interned !== undefined) colon = pos + interned.name.length;
      else {
        colon = head.indexOf(':', pos);
        if (colon < 0 || colon >= end)
          return parseError(`header line without a colon: ${head.slice(pos, Math.min(end, pos + 60))}`);
        let nameEnd = colon;
        while (nameEnd > pos && isLws(head.charCodeAt(nameEnd - 1))) nameEnd--;
        interned = internHeaderName(head, pos, nameEnd);
        if (!interned)
          return parseError(`invalid header name: ${head.slice(pos, Math.min(nameEnd, pos + 40))}`);
      }
      let valueStart = colon + 1;
      let valueEnd = end;
      while (valueStart < valueEnd && isLws(head.charCodeAt(valueStart))) valueStart++;
      while (valueEnd > valueStart && isLws(head.charCodeAt(valueEnd - 1))) valueEnd--;
      section.add(interned, valueStart, valueEnd);
      if (interned.bit === VIA_BIT) {
        // One value per line plus one per comma: a quoted comma in a parameter counts too, erring on the safe side.
        vias++;
        if (comma < valueStart) comma = nextComma(head, valueStart);
        while (comma < valueEnd) {
          vias++;
          comma = nextComma(head, comma + 1);
        }
        if (vias > maxViaValues) return tooManyVias();
      }
    }
    pos = lineEnd + 1;
  }
  return section;
}

/** The next ',' in text at or after `from`, or the text's length when there is none. */
function nextComma(text: string, from: number): number {
  const at = text.indexOf(',', from);
  return at < 0 ? text.length : at;
}

function commasIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf(','); at >= 0; at = text.indexOf(',', at + 1)) count++;
  return count;
}

function lineTooLong(): ParseError {
  return parseError(`header line longer than ${maxHeaderLineLength} characters (the limit)`);
}

function tooManyVias(): ParseError {
  return parseError(`more than ${maxViaValues} Via values (the limit)`);
}

/**
 * The error for a NUL byte at `nul` in the line starting at `pos`: it names the header (never quotes the text, so
 * the NUL cannot reach the reason phrase of our answer).
 */
function nulError(head: string, pos: number, nul: number, section: HeaderSection): ParseError {
  const first = head.charCodeAt(pos);
  let key: string | undefined;
  if (first === SP || first === HTAB)
    key = section.length > 0 ? section.keyOf(section.length - 1) : undefined;
  else {
    const colon = head.indexOf(':', pos);
    const name = colon >= 0 && colon < nul ? head.slice(pos, colon).trim() : '';
    key = isToken(name) ? headerKey(name) : undefined;
  }
  return parseError(
    key === undefined ? 'NUL byte in a header name' : `NUL byte in the ${wireName(key)} header`,
  );
}

function isLws(c: number): boolean {
  return c === SP || c === HTAB;
}

function trimLws(text: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === SP || text.charCodeAt(a) === HTAB)) a++;
  while (b > a && (text.charCodeAt(b - 1) === SP || text.charCodeAt(b - 1) === HTAB)) b--;
  return text.slice(a, b);
}

/** The end of a line ending at `to`, without its CR. */
function withoutCr(text: string, to: number): number {
  return to > 0 && text.charCodeAt(to - 1) === CR ? to - 1 : to;
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
  const crlf = buf.indexOf(CRLF_CRLF, from);
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
