// PresenceState: buddies, own status per account and watchers from their lists, kept up to date by buddy.changed,
// buddy.removed, presence.changed and watchers.changed (an event during the load wins over the list), setStatus
// through the engine, and watchers marked seen.
import { describe, expect, it } from 'vitest';
import type { BuddyPresenceDto, WatcherDto } from '../../../main/contract/contract';
import { PresenceState } from '../../../renderer/src/lib/state/presence.svelte';
import { buddy, ownPresence } from '../../support/fake-engine';
import { FakeBridge } from '../support/fake-bridge';
import { FakeEngine } from '../support/fake-engine';

const watcher = (overrides: Partial<WatcherDto> & Pick<WatcherDto, 'uri'>): WatcherDto => ({
  accountId: 'acc-1',
  displayName: null,
  status: 'active',
  firstSeenAt: 1_700_000_000_000,
  isNew: false,
  ...overrides,
});

describe('PresenceState', () => {
  it('loads buddies, own presence and watchers, then follows their events', async () => {
    const engine = new FakeEngine({
      buddies: [buddy({ contactId: 'bob' }), buddy({ contactId: 'cy', availability: 'away' })],
      own: [ownPresence({ accountId: 'acc-1' })],
      watchers: [watcher({ uri: 'sip:eve@x.test', isNew: true })],
    });
    const state = new PresenceState(engine.bridge);
    await state.load();
    expect(state.buddy('cy')?.availability).toBe('away');
    expect(state.ownFor('acc-1')?.status).toBe('available');
    expect(state.newWatchers).toBe(1);

    state.buddyChanged(buddy({ contactId: 'bob', availability: 'busy', note: 'In a meeting' }));
    expect(state.buddy('bob')?.note).toBe('In a meeting');
    state.buddyRemoved('cy');
    expect(state.buddy('cy')).toBeUndefined();
    state.ownChanged(ownPresence({ accountId: 'acc-1', automatic: 'idle', published: 'away' }));
    expect(state.ownFor('acc-1')?.automatic).toBe('idle');
    state.watchersChanged([]);
    expect(state.watchers).toEqual([]);
  });

  it('keeps a buddy change that arrives while the list is on its way', async () => {
    const bridge = new FakeBridge();
    let answer: (list: BuddyPresenceDto[]) => void = () => undefined;
    bridge.handle(
      'presence.buddies',
      () => new Promise((done) => (answer = (list) => done({ ok: true, value: list }))),
    );
    bridge.handle('presence.own', () => ({ ok: true, value: [] }));
    bridge.handle('presence.watchers', () => ({ ok: true, value: [] }));
    const state = new PresenceState(bridge);
    const loading = state.load();
    state.buddyChanged(buddy({ contactId: 'bob', availability: 'on-the-phone' }));
    answer([buddy({ contactId: 'bob', availability: 'available' })]);
    await loading;
    expect(state.buddy('bob')?.availability).toBe('on-the-phone');
  });

  it('says why presence could not be loaded (an engine without presence answers unavailable)', async () => {
    const bridge = new FakeBridge();
    bridge.handle('presence.buddies', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'not built' },
    }));
    bridge.handle('presence.own', () => ({ ok: true, value: [ownPresence({ accountId: 'a' })] }));
    bridge.handle('presence.watchers', () => ({ ok: true, value: [] }));
    const state = new PresenceState(bridge);
    await state.load();
    expect(state.loadError?.code).toBe('unavailable');
    expect(state.ownFor('a')).toBeDefined();
  });

  it('sets the status through the engine and takes every account’s answer', async () => {
    const engine = new FakeEngine({
      own: [ownPresence({ accountId: 'a' }), ownPresence({ accountId: 'b' })],
    });
    const state = new PresenceState(engine.bridge);
    await state.load();
    const result = await state.setStatus({ accountId: 'b', status: 'dnd', note: 'Focus' });
    expect(result.ok).toBe(true);
    expect(state.ownFor('a')?.status).toBe('available');
    expect(state.ownFor('b')).toMatchObject({ status: 'dnd', note: 'Focus' });
    expect(engine.bridge.callsOf('presence.setStatus')).toEqual([
      [{ accountId: 'b', status: 'dnd', note: 'Focus' }],
    ]);
  });

  it('keeps the refusal of a status for the selector to show', async () => {
    const bridge = new FakeBridge();
    bridge.handle('presence.setStatus', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'no presence' },
    }));
    const state = new PresenceState(bridge);
    const result = await state.setStatus({ accountId: null, status: 'away', note: null });
    expect(result.ok).toBe(false);
    expect(state.setError?.message).toBe('no presence');
  });

  it('marks watchers seen here at once and in the engine, and only when some are new', async () => {
    const engine = new FakeEngine({ watchers: [watcher({ uri: 'sip:eve@x.test', isNew: true })] });
    const state = new PresenceState(engine.bridge);
    await state.load();
    await state.markWatchersSeen();
    expect(state.newWatchers).toBe(0);
    expect(engine.watchers[0]?.isNew).toBe(false);
    await state.markWatchersSeen();
    expect(engine.bridge.callsOf('presence.watchersSeen')).toHaveLength(1);
  });
});
