// Unfolding: the three line ends, continuation by space or tab, quoted-printable soft breaks, and the length bound.
import { describe, expect, it } from 'vitest';
import { type LogicalLine, unfoldLines } from '../../../main/contacts/vcard-lines';

const lines = (text: string, max = 1_000): LogicalLine[] => [...unfoldLines(text, max)];
const texts = (text: string, max?: number): string[] =>
  lines(text, max).map((line) => (line.kind === 'line' ? line.text : `overlong:${line.head}`));

describe('unfoldLines', () => {
  it('splits at CRLF, LF and CR and leaves out empty lines', () => {
    expect(texts('A:1\r\nB:2\nC:3\rD:4\r\n\r\n\nE:5')).toEqual(['A:1', 'B:2', 'C:3', 'D:4', 'E:5']);
  });

  it('joins a line starting with one space or tab to the one before, removing that character', () => {
    expect(texts('NOTE:ab\r\n cd\r\n\t ef\r\nFN:x')).toEqual(['NOTE:abcd ef', 'FN:x']);
  });

  it('continues a quoted-printable value after a soft line break, but never into END', () => {
    expect(texts('NOTE;ENCODING=QUOTED-PRINTABLE:=41=\r\n=42\r\nFN:x')).toEqual([
      'NOTE;ENCODING=QUOTED-PRINTABLE:=41=42',
      'FN:x',
    ]);
    expect(texts('NOTE;QUOTED-PRINTABLE:abc=\r\nEND:VCARD')).toEqual([
      'NOTE;QUOTED-PRINTABLE:abc=',
      'END:VCARD',
    ]);
    // An = at the end of an ordinary value is just a character.
    expect(texts('NOTE:a=\r\nFN:x')).toEqual(['NOTE:a=', 'FN:x']);
  });

  it('reports a line past the bound by its head, and skips its continuations', () => {
    const long = `PHOTO:${'A'.repeat(200)}`;
    expect(lines(`${long}\r\n ${'B'.repeat(50)}\r\nFN:x`, 100)).toEqual([
      { kind: 'overlong', head: long.slice(0, 100) },
      { kind: 'line', text: 'FN:x' },
    ]);
    expect(lines(`PHOTO:${'A'.repeat(90)}\r\n ${'B'.repeat(20)}\r\nFN:x`, 100)).toEqual([
      { kind: 'overlong', head: `PHOTO:${'A'.repeat(90)}` },
      { kind: 'line', text: 'FN:x' },
    ]);
  });

  it('reads a last line without a line end', () => {
    expect(texts('FN:x\r\nEND:VCARD')).toEqual(['FN:x', 'END:VCARD']);
  });
});
