// When the engine cannot start (a corrupt or read-only database), the shell still has something to talk to:
// app.info carries the storage error and every other command answers `unavailable`.
import { describe, expect, it, vi } from 'vitest';
import type { StorageErrorDto } from '../../../main/contract/contract';
import type { ShellEngine } from '../../../main/app/shell-engine';
import { createUnavailableEngine, startEngineOrFallback } from '../../../main/app/shell-engine';
import { DataFolderInUseError } from '../../../main/services/engine';

const DATABASE = '/home/a/.config/Softphone/softphone.sqlite';

const info = () => ({
  version: '1.2.3',
  passwordProtection: { kind: 'os-keychain', detail: 'windows-dpapi' } as const,
  databasePath: DATABASE,
});

const damaged: StorageErrorDto = {
  kind: 'corrupt',
  path: DATABASE,
  detail: 'SQLITE_NOTADB: file is not a database',
  holderPid: null,
};

describe('createUnavailableEngine', () => {
  const engine = createUnavailableEngine(damaged, info());

  it('answers app.info with the storage error', async () => {
    expect(await engine.router.dispatch('app.info', [])).toEqual({
      ok: true,
      value: {
        version: '1.2.3',
        host: 'electron',
        storageError: damaged,
        passwordProtection: { kind: 'os-keychain', detail: 'windows-dpapi' },
      },
    });
  });

  it.each([
    ['accounts.list', []],
    ['accounts.delete', ['a1']],
    ['settings.get', []],
  ])('answers %s with unavailable', async (name, args) => {
    const result = await engine.router.dispatch(name, args);
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('still validates: an unknown command is an invalid argument, not a missing store', async () => {
    const result = await engine.router.dispatch('no.such.command', []);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('has no accounts, emits nothing, and stops at once', async () => {
    expect(engine.registrationSummary()).toEqual({ registered: 0, failing: 0, total: 0 });
    const listener = vi.fn();
    engine.events.subscribe(listener)();
    engine.openUri('sip:bob@example.com');
    await expect(engine.shutdown(100)).resolves.toBeUndefined();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('startEngineOrFallback', () => {
  it('returns the engine when it starts', async () => {
    const real = createUnavailableEngine(damaged, info()) as ShellEngine;
    const started = await startEngineOrFallback(async () => real, info);
    expect(started).toEqual({ engine: real, failure: null });
  });

  it('returns the stand-in, carrying the reason as data, when the engine fails to start', async () => {
    const log = vi.fn();
    const started = await startEngineOrFallback(
      async () => {
        throw new Error('better-sqlite3 was compiled against a different Node.js version');
      },
      info,
      { log },
    );
    expect(started.failure).toEqual({
      kind: 'unknown',
      path: DATABASE,
      detail: 'better-sqlite3 was compiled against a different Node.js version',
      holderPid: null,
    });
    const answer = await started.engine.router.dispatch('app.info', []);
    expect(answer).toMatchObject({ ok: true, value: { storageError: started.failure } });
    expect(log).toHaveBeenCalledWith('error', expect.any(String), expect.any(Object));
  });

  it('passes on the store’s in-use error, holder and all, when another engine holds the folder', async () => {
    const inUse: StorageErrorDto = {
      kind: 'in-use',
      path: DATABASE,
      detail: 'SQLITE_BUSY: database is locked',
      holderPid: 4242,
    };
    const started = await startEngineOrFallback(
      async () => Promise.reject(new DataFolderInUseError(inUse, '/home/a/.config/Softphone')),
      info,
    );
    expect(started.failure).toEqual(inUse);
  });

  it('still gives a detail when the failure has no message', async () => {
    const started = await startEngineOrFallback(async () => Promise.reject(new Error('')), info);
    expect(started.failure).toMatchObject({ kind: 'unknown', path: DATABASE });
    expect(started.failure?.detail).not.toBe('');
  });
});
