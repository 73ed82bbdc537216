import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../../../renderer/src/App.svelte';
import { conversation } from '../../support/fake-engine';
import { account, DEFAULT_SETTINGS, FakeEngine, type FakeEngineOptions } from '../support/fake-engine';

function start(options: FakeEngineOptions = {}) {
  const engine = new FakeEngine(options);
  render(App, { props: { bridge: engine.bridge } });
  return engine;
}

afterEach(() => {
  delete document.documentElement.dataset['theme'];
});

describe('App', () => {
  it('shows a clear error screen instead of the app when the store could not be opened', async () => {
    const engine = start({
      info: {
        storageError: {
          kind: 'read-only',
          path: '/home/alice/.config/softphone/softphone.sqlite',
          detail: 'SQLITE_READONLY: attempt to write a readonly database',
          holderPid: null,
        },
      },
    });
    const screenAlert = await screen.findByRole('alert');
    expect(within(screenAlert).getByRole('heading').textContent).toBe(
      'The softphone could not open its data file',
    );
    // The window's sentence for the kind names the file and what to do; the engine's text is the detail.
    expect(screenAlert.textContent).toContain(
      'The settings database /home/alice/.config/softphone/softphone.sqlite cannot be written',
    );
    expect(screenAlert.textContent).toContain('Give your user write access');
    expect(screenAlert.querySelector('pre')?.textContent).toBe(
      'SQLITE_READONLY: attempt to write a readonly database',
    );
    expect(screenAlert.textContent).toContain('What you can do');
    expect(within(screenAlert).getByRole('button', { name: 'Try again' })).toBeTruthy();
    expect(screen.queryByRole('navigation')).toBeNull();
    // Nothing else is asked of a store that cannot be opened.
    expect(engine.bridge.calls.map((call) => call.name)).toEqual(['app.info']);
  });

  it('names the engine holding the data folder, with its own heading', async () => {
    start({
      info: {
        storageError: {
          kind: 'in-use',
          path: '/home/alice/.config/Softphone/softphone.sqlite',
          detail: 'SQLITE_BUSY: database is locked',
          holderPid: 4242,
        },
      },
    });
    const screenAlert = await screen.findByRole('alert');
    expect(within(screenAlert).getByRole('heading').textContent).toBe(
      'Another softphone is using this data folder',
    );
    expect(screenAlert.textContent).toContain(
      'The data folder /home/alice/.config/Softphone is in use by another softphone engine, process 4242',
    );
  });

  it('explains a missing web-host token', async () => {
    const engine = new FakeEngine();
    engine.bridge.handle('app.info', () => ({
      ok: false,
      error: { code: 'unauthorized', message: 'This page was opened without the access token.' },
    }));
    render(App, { props: { bridge: engine.bridge } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This page needs its access address');
    expect(alert.textContent).toContain('#token=');
  });

  it('says when the engine cannot be reached, and how a restarted web host is reached again', async () => {
    const engine = new FakeEngine();
    engine.bridge.handle('app.info', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'The engine cannot be reached.' },
    }));
    render(App, { props: { bridge: engine.bridge } });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByRole('heading').textContent).toBe('The interface cannot reach the engine');
    expect(alert.textContent).toContain('open the new address it printed');
  });

  it('opens on Settings when there is no account yet, and every other view says plainly it comes later', async () => {
    start();
    const nav = await screen.findByRole('navigation', { name: 'Views' });
    const items = within(nav).getAllByRole('button');
    expect(items.map((item) => item.textContent?.trim())).toEqual([
      'Dialpad',
      'Contacts',
      'Buddies',
      'Chat',
      'History',
      'Settings',
    ]);
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Settings'));
    expect(within(nav).getByRole('button', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');

    await fireEvent.click(within(nav).getByRole('button', { name: 'Dialpad' }));
    expect(screen.getByRole('textbox', { name: 'Number or SIP address' })).toBeTruthy();
    await fireEvent.click(within(nav).getByRole('button', { name: 'Chat' }));
    expect(within(screen.getByRole('main')).getByRole('heading', { level: 1 }).textContent).toBe('Chat');
    // The status bar is on every view.
    expect(screen.getByRole('region', { name: 'Registration status' })).toBeTruthy();
  });

  it('counts unread messages on the Chat button, in a badge and in words', async () => {
    const engine = start({
      accounts: [account({ id: 'a' })],
      conversations: [conversation({ id: 'c1', unread: 2 }), conversation({ id: 'c2', unread: 1 })],
    });
    const nav = await screen.findByRole('navigation', { name: 'Views' });
    const chat = within(nav).getByRole('button', { name: /^Chat/u });
    await waitFor(() => expect(chat.textContent).toContain('3 unread'));
    expect(chat.textContent?.replace(/\s+/gu, ' ').trim()).toBe('3 Chat , 3 unread messages');
    expect(chat.querySelector('.badge')?.textContent).toBe('3');
    engine.emit('conversation.changed', conversation({ id: 'c1', unread: 0 }));
    engine.emit('conversation.changed', conversation({ id: 'c2', unread: 0 }));
    await waitFor(() => expect(chat.querySelector('.badge')).toBeNull());
    expect(chat.textContent?.trim()).toBe('Chat');
  });

  it('shows the conversation the desktop shell asks for (a clicked message notification)', async () => {
    const engine = start({
      accounts: [account({ id: 'a' })],
      conversations: [conversation({ id: 'c1', peerName: 'Bob' })],
    });
    const nav = await screen.findByRole('navigation', { name: 'Views' });
    await waitFor(() =>
      expect(within(nav).getByRole('button', { name: 'Dialpad' }).getAttribute('aria-current')).toBe('page'),
    );
    engine.emit('chat.open', { conversationId: 'c1' });
    expect(await screen.findByRole('heading', { level: 2, name: 'Bob' })).toBeTruthy();
    expect(within(nav).getByRole('button', { name: /^Chat/u }).getAttribute('aria-current')).toBe('page');
  });

  it('opens on the Dialpad when accounts exist, and shows a URI the OS asked to open', async () => {
    const engine = start({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    await screen.findByRole('navigation', { name: 'Views' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Dialpad');
    await fireEvent.click(screen.getByRole('button', { name: 'History' }));
    engine.bridge.emit('dialpad.open', { uri: 'sip:bob@127.0.0.1' });
    await waitFor(() =>
      expect((screen.getByRole('textbox', { name: 'Number or SIP address' }) as HTMLInputElement).value).toBe(
        'sip:bob@127.0.0.1',
      ),
    );
  });

  it('fills the dialpad with a link that reached the engine before the page listened', async () => {
    const engine = new FakeEngine({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    engine.override('dialpad.ready', () => ['sip:early@example.com', 'sip:bob@example.com']);
    render(App, { props: { bridge: engine.bridge } });
    await waitFor(() =>
      expect((screen.getByRole('textbox', { name: 'Number or SIP address' }) as HTMLInputElement).value).toBe(
        'sip:bob@example.com',
      ),
    );
    expect(engine.bridge.callsOf('dialpad.ready')).toEqual([[]]);
  });

  it('takes an announced link from the engine, so one a reloading page missed is not kept twice', async () => {
    const engine = new FakeEngine({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    let waiting: string[] = [];
    engine.override('dialpad.ready', () => waiting.splice(0));
    render(App, { props: { bridge: engine.bridge } });
    await waitFor(() => expect(engine.bridge.callsOf('dialpad.ready')).toHaveLength(1));
    waiting = ['sip:carol@example.com'];
    engine.bridge.emit('dialpad.open', { uri: 'sip:carol@example.com' });
    await waitFor(() =>
      expect((screen.getByRole('textbox', { name: 'Number or SIP address' }) as HTMLInputElement).value).toBe(
        'sip:carol@example.com',
      ),
    );
    // The page took it, so the engine no longer holds it for the next page load.
    await waitFor(() => expect(engine.bridge.callsOf('dialpad.ready')).toHaveLength(2));
    expect(waiting).toEqual([]);
  });

  it('fills the dialpad from ?dial= on the address, and takes it off the address', async () => {
    window.history.replaceState(null, '', '/?dial=tel%3A%2B1-201-555-0123#token=t');
    start({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    await waitFor(() =>
      expect((screen.getByRole('textbox', { name: 'Number or SIP address' }) as HTMLInputElement).value).toBe(
        '+12015550123',
      ),
    );
    expect(window.location.search).toBe('');
    expect(window.location.hash).toBe('#token=t');
    window.history.replaceState(null, '', '/');
  });

  it('follows the theme setting, and leaves the choice to the OS for "system"', async () => {
    const engine = start({ settings: { theme: 'dark' } });
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('dark'));
    engine.bridge.emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'light' });
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('light'));
    engine.bridge.emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'system' });
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBeUndefined());
  });

  it('loads again after the web host link comes back, since events were missed meanwhile', async () => {
    const engine = start({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    await screen.findByRole('navigation', { name: 'Views' });
    await waitFor(() => expect(engine.bridge.callsOf('accounts.list')).toHaveLength(1));
    engine.bridge.setConnection({ kind: 'connecting', attempt: 1 });
    engine.accounts = [...engine.accounts, account({ id: 'b', displayName: 'Added meanwhile', order: 1 })];
    engine.bridge.setConnection({ kind: 'open' });
    // Two accounts in an unmeasured (jsdom) bar show as one summary.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /^2 accounts: 2 not registered/ })).toBeTruthy(),
    );
    expect(engine.bridge.callsOf('accounts.list')).toHaveLength(2);
  });

  it('a tab refused by a restarted web host says where the new address is, and recovers once it is pasted', async () => {
    const engine = new FakeEngine({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    engine.bridge.setConnection({ kind: 'refused' });
    engine.bridge.handle('app.info', () => ({
      ok: false,
      error: { code: 'unauthorized', message: 'The web host refused this page’s access token.' },
    }));
    render(App, { props: { bridge: engine.bridge } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('npm run web');
    expect(alert.textContent).toContain('paste');

    engine.bridge.handle('app.info', () => ({ ok: true, value: engine.info }));
    engine.bridge.setConnection({ kind: 'connecting', attempt: 0 });
    engine.bridge.setConnection({ kind: 'open' });
    await waitFor(() => expect(screen.getByRole('button', { name: /^Office:/ })).toBeTruthy());
  });

  it('asks in its own dialog before navigation throws unsaved edits away, keyboard first', async () => {
    start({
      accounts: [
        account({ id: 'a', displayName: 'Office' }),
        account({ id: 'b', displayName: 'Home', order: 1 }),
      ],
    });
    const nav = await screen.findByRole('navigation', { name: 'Views' });
    await fireEvent.click(within(nav).getByRole('button', { name: 'Settings' }));
    await fireEvent.click(screen.getByRole('button', { name: /^Edit Office/ }));
    await fireEvent.input(screen.getByLabelText('Display name'), { target: { value: 'Office 2' } });

    const dialpad = within(nav).getByRole('button', { name: 'Dialpad' });
    dialpad.focus();
    await fireEvent.click(dialpad);
    const dialog = screen.getByRole('alertdialog', { name: 'Discard unsaved changes?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const keep = within(dialog).getByRole('button', { name: 'Keep editing' });
    const discard = within(dialog).getByRole('button', { name: 'Discard changes' });
    await waitFor(() => expect(document.activeElement).toBe(keep));
    // Tab stays inside the dialog.
    discard.focus();
    await fireEvent.keyDown(discard, { key: 'Tab' });
    expect(document.activeElement).toBe(keep);
    await fireEvent.keyDown(keep, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(discard);

    // Escape keeps editing: the edit is still there and focus goes back where it was.
    await fireEvent.keyDown(discard, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByLabelText('Display name')).toHaveProperty('value', 'Office 2');
    expect(document.activeElement).toBe(dialpad);

    // Switching to another account asks too; discarding carries the switch out.
    await fireEvent.click(screen.getByRole('button', { name: /^Edit Home/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Edit Home' })).toBeTruthy());
    expect(screen.queryByRole('alertdialog')).toBeNull();

    // Leaving for another view after "discard": focus stays on the view's button that was pressed.
    await fireEvent.input(screen.getByLabelText('Display name'), { target: { value: 'Home 2' } });
    const history = within(nav).getByRole('button', { name: 'History' });
    history.focus();
    await fireEvent.click(history);
    await fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(screen.getByRole('main').textContent).toContain('History');
    expect(document.activeElement).toBe(history);

    // Untouched, it moves without asking.
    await fireEvent.click(within(nav).getByRole('button', { name: 'Settings' }));
    await fireEvent.click(within(nav).getByRole('button', { name: 'Chat' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(within(screen.getByRole('main')).getByRole('heading', { level: 1 }).textContent).toBe('Chat');
  });

  it('after "discard" on Cancel, closes the editor and puts focus on the account it was editing', async () => {
    start({ accounts: [account({ id: 'a', displayName: 'Office' })] });
    const nav = await screen.findByRole('navigation', { name: 'Views' });
    await fireEvent.click(within(nav).getByRole('button', { name: 'Settings' }));
    await fireEvent.click(screen.getByRole('button', { name: /^Edit Office/ }));
    await fireEvent.input(screen.getByLabelText('Display name'), { target: { value: 'Office 2' } });
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    cancel.focus();
    await fireEvent.click(cancel);
    await fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    await waitFor(() => expect(screen.queryByLabelText('Display name')).toBeNull());
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Edit Office/ })),
    );
  });
});
