// The dialpad: keys with letters, typing and pasting, backspace, + by holding 0, Enter to call at the account's
// domain, suggestions from the history, a link from the system filling it in, and a refused call shown as an error.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import DialpadView from '../../../renderer/src/features/dialpad/DialpadView.svelte';
import { LONG_PRESS_MS } from '../../../renderer/src/features/dialpad/Keypad.svelte';
import { renderWithApp } from '../support/render';
import { account, historyEntry } from '../support/fake-engine';

const alice = account({ id: 'a1', displayName: 'Alice', aor: 'sip:alice@example.com' });

afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

function field(): HTMLInputElement {
  return screen.getByRole('textbox', { name: 'Number or SIP address' }) as HTMLInputElement;
}

describe('DialpadView', () => {
  it('labels the keys with their letters and types digits at the caret', async () => {
    await renderWithApp(DialpadView, {}, { accounts: [alice] });
    const keys = screen.getByRole('group', { name: 'Dialpad keys' });
    expect(within(keys).getAllByRole('button')).toHaveLength(12);
    await fireEvent.click(within(keys).getByRole('button', { name: '2 A B C' }));
    await fireEvent.click(within(keys).getByRole('button', { name: '7 P Q R S' }));
    await fireEvent.click(within(keys).getByRole('button', { name: '#' }));
    expect(field().value).toBe('27#');
    await fireEvent.click(screen.getByRole('button', { name: 'Delete last character' }));
    expect(field().value).toBe('27');
  });

  it('calls a typed number at the account domain with Enter', async () => {
    const { bridge, app } = await renderWithApp(DialpadView, {}, { accounts: [alice] });
    expect(screen.getByText(/Calling from/u).textContent).toContain('Alice');
    await fireEvent.input(field(), { target: { value: '+49 30 1234' } });
    await fireEvent.keyDown(field(), { key: 'Enter' });
    await waitFor(() => expect(bridge.callsOf('calls.dial')).toHaveLength(1));
    expect(bridge.callsOf('calls.dial')[0]).toEqual([
      { target: 'sip:+49301234@example.com', accountId: 'a1' },
    ]);
    await waitFor(() => expect(field().value).toBe(''));
    expect(app.calls.active?.peerUri).toBe('sip:+49301234@example.com');
  });

  it('calls from the account chosen in the list', async () => {
    const bob = account({ id: 'b1', displayName: 'Work', aor: 'sip:bob@work.test', order: 1 });
    const { bridge } = await renderWithApp(DialpadView, {}, { accounts: [alice, bob] });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Call from' }), { target: { value: 'b1' } });
    await fireEvent.input(field(), { target: { value: '100' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.dial')).toEqual([[{ target: 'sip:100@work.test', accountId: 'b1' }]]),
    );
  });

  it('explains a text that cannot be called, without sending anything', async () => {
    const { bridge } = await renderWithApp(DialpadView, {}, { accounts: [] });
    await fireEvent.input(field(), { target: { value: '100' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    expect(screen.getByRole('alert').textContent).toContain('Choose an account');
    expect(field().getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('calls.dial')).toEqual([]);
  });

  it('gives + when 0 is held, and 0 when it is tapped', async () => {
    vi.useFakeTimers();
    await renderWithApp(DialpadView, {}, { accounts: [alice] });
    const zero = screen.getByRole('button', { name: '0' });
    await fireEvent.pointerDown(zero);
    vi.advanceTimersByTime(LONG_PRESS_MS);
    await fireEvent.pointerUp(zero);
    await fireEvent.click(zero);
    await fireEvent.pointerDown(zero);
    vi.advanceTimersByTime(LONG_PRESS_MS / 2);
    await fireEvent.pointerUp(zero);
    await fireEvent.click(zero);
    expect(field().value).toBe('+0');
  });

  it('suggests earlier calls as you type and fills the field with one', async () => {
    await renderWithApp(
      DialpadView,
      {},
      {
        accounts: [alice],
        history: [historyEntry({ id: 'h1', peerUri: 'sip:reception@example.com', peerName: 'Reception' })],
      },
    );
    await fireEvent.input(field(), { target: { value: 'recep' } });
    const list = screen.getByRole('list', { name: 'Matches from your history' });
    await fireEvent.click(within(list).getByRole('button'));
    expect(field().value).toBe('sip:reception@example.com');
  });

  it('is filled in by a sip: link opened from the system', async () => {
    const { engine } = await renderWithApp(DialpadView, {}, { accounts: [alice] });
    engine.openUri('sip:carol@example.org');
    await waitFor(() => expect(field().value).toBe('sip:carol@example.org'));
  });

  it('shows the engine refusing the call as an error in words', async () => {
    const { engine, app } = await renderWithApp(DialpadView, {}, { accounts: [alice] });
    engine.bridge.handle('calls.dial', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'no route to host' },
    }));
    await fireEvent.input(field(), { target: { value: 'sip:bob@example.com' } });
    await fireEvent.keyDown(field(), { key: 'Enter' });
    await waitFor(() =>
      expect(app.calls.error?.text).toBe('The call could not be placed: the engine cannot do it right now.'),
    );
    // The text stays so the person can try again.
    expect(field().value).toBe('sip:bob@example.com');
  });
});

describe('DialpadView and links from the system', () => {
  it('fills in a tel: link as its digits, without calling', async () => {
    const { engine, bridge } = await renderWithApp(DialpadView, {}, { accounts: [alice] });
    engine.bridge.emit('dialpad.open', { uri: 'tel:+1-201-555-0123' });
    await waitFor(() => expect(field().value).toBe('+12015550123'));
    expect(bridge.callsOf('calls.dial')).toEqual([]);
  });

  it('shows a notice for a hostile link, keeps what was typed, and never calls', async () => {
    const { engine, bridge } = await renderWithApp(DialpadView, {}, { accounts: [alice] });
    await fireEvent.input(field(), { target: { value: '123' } });
    engine.bridge.emit('dialpad.open', { uri: 'sip:bob@evil example.com' });
    const notice = await screen.findByRole('alert');
    expect(notice.textContent).toMatch(/was not opened/u);
    expect(field().value).toBe('123');
    expect(field().getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('calls.dial')).toEqual([]);
  });

  it('drops the headers of a sip: link', async () => {
    const { engine } = await renderWithApp(DialpadView, {}, { accounts: [alice] });
    engine.bridge.emit('dialpad.open', { uri: 'sip:bob@example.com?Replaces=abc%3Bto-tag%3D1' });
    await waitFor(() => expect(field().value).toBe('sip:bob@example.com'));
  });
});
