// Child process for the messages kill -9 test: runs the real engine on the data folder with a fake messaging engine
// that delivers every send at once, and without end receives and sends messages, printing one line as soon as each
// has been acknowledged the way the person or the sender would learn of it:
//   acknowledged incoming <id>    the handler answered `stored` (the engine would now send 200)
//   acknowledged outgoing <id>    messages.send answered (the window shows it as sending)
//   acknowledged delivered <id>   message.changed said delivered (the window shows it as delivered)
// until the parent kills it.
import { writeSync } from 'node:fs';
import type { MessageDto } from '../../../../../main/contract/contract';
import { SystemClock } from '../../../../../main/platform/clock';
import { unavailableCallEngine } from '../../../../../main/services/call-engine';
import { createEngine } from '../../../../../main/services/engine';
import type { SecretCipher } from '../../../../../main/store/secret-cipher';
import { NoNameResolver } from '../../../../../main/ua/next-hop';
import { FakeMessagingEngine } from '../../../../support/fake-messaging-engine';
import { LoopbackNetwork } from '../../../../support/loopback-network';

const dataDir = process.argv[2];
const round = process.argv[3] ?? '0';
if (!dataDir) throw new Error('usage: message-writer DATA_DIR ROUND');

const plainCipher: SecretCipher = {
  protection: { kind: 'key-file', detail: 'test.key' },
  available: true,
  encrypt: (plain) => Buffer.from(plain, 'utf8'),
  decrypt: (data) => data.toString('utf8'),
};

// writeSync to fd 1: the line is in the pipe before the next step starts, so "acknowledged" means exactly that.
const acknowledge = (line: string): void => {
  writeSync(1, `acknowledged ${line}\n`);
};

const clock = new SystemClock();
const messaging = new FakeMessagingEngine({ mode: 'auto' });
const engine = await createEngine({
  dataDir,
  secrets: plainCipher,
  host: 'web',
  clock,
  sockets: new LoopbackNetwork({ clock }),
  resolver: new NoNameResolver(),
  localAddressFor: () => Promise.resolve('10.0.0.2'),
  calls: unavailableCallEngine(),
  messaging,
});

let lastIncoming: string | undefined;
engine.events.subscribe((name, payload) => {
  if (name !== 'message.changed') return;
  const message = payload as MessageDto;
  if (message.direction === 'incoming') lastIncoming = message.id;
  else if (message.delivery === 'delivered') acknowledge(`delivered ${message.id}`);
});
writeSync(1, 'ready\n');

let n = 0;
async function burst(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    n++;
    const peer = `sip:peer${n % 7}@example.test`;
    lastIncoming = undefined;
    const verdict = messaging.receive({
      from: peer,
      fromName: `Peer ${n % 7}`,
      body: `incoming ${round}.${n} — héllo 👋 שלום`,
      dedupeKey: `r${round}-k${n}`,
      receivedAt: clock.wallTime(),
    });
    if (verdict.kind === 'stored' && lastIncoming) acknowledge(`incoming ${lastIncoming}`);
    const sent = await engine.router.dispatch('messages.send', [
      { accountId: null, to: peer, body: `outgoing ${round}.${n}` },
    ]);
    if (sent.ok) acknowledge(`outgoing ${(sent.value as MessageDto).id}`);
  }
  setImmediate(() => void burst());
}
void burst();
