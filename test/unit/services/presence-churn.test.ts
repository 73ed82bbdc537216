// PresenceService on its own (a real user agent on the loopback network, fake accounts, store and watch list): what
// it holds in memory goes back to nothing when accounts come and go many times, and stop() is bounded even when the
// server never answers.
import { describe, expect, it } from 'vitest';
import type { RegistrationStatusDto } from '../../../main/contract/contract';
import { neverIdle } from '../../../main/platform/idle-source';
import { silentLogger } from '../../../main/platform/logger';
import { EventHub } from '../../../main/services/event-hub';
import {
  type PresenceAccounts,
  PresenceService,
  type PresenceStore,
  type WatchedContact,
} from '../../../main/services/presence-service';
import { type SipUri, parseUri } from '../../../main/sip/message/uri';
import type { ChosenStatus } from '../../../main/store/presence-repository';
import type { Account } from '../../../main/ua/user-agent';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { PresenceServer } from '../../support/presence-server';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

class MemoryStore implements PresenceStore {
  readonly own = new Map<string, ChosenStatus>();
  ownStatus(id: string) {
    return this.own.get(id);
  }
  setOwnStatus(id: string, chosen: ChosenStatus) {
    this.own.set(id, chosen);
  }
  watchersFirstSeen() {
    return new Map<string, number>();
  }
  setWatchersFirstSeen() {}
  watchersSeenAt() {
    return 0;
  }
  setWatchersSeenAt() {}
  forgetAccount(id: string) {
    this.own.delete(id);
  }
}

function status(accountId: string, state: RegistrationStatusDto['state']): RegistrationStatusDto {
  return {
    accountId,
    state,
    expires: null,
    failure: null,
    detail: null,
    status: null,
    retryInMs: null,
    lastFailure: null,
    server: null,
  };
}

async function setup(options: { list?: boolean } = {}) {
  const clock = new ManualClock();
  const random = new SeededRandom(5);
  const network = new LoopbackNetwork({ clock, random });
  const server = await PresenceServer.start(network, '10.0.0.1');
  const ua = await UserAgent.start({ sockets: network, clock, random, bindAddress: '10.0.0.2', port: 5060 });
  const events = new EventHub();
  const live = new Map<string, Account>();
  const enabled = new Set<string>();
  const accounts: PresenceAccounts = {
    list: () =>
      ['a1', 'a2'].map((id) => ({
        id,
        enabled: enabled.has(id),
        register: true,
        presenceListUri: options.list && id === 'a1' ? 'sip:a1-list@example.test' : null,
      })),
    live: (id) => {
      const account = live.get(id);
      return account ? { ua, account } : undefined;
    },
    registrations: () => [],
  };
  const contacts: WatchedContact[] = Array.from({ length: 30 }, (_, i) => ({
    contactId: `c${i}`,
    uri: `sip:user${i}@example.test`,
    accountId: i % 2 === 0 ? 'a1' : 'a2',
  }));
  // a1's list names three of its fifteen buddies.
  server.lists.set('a1-list', ['user0', 'user2', 'user4']);
  const service = new PresenceService({
    accounts,
    store: new MemoryStore(),
    watchList: { watched: () => contacts },
    events,
    clock,
    idle: neverIdle,
    idleAwayMinutes: () => 0,
    logger: silentLogger,
    teardownTimeoutMs: 1_000,
  });
  service.start();
  const run = async (ms = 0) => {
    if (ms > 0) clock.advance(ms);
    await settle(clock);
  };
  const up = (id: string) => {
    enabled.add(id);
    live.set(
      id,
      ua.addAccount({
        aor: sipUri(`sip:${id}@example.test`),
        password: 'pw',
        outboundProxy: sipUri('sip:10.0.0.1:5060'),
        transport: 'udp',
        expires: 600,
      }),
    );
    events.emit('registration.changed', status(id, 'registered'));
  };
  const down = (id: string) => {
    enabled.delete(id);
    const account = live.get(id);
    live.delete(id);
    if (account) void ua.removeAccount(account.id, 100);
    events.emit('registration.changed', status(id, 'disabled'));
  };
  return { clock, server, ua, service, run, up, down };
}

const ROUNDS = 8;

describe('PresenceService: nothing leaks', () => {
  it('holds nothing more after accounts are switched on and off many times', async () => {
    const { server, service, run, up, down } = await setup();
    for (let round = 0; round < ROUNDS; round++) {
      up('a1');
      up('a2');
      await run(200);
      expect(service.holdings()).toMatchObject({ accounts: 2, buddies: 30, watching: 30, queued: 0 });
      expect(service.holdings().subscriptions).toBe(32); // 30 buddies and 2 watcher-information subscriptions
      down(round % 2 === 0 ? 'a1' : 'a2');
      await run(200);
      expect(service.holdings()).toMatchObject({ accounts: 1, watching: 15, subscriptions: 16 });
      down(round % 2 === 0 ? 'a2' : 'a1');
      await run(200);
      expect(service.holdings()).toEqual({
        accounts: 0,
        buddies: 30,
        watching: 0,
        listed: 0,
        queued: 0,
        subscriptions: 0,
      });
      expect(server.subscriptions.size).toBe(0);
    }
    expect(service.buddies().every((buddy) => buddy.subscription === 'stopped')).toBe(true);
  }, 30_000);

  it('holds nothing more over churn with a resource list and peer-to-peer publication either', async () => {
    const { server, service, run, up, down } = await setup({ list: true });
    server.publishStatus = 489;
    for (let round = 0; round < ROUNDS; round++) {
      up('a1');
      up('a2');
      await run(200);
      // a1: its list, 12 buddies of its own and watcher information; a2: 15 buddies and watcher information.
      expect(service.holdings()).toMatchObject({
        accounts: 2,
        buddies: 30,
        watching: 27,
        listed: 3,
        queued: 0,
      });
      expect(service.holdings().subscriptions).toBe(30);
      expect(server.watchersOf('a1-list')).toHaveLength(1);
      expect(service.own().map((own) => own.publication)).toEqual(['peer-to-peer', 'peer-to-peer']);
      down('a1');
      down('a2');
      await run(200);
      expect(service.holdings()).toEqual({
        accounts: 0,
        buddies: 30,
        watching: 0,
        listed: 0,
        queued: 0,
        subscriptions: 0,
      });
      expect(server.subscriptions.size).toBe(0);
    }
  }, 30_000);

  it('stop() ends within its bound when the server has gone silent, and starts nothing afterwards', async () => {
    const { clock, server, service, run, up } = await setup();
    up('a1');
    await run(200);
    server.silent = true;
    const started = clock.now();
    let done = false;
    void service.stop(1_000).then(() => (done = true));
    for (let i = 0; i < 20 && !done; i++) await run(100);
    expect(done).toBe(true);
    expect(clock.now() - started).toBeLessThanOrEqual(1_300);
    // (What was sent before may still be retransmitted to the silent server: count new dialogs and publications.)
    const callIds = () => new Set(server.received.map((request) => request.callId));
    const before = callIds();
    up('a2');
    await run(1_000);
    expect([...callIds()].filter((id) => !before.has(id))).toEqual([]);
    expect(service.holdings().accounts).toBe(0);
  });
});
