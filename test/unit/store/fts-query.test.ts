// What typed search text becomes as an FTS5 query: quoted words joined by AND, the last one a prefix, and nothing of
// FTS5's own syntax passed through.
import { describe, expect, it } from 'vitest';
import { SEARCH_WORDS_MAX, ftsQuery } from '../../../main/store/fts-query';

describe('ftsQuery', () => {
  it('quotes each word and makes the last a prefix', () => {
    expect(ftsQuery('lunch')).toBe('"lunch"*');
    expect(ftsQuery('  lunch   tomorrow ')).toBe('"lunch" "tomorrow"*');
    expect(ftsQuery('café שלום 👋 x')).toBe('"café" "שלום" "x"*');
  });

  it('doubles quotes inside a word and keeps operators as words', () => {
    expect(ftsQuery('say "hi"')).toBe('"say" """hi"""*');
    expect(ftsQuery('NEAR(a b) OR c')).toBe('"NEAR(a" "b)" "OR" "c"*');
    expect(ftsQuery('body:x -y ^z')).toBe('"body:x" "-y" "^z"*');
  });

  it('drops words with no letter or digit, and answers null when none is left', () => {
    expect(ftsQuery('" * ( ) -')).toBeNull();
    expect(ftsQuery('')).toBeNull();
    expect(ftsQuery('👋 hi')).toBe('"hi"*');
  });

  it('takes at most SEARCH_WORDS_MAX words', () => {
    const query = ftsQuery('w '.repeat(100));
    expect(query?.split(' ')).toHaveLength(SEARCH_WORDS_MAX);
  });
});
