// The data folder is the owner's alone (0700) and so are the database, its -wal/-shm and the key file (0600),
// whatever the umask: run here with the common 022, under which a plain create would give 0755 and 0644. Folders
// and files that already exist with looser modes are tightened too.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/db';
import { FileKeyCipher } from '../../../main/store/file-key-cipher';
import { DATABASE_FILE_NAME, openStore } from '../../../main/store/store';
import { ManualClock } from '../../support/manual-clock';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();
const posix = process.platform !== 'win32';
const modeOf = (path: string) => statSync(path).mode & 0o777;

let previousUmask = 0;
beforeAll(() => {
  previousUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(previousUmask);
});

describe.runIf(posix)('permissions of the data folder (umask 022)', () => {
  it('creates the folder 0700 and the database and its WAL 0600', () => {
    const dataDir = join(tempDir(), 'data');
    const opened = openStore({ dataDir, clock: new ManualClock() });
    if (!opened.ok) throw new Error(opened.error.detail);
    opened.store.settings.patch({ theme: 'dark' });
    const path = join(dataDir, DATABASE_FILE_NAME);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path)).toBe(0o600);
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(modeOf(`${path}-wal`)).toBe(0o600);
    opened.store.close();
  });

  it('gives the shared-memory file 0600 too when a connection is not exclusive', () => {
    const path = join(tempDir(), 'shared', 'store.sqlite');
    const opened = openDatabase(path);
    if (!opened.ok) throw new Error(opened.error.detail);
    expect(existsSync(`${path}-shm`)).toBe(true);
    expect(modeOf(`${path}-shm`)).toBe(0o600);
    expect(modeOf(`${path}-wal`)).toBe(0o600);
    opened.db.close();
  });

  it('tightens a folder and files that already exist with looser modes', () => {
    const dataDir = join(tempDir(), 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const path = join(dataDir, DATABASE_FILE_NAME);
    const first = openDatabase(path);
    if (!first.ok) throw new Error(first.error.detail);
    first.db.pragma('user_version = 0');
    // The -wal and -shm exist while that connection is open; loosen everything as an older version left it.
    const files = [path, `${path}-wal`, `${path}-shm`];
    expect(files.every((file) => existsSync(file))).toBe(true);
    for (const file of files) chmodSync(file, 0o644);
    chmodSync(dataDir, 0o755);
    // Not exclusive: the other connection still has the database open.
    const opened = openStore({ dataDir, clock: new ManualClock(), exclusive: false });
    if (!opened.ok) throw new Error(opened.error.detail);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of files) expect(modeOf(file)).toBe(0o600);
    opened.store.close();
    first.db.close();
  });

  it('keeps the password key 0600, and tightens one found looser', () => {
    const dataDir = join(tempDir(), 'keys');
    const cipher = FileKeyCipher.inDirectory(dataDir);
    cipher.encrypt('secret');
    expect(modeOf(cipher.keyPath)).toBe(0o600);
    chmodSync(cipher.keyPath, 0o644);
    expect(FileKeyCipher.inDirectory(dataDir).decrypt(cipher.encrypt('again'))).toBe('again');
    expect(modeOf(cipher.keyPath)).toBe(0o600);
  });

  it('leaves a sticky shared folder (such as /tmp given by mistake) open to others', () => {
    const shared = join(tempDir(), 'shared-tmp');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const opened = openDatabase(join(shared, 'store.sqlite'));
    if (!opened.ok) throw new Error(opened.error.detail);
    opened.db.close();
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(modeOf(join(shared, 'store.sqlite'))).toBe(0o600);
  });

  it('never loosens: a file its owner made read-only stays read-only', () => {
    const dataDir = join(tempDir(), 'ro');
    mkdirSync(dataDir, { mode: 0o700 });
    const path = join(dataDir, 'x.sqlite');
    writeFileSync(path, '');
    chmodSync(path, 0o444);
    openDatabase(path, { quickCheck: false });
    expect(modeOf(path)).toBe(0o400);
  });
});
