// A vCard file is whatever a person picks in a file dialog: the reader must never throw or hang, and what it returns
// must stay inside the contact limits, whatever the text. Mutations of the fixtures, random text, deep nesting,
// huge lines and floods of tiny cards; each card read must also pass the contact schema and survive a write and a
// second read unchanged. Seeded, so a failure repeats.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContactDto } from '../../../main/contract/contract';
import {
  CONTACT_ADDRESSES_MAX,
  CONTACT_LABEL_MAX,
  CONTACT_NAME_MAX,
  CONTACT_NOTE_MAX,
  PHONE_NUMBER_PATTERN,
  VCARD_TEXT_MAX,
} from '../../../main/contract/limits';
import { contactInputSchema } from '../../../main/contract/schemas';
import { sipAddressKey } from '../../../main/contacts/address-key';
import { VCARD_LIMITS } from '../../../main/contacts/vcard-limits';
import {
  listSkipped,
  type VcardCard,
  type VcardReadResult,
  readVcards,
} from '../../../main/contacts/vcard-reader';
import { writeVcards } from '../../../main/contacts/vcard-writer';
import { SeededRandom } from '../../support/seeded-random';

const FIXTURES = join(import.meta.dirname, '../../fixtures/vcard');
const SEEDS = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.vcf'))
  .map((name) => readFileSync(join(FIXTURES, name), 'utf8'));

const TOKENS = [
  'BEGIN:VCARD\r\n',
  'END:VCARD\r\n',
  'AGENT:\r\n',
  '\r\n ',
  '\r\n\t',
  '\n',
  '\r',
  '=',
  '=\r\n',
  ';ENCODING=QUOTED-PRINTABLE;CHARSET=x',
  ';CHARSET=UTF-16',
  '\\',
  '\\n',
  '"',
  ';',
  ':',
  ',',
  '.',
  '^',
  'TYPE=',
  'PREF=0',
  'PREF=-1',
  'item1.',
  'X-ABLabel:',
  'IMPP:sip:',
  'TEL:tel:',
  '\u0000',
  '\u202e',
  '\ud800',
  '\udfff',
  '😀',
];

function pick<T>(items: readonly T[], random: SeededRandom): T {
  return items[Math.floor(random.fraction() * items.length)]!;
}

function mutate(seed: string, random: SeededRandom): string {
  let text = seed;
  const rounds = 1 + Math.floor(random.fraction() * 10);
  for (let i = 0; i < rounds; i++) {
    const at = Math.floor(random.fraction() * (text.length + 1));
    switch (Math.floor(random.fraction() * 5)) {
      case 0:
        text = text.slice(0, at) + String.fromCharCode(random.uint32() & 0xffff) + text.slice(at + 1);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + Math.floor(random.fraction() * 80));
        break;
      case 2:
        text = text.slice(0, at) + pick(TOKENS, random) + text.slice(at);
        break;
      case 3: {
        // Repeat a slice: more cards, more properties, deeper nesting, longer values.
        const slice = text.slice(at, at + Math.floor(random.fraction() * 300));
        text = text.slice(0, at) + slice.repeat(1 + Math.floor(random.fraction() * 40)) + text.slice(at);
        break;
      }
      default: {
        const other = pick(SEEDS, random);
        const from = Math.floor(random.fraction() * other.length);
        text = text.slice(0, at) + other.slice(from, from + 200) + text.slice(at);
      }
    }
  }
  return text;
}

// eslint-disable-next-line no-control-regex -- checking that no control character got through
const CONTROLS = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- a note may hold TAB and LF only
const NOTE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** A card's contact fields, without its position and UID. */
function contactFields(card: VcardCard) {
  const { name, sipAddresses, phoneNumbers, note, favorite } = card;
  return { name, sipAddresses, phoneNumbers, note, favorite };
}

/** What every read must satisfy, whatever the input. */
function expectBounded(read: VcardReadResult): void {
  expect(read.found).toBeLessThanOrEqual(VCARD_LIMITS.cards + 1);
  expect(read.skipped.length).toBeLessThanOrEqual(VCARD_LIMITS.cards + 1);
  expect(listSkipped(read.skipped, VCARD_LIMITS.skippedListed).length).toBeLessThanOrEqual(
    VCARD_LIMITS.skippedListed + 1,
  );
  expect(read.cards.length + read.skipped.length).toBeLessThanOrEqual(read.found + 1);
  for (const card of read.cards) {
    expect(card.name.length).toBeLessThanOrEqual(CONTACT_NAME_MAX);
    expect(card.name).not.toMatch(CONTROLS);
    expect(card.note.length).toBeLessThanOrEqual(CONTACT_NOTE_MAX);
    expect(card.note).not.toMatch(NOTE_CONTROLS);
    expect(card.sipAddresses.length).toBeLessThanOrEqual(CONTACT_ADDRESSES_MAX);
    expect(card.phoneNumbers.length).toBeLessThanOrEqual(CONTACT_ADDRESSES_MAX);
    for (const address of card.sipAddresses) expect(sipAddressKey(address.uri)).toBeDefined();
    for (const phone of card.phoneNumbers) expect(phone.number).toMatch(PHONE_NUMBER_PATTERN);
    for (const { label } of [...card.sipAddresses, ...card.phoneNumbers]) {
      if (label === null) continue;
      expect(label.length).toBeLessThanOrEqual(CONTACT_LABEL_MAX);
      expect(label).not.toMatch(CONTROLS);
    }
    const parsed = contactInputSchema.safeParse({
      ...contactFields(card),
      watchPresence: false,
      accountId: null,
    });
    expect(parsed.success, JSON.stringify(card)).toBe(true);
  }
}

/** Writing what was read and reading it again gives the same contacts. */
function expectStableRoundTrip(read: VcardReadResult): void {
  const contacts: ContactDto[] = read.cards.map((card, index) => ({
    id: `id-${index}`,
    name: card.name,
    sipAddresses: card.sipAddresses,
    phoneNumbers: card.phoneNumbers,
    note: card.note,
    favorite: card.favorite,
    watchPresence: false,
    accountId: null,
    createdAt: 0,
    updatedAt: 0,
  }));
  for (const version of ['3.0', '4.0'] as const) {
    const again = readVcards(writeVcards(contacts, version));
    expect(again.skipped).toEqual([]);
    expect(again.cards.map(contactFields)).toEqual(read.cards.map(contactFields));
  }
}

describe('the vCard reader under hostile input', () => {
  it(
    'survives 600 mutations of the fixtures, staying in bounds and round-tripping what it reads',
    { timeout: 60_000 },
    () => {
      const random = new SeededRandom(20261205);
      let cards = 0;
      let skipped = 0;
      for (let round = 0; round < 600; round++) {
        const text = mutate(pick(SEEDS, random), random);
        let read: VcardReadResult | undefined;
        expect(() => {
          read = readVcards(text);
        }, `round ${round}`).not.toThrow();
        expectBounded(read!);
        expectStableRoundTrip(read!);
        cards += read!.cards.length;
        skipped += read!.skipped.length;
      }
      // The mutations reach both outcomes, so the bounds above were checked on real cards.
      expect(cards).toBeGreaterThan(600);
      expect(skipped).toBeGreaterThan(100);
    },
  );

  it('survives random text', () => {
    const random = new SeededRandom(7);
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random.fraction() * 2_000);
      const text = Array.from({ length }, () =>
        random.fraction() < 0.3 ? pick(TOKENS, random) : String.fromCharCode(random.uint32() & 0xffff),
      ).join('');
      expectBounded(readVcards(text));
    }
  });

  it('reads 100,000 nested BEGIN lines as cards cut short, up to the card limit', () => {
    const read = readVcards('BEGIN:VCARD\r\n'.repeat(100_000));
    expect(read.cards).toEqual([]);
    expect(read.found).toBe(VCARD_LIMITS.cards + 1);
    expect(read.skipped).toHaveLength(VCARD_LIMITS.cards + 1);
    expectBounded(read);
  });

  it('reads AGENT nesting 100,000 deep as one unreadable card', () => {
    const text = `BEGIN:VCARD\r\n${'AGENT:\r\nBEGIN:VCARD\r\n'.repeat(100_000)}${'END:VCARD\r\n'.repeat(100_001)}`;
    const read = readVcards(text);
    expect(read.cards).toEqual([]);
    expect(read.skipped).toEqual([
      { index: 0, reason: `vCards nested deeper than ${VCARD_LIMITS.nestingDepth}` },
    ]);
  });

  it('drops a line of almost VCARD_TEXT_MAX characters, folded or not', () => {
    const huge = 'x'.repeat(VCARD_TEXT_MAX - 100);
    const plain = readVcards(`BEGIN:VCARD\r\nFN:Ada\r\nNOTE:${huge}\r\nEND:VCARD\r\n`);
    expect(plain.cards).toEqual([expect.objectContaining({ name: 'Ada', note: '' })]);
    const folded = huge.match(/.{1,74}/g)!.join('\r\n ');
    const read = readVcards(`BEGIN:VCARD\r\nFN:Ada\r\nNOTE:${folded}\r\nEND:VCARD\r\n`);
    expect(read.cards).toEqual([expect.objectContaining({ name: 'Ada', note: '' })]);
    // Without any line end at all it is one line, not a card.
    expect(readVcards(`BEGIN:VCARD${huge}`)).toEqual({ cards: [], skipped: [], found: 0 });
  });

  it('stops at the card limit in a file of tiny cards', () => {
    const text = 'BEGIN:VCARD\nFN:a\nEND:VCARD\n'.repeat(VCARD_LIMITS.cards + 10);
    const read = readVcards(text);
    expect(read.cards).toHaveLength(VCARD_LIMITS.cards);
    expect(read.skipped).toEqual([
      {
        index: VCARD_LIMITS.cards,
        reason: `the file holds more than ${VCARD_LIMITS.cards} cards; the rest was not read`,
      },
    ]);
  });

  it('bounds the values kept per card', () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `TEL:+1 555 ${i}\r\nNOTE:${'n'.repeat(10)}`);
    const read = readVcards(`BEGIN:VCARD\r\nFN:Many\r\n${lines.join('\r\n')}\r\nEND:VCARD\r\n`);
    expectBounded(read);
    expect(read.cards[0]!.phoneNumbers).toHaveLength(CONTACT_ADDRESSES_MAX);
  });
});
