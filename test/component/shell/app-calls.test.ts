// Calls in the whole window: the prompt over any view, the call screen taking the content and giving it back,
// shortcuts Alt+A/E/M/H, the live region, and the missed-calls badge in the navigation.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../../../renderer/src/App.svelte';
import { account, call, FakeEngine, type FakeEngineOptions } from '../support/fake-engine';

const alice = account({ id: 'a1', aor: 'sip:alice@example.com' });

async function start(options: FakeEngineOptions = {}) {
  const engine = new FakeEngine({ accounts: [alice], ...options });
  render(App, { props: { bridge: engine.bridge } });
  await screen.findByRole('navigation', { name: 'Views' });
  return engine;
}

function liveRegion(): HTMLElement {
  return screen.getByRole('status', { name: 'Call announcements' });
}

afterEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset['theme'];
});

describe('calls in the app', () => {
  it('prompts for an incoming call over any view, announces it, and answers with Alt+A', async () => {
    const engine = await start();
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const ringing = call({ id: 'in1', direction: 'incoming', state: 'incoming', peerName: 'Bob' });
    engine.calls = [ringing];
    engine.emit('call.changed', ringing);
    expect(await screen.findByRole('dialog', { name: 'Incoming call' })).toBeTruthy();
    expect(liveRegion().textContent).toBe('Incoming call from Bob.');
    await fireEvent.keyDown(window, { key: 'a', code: 'KeyA', altKey: true });
    await waitFor(() => expect(engine.bridge.callsOf('calls.answer')).toEqual([['in1']]));
    // Answered: the prompt goes, the call screen takes the content.
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Incoming call' })).toBeNull());
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect(liveRegion().textContent).toBe('Bob: Connected.');
    // Focus lands on the call, not the top of the page.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Bob' }));
  });

  it('puts the keyboard in the dialpad field at start, and calls with Enter alone', async () => {
    const engine = await start();
    const field = screen.getByRole('textbox', { name: 'Number or SIP address' });
    await waitFor(() => expect(document.activeElement).toBe(field));
    await fireEvent.input(field, { target: { value: '100' } });
    await fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() =>
      expect(engine.bridge.callsOf('calls.dial')).toEqual([
        [{ target: 'sip:100@example.com', accountId: 'a1' }],
      ]),
    );
    expect(await screen.findByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect(screen.getByText(/Call state:/u).closest('p')?.textContent).toBe('Call state: Calling…');
  });

  it('mutes with Alt+M, holds with Alt+H and hangs up with Alt+E', async () => {
    const engine = await start({
      calls: [call({ id: 'c1', state: 'connected', answeredAt: 1_700_000_000_000 })],
    });
    await screen.findByRole('button', { name: 'Hang up' });
    await fireEvent.keyDown(window, { key: 'µ', code: 'KeyM', altKey: true });
    await waitFor(() => expect(engine.bridge.callsOf('calls.mute')).toEqual([['c1', true]]));
    expect(liveRegion().textContent).toBe('Microphone muted.');
    await fireEvent.keyDown(window, { key: 'h', code: 'KeyH', altKey: true });
    await waitFor(() => expect(engine.bridge.callsOf('calls.hold')).toEqual([['c1']]));
    await fireEvent.keyDown(window, { key: 'e', code: 'KeyE', altKey: true });
    await waitFor(() => expect(engine.bridge.callsOf('calls.hangup')).toEqual([['c1']]));
    // Ended: the view comes back with what happened.
    await waitFor(() =>
      expect(screen.getByRole('main').textContent?.replace(/\s+/gu, ' ')).toContain(
        'c1@example.test: Call ended',
      ),
    );
    // Plain letters typed elsewhere are not shortcuts.
    await fireEvent.keyDown(window, { key: 'm', code: 'KeyM' });
    expect(engine.bridge.callsOf('calls.mute')).toHaveLength(1);
  });

  it('shows a refused call command above the view until dismissed', async () => {
    const engine = await start({
      calls: [call({ id: 'c1', state: 'connected', answeredAt: 1_700_000_000_000 })],
    });
    engine.bridge.handle('calls.hold', () => ({
      ok: false,
      error: { code: 'conflict', message: 'a re-INVITE is already under way' },
    }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Hold' }));
    const alert = await within(screen.getByRole('main')).findByRole('alert');
    expect(alert.textContent).toContain(
      'The call could not be put on hold: that cannot be done in the call’s current state.',
    );
    expect(alert.textContent).toContain('a re-INVITE is already under way');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(within(screen.getByRole('main')).queryByRole('alert')).toBeNull();
  });

  it('lets the person leave the call screen for a view and return to it', async () => {
    await start({
      calls: [call({ id: 'c1', state: 'connected', answeredAt: 1_700_000_000_000, peerName: 'Bob' })],
    });
    await screen.findByRole('button', { name: 'Hang up' });
    await fireEvent.click(screen.getByRole('button', { name: 'History' }));
    expect(screen.queryByRole('button', { name: 'Hang up' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'History' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Return to call' }));
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
  });

  it('shows a missed call as a badge on History until the history is opened', async () => {
    const engine = await start();
    const nav = screen.getByRole('navigation', { name: 'Views' });
    const ringing = call({
      id: 'm1',
      direction: 'incoming',
      state: 'incoming',
      startedAt: 1_700_000_100_000,
    });
    engine.emit('call.changed', ringing);
    const missed = {
      ...ringing,
      state: 'ended' as const,
      endedAt: 1_700_000_130_000,
      end: { by: 'remote' as const, reason: 'missed' as const, status: null, detail: null },
    };
    engine.history = [
      {
        id: 'm1',
        accountId: null,
        direction: 'incoming',
        peerUri: ringing.peerUri,
        peerName: null,
        startedAt: ringing.startedAt,
        answeredAt: null,
        endedAt: 1_700_000_130_000,
        durationMs: 0,
        end: missed.end,
        codec: null,
        quality: null,
      },
    ];
    engine.emit('call.changed', missed);
    const history = await within(nav).findByRole('button', { name: /^History\W+1 missed call$/u });
    expect(liveRegion().textContent).toBe('m1@example.test: Missed call.');
    await fireEvent.click(history);
    await waitFor(() => expect(within(nav).getByRole('button', { name: 'History' })).toBeTruthy());
    expect(screen.getAllByRole('listitem').some((item) => item.textContent?.includes('Missed'))).toBe(true);
  });
});
