// Resource lists (RFC 4662) through Kamailio's rls module (test/interop/kamailio/rls.cfg): bob, carol and dave
// publish their presence; alice subscribes once to her list sip:friends@example.test, defined for her in an RFC 4826
// rls-services document, and Kamailio's list server subscribes to each member and sends her multipart/related
// NOTIFYs. Our ResourceListWatcher must give three statuses from that one subscription, then a change of one.
import { afterEach, describe, expect, it } from 'vitest';
import { PresencePublisher } from '../../main/presence/presence-publisher';
import { type ResourceListEvent, ResourceListWatcher } from '../../main/presence/resource-list-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../main/presence/subscription-usage';
import { UserAgent } from '../../main/ua/user-agent';
import { type RlsServer, startRlsServer } from './support/kamailio-rls';
import { peersAvailable } from './support/peers';
import { sipUri, startLoopbackAgent, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const agents: UserAgent[] = [];
let server: RlsServer | undefined;

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.shutdown(500);
  await server?.stop();
  server = undefined;
});

/** The latest status of each buddy the watcher reported. */
function latest(events: readonly ResourceListEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const event of events)
    if (event.kind === 'presence')
      out.set(
        event.uri,
        `${event.presence.availability}${event.presence.note ? ` (${event.presence.note.text})` : ''}`,
      );
  return out;
}

describe.skipIf(!peers.kamailio)('resource lists through Kamailio rls', () => {
  it("one list subscription gives the three buddies' statuses, then a change of one of them", async () => {
    server = await startRlsServer({
      lists: [
        {
          owner: 'alice',
          uri: 'sip:friends@example.test',
          members: ['sip:bob@example.test', 'sip:carol@example.test', 'sip:dave@example.test'],
        },
      ],
    });
    const agent = await startLoopbackAgent();
    agents.push(agent);
    const proxy = sipUri(server.proxyUri);
    const account = (user: string) =>
      agent.addAccount({
        aor: sipUri(`sip:${user}@example.test`),
        password: 'unused',
        outboundProxy: proxy,
        transport: 'udp',
        expires: 600,
      });
    const publishers = new Map<string, PresencePublisher>();
    for (const [user, status, note] of [
      ['bob', 'available', undefined],
      ['carol', 'away', 'lunch ☕'],
      ['dave', 'busy', undefined],
    ] as const) {
      const publisher = new PresencePublisher(subscriberOf(account(user)), hostOf(agent));
      publisher.setStatus(status, note);
      publishers.set(user, publisher);
    }
    await waitFor(
      () => ([...publishers.values()].every((p) => p.state.name === 'published') ? true : undefined),
      'three publications',
    );

    const usage = new SubscriptionUsage(hostOf(agent));
    const made = ResourceListWatcher.create(
      usage,
      subscriberOf(account('alice')),
      sipUri('sip:friends@example.test'),
    );
    if (!made.ok) throw new Error(made.error.message);
    const watcher = made.value;
    const events: ResourceListEvent[] = [];
    watcher.on((event) => events.push(event));
    watcher.start();
    const expected = new Map([
      ['sip:bob@example.test', 'available'],
      ['sip:carol@example.test', 'away (lunch ☕)'],
      ['sip:dave@example.test', 'busy'],
    ]);
    await waitFor(() => (latest(events).size === 3 ? true : undefined), 'three statuses', 15_000).catch(
      async (error: unknown) => {
        throw new Error(
          `${String(error)}; events ${JSON.stringify(events).slice(0, 1500)}\n${await server!.readLog()}`,
        );
      },
    );
    expect(latest(events)).toEqual(expected);
    // One subscription for the whole list, held as a list (RLMI with the three resources).
    expect(usage.size).toBe(1);
    expect(watcher.subscription.state.name).toBe('active');
    expect(watcher.resources).toEqual([...expected.keys()]);

    publishers.get('dave')!.setStatus('available', 'back');
    await waitFor(
      () => (latest(events).get('sip:dave@example.test') === 'available (back)' ? true : undefined),
      "dave's change",
      15_000,
    );
    expect(latest(events).get('sip:bob@example.test')).toBe('available');
    await watcher.subscription.unsubscribe(2_000);
    for (const publisher of publishers.values()) publisher.dispose();
  }, 60_000);
});
