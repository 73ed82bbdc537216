import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { AccountDto } from '../../../main/contract/contract';
import AccountEditor from '../../../renderer/src/features/settings/AccountEditor.svelte';
import { account, status, wrongPassword } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const alice = account({
  id: 'acc-alice',
  displayName: 'Alice',
  aor: 'sip:alice@127.0.0.1',
  authUser: 'alice-auth',
  outboundProxy: 'sip:127.0.0.1:5060',
  transport: 'tcp',
  expires: 600,
  hasPassword: true,
});

async function openEditor(existing: AccountDto | null = null, extra: { statuses?: never[] } = {}) {
  const onclose = vi.fn();
  const view = await renderWithApp(
    AccountEditor,
    { account: existing, onclose },
    { accounts: existing ? [existing] : [], ...extra },
  );
  return { ...view, onclose };
}

/** The error message tied to an input through aria-describedby, if any. */
function errorFor(input: HTMLElement): string | null {
  const ids = input.getAttribute('aria-describedby')?.split(' ') ?? [];
  const error = ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains('error'));
  return error?.textContent?.trim() ?? null;
}

async function type(label: string | RegExp, value: string) {
  const input = screen.getByLabelText(label);
  await fireEvent.input(input, { target: { value } });
  return input;
}

async function fill(values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) await type(label, value);
}

describe('AccountEditor validation', () => {
  it('adds sip: to an address typed without it when the field is left, and shows the corrected value', async () => {
    await openEditor();
    const aor = await type('SIP address', 'alice@example.com');
    await fireEvent.blur(aor);
    expect(aor).toHaveProperty('value', 'sip:alice@example.com');
    expect(errorFor(aor)).toBeNull();
    const note = document.getElementById(
      aor
        .getAttribute('aria-describedby')!
        .split(' ')
        .find((id) => id.endsWith('-note'))!,
    );
    expect(note?.textContent).toBe('Added sip: in front: sip:alice@example.com');
  });

  it('waits for a pointer press to end before correcting a field, so the click lands where it was aimed', async () => {
    await openEditor();
    const aor = await type('SIP address', 'alice@example.com');
    const enabled = screen.getByLabelText('Register this account');
    await fireEvent.pointerDown(enabled);
    await fireEvent.blur(aor, { relatedTarget: enabled });
    expect(aor).toHaveProperty('value', 'alice@example.com');
    await fireEvent.pointerUp(enabled);
    expect(aor).toHaveProperty('value', 'sip:alice@example.com');
  });

  it('explains an address that sip: alone cannot fix, and clears it as the person fixes it', async () => {
    await openEditor();
    const aor = await type('SIP address', 'example.com');
    expect(errorFor(aor)).toBeNull();

    await fireEvent.blur(aor);
    expect(errorFor(aor)).toBe(
      'Start with sip: and put your user name in front, as in sip:alice@example.com.',
    );
    expect(aor.getAttribute('aria-invalid')).toBe('true');

    await fireEvent.input(aor, { target: { value: 'sip:alice@' } });
    expect(errorFor(aor)).toBe('Add the server name or IP address after @.');

    await fireEvent.input(aor, { target: { value: 'sip:alice@example.com' } });
    expect(errorFor(aor)).toBeNull();
    expect(aor.hasAttribute('aria-invalid')).toBe(false);
  });

  it('holds a message back while focus moves to a button, so the click is not pushed off its target', async () => {
    await openEditor();
    const expires = await type(/Registration interval/, '10');
    const save = screen.getByRole('button', { name: 'Save and test' });
    await fireEvent.blur(expires, { relatedTarget: save });
    expect(errorFor(expires)).toBeNull();
    await fireEvent.click(save);
    expect(errorFor(expires)).toBe('Use at least 30 seconds.');
  });

  it('asks for the user part of the address and checks the proxy URI', async () => {
    await openEditor();
    const aor = await type('SIP address', 'sip:example.com');
    await fireEvent.blur(aor);
    expect(errorFor(aor)).toBe(
      'Add the user name and @ in front of the server, as in sip:alice@example.com.',
    );

    const proxy = await type('Outbound proxy', 'sip:proxy..example.com');
    await fireEvent.blur(proxy);
    expect(errorFor(proxy)).toBe('"proxy..example.com" has an empty part between dots.');
    await fireEvent.input(proxy, { target: { value: 'sip:192.0.2.10:70000' } });
    expect(errorFor(proxy)).toBe('The port must be a number from 0 to 65535.');
    await fireEvent.input(proxy, { target: { value: '' } });
    expect(errorFor(proxy)).toBeNull();
  });

  it('keeps the registration interval between 30 and 86400 seconds', async () => {
    await openEditor();
    const expires = await type(/Registration interval/, '10');
    await fireEvent.blur(expires);
    expect(errorFor(expires)).toBe('Use at least 30 seconds.');
    await fireEvent.input(expires, { target: { value: '90000' } });
    expect(errorFor(expires)).toBe('Use at most 86400 seconds (one day).');
    await fireEvent.input(expires, { target: { value: 'ten' } });
    expect(errorFor(expires)).toBe('Enter a whole number of seconds from 30 to 86400.');
    await fireEvent.input(expires, { target: { value: '86400' } });
    expect(errorFor(expires)).toBeNull();
  });

  it('on save with problems, shows every message, focuses the first bad field and sends nothing', async () => {
    const { bridge } = await openEditor();
    await type(/Registration interval/, '5');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));

    const aor = screen.getByLabelText('SIP address');
    expect(errorFor(aor)).toBe('Enter a SIP address such as sip:alice@example.com.');
    expect(errorFor(screen.getByLabelText(/Registration interval/))).toBe('Use at least 30 seconds.');
    await waitFor(() => expect(document.activeElement).toBe(aor));
    expect(bridge.callsOf('accounts.create')).toEqual([]);
  });

  it('shows a validation error the engine returned under the field it names', async () => {
    const { bridge } = await openEditor();
    bridge.handle('accounts.create', () => ({
      ok: false,
      error: { code: 'invalid-argument', message: 'Address needs a user part', field: 'aor' },
    }));
    await type('SIP address', 'sip:alice@example.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));

    const aor = screen.getByLabelText('SIP address');
    await waitFor(() => expect(errorFor(aor)).toBe('Address needs a user part'));
    expect(document.activeElement).toBe(aor);
    await fireEvent.input(aor, { target: { value: 'sip:alice@example.org' } });
    expect(errorFor(aor)).toBeNull();
  });
});

describe('AccountEditor saving', () => {
  it('creates the account with exactly the typed values, then starts a registration', async () => {
    const { bridge } = await openEditor();
    await fill({
      'Display name': '  Alice  ',
      'SIP address': 'sip:alice@127.0.0.1',
      'Authentication user': '',
      Password: 'secret',
      'Outbound proxy': 'sip:127.0.0.1:5060;lr',
    });
    await type(/Registration interval/, '600');
    await fireEvent.click(screen.getByLabelText('TCP'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));

    await waitFor(() => expect(bridge.callsOf('accounts.registerNow')).toEqual([['acc-1']]));
    expect(bridge.callsOf('accounts.create')).toEqual([
      [
        {
          displayName: 'Alice',
          aor: 'sip:alice@127.0.0.1',
          authUser: null,
          password: 'secret',
          outboundProxy: 'sip:127.0.0.1:5060;lr',
          registrar: null,
          transport: 'tcp',
          expires: 600,
          keepAliveSeconds: 0,
          keepAliveKind: 'crlf',
          enabled: true,
          codecs: ['opus', 'pcmu', 'pcma'],
          earlyMedia: false,
          doNotDisturb: false,
          presenceListUri: null,
        },
      ],
    ]);
    // The password is write-only: the field empties and says one is saved.
    expect(screen.getByLabelText('Password')).toHaveProperty('value', '');
    expect(screen.getByText('Saved')).toBeTruthy();
  });

  it('updates an existing account without sending a password when the field is left empty', async () => {
    const { bridge } = await openEditor(alice);
    expect(screen.getByText('Saved')).toBeTruthy();
    expect(screen.getByLabelText('Password').getAttribute('placeholder')).toBe(
      'Leave empty to keep the saved password',
    );
    await type('Display name', 'Alice at work');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));

    await waitFor(() => expect(bridge.callsOf('accounts.update')).toHaveLength(1));
    const [id, input] = bridge.callsOf('accounts.update')[0]!;
    expect(id).toBe('acc-alice');
    expect(input).toEqual({
      displayName: 'Alice at work',
      aor: 'sip:alice@127.0.0.1',
      authUser: 'alice-auth',
      outboundProxy: 'sip:127.0.0.1:5060',
      registrar: null,
      transport: 'tcp',
      expires: 600,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
      codecs: ['opus', 'pcmu', 'pcma'],
      earlyMedia: false,
      doNotDisturb: false,
      presenceListUri: null,
    });
    expect('password' in input).toBe(false);
  });

  it('saves a disabled account without testing it', async () => {
    const { bridge } = await openEditor(alice);
    await fireEvent.click(screen.getByLabelText('Register this account'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved. The account is disabled, so it was not registered.');
    expect(bridge.callsOf('accounts.update')[0]?.[1]).toMatchObject({ enabled: false });
    expect(bridge.callsOf('accounts.registerNow')).toEqual([]);
  });

  it('follows the registration live and, on failure, shows the summary with the technical line below', async () => {
    const { bridge } = await openEditor(alice, {});
    // A failure from before the save must not be shown as this test's outcome.
    bridge.emit(
      'registration.changed',
      status({ accountId: alice.id, state: 'failed', failure: 'forbidden', detail: 'Old news.' }),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));

    const progress = await screen.findByRole('status', { name: 'Registration test' });
    expect(progress.getAttribute('aria-live')).toBe('polite');
    expect(progress.textContent).toContain('Registering…');
    expect(progress.textContent).not.toContain('Old news.');
    await waitFor(() => expect(document.activeElement).toBe(progress));

    bridge.emit('registration.changed', status({ accountId: alice.id, state: 'registering' }));
    bridge.emit('registration.changed', status({ accountId: 'someone-else', state: 'registered' }));
    await waitFor(() => expect(progress.textContent).toContain('Contacting the server'));

    bridge.emit('registration.changed', { ...wrongPassword(alice.id), retryInMs: 30_000 });
    await waitFor(() => expect(progress.textContent).toContain('The password was not accepted.'));
    const summary = within(progress).getByText('The password was not accepted.');
    const detail = within(progress).getByText('401 Unauthorized');
    // The detail line comes after (below) the summary.
    expect(summary.compareDocumentPosition(detail) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(progress.textContent).toContain('Trying again in 30 seconds.');
  });

  it('words a failure from its code, with the status code when there is no detail', async () => {
    const { bridge } = await openEditor(alice);
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    const progress = await screen.findByRole('status', { name: 'Registration test' });
    bridge.emit(
      'registration.changed',
      status({ accountId: alice.id, state: 'failed', failure: 'timeout', status: 408 }),
    );
    await waitFor(() => expect(progress.textContent).toContain('The server did not answer in time.'));
    expect(progress.textContent).toContain('SIP status 408');
  });

  it('says Registered when the server accepts the account', async () => {
    const { bridge } = await openEditor(alice);
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    const progress = await screen.findByRole('status', { name: 'Registration test' });
    bridge.emit('registration.changed', status({ accountId: alice.id, state: 'registered', expires: 600 }));
    await waitFor(() => expect(progress.textContent).toContain('Registered'));
    expect(progress.textContent).toContain('for 600 seconds');
    expect(screen.getByRole('button', { name: 'Done' })).toBeTruthy();
  });

  it('shows why a save failed when the engine refuses it', async () => {
    const { bridge } = await openEditor(alice);
    bridge.handle('accounts.update', () => ({
      ok: false,
      error: { code: 'storage', message: 'The database is read-only.' },
    }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The database is read-only.');
    await waitFor(() => expect(document.activeElement).toBe(alert));
    expect(bridge.callsOf('accounts.registerNow')).toEqual([]);
  });
});

describe('AccountEditor keyboard and delete', () => {
  it('puts the cursor in the first field, and Escape closes the editor', async () => {
    const { onclose } = await openEditor(alice);
    const name = screen.getByLabelText('Display name');
    await waitFor(() => expect(document.activeElement).toBe(name));
    await fireEvent.keyDown(name, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledWith({ accountId: 'acc-alice', deleted: false });
  });

  it('asks before deleting, and Keep or Escape backs out without deleting', async () => {
    const { bridge, onclose } = await openEditor(alice);
    const deleteButton = screen.getByRole('button', { name: 'Delete account…' });
    await fireEvent.click(deleteButton);

    const question = screen.getByRole('group', { name: /Delete Alice\?/ });
    const keep = within(question).getByRole('button', { name: 'Keep account' });
    await waitFor(() => expect(document.activeElement).toBe(keep));
    await fireEvent.click(keep);
    expect(screen.queryByRole('group', { name: /Delete Alice\?/ })).toBeNull();
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Delete account…' })),
    );

    await fireEvent.click(screen.getByRole('button', { name: 'Delete account…' }));
    await fireEvent.keyDown(screen.getByRole('button', { name: 'Keep account' }), { key: 'Escape' });
    expect(screen.queryByRole('group', { name: /Delete Alice\?/ })).toBeNull();
    expect(onclose).not.toHaveBeenCalled();
    expect(bridge.callsOf('accounts.delete')).toEqual([]);
  });

  it('deletes after confirmation', async () => {
    const { bridge, onclose } = await openEditor(alice);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete account…' }));
    const question = screen.getByRole('group', { name: /Delete Alice\?/ });
    await fireEvent.click(within(question).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(onclose).toHaveBeenCalledWith({ accountId: 'acc-alice', deleted: true }));
    expect(bridge.callsOf('accounts.delete')).toEqual([['acc-alice']]);
  });

  it('offers no delete for an account that was never saved', async () => {
    await openEditor();
    expect(screen.queryByRole('button', { name: 'Delete account…' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Add an account' })).toBeTruthy();
  });
});

describe('AccountEditor current status', () => {
  it('shows why an account is red whenever its editor is open: state, reason and SIP detail, live', async () => {
    const { bridge } = await renderWithApp(
      AccountEditor,
      { account: alice, onclose: vi.fn() },
      { accounts: [alice], statuses: [{ ...wrongPassword(alice.id), retryInMs: 12_000 }] },
    );
    const now = screen.getByRole('group', { name: 'Now: Failed' });
    expect(now.textContent).toContain('The password was not accepted.');
    expect(within(now).getByText('401 Unauthorized').className).toContain('mono');
    // The live line the engine's retry plan counts down from ("… · retrying in 12 s").
    expect(now.textContent).toContain('Password not accepted · retrying in 12 s');

    bridge.emit('registration.changed', status({ accountId: alice.id, state: 'registered', expires: 600 }));
    await waitFor(() => expect(screen.getByRole('group', { name: 'Now: Registered' })).toBeTruthy());
    expect(screen.getByRole('group', { name: 'Now: Registered' }).textContent).toContain('600 seconds');

    // During "Save and test" the progress box takes over, so the failure is not said twice.
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await screen.findByRole('status', { name: 'Registration test' });
    expect(screen.queryByRole('group', { name: /^Now:/ })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Done' }));
  });

  it('says a disabled account is kept but not registered, and shows nothing for an account not saved yet', async () => {
    await openEditor({ ...alice, enabled: false });
    expect(screen.getByRole('group', { name: 'Now: Disabled' }).textContent).toContain('not registered');
  });

  it('has no status for a new account', async () => {
    await openEditor();
    expect(screen.queryByRole('group', { name: /^Now:/ })).toBeNull();
  });
});

describe('AccountEditor password wording', () => {
  it('calls an empty password "no password set" and says when that is fine', async () => {
    await openEditor();
    const password = screen.getByLabelText('Password');
    expect(password.getAttribute('placeholder')).toBe('No password set');
    expect(document.getElementById(password.getAttribute('aria-describedby')!)?.textContent).toContain(
      'Leave empty if your provider needs no password.',
    );
  });

  it('never calls a challenge to an account without a password a wrong password', async () => {
    const noPassword = { ...alice, hasPassword: false };
    // The engine reports a challenge to an account without a password as its own failure code.
    await renderWithApp(
      AccountEditor,
      { account: noPassword, onclose: vi.fn() },
      { accounts: [noPassword], statuses: [{ ...wrongPassword(alice.id), failure: 'no-password' }] },
    );
    const now = screen.getByRole('group', { name: 'Now: Failed' });
    expect(now.textContent).toContain('none is set for this account');
    expect(document.body.textContent).not.toMatch(/wrong password|password was not accepted/i);
  });
});

describe('AccountEditor duplicates', () => {
  it('refuses a second account with the same address and outbound proxy, naming the first', async () => {
    const { bridge } = await renderWithApp(
      AccountEditor,
      { account: null, onclose: vi.fn() },
      { accounts: [alice] },
    );
    await type('SIP address', 'alice@127.0.0.1');
    await type('Outbound proxy', 'sip:127.0.0.1:5060');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    const aor = screen.getByLabelText('SIP address');
    expect(errorFor(aor)).toBe('The account “Alice” already has this address and outbound proxy.');
    await waitFor(() => expect(document.activeElement).toBe(aor));
    expect(bridge.callsOf('accounts.create')).toEqual([]);

    // Another proxy makes it a different account.
    await type('Outbound proxy', 'sip:127.0.0.1:5070');
    expect(errorFor(aor)).toBeNull();
  });

  it('shows the engine refusing a duplicate under the address field', async () => {
    const { bridge } = await openEditor();
    bridge.handle('accounts.create', () => ({
      ok: false,
      error: { code: 'conflict', message: 'duplicate', field: 'aor' },
    }));
    await type('SIP address', 'sip:bob@example.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    const aor = screen.getByLabelText('SIP address');
    await waitFor(() =>
      expect(errorFor(aor)).toBe('Another account already has this address and outbound proxy.'),
    );
    expect(document.activeElement).toBe(aor);
  });
});

describe('AccountEditor advanced section', () => {
  function advanced() {
    return screen.getByText('Advanced').closest('details')!;
  }

  it('keeps interval, registrar and keep-alive under a closed "Advanced" for a new account, at their defaults', async () => {
    await openEditor();
    expect(advanced().open).toBe(false);
    for (const label of [/Registration interval/, 'Registrar', /Keep-alive \(seconds\)/, 'CRLF', 'OPTIONS']) {
      expect(advanced().contains(screen.getByLabelText(label))).toBe(true);
    }
    expect(screen.getByLabelText(/Registration interval/)).toHaveProperty('value', '600');
    expect(screen.getByLabelText(/Keep-alive \(seconds\)/)).toHaveProperty('value', '0');
    expect(screen.getByLabelText('CRLF')).toHaveProperty('checked', true);
  });

  it('starts open when the account uses something other than the defaults', async () => {
    await openEditor({ ...alice, keepAliveSeconds: 30, keepAliveKind: 'options' });
    expect(advanced().open).toBe(true);
    expect(screen.getByLabelText('OPTIONS')).toHaveProperty('checked', true);
  });

  it('sends registrar and keep-alive, and opens the section to show a problem in it', async () => {
    const { bridge } = await openEditor();
    await type('SIP address', 'sip:bob@example.com');
    await type('Registrar', 'sip:registrar.example.com');
    await type(/Keep-alive \(seconds\)/, '5');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    const keepAlive = screen.getByLabelText(/Keep-alive \(seconds\)/);
    expect(errorFor(keepAlive)).toBe('Use 0 to turn keep-alive off, or at least 10 seconds.');
    await waitFor(() => expect(document.activeElement).toBe(keepAlive));
    expect(advanced().open).toBe(true);

    await type(/Keep-alive \(seconds\)/, '25');
    await fireEvent.click(screen.getByLabelText('OPTIONS'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await waitFor(() => expect(bridge.callsOf('accounts.create')).toHaveLength(1));
    expect(bridge.callsOf('accounts.create')[0]?.[0]).toMatchObject({
      registrar: 'sip:registrar.example.com',
      keepAliveSeconds: 25,
      keepAliveKind: 'options',
    });
  });
});

describe('AccountEditor presence list', () => {
  it('is under "Advanced", sent as a SIP URI (sip: added when left out), and a URI without a user is refused', async () => {
    const { bridge } = await openEditor();
    const field = screen.getByLabelText('Presence list');
    expect(screen.getByText('Advanced').closest('details')!.contains(field)).toBe(true);
    await type('SIP address', 'sip:bob@example.com');
    await type('Presence list', 'example.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    expect(errorFor(screen.getByLabelText('Presence list'))).toBeTruthy();
    expect(bridge.callsOf('accounts.create')).toHaveLength(0);

    await type('Presence list', 'bob-buddies@example.com');
    await fireEvent.blur(screen.getByLabelText('Presence list'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await waitFor(() => expect(bridge.callsOf('accounts.create')).toHaveLength(1));
    expect(bridge.callsOf('accounts.create')[0]?.[0]).toMatchObject({
      presenceListUri: 'sip:bob-buddies@example.com',
    });
  });

  it('shows a saved list with the section open, and clearing it sends null', async () => {
    const { bridge } = await openEditor({ ...alice, presenceListUri: 'sip:alice-buddies@127.0.0.1' });
    expect(screen.getByText('Advanced').closest('details')!.open).toBe(true);
    expect(screen.getByLabelText('Presence list')).toHaveProperty('value', 'sip:alice-buddies@127.0.0.1');
    await type('Presence list', '');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await waitFor(() => expect(bridge.callsOf('accounts.update')).toHaveLength(1));
    expect(bridge.callsOf('accounts.update')[0]?.[1]).toMatchObject({ presenceListUri: null });
  });
});

describe('AccountEditor unsaved edits', () => {
  it('closes at once when nothing changed', async () => {
    const { onclose, app } = await openEditor(alice);
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onclose).toHaveBeenCalledWith({ accountId: 'acc-alice', deleted: false });
    expect(app.navigation.leaveRequest).toBeNull();
  });

  it('asks before Cancel or Escape throw edits away, and closes only after "discard"', async () => {
    const { onclose, app } = await openEditor(alice);
    const name = await type('Display name', 'Alice at home');
    await fireEvent.keyDown(name, { key: 'Escape' });
    expect(onclose).not.toHaveBeenCalled();
    expect(app.navigation.leaveRequest).not.toBeNull();
    app.navigation.keepEditing();

    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onclose).not.toHaveBeenCalled();
    app.navigation.discardAndLeave();
    expect(onclose).toHaveBeenCalledWith({ accountId: 'acc-alice', deleted: false });
  });

  it('in a browser tab, has the browser ask before the tab is closed or reloaded with unsaved edits', async () => {
    await openEditor(alice);
    const untouched = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(untouched);
    expect(untouched.defaultPrevented).toBe(false);
    await type('Display name', 'Alice at home');
    const edited = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(edited);
    expect(edited.defaultPrevented).toBe(true);
  });

  it('does not ask after the edits were saved', async () => {
    const { onclose } = await openEditor(alice);
    await type('Display name', 'Alice at home');
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await screen.findByRole('status', { name: 'Registration test' });
    await fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onclose).toHaveBeenCalled();
  });
});

describe('AccountEditor call settings', () => {
  const bob = account({
    id: 'acc-bob',
    aor: 'sip:bob@127.0.0.1',
    codecs: ['opus', 'pcmu', 'pcma'],
    earlyMedia: false,
    doNotDisturb: false,
  });

  function codecOrder(): string[] {
    const list = screen.getByRole('group', { name: 'Codecs, best first' });
    return within(list)
      .getAllByRole('checkbox')
      .map((box) => box as HTMLInputElement)
      .map((box) => `${box.labels?.[0]?.textContent}${box.checked ? '' : ' (off)'}`);
  }

  it('reorders codecs with the keyboard-operable buttons, keeps focus on the moved codec and says where it went', async () => {
    await openEditor(bob);
    const down = screen.getByRole('button', { name: 'Move Opus down' });
    down.focus();
    await fireEvent.click(down);
    expect(codecOrder()).toEqual(['G.711 µ-law (PCMU)', 'Opus', 'G.711 A-law (PCMA)']);
    await waitFor(() => expect(document.activeElement?.getAttribute('aria-label')).toBe('Move Opus down'));
    expect(screen.getByText('Opus moved to place 2 of 3.')).toBeTruthy();
    // At the bottom the down button is disabled: focus goes to the same codec's up button.
    await fireEvent.click(screen.getByRole('button', { name: 'Move Opus down' }));
    await waitFor(() => expect(document.activeElement?.getAttribute('aria-label')).toBe('Move Opus up'));
    expect(screen.getByRole('button', { name: 'Move Opus down' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('button', { name: 'Move G.711 µ-law (PCMU) up' })).toHaveProperty(
      'disabled',
      true,
    );
  });

  it('saves the codec order, the codecs turned off, do-not-disturb and early media', async () => {
    const { bridge } = await openEditor(bob);
    await fireEvent.click(screen.getByRole('button', { name: 'Move G.711 A-law (PCMA) up' }));
    await fireEvent.click(screen.getByLabelText('G.711 µ-law (PCMU)'));
    await fireEvent.click(screen.getByLabelText('Do not disturb'));
    await fireEvent.click(screen.getByLabelText('Early media'));
    expect(codecOrder()).toEqual(['Opus', 'G.711 A-law (PCMA)', 'G.711 µ-law (PCMU) (off)']);
    await fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await waitFor(() => expect(bridge.callsOf('accounts.update')).toHaveLength(1));
    expect(bridge.callsOf('accounts.update')[0]![1]).toMatchObject({
      codecs: ['opus', 'pcma'],
      doNotDisturb: true,
      earlyMedia: true,
    });
  });

  it('keeps the last codec on: its box cannot be cleared and says why', async () => {
    await openEditor(account({ id: 'acc-carol', aor: 'sip:carol@127.0.0.1', codecs: ['pcmu'] }));
    const only = screen.getByLabelText('G.711 µ-law (PCMU)');
    expect(only).toHaveProperty('disabled', true);
    const hint = document.getElementById(only.getAttribute('aria-describedby')!);
    expect(hint?.textContent).toMatch(/The only codec on/);
  });

  it('shows the stored call settings of an account', async () => {
    await openEditor(
      account({
        id: 'acc-dan',
        aor: 'sip:dan@127.0.0.1',
        codecs: ['pcma'],
        doNotDisturb: true,
        earlyMedia: true,
      }),
    );
    expect(codecOrder()).toEqual(['G.711 A-law (PCMA)', 'Opus (off)', 'G.711 µ-law (PCMU) (off)']);
    expect(screen.getByLabelText('Do not disturb')).toHaveProperty('checked', true);
    expect(screen.getByLabelText('Early media')).toHaveProperty('checked', true);
  });
});
