// RFC 3261 §7.3: the header section of a received message, kept as offsets into the head text. The packet path
// reads a handful of headers per message, so a line's value is sliced only when read and HeaderField objects are
// made only when someone asks for the whole list (or edits the message).
import type { HeaderField, HeaderLines } from './header-lines';
import type { InternedName } from './header-names';
import type { ValueRef } from './scan';

export type { HeaderField };

/** The lines of a parsed header section; filled by parseMessage, read-only afterwards. */
export class HeaderSection implements HeaderLines {
  /** Per line, the interned name (shared objects for common spellings, so pushing one allocates nothing). */
  readonly names: InternedName[] = [];
  /**
   * Per line, two numbers: start and end of the value (whitespace trimmed) in `text`, or in the line's unfolded
   * text when it had continuation lines.
   */
  readonly spans: number[] = [];
  /** Bits (headerBit) of the tracked headers present, and of those seen on more than one line. */
  seen = 0;
  repeated = 0;
  /** Per tracked header (by bit number), its first line; read as -1 when unset. */
  readonly #firstLines: number[] = [];
  /** Unfolded values of lines with continuation lines (RFC 3261 §7.3.1), by line; rare, so made on demand. */
  #folded: Array<string | undefined> | undefined;

  /** The Content-Length value, once parseMessage has read it to frame the body. */
  contentLength: number | undefined;
  /** Where the empty line ending the header section starts in `text`, and where the body starts; -1 if none. */
  stop = -1;
  bodyStart = -1;

  constructor(
    readonly text: string,
    /**
     * The bytes `text` was decoded from, index for index (the packet path decodes an ASCII head as latin1), or
     * undefined: the value parsers read them where they can, since a typed-array read costs less than charCodeAt.
     */
    readonly bytes?: Uint8Array,
  ) {}

  /** Records the empty line that ends the section. */
  stopAt(emptyLine: number, bodyStart: number): void {
    this.stop = emptyLine;
    this.bodyStart = bodyStart;
  }

  get length(): number {
    return this.names.length;
  }

  add(name: InternedName, valueStart: number, valueEnd: number): void {
    const bit = name.bit;
    if ((this.seen & bit) !== 0) this.repeated |= bit;
    else if (bit !== 0) this.#firstLines[31 - Math.clz32(bit)] = this.names.length;
    this.seen |= bit;
    this.names.push(name);
    this.spans.push(valueStart, valueEnd);
  }

  /**
   * The first line of a header, by key and its headerBit: for a tracked header (bit not 0) an array read rather
   * than a scan of the names.
   */
  firstLine(key: string, bit: number): number {
    if (bit === 0) return this.indexOf(key);
    return (this.seen & bit) === 0 ? -1 : this.#firstLines[31 - Math.clz32(bit)]!;
  }

  /** The next line of a header after line `after`, or -1; no scan for a tracked header that has one line. */
  nextLine(key: string, bit: number, after: number): number {
    if (bit !== 0 && (this.repeated & bit) === 0) return -1;
    return this.indexOf(key, after + 1);
  }

  keyOf(index: number): string {
    return this.names[index]!.key;
  }

  /** Replaces a line's value with its unfolded text. */
  setFolded(index: number, value: string): void {
    this.#folded ??= [];
    this.#folded[index] = value;
    this.spans[2 * index] = 0;
    this.spans[2 * index + 1] = value.length;
  }

  /** The string a line's value lies in: the head, or the line's unfolded text. */
  textOf(index: number): string {
    return this.#folded?.[index] ?? this.text;
  }

  /** The bytes of textOf(index), index for index, when there are such (not for an unfolded line). */
  bytesOf(index: number): Uint8Array | undefined {
    return this.#folded?.[index] === undefined ? this.bytes : undefined;
  }

  startOf(index: number): number {
    return this.spans[2 * index]!;
  }

  endOf(index: number): number {
    return this.spans[2 * index + 1]!;
  }

  /** A line's value, to be read in place (no slice). */
  ref(index: number): ValueRef {
    return { text: this.textOf(index), start: this.startOf(index), end: this.endOf(index) };
  }

  value(index: number): string {
    return this.textOf(index).slice(this.startOf(index), this.endOf(index));
  }

  /**
   * Index of the first line of a header at or after `from`, or -1. Interned keys are shared strings, so `===` is
   * mostly a pointer test.
   */
  indexOf(key: string, from = 0): number {
    const names = this.names;
    for (let i = from; i < names.length; i++) if (names[i]!.key === key) return i;
    return -1;
  }

  /** The HeaderField list, made once when the message's `headers` are first read or edited. */
  fields(): HeaderField[] {
    const out: HeaderField[] = [];
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      out.push({ name: name.name, key: name.key, value: this.value(i) });
    }
    return out;
  }
}
