// Two of our user agents on the LoopbackNetwork, no server: bob's PUBLISH goes to his own domain (his own agent),
// which takes no PUBLISH (405), so his publication is `unsupported` and his PresenceNotifier answers watchers
// itself; alice's PresenceWatcher subscribes to bob's address directly and sees each status he sets.
import { afterEach, describe, expect, it } from 'vitest';
import { PresenceNotifier, answerWatchersWhenUnsupported } from '../../../main/presence/presence-notifier';
import { PresencePublisher } from '../../../main/presence/presence-publisher';
import { type PresenceEvent, PresenceWatcher } from '../../../main/presence/presence-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../../main/presence/subscription-usage';
import { sipUri } from '../../support/subscriber-harness';
import { type UaPair, startUaPair } from '../../support/ua-pair';

let pair: UaPair | undefined;

afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

async function peers() {
  pair = await startUaPair({ seed: 21 });
  const aliceAccount = pair.alice.ua.addAccount({
    aor: sipUri('sip:alice@10.0.0.1'),
    password: 'a',
    transport: 'udp',
    expires: 600,
  });
  const bobAccount = pair.bob.ua.addAccount({
    aor: sipUri('sip:bob@10.0.0.2'),
    password: 'b',
    transport: 'udp',
    expires: 600,
  });
  const bobHost = hostOf(pair.bob.ua);
  const publisher = new PresencePublisher(subscriberOf(bobAccount), bobHost);
  const notifier = new PresenceNotifier(bobHost, subscriberOf(bobAccount), publisher);
  answerWatchersWhenUnsupported(publisher, notifier);
  const usage = new SubscriptionUsage(hostOf(pair.alice.ua));
  const made = PresenceWatcher.create(usage, subscriberOf(aliceAccount), sipUri('sip:bob@10.0.0.2'));
  if (!made.ok) throw new Error(made.error.message);
  const watcher = made.value;
  const events: PresenceEvent[] = [];
  watcher.on((event) => events.push(event));
  return { pair, publisher, notifier, watcher, events };
}

const statuses = (events: PresenceEvent[]) =>
  events.flatMap((e) =>
    e.kind === 'presence' ? [`${e.presence.availability} ${e.presence.note?.text ?? ''}`.trim()] : [],
  );

describe('peer-to-peer presence between two of our agents', () => {
  it('a server without PUBLISH starts the notifier; the watcher sees each status change directly', async () => {
    const { pair, publisher, notifier, watcher, events } = await peers();
    publisher.setStatus('away', 'back at 3 ☕');
    await pair.settle();
    expect(publisher.state).toMatchObject({ name: 'unsupported', status: 405 });
    expect(notifier.running).toBe(true);
    watcher.start();
    await pair.settle();
    expect(watcher.subscription.state.name).toBe('active');
    expect(statuses(events)).toEqual(['away back at 3 ☕']);
    expect(notifier.watchers.map((w) => w.uri)).toEqual(['sip:alice@10.0.0.1']);
    publisher.setStatus('busy');
    await pair.settle();
    publisher.setStatus('available', 'free');
    await pair.settle();
    expect(statuses(events)).toEqual(['away back at 3 ☕', 'busy', 'available free']);
  });

  it('the watcher refreshes before expiry and the notifier keeps it; unsubscribing ends it on both sides', async () => {
    const { pair, publisher, notifier, watcher, events } = await peers();
    publisher.setStatus('available');
    await pair.settle();
    watcher.start();
    await pair.settle();
    // 3,600 s granted: the refresh at 90 % keeps the subscription past the first hour.
    await pair.pass(3_700_000);
    expect(watcher.subscription.state.name).toBe('active');
    expect(notifier.watchers).toHaveLength(1);
    expect(notifier.watchers[0]!.expiresInMs).toBeGreaterThan(3_000_000);
    const before = statuses(events).length;
    expect(before).toBeGreaterThanOrEqual(2);
    const ended = watcher.subscription.unsubscribe();
    await pair.settle();
    await ended;
    expect(watcher.subscription.state).toMatchObject({ name: 'terminated', reason: 'unsubscribed' });
    expect(notifier.watchers).toEqual([]);
  });

  it('when bob stops answering, alice is told deactivated, sees him offline and tries again', async () => {
    const { pair, publisher, notifier, watcher, events } = await peers();
    publisher.setStatus('available');
    await pair.settle();
    watcher.start();
    await pair.settle();
    const stopped = notifier.stop();
    await pair.settle();
    await stopped;
    expect(statuses(events).at(-1)).toBe('offline');
    // deactivated: a fresh SUBSCRIBE at once, which bob's agent now answers 489 (nobody takes presence there).
    expect(watcher.subscription.state).toMatchObject({ name: 'terminated', reason: 'bad-event' });
  });
});
