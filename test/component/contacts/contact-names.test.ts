// Names from the contacts wherever a far end shows: the history (with "Add to contacts" for a stranger), the
// incoming-call prompt, the call screen, the dialpad's suggestions and the web host's call notifications. A contact's
// name wins over the display name the far end sent; a stranger keeps theirs.
import { fireEvent, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import CallScreen from '../../../renderer/src/features/call/CallScreen.svelte';
import IncomingCallPrompt from '../../../renderer/src/features/call/IncomingCallPrompt.svelte';
import DialpadView from '../../../renderer/src/features/dialpad/DialpadView.svelte';
import HistoryView from '../../../renderer/src/features/history/HistoryView.svelte';
import { contact } from '../../support/fake-engine';
import { AppState } from '../../../renderer/src/lib/state/app-state.svelte';
import { call, FakeEngine, historyEntry } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const bob = contact({
  id: 'bob',
  name: 'Bob Stone',
  sipAddresses: [{ uri: 'sip:bob@example.com', label: null }],
  phoneNumbers: [{ number: '030 1234567', label: null }],
});

afterEach(() => localStorage.clear());

describe('names from the contacts', () => {
  it('names history entries after the contact, and offers "Add to contacts" for strangers', async () => {
    const { app } = await renderWithApp(
      HistoryView,
      {},
      {
        contacts: [bob],
        history: [
          historyEntry({ id: 'h1', peerUri: 'sip:bob@EXAMPLE.com;transport=tcp', peerName: 'bobby' }),
          historyEntry({ id: 'h2', peerUri: 'sip:+49301234567@pbx.test', peerName: null, startedAt: 1 }),
          historyEntry({ id: 'h3', peerUri: 'sip:eve@example.com', peerName: 'Eve', startedAt: 0 }),
        ],
      },
    );
    const items = screen.getAllByRole('listitem');
    expect(items[0]!.querySelector('.name')?.textContent).toBe('Bob Stone');
    expect(items[1]!.querySelector('.name')?.textContent).toBe('Bob Stone');
    expect(items[2]!.querySelector('.name')?.textContent).toBe('Eve');
    expect(within(items[0]!).getByRole('button', { name: 'Show contact Bob Stone' })).toBeTruthy();
    await fireEvent.click(within(items[2]!).getByRole('button', { name: 'Add Eve to contacts' }));
    expect(app.navigation.view).toBe('contacts');
    expect(app.navigation.contactRequest).toEqual({ kind: 'new', uri: 'sip:eve@example.com', name: 'Eve' });
  });

  it('names the caller in the incoming prompt and on the call screen', async () => {
    const ringing = call({
      id: 'in1',
      direction: 'incoming',
      state: 'incoming',
      peerName: 'Spoofed Name',
      peerUri: 'sip:bob@example.com',
    });
    await renderWithApp(IncomingCallPrompt, { call: ringing }, { calls: [ringing], contacts: [bob] });
    expect(screen.getByRole('dialog', { name: 'Incoming call' }).textContent).toContain('Bob Stone');
    expect(screen.getByRole('dialog', { name: 'Incoming call' }).textContent).not.toContain('Spoofed Name');
  });

  it('names the far end on the call screen', async () => {
    const up = call({ id: 'c1', state: 'connected', peerUri: 'sip:bob@example.com', peerName: null });
    await renderWithApp(CallScreen, { call: up }, { calls: [up], contacts: [bob] });
    expect(screen.getByRole('heading', { name: /Bob Stone/ })).toBeTruthy();
  });

  it('names the dialpad’s suggestions', async () => {
    await renderWithApp(
      DialpadView,
      {},
      {
        contacts: [bob],
        history: [historyEntry({ id: 'h1', peerUri: 'sip:bob@example.com', peerName: null })],
      },
    );
    await fireEvent.input(screen.getByRole('textbox', { name: 'Number or SIP address' }), {
      target: { value: 'bob' },
    });
    const list = screen.getByRole('list', { name: 'Matches from your history' });
    expect(list.textContent).toContain('Bob Stone');
  });

  it('suggests contacts by name or number on the dialpad and fills in what calling them dials', async () => {
    await renderWithApp(
      DialpadView,
      {},
      {
        contacts: [
          bob,
          contact({
            id: 'desk',
            name: 'Front desk',
            sipAddresses: [],
            phoneNumbers: [{ number: '100', label: null }],
          }),
        ],
      },
    );
    const field = screen.getByRole('textbox', { name: 'Number or SIP address' });
    await fireEvent.input(field, { target: { value: 'bob st' } });
    const list = screen.getByRole('list', { name: 'Matches from your contacts' });
    expect(list.textContent).toContain('Bob Stone');
    await fireEvent.click(within(list).getByRole('button'));
    expect(field).toHaveProperty('value', 'sip:bob@example.com');
    await fireEvent.input(field, { target: { value: 'front' } });
    await fireEvent.click(
      within(screen.getByRole('list', { name: 'Matches from your contacts' })).getByRole('button'),
    );
    expect(field).toHaveProperty('value', '100');
    // One character suggests nothing yet.
    await fireEvent.input(field, { target: { value: 'b' } });
    expect(screen.queryByRole('list', { name: 'Matches from your contacts' })).toBeNull();
  });

  it('names the caller in the web host’s notification', async () => {
    const shown: string[] = [];
    const engine = new FakeEngine({ contacts: [bob] });
    const app = new AppState(engine.bridge, {
      notifications: {
        permission: () => 'granted',
        requestPermission: async () => 'granted',
        show: (_title, body) => {
          shown.push(body);
          return { close: () => undefined };
        },
      },
      presence: { isInView: () => false, focus: () => undefined },
    });
    const stop = app.start();
    await app.ready;
    engine.emit(
      'call.changed',
      call({
        id: 'r1',
        direction: 'incoming',
        state: 'incoming',
        peerName: 'X',
        peerUri: 'sip:bob@example.com',
      }),
    );
    flushSync();
    expect(shown).toEqual(['Bob Stone (bob@example.com)']);
    stop();
  });
});
