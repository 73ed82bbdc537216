// Which better-sqlite3 addon a process loads: Node's own build under Node and in a packaged app, the .native copy in
// Electron from the source tree, and never a missing or stale copy.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/db';
import {
  type NativeAddonStamp,
  type NativeBindingFacts,
  chooseNativeBinding,
  electronAddonDir,
  findProjectRoot,
  nativeBindingForThisProcess,
  readStampFile,
} from '../../../main/store/native-binding';

const root = join('/', 'projects', 'softphone');
const copyDir = electronAddonDir(root, '150');
const copy = join(copyDir, 'better_sqlite3.node');
const stamp: NativeAddonStamp = {
  electron: '45.5.0',
  abi: '150',
  betterSqlite3: '12.11.1',
  platform: 'linux',
  arch: 'x64',
};

function facts(overrides: Partial<NativeBindingFacts> = {}): NativeBindingFacts {
  return {
    electronVersion: '45.5.0',
    abi: '150',
    platform: 'linux',
    arch: 'x64',
    projectRoot: root,
    betterSqlite3Version: '12.11.1',
    exists: (path) => path === copy,
    readStamp: (dir) => (dir === copyDir ? stamp : null),
    ...overrides,
  };
}

describe('chooseNativeBinding', () => {
  it("uses better-sqlite3's own build under Node", () => {
    expect(chooseNativeBinding(facts({ electronVersion: undefined, abi: '115' }))).toEqual({
      kind: 'default',
      why: 'node',
    });
  });

  it('uses the package build inside a packaged app (electron-builder rebuilt it)', () => {
    const packaged = join('/', 'opt', 'Softphone', 'resources', 'app.asar');
    expect(chooseNativeBinding(facts({ projectRoot: packaged }))).toEqual({
      kind: 'default',
      why: 'packaged',
    });
  });

  it('uses the .native copy for the running ABI in Electron from the source tree', () => {
    expect(chooseNativeBinding(facts())).toEqual({ kind: 'electron-copy', path: copy });
    expect(copy).toBe(join(root, '.native', 'electron-150', 'better_sqlite3.node'));
  });

  it('reports a missing copy', () => {
    expect(chooseNativeBinding(facts({ exists: () => false }))).toEqual({
      kind: 'unavailable',
      path: copy,
      why: 'missing',
    });
  });

  it('looks for the copy of the running ABI only: another ABI is missing, not loaded', () => {
    const choice = chooseNativeBinding(facts({ abi: '151' }));
    expect(choice).toMatchObject({ kind: 'unavailable', why: 'missing' });
  });

  it.each([
    ['an older Electron', { electronVersion: '45.4.0' }],
    ['another better-sqlite3', { betterSqlite3Version: '12.12.0' }],
    ['another architecture', { arch: 'arm64' }],
    ['another platform', { platform: 'darwin' }],
  ] as const)('refuses a copy stamped for %s', (_what, change) => {
    expect(chooseNativeBinding(facts(change))).toEqual({ kind: 'unavailable', path: copy, why: 'stale' });
  });

  it('refuses a copy without a stamp (an interrupted build)', () => {
    expect(chooseNativeBinding(facts({ readStamp: () => null }))).toMatchObject({ why: 'stale' });
  });
});

describe('readStampFile', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a stamp and refuses a malformed one', () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-stamp-'));
    mkdirSync(dir, { recursive: true });
    expect(readStampFile(dir)).toBeNull();
    writeFileSync(join(dir, 'stamp.json'), JSON.stringify(stamp));
    expect(readStampFile(dir)).toEqual(stamp);
    writeFileSync(join(dir, 'stamp.json'), JSON.stringify({ ...stamp, abi: 150 }));
    expect(readStampFile(dir)).toBeNull();
    writeFileSync(join(dir, 'stamp.json'), 'not json');
    expect(readStampFile(dir)).toBeNull();
  });
});

describe('findProjectRoot', () => {
  it('walks up to the folder with package.json', () => {
    const exists = (path: string) => path === join(root, 'package.json');
    expect(findProjectRoot(join(root, 'out', 'main'), exists)).toBe(root);
    expect(findProjectRoot(join(root, 'main', 'store'), exists)).toBe(root);
    expect(findProjectRoot(join('/', 'elsewhere'), exists)).toBeNull();
  });
});

describe('nativeBindingForThisProcess', () => {
  let project: string | undefined;
  afterEach(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('leaves the default addon under Node', () => {
    expect(process.versions.electron).toBeUndefined();
    expect(nativeBindingForThisProcess()).toBeUndefined();
  });

  it("inside Electron, finds the copy beside the bundle's project, not beside node_modules", () => {
    // A project whose bundle sits in out/main and whose .native holds a current copy for Electron's ABI.
    project = mkdtempSync(join(tmpdir(), 'softphone-project-'));
    writeFileSync(join(project, 'package.json'), '{}');
    mkdirSync(join(project, 'out', 'main'), { recursive: true });
    const dir = electronAddonDir(project, '150');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'better_sqlite3.node'), '');
    const installed = createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string };
    writeFileSync(
      join(dir, 'stamp.json'),
      JSON.stringify({
        electron: '45.5.0',
        abi: '150',
        betterSqlite3: installed.version,
        platform: process.platform,
        arch: process.arch,
      }),
    );
    const moduleDir = join(project, 'out', 'main');
    const electron = { ...process.versions, electron: '45.5.0', modules: '150' };
    expect(nativeBindingForThisProcess({ versions: electron, moduleDir })).toBe(
      join(dir, 'better_sqlite3.node'),
    );
    // Another Electron (another stamp) or another ABI (another folder) is not loaded.
    expect(
      nativeBindingForThisProcess({ versions: { ...electron, electron: '46.0.0' }, moduleDir }),
    ).toBeUndefined();
    expect(
      nativeBindingForThisProcess({ versions: { ...electron, modules: '151' }, moduleDir }),
    ).toBeUndefined();
  });
});

describe('openDatabase with nativeBinding', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the addon it is given', () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-binding-'));
    const nodeAddon = join(
      createRequire(import.meta.url).resolve('better-sqlite3/package.json'),
      '..',
      'build',
      'Release',
      'better_sqlite3.node',
    );
    const opened = openDatabase(join(dir, 'a.sqlite'), { nativeBinding: nodeAddon });
    expect(opened.ok).toBe(true);
    if (opened.ok) opened.db.close();
    const missing = openDatabase(join(dir, 'b.sqlite'), { nativeBinding: join(dir, 'absent.node') });
    expect(missing.ok).toBe(false);
  });
});
