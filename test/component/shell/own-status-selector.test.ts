// Our own status in the frame: what watchers see in words (automatic states, mixed accounts, publication problems),
// a labelled, keyboard-operable panel to choose a status and note for all accounts or one, and nothing without an
// account that publishes.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import OwnStatusSelector from '../../../renderer/src/features/shell/OwnStatusSelector.svelte';
import { ServiceError } from '../../../main/services/service-error';
import { ownPresence } from '../../support/fake-engine';
import { account } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const home = account({ id: 'home', aor: 'sip:me@home.test', displayName: 'Home' });
const work = account({ id: 'work', aor: 'sip:me@work.test', displayName: 'Work', order: 1 });
const toggle = () => screen.getByRole('button', { name: /^Your status:/ });

describe('OwnStatusSelector', () => {
  it('says what watchers see, including automatic states', async () => {
    const { engine } = await renderWithApp(
      OwnStatusSelector,
      {},
      { accounts: [home], own: [ownPresence({ accountId: 'home', published: 'away', automatic: 'idle' })] },
    );
    expect(toggle().getAttribute('aria-label')).toBe('Your status: Away (idle). Change');
    engine.emit(
      'presence.changed',
      ownPresence({ accountId: 'home', published: 'on-the-phone', automatic: 'call' }),
    );
    await waitFor(() => expect(toggle().textContent).toContain('On the phone'));
  });

  it('says when the status is not published or goes peer-to-peer, with the technical line in the panel', async () => {
    await renderWithApp(
      OwnStatusSelector,
      {},
      {
        accounts: [home, work],
        own: [
          ownPresence({
            accountId: 'home',
            publication: 'failed',
            detail: '403 Forbidden from 127.0.0.1:5060',
          }),
          ownPresence({ accountId: 'work', publication: 'peer-to-peer' }),
        ],
      },
    );
    expect(toggle().getAttribute('aria-label')).toBe('Your status: Available, not published. Change');
    await fireEvent.click(toggle());
    const lines = within(screen.getByRole('list', { name: 'What each account publishes' })).getAllByRole(
      'listitem',
    );
    expect(lines[0]!.textContent).toContain('Not published (403 Forbidden from 127.0.0.1:5060)');
    expect(lines[1]!.textContent).toContain('Peer-to-peer');
  });

  it('sets a status and note for every account, announces it and returns focus', async () => {
    const { bridge } = await renderWithApp(
      OwnStatusSelector,
      {},
      {
        accounts: [home, work],
        own: [ownPresence({ accountId: 'home' }), ownPresence({ accountId: 'work' })],
      },
    );
    await fireEvent.click(toggle());
    const dialog = screen.getByRole('dialog', { name: 'Your status' });
    const available = within(dialog).getByRole('radio', { name: 'Available' });
    await waitFor(() => expect(document.activeElement).toBe(available));
    await fireEvent.click(within(dialog).getByRole('radio', { name: 'Do not disturb' }));
    await fireEvent.input(within(dialog).getByRole('textbox', { name: 'Note' }), {
      target: { value: ' Focus time ' },
    });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Set status' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(bridge.callsOf('presence.setStatus')).toEqual([
      [{ accountId: null, status: 'dnd', note: 'Focus time' }],
    ]);
    expect(toggle().textContent).toContain('Do not disturb');
    expect(screen.getByText('Your status is Do not disturb.')).toBeTruthy();
    expect(document.activeElement).toBe(toggle());
  });

  it('sets one account only, starting from that account’s status and note', async () => {
    const { bridge } = await renderWithApp(
      OwnStatusSelector,
      {},
      {
        accounts: [home, work],
        own: [
          ownPresence({ accountId: 'home' }),
          ownPresence({ accountId: 'work', status: 'busy', published: 'busy', note: 'Deadline' }),
        ],
      },
    );
    await fireEvent.click(toggle());
    expect(toggle().textContent).toContain('Mixed');
    await fireEvent.change(screen.getByRole('combobox', { name: 'For' }), { target: { value: 'work' } });
    expect(screen.getByRole('radio', { name: 'Busy' })).toHaveProperty('checked', true);
    expect(screen.getByRole('textbox', { name: 'Note' })).toHaveProperty('value', 'Deadline');
    await fireEvent.click(screen.getByRole('radio', { name: 'Appear offline' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Note' }), { target: { value: '' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Set status' }));
    await waitFor(() =>
      expect(bridge.callsOf('presence.setStatus')).toEqual([
        [{ accountId: 'work', status: 'offline', note: null }],
      ]),
    );
    expect(screen.getByText('Your status is Appear offline on Work.')).toBeTruthy();
  });

  it('closes on Escape without changing anything', async () => {
    const { bridge } = await renderWithApp(
      OwnStatusSelector,
      {},
      { accounts: [home], own: [ownPresence({ accountId: 'home' })] },
    );
    await fireEvent.click(toggle());
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    await fireEvent.keyDown(screen.getByRole('radio', { name: 'Away' }), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(toggle());
    expect(bridge.callsOf('presence.setStatus')).toEqual([]);
  });

  it('says why the status was not changed', async () => {
    const { engine } = await renderWithApp(
      OwnStatusSelector,
      {},
      { accounts: [home], own: [ownPresence({ accountId: 'home' })] },
    );
    engine.override('presence.setStatus', () => {
      throw new ServiceError('unavailable', 'Presence is not available yet');
    });
    await fireEvent.click(toggle());
    await fireEvent.click(screen.getByRole('button', { name: 'Set status' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Your status was not changed: Presence is not available yet',
    );
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('is not shown while no account publishes', async () => {
    await renderWithApp(OwnStatusSelector, {}, { accounts: [home] });
    expect(screen.queryByRole('button', { name: /Your status/ })).toBeNull();
  });
});
