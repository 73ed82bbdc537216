// Reads contacts from a vCard file: RFC 6350 (4.0) and RFC 2426 (3.0), with vCard 2.1's bare parameters and
// quoted-printable read as well, since phones still export it. Each card becomes what a contact holds here (a name,
// SIP addresses, phone numbers, a note, a favourite flag); a card that cannot be read is skipped with its position
// in the file and the reason, and the others are read on. Never throws, whatever the text; bounded by VCARD_LIMITS.
//
// What is taken from a card:
//   name           FN (the preferred one); without it, N as "prefix given additional family suffix"; then ORG
//   SIP addresses  IMPP, X-SIP and URL whose value is a sip:/sips: URI, and TEL written as a SIP URI; parsed as
//                  RFC 3261 URIs (others are dropped), repeats dropped, PREF (4.0) or TYPE=pref (3.0) first
//   phone numbers  TEL as text or a tel: URI (RFC 3966, its parameters dropped); a value that is not a dialable
//                  number (letters, say) is dropped
//   labels         TYPE values (work, home, cell → mobile…), or the `itemN.X-ABLabel` of the property's group
//   note           every NOTE, joined by line breaks
//   favourite      CATEGORIES holding favorite/favourite(s) or starred
//   uid            UID, so an import can tell a card it already holds
// EMAIL, ADR, PHOTO and the rest are not kept: a contact here has no place for them.
import type { ContactPhoneNumber, ContactSipAddress } from '../contract/contract';
import {
  CONTACT_ADDRESSES_MAX,
  CONTACT_NAME_MAX,
  CONTACT_NOTE_MAX,
  PHONE_NUMBER_MAX,
  PHONE_NUMBER_PATTERN,
  SIP_URI_MAX,
} from '../contract/limits';
import { phoneKey, sipAddressKey } from './address-key';
import { clipText, multiLine, singleLine } from './clean-text';
import { labelFromAbLabel, labelFromTypes } from './vcard-labels';
import { VCARD_LIMITS, type VcardLimits } from './vcard-limits';
import { unfoldLines } from './vcard-lines';
import {
  type ContentLine,
  decodeQuotedPrintable,
  parseContentLine,
  splitUnescaped,
  unescapeText,
} from './vcard-syntax';

/** One card read from a file: what a contact is made of. */
export interface VcardCard {
  /** The card's position in the file, 0 first. */
  readonly index: number;
  /** Possibly empty when the card has an address or a number. */
  readonly name: string;
  readonly sipAddresses: ContactSipAddress[];
  readonly phoneNumbers: ContactPhoneNumber[];
  readonly note: string;
  readonly favorite: boolean;
  /** The card's UID as written (`urn:uuid:…`), or null. */
  readonly uid: string | null;
}

export interface SkippedCard {
  readonly index: number;
  /** A technical line, for the window to show as detail. */
  readonly reason: string;
}

export interface VcardReadResult {
  readonly cards: VcardCard[];
  /** In file order; at most one per card found (bounded by the card limit). See listSkipped for a report. */
  readonly skipped: SkippedCard[];
  /** Every card met in the file, read or skipped (and those past the card limit that were not read at all). */
  readonly found: number;
}

const FAVORITE_CATEGORIES = new Set(['favorite', 'favorites', 'favourite', 'favourites', 'starred']);

/** Sorts values without PREF after every preferred one (PREF runs 1 to 100 in RFC 6350 §5.3). */
const NOT_PREFERRED = 101;

interface Candidate {
  readonly value: string;
  readonly types: readonly string[];
  readonly group: string | null;
  readonly pref: number;
}

interface Draft {
  readonly index: number;
  /** Nested cards (vCard 2.1 AGENT) we are inside; their lines are passed over. */
  depth: number;
  /** The previous line was an AGENT with no value: a BEGIN:VCARD now starts a nested card, not a new one. */
  agentOpen: boolean;
  broken: string | null;
  readonly names: Candidate[];
  structuredName: string[] | null;
  organisation: string | null;
  readonly phones: Candidate[];
  readonly sips: Candidate[];
  readonly notes: string[];
  noteChars: number;
  favorite: boolean;
  uid: string | null;
  kind: string | null;
  readonly groupLabels: Map<string, string>;
}

/** Reads every card in `text`. */
export function readVcards(text: string, limits: VcardLimits = VCARD_LIMITS): VcardReadResult {
  const cards: VcardCard[] = [];
  const skipped: SkippedCard[] = [];
  const skip = (index: number, reason: string) => skipped.push({ index, reason });
  let found = 0;
  let draft: Draft | null = null;

  const close = (card: Draft): void => {
    const outcome = finish(card);
    if (typeof outcome === 'string') skip(card.index, outcome);
    else cards.push(outcome);
  };

  for (const logical of unfoldLines(text, limits.lineChars)) {
    if (logical.kind === 'overlong') continue;
    const line = parseContentLine(logical.text);
    if (!line) continue;
    const marker = line.name === 'BEGIN' || line.name === 'END' ? line.value.trim().toUpperCase() : null;
    if (line.name === 'BEGIN' && marker === 'VCARD') {
      if (draft && (draft.agentOpen || draft.depth > 0)) {
        draft.depth += 1;
        draft.agentOpen = false;
        if (draft.depth > limits.nestingDepth)
          draft.broken ??= `vCards nested deeper than ${limits.nestingDepth}`;
        continue;
      }
      if (draft) skip(draft.index, 'no END:VCARD before the next BEGIN:VCARD');
      if (found >= limits.cards) {
        skip(found, `the file holds more than ${limits.cards} cards; the rest was not read`);
        found += 1;
        draft = null;
        break;
      }
      draft = newDraft(found);
      found += 1;
      continue;
    }
    if (!draft) continue;
    if (line.name === 'END' && marker === 'VCARD') {
      if (draft.depth > 0) draft.depth -= 1;
      else {
        close(draft);
        draft = null;
      }
      continue;
    }
    draft.agentOpen = false;
    if (draft.depth === 0) take(draft, line, limits);
  }
  if (draft) skip(draft.index, 'the file ends before END:VCARD');
  return { cards, skipped, found };
}

function newDraft(index: number): Draft {
  return {
    index,
    depth: 0,
    agentOpen: false,
    broken: null,
    names: [],
    structuredName: null,
    organisation: null,
    phones: [],
    sips: [],
    notes: [],
    noteChars: 0,
    favorite: false,
    uid: null,
    kind: null,
    groupLabels: new Map(),
  };
}

/** Notes what a card's property says, if it says anything a contact keeps. */
function take(draft: Draft, line: ContentLine, limits: VcardLimits): void {
  const value = decodedValue(line);
  if (value === undefined) return;
  const room = (list: readonly unknown[]) => list.length < limits.valuesPerCard;
  switch (line.name) {
    case 'FN':
      if (room(draft.names)) draft.names.push(candidate(line, unescapeText(value)));
      return;
    case 'N':
      draft.structuredName ??= splitUnescaped(value, ';');
      return;
    case 'ORG':
      draft.organisation ??= splitUnescaped(value, ';')[0] ?? '';
      return;
    case 'TEL': {
      const text = unescapeText(value).trim();
      if (/^sips?:/i.test(text)) {
        if (room(draft.sips)) draft.sips.push(candidate(line, text));
      } else if (room(draft.phones)) draft.phones.push(candidate(line, text));
      return;
    }
    case 'IMPP':
    case 'URL':
    case 'X-SIP': {
      const text = unescapeText(value).trim();
      // X-SIP is a SIP address by its name, and exporters write it with or without the scheme.
      const uri =
        line.name === 'X-SIP' && !/^sips?:/i.test(text) && text.includes('@') ? `sip:${text}` : text;
      if (/^sips?:/i.test(uri) && room(draft.sips)) draft.sips.push(candidate(line, uri));
      return;
    }
    case 'NOTE':
      if (draft.noteChars <= CONTACT_NOTE_MAX && room(draft.notes)) {
        const note = unescapeText(value);
        draft.notes.push(note);
        draft.noteChars += note.length + 1;
      }
      return;
    case 'CATEGORIES':
      if (splitUnescaped(value, ',').some((item) => FAVORITE_CATEGORIES.has(item.trim().toLowerCase())))
        draft.favorite = true;
      return;
    case 'UID':
      draft.uid ??= singleLine(unescapeText(value)) || null;
      return;
    case 'KIND':
    case 'X-ADDRESSBOOKSERVER-KIND':
      draft.kind ??= value.trim().toLowerCase();
      return;
    case 'X-ABLABEL':
      if (line.group !== null && draft.groupLabels.size < limits.valuesPerCard) {
        const label = labelFromAbLabel(unescapeText(value));
        if (label !== null) draft.groupLabels.set(line.group, label);
      }
      return;
    case 'AGENT':
      // vCard 2.1 nests the agent's own card right after an AGENT line with no value (RFC 2426 writes it inline).
      draft.agentOpen = value.trim().length === 0;
      return;
    default:
      return;
  }
}

/** The value with its transfer encoding undone; undefined for binary (base64) values, which no kept field holds. */
function decodedValue(line: ContentLine): string | undefined {
  const encoding = line.params.get('ENCODING')?.[0]?.toUpperCase();
  if (encoding === 'B' || encoding === 'BASE64') return undefined;
  if (encoding === 'QUOTED-PRINTABLE')
    return decodeQuotedPrintable(line.value, line.params.get('CHARSET')?.[0]);
  return line.value;
}

function candidate(line: ContentLine, value: string): Candidate {
  const types = line.params.get('TYPE') ?? [];
  const prefParam = Number.parseInt(line.params.get('PREF')?.[0] ?? '', 10);
  const pref =
    Number.isInteger(prefParam) && prefParam >= 1
      ? Math.min(prefParam, NOT_PREFERRED - 1)
      : types.some((type) => type.toLowerCase() === 'pref')
        ? 1
        : NOT_PREFERRED;
  return { value, types, group: line.group, pref };
}

/** The contact a finished card makes, or the reason it is skipped. */
function finish(draft: Draft): VcardCard | string {
  if (draft.broken !== null) return draft.broken;
  if (draft.depth > 0) return 'a nested vCard has no END:VCARD';
  if (draft.kind === 'group') return 'a group card (KIND:group), not a person';
  const name = clipText(cardName(draft), CONTACT_NAME_MAX);
  const sipAddresses = sipAddressesOf(draft);
  const phoneNumbers = phoneNumbersOf(draft);
  const note = clipText(multiLine(draft.notes.join('\n')), CONTACT_NOTE_MAX);
  if (name.length === 0 && sipAddresses.length === 0 && phoneNumbers.length === 0) {
    const dropped = draft.sips.length + draft.phones.length;
    return dropped > 0
      ? `no name, and none of its ${dropped} addresses and numbers is usable`
      : 'no name, SIP address or phone number';
  }
  return {
    index: draft.index,
    name,
    sipAddresses,
    phoneNumbers,
    note,
    favorite: draft.favorite,
    uid: draft.uid,
  };
}

function cardName(draft: Draft): string {
  for (const fn of byPreference(draft.names)) {
    const name = singleLine(fn.value);
    if (name.length > 0) return name;
  }
  const n = draft.structuredName;
  if (n) {
    // N is family;given;additional;prefixes;suffixes (RFC 6350 §6.2.2), each possibly a comma list.
    const part = (at: number) => (n[at] ?? '').split(',').map(singleLine).filter(Boolean).join(' ');
    const name = [part(3), part(1), part(2), part(0), part(4)].filter(Boolean).join(' ');
    if (name.length > 0) return name;
  }
  return singleLine(draft.organisation ?? '');
}

function sipAddressesOf(draft: Draft): ContactSipAddress[] {
  const out: ContactSipAddress[] = [];
  const seen = new Set<string>();
  for (const item of byPreference(draft.sips)) {
    if (out.length >= CONTACT_ADDRESSES_MAX) break;
    const uri = item.value;
    if (uri.length > SIP_URI_MAX) continue;
    const key = sipAddressKey(uri);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push({ uri, label: labelOf(draft, item) });
  }
  return out;
}

function phoneNumbersOf(draft: Draft): ContactPhoneNumber[] {
  const out: ContactPhoneNumber[] = [];
  const seen = new Set<string>();
  for (const item of byPreference(draft.phones)) {
    if (out.length >= CONTACT_ADDRESSES_MAX) break;
    const number = phoneText(item.value);
    if (number === undefined) continue;
    const { digits } = phoneKey(number);
    if (seen.has(digits)) continue;
    seen.add(digits);
    out.push({ number, label: labelOf(draft, item) });
  }
  return out;
}

/** A TEL value as a number a person can read and dial, or undefined when it is not one. */
function phoneText(value: string): string | undefined {
  let number = value;
  if (/^tel:/i.test(number)) {
    // RFC 3966: the number, then parameters (;ext=, ;phone-context=) that a contact's number has no place for.
    number = number.slice(4).split(';')[0] ?? '';
  }
  number = singleLine(number).replace(/\s+/g, ' ');
  if (number.length === 0 || number.length > PHONE_NUMBER_MAX) return undefined;
  return PHONE_NUMBER_PATTERN.test(number) ? number : undefined;
}

function labelOf(draft: Draft, item: Candidate): string | null {
  const grouped = item.group === null ? undefined : draft.groupLabels.get(item.group);
  return grouped ?? labelFromTypes(item.types);
}

/** Preferred first, otherwise in file order (Array.prototype.sort is stable). */
function byPreference(items: readonly Candidate[]): Candidate[] {
  return [...items].sort((a, b) => a.pref - b.pref);
}

/**
 * A report of skipped cards a person can read: the first `listed` in file order one by one, the rest counted in one
 * last entry (at the first of them).
 */
export function listSkipped(skipped: readonly SkippedCard[], listed: number): SkippedCard[] {
  const ordered = [...skipped].sort((a, b) => a.index - b.index);
  if (ordered.length <= listed) return ordered;
  const rest = ordered.length - listed;
  return [
    ...ordered.slice(0, listed),
    {
      index: ordered[listed]!.index,
      reason: `${rest} more cards were skipped from here on (only the first ${listed} are listed)`,
    },
  ];
}
