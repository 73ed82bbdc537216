// One vCard content line (RFC 6350 §3.3, RFC 2426 §4): `[group "."] name *(";" param) ":" value`, and the value
// codecs: text escapes (§3.4: `\\` `\,` `\;` `\n`), structured and list values split at unescaped `;` and `,`, RFC 6868
// parameter-value carets, and vCard 2.1's quoted-printable with its CHARSET. Everything here is tolerant of what
// real exporters write and never throws: a line it cannot read is `undefined`, and the reader passes over it.

import { TextDecoder } from 'node:util';

export interface ContentLine {
  /** Lower case; null when the line has no group (`item1.TEL` has `item1`). */
  readonly group: string | null;
  /** Upper case: `FN`, `TEL`, `X-SIP`. */
  readonly name: string;
  /** Parameter names in upper case; each with its values (a `TYPE=work,voice` list is split). */
  readonly params: ReadonlyMap<string, readonly string[]>;
  /** The raw value, still escaped. */
  readonly value: string;
}

const NAME = /^[A-Za-z0-9-]+$/;

/** vCard 2.1 writes bare parameters (`TEL;WORK;VOICE:`); these are the ones that name an encoding or a charset. */
const BARE_ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', '8BIT', '7BIT', 'B']);

export function parseContentLine(line: string): ContentLine | undefined {
  // The name and parameters end at the first colon outside a quoted parameter value.
  let colon = -1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3a && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return undefined;
  const value = line.slice(colon + 1);
  const segments = splitParams(line.slice(0, colon));
  const fullName = segments[0]!.trim();
  const dot = fullName.lastIndexOf('.');
  const group = dot >= 0 ? fullName.slice(0, dot) : null;
  const name = dot >= 0 ? fullName.slice(dot + 1) : fullName;
  if (!NAME.test(name) || (group !== null && !NAME.test(group))) return undefined;
  const params = new Map<string, string[]>();
  for (const segment of segments.slice(1)) {
    const equals = segment.indexOf('=');
    const key = (equals < 0 ? bareParamName(segment) : segment.slice(0, equals)).trim().toUpperCase();
    if (!NAME.test(key)) continue;
    const raw = equals < 0 ? segment.trim() : segment.slice(equals + 1);
    const values = params.get(key) ?? [];
    for (const item of splitParamValues(raw)) if (item.length > 0) values.push(item);
    params.set(key, values);
  }
  return { group: group?.toLowerCase() ?? null, name: name.toUpperCase(), params, value };
}

function bareParamName(segment: string): string {
  const upper = segment.trim().toUpperCase();
  if (BARE_ENCODINGS.has(upper)) return 'ENCODING';
  if (upper.startsWith('CHARSET')) return 'CHARSET';
  return 'TYPE';
}

/** Splits `NAME;A=1;B="x;y"` at the semicolons outside quotes. */
function splitParams(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3b && !quoted) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

/**
 * A parameter's values: comma-separated, each possibly quoted. A quoted value is one value by RFC 6350, but exporters
 * write `TYPE="work,voice"` meaning two, so commas split inside quotes too (no TYPE value holds a comma). RFC 6868's
 * `^n`, `^^` and `^'` are decoded.
 */
function splitParamValues(raw: string): string[] {
  return raw
    .replace(/"/g, '')
    .split(',')
    .map((item) => decodeCarets(item).trim());
}

function decodeCarets(text: string): string {
  if (!text.includes('^')) return text;
  return text.replace(/\^([n^'])/g, (_match, c: string) => (c === 'n' ? '\n' : c === '^' ? '^' : '"'));
}

/**
 * A text value unescaped (RFC 6350 §3.4): `\n` or `\N` a line break, `\,` `\;` `\\` `\:` the character. A backslash
 * before anything else is kept as written, as some exporters leave Windows paths unescaped.
 */
export function unescapeText(value: string): string {
  if (!value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '\\' || i + 1 >= value.length) {
      out += c;
      continue;
    }
    const next = value[i + 1]!;
    if (next === 'n' || next === 'N') out += '\n';
    else if (next === ',' || next === ';' || next === '\\' || next === ':') out += next;
    else {
      out += c;
      continue;
    }
    i++;
  }
  return out;
}

/** Splits a value at every unescaped `separator` (`;` for structured values like N, `,` for lists), then unescapes. */
export function splitUnescaped(value: string, separator: ';' | ','): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === separator) {
      out.push(unescapeText(value.slice(from, i)));
      from = i + 1;
    }
  }
  out.push(unescapeText(value.slice(from)));
  return out;
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/**
 * vCard 2.1 quoted-printable (RFC 2045 §6.7): `=HH` octets, decoded with the property's CHARSET (UTF-8 when absent or
 * unknown). Soft line breaks were already removed when the lines were unfolded. A stray `=` is kept as written.
 */
export function decodeQuotedPrintable(value: string, charset: string | undefined): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x3d && HEX_PAIR.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      // Not ASCII, so not quoted-printable as written: keep the character (a whole surrogate pair) as UTF-8.
      const char = String.fromCodePoint(value.codePointAt(i)!);
      for (const b of Buffer.from(char, 'utf8')) bytes.push(b);
      i += char.length - 1;
    }
  }
  return decoderFor(charset).decode(Uint8Array.from(bytes));
}

function decoderFor(charset: string | undefined): TextDecoder {
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset.trim());
    } catch {
      // A label TextDecoder does not know: read the octets as UTF-8, which at worst shows replacement characters.
    }
  }
  return new TextDecoder('utf-8');
}
