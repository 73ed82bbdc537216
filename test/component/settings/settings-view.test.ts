import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SettingsView from '../../../renderer/src/features/settings/SettingsView.svelte';
import { account, status } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const three = [
  account({ id: 'a', displayName: 'Office', order: 0 }),
  account({ id: 'b', displayName: 'Home', order: 1 }),
  account({ id: 'c', displayName: 'Lab', order: 2 }),
];

function accountList() {
  return screen.getByRole('list', { name: 'Accounts' });
}

function editButton(name: string) {
  return within(accountList()).getByRole('button', { name: new RegExp(`^Edit ${name}`) });
}

describe('SettingsView', () => {
  it('adds an account end to end: Add, fill in, Save and test, and it joins the list', async () => {
    const { bridge, app } = await renderWithApp(SettingsView, {});
    expect(screen.getByText('No accounts yet.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Add account' }));
    const aor = screen.getByLabelText('SIP address');
    await fireEvent.input(aor, { target: { value: 'sip:dave@127.0.0.1' } });
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));

    await waitFor(() =>
      expect(within(accountList()).getByRole('button', { name: /dave@127\.0\.0\.1/ })).toBeTruthy(),
    );
    bridge.emit('registration.changed', status({ accountId: 'acc-1', state: 'registered', expires: 3600 }));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Registration test' }).textContent).toContain('Registered'),
    );
    expect(screen.getByRole('heading', { name: 'Edit dave@127.0.0.1' })).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(app.navigation.editing).toBeNull();
    await waitFor(() =>
      expect(document.activeElement).toBe(within(accountList()).getByRole('button', { name: /dave@127/ })),
    );
  });

  it('returns focus to the account that was being edited when Escape closes the editor', async () => {
    const { app } = await renderWithApp(SettingsView, {}, { accounts: three });
    await fireEvent.click(editButton('Home'));
    expect(app.navigation.editing).toEqual({ kind: 'existing', id: 'b' });
    const name = screen.getByLabelText('Display name');
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(name).toHaveProperty('value', 'Home');
    await fireEvent.keyDown(name, { key: 'Escape' });
    expect(screen.queryByLabelText('Display name')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(editButton('Home')));
  });

  it('after a confirmed delete, says so and moves focus to the account that took its place', async () => {
    const { bridge } = await renderWithApp(SettingsView, {}, { accounts: three });
    await fireEvent.click(editButton('Home'));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete account…' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(document.activeElement).toBe(editButton('Lab')));
    expect(bridge.callsOf('accounts.delete')).toEqual([['b']]);
    expect(within(accountList()).queryByRole('button', { name: /^Edit Home/ })).toBeNull();
    expect(screen.getByText('Deleted Home.')).toBeTruthy();
  });

  it('moves focus to "Add account" when the last account is deleted', async () => {
    await renderWithApp(SettingsView, {}, { accounts: three.slice(0, 1) });
    await fireEvent.click(editButton('Office'));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete account…' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add account' })),
    );
  });

  it('registers or stops registering an account from its switch', async () => {
    const { bridge } = await renderWithApp(SettingsView, {}, { accounts: three });
    const toggle = screen.getByRole('switch', { name: 'Register Lab' });
    expect(toggle).toHaveProperty('checked', true);
    await fireEvent.click(toggle);
    await waitFor(() => expect(bridge.callsOf('accounts.setEnabled')).toEqual([['c', false]]));
    await waitFor(() => expect(editButton('Lab').textContent).toContain('Disabled'));
  });

  it('saves the theme choice', async () => {
    const { bridge, app } = await renderWithApp(SettingsView, {}, { accounts: three });
    const dark = screen.getByRole('radio', { name: 'Dark' });
    expect(screen.getByRole('radio', { name: 'Same as the system' })).toHaveProperty('checked', true);
    await fireEvent.click(dark);
    await waitFor(() => expect(bridge.callsOf('settings.update')).toEqual([[{ theme: 'dark' }]]));
    expect(app.settings.value?.theme).toBe('dark');
  });

  it('tells how passwords are protected, in the window’s words for the engine’s kind', async () => {
    await renderWithApp(SettingsView, {}, { accounts: three });
    const line = screen.getByText(
      /^Passwords are encrypted \(AES-256-GCM\) with a key kept in its own file, secret\.key/,
    );
    expect(line.classList.contains('warning')).toBe(false);
  });

  it('marks weak password protection as a warning', async () => {
    await renderWithApp(
      SettingsView,
      {},
      { accounts: three, info: { passwordProtection: { kind: 'os-keychain-weak', detail: 'basic_text' } } },
    );
    const line = screen.getByText(/^Weak protection:/);
    expect(line.classList.contains('warning')).toBe(true);
  });
});
