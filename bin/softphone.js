#!/usr/bin/env node
// Launcher for the headless `softphone` command. It runs the copy compiled by `npm run build` (out/cli/) while that
// is current, and otherwise the TypeScript sources through tsx, so the command works straight after `npm install`
// and always runs what the sources say.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentCompiledCli } from './compiled-cli.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const compiled = currentCompiledCli(projectRoot);
let main;
if (compiled !== null) {
  ({ main } = await import(pathToFileURL(compiled).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/index.ts'));
}
const code = await main(process.argv.slice(2), process, { version });
// Commands end by returning their exit code once they have cleaned up; stdin and idle sockets must not keep us alive.
process.exit(code);
