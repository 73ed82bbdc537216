// Is Electron's program on disk? The electron package (45) has no install script: `npm install` leaves
// node_modules/electron without its dist/ folder, and the binary arrives only when its own install.js runs (the
// `install-electron` command, or the first `require('electron')` from Node). electron-vite reads path.txt directly and
// stops with "Error: Electron uninstall" and a stack trace, so `npm start` checks first and explains.
import { join } from 'node:path';
import { paragraph } from './paragraph';

export interface ElectronPackageFacts {
  /** node_modules/electron. */
  readonly electronDir: string;
  readonly readText: (path: string) => string | null;
  readonly exists: (path: string) => boolean;
}

export type ElectronBinaryCheck =
  | { readonly ok: true; readonly executable: string; readonly version: string }
  | { readonly ok: false; readonly message: string };

export function checkElectronBinary(facts: ElectronPackageFacts): ElectronBinaryCheck {
  const packageText = facts.readText(join(facts.electronDir, 'package.json'));
  if (packageText === null) return { ok: false, message: missingPackageMessage() };
  const version = (JSON.parse(packageText) as { version: string }).version;
  // install.js writes path.txt (the executable's path inside dist/) after unpacking, and dist/version.
  const relative = facts.readText(join(facts.electronDir, 'path.txt'))?.trim();
  const executable = relative ? join(facts.electronDir, 'dist', relative) : null;
  const installed = facts
    .readText(join(facts.electronDir, 'dist', 'version'))
    ?.trim()
    .replace(/^v/, '');
  if (executable === null || !facts.exists(executable))
    return { ok: false, message: missingBinaryMessage(version, 'is not downloaded yet') };
  if (installed !== version)
    return {
      ok: false,
      message: missingBinaryMessage(version, `is version ${installed ?? 'unknown'}, not ${version}`),
    };
  return { ok: true, executable, version };
}

function missingBinaryMessage(version: string, state: string): string {
  return paragraph([
    `Cannot start the desktop app: Electron ${version}'s program ${state} (node_modules/electron has no`,
    'usable dist/ folder; `npm install` does not download it). With internet access, run',
    "`npx install-electron` (Electron's own download script) and then `npm start` again; behind a proxy or",
    'mirror, set ELECTRON_MIRROR or HTTPS_PROXY first. Without it, `npm run web` runs the same app in your',
    'browser.',
  ]);
}

function missingPackageMessage(): string {
  return paragraph([
    'Cannot start the desktop app: the electron package is not installed (node_modules/electron is missing).',
    'Run `npm install` with internet access, then `npx install-electron`, then `npm start` again. Without it,',
    '`npm run web` runs the same app in your browser.',
  ]);
}
