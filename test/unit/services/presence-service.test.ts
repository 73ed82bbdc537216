// PresenceService inside the real engine (store, account service, user agents) on the loopback network and a manual
// clock, against a small presence server (test/support/presence-server.ts): buddies from a fake watch list, our own
// status per account with the automatic on-the-phone and away, recovery, teardown, and who watches us.
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AccountDto,
  BuddyPresenceDto,
  OwnPresenceDto,
  Result,
  WatcherDto,
} from '../../../main/contract/contract';
import type { IdleSource } from '../../../main/platform/idle-source';
import { type Engine, type EngineOptions, createEngine } from '../../../main/services/engine';
import type { EventHub } from '../../../main/services/event-hub';
import type { WatchList, WatchedContact } from '../../../main/services/presence-service';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { call } from '../../support/fake-engine';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { type PresenceEvent, PresenceWatcher } from '../../../main/presence/presence-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../../../main/presence/subscription-usage';
import { isSipUri } from '../../../main/sip/message/uri';
import { UserAgent } from '../../../main/ua/user-agent';
import { PresenceServer } from '../../support/presence-server';
import { sipUri } from '../../support/subscriber-harness';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { type RecordedEvent, input, newDataDir, plainCipher, removeDataDirs } from './engine-harness';
import { FakeCallEngine } from './fake-call-engine';

const SERVER = '10.0.0.1';

class FakeWatchList implements WatchList {
  contacts: WatchedContact[] = [];
  watched(): readonly WatchedContact[] {
    return this.contacts;
  }
}

class FakeIdle implements IdleSource {
  seconds = 0;
  idleSeconds(): number {
    return this.seconds;
  }
}

interface Party {
  readonly engine: Engine;
  readonly events: RecordedEvent[];
  readonly watchList: FakeWatchList;
  readonly calls: FakeCallEngine;
  readonly idle: FakeIdle;
  readonly dataDir: string;
  command<T>(name: string, ...args: unknown[]): Promise<T>;
  /** Tells the engine the watch list changed, as ContactService does with `contacts.changed`. */
  contactsChanged(): void;
  buddies(): Promise<BuddyPresenceDto[]>;
  own(): Promise<OwnPresenceDto[]>;
}

interface World {
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  readonly server: PresenceServer;
  run(ms?: number): Promise<void>;
  party(user: string, local: string, options?: Partial<EngineOptions> & { dataDir?: string }): Promise<Party>;
}

const worlds: Array<{ parties: Party[]; world: World }> = [];

afterEach(async () => {
  for (const { parties, world } of worlds.splice(0)) {
    for (const party of parties) {
      const done = party.engine.shutdown(1_000);
      for (let i = 0; i < 20; i++) await world.run(100);
      await done;
    }
    world.server.close();
  }
  removeDataDirs();
});

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

async function world(): Promise<World> {
  const clock = new ManualClock();
  const random = new SeededRandom(3);
  const network = new LoopbackNetwork({ clock, random });
  const server = await PresenceServer.start(network, SERVER);
  const parties: Party[] = [];
  const run = async (ms = 0) => {
    if (ms > 0) clock.advance(ms);
    await settle(clock);
  };
  const made: World = {
    clock,
    network,
    server,
    run,
    async party(user, local, options = {}) {
      const watchList = new FakeWatchList();
      const calls = new FakeCallEngine();
      const idle = new FakeIdle();
      const dataDir = options.dataDir ?? newDataDir();
      const engine = await createEngine({
        dataDir,
        secrets: plainCipher,
        host: 'web',
        sockets: network,
        clock,
        random,
        resolver: new NoNameResolver(),
        localAddressFor: () => Promise.resolve(local),
        unregisterTimeoutMs: 1_000,
        watchList,
        calls,
        idle,
        ...options,
      });
      const events: RecordedEvent[] = [];
      engine.events.subscribe((name, payload) => events.push({ name, payload } as RecordedEvent));
      const command = async <T>(name: string, ...args: unknown[]): Promise<T> => {
        const pending = engine.router.dispatch(name, args);
        await run();
        return valueOf<T>(await pending);
      };
      const party: Party = {
        engine,
        events,
        watchList,
        calls,
        idle,
        dataDir,
        command,
        contactsChanged: () =>
          (engine.events as EventHub).emit('contacts.changed', { upserted: [], deleted: [] }),
        buddies: () => command<BuddyPresenceDto[]>('presence.buddies'),
        own: () => command<OwnPresenceDto[]>('presence.own'),
      };
      parties.push(party);
      return party;
    },
  };
  worlds.push({ parties, world: made });
  return made;
}

async function account(party: Party, w: World, user: string): Promise<AccountDto> {
  const created = await party.command<AccountDto>(
    'accounts.create',
    input({ aor: `sip:${user}@example.test`, outboundProxy: `sip:${SERVER}:5060` }),
  );
  await w.run(100);
  return created;
}

function eventsNamed<N extends RecordedEvent['name']>(party: Party, name: N) {
  return party.events.flatMap((event) =>
    event.name === name ? [event.payload as Extract<RecordedEvent, { name: N }>['payload']] : [],
  );
}

const bodyOf = (text: string | undefined): string => text ?? '';

describe('PresenceService: buddies', () => {
  it('watches each contact on its account once registered, and shows what the buddy publishes', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const bob = await w.party('bob', '10.0.0.3');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    alice.contactsChanged();
    expect(await alice.buddies()).toMatchObject([
      { contactId: 'c-bob', subscription: 'stopped', accountId: '' },
    ]);

    const aliceAccount = await account(alice, w, 'alice');
    await account(bob, w, 'bob');
    await w.run(100);
    expect(w.server.watchersOf('bob')).toHaveLength(1);
    const note = 'Zurück um 15 Uhr — בקרוב 🙂 <b>&';
    await bob.command('presence.setStatus', { accountId: null, status: 'away', note });
    await w.run(100);

    const [buddy] = await alice.buddies();
    expect(buddy).toMatchObject({
      contactId: 'c-bob',
      accountId: aliceAccount.id,
      availability: 'away',
      note,
      subscription: 'active',
    });
    expect(buddy?.changedAt).toBeGreaterThan(0);
    expect(buddy?.changedAt).toBeLessThanOrEqual(w.clock.wallTime());
    expect(eventsNamed(alice, 'buddy.changed').at(-1)).toEqual(buddy);
  });

  it('says unknown until the buddy publishes, and on-the-phone for a buddy in a call', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const bob = await w.party('bob', '10.0.0.3');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    await account(alice, w, 'alice');
    alice.contactsChanged();
    await w.run(100);
    // Bob has published nothing yet: the NOTIFY has no body, nothing is known.
    expect((await alice.buddies())[0]).toMatchObject({ availability: 'unknown', subscription: 'active' });
    const bobAccount = await account(bob, w, 'bob');
    await w.run(100);
    expect((await alice.buddies())[0]).toMatchObject({ availability: 'available' });
    bob.calls.change(call({ id: 'call-1', accountId: bobAccount.id, state: 'connected' }));
    await w.run(100);
    expect((await alice.buddies())[0]).toMatchObject({
      availability: 'on-the-phone',
      activities: ['on-the-phone'],
    });
  });

  it('starts many subscriptions in batches, not all in one tick', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await account(alice, w, 'alice');
    alice.watchList.contacts = Array.from({ length: 100 }, (_, i) => ({
      contactId: `c${i}`,
      uri: `sip:user${i}@example.test`,
      accountId: null,
    }));
    alice.contactsChanged();
    await w.run(0);
    await w.run(0);
    const first = w.server.requests('SUBSCRIBE', 'presence').length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(20);
    for (let i = 0; i < 10; i++) await w.run(50);
    expect(w.server.requests('SUBSCRIBE', 'presence')).toHaveLength(100);
    expect((await alice.buddies()).every((buddy) => buddy.subscription === 'active')).toBe(true);
  });

  it('unsubscribes a contact that is no longer watched, and moves one whose account changes', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const first = await account(alice, w, 'alice');
    const second = await account(alice, w, 'alice2');
    alice.watchList.contacts = [
      { contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null },
      { contactId: 'c-carol', uri: 'sip:carol@example.test', accountId: first.id },
    ];
    alice.contactsChanged();
    await w.run(100);
    expect(w.server.watchersOf('bob')).toHaveLength(1);
    expect(w.server.watchersOf('carol')).toHaveLength(1);

    alice.watchList.contacts = [
      { contactId: 'c-carol', uri: 'sip:carol@example.test', accountId: second.id },
    ];
    alice.contactsChanged();
    await w.run(100);
    expect(eventsNamed(alice, 'buddy.removed')).toEqual([{ contactId: 'c-bob' }]);
    expect(w.server.watchersOf('bob')).toHaveLength(0);
    const carol = w.server.watchersOf('carol');
    expect(carol.map((s) => s.watcher)).toEqual(['sip:alice2@example.test']);
    expect(await alice.buddies()).toMatchObject([
      { contactId: 'c-carol', accountId: second.id, subscription: 'active' },
    ]);
  });

  it('watches a contact without an account through the first enabled, registering account, in the person’s order', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const first = await account(alice, w, 'alice');
    const second = await account(alice, w, 'alice2');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    alice.contactsChanged();
    await w.run(100);
    expect(w.server.watchersOf('bob').map((s) => s.watcher)).toEqual(['sip:alice@example.test']);
    await alice.command('accounts.reorder', [second.id, first.id]);
    await w.run(100);
    expect(w.server.watchersOf('bob').map((s) => s.watcher)).toEqual(['sip:alice2@example.test']);
    expect(await alice.buddies()).toMatchObject([{ accountId: second.id, subscription: 'active' }]);
  });

  it('an account that never registers watches once enabled, and publishes nothing', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    const trunk = await alice.command<AccountDto>(
      'accounts.create',
      input({ aor: 'sip:trunk@example.test', outboundProxy: `sip:${SERVER}:5060`, register: false }),
    );
    await w.run(100);
    expect(w.server.requests('REGISTER')).toHaveLength(0);
    expect(w.server.watchersOf('bob').map((s) => s.watcher)).toEqual(['sip:trunk@example.test']);
    expect(w.server.requests('PUBLISH')).toHaveLength(0);
    expect(w.server.requests('SUBSCRIBE', 'presence.winfo')).toHaveLength(0);
    expect(await alice.own()).toMatchObject([{ accountId: trunk.id, publication: 'off' }]);
  });

  it('shows a buddy whose server refuses us as refused and unknown, without asking again', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await account(alice, w, 'alice');
    w.server.refused.add('dave');
    alice.watchList.contacts = [{ contactId: 'c-dave', uri: 'sip:dave@example.test', accountId: null }];
    alice.contactsChanged();
    await w.run(100);
    expect(await alice.buddies()).toMatchObject([
      { contactId: 'c-dave', subscription: 'refused', availability: 'unknown' },
    ]);
    await w.run(600_000);
    expect(w.server.requests('SUBSCRIBE', 'presence')).toHaveLength(1);
  });

  it('keeps the subscription of a contact whose address is written unusually when the list is read again', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await account(alice, w, 'alice');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'SIP:bob@example.test', accountId: null }];
    alice.contactsChanged();
    await w.run(100);
    alice.contactsChanged();
    alice.contactsChanged();
    await w.run(100);
    expect(w.server.requests('SUBSCRIBE', 'presence')).toHaveLength(1);
    expect(await alice.buddies()).toMatchObject([{ uri: 'SIP:bob@example.test', subscription: 'active' }]);
  });

  it('refuses a contact address that is not a SIP URI without subscribing', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await account(alice, w, 'alice');
    alice.watchList.contacts = [{ contactId: 'c-bad', uri: 'tel:+441234', accountId: null }];
    alice.contactsChanged();
    await w.run(100);
    expect(await alice.buddies()).toMatchObject([{ contactId: 'c-bad', subscription: 'refused' }]);
    expect(w.server.requests('SUBSCRIBE', 'presence')).toHaveLength(0);
  });
});

describe('PresenceService: own status', () => {
  it('publishes the chosen status and note, keeps it per account across a restart', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const created = await account(alice, w, 'alice');
    expect(w.server.documents.get('alice')).toContain('<basic>open</basic>');
    const own = await alice.command<OwnPresenceDto[]>('presence.setStatus', {
      accountId: created.id,
      status: 'busy',
      note: '  in a meeting  ',
    });
    expect(own).toEqual([
      {
        accountId: created.id,
        status: 'busy',
        note: 'in a meeting',
        published: 'busy',
        automatic: null,
        publication: 'published',
        detail: null,
      },
    ]);
    await w.run(100);
    expect(w.server.documents.get('alice')).toContain('<rpid:busy/>');
    expect(w.server.documents.get('alice')).toContain('in a meeting');
    expect(eventsNamed(alice, 'presence.changed').at(-1)).toMatchObject({
      status: 'busy',
      publication: 'published',
    });

    // A second engine on the same data folder publishes the same status from the start.
    const done = alice.engine.shutdown(1_000);
    for (let i = 0; i < 20; i++) await w.run(100);
    await done;
    expect(w.server.documents.has('alice')).toBe(false);
    const again = await w.party('alice', '10.0.0.2', { dataDir: alice.dataDir });
    await w.run(100);
    expect(await again.own()).toMatchObject([
      { status: 'busy', note: 'in a meeting', publication: 'published' },
    ]);
    expect(w.server.documents.get('alice')).toContain('<rpid:busy/>');
  });

  it('refuses an unknown account and sets every account with null', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await account(alice, w, 'alice');
    await account(alice, w, 'alice2');
    const result = await alice.engine.router.dispatch('presence.setStatus', [
      { accountId: 'nope', status: 'away', note: null },
    ]);
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const own = await alice.command<OwnPresenceDto[]>('presence.setStatus', {
      accountId: null,
      status: 'dnd',
      note: null,
    });
    expect(own.map((o) => o.status)).toEqual(['dnd', 'dnd']);
    await w.run(100);
    expect(w.server.documents.get('alice2')).toContain('do-not-disturb');
  });

  it('publishes on-the-phone during a call when available, and the chosen status again after it', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const created = await account(alice, w, 'alice');
    alice.calls.change(call({ id: 'k1', accountId: created.id, state: 'incoming' }));
    await w.run(100);
    expect(w.server.documents.get('alice')).not.toContain('on-the-phone');
    alice.calls.change(call({ id: 'k1', accountId: created.id, state: 'connected' }));
    await w.run(100);
    expect(w.server.documents.get('alice')).toContain('<rpid:on-the-phone/>');
    expect(await alice.own()).toMatchObject([
      { status: 'available', published: 'on-the-phone', automatic: 'call' },
    ]);
    alice.calls.change(call({ id: 'k1', accountId: created.id, state: 'ended' }));
    await w.run(100);
    expect(w.server.documents.get('alice')).not.toContain('on-the-phone');
    expect(await alice.own()).toMatchObject([{ published: 'available', automatic: null }]);

    // A chosen busy stays busy during a call.
    await alice.command('presence.setStatus', { accountId: null, status: 'busy', note: null });
    alice.calls.change(call({ id: 'k2', accountId: created.id, state: 'connected' }));
    await w.run(100);
    expect(w.server.documents.get('alice')).toContain('<rpid:busy/>');
    expect(w.server.documents.get('alice')).not.toContain('on-the-phone');
  });

  it('publishes away after the idle minutes without input, and available again on input', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await alice.command('settings.update', { idleAwayMinutes: 2 });
    await account(alice, w, 'alice');
    alice.idle.seconds = 119;
    await w.run(5_000);
    expect(w.server.documents.get('alice')).not.toContain('<rpid:away/>');
    alice.idle.seconds = 120;
    await w.run(5_000);
    expect(w.server.documents.get('alice')).toContain('<rpid:away/>');
    expect(await alice.own()).toMatchObject([{ status: 'available', published: 'away', automatic: 'idle' }]);
    alice.idle.seconds = 1;
    await w.run(5_000);
    expect(w.server.documents.get('alice')).not.toContain('<rpid:away/>');
    expect(await alice.own()).toMatchObject([{ published: 'available', automatic: null }]);
  });

  it('never goes away by itself with idleAwayMinutes 0', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await alice.command('settings.update', { idleAwayMinutes: 0 });
    await account(alice, w, 'alice');
    alice.idle.seconds = 100_000;
    await w.run(10_000);
    expect(await alice.own()).toMatchObject([{ published: 'available', automatic: null }]);
  });

  it('appear offline publishes closed, without the note', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    await account(alice, w, 'alice');
    await alice.command('presence.setStatus', { accountId: null, status: 'offline', note: 'secret' });
    await w.run(100);
    const document = bodyOf(w.server.documents.get('alice'));
    expect(document).toContain('<basic>closed</basic>');
    expect(document).not.toContain('secret');
  });
});

describe('PresenceService: lifecycle', () => {
  it('subscribes and publishes afresh when the account registers again after a failure', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const bob = await w.party('bob', '10.0.0.3');
    await account(bob, w, 'bob');
    await bob.command('presence.setStatus', { accountId: null, status: 'away', note: 'x' });
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    await account(alice, w, 'alice');
    alice.contactsChanged();
    await w.run(100);
    expect((await alice.buddies())[0]).toMatchObject({ availability: 'away', subscription: 'active' });
    const subscribes = w.server.requests('SUBSCRIBE', 'presence').length;

    // The server restarts and loses every subscription and publication; alice's next registration fails once.
    w.server.restart();
    w.server.registerStatus = 503;
    const aliceId = (await alice.command<AccountDto[]>('accounts.list'))[0]!.id;
    await alice.command('accounts.registerNow', aliceId);
    await w.run(1_000);
    expect(eventsNamed(alice, 'registration.changed').at(-1)?.state).toBe('failed');
    w.server.registerStatus = undefined;
    for (let i = 0; i < 120 && eventsNamed(alice, 'registration.changed').at(-1)?.state !== 'registered'; i++)
      await w.run(1_000);
    await w.run(500);
    expect(w.server.requests('SUBSCRIBE', 'presence').length).toBeGreaterThan(subscribes);
    expect(w.server.documents.get('alice')).toBeDefined();
    expect(w.server.watchersOf('bob')).toHaveLength(1);
    // Bob publishes again too once he registers again; here he just changes his status.
    await bob.command('presence.setStatus', { accountId: null, status: 'busy', note: null });
    await w.run(100);
    expect((await alice.buddies())[0]).toMatchObject({ availability: 'busy', subscription: 'active' });
  });

  it('unsubscribes everything and removes the publication when the account is disabled, and leaks nothing over churn', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    alice.watchList.contacts = Array.from({ length: 5 }, (_, i) => ({
      contactId: `c${i}`,
      uri: `sip:user${i}@example.test`,
      accountId: null,
    }));
    const created = await account(alice, w, 'alice');
    alice.contactsChanged();
    await w.run(100);
    expect(w.server.subscriptions.size).toBe(6); // five buddies and our watcher information
    for (let round = 0; round < 5; round++) {
      await alice.command('accounts.setEnabled', created.id, false);
      await w.run(100);
      expect(w.server.subscriptions.size).toBe(0);
      expect(w.server.documents.has('alice')).toBe(false);
      expect((await alice.buddies()).every((buddy) => buddy.subscription === 'stopped')).toBe(true);
      expect(await alice.own()).toMatchObject([{ publication: 'off' }]);
      await alice.command('accounts.setEnabled', created.id, true);
      await w.run(200);
      expect(w.server.subscriptions.size).toBe(6);
    }
    const unsubscribes = w.server.requests('SUBSCRIBE', 'presence').filter((r) => r.expires === 0);
    expect(unsubscribes).toHaveLength(25);
    await alice.command('accounts.delete', created.id);
    await w.run(100);
    expect(w.server.subscriptions.size).toBe(0);
    expect((await alice.buddies()).every((buddy) => buddy.subscription === 'stopped')).toBe(true);
    expect(await alice.own()).toEqual([]);
  });

  it('on shutdown unsubscribes and removes the publication before the account unregisters', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    await account(alice, w, 'alice');
    alice.contactsChanged();
    await w.run(100);
    const from = w.server.received.length;
    const done = alice.engine.shutdown(2_000);
    for (let i = 0; i < 30; i++) await w.run(100);
    await done;
    const after = w.server.received
      .slice(from)
      .map((r) => `${r.method} ${r.event?.event ?? ''} ${r.expires}`);
    const unregister = after.indexOf('REGISTER  0');
    expect(unregister).toBeGreaterThan(0);
    expect(after.indexOf('SUBSCRIBE presence 0')).toBeLessThan(unregister);
    expect(after.indexOf('SUBSCRIBE presence.winfo 0')).toBeLessThan(unregister);
    expect(after.indexOf('PUBLISH presence 0')).toBeLessThan(unregister);
    expect(after.indexOf('SUBSCRIBE presence 0')).toBeGreaterThanOrEqual(0);
  });
});

describe('PresenceService: watchers', () => {
  it('lists who watches us with first-seen times, new until seen, and remembers them across a restart', async () => {
    const w = await world();
    const alice = await w.party('alice', '10.0.0.2');
    const bob = await w.party('bob', '10.0.0.3');
    const bobAccount = await account(bob, w, 'bob');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    await account(alice, w, 'alice');
    alice.contactsChanged();
    await w.run(100);
    const listed = await bob.command<WatcherDto[]>('presence.watchers');
    expect(listed).toEqual([
      {
        accountId: bobAccount.id,
        uri: 'sip:alice@example.test',
        displayName: null,
        status: 'active',
        firstSeenAt: expect.any(Number) as number,
        isNew: true,
      },
    ]);
    expect(eventsNamed(bob, 'watchers.changed').at(-1)).toEqual(listed);
    await bob.command('presence.watchersSeen');
    expect(eventsNamed(bob, 'watchers.changed').at(-1)).toMatchObject([{ isNew: false }]);

    const done = bob.engine.shutdown(1_000);
    for (let i = 0; i < 20; i++) await w.run(100);
    await done;
    const again = await w.party('bob', '10.0.0.3', { dataDir: bob.dataDir });
    await w.run(200);
    const relisted = await again.command<WatcherDto[]>('presence.watchers');
    expect(relisted).toMatchObject([
      { uri: 'sip:alice@example.test', isNew: false, firstSeenAt: listed[0]!.firstSeenAt },
    ]);
  });
});

/** A plain user agent (carol, at 10.0.0.9) that subscribes straight to a party's registered Contact. */
async function directWatcher(w: World, target: string) {
  const ua = await UserAgent.start({
    sockets: w.network,
    clock: w.clock,
    random: new SeededRandom(41),
    bindAddress: '10.0.0.9',
    port: 5060,
    protocols: ['udp'],
  });
  const carol = ua.addAccount({
    aor: sipUri('sip:carol@10.0.0.9'),
    password: 'c',
    transport: 'udp',
    expires: 600,
  });
  const usage = new SubscriptionUsage(hostOf(ua));
  const made = PresenceWatcher.create(usage, subscriberOf(carol), sipUri(target));
  if (!made.ok) throw new Error(made.error.message);
  const events: PresenceEvent[] = [];
  made.value.on((event) => events.push(event));
  return {
    ua,
    watcher: made.value,
    events,
    statuses: () =>
      events.flatMap((e) =>
        e.kind === 'presence'
          ? [
              `${e.presence.availability}${e.presence.onThePhone ? ' (phone)' : ''} ${e.presence.note?.text ?? ''}`.trim(),
            ]
          : [],
      ),
  };
}

/** Where `user`'s engine registered (its Contact, without parameters): a peer-to-peer watcher subscribes there. */
function registeredContact(w: World, user: string): string {
  const register = w.server.requests('REGISTER').find((request) => {
    const from = request.from.uri;
    return isSipUri(from) && from.user === user;
  });
  const contact = register?.contact[0]?.uri;
  if (!contact || !isSipUri(contact)) throw new Error(`no REGISTER from ${user}`);
  return `sip:${contact.user ?? user}@${contact.host}:${contact.port ?? 5060}`;
}

describe('PresenceService: peer-to-peer mode', () => {
  it('answers watchers itself when the server takes no PUBLISH, with every status change, and ends them on disable', async () => {
    const w = await world();
    w.server.publishStatus = 489;
    const alice = await w.party('alice', '10.0.0.2');
    const created = await account(alice, w, 'alice');
    await w.run(100);
    expect(await alice.own()).toMatchObject([{ publication: 'peer-to-peer', published: 'available' }]);
    expect(eventsNamed(alice, 'presence.changed').at(-1)).toMatchObject({ publication: 'peer-to-peer' });
    expect((await alice.own())[0]?.detail).toContain('489');

    const carol = await directWatcher(w, registeredContact(w, 'alice'));
    carol.watcher.start();
    await w.run(100);
    expect(carol.watcher.subscription.state.name).toBe('active');
    expect(carol.statuses()).toEqual(['available']);
    expect(await alice.command<WatcherDto[]>('presence.watchers')).toEqual([
      {
        accountId: created.id,
        uri: 'sip:carol@10.0.0.9',
        displayName: null,
        status: 'active',
        firstSeenAt: expect.any(Number) as number,
        isNew: true,
      },
    ]);
    expect(eventsNamed(alice, 'watchers.changed').at(-1)).toMatchObject([{ uri: 'sip:carol@10.0.0.9' }]);

    // Chosen, on the phone, idle away, appear offline: each reaches carol as a NOTIFY.
    await alice.command('presence.setStatus', { accountId: null, status: 'busy', note: 'écrit 🙂' });
    await w.run(100);
    await alice.command('presence.setStatus', { accountId: null, status: 'available', note: null });
    await w.run(100);
    alice.calls.change(call({ id: 'k1', accountId: created.id, state: 'connected' }));
    await w.run(100);
    alice.calls.change(call({ id: 'k1', accountId: created.id, state: 'ended' }));
    await w.run(100);
    alice.idle.seconds = 3_600;
    await w.run(5_000);
    alice.idle.seconds = 0;
    await w.run(5_000);
    await alice.command('presence.setStatus', { accountId: null, status: 'offline', note: null });
    await w.run(100);
    expect(carol.statuses()).toEqual([
      'available',
      'busy écrit 🙂',
      'available',
      'busy (phone)',
      'available',
      'away',
      'available',
      'offline',
    ]);
    // No PUBLISH went out after the first answer: the server said it takes none.
    expect(w.server.requests('PUBLISH')).toHaveLength(1);

    // Disabling the account ends carol's subscription (deactivated: she may come back) within the teardown time.
    await alice.command('accounts.setEnabled', created.id, false);
    await w.run(100);
    expect(carol.watcher.subscription.state.name).not.toBe('active');
    expect(carol.events.at(-1)).toMatchObject({ kind: 'subscription' });
    expect(await alice.command<WatcherDto[]>('presence.watchers')).toEqual([]);
    expect(await alice.own()).toMatchObject([{ publication: 'off' }]);
    await carol.ua.shutdown(100);
  });

  it('serves direct watchers and watches buddies through the server on the same user agent, and ends both at exit', async () => {
    const w = await world();
    w.server.publishStatus = 501;
    const alice = await w.party('alice', '10.0.0.2');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    await account(alice, w, 'alice');
    alice.contactsChanged();
    await w.run(100);
    const carol = await directWatcher(w, registeredContact(w, 'alice'));
    carol.watcher.start();
    await w.run(100);
    expect(carol.watcher.subscription.state.name).toBe('active');
    // Alice's buddy subscription (her NOTIFYs go to the SubscriptionUsage) is as active as carol's (SUBSCRIBEs to the
    // notifier): neither took the other's requests.
    expect((await alice.buddies())[0]).toMatchObject({ subscription: 'active' });
    expect(w.server.watchersOf('bob')).toHaveLength(1);

    const notifies = () =>
      carol.events.flatMap((event) => (event.kind === 'subscription' ? [event.state.name] : []));
    const done = alice.engine.shutdown(1_000);
    for (let i = 0; i < 20; i++) await w.run(100);
    await done;
    expect(w.server.watchersOf('bob')).toHaveLength(0);
    // RFC 6665 §4.2.2: carol hears the end (deactivated, so her subscription tries again later) and an offline status.
    expect(carol.statuses().at(-1)).toBe('offline');
    // Told `deactivated`, she subscribed again at once (§4.1.3) and was told no one answers presence here any more.
    expect(notifies()).toEqual(['subscribing', 'active', 'subscribing', 'terminated']);
    expect(carol.watcher.subscription.state).toMatchObject({ name: 'terminated', reason: 'bad-event' });
    await carol.ua.shutdown(100);
  });
});

describe('PresenceService: resource lists', () => {
  const LIST = 'sip:alice-buddies@example.test';

  async function listWorld(listStatus?: number) {
    const w = await world();
    w.server.lists.set('alice-buddies', ['bob', 'carol']);
    if (listStatus !== undefined) w.server.subscribeStatus.set('alice-buddies', listStatus);
    const alice = await w.party('alice', '10.0.0.2');
    const bob = await w.party('bob', '10.0.0.3');
    await account(bob, w, 'bob');
    await bob.command('presence.setStatus', { accountId: null, status: 'away', note: 'à bientôt' });
    alice.watchList.contacts = [
      // Written differently from the list's resource (host case, a parameter): still the same buddy.
      { contactId: 'c-bob', uri: 'sip:bob@EXAMPLE.test;transport=udp', accountId: null },
      { contactId: 'c-carol', uri: 'sip:carol@example.test', accountId: null },
      { contactId: 'c-dave', uri: 'sip:dave@example.test', accountId: null },
    ];
    const created = await alice.command<AccountDto>(
      'accounts.create',
      input({ aor: 'sip:alice@example.test', outboundProxy: `sip:${SERVER}:5060`, presenceListUri: LIST }),
    );
    alice.contactsChanged();
    await w.run(200);
    const byId = async () =>
      Object.fromEntries((await alice.buddies()).map((buddy) => [buddy.contactId, buddy]));
    return { w, alice, bob, created, byId };
  }

  it('watches the contacts the list names through one list subscription, and the others one by one', async () => {
    const { w, bob, byId } = await listWorld();
    const listSubscribes = w.server
      .requests('SUBSCRIBE', 'presence')
      .filter((r) => isSipUri(r.requestUri) && r.requestUri.user === 'alice-buddies');
    expect(listSubscribes).toHaveLength(1);
    expect(listSubscribes[0]!.supported).toContain('eventlist');
    expect(w.server.watchersOf('alice-buddies')).toHaveLength(1);
    // Bob and carol come from the list; dave, whom it does not name, has a subscription of his own.
    expect(w.server.watchersOf('bob')).toHaveLength(0);
    expect(w.server.watchersOf('carol')).toHaveLength(0);
    expect(w.server.watchersOf('dave')).toHaveLength(1);
    expect(await byId()).toMatchObject({
      'c-bob': { availability: 'away', note: 'à bientôt', subscription: 'active' },
      'c-carol': { availability: 'unknown', subscription: 'pending' },
      'c-dave': { subscription: 'active' },
    });

    await bob.command('presence.setStatus', { accountId: null, status: 'busy', note: null });
    await w.run(100);
    expect((await byId())['c-bob']).toMatchObject({
      availability: 'busy',
      note: null,
      subscription: 'active',
    });
  });

  it('gives a contact that leaves the list a subscription of its own', async () => {
    const { w, bob, byId } = await listWorld();
    w.server.lists.set('alice-buddies', ['bob']);
    await bob.command('presence.setStatus', { accountId: null, status: 'available', note: null });
    await w.run(200);
    expect(w.server.watchersOf('carol')).toHaveLength(1);
    expect(w.server.watchersOf('bob')).toHaveLength(0);
    expect((await byId())['c-carol']).toMatchObject({ subscription: 'active' });
    expect((await byId())['c-bob']).toMatchObject({ availability: 'available', subscription: 'active' });
  });

  it('falls back to one subscription per buddy when the server refuses the list', async () => {
    for (const status of [404, 489]) {
      const { w, byId } = await listWorld(status);
      expect(w.server.watchersOf('alice-buddies')).toHaveLength(0);
      for (const user of ['bob', 'carol', 'dave']) expect(w.server.watchersOf(user)).toHaveLength(1);
      expect(await byId()).toMatchObject({
        'c-bob': { availability: 'away', subscription: 'active' },
        'c-carol': { subscription: 'active' },
        'c-dave': { subscription: 'active' },
      });
    }
  });

  it('falls back to one subscription per buddy when the server answers the list URI as a plain presentity', async () => {
    const w = await world();
    const bob = await w.party('bob', '10.0.0.3');
    await account(bob, w, 'bob');
    await bob.command('presence.setStatus', { accountId: null, status: 'away', note: null });
    const alice = await w.party('alice', '10.0.0.2');
    alice.watchList.contacts = [{ contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null }];
    // No list of that name: the server takes it for an ordinary presentity, 200 and a NOTIFY without a list.
    await alice.command<AccountDto>(
      'accounts.create',
      input({ aor: 'sip:alice@example.test', outboundProxy: `sip:${SERVER}:5060`, presenceListUri: LIST }),
    );
    alice.contactsChanged();
    await w.run(200);
    expect(w.server.watchersOf('bob')).toHaveLength(1);
    expect((await alice.buddies())[0]).toMatchObject({ availability: 'away', subscription: 'active' });
  });

  it('watches each buddy while the list server fails, and moves the named ones back once the list answers', async () => {
    const { w, byId } = await listWorld(503);
    for (const user of ['bob', 'carol', 'dave']) expect(w.server.watchersOf(user)).toHaveLength(1);
    expect((await byId())['c-bob']).toMatchObject({ availability: 'away', subscription: 'active' });
    // The list subscription keeps retrying with backoff; once the server has the list, it takes bob and carol over.
    w.server.subscribeStatus.delete('alice-buddies');
    for (let i = 0; i < 120 && w.server.watchersOf('alice-buddies').length === 0; i++) await w.run(1_000);
    await w.run(200);
    expect(w.server.watchersOf('alice-buddies')).toHaveLength(1);
    expect(w.server.watchersOf('bob')).toHaveLength(0);
    expect(w.server.watchersOf('carol')).toHaveLength(0);
    expect(w.server.watchersOf('dave')).toHaveLength(1);
    expect((await byId())['c-bob']).toMatchObject({ availability: 'away', subscription: 'active' });
  });

  it('follows the account: a list set later takes over the named buddies, a list cleared gives them back', async () => {
    const { w, alice, created, byId } = await listWorld();
    const { id: _id, order: _o, hasPassword: _h, ...fields } = created;
    await alice.command('accounts.update', created.id, { ...fields, presenceListUri: null });
    await w.run(300);
    expect(w.server.watchersOf('alice-buddies')).toHaveLength(0);
    for (const user of ['bob', 'carol', 'dave']) expect(w.server.watchersOf(user)).toHaveLength(1);
    expect((await byId())['c-bob']).toMatchObject({ availability: 'away', subscription: 'active' });

    await alice.command('accounts.update', created.id, { ...fields, presenceListUri: LIST });
    await w.run(300);
    expect(w.server.watchersOf('alice-buddies')).toHaveLength(1);
    expect(w.server.watchersOf('bob')).toHaveLength(0);
    expect(w.server.watchersOf('carol')).toHaveLength(0);
    expect(w.server.watchersOf('dave')).toHaveLength(1);
    expect((await byId())['c-bob']).toMatchObject({ availability: 'away', subscription: 'active' });

    // Disabling the account ends the list subscription with the rest.
    await alice.command('accounts.setEnabled', created.id, false);
    await w.run(200);
    expect(w.server.subscriptions.size).toBe(1); // bob's own watcher information
    expect((await alice.buddies()).every((buddy) => buddy.subscription === 'stopped')).toBe(true);
  });
});
