// Is Electron's program on disk, and if not, fetch it. The electron package (45) has no install script: `npm install`
// leaves node_modules/electron without its dist/ folder, and the binary arrives only when its own install.js runs
// (the `install-electron` command, or the first `require('electron')` from Node). electron-vite reads path.txt
// directly and stops with "Error: Electron uninstall" and a stack trace, so `npm start` runs that installer itself
// once, and explains in one paragraph when even that leaves no program.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { paragraph } from './paragraph';

export interface ElectronPackageFacts {
  /** node_modules/electron. */
  readonly electronDir: string;
  readonly readText: (path: string) => string | null;
  readonly exists: (path: string) => boolean;
}

export type MissingElectron =
  | { readonly ok: false; readonly problem: 'no-package' }
  | {
      readonly ok: false;
      readonly problem: 'no-program';
      readonly version: string;
      /** What is wrong with the program, to follow "Electron <version>'s program". */
      readonly state: string;
    };

export type ElectronBinaryCheck =
  { readonly ok: true; readonly executable: string; readonly version: string } | MissingElectron;

export function checkElectronBinary(facts: ElectronPackageFacts): ElectronBinaryCheck {
  const packageText = facts.readText(join(facts.electronDir, 'package.json'));
  if (packageText === null) return { ok: false, problem: 'no-package' };
  const version = (JSON.parse(packageText) as { version: string }).version;
  // install.js writes path.txt (the executable's path inside dist/) after unpacking, and dist/version.
  const relative = facts.readText(join(facts.electronDir, 'path.txt'))?.trim();
  const executable = relative ? join(facts.electronDir, 'dist', relative) : null;
  const installed = facts
    .readText(join(facts.electronDir, 'dist', 'version'))
    ?.trim()
    .replace(/^v/, '');
  if (executable === null || !facts.exists(executable))
    return { ok: false, problem: 'no-program', version, state: 'is not downloaded yet' };
  if (installed !== version)
    return {
      ok: false,
      problem: 'no-program',
      version,
      state: `is version ${installed ?? 'unknown'}, not ${version}`,
    };
  return { ok: true, executable, version };
}

/** How one run of Electron's installer ended: `reason` completes "the automatic download failed: …". */
export type ElectronInstallerRun = { readonly ok: true } | { readonly ok: false; readonly reason: string };
export type ElectronInstaller = () => ElectronInstallerRun;

export interface ElectronSetup extends ElectronPackageFacts {
  readonly runInstaller: ElectronInstaller;
  /** One line of progress for the terminal. */
  readonly notify: (line: string) => void;
}

export type ElectronSetupOutcome =
  | { readonly ok: true; readonly executable: string; readonly version: string }
  | {
      readonly ok: false;
      readonly message: string;
      /** The installer ran and wrote to the terminal: the paragraph wants a blank line to stand apart from it. */
      readonly afterInstaller: boolean;
    };

/**
 * Checks for the program and, when it is missing or of another version, runs Electron's installer once and checks
 * again. Without the electron package there is no installer to run, only `npm install` to suggest.
 */
export function ensureElectronBinary(setup: ElectronSetup): ElectronSetupOutcome {
  const first = checkElectronBinary(setup);
  if (first.ok) return first;
  if (first.problem === 'no-package')
    return { ok: false, message: missingPackageMessage(), afterInstaller: false };
  setup.notify(
    paragraph([
      `Electron ${first.version}'s program ${first.state}: downloading it now with Electron's own installer`,
      '(node_modules/electron/install.js; about 100 MB, once).',
    ]),
  );
  const run = setup.runInstaller();
  const second = checkElectronBinary(setup);
  if (second.ok) return second;
  if (second.problem === 'no-package')
    return { ok: false, message: missingPackageMessage(), afterInstaller: true };
  const reason = run.ok ? "Electron's installer finished but left no usable program" : run.reason;
  // The state from before the download: it is what the user had, and what the paragraph explains.
  return {
    ok: false,
    message: missingProgramMessage(first.version, first.state, reason),
    afterInstaller: true,
  };
}

function missingProgramMessage(version: string, state: string, reason: string): string {
  return paragraph([
    `Cannot start the desktop app: Electron ${version}'s program ${state} (node_modules/electron has no`,
    `usable dist/ folder; \`npm install\` does not download it), and the automatic download failed: ${reason}.`,
    "With internet access, run `npx install-electron` (Electron's own download script) and then `npm start`",
    'again. Behind a download mirror, set ELECTRON_MIRROR to its base URL first; behind a proxy, set',
    'ELECTRON_GET_USE_PROXY=1 and HTTPS_PROXY. Without internet access, `npm run web` runs the same app in your',
    'browser.',
  ]);
}

function missingPackageMessage(): string {
  return paragraph([
    'Cannot start the desktop app: the electron package is not installed (node_modules/electron is missing).',
    'Run `npm install`, then `npm start` again. Without internet access, `npm run web` runs the same app in your',
    'browser.',
  ]);
}

/**
 * Long enough for a slow connection to fetch the ~100 MB archive; a stalled download then ends in the paragraph
 * rather than a start that never returns. Offline it fails within a second (no retries in @electron/get).
 */
export const INSTALLER_TIMEOUT_MS = 10 * 60 * 1000;

export interface InstallerExit {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error & { readonly code?: string };
}

/** Why the installer did not succeed, in words, or null when it exited 0. */
export function installerFailureReason(exit: InstallerExit, timeoutMs: number): string | null {
  // spawnSync reports its own kill on timeout as an ETIMEDOUT error together with the kill signal; check it first.
  if (exit.error?.code === 'ETIMEDOUT')
    return `Electron's installer was stopped because it did not finish within ${duration(timeoutMs)}`;
  if (exit.error !== undefined)
    return `Electron's installer could not start (${exit.error.message.split('\n')[0]})`;
  if (exit.signal !== null) return `Electron's installer was stopped by ${exit.signal}`;
  // Its stderr is the terminal's, so its own error (often a stack trace) is already on screen.
  if (exit.status !== 0)
    return `Electron's installer exited with code ${exit.status ?? 'unknown'} (its own error is printed above)`;
  return null;
}

function duration(ms: number): string {
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  return ms % 60_000 === 0 ? plural(ms / 60_000, 'minute') : plural(Math.ceil(ms / 1000), 'second');
}

/**
 * The real installer: the package's install.js run with this Node. Its output goes straight to the terminal so
 * the user sees its progress bar on a slow download (it draws one only on a terminal); the environment passes
 * through, so ELECTRON_MIRROR and npm's electron_* settings reach it.
 */
export function systemElectronInstaller(
  electronDir: string,
  timeoutMs: number = INSTALLER_TIMEOUT_MS,
): ElectronInstaller {
  return () => {
    const run = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      stdio: 'inherit',
      timeout: timeoutMs,
    });
    const reason = installerFailureReason(run, timeoutMs);
    return reason === null ? { ok: true } : { ok: false, reason };
  };
}
