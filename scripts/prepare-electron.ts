// What `npm start` and `npm run dev` run before electron-vite: is Electron's program there (fetched with Electron's
// own installer if not), and does the desktop app have a better-sqlite3 addon built for Electron's ABI? Each problem
// is one paragraph on stderr and a non-zero exit, never a stack trace.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { ADDON_FILE_NAME, NATIVE_FOLDER, STAMP_FILE_NAME, readStampFile } from '../main/store/native-binding';
import { type ElectronInstaller, ensureElectronBinary } from './electron-binary';
import { paragraph } from './paragraph';
import {
  type AddonStepEffects,
  type AddonTarget,
  addonAbiFromBinary,
  buildFailureReason,
  prepareElectronAddon,
} from './electron-native-addon';

export interface PrepareIo {
  readonly projectRoot: string;
  readonly stdout: Pick<NodeJS.WritableStream, 'write'>;
  readonly stderr: Pick<NodeJS.WritableStream, 'write'>;
  readonly effects: AddonStepEffects;
  /** Runs Electron's own installer once; see systemElectronInstaller. */
  readonly installElectron: ElectronInstaller;
}

export async function prepareElectron(io: PrepareIo): Promise<number> {
  const electronDir = join(io.projectRoot, 'node_modules', 'electron');
  let failed = false;
  const binary = ensureElectronBinary({
    electronDir,
    readText,
    exists: existsSync,
    runInstaller: io.installElectron,
    notify: (line) => io.stdout.write(`${line}\n`),
  });
  if (!binary.ok) {
    io.stderr.write(`${binary.afterInstaller ? '\n' : ''}${binary.message}\n\n`);
    failed = true;
  }
  const target = addonTarget(io.projectRoot);
  if (target === null) {
    // Without the electron package there is no ABI to build for, and the paragraph above says what to do.
    if (binary.ok)
      io.stderr.write(
        `${paragraph([
          'Cannot prepare the database addon for the desktop app: node_modules/better-sqlite3 or',
          'node_modules/electron/abi_version is missing. Run `npm install` again, then `npm start`.',
        ])}\n`,
      );
    return 1;
  }
  const addon = await prepareElectronAddon(target, io.effects);
  if (addon.kind === 'failed') {
    io.stderr.write(`${addon.message}\n`);
    failed = true;
  } else if (addon.kind === 'built') {
    io.stdout.write(`Built better-sqlite3 for Electron ${target.electronVersion}: ${addon.path}\n`);
  }
  return failed ? 1 : 0;
}

function addonTarget(projectRoot: string): AddonTarget | null {
  const electronDir = join(projectRoot, 'node_modules', 'electron');
  const electronPackage = readText(join(electronDir, 'package.json'));
  const abi = readText(join(electronDir, 'abi_version'))?.trim();
  const sqlitePackage = readText(join(projectRoot, 'node_modules', 'better-sqlite3', 'package.json'));
  if (electronPackage === null || abi === undefined || sqlitePackage === null) return null;
  return {
    projectRoot,
    electronVersion: (JSON.parse(electronPackage) as { version: string }).version,
    abi,
    betterSqlite3Version: (JSON.parse(sqlitePackage) as { version: string }).version,
    platform: process.platform,
    arch: process.arch,
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The real effects: build in a staging copy of the package under .native/ with @electron/rebuild (it tries a
 * prebuilt binary first, then compiles against Electron's headers), so node_modules is never written to.
 */
export function systemAddonEffects(projectRoot: string): AddonStepEffects {
  return {
    exists: existsSync,
    readStamp: readStampFile,
    builtAbi: (path) => addonAbiFromBinary(readFileSync(path)),
    build: async (target) => {
      const stage = join(projectRoot, NATIVE_FOLDER, `stage-${target.abi}`);
      const stagedPackage = join(stage, 'node_modules', 'better-sqlite3');
      rmSync(stage, { recursive: true, force: true });
      mkdirSync(stagedPackage, { recursive: true });
      cpSync(join(projectRoot, 'node_modules', 'better-sqlite3'), stagedPackage, {
        recursive: true,
        filter: (source) => !/[\\/]better-sqlite3[\\/]build([\\/]|$)/.test(source),
      });
      writeFileSync(
        join(stage, 'package.json'),
        JSON.stringify({
          name: 'softphone-native-stage',
          private: true,
          dependencies: { 'better-sqlite3': target.betterSqlite3Version },
        }),
      );
      const log = join(projectRoot, NATIVE_FOLDER, `build-${target.abi}.log`);
      try {
        const worker = join(import.meta.dirname, 'rebuild-electron-addon.ts');
        const logFd = openSync(log, 'w');
        const run = spawnSync(
          process.execPath,
          ['--import', 'tsx', worker, stage, target.electronVersion, target.arch],
          { stdio: ['ignore', logFd, logFd], cwd: projectRoot },
        );
        closeSync(logFd);
        if (run.status !== 0)
          throw new Error(
            `${buildFailureReason(readText(log) ?? '')}; details in ${relative(projectRoot, log)}`,
          );
        const built = join(stagedPackage, 'build', 'Release', ADDON_FILE_NAME);
        if (!existsSync(built)) throw new Error(`the build left no ${ADDON_FILE_NAME}`);
        const kept = join(projectRoot, NATIVE_FOLDER, `built-${target.abi}.node`);
        copyFileSync(built, kept);
        return kept;
      } finally {
        rmSync(stage, { recursive: true, force: true });
      }
    },
    install: (built, dir, stamp) => {
      mkdirSync(dir, { recursive: true });
      copyFileSync(built, join(dir, ADDON_FILE_NAME));
      rmSync(built, { force: true });
      // Written last: a stamp means the copy beside it is complete.
      writeFileSync(join(dir, STAMP_FILE_NAME), `${JSON.stringify(stamp, null, 2)}\n`);
    },
  };
}
