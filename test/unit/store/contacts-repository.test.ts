// The contacts tables: a contact and its addresses written and replaced together, the list by name, lookups by the
// keys the service computes, the bound on how many contacts are kept (an import all or nothing), contacts that
// outlive their account, and a full disk as a StoreFailure that leaves the stored contacts whole.
import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccountsRepository } from '../../../main/store/accounts-repository';
import { type ContactWrite, ContactsRepository } from '../../../main/store/contacts-repository';
import { StoreFailure } from '../../../main/store/store-error';
import { migratedDatabase } from './helpers/migrated-database';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

let db: Database;
let contacts: ContactsRepository;
let accounts: AccountsRepository;
let now: number;
let nextId: number;

function repository(max?: number): ContactsRepository {
  return new ContactsRepository(db, {
    clock: { wallTime: () => now },
    newId: () => `k${nextId++}`,
    ...(max === undefined ? {} : { max }),
  });
}

beforeEach(() => {
  db = migratedDatabase(tempDir());
  now = 1_000;
  nextId = 1;
  contacts = repository();
  accounts = new AccountsRepository(db, { clock: { wallTime: () => 1 }, newId: () => 'acc-1' });
  return () => db.close();
});

function write(overrides: Partial<ContactWrite> = {}): ContactWrite {
  return {
    name: 'Bob',
    sipAddresses: [],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: false,
    accountId: null,
    ...overrides,
  };
}

const sip = (uri: string, label: string | null = null) => ({ uri, label, key: uri.toLowerCase() });
const phone = (number: string, label: string | null = null) => {
  const digits = number.replace(/\D/g, '');
  return { number, label, digits, tail: digits.length >= 8 ? digits.slice(-8) : null };
};

function insert(overrides: Partial<ContactWrite> = {}) {
  const saved = contacts.insert(write(overrides));
  if ('full' in saved) throw new Error('full');
  return saved;
}

const addressRows = (): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM contact_addresses').get() as { n: number }).n;

describe('writing and reading', () => {
  it('stores a contact with its addresses in the order given and reads it back as the contract has it', () => {
    const saved = insert({
      name: 'Bob Smith',
      sipAddresses: [sip('sip:bob@example.test', 'work'), sip('sip:bob@home.test')],
      phoneNumbers: [phone('+44 20 7946 0000', 'mobile'), phone('201')],
      note: 'line one\nline two',
      favorite: true,
      watchPresence: true,
    });
    expect(saved).toEqual({
      id: 'k1',
      name: 'Bob Smith',
      sipAddresses: [
        { uri: 'sip:bob@example.test', label: 'work' },
        { uri: 'sip:bob@home.test', label: null },
      ],
      phoneNumbers: [
        { number: '+44 20 7946 0000', label: 'mobile' },
        { number: '201', label: null },
      ],
      note: 'line one\nline two',
      favorite: true,
      watchPresence: true,
      accountId: null,
      createdAt: 1_000,
      updatedAt: 1_000,
    });
    expect(contacts.get('k1')).toEqual(saved);
    expect(contacts.get('nope')).toBeUndefined();
  });

  it('lists by name: case, accents and numbers as people sort them; a nameless contact by its address', () => {
    for (const name of ['émile', 'Zoë', 'adam', 'Item 10', 'Item 9', '', 'Émile'])
      insert({ name, phoneNumbers: name === '' ? [phone('555 0100')] : [] });
    expect(contacts.list().map((c) => c.name || c.phoneNumbers[0]!.number)).toEqual([
      '555 0100',
      'adam',
      'émile',
      'Émile',
      'Item 9',
      'Item 10',
      'Zoë',
    ]);
  });

  it('replaces every field and address on update, keeping the creation time', () => {
    insert({ sipAddresses: [sip('sip:a@x.test'), sip('sip:b@x.test')], phoneNumbers: [phone('1')] });
    now = 2_000;
    const updated = contacts.update('k1', write({ name: 'Robert', sipAddresses: [sip('sip:c@x.test')] }));
    expect(updated).toMatchObject({
      name: 'Robert',
      sipAddresses: [{ uri: 'sip:c@x.test', label: null }],
      phoneNumbers: [],
      createdAt: 1_000,
      updatedAt: 2_000,
    });
    expect(addressRows()).toBe(1);
    expect(contacts.findBySipKey('sip:a@x.test')).toEqual([]);
    expect(contacts.update('nope', write())).toBeUndefined();
  });

  it('deletes a contact with its addresses', () => {
    insert({ sipAddresses: [sip('sip:a@x.test')], phoneNumbers: [phone('1')] });
    expect(contacts.delete('k1')).toBe(true);
    expect(contacts.delete('k1')).toBe(false);
    expect(contacts.get('k1')).toBeUndefined();
    expect(addressRows()).toBe(0);
  });

  it('reads several by id, by name, passing over unknown ids and repeats', () => {
    insert({ name: 'B' });
    insert({ name: 'A' });
    expect(contacts.getMany(['k1', 'nope', 'k2', 'k1']).map((c) => c.name)).toEqual(['A', 'B']);
  });
});

describe('accounts', () => {
  it('keeps the account a contact names, and the contact once that account is deleted', () => {
    accounts.insert({
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
    });
    insert({ accountId: 'acc-1' });
    expect(contacts.accountExists('acc-1')).toBe(true);
    expect(contacts.accountsOfContacts()).toEqual(new Map([['k1', 'acc-1']]));
    accounts.delete('acc-1');
    expect(contacts.get('k1')).toMatchObject({ id: 'k1', accountId: null });
    expect(contacts.accountsOfContacts()).toEqual(new Map());
    expect(contacts.accountExists('acc-1')).toBe(false);
  });

  it('stores an account that does not exist (deleted meanwhile) as none', () => {
    expect(insert({ accountId: 'gone' }).accountId).toBeNull();
    expect(contacts.update('k1', write({ accountId: 'gone' }))?.accountId).toBeNull();
  });
});

describe('lookups', () => {
  beforeEach(() => {
    insert({ name: 'Zed', sipAddresses: [sip('sip:shared@x.test')] });
    insert({
      name: 'Amy',
      sipAddresses: [sip('sip:amy@x.test'), sip('sip:shared@x.test')],
      phoneNumbers: [phone('+44 20 7946 0000'), phone('201')],
    });
  });

  it('finds contacts by SIP key, by name when several match', () => {
    expect(contacts.findBySipKey('sip:shared@x.test').map((c) => c.name)).toEqual(['Amy', 'Zed']);
    expect(contacts.findBySipKey('sip:amy@x.test').map((c) => c.id)).toEqual(['k2']);
    expect(contacts.findBySipKey('sip:nobody@x.test')).toEqual([]);
  });

  it('finds contacts by exact digits and by last digits, never a SIP key by digits', () => {
    expect(contacts.findByDigits('442079460000').map((c) => c.id)).toEqual(['k2']);
    expect(contacts.findByDigits('201').map((c) => c.id)).toEqual(['k2']);
    expect(contacts.findByTail('79460000').map((c) => c.id)).toEqual(['k2']);
    expect(contacts.findByDigits('sip:amy@x.test')).toEqual([]);
    expect(contacts.findBySipKey('201')).toEqual([]);
  });

  it('lists watched contacts with their first SIP address', () => {
    contacts.update('k2', {
      ...write({ name: 'Amy', watchPresence: true }),
      sipAddresses: [sip('sip:amy@x.test'), sip('sip:shared@x.test')],
    });
    insert({ name: 'No address', watchPresence: true, phoneNumbers: [phone('1')] });
    expect(contacts.watched()).toEqual([{ contactId: 'k2', uri: 'sip:amy@x.test', accountId: null }]);
  });
});

describe('the bound', () => {
  it('refuses a contact past the bound, and an import that would pass it, writing nothing', () => {
    contacts = repository(3);
    expect(contacts.max).toBe(3);
    insert();
    insert();
    const batch = contacts.insertMany([write({ name: 'x' }), write({ name: 'y' })]);
    expect(batch).toEqual({ full: true, count: 2, max: 3 });
    expect(contacts.count()).toBe(2);
    const saved = contacts.insertMany([write({ name: 'z', phoneNumbers: [phone('1')] })]);
    expect(Array.isArray(saved) && saved.map((c) => c.name)).toEqual(['z']);
    expect(contacts.insert(write())).toEqual({ full: true, count: 3, max: 3 });
  });

  it('writes an import in one transaction, returning the contacts in the order given', () => {
    const saved = contacts.insertMany(
      Array.from({ length: 500 }, (_, i) => write({ name: `C${499 - i}`, phoneNumbers: [phone(`${i}`)] })),
    );
    expect(Array.isArray(saved) && saved.length).toBe(500);
    expect(Array.isArray(saved) && saved[0]!.name).toBe('C499');
    expect(contacts.count()).toBe(500);
    expect(addressRows()).toBe(500);
  });
});

describe('an import', () => {
  it('returns exactly what a read gives back, accounts that do not exist as none', () => {
    accounts.insert({
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
    });
    const saved = contacts.insertMany([
      write({ name: 'A', accountId: 'acc-1', sipAddresses: [sip('sip:a@x.test', 'work')], favorite: true }),
      write({ name: 'B', accountId: 'gone', phoneNumbers: [phone('+44 20 7946 0000', 'mobile')], note: 'n' }),
      write({ name: 'C', watchPresence: true, sipAddresses: [sip('sip:c@x.test'), sip('sip:d@x.test')] }),
    ]);
    expect(Array.isArray(saved)).toBe(true);
    if (!Array.isArray(saved)) return;
    expect(saved.map((c) => c.accountId)).toEqual(['acc-1', null, null]);
    expect(saved).toEqual(saved.map((c) => contacts.get(c.id)));
  });
});

describe('an import that may bring our own contacts back', () => {
  it('passes over the contacts whose id is stored, writes the others, and says which, in the order given', () => {
    const kept = insert({ name: 'Kept' });
    const gone = insert({ name: 'Gone' });
    contacts.delete(gone.id);
    const outcomes = contacts.importMany([
      { knownId: kept.id, contact: write({ name: 'Kept again' }) },
      { knownId: null, contact: write({ name: 'New', phoneNumbers: [phone('201')] }) },
      // A card this store exported whose contact was deleted since: written again, under a new id.
      { knownId: gone.id, contact: write({ name: 'Gone again' }) },
      { knownId: 'never-ours', contact: write({ name: 'Foreign' }) },
    ]);
    expect(
      outcomes.map((outcome) => (outcome.kind === 'saved' ? outcome.contact.name : outcome.kind)),
    ).toEqual(['exists', 'New', 'Gone again', 'Foreign']);
    const saved = outcomes.flatMap((outcome) => (outcome.kind === 'saved' ? [outcome.contact] : []));
    expect(saved).toEqual(saved.map((contact) => contacts.get(contact.id)));
    expect(contacts.list().map((c) => c.name)).toEqual(['Foreign', 'Gone again', 'Kept', 'New']);
  });

  it('writes up to the bound and says full for the rest; a contact passed over takes no room', () => {
    contacts = repository(3);
    const kept = insert({ name: 'Kept' });
    const outcomes = contacts.importMany([
      { knownId: null, contact: write({ name: 'A' }) },
      { knownId: kept.id, contact: write({ name: 'Kept' }) },
      { knownId: null, contact: write({ name: 'B' }) },
      { knownId: null, contact: write({ name: 'C' }) },
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['saved', 'exists', 'saved', 'full']);
    expect(contacts.count()).toBe(3);
  });

  it('writes an import all or nothing: a write the disk refuses leaves none of it', () => {
    insert({ name: 'Kept' });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    expect(() =>
      contacts.importMany(
        Array.from({ length: 200 }, (_, i) => ({
          knownId: `k${i}`,
          contact: write({ name: `C${i}`, note: 'n'.repeat(3_000) }),
        })),
      ),
    ).toThrow(StoreFailure);
    expect(contacts.list().map((c) => c.name)).toEqual(['Kept']);
  });
});

describe('when the database refuses', () => {
  it('throws StoreFailure(disk-full) mid-import and keeps none of it', () => {
    insert({ name: 'Kept' });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    let failure: unknown;
    try {
      contacts.insertMany(Array.from({ length: 200 }, () => write({ note: 'n'.repeat(3_000) })));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(StoreFailure);
    expect((failure as StoreFailure).error).toMatchObject({ kind: 'disk-full', path: db.name });
    expect(contacts.list().map((c) => c.name)).toEqual(['Kept']);
  });

  it('throws StoreFailure(read-only) when writes are refused', () => {
    db.pragma('query_only = ON');
    expect(() => contacts.insert(write())).toThrow(StoreFailure);
  });

  it('refuses rows the schema does not allow', () => {
    insert({ sipAddresses: [sip('sip:a@x.test')] });
    expect(() => db.prepare(`UPDATE contacts SET favorite = 2`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE contact_addresses SET kind = 'xmpp'`).run()).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO contact_addresses (contact_id, kind, position, value, match_key)
           VALUES ('nope', 'sip', 0, 'sip:a@x', 'sip:a@x')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO contact_addresses (contact_id, kind, position, value, match_key)
           VALUES ('k1', 'sip', 0, 'sip:b@x', 'sip:b@x')`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });
});
