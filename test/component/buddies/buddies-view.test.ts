// The buddy list: watched contacts with a dot and a word, notes, sorted by status then name, live updates, a filter,
// Call and Chat, and the watchers (new ones marked, the engine told they were seen, "Add to contacts").
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { WatcherDto } from '../../../main/contract/contract';
import BuddiesView from '../../../renderer/src/features/buddies/BuddiesView.svelte';
import { buddy, contact } from '../../support/fake-engine';
import { account } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const office = account({ id: 'office', aor: 'sip:me@pbx.test' });
const watched = (id: string, name: string) => contact({ id, name, watchPresence: true });
const contacts = [
  watched('zoe', 'Zoe'),
  watched('amy', 'Amy'),
  watched('bob', 'Bob'),
  watched('cy', 'Cy'),
  contact({ id: 'not', name: 'Not Watched' }),
];
const buddies = [
  buddy({ contactId: 'zoe', availability: 'available', note: 'Back at 3' }),
  buddy({ contactId: 'amy', availability: 'away' }),
  buddy({ contactId: 'bob', availability: 'available' }),
  buddy({ contactId: 'cy', availability: 'unknown', subscription: 'pending' }),
];

const rows = () =>
  within(screen.getByRole('list', { name: 'Buddies, available first' })).getAllByRole('listitem');
const names = () => rows().map((row) => row.querySelector('.name')?.textContent);

describe('BuddiesView', () => {
  it('lists watched contacts by status then name, each status in words with its note', async () => {
    await renderWithApp(BuddiesView, {}, { contacts, buddies, accounts: [office] });
    expect(names()).toEqual(['Bob', 'Zoe', 'Amy', 'Cy']);
    expect(rows()[1]!.textContent).toContain('Available');
    expect(rows()[1]!.textContent).toContain('Back at 3');
    expect(rows()[2]!.textContent).toContain('Away');
    expect(rows()[3]!.textContent).toContain('Waiting for permission');
    expect(screen.getByText('3 of 4 online')).toBeTruthy();
  });

  it('moves a buddy when their status changes', async () => {
    const { engine } = await renderWithApp(BuddiesView, {}, { contacts, buddies });
    engine.emit('buddy.changed', buddy({ contactId: 'amy', availability: 'available', note: 'Free now' }));
    await waitFor(() => expect(names()).toEqual(['Amy', 'Bob', 'Zoe', 'Cy']));
    expect(rows()[0]!.textContent).toContain('Free now');
    engine.emit('buddy.changed', buddy({ contactId: 'bob', availability: 'on-the-phone' }));
    await waitFor(() => expect(names()).toEqual(['Amy', 'Zoe', 'Bob', 'Cy']));
    expect(rows()[2]!.textContent).toContain('On the phone');
  });

  it('filters by name, address or status', async () => {
    await renderWithApp(BuddiesView, {}, { contacts, buddies });
    const filter = screen.getByRole('searchbox', { name: 'Filter buddies' });
    await fireEvent.input(filter, { target: { value: 'away' } });
    expect(names()).toEqual(['Amy']);
    await fireEvent.input(filter, { target: { value: 'zoe@example' } });
    expect(names()).toEqual(['Zoe']);
    await fireEvent.input(filter, { target: { value: 'nobody' } });
    expect(screen.getByText(/No buddy matches/)).toBeTruthy();
  });

  it('calls and chats through the account the subscription runs on', async () => {
    const { bridge, app } = await renderWithApp(BuddiesView, {}, { contacts, buddies, accounts: [office] });
    await fireEvent.click(screen.getByRole('button', { name: 'Call Zoe' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.dial')).toEqual([
        [{ target: 'sip:zoe@example.test', accountId: 'acc-1' }],
      ]),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Chat with Zoe' }));
    expect(app.navigation.view).toBe('chat');
    expect(app.navigation.chatWith).toEqual({ uri: 'sip:zoe@example.test', accountId: 'acc-1' });
  });

  it('opens the contact from its name', async () => {
    const { app } = await renderWithApp(BuddiesView, {}, { contacts, buddies });
    await fireEvent.click(screen.getByRole('button', { name: 'Zoe' }));
    expect(app.navigation.view).toBe('contacts');
    expect(app.navigation.contactRequest).toEqual({ kind: 'show', id: 'zoe' });
  });

  it('says how to get buddies when none is watched', async () => {
    const { app } = await renderWithApp(BuddiesView, {}, { contacts: [contact({ id: 'x' })] });
    expect(screen.getByText(/No buddies yet/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Open contacts' }));
    expect(app.navigation.view).toBe('contacts');
  });

  it('shows hostile names and notes as text, without controls or direction overrides', async () => {
    await renderWithApp(
      BuddiesView,
      {},
      {
        contacts: [watched('evil', '<script>x</script>\u202eevil')],
        buddies: [buddy({ contactId: 'evil', note: '\u202e<i>note</i>\u0007' })],
      },
    );
    const row = rows()[0]!;
    expect(row.querySelector('script, i')).toBeNull();
    expect(row.querySelector('.name')?.textContent).toBe('<script>x</script> evil');
    expect(row.querySelector('bdi.note')?.textContent).toBe('<i>note</i>');
  });
});

describe('BuddiesView watchers', () => {
  const watcher = (overrides: Partial<WatcherDto> & Pick<WatcherDto, 'uri'>): WatcherDto => ({
    accountId: 'office',
    displayName: null,
    status: 'active',
    firstSeenAt: 1_700_000_000_000,
    isNew: false,
    ...overrides,
  });

  it('marks new watchers, tells the engine they were seen, and keeps the mark while the view is open', async () => {
    const { engine } = await renderWithApp(
      BuddiesView,
      {},
      {
        watchers: [
          watcher({ uri: 'sip:eve@x.test', displayName: 'Eve', isNew: true, status: 'pending' }),
          watcher({ uri: 'sip:old@x.test' }),
        ],
      },
    );
    const section = screen.getByRole('region', { name: 'Who watches your status' });
    const items = within(section).getAllByRole('listitem');
    expect(items[0]!.textContent).toContain('Eve');
    expect(items[0]!.textContent).toContain('New');
    expect(items[0]!.textContent).toContain('Asks to see your status');
    expect(items[1]!.textContent).not.toContain('New');
    await waitFor(() => expect(engine.bridge.callsOf('presence.watchersSeen')).toHaveLength(1));
    expect(engine.watchers.every((item) => !item.isNew)).toBe(true);
    expect(within(section).getAllByRole('listitem')[0]!.textContent).toContain('New');
  });

  it('adds a watcher to the contacts, or shows the contact already holding them', async () => {
    const { app } = await renderWithApp(
      BuddiesView,
      {},
      {
        contacts: [
          contact({ id: 'old', name: 'Old Friend', sipAddresses: [{ uri: 'sip:old@x.test', label: null }] }),
        ],
        watchers: [
          watcher({ uri: 'sip:eve@x.test', displayName: 'Eve' }),
          watcher({ uri: 'sip:old@x.test' }),
        ],
      },
    );
    const section = screen.getByRole('region', { name: 'Who watches your status' });
    expect(within(section).getByText('Old Friend')).toBeTruthy();
    await fireEvent.click(within(section).getByRole('button', { name: 'Show contact Old Friend' }));
    expect(app.navigation.contactRequest).toEqual({ kind: 'show', id: 'old' });
    await fireEvent.click(within(section).getByRole('button', { name: 'Add Eve to contacts' }));
    expect(app.navigation.contactRequest).toEqual({ kind: 'new', uri: 'sip:eve@x.test', name: 'Eve' });
    expect(app.navigation.view).toBe('contacts');
  });
});
