// The `contacts` and `contact_addresses` tables. Services call this; nothing else touches the tables. A contact and
// its addresses are written together in one transaction (an update replaces every address), an import writes all
// its contacts in one, and the number of contacts never passes the bound the repository was given. The lookup keys of
// addresses (`match_key`, `match_tail`) come from the caller, which owns the rules (main/contacts/address-key.ts):
// the store knows nothing of SIP. Anything the database refuses comes out as a StoreFailure.
import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { ContactDto } from '../contract/contract';
import { CONTACTS_MAX } from '../contract/limits';
import type { Clock } from '../platform/clock';
import { guarded } from './store-error';

/** A SIP address as stored: the URI as the person wrote it, its label, and the key lookups compare. */
export interface StoredSipAddress {
  readonly uri: string;
  readonly label: string | null;
  readonly key: string;
}

/** A phone number as stored: as written, its label, its digits and its last digits (null for a short number). */
export interface StoredPhoneNumber {
  readonly number: string;
  readonly label: string | null;
  readonly digits: string;
  readonly tail: string | null;
}

/** What is written for a contact; the id and the times are the repository's. */
export interface ContactWrite {
  readonly name: string;
  readonly sipAddresses: readonly StoredSipAddress[];
  readonly phoneNumbers: readonly StoredPhoneNumber[];
  readonly note: string;
  readonly favorite: boolean;
  readonly watchPresence: boolean;
  /** An account that does not exist is stored as null (kept working through the first enabled account). */
  readonly accountId: string | null;
}

/** A watched contact's first SIP address, for the presence service. */
export interface WatchedAddress {
  readonly contactId: string;
  /** The contact's first SIP address. */
  readonly uri: string;
  /** Null: the first enabled account. */
  readonly accountId: string | null;
}

/** A write that would take the store past its bound. */
export interface ContactsFull {
  readonly full: true;
  /** Contacts stored now, and the bound. */
  readonly count: number;
  readonly max: number;
}

/** One contact of an import, with the id it says it has in this store (a card we exported names its contact). */
export interface ImportedContact {
  /** Null when the card names no contact of ours. */
  readonly knownId: string | null;
  readonly contact: ContactWrite;
}

/** How one contact of an import ended. */
export type ImportOutcome =
  | { readonly kind: 'saved'; readonly contact: ContactDto }
  /** A contact with its knownId is stored: nothing written. */
  | { readonly kind: 'exists' }
  /** Writing it would have taken the store past its bound: nothing written. */
  | { readonly kind: 'full' };

export interface ContactsRepositoryOptions {
  readonly clock: Pick<Clock, 'wallTime'>;
  /** Defaults to random UUIDs. */
  readonly newId?: () => string;
  /** Most contacts kept; CONTACTS_MAX by default. */
  readonly max?: number;
}

interface ContactRow {
  id: string;
  name: string;
  note: string;
  favorite: number;
  watch_presence: number;
  account_id: string | null;
  created_at: number;
  updated_at: number;
}

interface AddressRow {
  contact_id: string;
  kind: string;
  value: string;
  label: string | null;
}

interface ContactParams {
  id: string;
  name: string;
  note: string;
  favorite: number;
  watch_presence: number;
  account_id: string | null;
  now: number;
}

interface AddressParams {
  contact_id: string;
  kind: 'sip' | 'tel';
  position: number;
  value: string;
  label: string | null;
  match_key: string;
  match_tail: string | null;
}

const CONTACT_COLUMNS = 'id, name, note, favorite, watch_presence, account_id, created_at, updated_at';
const ADDRESS_ORDER = 'ORDER BY contact_id, kind, position';

export class ContactsRepository {
  readonly #db: SqliteDatabase;
  readonly #clock: Pick<Clock, 'wallTime'>;
  readonly #newId: () => string;
  readonly #max: number;
  readonly #collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  readonly #all: Statement<[], ContactRow>;
  readonly #allAddresses: Statement<[], AddressRow>;
  readonly #get: Statement<[string], ContactRow>;
  readonly #exists: Statement<[string], { found: number }>;
  readonly #addressesOf: Statement<[string], AddressRow>;
  readonly #count: Statement<[], { n: number }>;
  readonly #insert: Statement<[ContactParams]>;
  readonly #update: Statement<[ContactParams]>;
  readonly #delete: Statement<[string]>;
  readonly #deleteAddresses: Statement<[string]>;
  readonly #insertAddress: Statement<[AddressParams]>;
  readonly #bySipKey: Statement<[string], { contact_id: string }>;
  readonly #byDigits: Statement<[string], { contact_id: string }>;
  readonly #byTail: Statement<[string], { contact_id: string }>;
  readonly #watched: Statement<[], { id: string; account_id: string | null; value: string }>;
  readonly #withAccount: Statement<[], { id: string; account_id: string }>;
  readonly #accountExists: Statement<[string], { id: string }>;

  constructor(db: SqliteDatabase, options: ContactsRepositoryOptions) {
    this.#db = db;
    this.#clock = options.clock;
    this.#newId = options.newId ?? randomUUID;
    this.#max = options.max ?? CONTACTS_MAX;
    this.#all = db.prepare(`SELECT ${CONTACT_COLUMNS} FROM contacts`);
    this.#allAddresses = db.prepare(
      `SELECT contact_id, kind, value, label FROM contact_addresses ${ADDRESS_ORDER}`,
    );
    this.#get = db.prepare(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ?`);
    // One probe of the primary key's index; no row or address is read.
    this.#exists = db.prepare('SELECT 1 AS found FROM contacts WHERE id = ?');
    this.#addressesOf = db.prepare(
      `SELECT contact_id, kind, value, label FROM contact_addresses WHERE contact_id = ? ${ADDRESS_ORDER}`,
    );
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM contacts');
    // An account deleted between the service's check and this write is stored as null rather than refused.
    this.#insert = db.prepare(`
      INSERT INTO contacts (id, name, note, favorite, watch_presence, account_id, created_at, updated_at)
      VALUES (@id, @name, @note, @favorite, @watch_presence, (SELECT id FROM accounts WHERE id = @account_id),
        @now, @now)`);
    this.#update = db.prepare(`
      UPDATE contacts SET name = @name, note = @note, favorite = @favorite, watch_presence = @watch_presence,
        account_id = (SELECT id FROM accounts WHERE id = @account_id), updated_at = @now
      WHERE id = @id`);
    this.#delete = db.prepare('DELETE FROM contacts WHERE id = ?');
    this.#deleteAddresses = db.prepare('DELETE FROM contact_addresses WHERE contact_id = ?');
    this.#insertAddress = db.prepare(`
      INSERT INTO contact_addresses (contact_id, kind, position, value, label, match_key, match_tail)
      VALUES (@contact_id, @kind, @position, @value, @label, @match_key, @match_tail)`);
    this.#bySipKey = db.prepare(
      "SELECT DISTINCT contact_id FROM contact_addresses WHERE kind = 'sip' AND match_key = ?",
    );
    this.#byDigits = db.prepare(
      "SELECT DISTINCT contact_id FROM contact_addresses WHERE kind = 'tel' AND match_key = ?",
    );
    this.#byTail = db.prepare('SELECT DISTINCT contact_id FROM contact_addresses WHERE match_tail = ?');
    // CROSS JOIN keeps the watched contacts (a partial index) as the outer loop: without statistics SQLite would
    // start from every SIP address instead.
    this.#watched = db.prepare(`
      SELECT c.id, c.account_id, a.value FROM contacts c
      CROSS JOIN contact_addresses a ON a.contact_id = c.id AND a.kind = 'sip' AND a.position = 0
      WHERE c.watch_presence = 1`);
    this.#withAccount = db.prepare(
      'SELECT id, account_id FROM contacts WHERE account_id IS NOT NULL',
    ) as Statement<[], { id: string; account_id: string }>;
    this.#accountExists = db.prepare('SELECT id FROM accounts WHERE id = ?');
  }

  /** Most contacts this repository keeps. */
  get max(): number {
    return this.#max;
  }

  /** Every contact, by name (locale-aware, case- and accent-insensitive; a nameless one by its first address). */
  list(): ContactDto[] {
    return this.#guard(() => {
      const addresses = groupAddresses(this.#allAddresses.all());
      const contacts = this.#all.all().map((row) => toDto(row, addresses.get(row.id) ?? []));
      return this.#sorted(contacts);
    });
  }

  get(id: string): ContactDto | undefined {
    return this.#guard(() => this.#read(id));
  }

  /** The contacts with these ids that exist, by name. */
  getMany(ids: readonly string[]): ContactDto[] {
    return this.#guard(() =>
      this.#sorted(
        [...new Set(ids)].map((id) => this.#read(id)).filter((item): item is ContactDto => !!item),
      ),
    );
  }

  count(): number {
    return this.#guard(() => this.#count.get()!.n);
  }

  /** Whether an account with this id exists (a contact may name only such an account). */
  accountExists(id: string): boolean {
    return this.#guard(() => this.#accountExists.get(id) !== undefined);
  }

  /** Adds a contact with a new id; `full` when the store already holds `max` contacts. */
  insert(contact: ContactWrite): ContactDto | ContactsFull {
    const saved = this.insertMany([contact]);
    return 'full' in saved ? saved : saved[0]!;
  }

  /**
   * Adds every contact in one transaction, all or nothing: `full` (and nothing written) when they would take the
   * store past `max`. Returned in the order given.
   */
  insertMany(contacts: readonly ContactWrite[]): ContactDto[] | ContactsFull {
    return this.#guard(() =>
      this.#db.transaction((): ContactDto[] | ContactsFull => {
        const count = this.#count.get()!.n;
        if (count + contacts.length > this.#max) return { full: true, count, max: this.#max };
        const write = this.#writer();
        return contacts.map((contact) => write(contact));
      })(),
    );
  }

  /**
   * Writes an import in one transaction: a contact whose `knownId` is stored already is passed over (`exists`: the
   * same card coming back), and one that would take the store past `max` is not written (`full`). Each known id is
   * one lookup by primary key inside the transaction, so what it finds still holds when the rest is written; a
   * contact passed over takes no room. An outcome per contact, in the order given; all or nothing when the
   * database refuses.
   */
  importMany(contacts: readonly ImportedContact[]): ImportOutcome[] {
    return this.#guard(() =>
      this.#db.transaction((): ImportOutcome[] => {
        let room = this.#max - this.#count.get()!.n;
        const write = this.#writer();
        return contacts.map(({ knownId, contact }): ImportOutcome => {
          if (knownId !== null && this.#exists.get(knownId) !== undefined) return { kind: 'exists' };
          if (room <= 0) return { kind: 'full' };
          room--;
          return { kind: 'saved', contact: write(contact) };
        });
      })(),
    );
  }

  /** Replaces a contact's fields and addresses; undefined when there is no such contact. */
  update(id: string, contact: ContactWrite): ContactDto | undefined {
    return this.#guard(() =>
      this.#db.transaction(() => {
        if (this.#update.run(contactParams(id, contact, this.#clock.wallTime())).changes === 0)
          return undefined;
        this.#deleteAddresses.run(id);
        this.#writeAddresses(id, contact);
        return this.#read(id);
      })(),
    );
  }

  /** False when there was no such contact. Its addresses go with it. */
  delete(id: string): boolean {
    return this.#guard(() => this.#delete.run(id).changes > 0);
  }

  /** Contacts with a SIP address of this key, by name. */
  findBySipKey(key: string): ContactDto[] {
    return this.#guard(() => this.#readAll(this.#bySipKey.all(key)));
  }

  /** Contacts with a phone number of exactly these digits, by name. */
  findByDigits(digits: string): ContactDto[] {
    return this.#guard(() => this.#readAll(this.#byDigits.all(digits)));
  }

  /** Contacts with a phone number ending in these digits (see PhoneKey.tail), by name. */
  findByTail(tail: string): ContactDto[] {
    return this.#guard(() => this.#readAll(this.#byTail.all(tail)));
  }

  /** Contacts that watch presence, each with its first SIP address; by contact id. */
  watched(): WatchedAddress[] {
    return this.#guard(() =>
      this.#watched
        .all()
        .map((row) => ({ contactId: row.id, uri: row.value, accountId: row.account_id }))
        .sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0)),
    );
  }

  /** Which contacts name an account, by contact id. */
  accountsOfContacts(): Map<string, string> {
    return this.#guard(() => new Map(this.#withAccount.all().map((row) => [row.id, row.account_id])));
  }

  /**
   * Writes one new contact at a time, inside the caller's transaction. What was written is known: each contact is
   * built from it rather than read back (half the statements of a large import), and an account is looked up once
   * per account, as the insert checks it.
   */
  #writer(): (contact: ContactWrite) => ContactDto {
    const now = this.#clock.wallTime();
    const accountsKnown = new Map<string, boolean>();
    const known = (id: string): boolean => {
      let exists = accountsKnown.get(id);
      if (exists === undefined) accountsKnown.set(id, (exists = this.#accountExists.get(id) !== undefined));
      return exists;
    };
    return (contact) => {
      const id = this.#newId();
      this.#insert.run(contactParams(id, contact, now));
      this.#writeAddresses(id, contact);
      const accountId = contact.accountId !== null && known(contact.accountId) ? contact.accountId : null;
      return writtenDto(id, contact, accountId, now);
    };
  }

  #read(id: string): ContactDto | undefined {
    const row = this.#get.get(id);
    return row && toDto(row, this.#addressesOf.all(id));
  }

  #readAll(rows: readonly { contact_id: string }[]): ContactDto[] {
    return this.#sorted(rows.map((row) => this.#read(row.contact_id)).filter((item) => item !== undefined));
  }

  #writeAddresses(id: string, contact: ContactWrite): void {
    contact.sipAddresses.forEach((address, position) =>
      this.#insertAddress.run({
        contact_id: id,
        kind: 'sip',
        position,
        value: address.uri,
        label: address.label,
        match_key: address.key,
        match_tail: null,
      }),
    );
    contact.phoneNumbers.forEach((phone, position) =>
      this.#insertAddress.run({
        contact_id: id,
        kind: 'tel',
        position,
        value: phone.number,
        label: phone.label,
        match_key: phone.digits,
        match_tail: phone.tail,
      }),
    );
  }

  #sorted(contacts: ContactDto[]): ContactDto[] {
    const keyed = contacts.map((contact) => ({ contact, key: sortName(contact) }));
    keyed.sort(
      (a, b) =>
        this.#collator.compare(a.key, b.key) ||
        (a.contact.id < b.contact.id ? -1 : a.contact.id > b.contact.id ? 1 : 0),
    );
    return keyed.map((item) => item.contact);
  }

  #guard<T>(operation: () => T): T {
    return guarded(this.#db.name, operation);
  }
}

/** What a contact sorts by: its name, or for a nameless one the address or number the window shows instead. */
function sortName(contact: ContactDto): string {
  return contact.name || contact.sipAddresses[0]?.uri || contact.phoneNumbers[0]?.number || '';
}

function groupAddresses(rows: readonly AddressRow[]): Map<string, AddressRow[]> {
  const byContact = new Map<string, AddressRow[]>();
  for (const row of rows) {
    const list = byContact.get(row.contact_id);
    if (list) list.push(row);
    else byContact.set(row.contact_id, [row]);
  }
  return byContact;
}

function toDto(row: ContactRow, addresses: readonly AddressRow[]): ContactDto {
  return {
    id: row.id,
    name: row.name,
    // Rows come ordered by kind and position, so each list keeps the person's order.
    sipAddresses: addresses
      .filter((address) => address.kind === 'sip')
      .map((address) => ({ uri: address.value, label: address.label })),
    phoneNumbers: addresses
      .filter((address) => address.kind === 'tel')
      .map((address) => ({ number: address.value, label: address.label })),
    note: row.note,
    favorite: row.favorite === 1,
    watchPresence: row.watch_presence === 1,
    accountId: row.account_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function writtenDto(id: string, contact: ContactWrite, accountId: string | null, now: number): ContactDto {
  return {
    id,
    name: contact.name,
    sipAddresses: contact.sipAddresses.map(({ uri, label }) => ({ uri, label })),
    phoneNumbers: contact.phoneNumbers.map(({ number, label }) => ({ number, label })),
    note: contact.note,
    favorite: contact.favorite,
    watchPresence: contact.watchPresence,
    accountId,
    createdAt: now,
    updatedAt: now,
  };
}

function contactParams(id: string, contact: ContactWrite, now: number): ContactParams {
  return {
    id,
    name: contact.name,
    note: contact.note,
    favorite: contact.favorite ? 1 : 0,
    watch_presence: contact.watchPresence ? 1 : 0,
    account_id: contact.accountId,
    now,
  };
}
