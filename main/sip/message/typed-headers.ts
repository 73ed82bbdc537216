// Parsers for the scalar and small structured headers the stack reads: CSeq (RFC 3261 §20.16), Max-Forwards
// (§20.22), Expires/Min-Expires (§20.19, §20.23), Content-Length (§20.14), Content-Type (§20.15), Retry-After
// (§20.33), Event (RFC 6665 §8.2.1), Subscription-State (RFC 6665 §8.2.3). Each returns undefined when malformed.
import { TOKEN_CHARS } from './charset';
import { isToken } from './header-names';
import { type Params, parseParams, trimEnd, trimStart } from './scan';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** RFC 3261 §8.1.1.5: the sequence number must be expressible as a 32-bit unsigned integer. */
export const MAX_CSEQ = 0xffff_ffff;
/** RFC 3261 §20.19 and §25.1 delta-seconds: implementations treat values over 2^32-1 as 2^32-1; we refuse them. */
export const MAX_DELTA_SECONDS = 0xffff_ffff;

/** CSeq = 1*DIGIT LWS Method: leading zeros are legal (RFC 4475 §3.1.1.1 has "0009"), the value is range-checked. */
export function parseCSeq(value: string, from = 0, to = value.length): CSeq | undefined {
  // Read by hand rather than with a regular expression, in place in text[from, to): this runs for every message,
  // and a match array with capture slices costs more than the parse.
  const n = to;
  let i = skipBlanks(value, from, n);
  const digitsStart = i;
  let seq = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    seq = seq * 10 + (c - 0x30);
    if (seq > MAX_CSEQ) return undefined;
  }
  if (i === digitsStart || i >= n || !isBlank(value.charCodeAt(i))) return undefined;
  const methodStart = skipBlanks(value, i, n);
  let methodEnd = methodStart;
  while (methodEnd < n && isTokenChar(value.charCodeAt(methodEnd))) methodEnd++;
  if (methodEnd === methodStart || skipBlanks(value, methodEnd, n) !== n) return undefined;
  return { seq, method: value.slice(methodStart, methodEnd) };
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function skipBlanks(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isBlank(text.charCodeAt(i))) i++;
  return i;
}

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_CHARS[c] === 1;
}

/** Max-Forwards: 0..255 (RFC 3261 §20.22 allows any 1*DIGIT but values over 255 are nonsense; RFC 4475 §3.1.2.4). */
export const MAX_MAX_FORWARDS = 255;
/** Content-Length; bounded so a hostile value cannot make a stream reader wait for gigabytes. */
export const MAX_CONTENT_LENGTH = 0x7fff_ffff;

export function parseMaxForwards(value: string): number | undefined {
  return parseScalarIn(value, 0, value.length, MAX_MAX_FORWARDS);
}

export function parseDeltaSeconds(value: string): number | undefined {
  return parseScalarIn(value, 0, value.length, MAX_DELTA_SECONDS);
}

export function parseContentLength(value: string): number | undefined {
  return parseScalarIn(value, 0, value.length, MAX_CONTENT_LENGTH);
}

/** A decimal integer of at most `max` in text[from, to), whitespace around it allowed (trimmed as String.trim). */
export function parseScalarIn(text: string, from: number, to: number, max: number): number | undefined {
  const start = trimStart(text, from, to);
  const end = trimEnd(text, start, to);
  if (end === start) return undefined;
  // Digit by digit with an early exit, so leading zeros are fine and a huge value costs nothing.
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
    if (n > max) return undefined;
  }
  return n;
}

export interface MediaType {
  /** Lower-case `type/subtype`. */
  readonly type: string;
  readonly params: Params;
}

export function parseContentType(value: string): MediaType | undefined {
  const semicolon = value.indexOf(';');
  const mediaRange = (semicolon >= 0 ? value.slice(0, semicolon) : value).replace(/[ \t]+/g, '');
  const slash = mediaRange.indexOf('/');
  if (slash < 0 || !isToken(mediaRange.slice(0, slash)) || !isToken(mediaRange.slice(slash + 1)))
    return undefined;
  const params = parseParams(semicolon >= 0 ? value.slice(semicolon) : '');
  if (!params) return undefined;
  return { type: mediaRange.toLowerCase(), params };
}

export interface RetryAfter {
  readonly seconds: number;
  readonly comment?: string;
  readonly params: Params;
}

export function parseRetryAfter(value: string): RetryAfter | undefined {
  const match = /^[ \t]*(\d+)[ \t]*(\([^)]*\))?[ \t]*(;.*)?$/.exec(value);
  if (!match) return undefined;
  const seconds = parseDeltaSeconds(match[1]!);
  const params = parseParams(match[3] ?? '');
  if (seconds === undefined || !params) return undefined;
  const comment = match[2]?.slice(1, -1);
  return comment !== undefined ? { seconds, comment, params } : { seconds, params };
}

export interface EventHeader {
  /** Lower-case event package, e.g. `presence`. */
  readonly event: string;
  readonly id?: string;
  readonly params: Params;
}

export function parseEvent(value: string): EventHeader | undefined {
  const semicolon = value.indexOf(';');
  const event = (semicolon >= 0 ? value.slice(0, semicolon) : value).trim();
  if (!isToken(event)) return undefined;
  const params = parseParams(semicolon >= 0 ? value.slice(semicolon) : '');
  if (!params) return undefined;
  const id = params.get('id');
  return typeof id === 'string'
    ? { event: event.toLowerCase(), id, params }
    : { event: event.toLowerCase(), params };
}

export interface SubscriptionState {
  readonly state: 'active' | 'pending' | 'terminated' | string;
  readonly expires?: number;
  readonly reason?: string;
  readonly retryAfter?: number;
  readonly params: Params;
}

export function parseSubscriptionState(value: string): SubscriptionState | undefined {
  const semicolon = value.indexOf(';');
  const state = (semicolon >= 0 ? value.slice(0, semicolon) : value).trim().toLowerCase();
  if (!isToken(state)) return undefined;
  const params = parseParams(semicolon >= 0 ? value.slice(semicolon) : '');
  if (!params) return undefined;
  const expires = numberParam(params, 'expires');
  const retryAfter = numberParam(params, 'retry-after');
  const reason = params.get('reason');
  return {
    state,
    params,
    ...(expires !== undefined ? { expires } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(typeof reason === 'string' ? { reason: reason.toLowerCase() } : {}),
  };
}

function numberParam(params: Params, name: string): number | undefined {
  const value = params.get(name);
  return typeof value === 'string' ? parseDeltaSeconds(value) : undefined;
}

/** Comma-separated tokens (Allow, Supported, Require, Unsupported, Allow-Events), lower-cased unless methods. */
export function parseTokenList(values: readonly string[], lowerCase: boolean): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const token = part.trim();
      if (token.length > 0) out.push(lowerCase ? token.toLowerCase() : token);
    }
  }
  return out;
}
