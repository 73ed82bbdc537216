// One content line and its value codecs: groups, parameters in every spelling exporters use, escapes, and
// quoted-printable.
import { describe, expect, it } from 'vitest';
import {
  decodeQuotedPrintable,
  parseContentLine,
  splitUnescaped,
  unescapeText,
} from '../../../main/contacts/vcard-syntax';

const params = (line: string) => Object.fromEntries(parseContentLine(line)!.params);

describe('parseContentLine', () => {
  it('reads group, name, parameters and value', () => {
    expect(parseContentLine('item1.TEL;TYPE=work,voice;PREF=1:+1 555 0100')).toEqual({
      group: 'item1',
      name: 'TEL',
      params: new Map([
        ['TYPE', ['work', 'voice']],
        ['PREF', ['1']],
      ]),
      value: '+1 555 0100',
    });
  });

  it('splits TYPE lists written quoted, repeated or bare (vCard 2.1)', () => {
    expect(params('TEL;TYPE="work,voice":1')).toEqual({ TYPE: ['work', 'voice'] });
    expect(params('TEL;type=WORK;type=pref:1')).toEqual({ TYPE: ['WORK', 'pref'] });
    expect(params('TEL;WORK;VOICE:1')).toEqual({ TYPE: ['WORK', 'VOICE'] });
    expect(params('NOTE;QUOTED-PRINTABLE;CHARSET=UTF-8:1')).toEqual({
      ENCODING: ['QUOTED-PRINTABLE'],
      CHARSET: ['UTF-8'],
    });
  });

  it('finds the value after a colon inside a quoted parameter value', () => {
    expect(parseContentLine('ADR;LABEL="1 Main St: Suite 2";TYPE=work:;;1 Main St')).toMatchObject({
      name: 'ADR',
      params: new Map([
        ['LABEL', ['1 Main St: Suite 2']],
        ['TYPE', ['work']],
      ]),
      value: ';;1 Main St',
    });
  });

  it("decodes RFC 6868 carets: ^n a line break, ^^ a caret, ^' a quote", () => {
    expect(params("ADR;X-TEXT=a^nb^^c^'d:1")).toEqual({ 'X-TEXT': ['a\nb^c"d'] });
  });

  it('keeps an empty value and refuses what is no content line', () => {
    expect(parseContentLine('FN:')).toMatchObject({ name: 'FN', value: '' });
    expect(parseContentLine('no colon')).toBeUndefined();
    expect(parseContentLine(':value')).toBeUndefined();
    expect(parseContentLine('F N:x')).toBeUndefined();
    expect(parseContentLine('bad group.FN:x')).toBeUndefined();
    expect(parseContentLine('FN;=x:y')).toMatchObject({ params: new Map() });
  });
});

describe('text values', () => {
  it('unescapes and splits only at unescaped separators', () => {
    expect(unescapeText('a\\,b\\;c\\nd\\\\e\\x')).toBe('a,b;c\nd\\e\\x');
    expect(unescapeText('ends with \\')).toBe('ends with \\');
    expect(splitUnescaped('Doe\\;Jr;John;;', ';')).toEqual(['Doe;Jr', 'John', '', '']);
    expect(splitUnescaped('a\\,b,c', ',')).toEqual(['a,b', 'c']);
  });
});

describe('quoted-printable', () => {
  it('decodes octets in the charset given, UTF-8 by default', () => {
    expect(decodeQuotedPrintable('=C3=A9t=C3=A9', undefined)).toBe('été');
    expect(decodeQuotedPrintable('=E9t=E9', 'ISO-8859-1')).toBe('été');
    expect(decodeQuotedPrintable('caf=C3=A9 =3D ok', 'utf-8')).toBe('café = ok');
  });

  it('keeps a stray = and characters that were never encoded', () => {
    expect(decodeQuotedPrintable('a=1 b= =G0 é 😀', undefined)).toBe('a=1 b= =G0 é 😀');
  });
});
