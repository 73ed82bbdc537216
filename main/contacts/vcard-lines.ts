// vCard content lines from a file's text: RFC 6350 §3.2 / RFC 2426 §2.6 unfolding. Lines end in CRLF, or in a bare LF
// or CR as files edited by hand and some exporters write them; a line starting with a space or a tab continues the
// previous one (the break and that one character are removed). vCard 2.1's quoted-printable values continue instead
// with a soft line break, a `=` at the end of the line, and the next line taken whole.
//
// Bounded: a logical line longer than `maxChars` is not assembled; its continuation lines are skipped and it is
// reported as overlong (in real files such lines are photos in base64).

export type LogicalLine =
  | { readonly kind: 'line'; readonly text: string }
  /** `head` is the line's first characters, enough to name its property. */
  | { readonly kind: 'overlong'; readonly head: string };

const HEAD_CHARS = 100;

/** The logical lines of `text`, unfolded, in order; empty lines are left out. */
export function* unfoldLines(text: string, maxChars: number): Generator<LogicalLine> {
  let parts: string[] = [];
  let length = 0;
  let head = '';
  let overlong = false;
  let quotedPrintable = false;
  let softBreak = false;

  const start = (line: string): void => {
    parts = [line];
    length = line.length;
    head = line.slice(0, HEAD_CHARS);
    overlong = line.length > maxChars;
    if (overlong) parts = [];
    quotedPrintable = isQuotedPrintable(line);
    softBreak = quotedPrintable && line.endsWith('=');
  };
  const append = (piece: string): void => {
    length += piece.length;
    if (!overlong && length > maxChars) {
      overlong = true;
      parts = [];
    }
    if (!overlong) parts.push(piece);
  };
  const finish = (): LogicalLine | undefined => {
    if (overlong) return { kind: 'overlong', head };
    const line = parts.join('');
    return line.length === 0 ? undefined : { kind: 'line', text: line };
  };

  let open = false;
  for (const line of physicalLines(text)) {
    if (open) {
      if (softBreak && !/^\s*END\s*:/i.test(line)) {
        // The `=` ends a quoted-printable line that goes on in the next one: drop it, take the next line whole.
        if (!overlong) {
          const last = parts.length - 1;
          parts[last] = parts[last]!.slice(0, -1);
        }
        length -= 1;
        append(line);
        softBreak = line.endsWith('=');
        continue;
      }
      const first = line.charCodeAt(0);
      if (first === 0x20 || first === 0x09) {
        append(line.slice(1));
        softBreak = quotedPrintable && line.endsWith('=');
        continue;
      }
      const done = finish();
      if (done) yield done;
    }
    start(line);
    open = true;
  }
  if (open) {
    const done = finish();
    if (done) yield done;
  }
}

/** The physical lines of `text`, split at CRLF, LF or CR, without their breaks. */
function* physicalLines(text: string): Generator<string> {
  const breaks = /\r\n|\n|\r/g;
  let from = 0;
  for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
    yield text.slice(from, match.index);
    from = breaks.lastIndex;
  }
  if (from < text.length) yield text.slice(from);
}

/** Whether a line's parameters (before the value) say its value is quoted-printable (`ENCODING=QUOTED-PRINTABLE`). */
function isQuotedPrintable(line: string): boolean {
  const colon = line.indexOf(':');
  const before = colon < 0 ? line : line.slice(0, colon);
  return /QUOTED-PRINTABLE/i.test(before);
}
