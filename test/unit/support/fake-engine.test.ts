// The shared fake engine behaves like the real one where tests rely on it: the contract's real validation, change
// events after each change, not-found for unknown ids, overrides per command, and a summary for the tray.
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../../main/contract/contract';
import { ServiceError } from '../../../main/services/service-error';
import { FakeEngine, account, accountInput, status } from '../../support/fake-engine';

describe('FakeEngine', () => {
  it('validates with the contract schemas before any handler runs', async () => {
    const engine = new FakeEngine();
    const result = await engine.router.dispatch('accounts.create', [accountInput({ displayName: 'A\r\nB' })]);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'displayName' } });
    expect(engine.accounts).toEqual([]);
  });

  it('creates, updates and deletes in memory, announcing each change', async () => {
    const engine = new FakeEngine();
    const seen: EventName[] = [];
    engine.events.subscribe((name) => seen.push(name));
    const created = await engine.router.dispatch('accounts.create', [accountInput()]);
    expect(created).toMatchObject({ ok: true, value: { id: 'acc-1', hasPassword: true, order: 0 } });
    expect(created.ok && 'password' in (created.value as object)).toBe(false);
    await engine.router.dispatch('accounts.update', [
      'acc-1',
      accountInput({ displayName: 'Bob', password: null }),
    ]);
    expect(engine.accounts[0]).toMatchObject({ displayName: 'Bob', hasPassword: true });
    expect(await engine.router.dispatch('accounts.delete', ['nope'])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    await engine.router.dispatch('accounts.delete', ['acc-1']);
    expect(engine.accounts).toEqual([]);
    expect(seen).toEqual(['accounts.changed', 'accounts.changed', 'accounts.changed']);
  });

  it('lets a test replace one command, throwing a ServiceError for an error result', async () => {
    const engine = new FakeEngine().override('settings.get', () => {
      throw new ServiceError('storage', 'disk full');
    });
    expect(await engine.router.dispatch('settings.get', [])).toMatchObject({
      ok: false,
      error: { code: 'storage', message: 'disk full' },
    });
    expect(await engine.router.dispatch('app.info', [])).toMatchObject({ ok: true });
  });

  it('counts registered and failing enabled accounts for the tray', () => {
    const engine = new FakeEngine({
      accounts: [
        account({ id: 'a' }),
        account({ id: 'b' }),
        account({ id: 'c', enabled: false }),
        account({ id: 'd', register: false }),
      ],
      statuses: [
        status({ accountId: 'a', state: 'registered' }),
        status({ accountId: 'b', state: 'failed' }),
      ],
    });
    expect(engine.registrationSummary()).toEqual({ registered: 1, failing: 1, total: 2 });
  });

  it('delivers openUri to the dialpad and stops listening when asked', () => {
    const engine = new FakeEngine();
    const heard: unknown[] = [];
    const stop = engine.events.subscribe((name, payload) => heard.push([name, payload]));
    engine.openUri('sip:bob@example.test');
    stop();
    engine.openUri('sip:carol@example.test');
    expect(heard).toEqual([['dialpad.open', { uri: 'sip:bob@example.test' }]]);
    expect(engine.listenerCount()).toBe(0);
  });

  it('places, changes and ends calls in memory, announcing each change', async () => {
    const engine = new FakeEngine();
    const seen: string[] = [];
    engine.events.subscribe((name, payload) => {
      if (name === 'call.changed') seen.push((payload as { state: string }).state);
    });
    const placed = await engine.router.dispatch('calls.dial', [
      { target: 'sip:bob@example.test', accountId: null },
    ]);
    expect(placed).toMatchObject({ ok: true, value: { peerUri: 'sip:bob@example.test', state: 'dialing' } });
    const id = placed.ok ? (placed.value as { id: string }).id : '';
    await engine.router.dispatch('calls.answer', [id]);
    await engine.router.dispatch('calls.mute', [id, true]);
    expect(engine.calls).toMatchObject([{ id, state: 'connected', muted: true }]);
    await engine.router.dispatch('calls.hangup', [id]);
    expect(engine.calls).toEqual([]);
    expect(seen).toEqual(['dialing', 'connected', 'connected', 'ended']);
    expect(await engine.router.dispatch('calls.hold', [id])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await engine.router.dispatch('calls.sendDtmf', ['c9', 'x'])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
  });

  it('pages its history newest first', async () => {
    const entry = (id: string, startedAt: number) => ({
      id,
      accountId: null,
      direction: 'incoming' as const,
      peerUri: `sip:${id}@x`,
      peerName: null,
      startedAt,
      answeredAt: null,
      endedAt: startedAt + 1,
      durationMs: 0,
      end: { by: 'remote' as const, reason: 'missed' as const, status: 487, detail: null },
      codec: null,
      quality: null,
    });
    const engine = new FakeEngine({ history: [entry('h3', 3), entry('h2', 2), entry('h1', 1)] });
    const first = await engine.router.dispatch('history.list', [{ limit: 2, before: null }]);
    expect(first).toMatchObject({
      ok: true,
      value: { entries: [{ id: 'h3' }, { id: 'h2' }], next: { id: 'h2' } },
    });
    const second = await engine.router.dispatch('history.list', [
      { limit: 2, before: { startedAt: 2, id: 'h2' } },
    ]);
    expect(second).toMatchObject({ ok: true, value: { entries: [{ id: 'h1' }], next: null } });
    await engine.router.dispatch('history.delete', ['h1']);
    expect(engine.history.map((item) => item.id)).toEqual(['h3', 'h2']);
    await engine.router.dispatch('history.clear', []);
    expect(engine.history).toEqual([]);
  });
});
