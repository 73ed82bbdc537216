// RFC 3261 §25.1 character classes as lookup tables: the parsers test bytes against these instead of regular
// expressions, because this runs for every header of every packet.

function table(chars: string, ranges = true): Uint8Array {
  const t = new Uint8Array(128);
  if (ranges) {
    for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  }
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

const UNRESERVED_MARKS = "-_.!~*'()";
/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN_CHARS = table("-.!%*_+`'~");
/** user = 1*( unreserved / escaped / user-unreserved ) */
export const USER_CHARS = table(`${UNRESERVED_MARKS}&=+$,;?/%`);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD_CHARS = table(`${UNRESERVED_MARKS}&=+$,%`);
/** paramchar = param-unreserved / unreserved / escaped */
export const PARAM_CHARS = table(`${UNRESERVED_MARKS}[]/:&+$%`);
/** hname / hvalue characters */
export const URI_HEADER_CHARS = table(`${UNRESERVED_MARKS}[]/?:+$%`);
/** hostname characters (labels are checked separately) */
export const HOSTNAME_CHARS = table('-._');

/**
 * The character code at text[i], read from `bytes` (text's bytes, index for index, as a parsed head keeps them in
 * HeaderSection#bytes) when given: the value parsers' loops read every character of the headers the packet path
 * checks, and a typed-array read costs about half of charCodeAt.
 */
export function codeAt(text: string, bytes: Uint8Array | undefined, i: number): number {
  return bytes === undefined ? text.charCodeAt(i) : bytes[i]!;
}

/** True when every character of text[from, to) is in the table (and ASCII). */
export function allIn(set: Uint8Array, text: string, from = 0, to = text.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || set[c] === 0) return false;
  }
  return true;
}

/** True when every % in text[from, to) starts a valid %HH escape. */
export function escapesValid(text: string, from = 0, to = text.length): boolean {
  // A bounded scan: indexOf would run on past `to`, which is quadratic over a URI of many parameters.
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) !== 0x25) continue;
    if (i + 2 >= to || !isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2))) return false;
    i += 2;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
