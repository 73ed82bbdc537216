#!/usr/bin/env node
// Launcher for the headless `softphone` command: runs the TypeScript sources through tsx, so the command works
// straight after `npm install` without a build step.
import { readFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
register();
const { main } = await import('../main/cli/index.ts');
const code = await main(process.argv.slice(2), process, { version });
// Commands end by returning their exit code once they have cleaned up; stdin and idle sockets must not keep us alive.
process.exit(code);
