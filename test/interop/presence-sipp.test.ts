// The presence engine against SIPp (test/interop/sipp): a notifier that sends its NOTIFY before the 202 with a PIDF
// of 40 tuples and then terminates with reason=probation;retry-after=1; a presence server that answers a PUBLISH
// refresh with 412; and SIPp as a stranger sending a stale NOTIFY (481) and one for an unknown package (489).
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { PresencePublisher } from '../../main/presence/presence-publisher';
import { type PresenceEvent, PresenceWatcher } from '../../main/presence/presence-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../main/presence/subscription-usage';
import { NoNameResolver } from '../../main/ua/next-hop';
import { type Account, UserAgent } from '../../main/ua/user-agent';
import { peersAvailable } from './support/peers';
import { parseMessageLog, runSipp, startSipp } from './support/sipp';
import { sipUri, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const clock = new SystemClock();
const random = new CryptoRandom();
const resolver = new NoNameResolver();
const agents: UserAgent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.shutdown(500);
});

async function engine(
  proxy?: string,
): Promise<{ agent: UserAgent; account: Account; usage: SubscriptionUsage }> {
  const agent = await UserAgent.start({
    sockets: new NodeSocketFactory(),
    clock,
    random,
    resolver,
    bindAddress: '127.0.0.1',
    port: 0,
    protocols: ['udp'],
  });
  agents.push(agent);
  const account = agent.addAccount({
    aor: sipUri('sip:alice@example.test'),
    password: 'secret',
    ...(proxy ? { outboundProxy: sipUri(proxy) } : {}),
    transport: 'udp',
    expires: 600,
  });
  return { agent, account, usage: new SubscriptionUsage(hostOf(agent)) };
}

describe.skipIf(!peers.sipp)('presence engine against SIPp', () => {
  it('uas-subscribe-notify-first: NOTIFY before the 202, 40 tuples merged, probation honoured with retry-after', async () => {
    const uas = await startSipp({ scenario: 'uas-subscribe-notify-first.xml', calls: 2, timeoutSec: 20 });
    const { account, usage } = await engine(uas.uri);
    const made = PresenceWatcher.create(usage, subscriberOf(account), sipUri('sip:bob@example.test'));
    if (!made.ok) throw new Error(made.error.message);
    const watcher = made.value;
    const events: PresenceEvent[] = [];
    watcher.on((event) => events.push(event));
    watcher.start();
    const result = await uas.done();
    expect(result.code, result.errorLog).toBe(0);
    const log = parseMessageLog(result.messageLog);
    const subscribes = log.filter((m) => m.direction === 'received' && m.method === 'SUBSCRIBE');
    expect(subscribes.length).toBeGreaterThanOrEqual(2);
    // The fresh subscription is a new dialog set: a new Call-ID, sent no sooner than retry-after allowed.
    expect(subscribes[1]!.header('Call-ID')).not.toBe(subscribes[0]!.header('Call-ID'));
    const terminated = log.find(
      (m) =>
        m.direction === 'sent' &&
        m.method === 'NOTIFY' &&
        /terminated/.test(m.header('Subscription-State') ?? ''),
    );
    expect(subscribes[1]!.time - terminated!.time).toBeGreaterThanOrEqual(1_000);
    const presence = events.find((e) => e.kind === 'presence');
    expect(presence?.kind === 'presence' && presence.document.tuples).toHaveLength(40);
    expect(presence?.kind === 'presence' && presence.presence).toMatchObject({
      availability: 'away',
      note: { text: 'many devices' },
      contact: 'sip:bob@192.0.2.40',
    });
    // The NOTIFY came first, and still only one dialog was made with the 202's (same) To tag.
    expect(
      events.filter((e) => e.kind === 'subscription').map((e) => e.kind === 'subscription' && e.state.name),
    ).toContain('active');
    await watcher.subscription.unsubscribe(500);
  }, 30_000);

  it('uas-publish-412: a refresh answered 412 becomes a fresh initial PUBLISH with the body', async () => {
    const uas = await startSipp({ scenario: 'uas-publish-412.xml', timeoutSec: 15 });
    const { agent, account } = await engine(uas.uri);
    const publisher = new PresencePublisher(subscriberOf(account), {
      clock,
      random,
      sender: agent.transactions,
      resolver,
    });
    publisher.setStatus('busy', 'in a meeting');
    const result = await uas.done();
    expect(result.code, result.errorLog).toBe(0);
    await waitFor(
      () => (publisher.publication.etag === 'etag-two' ? true : undefined),
      'the second entity-tag',
    );
    expect(publisher.state).toMatchObject({ name: 'published', etag: 'etag-two', expires: 60 });
    publisher.dispose();
  }, 30_000);

  it('uac-notify-stale: 481 for a NOTIFY that matches no subscription, 489 for a package nobody takes', async () => {
    const { agent, usage } = await engine();
    usage.takePackage('presence');
    const result = await runSipp({
      scenario: 'uac-notify-stale.xml',
      remote: `127.0.0.1:${agent.transport.localPort}`,
      service: 'alice',
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
  }, 20_000);
});
