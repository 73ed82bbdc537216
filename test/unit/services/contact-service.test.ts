// ContactService on a real store: the checks the schema cannot make, `contacts.changed` after each committed change,
// vCard import (one transaction, skipped cards, the bound, our own cards coming back) and export, and the two methods
// other services use: watched() and findByAddress().
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ContactInput, Events } from '../../../main/contract/contract';
import { VCARD_TEXT_MAX } from '../../../main/contract/limits';
import { contactInputSchema } from '../../../main/contract/schemas';
import { VCARD_LIMITS } from '../../../main/contacts/vcard-limits';
import { CHANGE_BATCH, ContactService } from '../../../main/services/contact-service';
import { EventHub } from '../../../main/services/event-hub';
import { ServiceError } from '../../../main/services/service-error';
import { AccountsRepository } from '../../../main/store/accounts-repository';
import { ContactsRepository } from '../../../main/store/contacts-repository';
import { StoreFailure } from '../../../main/store/store-error';
import { silentLogger } from '../../../main/platform/logger';
import { migratedDatabase } from '../store/helpers/migrated-database';
import { useTempDirs } from '../store/helpers/temp-dir';

const tempDir = useTempDirs();
const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../fixtures/vcard', name), 'utf8');

let db: Database;
let store: ContactsRepository;
let accounts: AccountsRepository;
let events: EventHub;
let changes: Events['contacts.changed'][];
let service: ContactService;

function build(max?: number): void {
  let next = 0;
  // UUID-shaped ids, as the engine's are, so exported UIDs name them.
  const newId = () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
  store = new ContactsRepository(db, { clock: { wallTime: () => 1_000 }, newId, ...(max ? { max } : {}) });
  service = new ContactService({ store, events, logger: silentLogger });
  service.start();
}

beforeEach(() => {
  db = migratedDatabase(tempDir());
  events = new EventHub();
  changes = [];
  events.subscribe((name, payload) => {
    if (name === 'contacts.changed') changes.push(payload as Events['contacts.changed']);
  });
  accounts = new AccountsRepository(db, { clock: { wallTime: () => 1 }, newId: () => 'acc-1' });
  build();
  return () => {
    service.stop();
    db.close();
  };
});

/** Input as the router hands it over: through the contract's schema. */
function input(overrides: Partial<ContactInput> = {}): ContactInput {
  return contactInputSchema.parse({
    name: 'Bob',
    sipAddresses: [],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: false,
    accountId: null,
    ...overrides,
  });
}

function serviceError(work: () => unknown): ServiceError {
  try {
    work();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a ServiceError');
}

function addAccount(): string {
  return accounts.insert({
    displayName: 'Me',
    aor: 'sip:me@example.test',
    authUser: null,
    outboundProxy: null,
    registrar: null,
    transport: 'udp',
    expires: 600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
  }).id;
}

describe('create, update, delete', () => {
  it('saves a contact and says so', () => {
    const saved = service.create(
      input({ sipAddresses: [{ uri: 'sip:bob@example.test', label: 'work' }], watchPresence: true }),
    );
    expect(saved).toMatchObject({
      name: 'Bob',
      sipAddresses: [{ uri: 'sip:bob@example.test', label: 'work' }],
    });
    expect(changes).toEqual([{ upserted: [saved], deleted: [] }]);
    expect(service.list()).toEqual([saved]);
  });

  it('keeps no password a SIP address was typed with (RFC 3261 §19.1.1)', () => {
    const saved = service.create(
      input({ sipAddresses: [{ uri: 'sip:bob:hunter2@example.test', label: null }] }),
    );
    expect(saved.sipAddresses).toEqual([{ uri: 'sip:bob@example.test', label: null }]);
    const updated = service.update(
      saved.id,
      input({ sipAddresses: [{ uri: 'sips:bob:hunter3@example.test;transport=tcp', label: 'tls' }] }),
    );
    expect(updated.sipAddresses).toEqual([{ uri: 'sips:bob@example.test;transport=tcp', label: 'tls' }]);
    expect(JSON.stringify(changes)).not.toContain('hunter');
  });

  it('refuses a SIP address the URI grammar refuses, naming the field', () => {
    const bad = input({
      sipAddresses: [
        { uri: 'sip:ok@example.test', label: null },
        { uri: 'sip:@@example.test', label: null },
      ],
    });
    const error = serviceError(() => service.create(bad));
    expect(error).toMatchObject({ code: 'invalid-argument', details: { field: 'sipAddresses.uri' } });
    expect(error.message).toContain('sip:@@example.test');
    expect(service.list()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('takes an account that exists or none, and refuses one that does not', () => {
    const accountId = addAccount();
    expect(service.create(input({ accountId })).accountId).toBe(accountId);
    expect(serviceError(() => service.create(input({ accountId: 'nope' })))).toMatchObject({
      code: 'not-found',
      details: { field: 'accountId' },
    });
  });

  it('updates and deletes, and says not-found for a contact that is gone', () => {
    const saved = service.create(input());
    const updated = service.update(
      saved.id,
      input({ name: 'Robert', phoneNumbers: [{ number: '201', label: null }] }),
    );
    expect(updated).toMatchObject({
      id: saved.id,
      name: 'Robert',
      phoneNumbers: [{ number: '201', label: null }],
    });
    expect(service.delete(saved.id)).toBeNull();
    expect(changes.slice(1)).toEqual([
      { upserted: [updated], deleted: [] },
      { upserted: [], deleted: [saved.id] },
    ]);
    expect(serviceError(() => service.update(saved.id, input()))).toMatchObject({ code: 'not-found' });
    expect(serviceError(() => service.delete(saved.id))).toMatchObject({ code: 'not-found' });
    expect(changes).toHaveLength(3);
  });

  it('refuses a contact past the bound as a conflict', () => {
    build(1);
    service.create(input());
    expect(serviceError(() => service.create(input()))).toMatchObject({ code: 'conflict' });
  });

  it('answers a store failure as a storage error', () => {
    db.pragma('query_only = ON');
    expect(serviceError(() => service.create(input()))).toMatchObject({ code: 'storage' });
  });
});

describe('starting', () => {
  it('starts even when the store cannot be read, and logs it', () => {
    const lines: string[] = [];
    const failing: typeof store = Object.create(store) as typeof store;
    failing.accountsOfContacts = () => {
      throw new StoreFailure({ kind: 'corrupt', path: 'x', detail: 'SQLITE_CORRUPT', holderPid: null });
    };
    const started = new ContactService({
      store: failing,
      events,
      logger: { log: (_level, message) => lines.push(message) },
    });
    expect(() => started.start()).not.toThrow();
    expect(lines).toEqual(['reading the contacts failed at start']);
    started.stop();
  });
});

describe('an account deleted', () => {
  it('announces its contacts again, now without an account', () => {
    const accountId = addAccount();
    const mine = service.create(input({ name: 'Mine', accountId }));
    service.create(input({ name: 'Other' }));
    changes.length = 0;
    accounts.delete(accountId);
    events.emit('accounts.changed', []);
    expect(changes).toEqual([{ upserted: [{ ...mine, accountId: null }], deleted: [] }]);
    // Once is enough.
    events.emit('accounts.changed', []);
    expect(changes).toHaveLength(1);
  });

  it('knows the contacts that named an account before the engine started', () => {
    const accountId = addAccount();
    const mine = service.create(input({ accountId }));
    service.stop();
    build();
    changes.length = 0;
    accounts.delete(accountId);
    events.emit('accounts.changed', []);
    expect(changes).toEqual([{ upserted: [{ ...mine, accountId: null }], deleted: [] }]);
  });
});

describe('importVcard', () => {
  it('imports every usable card of a file in one go and reports the skipped ones in file order', () => {
    const result = service.importVcard(fixture('broken.vcf'));
    expect(result).toEqual({
      imported: 2,
      skipped: [
        { index: 1, reason: 'no END:VCARD before the next BEGIN:VCARD' },
        { index: 3, reason: 'no name, and none of its 2 addresses and numbers is usable' },
        { index: 4, reason: 'the file ends before END:VCARD' },
      ],
    });
    expect(service.list().map((c) => [c.name, c.watchPresence, c.accountId])).toEqual([
      ['After The Broken One', false, null],
      ['Good One', false, null],
    ]);
    expect(changes).toEqual([{ upserted: expect.any(Array), deleted: [] }]);
    expect(changes[0]!.upserted).toHaveLength(2);
  });

  it('imports the address-book fixtures', () => {
    const names = [
      'apple-contacts-3.0.vcf',
      'google-contacts-3.0.vcf',
      'android-2.1.vcf',
      'nextcloud-4.0.vcf',
    ];
    const imported = names.map((name) => service.importVcard(fixture(name)).imported);
    expect(imported).toEqual([2, 2, 2, 2]);
    expect(service.list()).toHaveLength(8);
  });

  it('keeps no password a card’s SIP address carries', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Eve\r\nIMPP:sip:eve:hunter2@example.test\r\nEND:VCARD\r\n';
    expect(service.importVcard(card).imported).toBe(1);
    expect(service.list()[0]?.sipAddresses).toEqual([{ uri: 'sip:eve@example.test', label: null }]);
  });

  it('refuses text with no card at all', () => {
    expect(serviceError(() => service.importVcard('just some text'))).toMatchObject({
      code: 'invalid-argument',
      details: { field: 'text' },
    });
  });

  it('imports up to the bound and skips the rest, saying why', () => {
    build(3);
    service.create(input());
    const text = ['A', 'B', 'C', 'D'].map((name) => `BEGIN:VCARD\r\nFN:${name}\r\nEND:VCARD\r\n`).join('');
    expect(service.importVcard(text)).toEqual({
      imported: 2,
      skipped: [
        { index: 2, reason: 'the contacts are full (at most 3)' },
        { index: 3, reason: 'the contacts are full (at most 3)' },
      ],
    });
    expect(service.list().map((c) => c.name)).toEqual(['A', 'B', 'Bob']);
  });

  it('lists at most VCARD_LIMITS.skippedListed skipped cards, counting the rest in one entry', () => {
    build(1);
    service.create(input());
    const count = VCARD_LIMITS.skippedListed + 5;
    const text = Array.from({ length: count }, (_, i) => `BEGIN:VCARD\r\nFN:C${i}\r\nEND:VCARD\r\n`).join('');
    const result = service.importVcard(text);
    expect(result.imported).toBe(0);
    expect(result.skipped).toHaveLength(VCARD_LIMITS.skippedListed + 1);
    expect(result.skipped.at(-1)).toEqual({
      index: VCARD_LIMITS.skippedListed,
      reason: `5 more cards were skipped from here on (only the first ${VCARD_LIMITS.skippedListed} are listed)`,
    });
  });

  it('skips its own cards coming back (same UID), and a UID repeated in the file', () => {
    const saved = service.create(input({ name: 'Round Trip' }));
    const exported = service.exportVcard(null, '4.0');
    const twice = `${exported}BEGIN:VCARD\r\nFN:Twin\r\nUID:x-1\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Twin 2\r\nUID:x-1\r\nEND:VCARD\r\n`;
    expect(service.importVcard(twice)).toEqual({
      imported: 1,
      skipped: [
        { index: 0, reason: `already in the contacts (UID urn:uuid:${saved.id})` },
        { index: 2, reason: 'a second card with UID x-1' },
      ],
    });
  });

  it('asks the store a fixed number of times to take its own export back, not once or twice per card', () => {
    const count = 300;
    const text = Array.from({ length: count }, (_, i) => `BEGIN:VCARD\r\nFN:C${i}\r\nEND:VCARD\r\n`).join('');
    expect(service.importVcard(text).imported).toBe(count);
    const exported = service.exportVcard(null, '4.0');
    const calls: string[] = [];
    const counted = new Proxy(store, {
      get(target, name) {
        // The repository's getters read private fields: they must see the repository itself, not the proxy.
        const value: unknown = Reflect.get(target, name, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const again = new ContactService({ store: counted, events, logger: silentLogger });
    const result = again.importVcard(exported);
    expect(result.imported).toBe(0);
    expect(result.skipped[0]).toMatchObject({
      index: 0,
      reason: expect.stringContaining('already in the contacts'),
    });
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(calls).not.toContain('get');
  });

  it('writes nothing when the disk refuses, and says storage', () => {
    service.create(input({ name: 'Kept' }));
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const text = Array.from(
      { length: 300 },
      (_, i) => `BEGIN:VCARD\r\nFN:C${i}\r\nNOTE:${'n'.repeat(3_000)}\r\nEND:VCARD\r\n`,
    ).join('');
    expect(serviceError(() => service.importVcard(text))).toMatchObject({ code: 'storage' });
    expect(service.list().map((c) => c.name)).toEqual(['Kept']);
  });

  it(`announces a large import in events of at most ${CHANGE_BATCH} contacts`, () => {
    const count = CHANGE_BATCH * 2 + 1;
    const text = Array.from({ length: count }, (_, i) => `BEGIN:VCARD\r\nFN:C${i}\r\nEND:VCARD\r\n`).join('');
    expect(service.importVcard(text).imported).toBe(count);
    expect(changes.map((change) => change.upserted.length)).toEqual([CHANGE_BATCH, CHANGE_BATCH, 1]);
  });
});

describe('exportVcard', () => {
  it('exports all contacts or the chosen ones, by name, in the version asked', () => {
    const bob = service.create(input({ name: 'Bob' }));
    service.create(input({ name: 'Amy' }));
    const all = service.exportVcard(null, '3.0');
    expect([...all.matchAll(/^FN:(.*)\r$/gm)].map((m) => m[1])).toEqual(['Amy', 'Bob']);
    expect(all).toContain('VERSION:3.0\r\n');
    const chosen = service.exportVcard([bob.id, 'gone'], '4.0');
    expect([...chosen.matchAll(/^FN:(.*)\r$/gm)].map((m) => m[1])).toEqual(['Bob']);
    expect(chosen).toContain('VERSION:4.0\r\n');
    expect(service.exportVcard([], '4.0')).toBe('');
  });

  it('brings every contact back after export, delete and import', () => {
    const originals = [
      service.create(
        input({
          name: 'Zoë',
          sipAddresses: [{ uri: 'sip:zoe@example.test', label: 'Desk, 2nd floor' }],
          phoneNumbers: [{ number: '+44 20 7946 0000', label: 'mobile' }],
          note: 'a; b, c\nd',
          favorite: true,
        }),
      ),
      service.create(input({ name: 'Yann', phoneNumbers: [{ number: '201', label: null }] })),
    ];
    const text = service.exportVcard(null, '4.0');
    for (const contact of originals) service.delete(contact.id);
    expect(service.importVcard(text)).toEqual({ imported: 2, skipped: [] });
    const fields = ({ name, sipAddresses, phoneNumbers, note, favorite }: (typeof originals)[number]) => ({
      name,
      sipAddresses,
      phoneNumbers,
      note,
      favorite,
    });
    expect(service.list().map(fields)).toEqual([originals[1]!, originals[0]!].map(fields));
  });

  it('refuses an export longer than an import may be', () => {
    const note = 'n'.repeat(4_000);
    const many = Math.ceil(VCARD_TEXT_MAX / note.length) + 1;
    const text = Array.from(
      { length: many },
      (_, i) => `BEGIN:VCARD\r\nFN:C${i}\r\nNOTE:${note}\r\nEND:VCARD\r\n`,
    ).join('');
    // Imported in two halves, each under the limit.
    const cut = text.indexOf('BEGIN:VCARD', text.length / 2);
    service.importVcard(text.slice(0, cut));
    service.importVcard(text.slice(cut));
    expect(serviceError(() => service.exportVcard(null, '3.0'))).toMatchObject({
      code: 'invalid-argument',
      details: { field: 'ids' },
    });
  });
});

describe('for other services', () => {
  it('lists watched contacts with their first SIP address and account', () => {
    const accountId = addAccount();
    const watched = service.create(
      input({
        name: 'Watched',
        sipAddresses: [
          { uri: 'sip:first@example.test', label: null },
          { uri: 'sip:second@example.test', label: null },
        ],
        watchPresence: true,
        accountId,
      }),
    );
    service.create(input({ name: 'Unwatched', sipAddresses: [{ uri: 'sip:u@example.test', label: null }] }));
    expect(service.watched()).toEqual([{ contactId: watched.id, uri: 'sip:first@example.test', accountId }]);
  });

  describe('findByAddress', () => {
    let bob: string;
    let carol: string;
    beforeEach(() => {
      bob = service.create(
        input({ name: 'Bob', sipAddresses: [{ uri: 'sip:Bob@Example.test;transport=tcp', label: null }] }),
      ).id;
      carol = service.create(
        input({
          name: 'Carol',
          phoneNumbers: [
            { number: '+44 20 7946 0000', label: null },
            { number: '201', label: null },
          ],
        }),
      ).id;
    });

    it('matches a SIP address by user and host, whatever the parameters, scheme or host case', () => {
      for (const uri of ['sip:Bob@example.test', 'SIPS:Bob@EXAMPLE.TEST;user=ip', '<sip:Bob@example.test>'])
        expect(service.findByAddress(uri)?.id, uri).toBe(bob);
      expect(service.findByAddress('sip:bob@example.test')).toBeUndefined();
    });

    it('matches a number by its digits, written internationally or nationally, or as an extension', () => {
      for (const uri of [
        'tel:+44-20-7946-0000',
        'sip:+442079460000@gw.example.test;user=phone',
        'sip:02079460000@pbx.example.test',
        'sip:00442079460000@pbx.example.test',
        'sip:201@pbx.example.test',
      ])
        expect(service.findByAddress(uri)?.id, uri).toBe(carol);
      expect(service.findByAddress('sip:202@pbx.example.test')).toBeUndefined();
    });

    it('finds nothing for what is no address', () => {
      expect(service.findByAddress('not a uri')).toBeUndefined();
      expect(service.findByAddress('')).toBeUndefined();
    });
  });
});
