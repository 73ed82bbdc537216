// Peer-to-peer presence through the real engine (createEngine, two data folders) and the project's Kamailio without
// its presence modules: each engine's PUBLISH is routed to its own registered contact, which takes no PUBLISH (405),
// so each account answers watchers itself. Each engine watches the other: the SUBSCRIBE goes through Kamailio (record-
// routed, location lookup) to the other engine's notifier, whose NOTIFYs come back along the route set. A status
// with a non-ASCII note, appear offline, and the end when an account is disabled all reach the watcher.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OwnPresenceDto, WatcherDto } from '../../main/contract/contract';
import type { EventHub } from '../../main/services/event-hub';
import type { WatchedContact } from '../../main/services/presence-service';
import {
  type RecordingEngine,
  aliceAccount,
  buddyWhere,
  createAccount,
  nextEvent,
  resultValue,
  startRecordingEngine,
} from './support/engine-harness';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';

const peers = peersAvailable();
const NOTE = 'Zurück um 15 Uhr — בקרוב 🙂 <b>&';

describe.skipIf(!peers.kamailio)(
  'peer-to-peer presence between two engines, Kamailio without presence',
  () => {
    let kamailio: KamailioHandle;
    let parentDir: string;
    const engines: RecordingEngine[] = [];

    beforeAll(async () => {
      kamailio = await startKamailio({
        users: [
          { username: 'alice', password: 'alice-pw' },
          { username: 'bob', password: 'bob-pw' },
        ],
      });
      parentDir = mkdtempSync(join(tmpdir(), 'softphone-presence-p2p-'));
    });

    afterAll(async () => {
      for (const { engine } of engines.splice(0)) await engine.shutdown(2_000);
      await kamailio?.stop();
      rmSync(parentDir, { recursive: true, force: true });
    });

    async function start(name: string, watched: WatchedContact[]): Promise<RecordingEngine> {
      const made = await startRecordingEngine(parentDir, name, { watchList: { watched: () => watched } });
      engines.push(made);
      return made;
    }

    it('each answers the other itself: statuses, a note, appear offline, and the end on disable', async () => {
      const aliceWatches: WatchedContact[] = [];
      const bobWatches: WatchedContact[] = [];
      const alice = await start('alice', aliceWatches);
      const bob = await start('bob', bobWatches);
      const aliceDto = await createAccount(alice, aliceAccount(kamailio));
      const bobDto = await createAccount(
        bob,
        aliceAccount(kamailio, { displayName: 'Bob', aor: kamailio.uri('bob'), password: 'bob-pw' }),
      );

      // PUBLISH reaches the publisher's own agent and is refused: both go peer-to-peer.
      for (const [party, id] of [
        [alice, aliceDto.id],
        [bob, bobDto.id],
      ] as const) {
        const own = await nextEvent(party.events, (event) =>
          event.name === 'presence.changed' &&
          event.payload.accountId === id &&
          event.payload.publication === 'peer-to-peer'
            ? event.payload
            : undefined,
        );
        expect(own).toMatchObject({ published: 'available' });
      }
      // Both registered (a SUBSCRIBE to someone not registered is refused 404 for good): now each watches the other.
      aliceWatches.push({ contactId: 'c-bob', uri: kamailio.uri('bob'), accountId: null });
      bobWatches.push({ contactId: 'c-alice', uri: kamailio.uri('alice'), accountId: null });
      for (const party of [alice, bob])
        (party.engine.events as EventHub).emit('contacts.changed', { upserted: [], deleted: [] });
      await nextEvent(
        alice.events,
        buddyWhere('c-bob', (b) => b.availability === 'available' && b.subscription === 'active'),
      );
      await nextEvent(
        bob.events,
        buddyWhere('c-alice', (b) => b.availability === 'available' && b.subscription === 'active'),
      );

      resultValue<OwnPresenceDto[]>(
        await bob.engine.router.dispatch('presence.setStatus', [
          { accountId: null, status: 'away', note: NOTE },
        ]),
      );
      const away = await nextEvent(
        alice.events,
        buddyWhere('c-bob', (b) => b.availability === 'away'),
      );
      expect(away).toMatchObject({ accountId: aliceDto.id, note: NOTE, subscription: 'active' });

      // Bob's watchers are his notifier's: alice, straight from her SUBSCRIBE.
      const watchers = resultValue<WatcherDto[]>(await bob.engine.router.dispatch('presence.watchers', []));
      expect(watchers).toMatchObject([
        { accountId: bobDto.id, uri: kamailio.uri('alice'), status: 'active' },
      ]);

      resultValue(
        await bob.engine.router.dispatch('presence.setStatus', [
          { accountId: null, status: 'offline', note: null },
        ]),
      );
      await nextEvent(
        alice.events,
        buddyWhere('c-bob', (b) => b.availability === 'offline'),
      );

      // Disabling bob ends alice's subscription from his side (deactivated, with an offline document).
      resultValue(await bob.engine.router.dispatch('accounts.setEnabled', [bobDto.id, false]));
      const ended = await nextEvent(
        alice.events,
        buddyWhere('c-bob', (b) => b.subscription !== 'active'),
      );
      expect(ended.subscription).not.toBe('active');
    }, 60_000);
  },
);
