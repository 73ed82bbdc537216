import { describe, expect, it } from 'vitest';
import {
  findParam,
  isTrimmable,
  parseParams,
  pushListRefs,
  pushListValues,
  readQuoted,
  splitTopLevel,
  trimEnd,
  trimStart,
} from '../../../../main/sip/message/scan';
import type { ValueRef } from '../../../../main/sip/message/scan';

/** `text` embedded between noise that would change the outcome if a parser read past its range. */
function embedded(text: string): { text: string; from: number; to: number } {
  const before = 'X: ;a="b\\';
  const after = ';tag=later"; \t,\r\n>';
  return { text: `${before}${text}${after}`, from: before.length, to: before.length + text.length };
}

const PARAM_CASES = [
  '',
  ';tag=abc',
  ';TAG=Abc;lr;x="a b;c"',
  ' ; branch = z9hG4bK1 ;rport',
  ';tag=1;tag=2',
  ';tag',
  ';tag=',
  ';tag="q\\"uoted"',
  ';a=b c',
  ';;',
  ';=x',
  ';x="open',
  'x=1',
  ';Tağ=1',
];

describe('parseParams in place', () => {
  it('reads text[from, to) as parseParams reads the slice', () => {
    for (const text of PARAM_CASES) {
      const { text: whole, from, to } = embedded(text);
      expect(parseParams(whole, from, to), JSON.stringify(text)).toEqual(parseParams(text));
    }
  });
});

describe('findParam', () => {
  it('agrees with parseParams on validity and on the string value of one name', () => {
    for (const text of PARAM_CASES) {
      const params = parseParams(text);
      const tag = params?.get('tag');
      const expected = params === undefined ? false : typeof tag === 'string' ? tag : undefined;
      const { text: whole, from, to } = embedded(text);
      expect(findParam(whole, from, to, 'tag'), JSON.stringify(text)).toBe(expected);
    }
  });

  it('matches names case-insensitively, the last occurrence winning, and unquotes', () => {
    expect(findParam(';TaG=x', 0, 6, 'tag')).toBe('x');
    expect(findParam(';tag=1;tag=2', 0, 12, 'tag')).toBe('2');
    expect(findParam(';tag=1;tag', 0, 10, 'tag')).toBeUndefined();
    expect(findParam(';tag="a\\"b"', 0, 11, 'tag')).toBe('a"b');
    expect(findParam(';tags=1;ta=2', 0, 12, 'tag')).toBeUndefined();
  });
});

describe('pushListRefs', () => {
  it('splits a line as pushListValues does, referencing one-value lines in place', () => {
    const lines = [
      '<sip:a@h>',
      '  <sip:a@h>;q=0.5  ',
      '<sip:a@h>, <sip:b@h>',
      '"Doe, John" <sip:j@h>, sip:x@h',
      '"unterminated <sip:a@h>',
      '"a\\"" <sip:a@h>',
      '',
      '   ',
      '*',
    ];
    for (const line of lines) {
      const values: string[] = [];
      pushListValues(line, values);
      const { text, from, to } = embedded(line);
      const refs: ValueRef[] = [];
      pushListRefs(text, from, to, refs);
      expect(
        refs.map((r) => r.text.slice(r.start, r.end)),
        JSON.stringify(line),
      ).toEqual(values);
      if (!line.includes(',') && values.length === 1) expect(refs[0]!.text).toBe(text);
    }
  });

  it('agrees with splitTopLevel on quoted commas', () => {
    const line = '"a, b" <sip:a@h>, <sip:c@h>';
    const refs: ValueRef[] = [];
    pushListRefs(line, 0, line.length, refs);
    expect(refs.map((r) => r.text.slice(r.start, r.end))).toEqual(splitTopLevel(line));
  });
});

describe('trimStart and trimEnd', () => {
  it('trim exactly what String.prototype.trim trims', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      expect(isTrimmable(c), c.toString(16)).toBe(ch.trim() === '');
    }
    for (const text of ['', ' a ', '\t\u00a0x\u3000', '\ufeff\u2028', 'abc', ' \r\n']) {
      const start = trimStart(text, 0, text.length);
      expect(text.slice(start, trimEnd(text, start, text.length))).toBe(text.trim());
    }
  });
});

describe('readQuoted', () => {
  it('stops at `to`: a closing quote past it does not count', () => {
    const text = '"abc" rest"';
    expect(readQuoted(text, 0)).toEqual({ value: 'abc', end: 5 });
    expect(readQuoted(text, 0, 4)).toBeUndefined();
    expect(readQuoted('"a\\"b"x', 0)).toEqual({ value: 'a"b', end: 6 });
    expect(readQuoted('"a\\"b"x', 0, 5)).toBeUndefined();
  });
});
