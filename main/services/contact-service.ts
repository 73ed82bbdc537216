// Contacts for the command router and for the other services: checks what the schema cannot (SIP addresses by
// RFC 3261's grammar, an account that exists), writes through the ContactsRepository with the lookup keys the
// address rules give, and says what changed with `contacts.changed` after each committed change. Imports read a vCard
// file (main/contacts/) and store every usable card in one transaction; exports write the chosen contacts back out.
// The presence service reads `watched()` and the message and call views `findByAddress()`.
import type {
  ContactDto,
  ContactInput,
  ContactsChangeDto,
  Events,
  VcardImportResult,
  VcardVersion,
} from '../contract/contract';
import { VCARD_TEXT_MAX } from '../contract/limits';
import { contactInputSchema } from '../contract/schemas';
import { peerKeys, phoneKey, sipAddressKey } from '../contacts/address-key';
import { VCARD_LIMITS } from '../contacts/vcard-limits';
import { listSkipped, readVcards, type VcardCard } from '../contacts/vcard-reader';
import { writeVcards } from '../contacts/vcard-writer';
import type { Logger } from '../platform/logger';
import type {
  ContactWrite,
  ContactsFull,
  ContactsRepository,
  ImportedContact,
  StoredSipAddress,
  WatchedAddress,
} from '../store/contacts-repository';
import { StoreFailure } from '../store/store-error';
import type { EventHub } from './event-hub';
import { ServiceError } from './service-error';
import { withoutPassword } from '../messaging/peer-key';

/** What the service needs of the store. */
export type ContactStore = Pick<
  ContactsRepository,
  | 'max'
  | 'list'
  | 'getMany'
  | 'accountExists'
  | 'insert'
  | 'importMany'
  | 'update'
  | 'delete'
  | 'findBySipKey'
  | 'findByDigits'
  | 'findByTail'
  | 'watched'
  | 'accountsOfContacts'
>;

/** A watched contact's first SIP address, as the presence service subscribes to it. */
export type WatchedContact = WatchedAddress;

export interface ContactServiceDeps {
  readonly store: ContactStore;
  readonly events: EventHub;
  readonly logger: Logger;
}

/** Contacts per `contacts.changed` event after an import, so no one event grows past what a socket frame holds well. */
export const CHANGE_BATCH = 500;

export class ContactService {
  readonly #deps: ContactServiceDeps;
  /** Which contacts name an account, to announce those an account's deletion leaves without one. */
  #accountOf = new Map<string, string>();
  #unsubscribe: (() => void) | undefined;

  constructor(deps: ContactServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Starts following account changes: when an account is deleted the store keeps its contacts with no account
   * (ON DELETE SET NULL), and this announces them changed.
   */
  start(): void {
    try {
      this.#accountOf = this.#deps.store.accountsOfContacts();
    } catch (error) {
      // The engine starts anyway; the contacts' own commands will report the store's failure when used.
      this.#deps.logger.log('error', 'reading the contacts failed at start', { error: String(error) });
    }
    this.#unsubscribe ??= this.#deps.events.subscribe((name, payload) => {
      if (name === 'accounts.changed')
        this.#accountsChanged(new Set((payload as Events['accounts.changed']).map((account) => account.id)));
    });
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  list(): ContactDto[] {
    return this.#storage(() => this.#deps.store.list());
  }

  create(input: ContactInput): ContactDto {
    const write = this.#checked(input);
    const saved = this.#storage(() => this.#deps.store.insert(write));
    if ('full' in saved) throw fullError(saved);
    this.#remember(saved);
    this.#announce({ upserted: [saved], deleted: [] });
    return saved;
  }

  update(id: string, input: ContactInput): ContactDto {
    const write = this.#checked(input);
    const saved = this.#storage(() => this.#deps.store.update(id, write));
    if (!saved) throw new ServiceError('not-found', 'That contact no longer exists.');
    this.#remember(saved);
    this.#announce({ upserted: [saved], deleted: [] });
    return saved;
  }

  delete(id: string): null {
    if (!this.#storage(() => this.#deps.store.delete(id)))
      throw new ServiceError('not-found', 'That contact no longer exists.');
    this.#accountOf.delete(id);
    this.#announce({ upserted: [], deleted: [id] });
    return null;
  }

  /**
   * Imports every usable card of a vCard file, all in one transaction. Cards that cannot be read, that hold nothing
   * usable, that this store already has (their UID is one of our ids) or that would take the store past its bound
   * are skipped, each with its position in the file and the reason (the first VCARD_LIMITS.skippedListed, in file
   * order, and the rest counted in one entry). Whether a UID is ours is asked of the store inside the import's own
   * transaction, one lookup per UID, so our own export of 50,000 cards comes back in one pass.
   */
  importVcard(text: string): VcardImportResult {
    // The command's schema bounds the text (VCARD_TEXT_MAX).
    const read = readVcards(text);
    if (read.found === 0)
      throw new ServiceError('invalid-argument', 'The file holds no vCard (BEGIN:VCARD … END:VCARD).', {
        field: 'text',
      });
    const skipped = [...read.skipped];
    const accepted: {
      readonly index: number;
      readonly uid: string | null;
      readonly entry: ImportedContact;
    }[] = [];
    const uids = new Set<string>();
    for (const card of read.cards) {
      if (card.uid !== null) {
        if (uids.has(card.uid)) {
          skipped.push({ index: card.index, reason: `a second card with UID ${card.uid}` });
          continue;
        }
        uids.add(card.uid);
      }
      const write = importable(card);
      if (typeof write === 'string') skipped.push({ index: card.index, reason: write });
      else
        accepted.push({
          index: card.index,
          uid: card.uid,
          entry: { knownId: ownId(card.uid), contact: write },
        });
    }
    const outcomes =
      accepted.length === 0
        ? []
        : this.#storage(() => this.#deps.store.importMany(accepted.map((a) => a.entry)));
    const saved: ContactDto[] = [];
    outcomes.forEach((outcome, position) => {
      const { index, uid } = accepted[position]!;
      if (outcome.kind === 'saved') saved.push(outcome.contact);
      else if (outcome.kind === 'exists')
        skipped.push({ index, reason: `already in the contacts (UID ${uid})` });
      else skipped.push({ index, reason: `the contacts are full (at most ${this.#deps.store.max})` });
    });
    for (const contact of saved) this.#remember(contact);
    for (let from = 0; from < saved.length; from += CHANGE_BATCH)
      this.#announce({ upserted: saved.slice(from, from + CHANGE_BATCH), deleted: [] });
    return { imported: saved.length, skipped: listSkipped(skipped, VCARD_LIMITS.skippedListed) };
  }

  /** The chosen contacts (null: all; unknown ids are passed over), by name, as one vCard file. */
  exportVcard(ids: readonly string[] | null, version: VcardVersion): string {
    const contacts = this.#storage(() =>
      ids === null ? this.#deps.store.list() : this.#deps.store.getMany(ids),
    );
    const text = writeVcards(contacts, version);
    // What is exported can be imported again: the same bound holds both ways.
    if (text.length > VCARD_TEXT_MAX)
      throw new ServiceError(
        'invalid-argument',
        `These contacts make a vCard file longer than ${VCARD_TEXT_MAX} characters; export fewer at a time.`,
        { field: 'ids' },
      );
    return text;
  }

  /** Contacts that watch presence and have a SIP address, with their first one; by contact id. */
  watched(): readonly WatchedContact[] {
    return this.#storage(() => this.#deps.store.watched());
  }

  /**
   * The contact a peer's address belongs to: by SIP address (user and host; scheme, host case and parameters do not
   * matter), and for a number (`tel:`, or a SIP URI whose user is a number) by its digits, then by its last digits.
   * Undefined when no contact has it. When several do, the first by name.
   */
  findByAddress(uri: string): ContactDto | undefined {
    const keys = peerKeys(uri);
    const store = this.#deps.store;
    return this.#storage(() => {
      const bySip = keys.sip === null ? undefined : store.findBySipKey(keys.sip)[0];
      if (bySip || keys.phone === null) return bySip;
      const byDigits = store.findByDigits(keys.phone.digits)[0];
      if (byDigits || keys.phone.tail === null) return byDigits;
      return store.findByTail(keys.phone.tail)[0];
    });
  }

  /** The input as stored, after the checks the schema cannot make. */
  #checked(input: ContactInput): ContactWrite {
    if (input.accountId !== null && !this.#storage(() => this.#deps.store.accountExists(input.accountId!)))
      throw new ServiceError('not-found', 'That account no longer exists.', { field: 'accountId' });
    const sipAddresses = input.sipAddresses.map((address) => {
      const key = sipAddressKey(address.uri);
      // The field is named as the router names a schema's (the path without list positions); the text says which.
      if (key === undefined)
        throw new ServiceError('invalid-argument', `${address.uri} is not a SIP address`, {
          field: 'sipAddresses.uri',
        });
      // A password in the address (RFC 3261 §19.1.1 advises against them) is not kept, shown or dialled with.
      return { uri: withoutPassword(address.uri), label: address.label, key };
    });
    return stored(input, sipAddresses);
  }

  #remember(contact: ContactDto): void {
    if (contact.accountId === null) this.#accountOf.delete(contact.id);
    else this.#accountOf.set(contact.id, contact.accountId);
  }

  #accountsChanged(accounts: ReadonlySet<string>): void {
    const orphans = [...this.#accountOf].filter(([, account]) => !accounts.has(account)).map(([id]) => id);
    if (orphans.length === 0) return;
    try {
      const contacts = this.#deps.store.getMany(orphans);
      for (const id of orphans) this.#accountOf.delete(id);
      for (const contact of contacts) this.#remember(contact);
      if (contacts.length > 0) this.#announce({ upserted: contacts, deleted: [] });
    } catch (error) {
      // An event listener: nothing to answer; the window re-reads the contacts when it next loads them.
      this.#deps.logger.log('warn', 'reading contacts after an account change failed', {
        error: String(error),
      });
    }
  }

  #announce(change: ContactsChangeDto): void {
    this.#deps.events.emit('contacts.changed', change);
  }

  /** Runs a store operation; a database refusal becomes a `storage` error the window can word. */
  #storage<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      if (error instanceof StoreFailure) {
        this.#deps.logger.log('error', 'contacts store failed', { error: error.message });
        throw new ServiceError('storage', `The contacts could not be saved (${error.error.kind}).`);
      }
      throw error;
    }
  }
}

function fullError(full: ContactsFull): ServiceError {
  return new ServiceError('conflict', `The contacts are full (${full.count} of at most ${full.max}).`);
}

/** The input as the store writes it, with its SIP addresses already keyed and each number's digits. */
function stored(input: ContactInput, sipAddresses: readonly StoredSipAddress[]): ContactWrite {
  return {
    name: input.name,
    sipAddresses,
    phoneNumbers: input.phoneNumbers.map(({ number, label }) => {
      const key = phoneKey(number);
      return { number, label, digits: key.digits, tail: key.tail };
    }),
    note: input.note,
    favorite: input.favorite,
    watchPresence: input.watchPresence,
    accountId: input.accountId,
  };
}

/** Our id when a card's UID is one of ours (`urn:uuid:<id>`, as the export writes it), else null. */
function ownId(uid: string | null): string | null {
  if (uid === null) return null;
  const match = /^urn:uuid:([0-9a-f-]{36})$/i.exec(uid);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * A card as a contact: it passes the same schema as a contact typed in the window (so an import can store nothing a
 * person could not), is never watched and has no account. A card it refuses gives the schema's reason.
 */
function importable(card: VcardCard): ContactWrite | string {
  const parsed = contactInputSchema.safeParse({
    name: card.name,
    sipAddresses: card.sipAddresses,
    phoneNumbers: card.phoneNumbers,
    note: card.note,
    favorite: card.favorite,
    watchPresence: false,
    accountId: null,
  });
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'not a valid contact';
  const input = parsed.data;
  // The schema has bounded the addresses' number and length; one the URI grammar refuses is dropped, not the card.
  const sipAddresses = input.sipAddresses.flatMap(({ uri, label }) => {
    const key = sipAddressKey(uri);
    return key === undefined ? [] : [{ uri: withoutPassword(uri), label, key }];
  });
  return stored(input, sipAddresses);
}
