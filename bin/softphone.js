#!/usr/bin/env node
// Launcher for the headless `softphone` command: runs the TypeScript sources through tsx, so the command works
// straight after `npm install` without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
