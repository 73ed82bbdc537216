// What one vCard file may make the engine hold or do. The file itself is bounded by the contract (VCARD_TEXT_MAX);
// inside it, these keep a hostile or broken file from producing more cards, longer values or a longer report than a
// real address book ever does.
import { CONTACTS_MAX } from '../contract/limits';

export const VCARD_LIMITS = {
  /** Cards read from one file; the rest of the file is reported as one skipped entry. The store holds no more. */
  cards: CONTACTS_MAX,
  /**
   * Longest logical (unfolded) line, in characters. Longer lines are dropped whole, with nothing kept of them: in
   * real files they are photos and sounds in base64, which a contact here has no place for.
   */
  lineChars: 256 * 1024,
  /** Values kept per card and kind (phone numbers, SIP addresses, note parts, group labels) before choosing. */
  valuesPerCard: 200,
  /** Nested vCards (a vCard 2.1 AGENT) deeper than this make the card unreadable. */
  nestingDepth: 4,
  /** Skipped cards an import lists one by one (listSkipped); further ones are counted in one last entry. */
  skippedListed: 1_000,
} as const;

export type VcardLimits = { readonly [K in keyof typeof VCARD_LIMITS]: number };
