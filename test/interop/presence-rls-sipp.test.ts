// Resource lists (RFC 4662) against SIPp as the list server (test/interop/sipp/uas-subscribe-rlmi.xml): one
// SUBSCRIBE with Supported: eventlist, a full-state NOTIFY whose multipart/related body carries the RLMI and three
// PIDF parts, then a partial one. Our ResourceListWatcher must give the three buddies' statuses from that one
// subscription, then dave's change alone.
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { type ResourceListEvent, ResourceListWatcher } from '../../main/presence/resource-list-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../main/presence/subscription-usage';
import { type SipUri, parseUri } from '../../main/sip/message/uri';
import { NoNameResolver } from '../../main/ua/next-hop';
import { UserAgent } from '../../main/ua/user-agent';
import { peersAvailable } from './support/peers';
import { parseMessageLog, startSipp } from './support/sipp';

const peers = peersAvailable();
const agents: UserAgent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.shutdown(500);
});

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      const value = probe();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

const statuses = (events: readonly ResourceListEvent[]): string[] =>
  events.flatMap((e) =>
    e.kind === 'presence'
      ? [`${e.uri} ${e.presence.availability}${e.presence.note ? ` (${e.presence.note.text})` : ''}`]
      : [],
  );

describe.skipIf(!peers.sipp)('resource lists against SIPp as the list server', () => {
  it('uas-subscribe-rlmi: one subscription, a multipart/related RLMI NOTIFY → three statuses, then a partial one', async () => {
    const server = await startSipp({ scenario: 'uas-subscribe-rlmi.xml', timeoutSec: 20 });
    const agent = await UserAgent.start({
      sockets: new NodeSocketFactory(),
      clock: new SystemClock(),
      random: new CryptoRandom(),
      resolver: new NoNameResolver(),
      bindAddress: '127.0.0.1',
      port: 0,
      protocols: ['udp'],
    });
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
