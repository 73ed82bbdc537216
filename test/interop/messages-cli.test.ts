// `softphone message` and `softphone register` as processes, through Kamailio: bob's register prints alice's
// message as a "message" event (answered 200), alice's message exits 0 with "message-sent"; a message to a user with
// no binding (this Kamailio keeps no offline messages) exits 1 with "message-failed" and the reason not-found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';
import { type SoftphoneProcess, runSoftphone } from './support/softphone-cli';

const peers = peersAvailable();
const TEXT = 'Hi Bob 👋 — שלום — مرحبا — "quoted" \\ back';

describe.skipIf(!peers.kamailio)('softphone message through Kamailio', () => {
  let kamailio: KamailioHandle;
  const processes: SoftphoneProcess[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
    });
  });

  afterAll(async () => {
    for (const process of processes.splice(0)) process.kill();
    await kamailio?.stop();
  });

  function account(user: string): string[] {
    return [
      '--aor',
      kamailio.uri(user),
      '--proxy',
      kamailio.proxyUri('udp'),
      '--password',
      `${user}-pw`,
      '--bind',
      '127.0.0.1:0',
    ];
  }

  it('alice’s message reaches bob’s register as an event; message exits 0 with message-sent', async () => {
    const bob = runSoftphone(['register', ...account('bob')]);
    processes.push(bob);
    await bob.waitFor((event) => event.event === 'registration' && event['state'] === 'registered');

    const alice = runSoftphone(['message', kamailio.uri('bob'), TEXT, ...account('alice')]);
    processes.push(alice);
    expect(await alice.exited()).toBe(0);
    expect(alice.events.at(-1)).toMatchObject({
      event: 'message-sent',
      to: kamailio.uri('bob'),
      status: 200,
    });

    const received = await bob.waitFor((event) => event.event === 'message');
    expect(received).toMatchObject({
      event: 'message',
      to: kamailio.uri('bob'),
      from: kamailio.uri('alice'),
      body: TEXT,
    });
    expect(await bob.quit()).toBe(0);
  }, 40_000);

  it('a message to a user with no binding exits 1 with message-failed: not-found, 404', async () => {
    const alice = runSoftphone(['message', kamailio.uri('bob'), 'anyone there?', ...account('alice')]);
    processes.push(alice);
    expect(await alice.exited()).toBe(1);
    expect(alice.events.at(-1)).toMatchObject({
      event: 'message-failed',
      to: kamailio.uri('bob'),
      reason: 'not-found',
      status: 404,
    });
  }, 30_000);
});
