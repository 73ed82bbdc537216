// Resource lists in the engine, through Kamailio's rls module (test/interop/kamailio/rls.cfg, which takes every
// REGISTER): bob and carol's engines publish; alice's engine has the presence list sip:friends@example.test (bob and
// carol, in her rls-services document) and watches bob, carol and erin. Her buddies on the list come from that one
// list subscription; erin, whom the list does not name, gets a subscription of her own. A change of bob's arrives
// through the list. A second alice, whose list the server does not know, falls back to one subscription each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AccountInput, BuddyPresenceDto } from '../../main/contract/contract';
import type { EventHub } from '../../main/services/event-hub';
import type { WatchedContact } from '../../main/services/presence-service';
import {
  type RecordingEngine,
  buddyWhere,
  createAccount,
  nextEvent,
  resultValue,
  startRecordingEngine,
} from './support/engine-harness';
import { type RlsServer, startRlsServer } from './support/kamailio-rls';
import { peersAvailable } from './support/peers';

const peers = peersAvailable();
const FRIENDS = 'sip:friends@example.test';

describe.skipIf(!peers.kamailio)('resource lists in the engine, through Kamailio rls', () => {
  let server: RlsServer | undefined;
  const parentDir = mkdtempSync(join(tmpdir(), 'softphone-rls-engines-'));
  const engines: RecordingEngine[] = [];
  /** What each engine logged, by name: the service says when it gives up on a list. */
  const logs = new Map<string, string[]>();

  afterEach(async () => {
    for (const { engine } of engines.splice(0)) await engine.shutdown(2_000);
    await server?.stop();
    server = undefined;
  });

  afterAll(() => rmSync(parentDir, { recursive: true, force: true }));

  async function start(name: string, watched: WatchedContact[] = []): Promise<RecordingEngine> {
    const lines: string[] = [];
    logs.set(name, lines);
    const made = await startRecordingEngine(parentDir, name, {
      logger: { log: (_level, message) => lines.push(message) },
      watchList: { watched: () => watched },
    });
    engines.push(made);
    return made;
  }

  const accountFor = (user: string, extra: Partial<AccountInput> = {}): AccountInput => ({
    displayName: user,
    aor: `sip:${user}@example.test`,
    authUser: null,
    password: 'unused',
    outboundProxy: server!.proxyUri,
    registrar: null,
    transport: 'udp',
    expires: 300,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
    ...extra,
  });

  const watching: WatchedContact[] = [
    { contactId: 'c-bob', uri: 'sip:bob@example.test', accountId: null },
    { contactId: 'c-carol', uri: 'sip:carol@example.test', accountId: null },
    { contactId: 'c-erin', uri: 'sip:erin@example.test', accountId: null },
  ];

  async function publishers(): Promise<RecordingEngine> {
    const bob = await start('bob');
    await createAccount(bob, accountFor('bob'));
    resultValue(
      await bob.engine.router.dispatch('presence.setStatus', [
        { accountId: null, status: 'away', note: 'lunch ☕' },
      ]),
    );
    const carol = await start('carol');
    await createAccount(carol, accountFor('carol'));
    resultValue(
      await carol.engine.router.dispatch('presence.setStatus', [
        { accountId: null, status: 'busy', note: null },
      ]),
    );
    for (const party of [bob, carol])
      await nextEvent(party.events, (event) =>
        event.name === 'presence.changed' && event.payload.publication === 'published' ? true : undefined,
      );
    return bob;
  }

  async function alice(list: string | null): Promise<RecordingEngine> {
    const watched: WatchedContact[] = [];
    const party = await start('alice', watched);
    await createAccount(party, accountFor('alice', { presenceListUri: list }));
    watched.push(...watching);
    (party.engine.events as EventHub).emit('contacts.changed', { upserted: [], deleted: [] });
    return party;
  }

  it("takes the list's buddies from one list subscription and gives the others their own", async () => {
    server = await startRlsServer({
      lists: [{ owner: 'alice', uri: FRIENDS, members: ['sip:bob@example.test', 'sip:carol@example.test'] }],
    });
    const bob = await publishers();
    const watcher = await alice(FRIENDS);
    try {
      await nextEvent(
        watcher.events,
        buddyWhere('c-bob', (b) => b.availability === 'away' && b.note === 'lunch ☕'),
      );
      await nextEvent(
        watcher.events,
        buddyWhere('c-carol', (b) => b.availability === 'busy'),
      );
      await nextEvent(
        watcher.events,
        buddyWhere('c-erin', (b) => b.subscription === 'active' || b.subscription === 'pending'),
      );
    } catch (error) {
      throw new Error(`${String(error)}\n${(await server.readLog()).slice(-4000)}`, { cause: error });
    }
    resultValue(
      await bob.engine.router.dispatch('presence.setStatus', [
        { accountId: null, status: 'available', note: 'back' },
      ]),
    );
    await nextEvent(
      watcher.events,
      buddyWhere('c-bob', (b) => b.availability === 'available' && b.note === 'back'),
    );
    // The list was used: the service never fell back to subscribing to bob and carol one by one.
    expect(logs.get('alice')).not.toContain('presence: no usable presence list, watching each buddy');
    const buddies = resultValue<BuddyPresenceDto[]>(
      await watcher.engine.router.dispatch('presence.buddies', []),
    );
    expect(buddies.map((b) => [b.contactId, b.subscription])).toEqual([
      ['c-bob', 'active'],
      ['c-carol', 'active'],
      ['c-erin', expect.stringMatching(/^(active|pending)$/)],
    ]);
  }, 60_000);

  it('falls back to one subscription per buddy when the list is unknown to the server', async () => {
    server = await startRlsServer({ lists: [] });
    await publishers();
    const watcher = await alice('sip:nobody-list@example.test');
    await nextEvent(
      watcher.events,
      buddyWhere('c-bob', (b) => b.availability === 'away' && b.subscription === 'active'),
    );
    await nextEvent(
      watcher.events,
      buddyWhere('c-carol', (b) => b.availability === 'busy' && b.subscription === 'active'),
    );
  }, 60_000);
});
