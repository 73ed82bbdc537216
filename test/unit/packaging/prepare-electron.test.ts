// The pre-start step of `npm start` / `npm run dev`: a missing Electron program is fetched once with Electron's own
// installer; a program still missing after that, and a missing Electron-ABI database addon, each end in one
// paragraph that says what is missing and what to do, never a stack trace; a current addon copy is reused without
// building.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ElectronInstallerRun,
  checkElectronBinary,
  installerFailureReason,
  systemElectronInstaller,
} from '../../../scripts/electron-binary';
import {
  type AddonStepEffects,
  type AddonTarget,
  addonAbiFromBinary,
  buildFailureReason,
  prepareElectronAddon,
  stampFor,
} from '../../../scripts/electron-native-addon';
import { paragraph } from '../../../scripts/paragraph';
import { prepareElectron } from '../../../scripts/prepare-electron';
import { electronAddonDir } from '../../../main/store/native-binding';

const electronDir = join('/', 'p', 'node_modules', 'electron');
/** The message with its line breaks as spaces: wrapping depends on the lengths of inserted values. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

function files(entries: Record<string, string>) {
  return {
    electronDir,
    readText: (path: string) => entries[path] ?? null,
    exists: (path: string) => path in entries,
  };
}

describe('checkElectronBinary', () => {
  const pkg = { [join(electronDir, 'package.json')]: '{"version":"45.5.0"}' };

  it('accepts an unpacked program of the package version', () => {
    const executable = join(electronDir, 'dist', 'electron');
    const check = checkElectronBinary(
      files({
        ...pkg,
        [join(electronDir, 'path.txt')]: 'electron',
        [join(electronDir, 'dist', 'version')]: 'v45.5.0',
        [executable]: '',
      }),
    );
    expect(check).toEqual({ ok: true, executable, version: '45.5.0' });
  });

  it('says the program is not downloaded yet when nothing was unpacked', () => {
    expect(checkElectronBinary(files(pkg))).toEqual({
      ok: false,
      problem: 'no-program',
      version: '45.5.0',
      state: 'is not downloaded yet',
    });
  });

  it('notices a program left from another Electron version', () => {
    const check = checkElectronBinary(
      files({
        ...pkg,
        [join(electronDir, 'path.txt')]: 'electron',
        [join(electronDir, 'dist', 'version')]: '44.0.0',
        [join(electronDir, 'dist', 'electron')]: '',
      }),
    );
    expect(check).toMatchObject({ ok: false, state: 'is version 44.0.0, not 45.5.0' });
  });

  it('says so when the electron package itself is absent', () => {
    expect(checkElectronBinary(files({}))).toEqual({ ok: false, problem: 'no-package' });
  });
});

describe('installerFailureReason', () => {
  const timedOut = Object.assign(new Error('spawnSync node ETIMEDOUT'), { code: 'ETIMEDOUT' });
  const notFound = Object.assign(new Error('spawnSync /x/node ENOENT\nsecond line'), { code: 'ENOENT' });
  it.each([
    ['exit 0', { status: 0, signal: null }, null],
    ['exit 1', { status: 1, signal: null }, "Electron's installer exited with code 1"],
    [
      'timeout',
      { status: null, signal: 'SIGTERM' as const, error: timedOut },
      'it did not finish within 10 minutes',
    ],
    ['signal', { status: null, signal: 'SIGINT' as const }, "Electron's installer was stopped by SIGINT"],
    [
      'spawn error',
      { status: null, signal: null, error: notFound },
      "Electron's installer could not start (spawnSync /x/node ENOENT)",
    ],
  ])('%s', (_name, exit, reason) => {
    const text = installerFailureReason(exit, 10 * 60_000);
    if (reason === null) expect(text).toBeNull();
    else expect(text).toContain(reason);
  });

  it('gives a short timeout in seconds', () => {
    const timedOut2 = Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' });
    expect(installerFailureReason({ status: null, signal: 'SIGTERM', error: timedOut2 }, 1500)).toContain(
      'within 2 seconds',
    );
  });
});

describe('systemElectronInstaller', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-installer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the package's install.js with this Node and reports its exit code", () => {
    writeFileSync(join(dir, 'install.js'), 'process.exit(3);\n');
    expect(systemElectronInstaller(dir)()).toEqual({
      ok: false,
      reason: expect.stringContaining('exited with code 3') as string,
    });
  });

  it('succeeds when install.js exits 0', () => {
    writeFileSync(join(dir, 'install.js'), "require('node:fs').writeFileSync(__dirname + '/ran', '');\n");
    expect(systemElectronInstaller(dir)()).toEqual({ ok: true });
  });

  it('stops an installer that outlives its timeout', () => {
    writeFileSync(join(dir, 'install.js'), 'setTimeout(() => {}, 60_000);\n');
    expect(systemElectronInstaller(dir, 300)()).toEqual({
      ok: false,
      reason: expect.stringContaining('did not finish within 1 second') as string,
    });
  });
});

const target: AddonTarget = {
  projectRoot: join('/', 'p'),
  electronVersion: '45.5.0',
  abi: '150',
  betterSqlite3Version: '12.11.1',
  platform: 'linux',
  arch: 'x64',
};
const copyDir = electronAddonDir(target.projectRoot, '150');
const copy = join(copyDir, 'better_sqlite3.node');

function effects(overrides: Partial<AddonStepEffects> = {}) {
  const calls: string[] = [];
  const value: AddonStepEffects = {
    exists: () => false,
    readStamp: () => null,
    build: async () => {
      calls.push('build');
      return '/p/.native/built-150.node';
    },
    builtAbi: () => '150',
    install: (built, dir, stamp) => calls.push(`install ${built} ${dir} ${stamp.electron}`),
    ...overrides,
  };
  return { value, calls };
}

describe('prepareElectronAddon', () => {
  it('reuses a current copy without building', async () => {
    const { value, calls } = effects({
      exists: (path) => path === copy,
      readStamp: () => stampFor(target),
    });
    expect(await prepareElectronAddon(target, value)).toEqual({ kind: 'current', path: copy });
    expect(calls).toEqual([]);
  });

  it('builds a missing copy and installs it with its stamp', async () => {
    const { value, calls } = effects();
    expect(await prepareElectronAddon(target, value)).toEqual({ kind: 'built', path: copy });
    expect(calls).toEqual(['build', `install /p/.native/built-150.node ${copyDir} 45.5.0`]);
  });

  it('rebuilds a stale copy (stamped for another Electron)', async () => {
    const { value, calls } = effects({
      exists: (path) => path === copy,
      readStamp: () => ({ ...stampFor(target), electron: '45.4.0' }),
    });
    expect(await prepareElectronAddon(target, value)).toMatchObject({ kind: 'built' });
    expect(calls[0]).toBe('build');
  });

  it('refuses a build that came out for another ABI', async () => {
    const { value, calls } = effects({ builtAbi: () => '115' });
    const outcome = await prepareElectronAddon(target, value);
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && flat(outcome.message)).toContain(
      'the build produced an addon for ABI 115, not 150',
    );
    expect(calls).toEqual(['build']);
  });

  it('explains in one paragraph when it cannot download', async () => {
    const { value } = effects({
      build: () => Promise.reject(new Error(buildFailureReason('getaddrinfo ENOTFOUND github.com\n'))),
    });
    const outcome = await prepareElectronAddon(target, value);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind !== 'failed') return;
    expect(flat(outcome.message)).toContain('better-sqlite3 12.11.1 for Electron 45.5.0 (ABI 150)');
    expect(outcome.message.split('\n').every((line) => line.length <= 100)).toBe(true);
    expect(flat(outcome.message)).toContain('no network: github.com could not be resolved');
    expect(flat(outcome.message)).toContain("built for Node's ABI and stays that way");
    expect(flat(outcome.message)).toContain('.native/electron-150/');
    expect(flat(outcome.message)).toContain('`npm run web`');
    expect(outcome.message).not.toMatch(/\n\s*\n/);
  });
});

describe('buildFailureReason', () => {
  it.each([
    ['getaddrinfo EAI_AGAIN www.example.test', 'no network: www.example.test could not be resolved'],
    ['Error: connect ECONNREFUSED 10.0.0.1:443', 'no network: ECONNREFUSED 10.0.0.1:443'],
    [
      'This is ... related to network connectivity.',
      "no network: Electron's headers could not be downloaded",
    ],
    ['gyp ERR! find Python', 'Python, which node-gyp needs, was not found'],
    ['something else', 'the build failed'],
  ])('%s → %s', (log, reason) => {
    expect(buildFailureReason(log)).toBe(reason);
  });
});

describe('addonAbiFromBinary', () => {
  it('reads the ABI from the registration symbol', () => {
    const bytes = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('\0node_register_module_v150\0')]);
    expect(addonAbiFromBinary(bytes)).toBe('150');
    expect(addonAbiFromBinary(Buffer.from('no symbol here'))).toBeNull();
  });
});

describe('prepareElectron', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'softphone-prestart-'));
    mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
    mkdirSync(join(root, 'node_modules', 'better-sqlite3'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), '{"version":"45.5.0"}');
    writeFileSync(join(root, 'node_modules', 'electron', 'abi_version'), '150');
    writeFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), '{"version":"12.11.1"}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function sink() {
    const chunks: string[] = [];
    return { write: (chunk: string) => chunks.push(chunk) > 0, text: () => chunks.join('') };
  }

  function installElectron() {
    const electron = join(root, 'node_modules', 'electron');
    writeFileSync(join(electron, 'path.txt'), 'electron');
    mkdirSync(join(electron, 'dist'));
    writeFileSync(join(electron, 'dist', 'version'), 'v45.5.0');
    writeFileSync(join(electron, 'dist', 'electron'), '');
  }

  /** A stand-in for Electron's installer: counts its runs and does what the test says. */
  function installer(run: () => ElectronInstallerRun) {
    let runs = 0;
    return {
      installElectron: () => {
        runs += 1;
        return run();
      },
      runs: () => runs,
    };
  }

  const offline = {
    ok: false,
    reason: "Electron's installer exited with code 1 (its own error is printed above)",
  };

  it('does not run the installer when the program is there', async () => {
    installElectron();
    const fake = installer(() => ({ ok: true }));
    const stderr = sink();
    const code = await prepareElectron({
      projectRoot: root,
      stdout: sink(),
      stderr,
      effects: effects().value,
      installElectron: fake.installElectron,
    });
    expect(code).toBe(0);
    expect(fake.runs()).toBe(0);
    expect(stderr.text()).toBe('');
  });

  it("runs Electron's installer when the program is missing and carries on once it is there", async () => {
    const fake = installer(() => {
      installElectron();
      return { ok: true };
    });
    const stdout = sink();
    const stderr = sink();
    const { value, calls } = effects();
    const code = await prepareElectron({
      projectRoot: root,
      stdout,
      stderr,
      effects: value,
      installElectron: fake.installElectron,
    });
    expect(code).toBe(0);
    expect(fake.runs()).toBe(1);
    expect(stderr.text()).toBe('');
    expect(flat(stdout.text())).toContain("Electron 45.5.0's program is not downloaded yet: downloading it");
    expect(stdout.text()).toContain('Built better-sqlite3 for Electron 45.5.0');
    expect(calls[0]).toBe('build');
  });

  it('explains in one paragraph, with the reason, when the download fails, and exits 1', async () => {
    const fake = installer(() => offline);
    const stderr = sink();
    const { value } = effects({ build: () => Promise.reject(new Error('no network')) });
    const code = await prepareElectron({
      projectRoot: root,
      stdout: sink(),
      stderr,
      effects: value,
      installElectron: fake.installElectron,
    });
    expect(code).toBe(1);
    expect(fake.runs()).toBe(1);
    // A blank line first, to set the paragraph apart from the installer's own output above it.
    expect(stderr.text().startsWith('\nCannot start the desktop app:')).toBe(true);
    const electron = stderr.text().split('\n\n')[0] ?? '';
    expect(flat(electron)).toContain("Electron 45.5.0's program is not downloaded yet");
    expect(flat(electron)).toContain(
      "the automatic download failed: Electron's installer exited with code 1 (its own error is printed above)",
    );
    expect(flat(electron)).toContain('`npx install-electron`');
    expect(flat(electron)).toContain('ELECTRON_MIRROR');
    expect(flat(electron)).toContain('`npm run web` runs the same app in your browser');
    expect(electron.split('\n').every((line) => line.length <= 100)).toBe(true);
    // The addon step still runs after it and says its own part.
    expect(flat(stderr.text())).toContain('Cannot prepare the database addon');
    expect(stderr.text()).not.toMatch(/\n\s+at /);
  });

  it('says the download left no program when the installer succeeds but the program is still missing', async () => {
    const fake = installer(() => ({ ok: true }));
    const stderr = sink();
    const code = await prepareElectron({
      projectRoot: root,
      stdout: sink(),
      stderr,
      effects: effects().value,
      installElectron: fake.installElectron,
    });
    expect(code).toBe(1);
    expect(fake.runs()).toBe(1);
    expect(flat(stderr.text())).toContain("Electron 45.5.0's program is not downloaded yet");
    expect(flat(stderr.text())).toContain(
      "the automatic download failed: Electron's installer finished but left no usable program",
    );
    expect(flat(stderr.text())).toContain('`npx install-electron`');
  });

  it('runs no installer when the electron package itself is absent', async () => {
    rmSync(join(root, 'node_modules', 'electron'), { recursive: true });
    const fake = installer(() => ({ ok: true }));
    const stderr = sink();
    const code = await prepareElectron({
      projectRoot: root,
      stdout: sink(),
      stderr,
      effects: effects().value,
      installElectron: fake.installElectron,
    });
    expect(code).toBe(1);
    expect(fake.runs()).toBe(0);
    expect(flat(stderr.text())).toContain('the electron package is not installed');
    expect(flat(stderr.text())).toContain('Run `npm install`, then `npm start` again');
  });

  it('says so when better-sqlite3 is not installed at all', async () => {
    installElectron();
    rmSync(join(root, 'node_modules', 'better-sqlite3'), { recursive: true });
    const stderr = sink();
    const { value, calls } = effects();
    const code = await prepareElectron({
      projectRoot: root,
      stdout: sink(),
      stderr,
      effects: value,
      installElectron: installer(() => ({ ok: true })).installElectron,
    });
    expect(code).toBe(1);
    expect(stderr.text()).toContain(
      'node_modules/better-sqlite3 or\nnode_modules/electron/abi_version is missing',
    );
    expect(calls).toEqual([]);
  });

  it('exits 0 once Electron is there and the addon is built', async () => {
    installElectron();
    const stdout = sink();
    const stderr = sink();
    const code = await prepareElectron({
      projectRoot: root,
      stdout,
      stderr,
      effects: effects().value,
      installElectron: installer(() => ({ ok: true })).installElectron,
    });
    expect(code).toBe(0);
    expect(stderr.text()).toBe('');
    expect(stdout.text()).toContain('Built better-sqlite3 for Electron 45.5.0');
  });
});

describe('paragraph', () => {
  it('keeps a command in backticks on one line', () => {
    const text = paragraph(['run', '`npx install-electron` now.'], 12);
    expect(text).toBe('run\n`npx install-electron`\nnow.');
  });

  it('wraps at word boundaries within the width and keeps every word', () => {
    const text = paragraph(['a'.repeat(30), 'bb '.repeat(40).trim(), 'c'.repeat(120)], 40);
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .every((line) => line.length <= 40),
    ).toBe(true);
    expect(flat(text)).toBe(['a'.repeat(30), 'bb '.repeat(40).trim(), 'c'.repeat(120)].join(' '));
  });
});
