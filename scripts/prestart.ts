// Entry for `npm start` / `npm run dev`'s pre-start step (see prepare-electron.ts).
import { join } from 'node:path';
import { systemElectronInstaller } from './electron-binary';
import { prepareElectron, systemAddonEffects } from './prepare-electron';

const projectRoot = join(import.meta.dirname, '..');
process.exitCode = await prepareElectron({
  projectRoot,
  stdout: process.stdout,
  stderr: process.stderr,
  effects: systemAddonEffects(projectRoot),
  installElectron: systemElectronInstaller(join(projectRoot, 'node_modules', 'electron')),
});
