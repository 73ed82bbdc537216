// The header lines of a message our own code built or edited (RFC 3261 §7.3): HeaderField objects in wire order,
// read through the same HeaderLines interface as a parsed HeaderSection. Messages we build have a dozen lines, so
// lookups scan; the tracked-header bits are recomputed on the first read after an edit.
import type { HeaderField, HeaderLines } from './header-lines';
import { headerBit } from './header-names';
import type { ValueRef } from './scan';

export class HeaderFieldList implements HeaderLines {
  readonly #fields: HeaderField[];
  #seen = 0;
  #repeated = 0;
  #bitsStale = true;

  /** Takes ownership of `fields`. */
  constructor(fields: HeaderField[]) {
    this.#fields = fields;
  }

  /** The lines themselves (not a copy): what `SipMessage#headers` shows. */
  get all(): readonly HeaderField[] {
    return this.#fields;
  }

  get length(): number {
    return this.#fields.length;
  }

  get seen(): number {
    this.#countBits();
    return this.#seen;
  }

  get repeated(): number {
    this.#countBits();
    return this.#repeated;
  }

  get contentLength(): undefined {
    return undefined;
  }

  #countBits(): void {
    if (!this.#bitsStale) return;
    let seen = 0;
    let repeated = 0;
    for (const field of this.#fields) {
      const bit = headerBit(field.key);
      if ((seen & bit) !== 0) repeated |= bit;
      seen |= bit;
    }
    this.#seen = seen;
    this.#repeated = repeated;
    this.#bitsStale = false;
  }

  firstLine(key: string, _bit = 0): number {
    return this.#indexOf(key, 0);
  }

  nextLine(key: string, _bit: number, after: number): number {
    return this.#indexOf(key, after + 1);
  }

  #indexOf(key: string, from: number): number {
    const fields = this.#fields;
    for (let i = from; i < fields.length; i++) if (fields[i]!.key === key) return i;
    return -1;
  }

  keyOf(index: number): string {
    return this.#fields[index]!.key;
  }

  textOf(index: number): string {
    return this.#fields[index]!.value;
  }

  /** Values set by our own code are text only. */
  bytesOf(): undefined {
    return undefined;
  }

  startOf(): number {
    return 0;
  }

  endOf(index: number): number {
    return this.#fields[index]!.value.length;
  }

  ref(index: number): ValueRef {
    const text = this.#fields[index]!.value;
    return { text, start: 0, end: text.length };
  }

  value(index: number): string {
    return this.#fields[index]!.value;
  }

  fields(): HeaderField[] {
    return this.#fields.slice();
  }

  // ---- Edits (RFC 3261 §7.3.1: lines of one header keep their relative order).

  /** Replaces every line of `field.key` with `field`, kept where the first one stood (else appended). */
  set(field: HeaderField): void {
    const fields = this.#fields;
    const first = this.#indexOf(field.key, 0);
    if (first < 0) fields.push(field);
    else {
      fields[first] = field;
      for (let i = fields.length - 1; i > first; i--) if (fields[i]!.key === field.key) fields.splice(i, 1);
    }
    this.#bitsStale = true;
  }

  add(field: HeaderField): void {
    this.#fields.push(field);
    this.#bitsStale = true;
  }

  /** Inserts `field` before the first line of its header, or at the top. */
  prepend(field: HeaderField): void {
    const first = this.#indexOf(field.key, 0);
    this.#fields.splice(first >= 0 ? first : 0, 0, field);
    this.#bitsStale = true;
  }

  /** The index of the `nth` line (from 0) of a header, or -1. */
  nthLine(key: string, nth: number): number {
    let i = this.#indexOf(key, 0);
    for (let seen = 0; i >= 0 && seen < nth; seen++) i = this.#indexOf(key, i + 1);
    return i;
  }

  /** Replaces the line at `index` with one of the same header. */
  replaceAt(index: number, field: HeaderField): void {
    this.#fields[index] = field;
  }

  remove(key: string): void {
    const fields = this.#fields;
    for (let i = fields.length - 1; i >= 0; i--) if (fields[i]!.key === key) fields.splice(i, 1);
    this.#bitsStale = true;
  }
}
