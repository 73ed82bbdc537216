import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FileKeyCipher } from '../../../main/store/file-key-cipher';
import { latestSchemaVersion } from '../../../main/store/migrate';
import { DATABASE_FILE_NAME, openStore, type Store } from '../../../main/store/store';
import { settingsDefaults } from '../../../main/store/settings-repository';
import { ManualClock } from '../../support/manual-clock';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();
const clock = new ManualClock();

function open(dataDir: string): Store {
  const opened = openStore({ dataDir, clock });
  if (!opened.ok) throw new Error(opened.error.detail);
  return opened.store;
}

describe('openStore', () => {
  it('creates the data folder and database, migrated, with working repositories', () => {
    const dataDir = join(tempDir(), 'softphone');
    const store = open(dataDir);
    expect(store.path).toBe(join(dataDir, DATABASE_FILE_NAME));
    expect(existsSync(store.path)).toBe(true);
    expect(store.accounts.list()).toEqual([]);
    expect(store.settings.getAll()).toEqual(settingsDefaults);
    store.close();
    store.close();
    const raw = new Database(store.path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(latestSchemaVersion());
    raw.close();
  });

  it('keeps accounts, encrypted passwords and settings across a restart', () => {
    const dataDir = tempDir();
    const secrets = FileKeyCipher.inDirectory(dataDir);
    const first = open(dataDir);
    const { id } = first.accounts.insert({
      displayName: 'Alice',
      aor: 'sip:alice@example.test',
      authUser: null,
      outboundProxy: null,
      registrar: null,
      transport: 'udp',
      expires: 600,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
      password: secrets.encrypt('s3cret'),
    });
    first.settings.patch({ theme: 'light' });
    first.close();

    const second = open(dataDir);
    expect(second.accounts.get(id)?.hasPassword).toBe(true);
    expect(FileKeyCipher.inDirectory(dataDir).decrypt(second.accounts.getPassword(id)!)).toBe('s3cret');
    expect(second.settings.getAll().theme).toBe('light');
    // The password is nowhere in the database file in plain text.
    second.close();
    const raw = new Database(second.path, { readonly: true });
    expect(raw.serialize().toString('latin1')).not.toContain('s3cret');
    raw.close();
  });

  it('uses the file name and id generator it is given', () => {
    const dataDir = tempDir();
    const opened = openStore({
      dataDir,
      clock,
      fileName: 'other.db',
      newId: () => 'fixed-id',
      quickCheck: false,
    });
    if (!opened.ok) throw new Error(opened.error.detail);
    expect(opened.store.path).toBe(join(dataDir, 'other.db'));
    expect(
      opened.store.accounts.insert({
        displayName: '',
        aor: 'sip:a@b',
        authUser: null,
        outboundProxy: null,
        registrar: null,
        transport: 'tcp',
        expires: 60,
        keepAliveSeconds: 0,
        keepAliveKind: 'crlf',
        enabled: false,
      }).id,
    ).toBe('fixed-id');
    opened.store.close();
  });

  it('reports a corrupt file', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, DATABASE_FILE_NAME), 'this is not sqlite '.repeat(500));
    expect(openStore({ dataDir, clock })).toMatchObject({ ok: false, error: { kind: 'corrupt' } });
  });

  it('reports a database from a newer app, and does not change it', () => {
    const dataDir = tempDir();
    open(dataDir).close();
    const path = join(dataDir, DATABASE_FILE_NAME);
    const raw = new Database(path);
    raw.pragma(`user_version = ${latestSchemaVersion() + 1}`);
    raw.close();
    const opened = openStore({ dataDir, clock });
    expect(opened).toMatchObject({ ok: false, error: { kind: 'too-new', path } });
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(latestSchemaVersion() + 1);
    after.close();
  });
});
