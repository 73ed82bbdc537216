// RFC 3994's two is-composing machines, step by step (composing-state.ts), and their adapters on a ManualClock with
// their bounds (composing-tracker.ts).
import { describe, expect, it } from 'vitest';
import {
  type ComposerState,
  IDLE_TIMEOUT_MS,
  type ReceiverState,
  stepComposer,
  stepReceiver,
} from '../../../main/messaging/composing-state';
import { ComposerTracker, ReceiverTracker } from '../../../main/messaging/composing-tracker';
import { ManualClock } from '../../support/manual-clock';

const REFRESH_MS = 120_000;

describe('stepComposer', () => {
  it('sends active once when typing starts and wakes for the idle timeout', () => {
    const step = stepComposer({ name: 'idle' }, { kind: 'typed', now: 1_000 }, REFRESH_MS);
    expect(step).toEqual({
      state: { name: 'active', lastTypedAt: 1_000, sentAt: 1_000 },
      send: 'active',
      wakeAt: 1_000 + IDLE_TIMEOUT_MS,
    });
    const again = stepComposer(step.state, { kind: 'typed', now: 5_000 }, REFRESH_MS);
    expect(again.send).toBeUndefined();
    expect(again.wakeAt).toBe(5_000 + IDLE_TIMEOUT_MS);
  });

  it('sends idle 15 s after the last keystroke, and nothing for a tick that comes early', () => {
    const active: ComposerState = { name: 'active', lastTypedAt: 0, sentAt: 0 };
    expect(stepComposer(active, { kind: 'tick', now: 14_999 }, REFRESH_MS)).toMatchObject({
      state: active,
      wakeAt: 15_000,
    });
    expect(stepComposer(active, { kind: 'tick', now: 15_000 }, REFRESH_MS)).toEqual({
      state: { name: 'idle' },
      send: 'idle',
    });
  });

  it('refreshes active at 90 % of the refresh interval while typing goes on', () => {
    const typing: ComposerState = { name: 'active', lastTypedAt: 100_000, sentAt: 0 };
    const step = stepComposer(typing, { kind: 'tick', now: 108_000 }, REFRESH_MS);
    expect(step).toEqual({
      state: { name: 'active', lastTypedAt: 100_000, sentAt: 108_000 },
      send: 'active',
      wakeAt: 115_000,
    });
  });

  it('ends silently when a message is sent, and sends idle when the person stops', () => {
    const active: ComposerState = { name: 'active', lastTypedAt: 0, sentAt: 0 };
    expect(stepComposer(active, { kind: 'message-sent', now: 1 }, REFRESH_MS)).toEqual({
      state: { name: 'idle' },
    });
    expect(stepComposer(active, { kind: 'stopped', now: 1 }, REFRESH_MS)).toEqual({
      state: { name: 'idle' },
      send: 'idle',
    });
    expect(stepComposer({ name: 'idle' }, { kind: 'stopped', now: 1 }, REFRESH_MS)).toEqual({
      state: { name: 'idle' },
    });
  });
});

describe('stepReceiver', () => {
  it('reports active once, extends it with each refresh, and expires it unrenewed', () => {
    const first = stepReceiver({ name: 'idle' }, { kind: 'active', refreshMs: 60_000, now: 0 });
    expect(first).toEqual({ state: { name: 'active', expiresAt: 60_000 }, emit: 'active', wakeAt: 60_000 });
    const renewed = stepReceiver(first.state, { kind: 'active', refreshMs: 60_000, now: 50_000 });
    expect(renewed).toEqual({ state: { name: 'active', expiresAt: 110_000 }, wakeAt: 110_000 });
    expect(stepReceiver(renewed.state, { kind: 'tick', now: 60_000 }).emit).toBeUndefined();
    expect(stepReceiver(renewed.state, { kind: 'tick', now: 110_000 })).toEqual({
      state: { name: 'idle' },
      emit: 'idle',
    });
  });

  it('ends active on their idle or their text; idle stays idle quietly', () => {
    const active: ReceiverState = { name: 'active', expiresAt: 10 };
    expect(stepReceiver(active, { kind: 'message', now: 1 })).toEqual({
      state: { name: 'idle' },
      emit: 'idle',
    });
    expect(stepReceiver(active, { kind: 'idle', now: 1 })).toEqual({ state: { name: 'idle' }, emit: 'idle' });
    expect(stepReceiver({ name: 'idle' }, { kind: 'message', now: 1 })).toEqual({ state: { name: 'idle' } });
  });
});

describe('ComposerTracker', () => {
  it('sends active, then idle after 15 s of no typing, on the clock', () => {
    const clock = new ManualClock();
    const sent: string[] = [];
    const tracker = new ComposerTracker<string>({
      clock,
      send: (peer, state) => sent.push(`${peer}:${state}`),
    });
    tracker.set('k', 'bob', 'active');
    clock.advance(10_000);
    tracker.set('k', 'bob', 'active');
    clock.advance(14_999);
    expect(sent).toEqual(['bob:active']);
    clock.advance(1);
    expect(sent).toEqual(['bob:active', 'bob:idle']);
    expect(tracker.size).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('sends active again at 108 s while typing goes on, each with the refresh it advertises', () => {
    const clock = new ManualClock();
    const sent: string[] = [];
    const tracker = new ComposerTracker<string>({
      clock,
      send: (_peer, state, refreshSeconds) => sent.push(`${clock.now()}:${state}:${refreshSeconds}`),
    });
    for (let at = 0; at <= 130_000; at += 10_000) {
      clock.advance(at - clock.now());
      tracker.set('k', 'bob', 'active');
    }
    expect(sent).toEqual(['0:active:120', '108000:active:120']);
    clock.advance(15_000);
    expect(sent.at(-1)).toBe('145000:idle:120');
  });

  it('keeps at most maxPeers conversations, dropping the oldest without sending anything for it', () => {
    const clock = new ManualClock();
    const sent: string[] = [];
    const tracker = new ComposerTracker<string>({
      clock,
      maxPeers: 3,
      send: (peer, state) => sent.push(`${peer}:${state}`),
    });
    for (const peer of ['a', 'b', 'c', 'd', 'e']) tracker.set(peer, peer, 'active');
    expect(tracker.size).toBe(3);
    clock.advance(IDLE_TIMEOUT_MS);
    expect(sent.filter((line) => line.endsWith(':idle')).sort()).toEqual(['c:idle', 'd:idle', 'e:idle']);
  });
});

describe('ReceiverTracker', () => {
  it('bounds the peers it follows; a dropped active peer is reported idle', () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const tracker = new ReceiverTracker<string>({
      clock,
      maxPeers: 2,
      emit: (peer, state) => seen.push(`${peer}:${state}`),
    });
    for (let i = 0; i < 1_000; i++) tracker.indication(`p${i}`, `p${i}`, 'active', 120);
    expect(tracker.size).toBe(2);
    expect(seen.filter((line) => line.endsWith(':active'))).toHaveLength(1_000);
    expect(seen.filter((line) => line.endsWith(':idle'))).toHaveLength(998);
    clock.advance(120_000);
    expect(seen.filter((line) => line.endsWith(':idle'))).toHaveLength(1_000);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('ignores an idle from a peer it does not follow', () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const tracker = new ReceiverTracker<string>({
      clock,
      emit: (peer, state) => seen.push(`${peer}:${state}`),
    });
    tracker.indication('x', 'x', 'idle', 120);
    tracker.message('x');
    expect(seen).toEqual([]);
    expect(tracker.size).toBe(0);
  });
});
