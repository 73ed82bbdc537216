// Resource lists (RFC 4662) against SIPp as the list server (test/interop/sipp/uas-subscribe-rlmi.xml): one
// SUBSCRIBE with Supported: eventlist, a full-state NOTIFY whose multipart/related body carries the RLMI and three
// PIDF parts, then a partial one. Our ResourceListWatcher must give the three buddies' statuses from that one
// subscription, then dave's change alone.
import { afterEach, describe, expect, it } from 'vitest';
import { type ResourceListEvent, ResourceListWatcher } from '../../main/presence/resource-list-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../main/presence/subscription-usage';
import { UserAgent } from '../../main/ua/user-agent';
import { peersAvailable } from './support/peers';
import { parseMessageLog, startSipp } from './support/sipp';
import { sipUri, startLoopbackAgent, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const agents: UserAgent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.shutdown(500);
});

const statuses = (events: readonly ResourceListEvent[]): string[] =>
  events.flatMap((e) =>
    e.kind === 'presence'
      ? [`${e.uri} ${e.presence.availability}${e.presence.note ? ` (${e.presence.note.text})` : ''}`]
      : [],
  );

describe.skipIf(!peers.sipp)('resource lists against SIPp as the list server', () => {
  it('uas-subscribe-rlmi: one subscription, a multipart/related RLMI NOTIFY → three statuses, then a partial one', async () => {
    const server = await startSipp({ scenario: 'uas-subscribe-rlmi.xml', timeoutSec: 20 });
    const agent = await startLoopbackAgent();
    agents.push(agent);
    const account = agent.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'secret',
      outboundProxy: sipUri(server.uri),
      transport: 'udp',
      expires: 600,
    });
    const usage = new SubscriptionUsage(hostOf(agent));
    const made = ResourceListWatcher.create(usage, subscriberOf(account), sipUri('sip:friends@example.test'));
    if (!made.ok) throw new Error(made.error.message);
    const watcher = made.value;
    const events: ResourceListEvent[] = [];
    watcher.on((event) => events.push(event));
    watcher.start();
    await waitFor(() => (statuses(events).length >= 4 ? true : undefined), 'four statuses');
    expect(statuses(events)).toEqual([
      'sip:bob@example.test available',
      'sip:carol@example.test away (lunch)',
      'sip:dave@example.test offline',
      'sip:dave@example.test busy',
    ]);
    expect(watcher.resources).toEqual([
      'sip:bob@example.test',
      'sip:carol@example.test',
      'sip:dave@example.test',
    ]);
    expect(watcher.version).toBe(1);
    await watcher.subscription.unsubscribe(2_000);
    const result = await server.done();
    expect(result.code, result.errorLog).toBe(0);
    const log = parseMessageLog(result.messageLog);
    // One SUBSCRIBE made the list subscription (the other ended it): no per-buddy subscriptions.
    const subscribes = log.filter((m) => m.direction === 'received' && m.method === 'SUBSCRIBE');
    expect(subscribes).toHaveLength(2);
    expect(subscribes[0]!.header('Call-ID')).toBe(subscribes[1]!.header('Call-ID'));
  }, 30_000);
});
