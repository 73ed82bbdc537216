// The chat view on the in-memory engine: the list with names, previews and unread counts; a thread with day
// separators, delivery marks, failures in words with Retry, older pages, live messages and the typing indicator;
// the composer's keys and its typing indication; a new conversation; search into a thread; delete behind a
// question; the call button; and a conversation asked for by another view.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../../../main/contract/contract';
import ChatView from '../../../renderer/src/features/chat/ChatView.svelte';
import { COMPOSING_SHOWN_MS } from '../../../renderer/src/lib/state/messages.svelte';
import { contact, conversation, message } from '../../support/fake-engine';
import { account } from '../support/fake-engine';
import { renderChat } from './render-chat';

const day = 86_400_000;
const monday = new Date(2023, 10, 13, 9, 30).getTime();
const bob = conversation({
  id: 'c-bob',
  peerName: 'Bob',
  peerUri: 'sip:bob@example.com',
  unread: 2,
  updatedAt: monday + day,
  lastMessage: message({ id: 'b2', conversationId: 'c-bob', body: 'See you tomorrow', sentAt: monday + day }),
});
const carol = conversation({
  id: 'c-carol',
  accountId: 'acc-1',
  peerUri: 'sip:carol@example.com',
  updatedAt: monday,
  lastMessage: message({
    id: 'c1',
    conversationId: 'c-carol',
    direction: 'outgoing',
    delivery: 'failed',
    body: 'Are you there?',
    sentAt: monday,
  }),
});
const bobThread: MessageDto[] = [
  message({ id: 'b1', conversationId: 'c-bob', body: 'Hello from Monday', sentAt: monday }),
  message({
    id: 'b1r',
    conversationId: 'c-bob',
    direction: 'outgoing',
    delivery: 'delivered',
    body: 'Hi Bob',
    sentAt: monday + 60_000,
  }),
  message({
    id: 'b1f',
    conversationId: 'c-bob',
    direction: 'outgoing',
    delivery: 'failed',
    deliveredAt: null,
    failure: {
      reason: 'unavailable',
      status: 480,
      detail: '480 Temporarily Unavailable from 127.0.0.1:5060',
    },
    body: 'Did you get this?',
    sentAt: monday + 120_000,
  }),
  message({ id: 'b2', conversationId: 'c-bob', body: 'See you tomorrow', sentAt: monday + day }),
];
const engineState = { conversations: [bob, carol], messages: bobThread };

async function openBob(options = engineState) {
  const rendered = await renderChat(ChatView, {}, options);
  await fireEvent.click(screen.getByRole('button', { name: /^Bob/u }));
  await screen.findByRole('list', { name: 'Messages with Bob' });
  return rendered;
}

describe('ChatView', () => {
  it('lists conversations with names, last messages, unread counts in words', async () => {
    await renderChat(ChatView, {}, engineState);
    const list = screen.getByRole('list', { name: 'Conversations' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('Bob');
    expect(items[0]!.textContent).toContain('See you tomorrow');
    expect(items[0]!.textContent).toContain('2 unread messages');
    expect(items[1]!.textContent).toContain('carol@example.com');
    expect(items[1]!.textContent).toContain('Not delivered: Are you there?');
  });

  it('shows a thread with a separator per day, delivery marks, and a failure in words with Retry', async () => {
    const { bridge } = await openBob();
    const thread = screen.getByRole('list', { name: 'Messages with Bob' });
    const items = within(thread).getAllByRole('listitem');
    // Two days: a separator before each.
    expect(items.map((item) => item.textContent?.trim().slice(0, 20))).toHaveLength(6);
    expect(items[0]!.className).toContain('day');
    expect(items[4]!.className).toContain('day');
    expect(items[2]!.textContent).toContain('Delivered');
    expect(items[3]!.textContent).toContain('Not delivered');
    expect(items[3]!.textContent).toContain('They are offline, and their server keeps no messages for them.');
    expect(items[3]!.textContent).toContain('480 Temporarily Unavailable');
    await fireEvent.click(within(items[3]!).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(bridge.callsOf('messages.retry')).toEqual([['b1f']]));
    await waitFor(() => expect(within(thread).getAllByText('Sending…')).toHaveLength(1));
  });

  it('marks the conversation read when it is shown in a window in front', async () => {
    const { bridge, app } = await openBob();
    await waitFor(() => expect(bridge.callsOf('messages.markRead')).toEqual([['c-bob']]));
    expect(app.messages.unreadTotal).toBe(0);
  });

  it('does not mark read while the window is not in front, and does once it is', async () => {
    const window = { inView: false };
    const { bridge } = await renderChat(ChatView, {}, engineState, window);
    await fireEvent.click(screen.getByRole('button', { name: /^Bob/u }));
    await screen.findByRole('list', { name: 'Messages with Bob' });
    expect(bridge.callsOf('messages.markRead')).toEqual([]);
    window.inView = true;
    await fireEvent.focus(globalThis.window);
    expect(bridge.callsOf('messages.markRead')).toEqual([['c-bob']]);
  });

  it('pages back on request', async () => {
    const many = Array.from({ length: 60 }, (_, index) =>
      message({
        id: `m${String(index).padStart(2, '0')}`,
        conversationId: 'c-bob',
        sentAt: monday + index * 1000,
      }),
    );
    await openBob({ conversations: [bob], messages: many });
    const thread = screen.getByRole('list', { name: 'Messages with Bob' });
    expect(within(thread).queryByText('text of m09')).toBeNull();
    expect(within(thread).getByText('text of m59')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Show older messages' }));
    await waitFor(() => expect(within(thread).getByText('text of m00')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Show older messages' })).toBeNull();
  });

  it('adds a live message, announces it, and shows typing until it times out', async () => {
    const { engine, clock } = await openBob();
    engine.emit('message.composing', {
      conversationId: 'c-bob',
      accountId: null,
      peerUri: bob.peerUri,
      state: 'active',
    });
    await waitFor(() => expect(screen.getByText(/is typing…/u).textContent).toContain('Bob is typing…'));
    const list = screen.getByRole('list', { name: 'Conversations' });
    expect(within(list).getAllByRole('listitem')[0]!.textContent).toContain('typing…');
    clock.advance(COMPOSING_SHOWN_MS);
    await waitFor(() => expect(screen.queryByText(/is typing…/u)).toBeNull());

    engine.emit('message.composing', {
      conversationId: 'c-bob',
      accountId: null,
      peerUri: bob.peerUri,
      state: 'active',
    });
    await screen.findByText(/is typing…/u);
    engine.emit(
      'message.changed',
      message({ id: 'live', conversationId: 'c-bob', body: 'Just arrived', sentAt: monday + 2 * day }),
    );
    await screen.findByText('Just arrived');
    expect(screen.queryByText(/is typing…/u)).toBeNull();
    expect(screen.getByRole('status', { name: 'New messages' }).textContent).toContain('Bob: Just arrived');
  });

  it('sends with Enter, keeps Shift+Enter for a new line, refuses an empty message', async () => {
    const { bridge, engine } = await openBob();
    const field = screen.getByRole('textbox', { name: 'Message to Bob' });
    const send = screen.getByRole('button', { name: 'Send' });
    expect((send as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.keyDown(field, { key: 'Enter' });
    expect(bridge.callsOf('messages.send')).toEqual([]);

    await fireEvent.input(field, { target: { value: 'first line' } });
    expect(engine.composing).toEqual([{ to: 'sip:bob@example.com', state: 'active' }]);
    const shifted = await fireEvent.keyDown(field, { key: 'Enter', shiftKey: true });
    expect(shifted).toBe(true);
    expect(bridge.callsOf('messages.send')).toEqual([]);
    await fireEvent.input(field, { target: { value: 'first line\nsecond line' } });
    expect((field as HTMLTextAreaElement).rows).toBe(2);
    await fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() =>
      expect(bridge.callsOf('messages.send')).toEqual([
        [{ accountId: null, to: 'sip:bob@example.com', body: 'first line\nsecond line' }],
      ]),
    );
    await waitFor(() => expect((field as HTMLTextAreaElement).value).toBe(''));
    expect(engine.composing.map((item) => item.state)).toEqual(['active', 'idle']);
    const thread = screen.getByRole('list', { name: 'Messages with Bob' });
    expect(within(thread).getByText(/first line/u).textContent).toBe('first line\nsecond line');
  });

  it('says idle when the text is cleared, and counts down near the limit', async () => {
    const { engine } = await openBob();
    const field = screen.getByRole('textbox', { name: 'Message to Bob' });
    await fireEvent.input(field, { target: { value: 'x' } });
    await fireEvent.input(field, { target: { value: '' } });
    expect(engine.composing.map((item) => item.state)).toEqual(['active', 'idle']);
    expect(screen.queryByText(/characters left/u)).toBeNull();
    await fireEvent.input(field, { target: { value: 'a'.repeat(9_990) } });
    expect(screen.getByText('10 characters left')).toBeTruthy();
    expect((field as HTMLTextAreaElement).maxLength).toBe(10_000);
  });

  it('tells the peer we stopped when we leave their conversation with text unsent', async () => {
    const { engine } = await openBob();
    await fireEvent.input(screen.getByRole('textbox', { name: 'Message to Bob' }), {
      target: { value: 'half a thought' },
    });
    const list = screen.getByRole('list', { name: 'Conversations' });
    await fireEvent.click(within(list).getByRole('button', { name: /^carol@example.com/u }));
    await screen.findByRole('textbox', { name: 'Message to carol@example.com' });
    expect(engine.composing).toEqual([
      { to: 'sip:bob@example.com', state: 'active' },
      { to: 'sip:bob@example.com', state: 'idle' },
    ]);
  });

  it('keeps the text and says why when sending fails', async () => {
    const { bridge } = await openBob();
    bridge.handle('messages.send', () => ({
      ok: false,
      error: { code: 'invalid-argument', message: 'to: not a SIP URI', field: '0.to' },
    }));
    const field = screen.getByRole('textbox', { name: 'Message to Bob' });
    await fireEvent.input(field, { target: { value: 'hello' } });
    await fireEvent.keyDown(field, { key: 'Enter' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The message was not sent');
    expect((field as HTMLTextAreaElement).value).toBe('hello');
  });

  it('starts a new conversation from an address and an account', async () => {
    const { bridge } = await renderChat(
      ChatView,
      {},
      {
        ...engineState,
        accounts: [
          account({ id: 'acc-1', aor: 'sip:alice@example.com' }),
          account({ id: 'acc-2', aor: 'sip:alice@other.example', displayName: 'Other' }),
        ],
      },
    );
    await fireEvent.click(screen.getByRole('button', { name: 'New conversation' }));
    const to = screen.getByRole('textbox', { name: 'To' });
    await fireEvent.input(to, { target: { value: 'sip:dave@' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(screen.getByRole('alert').textContent).not.toBe('');
    await fireEvent.change(screen.getByRole('combobox', { name: 'From' }), { target: { value: 'acc-2' } });
    await fireEvent.input(to, { target: { value: 'dave' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    const field = await screen.findByRole('textbox', { name: 'Message to dave@other.example' });
    expect(screen.getByText(/No messages yet/u)).toBeTruthy();
    await fireEvent.input(field, { target: { value: 'Hi Dave' } });
    await fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() =>
      expect(bridge.callsOf('messages.send')).toEqual([
        [{ accountId: 'acc-2', to: 'sip:dave@other.example', body: 'Hi Dave' }],
      ]),
    );
    await screen.findByRole('list', { name: 'Messages with dave@other.example' });
    expect(screen.getByRole('list', { name: 'Conversations' }).textContent).toContain('You: Hi Dave');
  });

  it('opens the existing conversation when starting one with the same peer', async () => {
    const { bridge } = await renderChat(ChatView, {}, engineState);
    await fireEvent.click(screen.getByRole('button', { name: 'New conversation' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'To' }), {
      target: { value: 'sip:bob@example.com' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await screen.findByRole('list', { name: 'Messages with Bob' });
    expect(bridge.callsOf('messages.list')[0]?.[0].conversationId).toBe('c-bob');
  });

  it('searches messages and opens the conversation at the message found', async () => {
    await renderChat(ChatView, {}, engineState);
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Search messages' }), {
      target: { value: 'monday' },
    });
    const results = await screen.findByRole('list', { name: 'Messages found' });
    expect(within(results).getAllByRole('listitem')).toHaveLength(1);
    expect(within(results).getByText('Monday').tagName).toBe('MARK');
    await fireEvent.click(within(results).getByRole('button'));
    const thread = await screen.findByRole('list', { name: 'Messages with Bob' });
    await waitFor(() =>
      expect(within(thread).getByText('Hello from Monday').closest('.message')?.className).toContain(
        'highlighted',
      ),
    );
    await fireEvent.keyDown(screen.getByRole('searchbox'), { key: 'Escape' });
    expect(screen.getByRole('list', { name: 'Conversations' })).toBeTruthy();
  });

  it('deletes a conversation only after the question is answered', async () => {
    const { bridge } = await openBob();
    await fireEvent.click(screen.getByRole('button', { name: 'Delete the conversation with Bob' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(bridge.callsOf('messages.deleteConversation')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete the conversation with Bob' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete conversation' }));
    await waitFor(() => expect(bridge.callsOf('messages.deleteConversation')).toEqual([['c-bob']]));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Messages with Bob' })).toBeNull());
    expect(screen.getByRole('list', { name: 'Conversations' }).textContent).not.toContain('Bob');
  });

  it('calls the peer from the thread header', async () => {
    const { bridge } = await openBob();
    await fireEvent.click(screen.getByRole('button', { name: 'Call Bob' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.dial')).toEqual([[{ target: 'sip:bob@example.com', accountId: null }]]),
    );
  });

  it('names people after their contact, and offers to add the others to contacts', async () => {
    const { app } = await renderChat(
      ChatView,
      {},
      {
        ...engineState,
        contacts: [
          contact({
            id: 'k1',
            name: 'Robert Contact',
            sipAddresses: [{ uri: 'sip:bob@example.com', label: null }],
          }),
        ],
      },
    );
    const list = screen.getByRole('list', { name: 'Conversations' });
    await waitFor(() => expect(list.textContent).toContain('Robert Contact'));
    await fireEvent.click(within(list).getByRole('button', { name: /^Robert Contact/u }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Robert Contact' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Show contact Robert Contact' })).toBeTruthy();
    app.messages.receiveMessage(
      message({ id: 'new', conversationId: 'c-bob', body: 'hi', sentAt: monday + 3 * day }),
    );
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'New messages' }).textContent).toContain(
        'Robert Contact: hi',
      ),
    );
    await fireEvent.click(within(list).getByRole('button', { name: /^carol@example.com/u }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Add carol@example.com to contacts' }));
    expect(app.navigation.view).toBe('contacts');
    expect(app.navigation.contactRequest).toEqual({ kind: 'new', uri: 'sip:carol@example.com', name: null });
  });

  it('opens the conversation another view asks for', async () => {
    const { app, bridge } = await renderChat(ChatView, {}, engineState);
    app.navigation.openChat('sip:carol@example.com', 'acc-1');
    await screen.findByRole('heading', { name: 'carol@example.com' });
    expect(bridge.callsOf('messages.list').map(([page]) => page.conversationId)).toEqual(['c-carol']);
    expect(app.navigation.chatWith).toBeNull();
    app.navigation.openChat('sip:erin@example.com', null);
    await screen.findByRole('textbox', { name: 'Message to erin@example.com' });
  });
});
