// MessagesState on the in-memory engine: conversations newest first with the unread total, the thread a page at a
// time, live updates put in place (an old offline message lands by its date), reading only while seen, typing both
// ways with its timeouts, sending, retrying, deleting, and searching into a thread.
import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../../../main/contract/contract';
import {
  COMPOSING_RESEND_MS,
  COMPOSING_SHOWN_MS,
  type ChatClock,
  MessagesState,
} from '../../../renderer/src/lib/state/messages.svelte';
import { conversation, message } from '../../support/fake-engine';
import { FakeEngine, type FakeEngineOptions } from '../support/fake-engine';

/** A clock the test moves by hand. */
class HandClock implements ChatClock {
  time = 0;
  #timers: { at: number; run: () => void; live: boolean }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): () => void {
    const timer = { at: this.time + ms, run, live: true };
    this.#timers.push(timer);
    return () => void (timer.live = false);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.#timers.filter((item) => item.live && item.at <= this.time)) {
      timer.live = false;
      timer.run();
    }
  }
}

const bob = conversation({ id: 'c-bob', peerName: 'Bob', unread: 2, updatedAt: 1_700_000_300_000 });
const carol = conversation({ id: 'c-carol', accountId: 'acc-1', unread: 1, updatedAt: 1_700_000_200_000 });

function thread(count: number, conversationId = 'c-bob'): MessageDto[] {
  return Array.from({ length: count }, (_, index) =>
    message({
      id: `m${String(index).padStart(3, '0')}`,
      conversationId,
      sentAt: 1_700_000_000_000 + index * 1000,
    }),
  );
}

function setup(options: FakeEngineOptions = {}, inView = true) {
  const engine = new FakeEngine({ conversations: [carol, bob], ...options });
  const clock = new HandClock();
  const presence = { inView, isInView: () => presence.inView };
  const state = new MessagesState(engine.bridge, presence, clock, 3);
  const stop = state.start();
  return { engine, bridge: engine.bridge, clock, presence, state, stop };
}

describe('MessagesState', () => {
  it('lists conversations newest first and sums their unread counts', async () => {
    const { state } = setup();
    await state.load();
    expect(state.conversations.map((item) => item.id)).toEqual(['c-bob', 'c-carol']);
    expect(state.unreadTotal).toBe(3);
  });

  it('moves a conversation that changes to the top', async () => {
    const { state, engine } = setup();
    await state.load();
    engine.emit('conversation.changed', { ...carol, unread: 4, updatedAt: 1_700_000_400_000 });
    expect(state.conversations.map((item) => item.id)).toEqual(['c-carol', 'c-bob']);
    expect(state.unreadTotal).toBe(6);
    engine.emit('conversation.removed', { id: 'c-carol' });
    expect(state.conversations.map((item) => item.id)).toEqual(['c-bob']);
  });

  it('opens a thread at its newest page, oldest first, and pages back', async () => {
    const { state, bridge } = setup({ messages: thread(7) }, false);
    await state.load();
    await state.openConversation('c-bob');
    expect(state.thread.map((item) => item.id)).toEqual(['m004', 'm005', 'm006']);
    await state.loadOlder();
    expect(state.thread.map((item) => item.id)).toEqual(['m001', 'm002', 'm003', 'm004', 'm005', 'm006']);
    await state.loadOlder();
    expect(state.thread.map((item) => item.id)).toEqual([
      'm000',
      'm001',
      'm002',
      'm003',
      'm004',
      'm005',
      'm006',
    ]);
    expect(state.threadNext).toBeNull();
    expect(bridge.callsOf('messages.list').map(([page]) => page.before?.id ?? null)).toEqual([
      null,
      'm004',
      'm001',
    ]);
  });

  it('appends a new message, updates a delivery in place, and puts an old offline message by its date', async () => {
    const { state, engine } = setup({ messages: thread(2) });
    await state.load();
    await state.openConversation('c-bob');
    const sent = message({
      id: 'out',
      conversationId: 'c-bob',
      direction: 'outgoing',
      delivery: 'sending',
      deliveredAt: null,
      sentAt: 1_700_000_010_000,
    });
    engine.emit('message.changed', sent);
    expect(state.thread.map((item) => item.id)).toEqual(['m000', 'm001', 'out']);
    engine.emit('message.changed', { ...sent, delivery: 'delivered', deliveredAt: 1_700_000_011_000 });
    expect(state.thread.map((item) => item.delivery)).toEqual(['received', 'received', 'delivered']);
    engine.emit(
      'message.changed',
      message({ id: 'offline', conversationId: 'c-bob', sentAt: 1_700_000_000_500 }),
    );
    expect(state.thread.map((item) => item.id)).toEqual(['m000', 'offline', 'm001', 'out']);
    engine.emit('message.changed', message({ id: 'elsewhere', conversationId: 'c-carol' }));
    expect(state.thread).toHaveLength(4);
  });

  it('leaves a message older than the loaded pages to its own page', async () => {
    const { state, engine } = setup({ messages: thread(5) });
    await state.load();
    await state.openConversation('c-bob');
    engine.emit(
      'message.changed',
      message({ id: 'ancient', conversationId: 'c-bob', sentAt: 1_600_000_000_000 }),
    );
    expect(state.thread.map((item) => item.id)).toEqual(['m002', 'm003', 'm004']);
  });

  it('marks read only while the thread is shown and the window is in front', async () => {
    const { state, bridge, engine, presence } = setup({ messages: thread(1) }, false);
    await state.load();
    await state.openConversation('c-bob');
    state.setShowing(true);
    expect(bridge.callsOf('messages.markRead')).toEqual([]);
    presence.inView = true;
    state.windowFocused();
    expect(bridge.callsOf('messages.markRead')).toEqual([['c-bob']]);
    expect(state.unreadTotal).toBe(1);
    // A message while it is seen is read at once; one while the view is elsewhere is not.
    engine.emit('conversation.changed', { ...bob, unread: 1 });
    expect(bridge.callsOf('messages.markRead')).toHaveLength(2);
    state.setShowing(false);
    engine.emit('conversation.changed', { ...bob, unread: 2 });
    expect(bridge.callsOf('messages.markRead')).toHaveLength(2);
  });

  it('shows the peer typing until idle, a message from them, or the timeout', async () => {
    const { state, engine, clock } = setup();
    await state.load();
    const active = {
      conversationId: 'c-bob',
      accountId: null,
      peerUri: bob.peerUri,
      state: 'active',
    } as const;
    engine.emit('message.composing', active);
    expect(state.typing).toEqual(['c-bob']);
    engine.emit('message.composing', { ...active, state: 'idle' });
    expect(state.typing).toEqual([]);

    engine.emit('message.composing', active);
    engine.emit('message.changed', message({ id: 'x', conversationId: 'c-bob' }));
    expect(state.typing).toEqual([]);

    engine.emit('message.composing', active);
    clock.advance(COMPOSING_SHOWN_MS - 1);
    // A refresh starts the time again.
    engine.emit('message.composing', active);
    clock.advance(COMPOSING_SHOWN_MS - 1);
    expect(state.typing).toEqual(['c-bob']);
    clock.advance(1);
    expect(state.typing).toEqual([]);
  });

  it('says active at the first keystroke, at most every few seconds, and idle when the text is cleared', async () => {
    const { state, engine, clock } = setup();
    const target = { accountId: null, peerUri: 'sip:bob@example.test' };
    state.typed(target, 'h');
    state.typed(target, 'he');
    clock.advance(COMPOSING_RESEND_MS - 1);
    state.typed(target, 'hel');
    clock.advance(1);
    state.typed(target, 'hell');
    state.typed(target, '');
    state.typed(target, '');
    await Promise.resolve();
    expect(engine.composing).toEqual([
      { to: 'sip:bob@example.test', state: 'active' },
      { to: 'sip:bob@example.test', state: 'active' },
      { to: 'sip:bob@example.test', state: 'idle' },
    ]);
    state.typed(target, 'again');
    state.leftComposer(target);
    state.leftComposer(target);
    await Promise.resolve();
    expect(engine.composing.slice(3).map((item) => item.state)).toEqual(['active', 'idle']);
  });

  it('sends into the open thread, and starts a new conversation', async () => {
    const { state, engine } = setup({ messages: thread(1) });
    await state.load();
    await state.openConversation('c-bob');
    await state.send({ accountId: null, peerUri: bob.peerUri }, 'hello');
    expect(state.thread.map((item) => item.body)).toEqual(['text of m000', 'hello']);
    const result = await state.send({ accountId: 'acc-1', peerUri: 'sip:dave@example.test' }, 'hi Dave');
    expect(result.ok).toBe(true);
    expect(state.open?.peerUri).toBe('sip:dave@example.test');
    expect(state.thread.map((item) => item.body)).toEqual(['hi Dave']);
    expect(engine.conversations).toHaveLength(3);
  });

  it('finds the conversation with a peer: on the account asked for, or on any account when none is', async () => {
    const { state } = setup();
    await state.load();
    expect(await state.openWith({ accountId: 'acc-2', peerUri: carol.peerUri })).toBe(false);
    expect(await state.openWith({ accountId: null, peerUri: carol.peerUri.toUpperCase() })).toBe(true);
    expect(state.openId).toBe('c-carol');
    expect(await state.openWith({ accountId: null, peerUri: bob.peerUri })).toBe(true);
    expect(state.openId).toBe('c-bob');
  });

  it('retries a failed message and shows it sending again', async () => {
    const failed = message({
      id: 'f',
      conversationId: 'c-bob',
      direction: 'outgoing',
      delivery: 'failed',
      deliveredAt: null,
      failure: { reason: 'unavailable', status: 480, detail: '480 Temporarily Unavailable' },
    });
    const { state, bridge } = setup({ messages: [failed] });
    await state.load();
    await state.openConversation('c-bob');
    await state.retry('f');
    expect(bridge.callsOf('messages.retry')).toEqual([['f']]);
    expect(state.thread[0]?.delivery).toBe('sending');
    expect(state.thread[0]?.failure).toBeNull();
  });

  it('says why a command failed', async () => {
    const { state, bridge } = setup();
    bridge.handle('messages.send', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'not built' },
    }));
    const result = await state.send({ accountId: null, peerUri: 'sip:x@example.test' }, 'x');
    expect(result.ok).toBe(false);
    expect(state.error).toEqual({
      action: 'send',
      text: 'The app cannot do that right now.',
      detail: 'not built',
    });
  });

  it('deletes a conversation and closes it when open', async () => {
    const { state } = setup({ messages: thread(1) });
    await state.load();
    await state.openConversation('c-bob');
    expect(await state.deleteConversation('c-bob')).toBe(true);
    expect(state.openId).toBeNull();
    expect(state.conversations.map((item) => item.id)).toEqual(['c-carol']);
  });

  it('searches, keeps only the newest answer, and opens a result far back at its message', async () => {
    const { state, bridge } = setup({
      messages: [
        ...thread(9),
        message({ id: 'needle', conversationId: 'c-bob', body: 'the needle', sentAt: 1 }),
      ],
    });
    await state.load();
    const slow = state.search('needle');
    bridge.handle('messages.search', () => ({ ok: true, value: [] }));
    await state.search('nothing');
    await slow;
    expect(state.searchResults).toEqual([]);
    bridge.handle('messages.search', () => ({
      ok: true,
      value: [{ message: message({ id: 'needle', conversationId: 'c-bob' }), conversation: bob }],
    }));
    await state.search('needle');
    expect(state.searchResults?.map((hit) => hit.message.id)).toEqual(['needle']);
    await state.openConversation('c-bob', 'needle');
    expect(state.thread[0]?.id).toBe('needle');
    expect(state.highlightId).toBe('needle');
    await state.send({ accountId: null, peerUri: bob.peerUri }, 'found it');
    expect(state.highlightId).toBeNull();
    await state.search('  ');
    expect(state.searchResults).toBeNull();
  });
});
