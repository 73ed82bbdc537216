// Child process for the kill -9 test: writes to the store without end and prints one line as soon as each write has
// returned (been acknowledged), until the parent kills it.
//   acknowledged account <n> <id>
//   acknowledged sipPort <n>
import { writeSync } from 'node:fs';
import { SystemClock } from '../../../../../main/platform/clock';
import { openStore } from '../../../../../main/store/store';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: ack-writer DATA_DIR');
const opened = openStore({ dataDir, clock: new SystemClock() });
if (!opened.ok) throw new Error(`${opened.error.kind}: ${opened.error.detail}`);
const { store } = opened;

// writeSync to fd 1: the line is in the pipe before the next write starts, so "acknowledged" means exactly that.
const acknowledge = (line: string): void => {
  writeSync(1, `acknowledged ${line}\n`);
};

let n = store.accounts.list().length;
writeSync(1, 'ready\n');

function burst(): void {
  for (let i = 0; i < 10; i++) {
    n++;
    const account = store.accounts.insert({
      displayName: `Account ${n}`,
      aor: `sip:user${n}@example.test`,
      authUser: null,
      outboundProxy: null,
      registrar: null,
      transport: n % 2 === 0 ? 'tcp' : 'udp',
      expires: 600,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
      password: Buffer.from(`ciphertext-${n}`),
    });
    acknowledge(`account ${n} ${account.id}`);
    // Settings writes go through a transaction (upsert + read back); the port only grows, so the last acknowledged
    // value is a lower bound for what must be on disk.
    store.settings.patch({ sipPort: n % 65_536 });
    acknowledge(`sipPort ${n % 65_536}`);
  }
  setImmediate(burst);
}
burst();
