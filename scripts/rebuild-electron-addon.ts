// Runs in a child process of the pre-start step (its output goes to a log file, not the terminal): rebuilds the
// staged better-sqlite3 for Electron with @electron/rebuild, which tries a prebuilt binary first and then compiles
// against Electron's headers. Arguments: the staging folder, the Electron version, the architecture.
import { rebuild } from '@electron/rebuild';

const [buildPath, electronVersion, arch] = process.argv.slice(2);
if (buildPath === undefined || electronVersion === undefined || arch === undefined) {
  process.stderr.write('usage: rebuild-electron-addon STAGE ELECTRON_VERSION ARCH\n');
  process.exit(2);
}
// An npm `nodedir` setting makes node-gyp compile against that Node's headers whatever target it is given, which
// yields an addon for Node's ABI; Electron's headers are what this build needs.
delete process.env['npm_config_nodedir'];
delete process.env['NPM_CONFIG_NODEDIR'];
try {
  await rebuild({ buildPath, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
