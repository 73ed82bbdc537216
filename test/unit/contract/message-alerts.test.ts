// MessageAlertGate: an incoming message alerts once unless it is shown; ours, delivery changes and repeats never
// do; offline messages (old dates) are gathered into one summary, or one alert when there is only one.
import { describe, expect, it } from 'vitest';
import {
  BACKLOG_GATHER_MS,
  type MessageAlert,
  MessageAlertGate,
  OFFLINE_AGE_MS,
} from '../../../main/contract/message-alerts';
import { message } from '../../support/fake-engine';

function setup(shown: string[] = []) {
  const raised: MessageAlert[] = [];
  const timers: { ms: number; run: () => void; cancelled: boolean }[] = [];
  const gate = new MessageAlertGate({
    isShown: (id) => shown.includes(id),
    raise: (alert) => raised.push(alert),
    schedule: (ms, run) => {
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return () => void (timer.cancelled = true);
    },
  });
  return { gate, raised, timers, shown };
}

const now = 1_700_000_000_000;
const live = (id: string, conversationId = 'c1') =>
  message({ id, conversationId, sentAt: now, deliveredAt: now + 500 });
const offline = (id: string, conversationId = 'c1') =>
  message({ id, conversationId, sentAt: now - OFFLINE_AGE_MS - 1, deliveredAt: now });

describe('MessageAlertGate', () => {
  it('alerts an incoming message once', () => {
    const { gate, raised } = setup();
    gate.messageChanged(live('m1'));
    gate.messageChanged(live('m1'));
    expect(raised).toEqual([{ kind: 'message', message: live('m1') }]);
  });

  it('never alerts our own messages or their delivery changes', () => {
    const { gate, raised } = setup();
    const ours = message({ id: 'o', conversationId: 'c1', direction: 'outgoing', delivery: 'sending' });
    gate.messageChanged(ours);
    gate.messageChanged({ ...ours, delivery: 'delivered' });
    gate.messageChanged({ ...ours, delivery: 'failed' });
    expect(raised).toEqual([]);
  });

  it('does not alert a message in the conversation being shown', () => {
    const { gate, raised } = setup(['c1']);
    gate.messageChanged(live('m1', 'c1'));
    gate.messageChanged(live('m2', 'c2'));
    expect(raised.map((alert) => alert.kind === 'message' && alert.message.id)).toEqual(['m2']);
  });

  it('gathers offline messages into one summary of their count and conversations', () => {
    const { gate, raised, timers } = setup();
    gate.messageChanged(offline('a', 'c1'));
    gate.messageChanged(offline('b', 'c2'));
    gate.messageChanged(offline('c', 'c1'));
    expect(raised).toEqual([]);
    expect(timers.map((timer) => timer.ms)).toEqual([BACKLOG_GATHER_MS]);
    timers[0]!.run();
    expect(raised).toEqual([{ kind: 'backlog', count: 3, conversationIds: ['c1', 'c2'] }]);
    // A later burst gathers again.
    gate.messageChanged(offline('d', 'c3'));
    expect(timers).toHaveLength(2);
  });

  it('alerts a lone offline message as itself, and drops those read meanwhile', () => {
    const { gate, raised, timers, shown } = setup();
    gate.messageChanged(offline('a', 'c1'));
    timers[0]!.run();
    expect(raised).toEqual([{ kind: 'message', message: offline('a', 'c1') }]);
    gate.messageChanged(offline('b', 'c2'));
    shown.push('c2');
    timers[1]!.run();
    expect(raised).toHaveLength(1);
  });

  it('forgets old ids so its memory stays bounded, and cancels the gathering when disposed', () => {
    const { gate, raised, timers } = setup();
    for (let index = 0; index < 600; index++) gate.messageChanged(live(`m${index}`));
    gate.messageChanged(live('m0'));
    expect(raised).toHaveLength(601);
    gate.messageChanged(offline('x'));
    gate.dispose();
    expect(timers[0]!.cancelled).toBe(true);
  });
});
