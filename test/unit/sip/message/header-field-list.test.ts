// HeaderFieldList is the store of messages our own code builds or edits; it answers the same HeaderLines questions
// as a parsed HeaderSection. These tests pin its reads, its edits, and that both stores agree line by line.
import { describe, expect, it } from 'vitest';
import { HeaderFieldList } from '../../../../main/sip/message/header-field-list';
import type { HeaderLines } from '../../../../main/sip/message/header-lines';
import { headerBit, internHeaderName } from '../../../../main/sip/message/header-names';
import { HeaderSection } from '../../../../main/sip/message/header-section';
import { field } from '../../../../main/sip/message/message';

function list(...lines: Array<[string, string]>): HeaderFieldList {
  return new HeaderFieldList(lines.map(([key, value]) => field(key, value)));
}

/** Every line of a store as [key, value], read through the interface only. */
function linesOf(lines: HeaderLines): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < lines.length; i++) {
    const ref = lines.ref(i);
    expect(ref.text.slice(ref.start, ref.end)).toBe(lines.value(i));
    out.push([lines.keyOf(i), lines.value(i)]);
  }
  return out;
}

describe('HeaderFieldList', () => {
  it('finds lines of a header in order and reports the tracked headers seen and repeated', () => {
    const headers = list(['via', 'a'], ['from', 'f'], ['via', 'b'], ['x-other', 'x']);
    const via = headerBit('via');
    expect(headers.firstLine('via', via)).toBe(0);
    expect(headers.nextLine('via', via, 0)).toBe(2);
    expect(headers.nextLine('via', via, 2)).toBe(-1);
    expect(headers.firstLine('to', headerBit('to'))).toBe(-1);
    expect(headers.seen & via).toBe(via);
    expect(headers.repeated).toBe(via);
    expect(headers.contentLength).toBeUndefined();
  });

  it('sets, adds, prepends, replaces and removes, updating what it reports as seen', () => {
    const headers = list(['via', 'a'], ['from', 'f'], ['via', 'b']);
    headers.set(field('via', 'one'));
    expect(linesOf(headers)).toEqual([
      ['via', 'one'],
      ['from', 'f'],
    ]);
    expect(headers.repeated).toBe(0);
    headers.prepend(field('via', 'zero'));
    headers.add(field('to', 't'));
    expect(headers.repeated).toBe(headerBit('via'));
    headers.replaceAt(headers.nthLine('via', 1), field('via', 'ONE'));
    expect(headers.nthLine('via', 2)).toBe(-1);
    headers.remove('from');
    expect(linesOf(headers)).toEqual([
      ['via', 'zero'],
      ['via', 'ONE'],
      ['to', 't'],
    ]);
    expect(headers.seen & headerBit('from')).toBe(0);
    // A header set for the first time goes to the end.
    headers.set(field('call-id', 'c'));
    expect(headers.keyOf(headers.length - 1)).toBe('call-id');
  });

  it('gives out a copy from fields(), so the caller cannot edit the store behind its back', () => {
    const headers = list(['via', 'a']);
    headers.fields().push(field('to', 't'));
    expect(headers.length).toBe(1);
  });

  it('reads the same lines as the parsed section it was made from', () => {
    const section = sectionOf([
      ['v', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1'],
      ['From', '<sip:a@example.com>;tag=1'],
      ['Via', 'SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK2'],
      ['X-Custom', 'anything'],
      ['CSeq', '1 OPTIONS'],
    ]);
    const copy = new HeaderFieldList(section.fields());
    expect(linesOf(copy)).toEqual(linesOf(section));
    expect(linesOf(copy)[0]).toEqual(['via', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1']);
    expect(copy.seen).toBe(section.seen);
    expect(copy.repeated).toBe(section.repeated);
    const via = headerBit('via');
    expect(copy.nextLine('via', via, copy.firstLine('via', via))).toBe(
      section.nextLine('via', via, section.firstLine('via', via)),
    );
  });
});

/** A HeaderSection over `name: value` lines, filled the way parseMessage fills one. */
function sectionOf(lines: Array<[string, string]>): HeaderSection {
  const text = lines.map(([name, value]) => `${name}: ${value}`).join('\r\n');
  const section = new HeaderSection(text);
  let pos = 0;
  for (const [name, value] of lines) {
    const interned = internHeaderName(text, pos, pos + name.length);
    if (!interned) throw new Error(`not a header name: ${name}`);
    const start = pos + name.length + 2;
    section.add(interned, start, start + value.length);
    pos = start + value.length + 2;
  }
  return section;
}
