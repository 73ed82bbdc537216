// Digest challenge parsing: one WWW-Authenticate / Proxy-Authenticate header value, RFC 3261 §20.44 / §25.1
// (challenge, digest-cln), with the RFC 7616 §3.3 parameters (userhash, charset) and RFC 8760 algorithms.
// Works on the header value string alone, so only the shared Result type comes from the message layer.
import { type Result, err, ok } from '../message/result';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  /** As sent by the server; "MD5" when the parameter is absent (RFC 7616 §3.3). */
  readonly algorithm: string;
  /** Lower-cased qop options offered; empty when the server sent no qop (RFC 2069 compatibility mode). */
  readonly qop: readonly string[];
  readonly opaque?: string;
  readonly stale: boolean;
  readonly domain?: string;
  readonly userhash: boolean;
  readonly charset?: string;
  /** Every parameter by lower-cased name, unquoted, including ones this module does not know. */
  readonly params: ReadonlyMap<string, string>;
}

// RFC 3261 §25.1 token characters.
const TOKEN_PUNCTUATION = new Set(['-', '.', '!', '%', '*', '_', '+', '`', "'", '~']);

function isTokenChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    TOKEN_PUNCTUATION.has(ch)
  );
}

// Header values may still carry folding, so CR and LF count as whitespace between elements.
function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

// Unquoted values: real servers put base64 nonces ('/', '=') and the like here without quotes, so accept any
// visible ASCII that cannot end the element, not only RFC token characters.
function isBareValueChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 0x21 && code <= 0x7e && ch !== '"' && ch !== ',';
}

// Control characters would end up echoed into our Authorization header (realm, nonce, opaque), so refuse them.
function isForbiddenControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  skipWhitespace(): boolean {
    const start = this.pos;
    while (!this.done && isWhitespace(this.peek())) this.pos++;
    return this.pos > start;
  }

  readWhile(predicate: (ch: string) => boolean): string {
    const start = this.pos;
    while (!this.done && predicate(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Reads a quoted-string starting at the opening quote; returns its unescaped content. */
  readQuoted(): Result<string, string> {
    this.pos++; // opening quote
    let out = '';
    while (!this.done) {
      const ch = this.peek();
      const code = ch.charCodeAt(0);
      if (ch === '"') {
        this.pos++;
        return ok(out);
      }
      if (ch === '\\') {
        const next = this.text.charAt(this.pos + 1);
        if (next === '') break;
        if (isForbiddenControl(next.charCodeAt(0))) return err('control character in quoted-pair');
        out += next;
        this.pos += 2;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        // Folding (CRLF followed by whitespace) inside a quoted string reads as a single space.
        const folded = this.readWhile((c) => c === '\r' || c === '\n');
        if (!/^(\r\n|\n)$/.test(folded) || !(this.peek() === ' ' || this.peek() === '\t')) {
          return err('line break inside quoted string');
        }
        this.readWhile((c) => c === ' ' || c === '\t');
        out += ' ';
        continue;
      }
      if (isForbiddenControl(code)) return err('control character in quoted string');
      out += ch;
      this.pos++;
    }
    return err('unterminated quoted string');
  }
}

function parseParams(cursor: Cursor): Result<Map<string, string>, string> {
  const params = new Map<string, string>();
  for (;;) {
    // RFC 7230 §7 list rules: empty elements (",,") are tolerated.
    cursor.skipWhitespace();
    while (cursor.peek() === ',') {
      cursor.pos++;
      cursor.skipWhitespace();
    }
    if (cursor.done) break;

    const name = cursor.readWhile(isTokenChar);
    if (name === '') return err(`expected parameter name at offset ${cursor.pos}`);
    cursor.skipWhitespace();
    if (cursor.peek() !== '=') return err(`expected "=" after parameter "${name}"`);
    cursor.pos++;
    cursor.skipWhitespace();

    let value: string;
    if (cursor.peek() === '"') {
      const quoted = cursor.readQuoted();
      if (!quoted.ok) return quoted;
      value = quoted.value;
    } else {
      value = cursor.readWhile(isBareValueChar);
      if (value === '') return err(`missing value for parameter "${name}"`);
    }

    const key = name.toLowerCase();
    // RFC 7235 §2.2: a parameter name occurs once per challenge; two different realms or nonces are ambiguous.
    if (params.has(key)) return err(`duplicate parameter "${key}"`);
    params.set(key, value);

    cursor.skipWhitespace();
    if (cursor.done) break;
    if (cursor.peek() !== ',') return err(`expected "," after parameter "${name}"`);
  }
  return ok(params);
}

/** The auth scheme of a challenge value, lower-cased ("digest", "basic", ...), or undefined when there is none. */
export function authScheme(headerValue: string): string | undefined {
  if (typeof headerValue !== 'string') return undefined;
  const cursor = new Cursor(headerValue);
  cursor.skipWhitespace();
  const scheme = cursor.readWhile(isTokenChar);
  return scheme === '' ? undefined : scheme.toLowerCase();
}

function splitQop(value: string): string[] {
  return value
    .split(',')
    .map((option) => option.trim().toLowerCase())
    .filter((option) => option !== '');
}

/** Parses one WWW-Authenticate or Proxy-Authenticate value. Never throws; anything unusable is an error. */
export function parseChallenge(headerValue: string): Result<DigestChallenge, string> {
  if (typeof headerValue !== 'string') return err('challenge is not a string');
  const cursor = new Cursor(headerValue);
  cursor.skipWhitespace();
  const scheme = cursor.readWhile(isTokenChar);
  if (scheme === '') return err('missing auth scheme');
  if (scheme.toLowerCase() !== 'digest') return err(`unsupported auth scheme "${scheme}"`);
  if (!cursor.skipWhitespace() && !cursor.done) return err('expected whitespace after "Digest"');

  const parsed = parseParams(cursor);
  if (!parsed.ok) return parsed;
  const params = parsed.value;

  const realm = params.get('realm');
  if (realm === undefined) return err('challenge has no realm');
  const nonce = params.get('nonce');
  if (nonce === undefined) return err('challenge has no nonce');

  const qop = params.get('qop');
  return ok({
    realm,
    nonce,
    algorithm: params.get('algorithm') ?? 'MD5',
    qop: qop === undefined ? [] : splitQop(qop),
    opaque: params.get('opaque'),
    stale: params.get('stale')?.toLowerCase() === 'true',
    domain: params.get('domain'),
    userhash: params.get('userhash')?.toLowerCase() === 'true',
    charset: params.get('charset'),
    params,
  });
}
