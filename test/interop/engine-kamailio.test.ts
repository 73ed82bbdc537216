// The engine as both hosts run it: commands through the router, a real SQLite store in a temp dir, registration
// against Kamailio, events for every change, and a restart that finds the account again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountDto,
  AccountInput,
  EventName,
  Events,
  RegistrationStatusDto,
  Result,
} from '../../main/ipc/contract';
import { type Engine, createEngine } from '../../main/services/engine';
import { FileKeyCipher } from '../../main/store/file-key-cipher';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';

const peers = peersAvailable();

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe.skipIf(!peers.kamailio)('engine against Kamailio', () => {
  let kamailio: KamailioHandle;
  let dataDir: string;
  const engines: Engine[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ users: [{ username: 'alice', password: 'secret' }] });
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-engine-'));
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.shutdown(1_000);
  });

  afterAll(async () => {
    await kamailio?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ engine: Engine; events: Array<[EventName, unknown]> }> {
    const engine = await createEngine({
      dataDir,
      secrets: FileKeyCipher.inDirectory(dataDir),
      host: 'web',
      unregisterTimeoutMs: 1_000,
    });
    engines.push(engine);
    const events: Array<[EventName, unknown]> = [];
    engine.events.subscribe((name, payload) => events.push([name, payload]));
    return { engine, events };
  }

  function until(
    events: Array<[EventName, unknown]>,
    accept: (status: RegistrationStatusDto) => boolean,
    ms = 10_000,
  ) {
    return new Promise<RegistrationStatusDto>((resolve, reject) => {
      const deadline = Date.now() + ms;
      const poll = () => {
        const found = events.find(
          ([name, payload]) =>
            name === 'registration.changed' && accept(payload as Events['registration.changed']),
        );
        if (found) resolve(found[1] as RegistrationStatusDto);
        else if (Date.now() > deadline) reject(new Error(`no matching status in ${JSON.stringify(events)}`));
        else setTimeout(poll, 50);
      };
      poll();
    });
  }

  const input = (password: string): AccountInput => ({
    displayName: 'Alice',
    aor: 'sip:alice@example.test',
    authUser: null,
    password,
    outboundProxy: `sip:127.0.0.1:${kamailio.port}`,
    transport: 'udp',
    expires: 300,
    registrar: null,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
  });

  it('rejects invalid input with a field-level validation error', async () => {
    const { engine } = await start();
    const result = await engine.router.dispatch('accounts.create', [{ ...input('x'), aor: 'not a uri' }]);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'aor' } });
    expect(await engine.router.dispatch('accounts.nope', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
  });

  it('says plainly when the password is wrong, registers once it is fixed, and survives a restart', async () => {
    const first = await start();
    const created = value<AccountDto>(
      await first.engine.router.dispatch('accounts.create', [input('wrong')]),
    );
    expect(created.hasPassword).toBe(true);
    const failed = await until(first.events, (s) => s.accountId === created.id && s.state === 'failed');
    expect(failed).toMatchObject({
      failure: 'bad-credentials',
      status: 401,
      summary: 'The user name or password was not accepted.',
    });
    expect(failed.detail).toContain('401');

    value(await first.engine.router.dispatch('accounts.update', [created.id, input('secret')]));
    await until(first.events, (s) => s.accountId === created.id && s.state === 'registered');
    expect((await kamailio.ulDump()).filter((b) => b.aor === 'alice')).toHaveLength(1);
    await first.engine.shutdown(2_000);
    engines.splice(engines.indexOf(first.engine), 1);
    expect((await kamailio.ulDump()).filter((b) => b.aor === 'alice')).toHaveLength(0);

    // A new engine on the same data directory finds the account and registers it again.
    const second = await start();
    const listed = value<AccountDto[]>(await second.engine.router.dispatch('accounts.list', []));
    expect(listed.map((a) => a.aor)).toEqual(['sip:alice@example.test']);
    await until(second.events, (s) => s.accountId === created.id && s.state === 'registered');

    value(await second.engine.router.dispatch('accounts.delete', [created.id]));
    expect((await kamailio.ulDump()).filter((b) => b.aor === 'alice')).toHaveLength(0);
    expect(value<AccountDto[]>(await second.engine.router.dispatch('accounts.list', []))).toEqual([]);
  });

  it('disabling unregisters; enabling registers again', async () => {
    const { engine, events } = await start();
    const created = value<AccountDto>(await engine.router.dispatch('accounts.create', [input('secret')]));
    await until(events, (s) => s.accountId === created.id && s.state === 'registered');
    value(await engine.router.dispatch('accounts.setEnabled', [created.id, false]));
    expect(
      value<RegistrationStatusDto[]>(await engine.router.dispatch('registration.list', []))[0]?.state,
    ).toBe('disabled');
    expect((await kamailio.ulDump()).filter((b) => b.aor === 'alice')).toHaveLength(0);
    events.length = 0;
    value(await engine.router.dispatch('accounts.setEnabled', [created.id, true]));
    await until(events, (s) => s.accountId === created.id && s.state === 'registered');
    value(await engine.router.dispatch('accounts.delete', [created.id]));
  });
});
