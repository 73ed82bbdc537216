// MessageAlerts on the fake engine's events: a notification for an incoming message while the window is not
// focused, named after its conversation (even one announced just after its first message), none while focused or
// for our own messages, one summary for an offline burst, cleaned text, and the click opening the conversation.
import { describe, expect, it, vi } from 'vitest';
import { MessageAlerts } from '../../../main/app/message-alerts';
import type { Notifier } from '../../../main/app/notifications';
import { BACKLOG_GATHER_MS, OFFLINE_AGE_MS } from '../../../main/contract/message-alerts';
import { FakeEngine, conversation, message } from '../../support/fake-engine';

function setup(focused = false) {
  const engine = new FakeEngine();
  const shown: { title: string; body: string; onClick?: () => void }[] = [];
  const notifier: Notifier = {
    notify: (title, body, onClick) => {
      shown.push({ title, body, ...(onClick ? { onClick } : {}) });
      return true;
    },
  };
  const window = { focused };
  const onOpenConversation = vi.fn();
  const timers: { ms: number; run: () => void }[] = [];
  const alerts = new MessageAlerts({
    events: engine.events,
    notifier,
    isWindowFocused: () => window.focused,
    onOpenConversation,
    schedule: (ms, run) => {
      timers.push({ ms, run });
      return () => undefined;
    },
  });
  return { engine, alerts, shown, window, onOpenConversation, timers };
}

const now = 1_700_000_000_000;
const bob = conversation({ id: 'c-bob', peerName: 'Bob\u202e\u0007', peerUri: 'sip:bob@example.com' });
const live = (id: string, body = `hello ${id}`) =>
  message({ id, conversationId: 'c-bob', body, sentAt: now, deliveredAt: now + 100 });
const settle = () => new Promise<void>((done) => queueMicrotask(done));

describe('MessageAlerts', () => {
  it('notifies an incoming message while the window is not focused; the click opens its conversation', async () => {
    const { engine, shown, onOpenConversation } = setup();
    // As the engine does for a new peer: the message first, then its conversation.
    engine.emit('message.changed', live('m1', `<b>hi</b>\u202e\n${'x'.repeat(1_000)}`));
    engine.emit('conversation.changed', bob);
    await settle();
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe('Bob');
    expect(shown[0]!.body.startsWith('<b>hi</b> xxx')).toBe(true);
    expect(shown[0]!.body.length).toBeLessThanOrEqual(200);
    shown[0]!.onClick?.();
    expect(onOpenConversation).toHaveBeenCalledWith('c-bob');
  });

  it('stays quiet while the window is focused, and for our own messages', async () => {
    const { engine, shown, window } = setup(true);
    engine.emit('message.changed', live('m1'));
    window.focused = false;
    engine.emit('message.changed', { ...live('m2'), direction: 'outgoing', delivery: 'delivered' });
    await settle();
    expect(shown).toEqual([]);
  });

  it('sums up offline messages in one notification', async () => {
    const { engine, shown, timers, onOpenConversation } = setup();
    engine.emit('conversation.changed', bob);
    for (const id of ['a', 'b'])
      engine.emit('message.changed', { ...live(id), sentAt: now - OFFLINE_AGE_MS - 1 });
    expect(timers.map((timer) => timer.ms)).toEqual([BACKLOG_GATHER_MS]);
    timers[0]!.run();
    await settle();
    expect(shown.map(({ title, body }) => ({ title, body }))).toEqual([
      { title: '2 messages arrived while you were away', body: 'From Bob' },
    ]);
    shown[0]!.onClick?.();
    expect(onOpenConversation).toHaveBeenCalledWith('c-bob');
  });

  it('says "New message" for a conversation it never heard of, and stops when disposed', async () => {
    const { engine, shown, alerts } = setup();
    engine.emit(
      'message.changed',
      message({ id: 'x', conversationId: 'c-unknown', sentAt: now, deliveredAt: now }),
    );
    await settle();
    expect(shown.map((item) => item.title)).toEqual(['New message']);
    alerts.dispose();
    engine.emit('message.changed', live('m9'));
    await settle();
    expect(shown).toHaveLength(1);
  });
});
