import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

/** Makes the bar measure `width` pixels, as a ResizeObserver in a real window would report. */
function barWidth(width: number) {
  vi.stubGlobal(
    'ResizeObserver',
    class {
      constructor(private readonly callback: (entries: { contentRect: { width: number } }[]) => void) {}
      observe() {
        this.callback([{ contentRect: { width } }]);
      }
      disconnect() {}
    },
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('StatusBar', () => {
  it('shows each account in its state: registered, registering, failed with a short reason, disabled', async () => {
    barWidth(1280);
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

  it('keeps an unreachable server in view while it retries, never a bare "Registering…"', async () => {
    barWidth(1280);
    const timeout = {
      failure: 'timeout' as const,
      detail: '408 Request Timeout (no answer from 127.0.0.1:5299)',
      status: 408,
    };
    const { bridge } = await renderWithApp(
      StatusBar,
      {},
      {
        accounts: [accounts[0]!],
        statuses: [
          status({
            accountId: 'a',
            state: 'failed',
            ...timeout,
            retryInMs: 12_000,
            server: '127.0.0.1:5299',
          }),
        ],
      },
    );
    expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Failed: no answer');
    expect(entry(/^Office/).getAttribute('title')).toBe(
      'The server did not answer in time. No answer from 127.0.0.1:5299 · retrying in 12 s',
    );

    bridge.emit(
      'registration.changed',
      status({ accountId: 'a', state: 'registering', lastFailure: timeout, server: '127.0.0.1:5299' }),
    );
    await waitFor(() =>
      expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Retrying: no answer'),
    );
    expect(entry(/^Office/).getAttribute('title')).toBe(
      'The server did not answer in time. No answer from 127.0.0.1:5299 · trying again…',
    );
  });

  it('updates live from registration and account events, and announces failures', async () => {
    barWidth(1280);
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
    barWidth(1280);
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
    expect(bar().textContent).toMatch(/open the new address it printed in\s+its terminal/);
    bridge.setConnection({ kind: 'open' });
    await waitFor(() => expect(bar().textContent).not.toContain('engine'));
  });

  it('says plainly when the web host restarted, and where the new address is', async () => {
    const { bridge } = await renderWithApp(StatusBar, {}, { accounts });
    bridge.setConnection({ kind: 'refused' });
    const notice = await within(bar()).findByRole('alert');
    expect(notice.textContent).toContain('The web host was restarted');
    expect(notice.textContent).toContain('npm run web');
    expect(notice.textContent).toContain('#token=');
    expect(notice.textContent).not.toContain('Reconnecting');
  });

  it('summarizes several accounts worst first when they do not fit, and the summary opens each one', async () => {
    barWidth(800);
    const { app } = await renderWithApp(
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
    // No account entry is hidden off the edge: the bar holds one summary instead.
    expect(within(bar()).queryByRole('button', { name: /^Office:/ })).toBeNull();
    const summary = within(bar()).getByRole('button', { name: /accounts:/ });
    expect(summary.getAttribute('aria-label')).toBe(
      '4 accounts: 1 failing · 1 registering · 1 registered · 1 disabled',
    );
    // Each count carries its own colour: only the failing one is red.
    const parts = [...summary.querySelectorAll('.part')].map((part) => [
      part.className,
      part.textContent?.trim(),
    ]);
    expect(parts).toEqual([
      [expect.stringContaining('tone-failed'), '1 failing'],
      [expect.stringContaining('tone-busy'), '1 registering'],
      [expect.stringContaining('tone-ok'), '1 registered'],
      [expect.stringContaining('tone-off'), '1 disabled'],
    ]);
    expect(summary.getAttribute('aria-expanded')).toBe('false');

    await fireEvent.click(summary);
    expect(summary.getAttribute('aria-expanded')).toBe('true');
    const list = within(bar()).getByRole('list', { name: 'All accounts' });
    const items = within(list).getAllByRole('button');
    expect(items.map((item) => item.getAttribute('aria-label'))).toEqual([
      'carol@127.0.0.1: Failed: wrong password',
      'Home: Registering…',
      'Office: Registered',
      'Old: Disabled',
    ]);
    await waitFor(() => expect(document.activeElement).toBe(items[0]));

    await fireEvent.click(items[1]!);
    expect(app.navigation.editing).toEqual({ kind: 'existing', id: 'b' });
    expect(within(bar()).queryByRole('list', { name: 'All accounts' })).toBeNull();
  });

  it('closes the account list with Escape and gives focus back to the summary', async () => {
    barWidth(360);
    await renderWithApp(StatusBar, {}, { accounts });
    const summary = within(bar()).getByRole('button', { name: /accounts:/ });
    expect(summary.getAttribute('aria-label')).toBe('4 accounts: 3 not registered · 1 disabled');
    await fireEvent.click(summary);
    const list = within(bar()).getByRole('list', { name: 'All accounts' });
    await fireEvent.keyDown(within(list).getAllByRole('button')[0]!, { key: 'Escape' });
    expect(within(bar()).queryByRole('list', { name: 'All accounts' })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(summary));
  });

  it('goes back to one entry per account when the window grows wide enough', async () => {
    let report: (width: number) => void = () => {};
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(callback: (entries: { contentRect: { width: number } }[]) => void) {
          report = (width) => callback([{ contentRect: { width } }]);
        }
        observe() {
          report(400);
        }
        disconnect() {}
      },
    );
    await renderWithApp(StatusBar, {}, { accounts });
    expect(within(bar()).getByRole('button', { name: /accounts:/ })).toBeTruthy();
    report(1400);
    await waitFor(() => expect(entry(/^Office:/)).toBeTruthy());
    expect(within(bar()).queryByRole('button', { name: /accounts:/ })).toBeNull();
  });

  it('shows a lone account by itself even in a narrow bar', async () => {
    barWidth(360);
    await renderWithApp(StatusBar, {}, { accounts: accounts.slice(0, 1) });
    expect(entry(/^Office:/).getAttribute('aria-label')).toBe('Office: Not registered');
  });

  it('falls back to the summary when the entries overflow the bar after all (the estimate was short)', async () => {
    barWidth(1280);
    const scrollWidth = vi.spyOn(HTMLElement.prototype, 'scrollWidth', 'get').mockImplementation(function (
      this: HTMLElement,
    ) {
      return this.classList.contains('entries') ? 2000 : 0;
    });
    try {
      await renderWithApp(StatusBar, {}, { accounts });
      await waitFor(() => expect(within(bar()).getByRole('button', { name: /^4 accounts:/ })).toBeTruthy());
      expect(within(bar()).queryByRole('button', { name: /^Office:/ })).toBeNull();
    } finally {
      scrollWidth.mockRestore();
    }
  });

  it('closes the account list when the pointer or the focus goes elsewhere', async () => {
    barWidth(360);
    await renderWithApp(StatusBar, {}, { accounts });
    const outside = document.body.appendChild(document.createElement('button'));
    try {
      const summary = within(bar()).getByRole('button', { name: /accounts:/ });
      await fireEvent.click(summary);
      expect(within(bar()).getByRole('list', { name: 'All accounts' })).toBeTruthy();
      await fireEvent.pointerDown(outside);
      await waitFor(() => expect(within(bar()).queryByRole('list', { name: 'All accounts' })).toBeNull());

      await fireEvent.click(summary);
      expect(summary.getAttribute('aria-expanded')).toBe('true');
      outside.focus();
      await waitFor(() => expect(summary.getAttribute('aria-expanded')).toBe('false'));
    } finally {
      outside.remove();
    }
  });
});
