// Writing vCard 3.0 and 4.0: the properties each version gets, labels as TYPE or X-ABLabel, escaping, folding at 75
// octets without cutting a character, and round trips through the reader.
import { describe, expect, it } from 'vitest';
import type { ContactDto } from '../../../main/contract/contract';
import { readVcards } from '../../../main/contacts/vcard-reader';
import { FOLD_OCTETS, escapeText, fold, writeVcard, writeVcards } from '../../../main/contacts/vcard-writer';

const UUID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

function contact(overrides: Partial<ContactDto> = {}): ContactDto {
  return {
    id: UUID,
    name: 'Ada Lovelace',
    sipAddresses: [],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: false,
    accountId: null,
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 11, 5, 6, 37, 54, 321),
    ...overrides,
  };
}

/** The unfolded lines of a written card. */
const unfolded = (text: string): string[] =>
  text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .slice(0, -1);

describe('writeVcard', () => {
  it('writes a 3.0 card with FN, N, TEL with TYPE, IMPP and X-SIP, NOTE, CATEGORIES, UID and REV', () => {
    const text = writeVcard(
      contact({
        sipAddresses: [{ uri: 'sip:ada@example.test', label: 'work' }],
        phoneNumbers: [
          { number: '+44 20 7946 0000', label: 'mobile' },
          { number: '020 7946 0001', label: null },
        ],
        note: 'First line\nSecond, with; marks\\',
        favorite: true,
      }),
      '3.0',
    );
    expect(unfolded(text)).toEqual([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Ada Lovelace',
      'N:;Ada Lovelace;;;',
      'TEL;TYPE=cell:+44 20 7946 0000',
      'TEL:020 7946 0001',
      'IMPP;TYPE=work:sip:ada@example.test',
      'X-SIP;TYPE=work:sip:ada@example.test',
      'NOTE:First line\\nSecond\\, with\\; marks\\\\',
      'CATEGORIES:favorite',
      `UID:urn:uuid:${UUID}`,
      'REV:2026-12-05T06:37:54Z',
      'END:VCARD',
    ]);
  });

  it('writes a 4.0 card with IMPP only and a basic-format REV', () => {
    const lines = unfolded(
      writeVcard(contact({ sipAddresses: [{ uri: 'sip:ada@example.test', label: null }] }), '4.0'),
    );
    expect(lines).toContain('VERSION:4.0');
    expect(lines).toContain('IMPP:sip:ada@example.test');
    expect(lines.some((line) => line.includes('X-SIP'))).toBe(false);
    expect(lines).toContain('REV:20261205T063754Z');
  });

  it('puts a label with no TYPE word in an item group with an X-ABLabel', () => {
    const lines = unfolded(
      writeVcard(
        contact({
          phoneNumbers: [
            { number: '1', label: 'Reception desk' },
            { number: '2', label: 'work fax' },
          ],
          sipAddresses: [{ uri: 'sip:a@example.test', label: 'mobile' }],
        }),
        '3.0',
      ),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'item1.TEL:1',
        'item1.X-ABLabel:Reception desk',
        'TEL;TYPE=work,fax:2',
        'item2.IMPP:sip:a@example.test',
        'item2.X-SIP:sip:a@example.test',
        'item2.X-ABLabel:mobile',
      ]),
    );
  });

  it('writes an empty FN for a nameless contact, and a UID that is not a UUID as text', () => {
    const lines = unfolded(
      writeVcard(contact({ id: 'c1', name: '', phoneNumbers: [{ number: '1', label: null }] }), '4.0'),
    );
    expect(lines).toEqual(expect.arrayContaining(['FN:', 'N:;;;;', 'UID;VALUE=text:c1']));
  });

  it('ends every line in CRLF and keeps every physical line within 75 octets', () => {
    const text = writeVcards(
      [
        contact({ name: 'ü'.repeat(120), note: '日本語のメモ'.repeat(40) }),
        contact({ name: '😀'.repeat(50), note: 'x\\'.repeat(100) }),
      ],
      '4.0',
    );
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(FOLD_OCTETS);
  });
});

describe('fold', () => {
  it('leaves a short line alone', () => {
    expect(fold('FN:Ada')).toBe('FN:Ada\r\n');
    expect(fold('x'.repeat(FOLD_OCTETS))).toBe(`${'x'.repeat(FOLD_OCTETS)}\r\n`);
  });

  it('folds at 75 octets, continuation lines starting with a space', () => {
    const folded = fold('x'.repeat(200));
    expect(folded.split('\r\n').map((line) => line.length)).toEqual([75, 75, 52, 0]);
    expect(folded.replace(/\r\n /g, '')).toBe(`${'x'.repeat(200)}\r\n`);
  });

  it('never cuts a UTF-8 sequence, a surrogate pair or an escape', () => {
    for (const unit of ['é', '日', '😀', '\\n']) {
      for (let prefix = 0; prefix < 5; prefix++) {
        const line = `${'a'.repeat(prefix)}${unit.repeat(60)}`;
        const pieces = fold(line).split('\r\n').slice(0, -1);
        for (const [index, piece] of pieces.entries()) {
          const body = index === 0 ? piece : piece.slice(1);
          // Every piece is whole characters (no lone surrogate, no replacement) and whole escapes.
          expect(Buffer.from(body, 'utf8').toString('utf8')).toBe(body);
          expect(body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
          if (unit === '\\n') expect(body.replace(/^a*/, '')).toMatch(/^(\\n)*$/);
        }
        expect(pieces.map((piece, i) => (i === 0 ? piece : piece.slice(1))).join('')).toBe(line);
      }
    }
  });
});

describe('escapeText', () => {
  it('escapes backslash, comma, semicolon and every line break', () => {
    expect(escapeText('a\\b,c;d\r\ne\nf\rg')).toBe('a\\\\b\\,c\\;d\\ne\\nf\\ng');
  });
});

describe('round trip through the reader', () => {
  const contacts: ContactDto[] = [
    contact({
      name: 'Zoë O’Brien-Łukasiewicz',
      sipAddresses: [
        { uri: 'sip:zoe@example.test', label: 'work' },
        { uri: 'sips:zoe;ext=1@example.test;transport=tcp', label: 'Desk, 2nd floor' },
      ],
      phoneNumbers: [
        { number: '+44 20 7946 0000', label: 'mobile' },
        { number: '(020) 7946-0001', label: 'home fax' },
        { number: '*86#', label: null },
      ],
      note: 'Line one; with, marks\nLine two\t(tabbed) \\ backslash 🎉',
      favorite: true,
    }),
    contact({
      id: 'b5c1d2e3-f4a5-4b6c-9d8e-7f6a5b4c3d2e',
      name: 'مريم الحسيني',
      phoneNumbers: [{ number: '+971 50 123 4567', label: null }],
    }),
    contact({
      id: '00000000-0000-4000-8000-000000000000',
      name: '',
      sipAddresses: [{ uri: 'sip:anon@example.test', label: null }],
    }),
  ];

  for (const version of ['3.0', '4.0'] as const) {
    it(`keeps every field a vCard carries in ${version}`, () => {
      const read = readVcards(writeVcards(contacts, version));
      expect(read.skipped).toEqual([]);
      expect(read.cards).toEqual(
        contacts.map((item, index) => ({
          index,
          name: item.name,
          sipAddresses: item.sipAddresses,
          phoneNumbers: item.phoneNumbers,
          note: item.note,
          favorite: item.favorite,
          uid: `urn:uuid:${item.id}`,
        })),
      );
    });
  }

  it('brings the CRLF and CR line breaks of a note back as LF', () => {
    const read = readVcards(writeVcard(contact({ note: 'a\r\nb\rc\nd' }), '4.0'));
    expect(read.cards[0]!.note).toBe('a\nb\nc\nd');
  });

  it('reads a long, folded, multi-byte note back whole', () => {
    const note = '多言語のメモ — ✓ '.repeat(200).trim();
    const read = readVcards(writeVcard(contact({ note }), '3.0'));
    expect(read.cards[0]!.note).toBe(note);
  });
});
