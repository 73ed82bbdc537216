// Presence through the project's Kamailio as presence server (presence, presence_xml, presence.winfo): two engine
// user agents, alice and bob, registered with digest; bob publishes (PUBLISH, RFC 3903) and alice watches him
// (SUBSCRIBE/NOTIFY, RFC 6665/3856) through the real server, and bob's presence.winfo shows alice watching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { PresencePublisher } from '../../main/presence/presence-publisher';
import { type PresenceEvent, PresenceWatcher } from '../../main/presence/presence-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../main/presence/subscription-usage';
import { WinfoWatcher } from '../../main/presence/winfo-watcher';
import { NoNameResolver } from '../../main/ua/next-hop';
import type { Account } from '../../main/ua/user-agent';
import { UserAgent } from '../../main/ua/user-agent';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';
import { sipUri, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const NOTE = 'Zurück um 15 Uhr — בקרוב 🙂 <b>&';

interface Party {
  readonly agent: UserAgent;
  readonly account: Account;
  readonly usage: SubscriptionUsage;
}

describe.skipIf(!peers.kamailio)('presence through Kamailio', () => {
  let kamailio: KamailioHandle;
  const parties: Party[] = [];
  const clock = new SystemClock();
  const random = new CryptoRandom();
  const resolver = new NoNameResolver();

  async function party(user: string, password: string): Promise<Party> {
    const agent = await UserAgent.start({
      sockets: new NodeSocketFactory(),
      clock,
      random,
      resolver,
      bindAddress: '127.0.0.1',
      port: 0,
      protocols: ['udp'],
      userAgent: 'softphone-presence-test',
    });
    const account = agent.addAccount({
      aor: sipUri(kamailio.uri(user)),
      password,
      outboundProxy: sipUri(kamailio.proxyUri('udp')),
      transport: 'udp',
      expires: 300,
    });
    account.registerer.register();
    await waitFor(
      () => (account.registerer.state.name === 'registered' ? true : undefined),
      `${user} registered`,
    );
    const usage = new SubscriptionUsage(hostOf(agent));
    const made = { agent, account, usage };
    parties.push(made);
    return made;
  }

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
      presence: true,
    });
  });

  afterAll(async () => {
    for (const { agent, usage } of parties.splice(0)) {
      await usage.removeAll(1_000);
      await agent.shutdown(1_000);
    }
    await kamailio?.stop();
  });

  it('alice sees bob publish Away with a non-ASCII note, then Available; bob’s winfo shows alice', async () => {
    const alice = await party('alice', 'alice-pw');
    const bob = await party('bob', 'bob-pw');

    const winfoMade = WinfoWatcher.create(bob.usage, subscriberOf(bob.account), sipUri(kamailio.uri('bob')));
    if (!winfoMade.ok) throw new Error(winfoMade.error.message);
    const winfo = winfoMade.value;
    winfo.start();
    await waitFor(
      () => (winfo.subscription.state.name === 'active' ? true : undefined),
      'bob’s winfo active',
    );

    const publisher = new PresencePublisher(subscriberOf(bob.account), {
      clock,
      random,
      sender: bob.agent.transactions,
      resolver,
    });
    publisher.setStatus('away', NOTE);
    await waitFor(
      () => (publisher.state.name === 'published' ? true : undefined),
      'bob published',
      10_000,
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(publisher.state)}\n${await kamailio.readLog()}`);
    });

    // A short lifetime, so the refresh inside the dialog (to the server's Contact) happens during the test.
    const watchMade = PresenceWatcher.create(
      alice.usage,
      subscriberOf(alice.account),
      sipUri(kamailio.uri('bob')),
      { expires: 4 },
    );
    if (!watchMade.ok) throw new Error(watchMade.error.message);
    const watcher = watchMade.value;
    const events: PresenceEvent[] = [];
    watcher.on((event) => events.push(event));
    watcher.start();
    const away = await waitFor(
      () => (watcher.presence?.availability === 'away' ? watcher.presence : undefined),
      'alice sees bob away',
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(events)}\n${await kamailio.readLog()}`);
    });
    expect(away.note?.text).toBe(NOTE);

    publisher.setStatus('available');
    await waitFor(
      () => (watcher.presence?.availability === 'available' ? true : undefined),
      'alice sees bob available',
    );
    const alicesUri = `sip:alice@${kamailio.domain}`;
    await waitFor(
      () => (winfo.watchers.some((w) => w.uri === alicesUri) ? true : undefined),
      'alice in bob’s presence.winfo',
    );
    expect(winfo.watchers.find((w) => w.uri === alicesUri)?.status).toBe('active');

    // The refresh at 90 % of 4 s goes inside the dialog; Kamailio answers it with a NOTIFY of the current state.
    let notifies = 0;
    const since: string[] = [];
    watcher.subscription.onNotify(() => notifies++);
    watcher.subscription.onStateChanged((state) => since.push(state.name));
    await waitFor(() => (notifies > 0 ? true : undefined), 'the NOTIFY after a refresh', 10_000);
    expect(watcher.subscription.state.name).toBe('active');
    // Kept alive by the refresh, not ended and subscribed afresh.
    expect(since).toEqual([]);
    expect(watcher.presence?.availability).toBe('available');

    await publisher.remove(2_000);
    expect(publisher.state.name).toBe('removed');
    await watcher.subscription.unsubscribe(2_000);
    expect(watcher.subscription.state).toMatchObject({ name: 'terminated', reason: 'unsubscribed' });
  }, 40_000);
});
