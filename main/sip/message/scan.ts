// Small lexical helpers for RFC 3261 §25.1 grammar pieces shared by the header parsers: quoted strings, top-level
// comma splitting and generic `;name=value` parameters. All of them return undefined on malformed input, never throw.
import { codeAt } from './charset';

/**
 * True for the characters String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator), so offset-based
 * parsers trim exactly as the string-based ones did.
 */
export function isTrimmable(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The first index in [from, to) not trimmed by String.prototype.trim, or `to`. */
export function trimStart(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isTrimmable(text.charCodeAt(i))) i++;
  return i;
}

/** The end of text[from, to) once String.prototype.trim's trailing whitespace is removed. */
export function trimEnd(text: string, from: number, to: number): number {
  let i = to;
  while (i > from && isTrimmable(text.charCodeAt(i - 1))) i--;
  return i;
}

/** Splits a header value at commas that are not inside a quoted string or <...> (RFC 3261 §7.3.1). */
export function splitTopLevel(value: string, separator = ','): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  const sep = separator.charCodeAt(0);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuotes = false;
    } else if (c === 0x22) inQuotes = true;
    else if (c === 0x3c /* < */) inAngle = true;
    else if (c === 0x3e /* > */) inAngle = false;
    else if (c === sep && !inAngle) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inQuotes) return undefined;
  parts.push(value.slice(start).trim());
  return parts;
}

/** A header value to be read in place: text[start, end). */
export interface ValueRef {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** text's bytes, index for index, when the value was read in place in a head that has them. */
  readonly bytes?: Uint8Array | undefined;
}

/**
 * Appends the non-empty values of the list-header line text[start, end) to `out` as pushListValues splits them,
 * each trimmed; a line holding one value (the usual case) is referenced in place rather than sliced.
 */
export function pushListRefs(
  text: string,
  start: number,
  end: number,
  out: ValueRef[],
  bytes?: Uint8Array,
): void {
  // The checks run on a slice so that no native search runs past the line (a slice is a view, not a copy).
  const line = start === 0 && end === text.length ? text : text.slice(start, end);
  if (line.indexOf(',') < 0) {
    if (!quotesTerminated(line)) return;
    const valueStart = trimStart(text, start, end);
    const valueEnd = trimEnd(text, valueStart, end);
    if (valueEnd > valueStart) out.push({ text, start: valueStart, end: valueEnd, bytes });
    return;
  }
  const parts = splitTopLevel(line);
  if (parts)
    for (const part of parts) if (part.length > 0) out.push({ text: part, start: 0, end: part.length });
}

/**
 * Appends the non-empty values of one list-header line to `out`, as splitTopLevel would split them; a line with an
 * unterminated quoted string adds nothing. Most lines are one value: without a comma there is nothing to split,
 * and the quoted strings are checked with native searches instead of a loop over every character.
 */
export function pushListValues(line: string, out: string[]): void {
  if (line.indexOf(',') < 0) {
    if (!quotesTerminated(line)) return;
    const value = line.trim();
    if (value.length > 0) out.push(value);
    return;
  }
  const parts = splitTopLevel(line);
  if (parts) for (const part of parts) if (part.length > 0) out.push(part);
}

/** True when every quoted string closes; a backslash escapes the next character inside quotes only. */
function quotesTerminated(text: string): boolean {
  let open = text.indexOf('"');
  // The next backslash, searched again only once passed, so a long line stays one linear pass per search.
  let backslash = open < 0 ? -1 : text.indexOf('\\', open);
  while (open >= 0) {
    let from = open + 1;
    for (;;) {
      const close = text.indexOf('"', from);
      if (close < 0) return false;
      if (backslash >= 0 && backslash < from) backslash = text.indexOf('\\', from);
      if (backslash < 0 || backslash > close) {
        open = text.indexOf('"', close + 1);
        break;
      }
      from = backslash + 2;
    }
  }
  return true;
}

/**
 * Reads a quoted-string starting at `start` (which must be a DQUOTE) and closing before `to`; returns its unescaped
 * text and end index.
 */
export function readQuoted(
  text: string,
  start: number,
  to = text.length,
): { value: string; end: number } | undefined {
  // Most quoted strings have no escapes: slice them in one go. The backslash is looked for in the slice, so the
  // search stops at the closing quote rather than running on through the rest of the message.
  const close = text.indexOf('"', start + 1);
  if (close < 0 || close >= to) return undefined;
  const plain = text.slice(start + 1, close);
  if (!plain.includes('\\')) return { value: plain, end: close + 1 };
  let out = '';
  for (let i = start + 1; i < to; i++) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= to) return undefined;
      out += text[++i];
    } else if (c === '"') {
      return { value: out, end: i + 1 };
    } else {
      out += c;
    }
  }
  return undefined;
}

/** Quotes text as a quoted-string, escaping backslash and DQUOTE (RFC 3261 §25.1 quoted-pair). */
export function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export type Params = Map<string, string | null>;

/**
 * Parses `;name=value;flag` generic parameters (RFC 3261 §25.1 generic-param) in text[from, to) (offsets, so header
 * parsers need not slice). Names are lower-cased; quoted values are unquoted. Returns undefined on an unterminated
 * quote or an empty name. `bytes`, when given, are text's bytes index for index (HeaderSection#bytes).
 */
export function parseParams(
  text: string,
  from = 0,
  to = text.length,
  bytes?: Uint8Array,
): Params | undefined {
  const params: Params = new Map();
  return readParams(text, from, to, params, undefined, bytes) === false ? undefined : params;
}

/**
 * Checks the parameters in text[from, to) as parseParams would, without building them, and finds one: returns
 * false when they are malformed, else the value parseParams would map `wanted` (lower-case) to when it is a
 * string, or undefined. For a header whose other parameters are rarely read (From and To and their tag).
 */
export function findParam(
  text: string,
  from: number,
  to: number,
  wanted: string,
  bytes?: Uint8Array,
): string | undefined | false {
  return readParams(text, from, to, undefined, wanted, bytes);
}

/**
 * The one parameter-list reader behind parseParams and findParam: adds every parameter to `into` when given, and
 * returns false when malformed, else the (last) string value of `wanted` when given. Slices are made only for
 * what is kept: on the packet path they are what the parse costs.
 */
function readParams(
  text: string,
  from: number,
  to: number,
  into: Params | undefined,
  wanted: string | undefined,
  bytes: Uint8Array | undefined,
): string | undefined | false {
  let found: string | undefined;
  let i = from;
  while (i < to) {
    i = skipLws(text, bytes, i, to);
    if (i >= to) break;
    if (codeAt(text, bytes, i) !== SEMI) return false;
    i = skipLws(text, bytes, i + 1, to);
    const nameStart = i;
    let upper = false;
    for (; i < to; i++) {
      const c = codeAt(text, bytes, i);
      if (c === EQUALS || c === SEMI || c === SPACE || c === TAB) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    const nameEnd = i;
    if (nameEnd === nameStart) return false;
    const isWanted = wanted !== undefined && sameName(text, bytes, nameStart, nameEnd, wanted);
    i = skipLws(text, bytes, nameEnd, to);
    let value: string | null = null;
    if (i < to && codeAt(text, bytes, i) === EQUALS) {
      i = skipLws(text, bytes, i + 1, to);
      if (i < to && codeAt(text, bytes, i) === QUOTE) {
        const quoted = readQuoted(text, i, to);
        if (!quoted) return false;
        value = quoted.value;
        i = quoted.end;
      } else {
        // A loop, not native searches: values are short, and each native call costs more than a dozen characters.
        const valueStart = i;
        for (; i < to; i++) {
          const c = codeAt(text, bytes, i);
          if (c === SEMI || c === SPACE || c === TAB) break;
        }
        if (into !== undefined || isWanted) value = text.slice(valueStart, i);
      }
    }
    if (isWanted) found = value ?? undefined;
    if (into !== undefined) {
      const name = text.slice(nameStart, nameEnd);
      into.set(upper ? name.toLowerCase() : name, value);
    }
  }
  return found;
}

/**
 * True when text[from, to).toLowerCase() is `name` (lower-case), without the slice: ASCII compared in place,
 * anything else through toLowerCase itself. Left to right, an ASCII mismatch before any other character decides.
 */
function sameName(
  text: string,
  bytes: Uint8Array | undefined,
  from: number,
  to: number,
  name: string,
): boolean {
  for (let i = from; i < to; i++) {
    let c = codeAt(text, bytes, i);
    if (c >= 128) return text.slice(from, to).toLowerCase() === name;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (i - from >= name.length || c !== name.charCodeAt(i - from)) return false;
  }
  return to - from === name.length;
}

const SEMI = 0x3b;
const EQUALS = 0x3d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;

function skipLws(text: string, bytes: Uint8Array | undefined, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = codeAt(text, bytes, i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/** Formats parameters back to `;name=value` text, quoting values that are not tokens. */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) {
    if (value === null) out += `;${name}`;
    else out += `;${name}=${needsQuoting(value) ? quote(value) : value}`;
  }
  return out;
}

const PARAM_VALUE_RE = /^[A-Za-z0-9\-.!%*_+`'~:[\]]*$/;

function needsQuoting(value: string): boolean {
  return !PARAM_VALUE_RE.test(value);
}

/** Parses a non-negative decimal integer no larger than `max`, rejecting signs, blanks and trailing junk. */
export function parseBoundedInt(text: string, max: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 16 || !/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value <= max ? value : undefined;
}
