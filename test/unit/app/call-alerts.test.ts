// CallAlerts on the fake engine's events: a notification for a call that rings while the window is not focused
// (clicking it opens that call), one for a missed call, cleaned caller names, the ringing list and the missed count
// the tray shows, reset when the window comes to the front.
import { describe, expect, it, vi } from 'vitest';
import type { CallDto } from '../../../main/contract/contract';
import { CallAlerts, callerLine } from '../../../main/app/call-alerts';
import type { Notifier } from '../../../main/app/notifications';
import { FakeEngine, call } from '../../support/fake-engine';

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
  const onOpenCall = vi.fn();
  const alerts = new CallAlerts({
    events: engine.events,
    notifier,
    isWindowFocused: () => window.focused,
    onOpenCall,
  });
  const changes = vi.fn();
  alerts.onChange(changes);
  return { engine, alerts, shown, window, onOpenCall, changes };
}

const ringing = call({
  id: 'c1',
  direction: 'incoming',
  state: 'incoming',
  peerUri: 'sip:bob@example.com',
  peerName: 'Bob',
});
const missed: CallDto = {
  ...ringing,
  state: 'ended',
  endedAt: 2,
  end: { by: 'remote', reason: 'missed', status: 487, detail: null },
};

describe('callerLine', () => {
  it('gives the name and the address, or the address alone', () => {
    expect(callerLine({ peerName: 'Bob', peerUri: 'sip:bob@example.com' })).toBe('Bob (bob@example.com)');
    expect(callerLine({ peerName: null, peerUri: 'sip:bob@example.com' })).toBe('bob@example.com');
  });

  it('takes out controls and bidi overrides and bounds a hostile name', () => {
    const line = callerLine({ peerName: `Bank\u202e\u0007${'x'.repeat(5000)}`, peerUri: 'sip:a@b' });
    expect(line.includes('\u202e') || line.includes('\u0007')).toBe(false);
    expect(line.length).toBeLessThan(300);
  });
});

describe('CallAlerts', () => {
  it('notifies a call ringing while the window is not focused; the click opens that call', () => {
    const { engine, alerts, shown, onOpenCall, changes } = setup(false);
    engine.emit('call.changed', ringing);
    expect(shown).toEqual([
      { title: 'Incoming call', body: 'Bob (bob@example.com)', onClick: expect.any(Function) },
    ]);
    shown[0]!.onClick!();
    expect(onOpenCall).toHaveBeenCalledWith('c1');
    expect(alerts.ringing).toEqual([{ id: 'c1', title: 'Bob' }]);
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it('does not notify while the window is focused: the prompt is on screen', () => {
    const { engine, alerts, shown } = setup(true);
    engine.emit('call.changed', ringing);
    expect(shown).toEqual([]);
    expect(alerts.ringing).toHaveLength(1);
  });

  it('notifies a ringing call once, however many events it has', () => {
    const { engine, shown } = setup(false);
    engine.emit('call.changed', ringing);
    engine.emit('call.changed', { ...ringing, peerName: 'Robert' });
    expect(shown).toHaveLength(1);
  });

  it('counts and notifies a missed call, and starts the count again when the window comes to the front', () => {
    const { engine, alerts, shown, changes } = setup(false);
    engine.emit('call.changed', ringing);
    engine.emit('call.changed', missed);
    engine.emit('call.changed', { ...missed, id: 'c2' });
    expect(alerts.ringing).toEqual([]);
    expect(alerts.missedCount).toBe(2);
    expect(shown.map((item) => item.title)).toEqual(['Incoming call', 'Missed call', 'Missed call']);
    changes.mockClear();
    alerts.windowFocused();
    expect(alerts.missedCount).toBe(0);
    expect(changes).toHaveBeenCalledTimes(1);
    alerts.windowFocused();
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it('leaves the ringing list without a notice when the call is answered or declined', () => {
    const { engine, alerts, shown } = setup(false);
    engine.emit('call.changed', ringing);
    engine.emit('call.changed', { ...ringing, state: 'connecting' });
    expect(alerts.ringing).toEqual([]);
    engine.emit('call.changed', { ...ringing, id: 'c3' });
    engine.emit('call.changed', {
      ...ringing,
      id: 'c3',
      state: 'ended',
      end: { by: 'local', reason: 'rejected', status: 486, detail: null },
    });
    expect(alerts.missedCount).toBe(0);
    expect(shown.map((item) => item.title)).toEqual(['Incoming call', 'Incoming call']);
  });

  it('ignores outgoing calls and other events, and stops listening when disposed', () => {
    const { engine, alerts, shown } = setup(false);
    engine.emit('call.changed', call({ id: 'o', state: 'ringing' }));
    engine.emit('settings.changed', engine.settings);
    expect(shown).toEqual([]);
    alerts.dispose();
    engine.emit('call.changed', ringing);
    expect(alerts.ringing).toEqual([]);
    expect(engine.listenerCount()).toBe(0);
  });
});
