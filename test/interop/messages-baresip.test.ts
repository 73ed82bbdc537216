// Instant messages between our user agent and baresip 1.0, straight between the two addresses: our MESSAGE reaches
// baresip (200, and its menu prints the text into its log), and baresip's `message` command (the contact module's
// "message current contact") reaches us with its text intact.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingUsage, type ReceivedMessage, messagingHostOf } from '../../main/messaging/messaging-usage';
import { UserAgent } from '../../main/ua/user-agent';
import { writeToneFixture } from '../support/audio/tone-fixture';
import { type BaresipHandle, startBaresip } from './support/baresip';
import { peersAvailable } from './support/peers';
import { sipUri, startLoopbackAgent, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const TO_BARESIP = 'Hello baresip 👋 — שלום — مرحبا';
const FROM_BARESIP = 'Hi softphone 🙂 ok';

describe.skipIf(!peers.baresip)('instant messages with baresip', () => {
  let fixtureDir: string;
  let agent: UserAgent;
  let usage: MessagingUsage;
  let bob: BaresipHandle;
  const received: ReceivedMessage[] = [];

  beforeAll(async () => {
    fixtureDir = await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    const tone = await writeToneFixture(fixtureDir, { frequencyHz: 1000, durationS: 2 });
    agent = await startLoopbackAgent({ userAgent: 'softphone-messages-test' });
    usage = new MessagingUsage(messagingHostOf(agent));
    usage.setIncomingHandler((message) => {
      received.push(message);
      return { kind: 'stored' };
    });
    bob = await startBaresip({
      source: tone.path,
      account: { aor: 'sip:bob@127.0.0.1' },
      contacts: [`sip:alice@127.0.0.1:${agent.transport.localPort}`],
    });
  });

  afterAll(async () => {
    usage?.dispose();
    await agent?.shutdown(1_000);
    await bob?.stop();
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  it('our MESSAGE reaches baresip: 200, and its text in baresip’s log', async () => {
    const outcome = await usage.send(undefined, sipUri(bob.directUri), TO_BARESIP);
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    let text = '';
    for (let i = 0; i < 100 && !text.includes(TO_BARESIP); i++) {
      text = await bob.readLog();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(text, text.slice(-1500)).toContain(TO_BARESIP);
  });

  it('baresip’s message command reaches us with its text', async () => {
    await bob.command('message', FROM_BARESIP);
    const message = await waitFor(() => received[0], 'a message from baresip');
    expect(message.body).toBe(FROM_BARESIP);
    expect(message.from).toBe('sip:bob@127.0.0.1');
  });
});
