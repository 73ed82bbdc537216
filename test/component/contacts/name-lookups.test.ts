// Naming a page of history after the contacts costs one address parse per distinct far end, not several per row:
// every row shows its title in four places and asks the "Add to contacts" button's question too, so the contacts
// state remembers what each address resolved to (a bounded cache) until the contacts change. A change names the
// rows anew.
import { screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import HistoryView from '../../../renderer/src/features/history/HistoryView.svelte';
import { addressKey } from '../../../renderer/src/lib/contact-address';
import { RESOLVED_ADDRESSES_MAX } from '../../../renderer/src/lib/state/contacts.svelte';
import { contact } from '../../support/fake-engine';
import { historyEntry } from '../support/fake-engine';
import { renderWithApp, startApp } from '../support/render';

// The real parser, watched: the mock hands every importer a spy that calls through.
vi.mock('../../../renderer/src/lib/contact-address', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../renderer/src/lib/contact-address')>();
  return { ...original, addressKey: vi.fn(original.addressKey) };
});

const parse = vi.mocked(addressKey);

const bob = contact({
  id: 'bob',
  name: 'Bob Stone',
  sipAddresses: [{ uri: 'sip:bob@example.com', label: null }],
  phoneNumbers: [{ number: '030 1234567', label: null }],
});

/** Five far ends: a contact's SIP address in two spellings, a contact's number, and two strangers. */
const peers = [
  'sip:bob@EXAMPLE.com;transport=tcp',
  'sips:bob@example.com',
  'sip:+49301234567@pbx.test',
  'sip:eve@example.com',
  'sip:mallory@example.net',
];
const ROWS = 50;
const entries = Array.from({ length: ROWS }, (_, index) =>
  historyEntry({
    id: `h${index}`,
    peerUri: peers[index % peers.length]!,
    peerName: index % peers.length === 1 ? 'Bobby' : index % peers.length === 3 ? 'Eve' : null,
    startedAt: 1_700_000_000_000 - index * 60_000,
  }),
);

/** How often the parser was asked about each history address. */
function parsesPerPeer(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [uri] of parse.mock.calls) if (peers.includes(uri)) counts[uri] = (counts[uri] ?? 0) + 1;
  return counts;
}

function namesShown(): string[] {
  return screen.getAllByRole('listitem').map((item) => item.querySelector('.name')?.textContent ?? '');
}

beforeEach(() => {
  parse.mockClear();
});
afterEach(() => localStorage.clear());

describe('history names from the contacts', () => {
  it('parses each distinct address once for a page of rows, and names them anew when the contacts change', async () => {
    const { app } = await renderWithApp(HistoryView, {}, { contacts: [bob], history: entries });
    expect(screen.getAllByRole('listitem')).toHaveLength(ROWS);
    expect(namesShown().slice(0, 5)).toEqual([
      'Bob Stone',
      'Bob Stone',
      'Bob Stone',
      'Eve',
      'mallory@example.net',
    ]);
    expect(parsesPerPeer()).toEqual(Object.fromEntries(peers.map((uri) => [uri, 1])));

    // Eve becomes a contact and Bob is renamed: every row follows, with one parse per address again.
    parse.mockClear();
    app.contacts.apply({
      upserted: [
        { ...bob, name: 'Robert Stone' },
        contact({
          id: 'eve',
          name: 'Eve Adams',
          sipAddresses: [{ uri: 'sip:eve@EXAMPLE.COM', label: null }],
        }),
      ],
      deleted: [],
    });
    flushSync();
    expect(namesShown().slice(0, 5)).toEqual([
      'Robert Stone',
      'Robert Stone',
      'Robert Stone',
      'Eve Adams',
      'mallory@example.net',
    ]);
    expect(screen.getAllByRole('button', { name: 'Show contact Eve Adams' })).toHaveLength(
      ROWS / peers.length,
    );
    expect(parsesPerPeer()).toEqual(Object.fromEntries(peers.map((uri) => [uri, 1])));

    // A contact deleted: its rows fall back to what the far end sent, or the address.
    app.contacts.apply({ upserted: [], deleted: ['bob'] });
    flushSync();
    expect(namesShown().slice(0, 5)).toEqual([
      'bob@EXAMPLE.com;transport=tcp',
      'Bobby',
      '+49301234567@pbx.test',
      'Eve Adams',
      'mallory@example.net',
    ]);
  });
});

describe('the contacts state’s lookup cache', () => {
  it(`remembers at most ${RESOLVED_ADDRESSES_MAX} addresses, forgetting the oldest first`, async () => {
    const { app, stop } = await startApp({ contacts: [bob] });
    const strangers = Array.from(
      { length: RESOLVED_ADDRESSES_MAX + 1 },
      (_, index) => `sip:stranger${index}@example.org`,
    );
    parse.mockClear();
    for (const uri of strangers) expect(app.contacts.nameFor(uri)).toBeNull();
    expect(parse).toHaveBeenCalledTimes(RESOLVED_ADDRESSES_MAX + 1);
    // The newest are still known; the first was forgotten to make room for the last, and is parsed again.
    expect(app.contacts.nameFor(strangers.at(-1)!)).toBeNull();
    expect(app.contacts.contactFor(strangers[1]!)).toBeNull();
    expect(parse).toHaveBeenCalledTimes(RESOLVED_ADDRESSES_MAX + 1);
    expect(app.contacts.nameFor(strangers[0]!)).toBeNull();
    expect(parse).toHaveBeenCalledTimes(RESOLVED_ADDRESSES_MAX + 2);
    stop();
  });

  it('answers a remembered address with the contact as it is now, and forgets what the contact no longer holds', async () => {
    const { app, stop } = await startApp({ contacts: [bob] });
    expect(app.contacts.nameFor('sip:bob@example.com')).toBe('Bob Stone');
    expect(app.contacts.contactFor('tel:+49-30-1234567')?.id).toBe('bob');
    app.contacts.apply({
      upserted: [{ ...bob, name: '  ', sipAddresses: [{ uri: 'sip:robert@example.com', label: null }] }],
      deleted: [],
    });
    // A contact without a name names no one, though it still holds the number.
    expect(app.contacts.nameFor('tel:+49-30-1234567')).toBeNull();
    expect(app.contacts.contactFor('tel:+49-30-1234567')?.id).toBe('bob');
    expect(app.contacts.contactFor('sip:bob@example.com')).toBeNull();
    expect(app.contacts.contactFor('sip:robert@example.com')?.id).toBe('bob');
    stop();
  });
});
