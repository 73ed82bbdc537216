// Turns what a person typed into the search box into an FTS5 query that means "every word, the last one as a
// prefix", and nothing else. The text is never handed to MATCH as it is: FTS5 has its own query language (AND, OR,
// NOT, NEAR(…), column filters `body:`, `^`, `*`, parentheses, quotes), so raw text could fail to parse (`"` alone,
// `NEAR(`) or mean something other than what was typed (`a OR b`, `-x`). Each word becomes a quoted string (FTS5
// §3.1: inside quotes everything is text and `"` is written twice), and quoted strings are joined with spaces, which
// FTS5 reads as AND. The tokenizer then splits each quoted word as it split the stored text, so `don't` or `e-mail`
// find what they look like they should.

/** More words than anyone types into a message search; the rest are ignored rather than building a huge query. */
export const SEARCH_WORDS_MAX = 16;

/** A letter, a digit or a private-use character: what unicode61 keeps as part of a token; anything else separates. */
const TOKEN_CHARACTER = /[\p{L}\p{N}\p{Co}]/u;

/**
 * The FTS5 query for `text`, or null when it holds no word to look for (only spaces or punctuation): the caller then
 * answers "nothing found" without asking the index.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .split(/\s+/u)
    .filter((word) => TOKEN_CHARACTER.test(word))
    .slice(0, SEARCH_WORDS_MAX);
  if (words.length === 0) return null;
  return words
    .map((word, index) => {
      const quoted = `"${word.replaceAll('"', '""')}"`;
      // The last word may still be being typed: `"mee"*` finds "meet" and "meeting" (a prefix on the phrase's last
      // token).
      return index === words.length - 1 ? `${quoted}*` : quoted;
    })
    .join(' ');
}
