// Child process: opens the store in the data folder named on the command line, says "holding" and keeps it open
// until it is killed, so the parent can see the lock from another process and what a SIGKILL leaves behind.
import { writeSync } from 'node:fs';
import { SystemClock } from '../../../../../main/platform/clock';
import { openStore } from '../../../../../main/store/store';

const dataDir = process.argv[2]!;
const opened = openStore({ dataDir, clock: new SystemClock() });
if (!opened.ok) {
  writeSync(2, `${opened.error.kind}: ${opened.error.detail}\n`);
  process.exit(1);
}
writeSync(1, 'holding\n');
// Keeps the event loop (and so the process and its lock) alive until the parent kills it.
setInterval(() => undefined, 60_000);
