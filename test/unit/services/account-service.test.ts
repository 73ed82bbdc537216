// The account service through the engine's command router, on the in-memory network with a manual clock: status
// events as a registration runs, per-account serialization, input refused with field errors, duplicates refused,
// and removal that completes whatever unregistering does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccountDto, RegistrationStatusDto, Result } from '../../../main/contract/contract';
import { textOf } from '../../support/loopback-network';
import { type Harness, input, removeDataDirs, startHarness } from './engine-harness';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  removeDataDirs();
  vi.restoreAllMocks();
});

async function start(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const harness = await startHarness(...args);
  harnesses.push(harness);
  return harness;
}

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value as T;
}

async function create(h: Harness, overrides: Parameters<typeof input>[0] = {}): Promise<AccountDto> {
  return valueOf<AccountDto>(await h.drive(h.engine.router.dispatch('accounts.create', [input(overrides)])));
}

describe('registration status events', () => {
  it('goes registering → registered, naming the server and the binding', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    const states = h.statusesOf(account.id).map((status) => status.state);
    expect(states).toEqual(expect.arrayContaining(['registering', 'registered']));
    expect(states.at(-1)).toBe('registered');
    const last = h.statusesOf(account.id).at(-1)!;
    expect(last).toMatchObject({ server: '10.0.0.1:5060', expires: 600, failure: null, lastFailure: null });
    expect(last.detail).toMatch(/binding .* for 600 s/);
    expect(valueOf(await h.engine.router.dispatch('registration.list', []))).toEqual([last]);
  });

  it('reports a silent server as a timeout with a planned retry, and no sentence', async () => {
    const h = await start({ mode: 'silent' });
    const account = await create(h);
    await h.run(32_000);
    await h.run();
    const failed = h.statusesOf(account.id).find((status) => status.state === 'failed');
    expect(failed).toMatchObject({ failure: 'timeout', status: 408, server: '10.0.0.1:5060' });
    expect(failed?.retryInMs).toBeGreaterThan(0);
    expect(Object.keys(failed!)).not.toContain('summary');
  });

  it('lists a failed status with what is left of the wait before the retry', async () => {
    const h = await start({ mode: 'silent' });
    const account = await create(h);
    await h.run(32_000);
    const failed = h.statusesOf(account.id).find((status) => status.state === 'failed')!;
    expect(failed.retryInMs).toBeGreaterThan(1_000);
    await h.run(1_000);
    const [listed] = valueOf<RegistrationStatusDto[]>(
      await h.engine.router.dispatch('registration.list', []),
    );
    expect(listed).toMatchObject({ state: 'failed', retryInMs: failed.retryInMs! - 1_000 });
  });

  it('says "no password set", not "wrong password", when an account without one is challenged', async () => {
    const h = await start({ mode: 'refuse' });
    const account = await create(h, { password: null });
    await h.run();
    expect(account.hasPassword).toBe(false);
    expect(h.statusesOf(account.id).at(-1)).toMatchObject({
      state: 'failed',
      failure: 'no-password',
      status: 401,
    });
  });

  it('says "wrong password" when a stored password is refused', async () => {
    const h = await start({ mode: 'refuse' });
    const account = await create(h, { password: 'wrong' });
    await h.run();
    expect(h.statusesOf(account.id).at(-1)).toMatchObject({ state: 'failed', failure: 'bad-credentials' });
  });
});

describe('account fields reach the user agent', () => {
  it('registers with the registrar given, without an outbound proxy', async () => {
    const h = await start();
    const account = await create(h, {
      aor: 'sip:alice@elsewhere.test',
      outboundProxy: null,
      registrar: 'sip:10.0.0.1:5060',
    });
    await h.run();
    expect(account.registrar).toBe('sip:10.0.0.1:5060');
    expect(h.registrar.received[0]?.requestUri).toMatchObject({ host: '10.0.0.1', port: 5060 });
    expect(h.statusesOf(account.id).at(-1)?.state).toBe('registered');
  });

  it('sends CRLF keep-alives at the interval given', async () => {
    const h = await start();
    const account = await create(h, { keepAliveSeconds: 25, keepAliveKind: 'crlf' });
    await h.run();
    expect(account).toMatchObject({ keepAliveSeconds: 25, keepAliveKind: 'crlf' });
    h.network.clearTrace();
    await h.run(25_000);
    const pings = h.network.trace.filter((packet) => textOf(packet.data) === '\r\n\r\n');
    expect(pings.length).toBeGreaterThanOrEqual(1);
  });
});

describe('call settings', () => {
  it('gives a new account the default call settings when the input names none', async () => {
    const h = await start();
    const account = await create(h);
    expect(account).toMatchObject({
      register: true,
      codecs: ['opus', 'pcmu', 'pcma'],
      earlyMedia: false,
      doNotDisturb: false,
    });
  });

  it('keeps stored call settings when an update leaves them out, as the form does', async () => {
    const h = await start();
    const account = await create(h, { codecs: ['pcmu'], earlyMedia: true, doNotDisturb: true });
    const {
      codecs: _c,
      earlyMedia: _e,
      doNotDisturb: _d,
      register: _r,
      ...formInput
    } = input({
      displayName: 'Alice W.',
    });
    const updated = valueOf<AccountDto>(
      await h.drive(h.engine.router.dispatch('accounts.update', [account.id, formInput])),
    );
    expect(updated).toMatchObject({
      displayName: 'Alice W.',
      codecs: ['pcmu'],
      earlyMedia: true,
      doNotDisturb: true,
      register: true,
    });
    const changed = valueOf<AccountDto>(
      await h.drive(
        h.engine.router.dispatch('accounts.update', [account.id, { ...formInput, codecs: ['pcma', 'opus'] }]),
      ),
    );
    expect(changed.codecs).toEqual(['pcma', 'opus']);
  });

  it('stores a presence list, keeps it when an update leaves it out, and clears it with null', async () => {
    const h = await start();
    const account = await create(h, { presenceListUri: ' sip:friends@example.test ' });
    expect(account.presenceListUri).toBe('sip:friends@example.test');
    const { presenceListUri: _p, ...formInput } = input({ displayName: 'Alice W.' });
    const kept = valueOf<AccountDto>(
      await h.drive(h.engine.router.dispatch('accounts.update', [account.id, formInput])),
    );
    expect(kept).toMatchObject({ displayName: 'Alice W.', presenceListUri: 'sip:friends@example.test' });
    const cleared = valueOf<AccountDto>(
      await h.drive(
        h.engine.router.dispatch('accounts.update', [account.id, { ...formInput, presenceListUri: null }]),
      ),
    );
    expect(cleared.presenceListUri).toBeNull();
    expect((await create(h, { aor: 'sip:bob@example.test' })).presenceListUri).toBeNull();
  });

  it('switches do-not-disturb at once without registering again', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    const registers = h.registrar.received.length;
    const statuses = h.statusesOf(account.id).length;
    const updated = valueOf<AccountDto>(
      await h.drive(h.engine.router.dispatch('accounts.setDoNotDisturb', [account.id, true])),
    );
    await h.run();
    expect(updated.doNotDisturb).toBe(true);
    expect(valueOf<AccountDto[]>(await h.engine.router.dispatch('accounts.list', []))[0]?.doNotDisturb).toBe(
      true,
    );
    expect(h.registrar.received.length).toBe(registers);
    expect(h.statusesOf(account.id).length).toBe(statuses);
    expect(await h.engine.router.dispatch('accounts.setDoNotDisturb', ['nobody', true])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('refuses an empty or repeating codec list, naming the field', async () => {
    const h = await start();
    for (const codecs of [[], ['opus', 'opus'], ['g729']]) {
      const result = await h.engine.router.dispatch('accounts.create', [{ ...input(), codecs }]);
      expect(result, JSON.stringify(codecs)).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument', field: 'codecs' },
      });
    }
  });
});

describe('an account that does not register', () => {
  it('starts without a REGISTER and says it is not registering, naming its server', async () => {
    const h = await start();
    const account = await create(h, { register: false });
    await h.run(60_000);
    expect(account.register).toBe(false);
    expect(h.registrar.received).toEqual([]);
    expect(h.statusesOf(account.id).map((status) => status.state)).toEqual([
      'not-registering',
      'not-registering',
    ]);
    expect(h.statusesOf(account.id).at(-1)).toMatchObject({ server: '10.0.0.1:5060', failure: null });
    expect(valueOf<RegistrationStatusDto[]>(await h.engine.router.dispatch('registration.list', []))).toEqual(
      [h.statusesOf(account.id).at(-1)],
    );
  });

  it('is neither registered nor failing for the tray, and refuses "register now"', async () => {
    const h = await start();
    const trunk = await create(h, { register: false });
    await create(h, { aor: 'sip:bob@example.test' });
    await h.run();
    expect(h.engine.registrationSummary()).toEqual({ registered: 1, failing: 0, total: 1 });
    expect(await h.engine.router.dispatch('accounts.registerNow', [trunk.id])).toMatchObject({
      ok: false,
      error: { code: 'conflict', field: 'register' },
    });
    expect(h.registrar.received.every((request) => request.header('from')?.includes('sip:bob@'))).toBe(true);
  });

  it('unregisters when an account is switched to not registering, and registers when switched back', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    expect(h.statusesOf(account.id).at(-1)?.state).toBe('registered');
    await h.drive(h.engine.router.dispatch('accounts.update', [account.id, input({ register: false })]));
    await h.run();
    expect(h.registrar.received.at(-1)?.expires).toBe(0);
    expect(h.statusesOf(account.id).at(-1)?.state).toBe('not-registering');
    const before = h.registrar.received.length;
    await h.drive(h.engine.router.dispatch('accounts.update', [account.id, input({ register: true })]));
    await h.run();
    expect(h.registrar.received.length).toBeGreaterThan(before);
    expect(h.statusesOf(account.id).at(-1)?.state).toBe('registered');
  });
});

describe('an account that cannot start', () => {
  it('is saved, and its status says why, when no socket can be opened for it', async () => {
    const agents = {
      get: () =>
        Promise.reject(Object.assign(new Error('bind EADDRINUSE 10.0.0.2:5060'), { code: 'EADDRINUSE' })),
      shutdown: async () => undefined,
    };
    const h = await start({ engine: { agents } });
    const account = await create(h);
    expect(h.statusesOf(account.id).at(-1)).toMatchObject({
      state: 'failed',
      failure: 'unreachable',
      detail: expect.stringContaining('EADDRINUSE'),
    });
    expect(valueOf<AccountDto[]>(await h.engine.router.dispatch('accounts.list', []))).toHaveLength(1);
  });
});

describe('input the contract refuses', () => {
  it.each([
    ['displayName', { displayName: 'Alice\r\nVia: evil' }],
    ['displayName', { displayName: 'Al\u0000ice' }],
    ['authUser', { authUser: 'alice\nx' }],
    ['aor', { aor: 'sip:alice@example.test\r\n' }],
    ['outboundProxy', { outboundProxy: 'sip:10.0.0.1\u0000' }],
    ['registrar', { registrar: 'sip:10.0.0.1\t' }],
  ] as const)('refuses a control character in %s with a field error', async (field, overrides) => {
    const h = await start();
    const result = await h.engine.router.dispatch('accounts.create', [input(overrides)]);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', field } });
    expect(valueOf<AccountDto[]>(await h.engine.router.dispatch('accounts.list', []))).toEqual([]);
  });

  it('refuses a URI the SIP grammar does not accept, naming the field', async () => {
    const h = await start();
    const result = await h.engine.router.dispatch('accounts.create', [input({ registrar: 'sip:[::1' })]);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'registrar' } });
  });

  it('refuses a second account with the same address and outbound proxy', async () => {
    const h = await start();
    await create(h);
    const twin = await h.engine.router.dispatch('accounts.create', [input({ displayName: 'Again' })]);
    expect(twin).toMatchObject({ ok: false, error: { code: 'conflict', field: 'aor' } });
    // The host is compared without regard to case (RFC 3261 §19.1.4).
    const shouted = await h.engine.router.dispatch('accounts.create', [
      input({ aor: 'sip:alice@EXAMPLE.test' }),
    ]);
    expect(shouted).toMatchObject({ ok: false, error: { code: 'conflict', field: 'aor' } });
    // The same address through another proxy is another binding.
    const other = await h.drive(
      h.engine.router.dispatch('accounts.create', [input({ outboundProxy: 'sip:10.0.0.9:5060' })]),
    );
    expect(other.ok).toBe(true);
  });

  it('lets an account be saved again unchanged, and refuses an edit that makes it a twin', async () => {
    const h = await start();
    const first = await create(h);
    const second = await create(h, { aor: 'sip:bob@example.test' });
    const same = await h.drive(h.engine.router.dispatch('accounts.update', [first.id, input()]));
    expect(same.ok).toBe(true);
    const twin = await h.drive(h.engine.router.dispatch('accounts.update', [second.id, input()]));
    expect(twin).toMatchObject({ ok: false, error: { code: 'conflict', field: 'aor' } });
  });
});

describe('per-account serialization', () => {
  it('runs an edit and a delete sent together one after the other, in order', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    h.events.length = 0;
    const update = h.engine.router.dispatch('accounts.update', [
      account.id,
      input({ displayName: 'Renamed' }),
    ]);
    const removal = h.engine.router.dispatch('accounts.delete', [account.id]);
    const [updated, removed] = await h.drive(Promise.all([update, removal]));
    expect(updated).toMatchObject({ ok: true, value: { displayName: 'Renamed' } });
    expect(removed).toEqual({ ok: true, value: null });
    const lists = h.events.flatMap((event) => (event.name === 'accounts.changed' ? [event.payload] : []));
    expect(lists.map((list) => list.map((item) => item.displayName))).toEqual([['Renamed'], []]);
    // The edit's re-registration finished (or was unregistered) before the delete ran: nothing stays registered.
    expect(h.statusesOf(account.id).at(-1)?.state).toBe('unregistered');
    expect(valueOf<AccountDto[]>(await h.engine.router.dispatch('accounts.list', []))).toEqual([]);
  });

  it('keeps other accounts independent of a slow one', async () => {
    const h = await start({ mode: 'silent' });
    const slow = await create(h);
    h.mode.current = 'accept';
    const fast = await create(h, { aor: 'sip:bob@example.test' });
    await h.run();
    expect(h.statusesOf(fast.id).at(-1)?.state).toBe('registered');
    expect(h.statusesOf(slow.id).at(-1)?.state).not.toBe('registered');
  });
});

describe('removing an account', () => {
  it('always completes, even when unregistering throws', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    const { Registerer } = await import('../../../main/ua/registration/registerer');
    vi.spyOn(Registerer.prototype, 'unregister').mockRejectedValue(new Error('serializer exploded'));
    const removed = await h.drive(h.engine.router.dispatch('accounts.delete', [account.id]));
    expect(removed).toEqual({ ok: true, value: null });
    expect(valueOf<AccountDto[]>(await h.engine.router.dispatch('accounts.list', []))).toEqual([]);
    expect(h.statusesOf(account.id).at(-1)?.state).toBe('unregistered');
    // Gone from the user agent too: no refresh is ever sent for it again.
    const before = h.registrar.received.length;
    await h.run(700_000);
    expect(h.registrar.received.length).toBe(before);
  });

  it('always completes, even when unregistering never answers', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    const { Registerer } = await import('../../../main/ua/registration/registerer');
    vi.spyOn(Registerer.prototype, 'unregister').mockReturnValue(new Promise<void>(() => undefined));
    const removed = await h.drive(h.engine.router.dispatch('accounts.delete', [account.id]));
    expect(removed).toEqual({ ok: true, value: null });
    expect(valueOf<AccountDto[]>(await h.engine.router.dispatch('accounts.list', []))).toEqual([]);
  });

  it('unregisters first when the server answers', async () => {
    const h = await start();
    const account = await create(h);
    await h.run();
    await h.drive(h.engine.router.dispatch('accounts.delete', [account.id]));
    expect(h.registrar.received.at(-1)?.expires).toBe(0);
  });
});
