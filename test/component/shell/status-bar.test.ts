import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import StatusBar from '../../../renderer/src/features/shell/StatusBar.svelte';
import { account, status, wrongPassword } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const accounts = [
  account({ id: 'a', displayName: 'Office', order: 0 }),
  account({ id: 'b', displayName: 'Home', order: 1 }),
  account({ id: 'c', displayName: '', aor: 'sip:carol@127.0.0.1', order: 2 }),
  account({ id: 'd', displayName: 'Old', enabled: false, order: 3 }),
];

function bar() {
  return screen.getByRole('region', { name: 'Registration status' });
}

function entry(name: RegExp) {
  return within(bar()).getByRole('button', { name });
}

describe('StatusBar', () => {
  it('shows each account in its state: registered, registering, failed with a short reason, disabled', async () => {
    await renderWithApp(
      StatusBar,
      {},
      {
        accounts,
        statuses: [
          status({ accountId: 'a', state: 'registered', expires: 3600 }),
          status({ accountId: 'b', state: 'registering' }),
          wrongPassword('c'),
        ],
      },
    );
    expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Registered');
    expect(entry(/^Home:/).getAttribute('aria-label')).toBe('Home: Registering…');
    expect(entry(/^carol@127\.0\.0\.1:/).getAttribute('aria-label')).toBe(
      'carol@127.0.0.1: Failed: wrong password',
    );
    expect(entry(/^carol/).getAttribute('title')).toBe('The password was not accepted.');
    expect(entry(/^Old:/).getAttribute('aria-label')).toBe('Old: Disabled');
    // Visible text matches what is announced.
    expect(entry(/^carol/).textContent).toContain('Failed: wrong password');
    expect(entry(/^Office/).className).toContain('tone-ok');
    expect(entry(/^Home/).className).toContain('tone-busy');
    expect(entry(/^carol/).className).toContain('tone-failed');
    expect(entry(/^Old/).className).toContain('tone-off');
  });

  it('updates live from registration and account events, and announces failures', async () => {
    const { bridge } = await renderWithApp(StatusBar, {}, { accounts: accounts.slice(0, 1) });
    expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Not registered');

    bridge.emit('registration.changed', status({ accountId: 'a', state: 'registering' }));
    await waitFor(() => expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Registering…'));
    bridge.emit('registration.changed', status({ accountId: 'a', state: 'registered' }));
    await waitFor(() => expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Registered'));
    bridge.emit('registration.changed', { ...wrongPassword('a') });
    await waitFor(() =>
      expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Failed: wrong password'),
    );
    const live = bar().querySelector('[aria-live="polite"]');
    expect(live?.textContent).toBe('Office: Failed: wrong password');

    bridge.emit('accounts.changed', [
      ...accounts.slice(0, 1),
      account({ id: 'n', displayName: 'New', order: 5 }),
    ]);
    await waitFor(() => expect(entry(/^New:/).getAttribute('aria-label')).toBe('New: Not registered'));
    bridge.emit('accounts.changed', [account({ id: 'a', displayName: 'Office', enabled: false })]);
    await waitFor(() => expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Disabled'));
    expect(within(bar()).queryByRole('button', { name: /^New:/ })).toBeNull();
  });

  it('opens the account in Settings when its entry is activated', async () => {
    const { app } = await renderWithApp(StatusBar, {}, { accounts });
    await fireEvent.click(entry(/^Home:/));
    expect(app.navigation.view).toBe('settings');
    expect(app.navigation.editing).toEqual({ kind: 'existing', id: 'b' });
  });

  it('invites to add an account when there is none', async () => {
    const { app } = await renderWithApp(StatusBar, {});
    expect(bar().textContent).toContain('No accounts yet.');
    await fireEvent.click(within(bar()).getByRole('button', { name: 'Add one' }));
    expect(app.navigation.editing).toEqual({ kind: 'new' });
  });

  it('says when the link to the engine is down, and when it is back', async () => {
    const { bridge } = await renderWithApp(StatusBar, {}, { accounts });
    expect(bar().textContent).not.toContain('Reconnecting');
    bridge.setConnection({ kind: 'connecting', attempt: 1 });
    await waitFor(() =>
      expect(bar().textContent).toContain('Lost the connection to the engine. Reconnecting…'),
    );
    bridge.setConnection({ kind: 'connecting', attempt: 7 });
    await waitFor(() => expect(bar().textContent).toContain('Cannot reach the engine.'));
    bridge.setConnection({ kind: 'open' });
    await waitFor(() => expect(bar().textContent).not.toContain('engine'));
  });
});
