// The web host's call notifications on a fake Notification API: one for a call that rings while the tab is out of
// view (closed when it stops ringing, a click brings the tab forward), one for a missed call, none while the tab is
// in view or without permission, and permission asked only through ask().
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { CallDto } from '../../../main/contract/contract';
import { CallNotifier, type NotificationPort } from '../../../renderer/src/lib/state/call-notifier.svelte';
import { CallsState } from '../../../renderer/src/lib/state/calls.svelte';
import { call, FakeEngine } from '../support/fake-engine';

function setup(permission: NotificationPermission = 'granted', inView = false) {
  const engine = new FakeEngine();
  const calls = new CallsState(engine.bridge);
  const shown: { title: string; body: string; tag: string; click: () => void; closed: boolean }[] = [];
  const state = { current: permission };
  const port = {
    permission: () => state.current,
    requestPermission: vi.fn(async (): Promise<NotificationPermission> => {
      state.current = 'granted';
      return state.current;
    }),
    show: (title: string, body: string, tag: string, click: () => void) => {
      const record = { title, body, tag, click, closed: false };
      shown.push(record);
      return { close: () => void (record.closed = true) };
    },
  } satisfies NotificationPort;
  const page = { inView, isInView: () => page.inView, focus: vi.fn() };
  const notifier = new CallNotifier(calls, port, page);
  const stop = notifier.start();
  flushSync();
  return { calls, notifier, shown, port, page, stop };
}

const ringing = call({
  id: 'c1',
  direction: 'incoming',
  state: 'incoming',
  peerName: 'Bob\u202e',
  peerUri: 'sip:bob@example.com',
});
const missed: CallDto = {
  ...ringing,
  state: 'ended',
  endedAt: 2,
  end: { by: 'remote', reason: 'missed', status: 487, detail: null },
};

describe('CallNotifier', () => {
  it('notifies a call ringing while the tab is out of view, once, with the cleaned caller', () => {
    const { calls, shown } = setup();
    calls.receive(ringing);
    flushSync();
    calls.receive({ ...ringing, peerName: 'Robert' });
    flushSync();
    expect(shown.map(({ title, body, tag }) => ({ title, body, tag }))).toEqual([
      { title: 'Incoming call', body: 'Bob (bob@example.com)', tag: 'incoming-c1' },
    ]);
  });

  it('closes the notification when the call stops ringing', () => {
    const { calls, shown } = setup();
    calls.receive(ringing);
    flushSync();
    calls.receive({ ...ringing, state: 'connecting' });
    flushSync();
    expect(shown[0]!.closed).toBe(true);
  });

  it('brings the tab forward when clicked', () => {
    const { calls, shown, page } = setup();
    calls.receive(ringing);
    flushSync();
    shown[0]!.click();
    expect(page.focus).toHaveBeenCalled();
    expect(shown[0]!.closed).toBe(true);
  });

  it('notifies a missed call', () => {
    const { calls, shown } = setup();
    calls.receive(ringing);
    flushSync();
    calls.receive(missed);
    flushSync();
    expect(shown.map((item) => item.title)).toEqual(['Incoming call', 'Missed call']);
  });

  it('stays quiet while the tab is in view, and without permission', () => {
    const inView = setup('granted', true);
    inView.calls.receive(ringing);
    flushSync();
    expect(inView.shown).toEqual([]);
    const notAllowed = setup('default');
    notAllowed.calls.receive(ringing);
    flushSync();
    expect(notAllowed.shown).toEqual([]);
    expect(notAllowed.port.requestPermission).not.toHaveBeenCalled();
  });

  it('asks for permission only through ask(), and says what came of it', async () => {
    const { notifier, port } = setup('default');
    expect(notifier.permission).toBe('default');
    expect(await notifier.ask()).toBe('granted');
    expect(port.requestPermission).toHaveBeenCalledTimes(1);
    expect(notifier.announcement).toBe('Call notifications are on.');
  });

  it('says it is unsupported where the browser has no notifications', async () => {
    const notifier = new CallNotifier(new CallsState(new FakeEngine().bridge), null, {
      isInView: () => false,
      focus: () => undefined,
    });
    expect(notifier.permission).toBe('unsupported');
    expect(await notifier.ask()).toBe('unsupported');
  });

  it('closes what it showed when stopped', () => {
    const { calls, shown, stop } = setup();
    calls.receive(ringing);
    flushSync();
    stop();
    expect(shown[0]!.closed).toBe(true);
  });
});
