// RFC 3261 §7 message syntax and §18.3 framing. This is the packet path: it splits the start line and header lines
// in one pass over the text, then checks the headers the stack relies on (validate()). Anything else is parsed
// lazily by the message's typed getters. Network input never throws: the outcome says what a UAS should answer.
import { headerKey, isToken } from './header-names';
import { type HeaderField, type SipMessage, SipRequest, SipResponse } from './message';
import { type ParseError, parseError } from './result';
import { parseContentLength } from './typed-headers';
import { parseUri } from './uri';

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: ParseError };

export interface ParseOptions {
  /** Skip validate(): frame and split only. Typed getters still parse on demand. */
  readonly lazy?: boolean;
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

  const headEnd = findHeadEnd(buf, start);
  if (headEnd === undefined) return failure('message has no empty line after its headers');
  const head = buf.toString('utf8', start, headEnd.headEnd);

  const firstLineEnd = head.indexOf('\n');
  const startLine = stripCr(head, 0, firstLineEnd < 0 ? head.length : firstLineEnd);
  const headers = splitHeaders(head, firstLineEnd < 0 ? head.length : firstLineEnd + 1);
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
  const valid = parsed.validate();
  if (!valid.ok) return { ok: false, error: valid.error };
  // RFC 3261 §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17, §3.1.2.18 → 400).
  if (parsed.kind === 'request' && parsed.cseq.method !== parsed.method)
    return failure(`CSeq method ${parsed.cseq.method} does not match ${parsed.method}`);
  return message;
}

function buildMessage(startLine: string, headers: HeaderField[], body: Uint8Array): ParseResult {
  if (startLine.startsWith('SIP/') || startLine.startsWith('sip/'))
    return buildResponse(startLine, headers, body);
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
  if (version.toUpperCase() !== 'SIP/2.0') {
    if (/^SIP\/\d+\.\d+$/i.test(version)) return failure(`unsupported SIP version ${version}`, 505);
    return failure(`malformed request line: ${startLine.slice(0, 80)}`);
  }
  const uri = parseUri(uriText);
  if (!uri.ok) return { ok: false, error: uri.error };
  return { ok: true, message: new SipRequest(method, uri.value, headers, body, uriText) };
}

function buildResponse(startLine: string, headers: HeaderField[], body: Uint8Array): ParseResult {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the phrase may be empty (RFC 4475 §3.1.1.13).
  const match = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/i.exec(startLine);
  if (!match) return failure(`malformed status line: ${startLine.slice(0, 80)}`);
  return { ok: true, message: new SipResponse(Number(match[1]), match[2] ?? '', headers, body) };
}

/** Splits header lines (CRLF, or bare LF from lenient peers), unfolding continuation lines (RFC 3261 §7.3.1). */
function splitHeaders(head: string, from: number): HeaderField[] | ParseError {
  const headers: HeaderField[] = [];
  let pos = from;
  let pendingName = '';
  let pendingKey = '';
  let pendingValue: string | undefined;
  while (pos < head.length) {
    let lineEnd = head.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = head.length;
    const end = lineEnd > pos && head.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    const first = head.charCodeAt(pos);
    if (first === SP || first === HTAB) {
      if (pendingValue === undefined) return parseError('continuation line before the first header');
      const more = head.slice(pos, end).trim();
      if (more.length > 0) pendingValue = pendingValue.length > 0 ? `${pendingValue} ${more}` : more;
    } else if (end > pos) {
      if (pendingValue !== undefined)
        headers.push({ name: pendingName, key: pendingKey, value: pendingValue });
      const colon = head.indexOf(':', pos);
      if (colon < 0 || colon >= end)
        return parseError(`header line without a colon: ${head.slice(pos, Math.min(end, pos + 60))}`);
      let nameEnd = colon;
      while (nameEnd > pos && (head.charCodeAt(nameEnd - 1) === SP || head.charCodeAt(nameEnd - 1) === HTAB))
        nameEnd--;
      pendingName = head.slice(pos, nameEnd);
      if (!isToken(pendingName)) return parseError(`invalid header name: ${pendingName.slice(0, 40)}`);
      pendingKey = headerKey(pendingName);
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

/** Finds the empty line ending the headers: CRLFCRLF, or LFLF from lenient peers (searched only if needed). */
export function findHeadEnd(buf: Buffer, from: number): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  if (crlf >= 0) return { headEnd: crlf + 2, bodyStart: crlf + 4 };
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (lf >= 0) return { headEnd: lf + 1, bodyStart: lf + 2 };
  return undefined;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function failure(reason: string, status = 400): { ok: false; error: ParseError } {
  return { ok: false, error: parseError(reason, status) };
}
