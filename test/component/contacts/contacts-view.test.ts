// The contacts view: the windowed list (5,000 contacts, only the rows in view in the page, keyboard through one tab
// stop), search as you type, favourites, a contact's detail with Call and Chat, the editor (validation from the
// contract's limits, the engine's refusal under its field, unsaved edits protected), delete behind a question,
// vCard import and export, requests from other views, and hostile text kept as text.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ContactDto } from '../../../main/contract/contract';
import ContactsView from '../../../renderer/src/features/contacts/ContactsView.svelte';
import AppFrame from '../../../renderer/src/features/shell/AppFrame.svelte';
import { ServiceError } from '../../../main/services/service-error';
import { buddy, contact } from '../../support/fake-engine';
import { account } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const office = account({ id: 'office', aor: 'sip:me@pbx.example.com' });
const jose = contact({
  id: 'jose',
  name: 'José Álvarez',
  sipAddresses: [
    { uri: 'sip:jose@example.com', label: 'work' },
    { uri: 'sip:jose@home.test', label: 'home' },
  ],
  phoneNumbers: [{ number: '+44 20 7946 0000', label: 'mobile' }],
  note: 'Prefers chat',
  favorite: true,
});
const bob = contact({ id: 'bob', name: 'Bob Stone', watchPresence: true });

const list = () => screen.getByRole('listbox', { name: 'Contacts' });
const options = () => within(list()).getAllByRole('option');
const search = () => screen.getByRole('searchbox', { name: 'Search contacts' });

/** A picked file; jsdom's File has no text(), which browsers have. */
function vcardFile(text: string): File {
  const file = new File([text], 'contacts.vcf', { type: 'text/vcard' });
  Object.defineProperty(file, 'text', { value: () => Promise.resolve(text) });
  return file;
}

function many(count: number): ContactDto[] {
  return Array.from({ length: count }, (_, index) =>
    contact({ id: `c${index}`, name: `Person ${String(index).padStart(4, '0')}` }),
  );
}

describe('ContactsView list and search', () => {
  it('lists contacts by name with their first address, favourite and presence in words', async () => {
    await renderWithApp(
      ContactsView,
      {},
      { contacts: [jose, bob], buddies: [buddy({ contactId: 'bob', availability: 'away' })] },
    );
    const rows = options();
    expect(rows.map((row) => row.querySelector('.name')?.textContent)).toEqual(['Bob Stone', 'José Álvarez']);
    expect(rows[0]!.textContent).toContain('Away');
    expect(rows[1]!.textContent).toContain('jose@example.com');
    expect(rows[1]!.textContent).toContain('favourite');
    expect(screen.getByText('2 contacts').getAttribute('role')).toBe('status');
  });

  it('renders five thousand contacts as a window of rows that know the list’s size', async () => {
    await renderWithApp(ContactsView, {}, { contacts: many(5_000) });
    const rows = options();
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('5000');
    expect(rows[0]!.getAttribute('aria-posinset')).toBe('1');
    expect(screen.getByText('5000 contacts')).toBeTruthy();
  });

  it('moves through the list with the keyboard and brings far rows into the page', async () => {
    await renderWithApp(ContactsView, {}, { contacts: many(5_000) });
    const box = list();
    box.focus();
    await fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(box.getAttribute('aria-activedescendant')).toMatch(/-row-c1$/);
    await fireEvent.keyDown(box, { key: 'End' });
    await waitFor(() => expect(box.getAttribute('aria-activedescendant')).toMatch(/-row-c4999$/));
    // The active row is in the page, so the screen reader can read it.
    const active = document.getElementById(box.getAttribute('aria-activedescendant')!);
    expect(active?.textContent).toContain('Person 4999');
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(await screen.findByRole('heading', { level: 2, name: 'Person 4999' })).toBeTruthy();
  });

  it('shows the matches of a search made far down a long list', async () => {
    await renderWithApp(ContactsView, {}, { contacts: many(5_000) });
    const box = list();
    // Scrolled far down, as a person would before searching.
    box.scrollTop = 4_000 * 56;
    await fireEvent.scroll(box);
    expect(options()[0]!.getAttribute('aria-posinset')).not.toBe('1');
    await fireEvent.input(search(), { target: { value: 'person 000' } });
    // Person 0000–0009 start with the words typed; Person 1000… only contain them.
    const names = options().map((row) => row.querySelector('.name')?.textContent);
    expect(names.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, index) => `Person 000${index}`));
    expect(names.slice(10)).toEqual(['Person 1000', 'Person 2000', 'Person 3000', 'Person 4000']);
  });

  it('searches as you type: accents, addresses and digits, and says how many match', async () => {
    await renderWithApp(ContactsView, {}, { contacts: [jose, bob] });
    await fireEvent.input(search(), { target: { value: 'jose alv' } });
    expect(options().map((row) => row.querySelector('.name')?.textContent)).toEqual(['José Álvarez']);
    expect(screen.getByText('1 match')).toBeTruthy();
    await fireEvent.input(search(), { target: { value: '7946 0000' } });
    expect(options()).toHaveLength(1);
    await fireEvent.input(search(), { target: { value: 'nobody' } });
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(screen.getByText(/No contact matches/).textContent).toContain('nobody');
  });

  it('shows only favourites on request', async () => {
    await renderWithApp(ContactsView, {}, { contacts: [jose, bob] });
    const favourites = screen.getByRole('button', { name: /Favourites/ });
    await fireEvent.click(favourites);
    expect(favourites.getAttribute('aria-pressed')).toBe('true');
    expect(options().map((row) => row.querySelector('.name')?.textContent)).toEqual(['José Álvarez']);
  });

  it('follows contacts.changed from the engine', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, { contacts: [bob] });
    engine.emit('contacts.changed', { upserted: [contact({ id: 'ann', name: 'Ann' })], deleted: ['bob'] });
    await waitFor(() =>
      expect(options().map((row) => row.querySelector('.name')?.textContent)).toEqual(['Ann']),
    );
  });

  it('says so when there is no contact yet', async () => {
    await renderWithApp(ContactsView, {}, {});
    expect(await screen.findByText(/No contacts yet/)).toBeTruthy();
  });
});

describe('ContactsView detail', () => {
  it('shows a contact with a Call for each address and number, and Chat for each address', async () => {
    const { bridge, app } = await renderWithApp(ContactsView, {}, { contacts: [jose], accounts: [office] });
    await fireEvent.click(options()[0]!);
    expect(screen.getByRole('heading', { level: 2, name: /José Álvarez/ })).toBeTruthy();
    expect(screen.getByText('Prefers chat')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Call José Álvarez at jose@home.test' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Call José Álvarez on +44 20 7946 0000' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.dial')).toEqual([
        [{ target: 'sip:jose@home.test', accountId: 'office' }],
        [{ target: 'sip:+442079460000@pbx.example.com', accountId: 'office' }],
      ]),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Chat with José Álvarez at jose@example.com' }));
    expect(app.navigation.view).toBe('chat');
    expect(app.navigation.chatWith).toEqual({ uri: 'sip:jose@example.com', accountId: 'office' });
  });

  it('says why a number cannot be called without an account', async () => {
    await renderWithApp(ContactsView, {}, { contacts: [jose] });
    await fireEvent.click(options()[0]!);
    await fireEvent.click(screen.getByRole('button', { name: 'Call José Álvarez on +44 20 7946 0000' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Choose an account to call a number/);
  });

  it('deletes a contact only after the question is answered', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, { contacts: [jose, bob] });
    await fireEvent.click(options()[1]!);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('José Álvarez');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Keep contact' }));
    expect(engine.contacts).toHaveLength(2);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete contact' }));
    await waitFor(() => expect(engine.contacts.map((item) => item.id)).toEqual(['bob']));
    expect(options()).toHaveLength(1);
    expect(screen.queryByRole('heading', { level: 2, name: /José/ })).toBeNull();
  });

  it('shows a contact another view asked for', async () => {
    const { app } = await renderWithApp(ContactsView, {}, { contacts: [jose, bob] });
    app.navigation.showContact('bob');
    expect(await screen.findByRole('heading', { level: 2, name: 'Bob Stone' })).toBeTruthy();
    expect(app.navigation.contactRequest).toBeNull();
  });
});

describe('ContactsView editor', () => {
  it('creates a contact with several addresses and numbers, labels, note and flags', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, { accounts: [office] });
    await fireEvent.click(screen.getByRole('button', { name: 'New contact' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' })));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'Cleo Ray' } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'SIP address 1' }), {
      target: { value: 'cleo@example.com' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Add a SIP address' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'SIP address 2' }), {
      target: { value: 'sip:cleo@home.test' },
    });
    const labels = screen.getAllByRole('combobox', { name: 'Label' });
    await fireEvent.input(labels[1]!, { target: { value: 'home' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add a phone number' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Phone number 1' }), {
      target: { value: '+1 (555) 010-0000' },
    });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Note' }), {
      target: { value: 'Met at\nthe lab' },
    });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Favourite' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Watch presence' }));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Account' }), {
      target: { value: 'office' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(engine.contacts).toHaveLength(1));
    expect(engine.contacts[0]).toMatchObject({
      name: 'Cleo Ray',
      sipAddresses: [
        { uri: 'sip:cleo@example.com', label: null },
        { uri: 'sip:cleo@home.test', label: 'home' },
      ],
      phoneNumbers: [{ number: '+1 (555) 010-0000', label: null }],
      note: 'Met at\nthe lab',
      favorite: true,
      watchPresence: true,
      accountId: 'office',
    });
    expect(await screen.findByRole('heading', { level: 2, name: /Cleo Ray/ })).toBeTruthy();
  });

  it('explains problems under their fields and focuses the first, without sending', async () => {
    const { bridge } = await renderWithApp(ContactsView, {}, {});
    await fireEvent.click(screen.getByRole('button', { name: 'New contact' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'SIP address 1' }), {
      target: { value: 'sip:a b' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Add a phone number' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Phone number 1' }), {
      target: { value: 'call me' },
    });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), {
      target: { value: 'x'.repeat(201) },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const name = screen.getByRole('textbox', { name: 'Name' });
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toBe(
      'The name can be at most 200 characters.',
    );
    expect(screen.getByText(/Remove the spaces/)).toBeTruthy();
    expect(screen.getByText(/A phone number may hold digits/)).toBeTruthy();
    expect(bridge.callsOf('contacts.create')).toEqual([]);
  });

  it('asks for something to save and a SIP address to watch', async () => {
    await renderWithApp(ContactsView, {}, {});
    await fireEvent.click(screen.getByRole('button', { name: 'New contact' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Watch presence' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByText('Give a name, a SIP address or a phone number.')).toBeTruthy();
    expect(screen.getByText('Watching presence needs a SIP address.')).toBeTruthy();
  });

  it('puts the engine’s refusal under the field it names', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, { contacts: [jose] });
    engine.override('contacts.update', () => {
      throw new ServiceError('invalid-argument', 'That address is already Bob’s', {
        field: 'sipAddresses.1.uri',
      });
    });
    await fireEvent.click(options()[0]!);
    await fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'José A.' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const second = screen.getByRole('textbox', { name: 'SIP address 2' });
    await waitFor(() => expect(document.activeElement).toBe(second));
    expect(document.getElementById(second.getAttribute('aria-describedby')!)?.textContent).toBe(
      'That address is already Bob’s',
    );
  });

  it('says why a save failed for another reason', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, {});
    engine.override('contacts.create', () => {
      throw new ServiceError('storage', 'The disk is full.');
    });
    await fireEvent.click(screen.getByRole('button', { name: 'New contact' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'Dana' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The contact was not saved: The disk is full.',
    );
  });

  it('removes an address row and saves without it', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, { contacts: [jose] });
    await fireEvent.click(options()[0]!);
    await fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove sip address 1' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(engine.contacts[0]?.sipAddresses).toEqual([{ uri: 'sip:jose@home.test', label: 'home' }]),
    );
  });

  it('opens prefilled from "Add to contacts" elsewhere', async () => {
    const { app } = await renderWithApp(ContactsView, {}, {});
    app.navigation.addContact('sip:eve@example.com', 'Eve');
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Name' })).toHaveProperty('value', 'Eve'));
    expect(screen.getByRole('textbox', { name: 'SIP address 1' })).toHaveProperty(
      'value',
      'sip:eve@example.com',
    );
  });
});

describe('ContactsView unsaved edits', () => {
  it('asks before leaving the view with unsaved edits, and keeps them on "Keep editing"', async () => {
    const { app } = await renderWithApp(AppFrame, {}, { contacts: [jose], accounts: [office] });
    const nav = screen.getByRole('navigation', { name: 'Views' });
    await fireEvent.click(within(nav).getByRole('button', { name: 'Contacts' }));
    await fireEvent.click(options()[0]!);
    await fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'Changed' } });
    await fireEvent.click(within(nav).getByRole('button', { name: 'History' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('The contact you are editing has changes that are not saved.');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Keep editing' }));
    expect(app.navigation.view).toBe('contacts');
    expect(screen.getByRole('textbox', { name: 'Name' })).toHaveProperty('value', 'Changed');
    // Escape asks too; "Discard changes" then closes the editor.
    await fireEvent.keyDown(screen.getByRole('textbox', { name: 'Name' }), { key: 'Escape' });
    await fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(screen.queryByRole('textbox', { name: 'Name' })).toBeNull();
    expect(screen.getByRole('heading', { level: 2, name: /José/ })).toBeTruthy();
  });

  it('leaves at once when nothing was changed', async () => {
    const { app } = await renderWithApp(AppFrame, {}, { contacts: [jose], accounts: [office] });
    const nav = screen.getByRole('navigation', { name: 'Views' });
    await fireEvent.click(within(nav).getByRole('button', { name: 'Contacts' }));
    await fireEvent.click(options()[0]!);
    await fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    await fireEvent.click(within(nav).getByRole('button', { name: 'History' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(app.navigation.view).toBe('history');
  });
});

describe('ContactsView vCard', () => {
  it('imports a chosen file and says what came of it, skipped cards with their reasons', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, {});
    engine.override('contacts.importVcard', () => ({
      imported: 2,
      skipped: [{ index: 2, reason: 'no FN, N, address or number' }],
    }));
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    const file = vcardFile('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n');
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await fireEvent.change(input);
    await waitFor(() => expect(screen.getByText('Imported 2 contacts. 1 card was skipped.')).toBeTruthy());
    expect(engine.bridge.callsOf('contacts.importVcard')).toEqual([
      ['BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n'],
    ]);
    expect(screen.getByText(/Card 3:/).textContent).toContain('no FN, N, address or number');
  });

  it('says why a file was not imported', async () => {
    const { engine } = await renderWithApp(ContactsView, {}, {});
    engine.override('contacts.importVcard', () => {
      throw new ServiceError('invalid-argument', 'Not a vCard file');
    });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    Object.defineProperty(input, 'files', { value: [vcardFile('hello')], configurable: true });
    await fireEvent.change(input);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The file was not imported: Not a vCard file',
    );
  });

  it('exports every contact in the chosen version as contacts.vcf', async () => {
    const saved: [string, string][] = [];
    const { bridge } = await renderWithApp(
      ContactsView,
      { saveFile: (name: string, text: string) => saved.push([name, text]) },
      { contacts: [jose] },
    );
    await fireEvent.change(screen.getByRole('combobox', { name: 'vCard version' }), {
      target: { value: '3.0' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Export all' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(bridge.callsOf('contacts.exportVcard')).toEqual([[null, '3.0']]);
    expect(saved[0]![0]).toBe('contacts.vcf');
    expect(saved[0]![1]).toContain('VERSION:3.0');
    expect(screen.getByText('Exported 1 contact as vCard 3.0.')).toBeTruthy();
  });
});

describe('ContactsView hostile text', () => {
  it('shows names and notes as text, and bidirectional overrides cannot reorder the page', async () => {
    const evil = contact({
      id: 'evil',
      name: '<img src=x onerror=alert(1)>\u202eevil',
      note: '<b>bold</b>\u202e reversed',
      sipAddresses: [{ uri: 'sip:evil\u202emoc@x.test', label: 'wo\u202erk' }],
    });
    await renderWithApp(ContactsView, {}, { contacts: [evil] });
    const row = options()[0]!;
    expect(row.querySelector('img')).toBeNull();
    // The override character is gone from the name, and the name sits in its own bidi isolate.
    const name = row.querySelector('bdi.name')!;
    expect(name.textContent).toBe('<img src=x onerror=alert(1)> evil');
    await fireEvent.click(row);
    const note = screen.getByText(/reversed/);
    expect(note.querySelector('b')).toBeNull();
    expect(note.getAttribute('dir')).toBe('auto');
    // Addresses and labels lose their overrides too.
    const addresses = screen.getByRole('region', { name: 'SIP addresses' });
    expect(addresses.textContent).toContain('evil moc@x.test');
    expect(addresses.textContent).toContain('wo rk');
    expect(addresses.textContent).not.toContain('\u202e');
    expect(row.textContent).not.toContain('\u202e');
  });
});
