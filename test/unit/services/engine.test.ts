// The engine as a whole: degraded mode when the store cannot open, one engine per data folder, and a shutdown
// bounded on the injected clock however the network behaves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandArgs, CommandName } from '../../../main/contract/contract';
import { commandNames } from '../../../main/contract/softphone-api';
import { DataFolderInUseError, createEngine, databasePathIn } from '../../../main/services/engine';
import { unavailableCallEngine } from '../../../main/services/call-engine';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { FakeMediaWorker } from '../../support/fake-media-worker';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { type Harness, input, newDataDir, plainCipher, removeDataDirs, startHarness } from './engine-harness';

/** Arguments every command accepts, typed by the contract: a new command must be added here to compile. */
const validArgs: { readonly [C in CommandName]: CommandArgs<C> } = {
  'app.info': [],
  'accounts.list': [],
  'accounts.create': [input()],
  'accounts.update': ['a1', input()],
  'accounts.delete': ['a1'],
  'accounts.setEnabled': ['a1', true],
  'accounts.setDoNotDisturb': ['a1', true],
  'accounts.reorder': [['a1']],
  'accounts.registerNow': ['a1'],
  'registration.list': [],
  'settings.get': [],
  'settings.update': [{ theme: 'dark' }],
  'calls.dial': [{ target: 'sip:bob@example.test', accountId: null }],
  'calls.answer': ['c1'],
  'calls.reject': ['c1', 486],
  'calls.hangup': ['c1'],
  'calls.hold': ['c1'],
  'calls.resume': ['c1'],
  'calls.mute': ['c1', true],
  'calls.sendDtmf': ['c1', '12#'],
  'calls.transfer': ['c1', { kind: 'blind', target: 'sip:carol@example.test' }],
  'calls.list': [],
  'history.list': [{ limit: 10, before: null }],
  'history.delete': ['c1'],
  'history.clear': [],
  'dialpad.ready': [],
  'presence.buddies': [],
  'presence.own': [],
  'presence.setStatus': [{ accountId: null, status: 'away', note: 'back soon' }],
  'presence.watchers': [],
  'presence.watchersSeen': [],
  'contacts.list': [],
  'contacts.create': [
    {
      name: 'Bob',
      sipAddresses: [{ uri: 'sip:bob@example.test', label: null }],
      phoneNumbers: [],
      note: '',
      favorite: false,
      watchPresence: true,
      accountId: null,
    },
  ],
  'contacts.update': [
    'k1',
    {
      name: 'Bob',
      sipAddresses: [],
      phoneNumbers: [{ number: '+44 20 7946 0000', label: 'work' }],
      note: '',
      favorite: true,
      watchPresence: false,
      accountId: null,
    },
  ],
  'contacts.delete': ['k1'],
  'contacts.importVcard': ['BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob\r\nEND:VCARD\r\n'],
  'contacts.exportVcard': [null, '4.0'],
  'messages.conversations': [],
  'messages.list': [{ conversationId: 'v1', limit: 20, before: null }],
  'messages.send': [{ accountId: null, to: 'sip:bob@example.test', body: 'hello' }],
  'messages.retry': ['m1'],
  'messages.markRead': ['v1'],
  'messages.setComposing': [{ accountId: null, to: 'sip:bob@example.test', state: 'active' }],
  'messages.search': [{ text: 'hello', limit: 20 }],
  'messages.deleteConversation': ['v1'],
};

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  removeDataDirs();
});

describe('degraded mode', () => {
  it('answers app.info with the storage error and every other command with unavailable', async () => {
    const dataDir = newDataDir();
    writeFileSync(databasePathIn(dataDir), 'this is not a database, just some text that is long enough');
    const engine = await createEngine({ dataDir, secrets: plainCipher, host: 'web' });
    const info = await engine.router.dispatch('app.info', []);
    // Data, not words: the kind, the file and SQLite's own text; the window says what it means.
    expect(info).toEqual({
      ok: true,
      value: {
        version: expect.any(String),
        host: 'web',
        storageError: {
          kind: 'corrupt',
          path: databasePathIn(dataDir),
          detail: expect.stringContaining('SQLITE_NOTADB'),
          holderPid: null,
        },
        passwordProtection: plainCipher.protection,
      },
    });
    for (const name of commandNames.filter((command) => command !== 'app.info')) {
      const result = await engine.router.dispatch(name, validArgs[name]);
      expect(result, name).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    }
    expect(engine.registrationSummary()).toEqual({ registered: 0, failing: 0, total: 0 });
    await expect(engine.shutdown()).resolves.toBeUndefined();
  });

  it('still validates arguments before saying unavailable', async () => {
    const dataDir = newDataDir();
    writeFileSync(databasePathIn(dataDir), 'not a database either, padded to more than a page header');
    const engine = await createEngine({ dataDir, secrets: plainCipher, host: 'web' });
    const result = await engine.router.dispatch('accounts.delete', [42]);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });
});

describe('calls when the call engine is unavailable', () => {
  it('answers every call action unavailable, lists no calls, and serves the history', async () => {
    const h = await startHarness({ engine: { calls: unavailableCallEngine() } });
    harnesses.push(h);
    const actions = commandNames.filter((name) => name.startsWith('calls.') && name !== 'calls.list');
    expect(actions).toHaveLength(9);
    for (const name of actions) {
      const result = await h.engine.router.dispatch(name, validArgs[name]);
      expect(result, name).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    }
    expect(await h.engine.router.dispatch('calls.list', [])).toEqual({ ok: true, value: [] });
    expect(await h.engine.router.dispatch('history.list', [{ limit: 10, before: null }])).toEqual({
      ok: true,
      value: { entries: [], next: null },
    });
    expect(await h.engine.router.dispatch('history.clear', [])).toEqual({ ok: true, value: null });
    expect(await h.engine.router.dispatch('history.delete', ['c1'])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });
});

describe('the media worker at start', () => {
  class WarmingWorker extends FakeMediaWorker {
    asked = 0;
    warmedUp(): Promise<void> {
      this.asked++;
      return Promise.resolve();
    }
  }

  it('is started and asked to warm up with the engine only when warmMediaAtStart is set', async () => {
    const eager = new WarmingWorker();
    const lazy = new WarmingWorker();
    harnesses.push(await startHarness({ engine: { mediaWorker: eager, warmMediaAtStart: true } }));
    harnesses.push(await startHarness({ engine: { mediaWorker: lazy } }));
    expect(eager.asked).toBe(1);
    expect(lazy.asked).toBe(0);
  });
});

describe('one engine per data folder', () => {
  it('refuses a second engine on the same folder, naming the folder and this process', async () => {
    const first = await startHarness();
    harnesses.push(first);
    const second = createEngine({ dataDir: first.dataDir, secrets: plainCipher, host: 'web' });
    await expect(second).rejects.toBeInstanceOf(DataFolderInUseError);
    await expect(second).rejects.toMatchObject({
      dataDir: first.dataDir,
      error: { kind: 'in-use', path: databasePathIn(first.dataDir), holderPid: process.pid },
    });
    await expect(second).rejects.toThrow(`held by pid ${process.pid}`);
  });

  it('lets the next engine start once the first has shut down', async () => {
    const first = await startHarness();
    await first.stop();
    const next = await startHarness({ dataDir: first.dataDir });
    harnesses.push(next);
    expect(await next.engine.router.dispatch('accounts.list', [])).toEqual({ ok: true, value: [] });
  });

  it('keeps accounts of the first engine for the next one', async () => {
    const first = await startHarness();
    await first.drive(
      first.engine.router.dispatch('accounts.create', [input({ registrar: 'sip:10.0.0.1' })]),
    );
    await first.stop();
    const next = await startHarness({ dataDir: first.dataDir });
    harnesses.push(next);
    expect(await next.engine.router.dispatch('accounts.list', [])).toMatchObject({
      ok: true,
      value: [{ aor: 'sip:alice@example.test', registrar: 'sip:10.0.0.1', keepAliveSeconds: 0 }],
    });
  });
});

describe('shutdown', () => {
  it('is bounded on the injected clock even when the server never answers the unregister', async () => {
    const h = await startHarness();
    await h.drive(h.engine.router.dispatch('accounts.create', [input()]));
    await h.run();
    h.mode.current = 'silent';
    let done = false;
    const stopping = h.engine.shutdown(1_000).then(() => {
      done = true;
    });
    await h.run();
    expect(done).toBe(false);
    await h.run(1_600);
    await h.run();
    expect(done).toBe(true);
    await stopping;
    h.registrar.socket.close();
  });

  it('leaves no registration behind when it stops while an account is still starting', async () => {
    const h = await startHarness({ localAddressDelayMs: 100 });
    const creating = h.engine.router.dispatch('accounts.create', [input()]);
    await h.run(50);
    const stopping = h.engine.shutdown(2_000);
    await h.drive(Promise.all([creating, stopping]));
    const registers = h.registrar.received;
    // Either it never registered, or its last word was the unregister (Expires: 0).
    if (registers.length > 0) expect(registers.at(-1)?.expires).toBe(0);
    const before = registers.length;
    await h.run(700_000);
    expect(h.registrar.received.length).toBe(before);
    h.registrar.socket.close();
  });

  it('starts with no accounts and a fresh folder that did not exist', async () => {
    const clock = new ManualClock();
    const dataDir = join(newDataDir(), 'nested', 'data');
    mkdirSync(join(dataDir, '..'), { recursive: true });
    const engine = await createEngine({
      dataDir,
      secrets: plainCipher,
      host: 'electron',
      clock,
      sockets: new LoopbackNetwork({ clock }),
      resolver: new NoNameResolver(),
      localAddressFor: async () => '10.0.0.2',
    });
    expect(await engine.router.dispatch('app.info', [])).toMatchObject({
      ok: true,
      value: {
        host: 'electron',
        storageError: null,
        passwordProtection: { kind: 'key-file', detail: 'test.key' },
      },
    });
    await engine.shutdown(0);
  });
});

describe('links from the system', () => {
  it('holds a link until the window asks with dialpad.ready, then sends the next ones as dialpad.open', async () => {
    const h = await startHarness();
    harnesses.push(h);
    h.engine.openUri('sip:bob@example.test');
    expect(h.events.filter((event) => event.name === 'dialpad.open')).toEqual([]);
    expect(await h.engine.router.dispatch('dialpad.ready', [])).toEqual({
      ok: true,
      value: ['sip:bob@example.test'],
    });
    h.engine.openUri('tel:+4930123');
    expect(h.events.filter((event) => event.name === 'dialpad.open')).toEqual([
      { name: 'dialpad.open', payload: { uri: 'tel:+4930123' } },
    ]);
  });
});
