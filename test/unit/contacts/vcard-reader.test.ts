// Reading vCard files as address books export them (fixtures in test/fixtures/vcard/, written here after the formats
// of Apple Contacts, Google Contacts, Android's 2.1 export and a CardDAV server's 4.0), and the rules one property
// at a time: names, numbers, SIP addresses, labels, preference, notes, favourites, and the cards that are skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTACT_ADDRESSES_MAX,
  CONTACT_LABEL_MAX,
  CONTACT_NAME_MAX,
  CONTACT_NOTE_MAX,
} from '../../../main/contract/limits';
import { listSkipped, readVcards, type VcardCard } from '../../../main/contacts/vcard-reader';
import { VCARD_LIMITS } from '../../../main/contacts/vcard-limits';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../fixtures/vcard', name), 'utf8');

/** A file of one card with these lines between BEGIN and END, CRLF-terminated. */
const card = (...lines: string[]): string =>
  ['BEGIN:VCARD', 'VERSION:3.0', ...lines, 'END:VCARD', ''].join('\r\n');

function only(text: string): VcardCard {
  const read = readVcards(text);
  expect(read.skipped).toEqual([]);
  expect(read.cards).toHaveLength(1);
  return read.cards[0]!;
}

describe('address book exports', () => {
  it('reads an Apple Contacts 3.0 file: grouped labels, TYPE lists, pref, folded photo, a company, a group', () => {
    const read = readVcards(fixture('apple-contacts-3.0.vcf'));
    expect(read.found).toBe(3);
    expect(read.cards).toEqual([
      {
        index: 0,
        name: 'Dr. Zofia Łukasiewicz',
        sipAddresses: [{ uri: 'sip:zofia@example.test', label: 'work' }],
        phoneNumbers: [
          { number: '+48 601 234 567', label: 'mobile' },
          { number: '+48 22 123 45 67', label: 'work' },
          { number: '+48 22 765 43 21', label: 'Reception desk' },
        ],
        note: 'Prefers calls after 10:00, not before.\nAsk for the lab; not the office.',
        favorite: false,
        uid: null,
      },
      {
        index: 1,
        name: 'Harbour Pizza',
        sipAddresses: [],
        phoneNumbers: [{ number: '+44 20 7946 0123', label: 'main' }],
        note: '',
        favorite: false,
        uid: null,
      },
    ]);
    expect(read.skipped).toEqual([{ index: 2, reason: 'a group card (KIND:group), not a person' }]);
  });

  it('reads a Google Contacts 3.0 file: X-SIP without a scheme, starred, RTL and emoji text', () => {
    const read = readVcards(fixture('google-contacts-3.0.vcf'));
    expect(read.cards).toEqual([
      {
        index: 0,
        name: 'José Álvarez',
        sipAddresses: [{ uri: 'sip:jose@sip.example.test', label: 'office' }],
        // The second mobile number has the first one's digits: one is kept.
        phoneNumbers: [
          { number: '+34 612 34 56 78', label: 'mobile' },
          { number: '912 345 678', label: 'work' },
        ],
        note: 'Met at the conference in Málaga. 🎉',
        favorite: true,
        uid: null,
      },
      {
        index: 1,
        name: 'مريم الحسيني',
        sipAddresses: [],
        phoneNumbers: [{ number: '+971 50 123 4567', label: 'mobile' }],
        note: '',
        favorite: false,
        uid: null,
      },
    ]);
    // An e-mail address alone makes no contact here.
    expect(read.skipped).toEqual([{ index: 2, reason: 'no name, SIP address or phone number' }]);
  });

  it('reads an Android-style 2.1 file: bare parameters, quoted-printable in UTF-8 and Latin-1, an AGENT card', () => {
    const read = readVcards(fixture('android-2.1.vcf'));
    expect(read.skipped).toEqual([]);
    expect(read.cards).toEqual([
      {
        index: 0,
        name: '王小明',
        sipAddresses: [{ uri: 'sip:xiaoming@sip.example.test', label: null }],
        phoneNumbers: [
          { number: '+8613800138000', label: 'mobile' },
          { number: '010-12345678', label: 'home' },
        ],
        note: '第一行\n第二行，最后',
        favorite: false,
        uid: null,
      },
      {
        // No FN: the name comes from N. The agent's own card inside is not a contact of its own.
        index: 1,
        name: 'Jürgen Müller',
        sipAddresses: [],
        phoneNumbers: [
          { number: '+49 30 1234567', label: 'work' },
          { number: '+49 30 1234568', label: 'work fax' },
        ],
        note: '',
        favorite: false,
        uid: null,
      },
    ]);
  });

  it('reads a CardDAV 4.0 file: tel and sip URIs in TEL, PREF order, quoted TYPE lists, the preferred FN', () => {
    const read = readVcards(fixture('nextcloud-4.0.vcf'));
    expect(read.skipped).toEqual([]);
    expect(read.cards).toEqual([
      {
        index: 0,
        name: 'Trần Ngọc Anh',
        sipAddresses: [
          { uri: 'sip:anh@example.test', label: null },
          { uri: 'sip:anh.desk@example.test;transport=tcp', label: 'work' },
        ],
        phoneNumbers: [
          { number: '+84-912-345-678', label: 'mobile' },
          { number: '+84-24-3825-1234', label: 'work' },
        ],
        note: 'Ghi chú, dòng một\ndòng hai',
        favorite: true,
        uid: '0b1f3e1c-6a52-4f0e-9d2c-6f7f1e2a3b4c',
      },
      {
        index: 1,
        name: 'דנה כהן',
        // Scheme and host case do not make a second address (the user's case would: RFC 3261 §19.1.4).
        sipAddresses: [{ uri: 'SIP:Dana@Example.TEST', label: 'work' }],
        phoneNumbers: [{ number: '020 7946 0000', label: 'home' }],
        note: '',
        favorite: false,
        uid: 'urn:uuid:9d4e2f1a-7b6c-4d5e-8f9a-0b1c2d3e4f5a',
      },
    ]);
  });

  it('skips broken cards with their position and reason and reads the rest', () => {
    const read = readVcards(fixture('broken.vcf'));
    expect(read.found).toBe(5);
    expect(read.cards.map((c) => [c.index, c.name])).toEqual([
      [0, 'Good One'],
      [2, 'After The Broken One'],
    ]);
    expect(read.skipped).toEqual([
      { index: 1, reason: 'no END:VCARD before the next BEGIN:VCARD' },
      { index: 3, reason: 'no name, and none of its 2 addresses and numbers is usable' },
      { index: 4, reason: 'the file ends before END:VCARD' },
    ]);
  });
});

describe('lines', () => {
  it('unfolds CRLF, LF and CR lines continued by a space or a tab', () => {
    const text = 'BEGIN:VCARD\nVERSION:3.0\r\nFN:Ada\r\n  Love\n\tlace\rTEL:+1 555\r\n 0100\nEND:VCARD';
    expect(only(text)).toMatchObject({ name: 'Ada Lovelace', phoneNumbers: [{ number: '+1 5550100' }] });
  });

  it('reads property names and parameters in any case, and a group on any property', () => {
    expect(
      only(card('fn:Ada', 'Tel;Type=Work:+1 555 0100', 'home-1.impp:sip:ada@example.test')),
    ).toMatchObject({
      name: 'Ada',
      phoneNumbers: [{ number: '+1 555 0100', label: 'work' }],
      sipAddresses: [{ uri: 'sip:ada@example.test', label: null }],
    });
  });

  it('passes over lines it cannot read', () => {
    expect(only(card('no colon here', ';TYPE=x:value', 'F N:x', 'FN:Ada'))).toMatchObject({ name: 'Ada' });
  });

  it('drops a line past the length limit whole (a photo), keeping the card', () => {
    const limits = { ...VCARD_LIMITS, lineChars: 100 };
    const text = card(
      'FN:Ada',
      `PHOTO;ENCODING=b:${'A'.repeat(80)}`,
      ` ${'B'.repeat(80)}`,
      'TEL:+1 555 0100',
    );
    const read = readVcards(text, limits);
    expect(read.cards).toEqual([expect.objectContaining({ name: 'Ada', phoneNumbers: [expect.anything()] })]);
  });
});

describe('names', () => {
  it('builds a name from N when FN is missing or empty: prefix, given, additional, family, suffix', () => {
    expect(only(card('N:Curie;Marie;Salomea,Skłodowska;Mme;PhD')).name).toBe(
      'Mme Marie Salomea Skłodowska Curie PhD',
    );
    expect(only(card('FN:', 'N:Curie;Marie;;;')).name).toBe('Marie Curie');
  });

  it('falls back to ORG, and keeps a nameless card that has a number', () => {
    expect(only(card('ORG:Acme\\, Inc.;Sales', 'TEL:+1 555 0100')).name).toBe('Acme, Inc.');
    expect(only(card('TEL:+1 555 0100')).name).toBe('');
  });

  it('turns line breaks and controls into spaces and cuts an over-long name', () => {
    expect(only(card('FN:Ada\\nLovelace\u0007')).name).toBe('Ada Lovelace');
    const long = only(card(`FN:${'é'.repeat(CONTACT_NAME_MAX + 50)}`)).name;
    expect(long).toHaveLength(CONTACT_NAME_MAX);
  });

  it('never cuts a surrogate pair in two', () => {
    const name = only(card(`FN:${'a'.repeat(CONTACT_NAME_MAX - 1)}😀`)).name;
    expect(name).toBe('a'.repeat(CONTACT_NAME_MAX - 1));
  });
});

describe('values', () => {
  it('unescapes \\, \\; \\n \\N \\\\ and keeps an unknown escape as written', () => {
    expect(only(card('FN:X', 'NOTE:a\\,b\\;c\\nd\\Ne\\\\f C:\\temp')).note).toBe('a,b;c\nd\ne\\f C:\\temp');
  });

  it('joins several notes, keeps tabs, and cuts a note at the limit', () => {
    expect(only(card('FN:X', 'NOTE:one\ttab', 'NOTE:two')).note).toBe('one\ttab\ntwo');
    const long = only(card('FN:X', `NOTE:${'n'.repeat(CONTACT_NOTE_MAX + 10)}`)).note;
    expect(long).toHaveLength(CONTACT_NOTE_MAX);
  });

  it('reads quoted-printable with a charset, and a charset it does not know as UTF-8', () => {
    expect(only(card('FN;ENCODING=QUOTED-PRINTABLE;CHARSET=windows-1252:Fran=E7ois')).name).toBe('François');
    expect(only(card('FN;ENCODING=QUOTED-PRINTABLE;CHARSET=x-unknown:=C3=A9mile')).name).toBe('émile');
    expect(only(card('FN;QUOTED-PRINTABLE:a=3Db =ZZ')).name).toBe('a=b =ZZ');
  });

  it('ignores base64 values', () => {
    expect(only(card('FN:X', 'NOTE;ENCODING=b:aGVsbG8=')).note).toBe('');
  });
});

describe('phone numbers', () => {
  it('takes text and tel: URIs, dropping the URI parameters', () => {
    expect(
      only(card('FN:X', 'TEL:+44 (0)20 7946-0000', 'TEL;VALUE=uri:tel:+1-201-555-0123;ext=1234'))
        .phoneNumbers,
    ).toEqual([
      { number: '+44 (0)20 7946-0000', label: null },
      { number: '+1-201-555-0123', label: null },
    ]);
  });

  it('drops values that are not dialable numbers', () => {
    expect(
      only(card('FN:X', 'TEL:1-800-FLOWERS', 'TEL:call me', 'TEL:', `TEL:${'1'.repeat(65)}`, 'TEL:*86#'))
        .phoneNumbers,
    ).toEqual([{ number: '*86#', label: null }]);
  });

  it('keeps at most CONTACT_ADDRESSES_MAX, preferred first', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `TEL:+1 555 01${String(i).padStart(2, '0')}`);
    const numbers = only(card('FN:X', ...lines, 'TEL;PREF=1:+1 555 0999')).phoneNumbers;
    expect(numbers).toHaveLength(CONTACT_ADDRESSES_MAX);
    expect(numbers[0]!.number).toBe('+1 555 0999');
  });
});

describe('SIP addresses', () => {
  it('takes IMPP, X-SIP, URL and TEL values that are SIP URIs, and no other scheme', () => {
    expect(
      only(
        card(
          'FN:X',
          'IMPP:sip:a@example.test',
          'X-SIP:b@example.test',
          'URL:sips:c@example.test',
          'TEL:sip:d@example.test',
          'IMPP:xmpp:e@example.test',
          'URL:https://example.test',
          'X-SIP:not an address',
        ),
      ).sipAddresses.map((address) => address.uri),
    ).toEqual(['sip:a@example.test', 'sip:b@example.test', 'sips:c@example.test', 'sip:d@example.test']);
  });

  it('drops a value the SIP grammar refuses, and repeats of one address', () => {
    expect(
      only(
        card(
          'FN:X',
          'IMPP:sip:bad address@example.test',
          'IMPP:sip:a@[::1',
          'IMPP:sip:a@example.test',
          'X-SIP:sip:a@EXAMPLE.test;transport=tcp',
        ),
      ).sipAddresses,
    ).toEqual([{ uri: 'sip:a@example.test', label: null }]);
  });

  it('puts the preferred address first (PREF in 4.0, TYPE=pref in 3.0)', () => {
    expect(
      only(card('FN:X', 'IMPP:sip:a@example.test', 'IMPP;TYPE=pref:sip:b@example.test')).sipAddresses[0]!.uri,
    ).toBe('sip:b@example.test');
    expect(
      only(card('FN:X', 'IMPP;PREF=50:sip:a@example.test', 'IMPP;PREF=3:sip:b@example.test')).sipAddresses[0]!
        .uri,
    ).toBe('sip:b@example.test');
  });
});

describe('labels and favourites', () => {
  it('reads labels from TYPE values (cell as mobile, voice and pref left out) and from a group X-ABLabel', () => {
    const numbers = only(
      card(
        'FN:X',
        'TEL;TYPE=CELL,VOICE,PREF:+1 555 0100',
        'TEL;TYPE=x-custom;TYPE=home:+1 555 0101',
        'a.TEL;TYPE=work:+1 555 0102',
        'a.X-ABLabel:_$!<Other>!$_',
        'b.TEL:+1 555 0103',
        `b.X-ABLabel:${'L'.repeat(60)}`,
      ),
    ).phoneNumbers;
    expect(numbers.map((n) => n.label)).toEqual(['mobile', 'home', 'other', 'L'.repeat(CONTACT_LABEL_MAX)]);
  });

  it('marks a favourite from CATEGORIES', () => {
    for (const category of ['Favorites', 'favourite', 'STARRED', 'x,favorite'])
      expect(only(card('FN:X', `CATEGORIES:${category}`)).favorite, category).toBe(true);
    expect(only(card('FN:X', 'CATEGORIES:Friends\\,favorite')).favorite).toBe(false);
  });
});

describe('cards that are skipped', () => {
  it('skips a card nested deeper than the limit but reads the cards around it', () => {
    const nested = ['BEGIN:VCARD', 'FN:Outer'];
    for (let i = 0; i < VCARD_LIMITS.nestingDepth + 1; i++) nested.push('AGENT:', 'BEGIN:VCARD', 'FN:In');
    for (let i = 0; i < VCARD_LIMITS.nestingDepth + 1; i++) nested.push('END:VCARD');
    nested.push('END:VCARD');
    const text = [card('FN:Before'), nested.join('\r\n'), '\r\n', card('FN:After')].join('');
    const read = readVcards(text);
    expect(read.cards.map((c) => c.name)).toEqual(['Before', 'After']);
    expect(read.skipped).toEqual([
      { index: 1, reason: `vCards nested deeper than ${VCARD_LIMITS.nestingDepth}` },
    ]);
  });

  it('reads no more than the card limit and says where it stopped', () => {
    const text = Array.from({ length: 5 }, (_, i) => card(`FN:Card ${i}`)).join('');
    const read = readVcards(text, { ...VCARD_LIMITS, cards: 3 });
    expect(read.cards.map((c) => c.name)).toEqual(['Card 0', 'Card 1', 'Card 2']);
    expect(read.skipped).toEqual([
      { index: 3, reason: 'the file holds more than 3 cards; the rest was not read' },
    ]);
  });

  it('reports every skipped card; listSkipped lists the first ones in file order and counts the rest', () => {
    const text = Array.from({ length: 7 }, () => card('EMAIL:x@example.test')).join('');
    const read = readVcards(text);
    expect(read.skipped).toHaveLength(7);
    expect(listSkipped([...read.skipped].reverse(), 2)).toEqual([
      { index: 0, reason: 'no name, SIP address or phone number' },
      { index: 1, reason: 'no name, SIP address or phone number' },
      { index: 2, reason: '5 more cards were skipped from here on (only the first 2 are listed)' },
    ]);
    expect(listSkipped(read.skipped, 7)).toEqual(read.skipped);
  });

  it('finds nothing in text without cards', () => {
    expect(readVcards('')).toEqual({ cards: [], skipped: [], found: 0 });
    expect(readVcards('FN:Ada\r\nEND:VCARD\r\n')).toEqual({ cards: [], skipped: [], found: 0 });
  });
});
