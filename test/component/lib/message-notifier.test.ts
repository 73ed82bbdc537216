// The window's new-message notices: inside the window when it is in front and the message is elsewhere, a system
// notification on the web host when it is not (none in the desktop app, whose shell raises them), none for the
// conversation being read, one summary for an offline burst, and Open/the click showing the conversation.
import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import MessageNoticeBanner from '../../../renderer/src/features/chat/MessageNoticeBanner.svelte';
import { BACKLOG_GATHER_MS, OFFLINE_AGE_MS } from '../../../main/contract/message-alerts';
import { peerTitle } from '../../../main/contract/peer-text';
import type { NotificationPort } from '../../../renderer/src/lib/state/call-notifier.svelte';
import { MessageNotifier, NOTICE_SHOWN_MS } from '../../../renderer/src/lib/state/message-notifier.svelte';
import { conversation, message } from '../../support/fake-engine';
import { FakeEngine } from '../support/fake-engine';
import { HandClock, renderChat } from '../chat/render-chat';

const bob = conversation({ id: 'c-bob', peerName: 'Bob\u202e', peerUri: 'sip:bob@example.com' });
const carol = conversation({ id: 'c-carol', peerUri: 'sip:carol@example.com' });
const now = 1_700_000_000_000;
const live = (id: string, conversationId = 'c-bob', body = `hello ${id}`) =>
  message({ id, conversationId, body, sentAt: now, deliveredAt: now + 100 });

function setup(
  options: {
    inView?: boolean;
    web?: boolean;
    seen?: string | null;
    permission?: NotificationPermission;
  } = {},
) {
  const engine = new FakeEngine();
  const clock = new HandClock();
  const shown: { title: string; body: string; tag: string; click: () => void; closed: boolean }[] = [];
  const port = {
    permission: () => options.permission ?? 'granted',
    requestPermission: async () => 'granted' as const,
    show: (title: string, body: string, tag: string, click: () => void) => {
      const record = { title, body, tag, click, closed: false };
      shown.push(record);
      return { close: () => void (record.closed = true) };
    },
  } satisfies NotificationPort;
  const page = { inView: options.inView ?? false, isInView: () => page.inView, focus: vi.fn() };
  const opened: (string | null)[] = [];
  const notifier = new MessageNotifier({
    bridge: engine.bridge,
    messages: { conversations: [bob, carol], isSeen: (id) => id === (options.seen ?? null) },
    port: options.web === false ? null : port,
    page,
    clock,
    titleOf: (peer) => (peer.peerUri === 'sip:carol@example.com' ? 'Carol Contact' : peerTitle(peer)),
    open: (id) => opened.push(id),
  });
  const stop = notifier.start();
  return { engine, clock, shown, page, opened, notifier, stop };
}

describe('MessageNotifier', () => {
  it('raises a system notification on the web host when the window is not in front; the click opens it', () => {
    const { engine, shown, page, opened } = setup();
    engine.emit('message.changed', live('m1'));
    engine.emit('message.changed', live('m2', 'c-carol', 'line one\nline two'));
    expect(shown.map(({ title, body, tag }) => ({ title, body, tag }))).toEqual([
      { title: 'Bob', body: 'hello m1', tag: 'message-c-bob' },
      { title: 'Carol Contact', body: 'line one line two', tag: 'message-c-carol' },
    ]);
    shown[0]!.click();
    expect(page.focus).toHaveBeenCalled();
    expect(shown[0]!.closed).toBe(true);
    expect(opened).toEqual(['c-bob']);
  });

  it('raises nothing in the desktop app while the window is not in front (its shell does), nor without permission', () => {
    const desktop = setup({ web: false });
    desktop.engine.emit('message.changed', live('m1'));
    expect(desktop.notifier.notice).toBeNull();
    const refused = setup({ permission: 'denied' });
    refused.engine.emit('message.changed', live('m1'));
    expect(refused.shown).toEqual([]);
  });

  it('shows a notice in the window for a message elsewhere, hidden after a while', () => {
    const { engine, clock, shown, notifier } = setup({ inView: true, seen: 'c-carol' });
    engine.emit('message.changed', live('m1', 'c-carol'));
    expect(notifier.notice).toBeNull();
    engine.emit('message.changed', live('m2'));
    expect(notifier.notice).toEqual({ conversationId: 'c-bob', title: 'Bob', text: 'hello m2' });
    expect(shown).toEqual([]);
    clock.advance(NOTICE_SHOWN_MS);
    expect(notifier.notice).toBeNull();
  });

  it('sums up an offline burst in one notification', () => {
    const { engine, clock, shown, opened } = setup();
    for (const [id, conversationId] of [
      ['a', 'c-bob'],
      ['b', 'c-carol'],
      ['c', 'c-bob'],
    ] as const) {
      engine.emit(
        'message.changed',
        message({ id, conversationId, sentAt: now - OFFLINE_AGE_MS, deliveredAt: now }),
      );
    }
    expect(shown).toEqual([]);
    clock.advance(BACKLOG_GATHER_MS);
    expect(shown.map(({ title, body }) => ({ title, body }))).toEqual([
      { title: '3 messages arrived while you were away', body: 'From Bob, Carol Contact' },
    ]);
    shown[0]!.click();
    expect(opened).toEqual([null]);
  });

  it('stops listening when stopped', () => {
    const { engine, shown, stop } = setup();
    stop();
    engine.emit('message.changed', live('m1'));
    expect(shown).toEqual([]);
  });
});

describe('MessageNoticeBanner', () => {
  it('shows the notice, opens the conversation, and can be dismissed', async () => {
    const { engine, app } = await renderChat(
      MessageNoticeBanner,
      {},
      { conversations: [bob, carol], messages: [] },
    );
    engine.emit('message.changed', live('m1', 'c-carol', '<b>hi</b>'));
    const open = await screen.findByRole('button', { name: 'Open' });
    expect(screen.getByRole('status', { name: 'New message' }).textContent).toContain('<b>hi</b>');
    await fireEvent.click(open);
    expect(app.navigation.view).toBe('chat');
    expect(app.messages.openId).toBe('c-carol');
    engine.emit('message.changed', live('m2', 'c-bob'));
    await fireEvent.click(await screen.findByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('button', { name: 'Open' })).toBeNull();
  });
});
