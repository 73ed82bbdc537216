// ContactsState: the list from `contacts.list` kept up to date by `contacts.changed`, search as you type (accents,
// case, SIP users and hosts, phone digits) over thousands of contacts, and nameFor(uri) for every place a name shows.
import { describe, expect, it } from 'vitest';
import type { ContactDto, ContactsChangeDto } from '../../../main/contract/contract';
import { ContactsState } from '../../../renderer/src/lib/state/contacts.svelte';
import { contact } from '../../support/fake-engine';
import { FakeBridge } from '../support/fake-bridge';
import { FakeEngine } from '../support/fake-engine';

const jose = contact({
  id: 'jose',
  name: 'José Álvarez',
  sipAddresses: [{ uri: 'sip:jalvarez@Example.COM', label: 'work' }],
  phoneNumbers: [{ number: '+44 20 7946 0000', label: 'mobile' }],
});
const bob = contact({
  id: 'bob',
  name: 'Bob Stone',
  sipAddresses: [{ uri: 'sip:bob@pbx.test', label: null }],
});
const ann = contact({ id: 'ann', name: 'ann', favorite: true });

async function loaded(
  contacts: readonly ContactDto[],
): Promise<{ state: ContactsState; engine: FakeEngine }> {
  const engine = new FakeEngine({ contacts });
  const state = new ContactsState(engine.bridge);
  await state.load();
  return { state, engine };
}

describe('ContactsState', () => {
  it('lists every contact by name, whatever case, and follows contacts.changed', async () => {
    const { state } = await loaded([jose, bob, ann]);
    expect(state.list.map((item) => item.id)).toEqual(['ann', 'bob', 'jose']);
    state.apply({
      upserted: [{ ...bob, name: 'Zed Stone' }, contact({ id: 'cy', name: 'Cy' })],
      deleted: ['ann'],
    });
    expect(state.list.map((item) => item.id)).toEqual(['cy', 'jose', 'bob']);
    expect(state.byId('ann')).toBeUndefined();
    expect(state.byId('bob')?.name).toBe('Zed Stone');
  });

  it('keeps the order by name through many small changes and one large one', async () => {
    const names = ['Mia', 'Zed', 'Ann', 'Émile', 'bob', 'Cy', 'Dee', 'Eve', 'Finn', 'Gus'];
    const { state } = await loaded(names.map((name, index) => contact({ id: `n${index}`, name })));
    const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
    const inOrder = () => {
      const shown = state.list.map((item) => item.name);
      expect(shown).toEqual([...shown].sort((a, b) => collator.compare(a, b)));
    };
    inOrder();
    // Renames one at a time move only that contact (a binary insertion).
    state.apply({ upserted: [contact({ id: 'n1', name: 'Aaron' })], deleted: [] });
    state.apply({ upserted: [contact({ id: 'n2', name: 'Zoe' })], deleted: ['n5'] });
    state.apply({
      upserted: [contact({ id: 'new', name: 'Dan 10' }), contact({ id: 'new2', name: 'Dan 9' })],
      deleted: [],
    });
    inOrder();
    expect(state.list.map((item) => item.name).slice(0, 2)).toEqual(['Aaron', 'bob']);
    expect(state.list.findIndex((item) => item.name === 'Dan 9')).toBeLessThan(
      state.list.findIndex((item) => item.name === 'Dan 10'),
    );
    // A large change (an import) sorts everything again.
    state.apply({
      upserted: Array.from({ length: 40 }, (_, index) =>
        contact({ id: `i${index}`, name: `Imported ${40 - index}` }),
      ),
      deleted: [],
    });
    inOrder();
    expect(state.list).toHaveLength(51);
  });

  it('keeps a change that arrives while the list is loading', async () => {
    const bridge = new FakeBridge();
    let answer: (value: ContactDto[]) => void = () => undefined;
    bridge.handle(
      'contacts.list',
      () => new Promise((done) => (answer = (list) => done({ ok: true, value: list }))),
    );
    const state = new ContactsState(bridge);
    const loading = state.load();
    const change: ContactsChangeDto = { upserted: [{ ...bob, name: 'Bob New' }], deleted: ['ann'] };
    state.apply(change);
    answer([bob, ann]);
    await loading;
    expect(state.list.map((item) => item.name)).toEqual(['Bob New']);
  });

  it('says why the list could not be loaded', async () => {
    const bridge = new FakeBridge();
    bridge.handle('contacts.list', () => ({ ok: false, error: { code: 'storage', message: 'disk gone' } }));
    const state = new ContactsState(bridge);
    await state.load();
    expect(state.loaded).toBe(false);
    expect(state.loadError?.message).toBe('disk gone');
  });

  it('finds contacts by name words without regard to accents or case', async () => {
    const { state } = await loaded([jose, bob, ann]);
    expect(state.search('jose').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('ALVA').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('  álv   jos ').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('stone bob').map((item) => item.id)).toEqual(['bob']);
    expect(state.search('').map((item) => item.id)).toEqual(['ann', 'bob', 'jose']);
    expect(state.search('nobody')).toEqual([]);
  });

  it('finds contacts by SIP user, host and phone digits however the number is written', async () => {
    const { state } = await loaded([jose, bob, ann]);
    expect(state.search('jalvarez').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('pbx.test').map((item) => item.id)).toEqual(['bob']);
    expect(state.search('example.com').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('2079460').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('20-7946').map((item) => item.id)).toEqual(['jose']);
    expect(state.search('+44 20').map((item) => item.id)).toEqual(['jose']);
  });

  it('puts contacts whose name starts with the first word before those that only contain it', async () => {
    const { state } = await loaded([
      contact({ id: 'a', name: 'Anna Bell' }),
      contact({ id: 'b', name: 'Bella Moss' }),
      contact({ id: 'c', name: 'Isabel Bellamy' }),
    ]);
    expect(state.search('bel').map((item) => item.id)).toEqual(['a', 'b', 'c']);
    expect(state.search('bell').map((item) => item.id)).toEqual(['a', 'b', 'c']);
    expect(state.search('sabel').map((item) => item.id)).toEqual(['c']);
    expect(state.search('moss').map((item) => item.id)).toEqual(['b']);
  });

  it('searches five thousand contacts and answers a new list after changes', async () => {
    const many = Array.from({ length: 5_000 }, (_, index) =>
      contact({
        id: `c${index}`,
        name: `Person ${String(index).padStart(4, '0')}`,
        sipAddresses: [{ uri: `sip:user${index}@host${index % 7}.test`, label: null }],
        phoneNumbers: [{ number: `+1 555 ${String(index).padStart(4, '0')}`, label: null }],
      }),
    );
    const { state } = await loaded(many);
    expect(state.list).toHaveLength(5_000);
    expect(state.search('person 4999').map((item) => item.id)).toEqual(['c4999']);
    expect(state.search('host3.test')).toHaveLength(714);
    expect(state.search('5554321').map((item) => item.id)).toEqual(['c4321']);
    // Names a number among thousands, written without its country code.
    expect(state.nameFor('sip:5554321@pbx.test')).toBe('Person 4321');
    expect(state.nameFor('tel:+1-555-4321')).toBe('Person 4321');
    state.apply({ upserted: [], deleted: ['c4321'] });
    expect(state.search('5554321')).toEqual([]);
    expect(state.list).toHaveLength(4_999);
  });

  it('names an address after the contact holding it: scheme and host in any case, no parameters', async () => {
    const { state } = await loaded([jose, bob, ann]);
    expect(state.nameFor('sip:jalvarez@example.com')).toBe('José Álvarez');
    expect(state.nameFor('SIPS:jalvarez@EXAMPLE.com;transport=tcp')).toBe('José Álvarez');
    expect(state.nameFor('"Someone else" <sip:bob@pbx.test>;tag=1')).toBe('Bob Stone');
    // The user part is compared exactly (RFC 3261 §19.1.4).
    expect(state.nameFor('sip:JALVAREZ@example.com')).toBeNull();
    expect(state.nameFor('sip:nobody@example.com')).toBeNull();
    expect(state.nameFor('not a uri')).toBeNull();
  });

  it('names a number after the contact holding it, in international or national form', async () => {
    const { state } = await loaded([jose, bob]);
    expect(state.nameFor('tel:+44-20-7946-0000')).toBe('José Álvarez');
    expect(state.nameFor('sip:+442079460000@pbx.test')).toBe('José Álvarez');
    expect(state.nameFor('sip:02079460000@pbx.test;user=phone')).toBe('José Álvarez');
    expect(state.nameFor('sip:7946@pbx.test')).toBeNull();
  });

  it('cleans a hostile name before it is shown, and leaves a nameless contact unnamed', async () => {
    const { state } = await loaded([
      contact({
        id: 'evil',
        name: 'Eve\u202e\u0007gnp.exe',
        sipAddresses: [{ uri: 'sip:eve@x.test', label: null }],
      }),
      contact({ id: 'anon', name: '', sipAddresses: [{ uri: 'sip:anon@x.test', label: null }] }),
    ]);
    expect(state.nameFor('sip:eve@x.test')).toBe('Eve gnp.exe');
    expect(state.nameFor('sip:anon@x.test')).toBeNull();
  });

  it('creates, updates and deletes through the engine and shows each at once', async () => {
    const { state, engine } = await loaded([bob]);
    const input = {
      name: 'Cleo',
      sipAddresses: [{ uri: 'sip:cleo@x.test', label: null }],
      phoneNumbers: [],
      note: '',
      favorite: false,
      watchPresence: true,
      accountId: null,
    };
    const created = await state.create(input);
    expect(created.ok).toBe(true);
    expect(state.nameFor('sip:cleo@x.test')).toBe('Cleo');
    const id = created.ok ? created.value.id : '';
    await state.update(id, { ...input, name: 'Cleo Ray' });
    expect(state.nameFor('sip:cleo@x.test')).toBe('Cleo Ray');
    await state.remove(id);
    expect(state.nameFor('sip:cleo@x.test')).toBeNull();
    expect(engine.contacts.map((item) => item.id)).toEqual(['bob']);
  });

  it('imports a vCard file through the engine and lists the new contacts', async () => {
    const { state } = await loaded([]);
    const result = await state.importVcard('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dana\r\nEND:VCARD\r\n');
    expect(result).toEqual({ ok: true, value: { imported: 1, skipped: [] } });
    expect(state.list.map((item) => item.name)).toEqual(['Dana']);
  });
});
