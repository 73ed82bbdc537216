// Which compiled better-sqlite3 addon this process loads.
//
// better-sqlite3 12 is a V8 addon, not an N-API one: a binary runs only in the runtime whose ABI it was built for
// (NODE_MODULE_VERSION, `process.versions.modules`). `npm install` builds or fetches it for Node, and the tests, the
// CLI and the web host run under Node, so that copy stays as it is. The Electron start gets its own copy, built by
// `scripts/prepare-electron.ts` into `.native/electron-<abi>/` beside the project, with a stamp saying what it was
// built from. Packaged apps need neither: electron-builder rebuilds the addon inside the package for Electron.
//
// | process                         | addon loaded                                        |
// | ------------------------------- | --------------------------------------------------- |
// | Node (tests, CLI, web host)     | better-sqlite3's own build (the default)            |
// | Electron, packaged              | the default, which packaging rebuilt for Electron   |
// | Electron, from the source tree  | `.native/electron-<abi>/better_sqlite3.node`        |
// | Electron, copy missing or stale | the default (it then fails to load and the storage  |
// |                                 | error screen shows why; `npm start` rebuilds first) |
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder, under the project root, that holds runtime-specific copies of native addons. */
export const NATIVE_FOLDER = '.native';
export const ADDON_FILE_NAME = 'better_sqlite3.node';
export const STAMP_FILE_NAME = 'stamp.json';

/** What a copy was built from; a copy whose stamp differs from the running versions is stale. */
export interface NativeAddonStamp {
  readonly electron: string;
  readonly abi: string;
  readonly betterSqlite3: string;
  readonly platform: string;
  readonly arch: string;
}

export function electronAddonDir(projectRoot: string, abi: string): string {
  return join(projectRoot, NATIVE_FOLDER, `electron-${abi}`);
}

export interface NativeBindingFacts {
  /** `process.versions.electron`: undefined under Node. */
  readonly electronVersion: string | undefined;
  /** `process.versions.modules`. */
  readonly abi: string;
  readonly platform: string;
  readonly arch: string;
  /**
   * The folder holding the app's package.json: the source tree (where .native/ lives), or inside app.asar when
   * packaged. Found from this module's own location, not from node_modules, which may be a symlink to elsewhere.
   */
  readonly projectRoot: string;
  readonly betterSqlite3Version: string;
  readonly exists: (path: string) => boolean;
  /** The stamp in a folder, or null when it is absent or unreadable. */
  readonly readStamp: (dir: string) => NativeAddonStamp | null;
}

export type NativeBindingChoice =
  | { readonly kind: 'default'; readonly why: 'node' | 'packaged' }
  | { readonly kind: 'electron-copy'; readonly path: string }
  | { readonly kind: 'unavailable'; readonly path: string; readonly why: 'missing' | 'stale' };

/** Decides which addon to load; pure, so every row of the table above is a unit test. */
export function chooseNativeBinding(facts: NativeBindingFacts): NativeBindingChoice {
  if (facts.electronVersion === undefined) return { kind: 'default', why: 'node' };
  // Inside an asar archive (packaged), the package's own addon is the one electron-builder rebuilt for Electron.
  if (facts.projectRoot.split(/[\\/]/).some((part) => part.endsWith('.asar')))
    return { kind: 'default', why: 'packaged' };
  const dir = electronAddonDir(facts.projectRoot, facts.abi);
  const path = join(dir, ADDON_FILE_NAME);
  if (!facts.exists(path)) return { kind: 'unavailable', path, why: 'missing' };
  const stamp = facts.readStamp(dir);
  const current: NativeAddonStamp = {
    electron: facts.electronVersion,
    abi: facts.abi,
    betterSqlite3: facts.betterSqlite3Version,
    platform: facts.platform,
    arch: facts.arch,
  };
  if (stamp === null || !sameStamp(stamp, current)) return { kind: 'unavailable', path, why: 'stale' };
  return { kind: 'electron-copy', path };
}

export function sameStamp(a: NativeAddonStamp, b: NativeAddonStamp): boolean {
  return (
    a.electron === b.electron &&
    a.abi === b.abi &&
    a.betterSqlite3 === b.betterSqlite3 &&
    a.platform === b.platform &&
    a.arch === b.arch
  );
}

export function readStampFile(dir: string): NativeAddonStamp | null {
  try {
    const value: unknown = JSON.parse(readFileSync(join(dir, STAMP_FILE_NAME), 'utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const record = value as Record<string, unknown>;
    const fields = ['electron', 'abi', 'betterSqlite3', 'platform', 'arch'] as const;
    if (!fields.every((field) => typeof record[field] === 'string')) return null;
    return record as unknown as NativeAddonStamp;
  } catch {
    return null;
  }
}

/** The nearest folder at or above `start` that holds a package.json, or null. */
export function findProjectRoot(
  start: string,
  exists: (path: string) => boolean = existsSync,
): string | null {
  let dir = start;
  for (let depth = 0; depth < 8; depth++) {
    if (exists(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  return null;
}

export interface ProcessFacts {
  readonly versions: Readonly<Record<string, string | undefined>>;
  /** The folder of the running code: main/store from the sources, out/main once bundled. */
  readonly moduleDir: string;
}

/**
 * The `nativeBinding` option for `new Database(...)` in this process: a path when running from the source tree
 * inside Electron with a current copy, otherwise undefined (better-sqlite3's own addon). Under Node this returns
 * before touching the file system.
 */
export function nativeBindingForThisProcess(
  facts: ProcessFacts = { versions: process.versions, moduleDir: import.meta.dirname },
): string | undefined {
  const electronVersion = facts.versions['electron'];
  if (electronVersion === undefined) return undefined;
  const projectRoot = findProjectRoot(facts.moduleDir);
  if (projectRoot === null) return undefined;
  let version: string;
  try {
    const packageFile = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
    version = (JSON.parse(readFileSync(packageFile, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
  const choice = chooseNativeBinding({
    electronVersion,
    abi: facts.versions['modules'] ?? '',
    platform: process.platform,
    arch: process.arch,
    projectRoot,
    betterSqlite3Version: version,
    exists: existsSync,
    readStamp: readStampFile,
  });
  return choice.kind === 'electron-copy' ? choice.path : undefined;
}
