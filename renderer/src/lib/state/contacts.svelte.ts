// The address book as the engine last described it: `contacts.list` at start, then `contacts.changed` upserts and
// deletes. Two lookups are kept beside the list so they stay cheap with thousands of contacts:
// - a search index: per contact one folded string of its name words, SIP users and hosts and phone digits, so a
//   keystroke is a scan of plain strings (no per-keystroke normalising);
// - an address map for `nameFor(uri)`, which names a caller, a history entry or a conversation after the contact
//   holding that SIP address or phone number. What each address asked about resolved to is remembered (a bounded
//   cache, emptied when the contacts change): a page of history asks for the same few far ends several times a
//   row, and each answer would otherwise parse and clean the address again.
// All are plain (not reactive) structures rebuilt on change; a revision number is the reactive signal readers
// depend on.
/* eslint-disable svelte/prefer-svelte-reactivity -- the index, address maps and lookup cache are plain on purpose:
   rebuilt or emptied whole on each change, with `revision` as the one reactive signal, so a keystroke's search
   tracks nothing per entry. */
import type {
  CommandError,
  ContactDto,
  ContactInput,
  ContactsChangeDto,
  Result,
  VcardImportResult,
  VcardVersion,
} from '../../../../main/contract/contract';
import { cleanPeerText, peerAddress } from '../../../../main/contract/peer-text';
import type { Bridge } from '../bridge';
import { addressKey, foldText, keyPhoneDigits, phoneDigits, samePhone } from '../contact-address';

interface IndexEntry {
  readonly contact: ContactDto;
  /** Folded name, addresses and digits, separated so a term cannot match across two of them. */
  readonly haystack: string;
  /** Every phone digit string (numbers, and SIP users that are numbers), for digit-only terms. */
  readonly digits: string;
  /** The folded name's words, for ranking word-start matches first. */
  readonly words: readonly string[];
  /** What the list shows and sorts by (`contactTitle`). */
  readonly title: string;
  /** The name cleaned for showing (`nameFor`); null when the contact has none. */
  readonly name: string | null;
  /** Comparable SIP addresses and `tel:` numbers, for `nameFor`. */
  readonly keys: readonly string[];
  /** Phone digit strings (numbers, and SIP users that are numbers), for `samePhone`. */
  readonly phoneDigits: readonly string[];
}

const SEPARATOR = '\u0001';
/** Addresses whose lookup is remembered until the contacts change; past this the oldest is forgotten. */
export const RESOLVED_ADDRESSES_MAX = 1_000;
/** Up to this many contacts in one change are moved into place one by one; more, and the list is sorted again. */
const INCREMENTAL_MAX = 32;

/** A contact's first SIP address (without the scheme), else its first number, cleaned for showing; '' when none. */
export function contactAddress(contact: ContactDto): string {
  const sip = contact.sipAddresses[0];
  return sip ? peerAddress({ peerUri: sip.uri }) : cleanPeerText(contact.phoneNumbers[0]?.number ?? '');
}

/** What a contact is called in lists: its name, else its first address or number. */
export function contactTitle(contact: ContactDto): string {
  const name = cleanPeerText(contact.name);
  return name !== '' ? name : contactAddress(contact);
}

/** Where two numbers that `samePhone` matches always agree: their last seven digits, leading zeros dropped. */
function phoneTail(digits: string): string {
  return digits.replace(/^0+/u, '').slice(-7);
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Everything a contact contributes to search and naming, worked out once when it arrives. */
function indexEntry(contact: ContactDto): IndexEntry {
  const name = foldText(contact.name);
  const shownName = cleanPeerText(contact.name);
  const parts = [name];
  const digits: string[] = [];
  const keys: string[] = [];
  for (const address of contact.sipAddresses) {
    parts.push(foldText(address.uri.replace(/^sips?:/iu, '')));
    const key = addressKey(address.uri);
    if (key === null) continue;
    keys.push(key);
    const number = keyPhoneDigits(key);
    if (number !== '') digits.push(number);
  }
  const phones = [...digits];
  for (const phone of contact.phoneNumbers) {
    const number = phoneDigits(phone.number);
    if (number !== '') {
      digits.push(number);
      phones.push(number);
      keys.push(`tel:${number}`);
    }
    parts.push(phone.number.toLowerCase());
  }
  return {
    contact,
    haystack: parts.join(SEPARATOR),
    digits: digits.join(SEPARATOR),
    words: name.split(/[\s,.;:'"()-]+/u).filter((word) => word !== ''),
    title: contactTitle(contact),
    name: shownName === '' ? null : shownName,
    keys,
    phoneDigits: phones,
  };
}

export class ContactsState {
  /** Every contact, by name (then first address). */
  list = $state.raw<ContactDto[]>([]);
  loaded = $state(false);
  loadError = $state<CommandError | null>(null);
  /** Bumped whenever the list changes; what `nameFor` and `search` readers depend on. */
  revision = $state(0);

  #entries = new Map<string, IndexEntry>();
  #sorted: IndexEntry[] = [];
  /** Comparable SIP address → contact (the first by name wins). */
  #byAddress = new Map<string, IndexEntry>();
  /** Phone digits (numbers, numeric SIP users) → contact, for an exact match. */
  #phoneExact = new Map<string, IndexEntry>();
  /**
   * The last seven digits (leading zeros dropped) → the numbers ending so, for `samePhone` matching without a scan
   * of every number (a history page names fifty entries at a time).
   */
  #phoneTails = new Map<string, { readonly digits: string; readonly entry: IndexEntry }[]>();
  /**
   * Address as asked → the contact it resolved to (null: none), until the contacts change. Insertion order is age,
   * so the oldest is the first key when the cache is full.
   */
  #resolved = new Map<string, IndexEntry | null>();
  /** Changes that arrived while `contacts.list` was on its way; they are newer than the list. */
  #pending: ContactsChangeDto[] | null = null;

  constructor(private readonly bridge: Bridge) {}

  byId(id: string): ContactDto | undefined {
    void this.revision;
    return this.#entries.get(id)?.contact;
  }

  async load(): Promise<void> {
    this.#pending = [];
    const result = await this.bridge.invoke('contacts.list');
    const pending = this.#pending;
    this.#pending = null;
    if (!result.ok) {
      this.loadError = result.error;
      return;
    }
    this.loadError = null;
    this.#entries = new Map(result.value.map((contact) => [contact.id, indexEntry(contact)]));
    for (const change of pending) this.#applyEntries(change);
    this.#rebuild(null);
    this.loaded = true;
  }

  /** A `contacts.changed` event. */
  apply(change: ContactsChangeDto): void {
    if (this.#pending) this.#pending.push(change);
    this.#applyEntries(change);
    this.#rebuild(change);
  }

  /**
   * The contacts matching what was typed, by name: every word of the query must occur in the contact's name
   * (accents and case ignored), a SIP address, or, for a word of digits, a phone number's digits. Contacts with a
   * name word starting with the first query word come first. An empty query answers the whole list.
   */
  search(query: string): ContactDto[] {
    void this.revision;
    const terms = foldText(query)
      .split(/\s+/u)
      .filter((term) => term !== '');
    if (terms.length === 0) return this.list;
    const digitTerms = terms.map((term) =>
      /^[+]?[0-9().\-/]+$/u.test(term) ? term.replace(/[^0-9]/gu, '') : '',
    );
    const first = terms[0] ?? '';
    const leading: ContactDto[] = [];
    const others: ContactDto[] = [];
    for (const entry of this.#sorted) {
      let matches = true;
      for (let i = 0; i < terms.length; i += 1) {
        const term = terms[i] as string;
        const digits = digitTerms[i] as string;
        if (entry.haystack.includes(term) || (digits !== '' && entry.digits.includes(digits))) continue;
        matches = false;
        break;
      }
      if (!matches) continue;
      if (entry.words.some((word) => word.startsWith(first))) leading.push(entry.contact);
      else others.push(entry.contact);
    }
    return leading.length === 0 ? others : others.length === 0 ? leading : [...leading, ...others];
  }

  /** The contact holding this SIP or tel URI (or a SIP URI whose user is one of its numbers); null when none. */
  contactFor(uri: string): ContactDto | null {
    return this.#resolve(uri)?.contact ?? null;
  }

  /** The name of the contact holding this address, cleaned for showing; null when no contact (or no name) has it. */
  nameFor(uri: string): string | null {
    return this.#resolve(uri)?.name ?? null;
  }

  async create(input: ContactInput): Promise<Result<ContactDto>> {
    return this.#upsert(await this.bridge.invoke('contacts.create', input));
  }

  async update(id: string, input: ContactInput): Promise<Result<ContactDto>> {
    return this.#upsert(await this.bridge.invoke('contacts.update', id, input));
  }

  async remove(id: string): Promise<Result<null>> {
    const result = await this.bridge.invoke('contacts.delete', id);
    if (result.ok) this.apply({ upserted: [], deleted: [id] });
    return result;
  }

  async importVcard(text: string): Promise<Result<VcardImportResult>> {
    const result = await this.bridge.invoke('contacts.importVcard', text);
    // The imported cards arrive as `contacts.changed`; a reload also covers an engine that sends one summary.
    if (result.ok && result.value.imported > 0) await this.load();
    return result;
  }

  exportVcard(ids: string[] | null, version: VcardVersion): Promise<Result<string>> {
    return this.bridge.invoke('contacts.exportVcard', ids, version);
  }

  /** `contactFor`'s entry, from the cache when this address was asked about since the contacts last changed. */
  #resolve(uri: string): IndexEntry | null {
    // Read first, hit or miss: it is what makes a reader run again when the contacts change.
    void this.revision;
    const known = this.#resolved.get(uri);
    if (known !== undefined) return known;
    const entry = this.#lookUp(uri);
    if (this.#resolved.size >= RESOLVED_ADDRESSES_MAX) {
      const oldest = this.#resolved.keys().next();
      if (oldest.done !== true) this.#resolved.delete(oldest.value);
    }
    this.#resolved.set(uri, entry);
    return entry;
  }

  #lookUp(uri: string): IndexEntry | null {
    const key = addressKey(uri);
    if (key === null) return null;
    const direct = this.#byAddress.get(key);
    if (direct) return direct;
    const digits = keyPhoneDigits(key);
    if (digits === '') return null;
    const exact = this.#phoneExact.get(digits);
    if (exact) return exact;
    const candidates = this.#phoneTails.get(phoneTail(digits)) ?? [];
    return candidates.find((phone) => samePhone(phone.digits, digits))?.entry ?? null;
  }

  #upsert(result: Result<ContactDto>): Result<ContactDto> {
    if (result.ok) this.apply({ upserted: [result.value], deleted: [] });
    return result;
  }

  #applyEntries(change: ContactsChangeDto): void {
    for (const id of change.deleted) this.#entries.delete(id);
    for (const contact of change.upserted) this.#entries.set(contact.id, indexEntry(contact));
  }

  /**
   * Orders the entries and rebuilds the address maps. A small change moves only the contacts it names (a binary
   * insertion each), since comparing names with the collator is what costs most over thousands of contacts; a load
   * or a large change sorts everything.
   */
  #rebuild(change: ContactsChangeDto | null): void {
    const byTitle = (a: IndexEntry, b: IndexEntry) => collator.compare(a.title, b.title);
    let sorted: IndexEntry[];
    if (change && change.upserted.length + change.deleted.length <= INCREMENTAL_MAX) {
      const touched = new Set([...change.deleted, ...change.upserted.map((contact) => contact.id)]);
      sorted = this.#sorted.filter((entry) => !touched.has(entry.contact.id));
      for (const contact of change.upserted) {
        const entry = this.#entries.get(contact.id);
        if (!entry) continue;
        let low = 0;
        let high = sorted.length;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (byTitle(sorted[middle] as IndexEntry, entry) <= 0) low = middle + 1;
          else high = middle;
        }
        sorted.splice(low, 0, entry);
      }
    } else {
      sorted = [...this.#entries.values()].sort(byTitle);
    }
    const byAddress = new Map<string, IndexEntry>();
    const phoneExact = new Map<string, IndexEntry>();
    const phoneTails = new Map<string, { digits: string; entry: IndexEntry }[]>();
    for (const entry of sorted) {
      for (const key of entry.keys) if (!byAddress.has(key)) byAddress.set(key, entry);
      for (const digits of entry.phoneDigits) {
        if (!phoneExact.has(digits)) phoneExact.set(digits, entry);
        const tail = phoneTail(digits);
        const list = phoneTails.get(tail);
        if (list) list.push({ digits, entry });
        else phoneTails.set(tail, [{ digits, entry }]);
      }
    }
    this.#sorted = sorted;
    this.#byAddress = byAddress;
    this.#phoneExact = phoneExact;
    this.#phoneTails = phoneTails;
    this.#resolved = new Map();
    this.list = sorted.map((entry) => entry.contact);
    this.revision += 1;
  }
}
