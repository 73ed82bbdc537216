// RFC 3261 §19.1 SIP and SIPS URIs (with §25.1 grammar), RFC 3966 tel URIs, and other absolute URIs kept opaque.
// User parts are unescaped on parse and escaped again on format; hosts keep IPv6 references in brackets (RFC 5118).
import { isIPv4, isIPv6 } from 'node:net';
import { type ParseError, type Result, err, ok, parseError, preview } from './result';
import {
  HOSTNAME_CHARS,
  PARAM_CHARS,
  PASSWORD_CHARS,
  URI_HEADER_CHARS,
  USER_CHARS,
  allIn,
  codeAt,
  escapesValid,
} from './charset';
import type { Params } from './scan';

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** Host as written; an IPv6 address keeps its brackets, e.g. `[2001:db8::1]`. */
  readonly host: string;
  readonly port?: number | undefined;
  readonly params: Params;
  readonly headers: ReadonlyMap<string, string>;
}

export interface TelUri {
  readonly scheme: 'tel';
  readonly number: string;
  readonly params: Params;
}

/** Any other absolute URI (RFC 3261 §25.1 absoluteURI), kept as text: a UAS answers 416 for it. */
export interface OpaqueUri {
  readonly scheme: string;
  readonly raw: string;
}

export type Uri = SipUri | TelUri | OpaqueUri;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}

/**
 * Parses the URI in text[from, to) (offsets, so a header's URI is read in place in the message head). The result
 * never shares mutable state with the text. `bytes`, when given, are text's bytes index for index (HeaderSection#bytes):
 * the character loops read them rather than calling charCodeAt.
 */
export function parseUri(
  text: string,
  from = 0,
  to = text.length,
  bytes?: Uint8Array,
): Result<Uri, ParseError> {
  const colon = text.indexOf(':', from);
  if (colon <= from || colon >= to || !isScheme(text, from, colon))
    return err(parseError(`URI has no scheme: ${preview(text.slice(from, to))}`));
  const scheme =
    colon === from + 3 && text.startsWith('sip', from) ? 'sip' : text.slice(from, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') {
    // Every part of a SIP URI is checked against a character set that admits neither whitespace nor these
    // delimiters, so a URI that parses has none: the scan below only words the error of one that does not.
    const uri = parseSipUri(scheme, text, bytes, colon + 1, to);
    if (uri) return ok(uri);
    const shown = preview(text.slice(from, to));
    return err(
      hasDelimiter(text, from, to) ? delimiterError(shown) : parseError(`invalid SIP URI: ${shown}`),
    );
  }
  const whole = from === 0 && to === text.length ? text : text.slice(from, to);
  if (hasDelimiter(whole, 0, whole.length)) return err(delimiterError(preview(whole)));
  if (scheme === 'tel') return parseTelUri(whole.slice(colon - from + 1), whole);
  if (colon + 1 >= to) return err(parseError(`URI is empty after the scheme: ${preview(whole)}`));
  return ok({ scheme, raw: whole });
}

function hasDelimiter(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x7f) return true;
  }
  return false;
}

function delimiterError(shown: string): ParseError {
  return parseError(`URI contains whitespace or delimiters: ${shown}`);
}

function isScheme(text: string, from: number, end: number): boolean {
  const first = text.charCodeAt(from) | 0x20;
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = from + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum && c !== 0x2b && c !== 0x2d && c !== 0x2e) return false;
  }
  return true;
}

/** The headers of a SIP URI without a '?' part: one shared empty map, typed read-only. */
const NO_HEADERS: ReadonlyMap<string, string> = new Map();

const COLON = 0x3a;
const SEMI = 0x3b;
const EQUALS = 0x3d;
const QUESTION = 0x3f;
const PERCENT = 0x25;

/**
 * RFC 3261 §25.1 SIP-URI in text[from, to) after the scheme; `undefined` when malformed. One left-to-right pass:
 * userinfo, host, port, parameters, headers, each part checked against its character set as it is read.
 */
function parseSipUri(
  scheme: 'sip' | 'sips',
  text: string,
  bytes: Uint8Array | undefined,
  from: number,
  to: number,
): SipUri | undefined {
  // '@' cannot appear unescaped after the userinfo (not in params, headers or host), so the first one delimits it.
  const at = text.indexOf('@', from);
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = from;
  if (at >= 0 && at < to) {
    // user ends at ':' (not a user character) or the '@'; it may not be empty.
    const userEnd = charsEnd(USER_CHARS, text, bytes, from, at);
    if (userEnd === from || (userEnd < at && codeAt(text, bytes, userEnd) !== COLON)) return undefined;
    user = unescapedPart(text, from, userEnd);
    if (user === undefined) return undefined;
    if (userEnd < at) {
      // The password may be empty.
      if (charsEnd(PASSWORD_CHARS, text, bytes, userEnd + 1, at) !== at) return undefined;
      password = unescapedPart(text, userEnd + 1, at);
      if (password === undefined) return undefined;
    }
    hostStart = at + 1;
  }
  const hostEnd = readHost(text, bytes, hostStart, to);
  if (hostEnd < 0) return undefined;
  let i = hostEnd;
  let port: number | undefined;
  if (i < to && codeAt(text, bytes, i) === COLON) {
    const portEnd = digitsEnd(text, bytes, i + 1, to);
    port = portValue(text, bytes, i + 1, portEnd);
    if (port === undefined) return undefined;
    i = portEnd;
  }
  const params: Params = new Map();
  if (i < to && codeAt(text, bytes, i) === SEMI) {
    i = readUriParams(text, bytes, i, to, params);
    if (i < 0) return undefined;
  }
  let headers = NO_HEADERS;
  if (i < to) {
    if (codeAt(text, bytes, i) !== QUESTION) return undefined;
    const parsed = parseUriHeaders(text.slice(i + 1, to));
    if (!parsed) return undefined;
    headers = parsed;
  }
  return { scheme, user, password, host: hostText(text, hostStart, hostEnd), port, params, headers };
}

/** Where the run of characters from `set` starting at text[from] ends (at most `to`). */
function charsEnd(
  set: Uint8Array,
  text: string,
  bytes: Uint8Array | undefined,
  from: number,
  to: number,
): number {
  let i = from;
  while (i < to) {
    const c = codeAt(text, bytes, i);
    if (c >= 128 || set[c] === 0) break;
    i++;
  }
  return i;
}

/** text[from, to) with %HH escapes checked and decoded; undefined when an escape is malformed. */
function unescapedPart(text: string, from: number, to: number): string | undefined {
  const raw = text.slice(from, to);
  if (raw.indexOf('%') < 0) return raw;
  return escapesValid(raw) ? unescapePercent(raw) : undefined;
}

/** `hname=hvalue` pairs joined by '&' (RFC 3261 §25.1 headers). */
function parseUriHeaders(text: string): Map<string, string> | undefined {
  const headers = new Map<string, string>();
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !allIn(URI_HEADER_CHARS, pair, 0, eq) || !escapesValid(pair)) return undefined;
    if (eq + 1 < pair.length && !allIn(URI_HEADER_CHARS, pair, eq + 1)) return undefined;
    headers.set(unescapePercent(pair.slice(0, eq)), unescapePercent(pair.slice(eq + 1)));
  }
  return headers;
}

/**
 * `;name[=value]` URI parameters (RFC 3261 §25.1 uri-parameters, RFC 3966 par: both are paramchar) from text[from],
 * a ';', into `params`, up to a '?' or `to`; returns where they end, or -1 when malformed. Names are lower-cased;
 * names and values are unescaped. One pass per parameter, checking characters as it goes, so a URI of many
 * parameters stays linear. A second '=' is not a paramchar, so it fails the check.
 */
function readUriParams(
  text: string,
  bytes: Uint8Array | undefined,
  from: number,
  to: number,
  params: Params,
): number {
  let i = from;
  while (i < to && codeAt(text, bytes, i) === SEMI) {
    let end = i + 1;
    let eq = -1;
    let upper = false;
    let percent = false;
    for (; end < to; end++) {
      const c = codeAt(text, bytes, end);
      if (c === SEMI || c === QUESTION) break;
      if (c === EQUALS && eq < 0) eq = end;
      else if (c >= 128 || PARAM_CHARS[c] === 0) return -1;
      else if (c === PERCENT) percent = true;
      else if (c >= 0x41 && c <= 0x5a && eq < 0) upper = true;
    }
    const nameEnd = eq >= 0 ? eq : end;
    if (nameEnd === i + 1 || (percent && !escapesValid(text, i + 1, end))) return -1;
    let name = text.slice(i + 1, nameEnd);
    if (percent) name = unescapePercent(name).toLowerCase();
    else if (upper) name = name.toLowerCase();
    let value: string | null = null;
    if (eq >= 0) {
      value = text.slice(eq + 1, end);
      if (percent) value = unescapePercent(value);
    }
    params.set(name, value);
    i = end;
  }
  return i;
}

/** Parses a tel URI; `rest` is what follows `tel:` in `text`. */
function parseTelUri(rest: string, text: string): Result<Uri, ParseError> {
  let semicolon = rest.indexOf(';');
  if (semicolon < 0) semicolon = rest.length;
  const number = rest.slice(0, semicolon);
  if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number)) return err(parseError(`invalid tel URI ${preview(text)}`));
  const params: Params = new Map();
  if (readUriParams(rest, undefined, semicolon, rest.length, params) !== rest.length)
    return err(parseError(`invalid tel URI parameters in ${preview(text)}`));
  return ok({ scheme: 'tel', number, params });
}

export interface HostPort {
  readonly host: string;
  readonly port: number | undefined;
}

/**
 * Parses `host[:port]`, exactly text[from, to), where host is a hostname, IPv4 address or bracketed IPv6 reference
 * (RFC 3261 §25.1, RFC 5118). Offsets let the Via parser read it in place; `bytes` as for parseUri.
 */
export function parseHostPort(
  text: string,
  from = 0,
  to = text.length,
  bytes?: Uint8Array,
): HostPort | undefined {
  const hostEnd = readHost(text, bytes, from, to);
  if (hostEnd < 0) return undefined;
  let port: number | undefined;
  if (hostEnd < to) {
    if (codeAt(text, bytes, hostEnd) !== COLON) return undefined;
    port = portValue(text, bytes, hostEnd + 1, to);
    if (port === undefined) return undefined;
  }
  return { host: hostText(text, from, hostEnd), port };
}

/** The decimal port in text[from, to): 1 to 5 digits, at most 65535. */
function portValue(
  text: string,
  bytes: Uint8Array | undefined,
  from: number,
  to: number,
): number | undefined {
  const digits = to - from;
  if (digits < 1 || digits > 5) return undefined;
  let port = 0;
  for (let i = from; i < to; i++) {
    const c = codeAt(text, bytes, i);
    if (c < 0x30 || c > 0x39) return undefined;
    port = port * 10 + (c - 0x30);
  }
  return port > 65535 ? undefined : port;
}

function digitsEnd(text: string, bytes: Uint8Array | undefined, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = codeAt(text, bytes, i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i;
}

/**
 * Reads the host at text[from] (before `to`): a bracketed IPv6 reference or a hostname/IPv4 address ending at ':',
 * ';', '?' or `to`. Returns where it ends, or -1 when it is not a valid host. hostText turns the range into text.
 */
function readHost(text: string, bytes: Uint8Array | undefined, from: number, to: number): number {
  if (codeAt(text, bytes, from) !== 0x5b /* [ */) return hostnameEnd(text, bytes, from, to);
  const close = text.indexOf(']', from);
  if (close < 0 || close >= to || ipv6Address(text.slice(from + 1, close)) === undefined) return -1;
  return close + 1;
}

/** The host in text[from, end) as readHost accepted it; an IPv6 reference in its normalised spelling. */
function hostText(text: string, from: number, end: number): string {
  if (text.charCodeAt(from) !== 0x5b) return text.slice(from, end);
  return `[${ipv6Address(text.slice(from + 1, end - 1))!}]`;
}

// Character classes for hostnameEnd, one table read per character.
const H_INVALID = 0;
const H_DIGIT = 1;
const H_NAME = 2; // letters, '_' and '-': a name, not an address
const H_DOT = 3;
const H_END = 4; // ':', ';' and '?' end the host
const HOST_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 0x30 && c <= 0x39) HOST_CLASS[c] = H_DIGIT;
  else if (c === 0x2e) HOST_CLASS[c] = H_DOT;
  else if (c === COLON || c === SEMI || c === QUESTION) HOST_CLASS[c] = H_END;
  else if (HOSTNAME_CHARS[c] === 1) HOST_CLASS[c] = H_NAME;
  else HOST_CLASS[c] = H_INVALID;
}

/**
 * Reads a hostname (labels of alphanumerics and inner hyphens) or IPv4 address from text[from] up to the first
 * ':', ';', '?' or `to`; returns where it ends, or -1 when it is empty or not a valid host. A dotted all-numeric
 * host must be a valid IPv4 address (256.1.1.1 is neither an address nor a name): RFC 3986 IPv4address, four
 * decimal octets 0..255 without leading zeros, as node:net isIPv4 has it. One pass, octets included: no regular
 * expression and no second scan on the packet path.
 */
function hostnameEnd(text: string, bytes: Uint8Array | undefined, from: number, to: number): number {
  let allDigits = true;
  let octetsOk = true;
  let labelStart = from;
  let labels = 0;
  let octet = 0;
  let i = from;
  for (; i < to; i++) {
    const c = codeAt(text, bytes, i);
    const kind = c < 128 ? HOST_CLASS[c]! : H_INVALID;
    if (kind === H_DIGIT) {
      octet = octet * 10 + (c - 0x30);
    } else if (kind === H_NAME) {
      // A name, not an address: from here on the octets do not matter.
      allDigits = false;
    } else if (kind === H_DOT) {
      // Empty labels are only allowed as the optional trailing dot (checked after the loop).
      if (i === labelStart || !labelEdgesOk(text, bytes, labelStart, i)) return -1;
      if (allDigits) octetsOk &&= octetOk(text, bytes, labelStart, i, octet);
      labels++;
      labelStart = i + 1;
      octet = 0;
    } else if (kind === H_END) break;
    else return -1;
  }
  if (i === from) return -1;
  if (i === labelStart) return allDigits ? -1 : i;
  if (!labelEdgesOk(text, bytes, labelStart, i)) return -1;
  return !allDigits || (octetsOk && labels === 3 && octetOk(text, bytes, labelStart, i, octet)) ? i : -1;
}

/** A label neither starts nor ends with a hyphen. */
function labelEdgesOk(text: string, bytes: Uint8Array | undefined, start: number, end: number): boolean {
  return codeAt(text, bytes, start) !== 0x2d && codeAt(text, bytes, end - 1) !== 0x2d;
}

/** An IPv4 octet of digits text[start, end) with value `value`: 1 to 3 digits, no leading zero, at most 255. */
function octetOk(
  text: string,
  bytes: Uint8Array | undefined,
  start: number,
  end: number,
  value: number,
): boolean {
  const length = end - start;
  return length <= 3 && value <= 255 && (length === 1 || codeAt(text, bytes, start) !== 0x30);
}

/**
 * The IPv6 address inside a reference, or undefined. RFC 3261's IPv6reference ABNF (from RFC 2373) also derives
 * `2001:db8:::192.0.2.1`, three colons before an embedded IPv4 address; RFC 5118 §4.10 asks implementations to
 * tolerate it, so that one form is accepted and normalised to the RFC 4291 spelling with two colons.
 */
function ipv6Address(text: string): string | undefined {
  if (isIPv6(text)) return text;
  const triple = text.indexOf(':::');
  if (triple < 0 || text.indexOf(':', triple + 3) >= 0 || !isIPv4(text.slice(triple + 3))) return undefined;
  const fixed = `${text.slice(0, triple)}::${text.slice(triple + 3)}`;
  return isIPv6(fixed) ? fixed : undefined;
}

/** Host without IPv6 brackets, as a socket API wants it. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Puts brackets around an IPv6 address so it can stand in a URI or Via (RFC 5118 §4.1). */
export function uriHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

export function formatUri(uri: Uri): string {
  if ('raw' in uri) return uri.raw;
  if (uri.scheme === 'tel') return `tel:${uri.number}${formatUriParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += escapeChars(uri.user, USER_SAFE);
    if (uri.password !== undefined) out += `:${escapeChars(uri.password, PASSWORD_SAFE)}`;
    out += '@';
  }
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatUriParams(uri.params);
  if (uri.headers.size > 0) {
    const pairs = [...uri.headers].map(
      ([k, v]) => `${escapeChars(k, HEADER_SAFE)}=${escapeChars(v, HEADER_SAFE)}`,
    );
    out += `?${pairs.join('&')}`;
  }
  return out;
}

function formatUriParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) {
    out += `;${escapeChars(name, PARAM_SAFE)}`;
    if (value !== null) out += `=${escapeChars(value, PARAM_SAFE)}`;
  }
  return out;
}

const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const USER_SAFE = new RegExp(`[^${UNRESERVED}&=+$,;?/]`, 'gu');
const PASSWORD_SAFE = new RegExp(`[^${UNRESERVED}&=+$,]`, 'gu');
const PARAM_SAFE = new RegExp(`[^${UNRESERVED}\\[\\]/:&+$]`, 'gu');
const HEADER_SAFE = new RegExp(`[^${UNRESERVED}\\[\\]/?:+$]`, 'gu');

function escapeChars(text: string, unsafe: RegExp): string {
  return text.replace(unsafe, (c) =>
    [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes %HH escapes. The octets are read as UTF-8; when they are not valid UTF-8 they are read as Latin-1 instead,
 * so distinct octet strings never collapse into the same text (which would make different users compare equal).
 */
export function unescapePercent(text: string): string {
  if (!text.includes('%')) return text;
  const bytes = Buffer.from(text, 'utf8');
  let w = 0;
  for (let r = 0; r < bytes.length; r++) {
    const b = bytes[r]!;
    const hi = b === 0x25 && r + 2 < bytes.length ? hexValue(bytes[r + 1]!) : -1;
    const lo = hi >= 0 ? hexValue(bytes[r + 2]!) : -1;
    if (lo >= 0) {
      bytes[w++] = hi * 16 + lo;
      r += 2;
    } else {
      bytes[w++] = b;
    }
  }
  const octets = bytes.subarray(0, w);
  try {
    return STRICT_UTF8.decode(octets);
  } catch {
    return octets.toString('latin1');
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * URI equality per RFC 3261 §19.1.4 for SIP URIs: scheme, user and password case-sensitively after unescaping,
 * host case-insensitively (IPv6 references as addresses), ports equal (absent is not equal to 5060), the
 * parameters that must match, and every URI header (names case-insensitive) present in both.
 */
export function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme || a.user !== b.user || a.password !== b.password) return false;
  if (comparableHost(a.host) !== comparableHost(b.host) || a.port !== b.port) return false;
  // user, ttl, method and maddr (and transport, §19.1.4's examples) must match even when only one URI has them.
  for (const name of ['user', 'ttl', 'method', 'maddr', 'transport']) {
    const va = a.params.get(name);
    const vb = b.params.get(name);
    if (va !== undefined || vb !== undefined) {
      if (va?.toLowerCase() !== vb?.toLowerCase()) return false;
    }
  }
  // Any other parameter is compared only when both URIs carry it.
  for (const [name, value] of a.params) {
    if (b.params.has(name) && b.params.get(name)?.toLowerCase() !== value?.toLowerCase()) return false;
  }
  if (a.headers.size !== b.headers.size) return false;
  const other = new Map<string, string>();
  for (const [name, value] of b.headers) other.set(name.toLowerCase(), value);
  for (const [name, value] of a.headers) if (other.get(name.toLowerCase()) !== value) return false;
  return true;
}

/** Host text for comparison: lower-case, and an IPv6 reference in one canonical spelling. */
function comparableHost(host: string): string {
  if (host.charCodeAt(0) !== 0x5b) return host.toLowerCase();
  const groups = ipv6Groups(host.slice(1, -1));
  return groups ? `[${groups.map((g) => g.toString(16)).join(':')}]` : host.toLowerCase();
}

/** The eight 16-bit groups of a valid IPv6 address (with or without an embedded IPv4 tail). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    const octets = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    tail.push(octets[0]! * 256 + octets[1]!, octets[2]! * 256 + octets[3]!);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const double = text.indexOf('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  if (double >= 0) {
    const head = parse(text.slice(0, double));
    const rest = parse(text.slice(double + 2));
    const zeros = 8 - head.length - rest.length;
    if (zeros < 0) return undefined;
    groups = [...head, ...new Array<number>(zeros).fill(0), ...rest];
  } else {
    groups = parse(text);
  }
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  if (tail.length === 2) groups.splice(6, 2, tail[0]!, tail[1]!);
  return groups;
}
