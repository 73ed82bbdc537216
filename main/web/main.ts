// Entry of `npm run web` (run with tsx): wires the real engine, the built renderer and the process's signals into
// runWebHost. Everything worth testing lives in web-main.ts.
import { resolve } from 'node:path';
import { createEngine } from '../services/engine';
import { runWebHost } from './web-main';

let stops = 0;
const stopRequested = new Promise<void>((resolveStop) => {
  const onSignal = (signal: NodeJS.Signals) => {
    stops++;
    // A second Ctrl-C means "now": skip the orderly unregistering.
    if (stops > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    resolveStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
});

const code = await runWebHost(process.argv.slice(2), {
  createEngine,
  rendererDir: resolve(import.meta.dirname, '../../out/renderer'),
  stopRequested,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// Whatever the engine left behind (timers, sockets) must not keep a stopped host alive.
process.exit(code);
