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

export function parseUri(text: string): Result<Uri, ParseError> {
  const colon = text.indexOf(':');
  if (colon <= 0 || !isScheme(text, colon)) return err(parseError(`URI has no scheme: ${preview(text)}`));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x7f)
      return err(parseError(`URI contains whitespace or delimiters: ${preview(text)}`));
  }
  const scheme = colon === 3 && text.startsWith('sip') ? 'sip' : text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') {
    const uri = parseSipUri(scheme, text, colon + 1);
    return uri ? ok(uri) : err(parseError(`invalid SIP URI: ${preview(text)}`));
  }
  if (scheme === 'tel') return parseTelUri(text.slice(colon + 1), text);
  if (colon + 1 >= text.length) return err(parseError(`URI is empty after the scheme: ${preview(text)}`));
  return ok({ scheme, raw: text });
}

function isScheme(text: string, end: number): boolean {
  const first = text.charCodeAt(0) | 0x20;
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = 1; i < end; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum && c !== 0x2b && c !== 0x2d && c !== 0x2e) return false;
  }
  return true;
}

/** RFC 3261 §25.1 SIP-URI after the scheme; `undefined` when malformed. */
function parseSipUri(scheme: 'sip' | 'sips', text: string, from: number): SipUri | undefined {
  // '@' cannot appear unescaped after the userinfo (not in params, headers or host), so the first one delimits it.
  const at = text.indexOf('@', from);
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = from;
  if (at >= 0) {
    const pwColon = text.indexOf(':', from);
    const userEnd = pwColon >= 0 && pwColon < at ? pwColon : at;
    if (!allIn(USER_CHARS, text, from, userEnd) || !escapesValid(text, from, userEnd)) return undefined;
    user = unescapePercent(text.slice(from, userEnd));
    if (userEnd < at) {
      if (
        at > userEnd + 1 &&
        (!allIn(PASSWORD_CHARS, text, userEnd + 1, at) || !escapesValid(text, userEnd + 1, at))
      )
        return undefined;
      password = unescapePercent(text.slice(userEnd + 1, at));
    }
    hostStart = at + 1;
  }
  let question = text.indexOf('?', hostStart);
  if (question < 0) question = text.length;
  let semicolon = text.indexOf(';', hostStart);
  if (semicolon < 0 || semicolon > question) semicolon = question;
  const hostPort = parseHostPort(text.slice(hostStart, semicolon));
  if (!hostPort) return undefined;
  const params = parseUriParams(text, semicolon, question);
  if (!params) return undefined;
  const headers = new Map<string, string>();
  if (question < text.length) {
    for (const pair of text.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || !allIn(URI_HEADER_CHARS, pair, 0, eq) || !escapesValid(pair)) return undefined;
      if (eq + 1 < pair.length && !allIn(URI_HEADER_CHARS, pair, eq + 1)) return undefined;
      headers.set(unescapePercent(pair.slice(0, eq)), unescapePercent(pair.slice(eq + 1)));
    }
  }
  return { scheme, user, password, host: hostPort.host, port: hostPort.port, params, headers };
}

/**
 * `;name[=value]` URI parameters in text[from, to), where text[from] is the first ';' (RFC 3261 §25.1 uri-parameters,
 * RFC 3966 par: both are paramchar). Names are lower-cased; names and values are unescaped.
 */
function parseUriParams(text: string, from: number, to: number): Params | undefined {
  const params: Params = new Map();
  let i = from;
  while (i < to) {
    // One pass per parameter up to its end, so a URI of many parameters stays linear.
    let end = i + 1;
    let eq = -1;
    while (end < to) {
      const c = text.charCodeAt(end);
      if (c === 0x3b /* ; */) break;
      if (c === 0x3d /* = */ && eq < 0) eq = end;
      end++;
    }
    const nameEnd = eq >= 0 ? eq : end;
    if (!allIn(PARAM_CHARS, text, i + 1, nameEnd) || !escapesValid(text, i + 1, end)) return undefined;
    if (nameEnd < end && nameEnd + 1 < end && !allIn(PARAM_CHARS, text, nameEnd + 1, end)) return undefined;
    const name = unescapePercent(text.slice(i + 1, nameEnd)).toLowerCase();
    params.set(name, nameEnd < end ? unescapePercent(text.slice(nameEnd + 1, end)) : null);
    i = end;
  }
  return params;
}

function parseTelUri(rest: string, text: string): Result<Uri, ParseError> {
  let semicolon = rest.indexOf(';');
  if (semicolon < 0) semicolon = rest.length;
  const number = rest.slice(0, semicolon);
  if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number)) return err(parseError(`invalid tel URI ${preview(text)}`));
  const params = parseUriParams(rest, semicolon, rest.length);
  if (!params) return err(parseError(`invalid tel URI parameters in ${preview(text)}`));
  return ok({ scheme: 'tel', number, params });
}

/** Parses `host[:port]` where host is a hostname, IPv4 address or bracketed IPv6 reference (RFC 3261 §25.1, RFC 5118). */
export function parseHostPort(text: string): { host: string; port: number | undefined } | undefined {
  let host: string;
  let portStart: number;
  if (text.charCodeAt(0) === 0x5b /* [ */) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const address = ipv6Address(text.slice(1, close));
    if (address === undefined) return undefined;
    host = `[${address}]`;
    portStart = close + 1;
    if (portStart < text.length && text.charCodeAt(portStart) !== 0x3a) return undefined;
  } else {
    const colon = text.indexOf(':');
    portStart = colon >= 0 ? colon : text.length;
    host = text.slice(0, portStart);
    if (!isHostname(host)) return undefined;
  }
  if (portStart >= text.length) return { host, port: undefined };
  const digits = text.length - portStart - 1;
  if (digits < 1 || digits > 5) return undefined;
  let port = 0;
  for (let i = portStart + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    port = port * 10 + (c - 0x30);
  }
  return port > 65535 ? undefined : { host, port };
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

/** hostname (labels of alphanumerics and inner hyphens) or an IPv4 address. */
function isHostname(host: string): boolean {
  if (!allIn(HOSTNAME_CHARS, host)) return false;
  let allDigits = true;
  let labelStart = 0;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      // Empty labels are only allowed as the optional trailing dot.
      if (i === labelStart && i !== host.length) return false;
      if (i > labelStart && (host.charCodeAt(labelStart) === 0x2d || host.charCodeAt(i - 1) === 0x2d))
        return false;
      labelStart = i + 1;
    } else if (c < 0x30 || c > 0x39) allDigits = false;
  }
  // A dotted all-numeric host must be a valid IPv4 address (256.1.1.1 is neither an address nor a name).
  return !allDigits || isIPv4(host);
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
