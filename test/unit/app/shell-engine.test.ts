// When the engine cannot start (a corrupt or read-only database), the shell still has something to talk to:
// app.info carries the storage error and every other command answers `unavailable`.
import { describe, expect, it, vi } from 'vitest';
import type { ShellEngine } from '../../../main/app/shell-engine';
import { createUnavailableEngine, startEngineOrFallback } from '../../../main/app/shell-engine';

const info = () => ({ version: '1.2.3', passwordProtection: 'Passwords are encrypted with DPAPI.' });

describe('createUnavailableEngine', () => {
  const engine = createUnavailableEngine('The database file is damaged.', info());

  it('answers app.info with the storage error', async () => {
    expect(await engine.router.dispatch('app.info', [])).toEqual({
      ok: true,
      value: {
        version: '1.2.3',
        host: 'electron',
        storageError: 'The database file is damaged.',
        passwordProtection: 'Passwords are encrypted with DPAPI.',
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
    const real = createUnavailableEngine('unused', info()) as ShellEngine;
    const started = await startEngineOrFallback(async () => real, info);
    expect(started).toEqual({ engine: real, failure: null });
  });

  it('returns the stand-in, carrying the reason, when the engine fails to start', async () => {
    const log = vi.fn();
    const started = await startEngineOrFallback(
      async () => {
        throw new Error('The database file at /home/a/.config/Softphone/softphone.db is damaged.');
      },
      info,
      { log },
    );
    expect(started.failure).toMatch(/is damaged/);
    const answer = await started.engine.router.dispatch('app.info', []);
    expect(answer).toMatchObject({ ok: true, value: { storageError: started.failure } });
    expect(log).toHaveBeenCalledWith('error', expect.any(String), expect.any(Object));
  });

  it('still says something when the failure has no message', async () => {
    const started = await startEngineOrFallback(async () => Promise.reject(new Error('')), info);
    expect(started.failure).toBe('The app could not open its data.');
  });
});
