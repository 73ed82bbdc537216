// Small lexical helpers for RFC 3261 §25.1 grammar pieces shared by the header parsers: quoted strings, top-level
// comma splitting and generic `;name=value` parameters. All of them return undefined on malformed input, never throw.

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

/** Reads a quoted-string starting at `start` (which must be a DQUOTE); returns its unescaped text and end index. */
export function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  // Most quoted strings have no escapes: slice them in one go.
  const close = text.indexOf('"', start + 1);
  if (close < 0) return undefined;
  const backslash = text.indexOf('\\', start + 1);
  if (backslash < 0 || backslash > close) return { value: text.slice(start + 1, close), end: close + 1 };
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
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
 * Parses `;name=value;flag` generic parameters (RFC 3261 §25.1 generic-param). Names are lower-cased; quoted values
 * are unquoted. Returns undefined on an unterminated quote or an empty name.
 */
export function parseParams(text: string): Params | undefined {
  const params: Params = new Map();
  let i = 0;
  const n = text.length;
  while (i < n) {
    i = skipLws(text, i, n);
    if (i >= n) break;
    if (text.charCodeAt(i) !== SEMI) return undefined;
    i = skipLws(text, i + 1, n);
    let nameEnd = i;
    let upper = false;
    for (; nameEnd < n; nameEnd++) {
      const c = text.charCodeAt(nameEnd);
      if (c === EQUALS || c === SEMI || c === SPACE || c === TAB) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    if (nameEnd === i) return undefined;
    const raw = text.slice(i, nameEnd);
    const name = upper ? raw.toLowerCase() : raw;
    i = skipLws(text, nameEnd, n);
    if (text.charCodeAt(i) !== EQUALS) {
      params.set(name, null);
      continue;
    }
    i = skipLws(text, i + 1, n);
    if (text.charCodeAt(i) === QUOTE) {
      const quoted = readQuoted(text, i);
      if (!quoted) return undefined;
      params.set(name, quoted.value);
      i = quoted.end;
    } else {
      let end = i;
      for (; end < n; end++) {
        const c = text.charCodeAt(end);
        if (c === SEMI || c === SPACE || c === TAB) break;
      }
      params.set(name, text.slice(i, end));
      i = end;
    }
  }
  return params;
}

const SEMI = 0x3b;
const EQUALS = 0x3d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;

function skipLws(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
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
