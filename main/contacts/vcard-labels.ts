// Labels ("work", "mobile", "Office line") as vCard carries them: standard ones as TYPE parameters (RFC 6350 §5.6,
// RFC 2426 §3.3.1), anything else as Apple's grouped `itemN.X-ABLabel`, which most address books read. The reader and
// the writer share these tables so that a label survives a round trip.
import { CONTACT_LABEL_MAX } from '../contract/limits';
import { clipText, singleLine } from './clean-text';

/** TYPE values that say nothing a label should repeat (the default `voice`, `pref`, the IM network kind…). */
const IGNORED_TYPES = new Set([
  'pref',
  'voice',
  'internet',
  'x400',
  'msg',
  'text',
  'uri',
  'bbs',
  'modem',
  'pcs',
]);

/** TYPE values read under another name. */
const READ_AS: Readonly<Record<string, string>> = { cell: 'mobile', business: 'work', personal: 'home' };

/** Label words written as TYPE values, for phone numbers and for SIP addresses. */
const PHONE_TYPES: Readonly<Record<string, string>> = {
  work: 'work',
  home: 'home',
  mobile: 'cell',
  fax: 'fax',
  pager: 'pager',
  video: 'video',
  car: 'car',
  isdn: 'isdn',
  textphone: 'textphone',
};
const SIP_TYPES: Readonly<Record<string, string>> = { work: 'work', home: 'home' };

/** The label TYPE values make: meaningful ones in order, lower case, joined by spaces; null when none. */
export function labelFromTypes(types: readonly string[]): string | null {
  const words: string[] = [];
  for (const type of types) {
    const lower = type.toLowerCase();
    if (!/^[a-z0-9-]+$/.test(lower) || lower.startsWith('x-') || IGNORED_TYPES.has(lower)) continue;
    const word = READ_AS[lower] ?? lower;
    if (!words.includes(word)) words.push(word);
  }
  return words.length === 0 ? null : clipLabel(words.join(' '));
}

/** An `X-ABLabel` value: Apple's built-in labels (`_$!<Mobile>!$_`) by their name in lower case, others as written. */
export function labelFromAbLabel(value: string): string | null {
  const builtIn = /^_\$!<(.*)>!\$_$/.exec(value.trim());
  const label = builtIn ? builtIn[1]!.toLowerCase() : value.trim();
  return label.length === 0 ? null : clipLabel(label);
}

/**
 * The TYPE values that write a label, or null when it needs an X-ABLabel (a word outside the table, or the
 * label is custom text).
 */
export function typesForLabel(label: string, kind: 'phone' | 'sip'): string[] | null {
  const table = kind === 'phone' ? PHONE_TYPES : SIP_TYPES;
  const words = label.split(' ');
  const types = words.map((word) => (Object.hasOwn(table, word) ? table[word]! : null));
  return types.every((type): type is string => type !== null) ? types : null;
}

/** Labels are short (CONTACT_LABEL_MAX); a longer one is cut at a character boundary, and line breaks become spaces. */
function clipLabel(label: string): string | null {
  const clipped = clipText(singleLine(label), CONTACT_LABEL_MAX);
  return clipped.length === 0 ? null : clipped;
}
