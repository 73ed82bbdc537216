// RFC 3261 §7.3: a message's header lines, in wire order, behind one interface whichever way they are stored. A
// parsed message keeps them as offsets into its head (HeaderSection); a message built or edited by our own code
// keeps HeaderField objects (HeaderFieldList). The typed getters read lines by index through this interface only.
import type { ValueRef } from './scan';

/** A header line as the message API exposes it (re-exported by message.ts). */
export interface HeaderField {
  /** The name as it appeared on the wire or was set (kept for faithful re-serialisation). */
  readonly name: string;
  /** Lower-case long-form name: compact forms are expanded (`v` → `via`). */
  readonly key: string;
  readonly value: string;
}

/**
 * Read access to header lines by index. A line's value lies in `textOf(i)` between `startOf(i)` and `endOf(i)`,
 * so parsers can read it in place; `bit` arguments are the key's headerBit (0 for an untracked header), which
 * lets a store that indexes tracked headers answer without a scan.
 */
export interface HeaderLines {
  readonly length: number;
  /** Bits (headerBit) of the tracked headers present, and of those on more than one line. */
  readonly seen: number;
  readonly repeated: number;
  /** The Content-Length value when the parser already read it to frame the body. */
  readonly contentLength: number | undefined;
  /** The first line of a header, or -1. */
  firstLine(key: string, bit: number): number;
  /** The next line of a header after line `after`, or -1. */
  nextLine(key: string, bit: number, after: number): number;
  keyOf(index: number): string;
  textOf(index: number): string;
  /** The bytes textOf(index) was decoded from, index for index, when the store has them. */
  bytesOf(index: number): Uint8Array | undefined;
  startOf(index: number): number;
  endOf(index: number): number;
  /** A line's value, to be read in place (no slice). */
  ref(index: number): ValueRef;
  value(index: number): string;
  /** The lines as HeaderField objects, in order: a new array the caller may keep and edit. */
  fields(): HeaderField[];
}
