// Presence through the real engine (createEngine, two data folders, commands through the router) and the project's
// Kamailio as presence server: alice and bob each watch the other (a watch list standing in for their contacts),
// bob's status with a non-ASCII note reaches alice, bob's winfo lists alice, a call makes bob "on the phone", both
// recover after Kamailio is killed and started again, and disabling alice's account ends her subscription (bob's
// watcher information, which Kamailio sends, loses her).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDto, CallDto, WatcherDto } from '../../main/contract/contract';
import type { WatchedContact } from '../../main/services/presence-service';
import {
  type RecordingEngine,
  aliceAccount,
  buddyWhere,
  callReaches,
  createAccount,
  nextEvent,
  resultValue,
  startRecordingEngine,
} from './support/engine-harness';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';

const peers = peersAvailable();
const NOTE = 'Zurück um 15 Uhr — בקרוב 🙂 <b>&';

describe.skipIf(!peers.kamailio)('presence between two engines through Kamailio', () => {
  let kamailio: KamailioHandle;
  let parentDir: string;
  const engines: RecordingEngine[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
      presence: true,
    });
    parentDir = mkdtempSync(join(tmpdir(), 'softphone-presence-engines-'));
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

  /** Forgets what was recorded, so the next wait only sees what comes after. */
  const clear = (...parties: RecordingEngine[]) => {
    for (const party of parties) party.events.splice(0);
  };

  it('each sees the other, a note survives, winfo lists the watcher, calls show, a restart heals, disabling ends', async () => {
    const alice = await start('alice', [{ contactId: 'c-bob', uri: kamailio.uri('bob'), accountId: null }]);
    const bob = await start('bob', [{ contactId: 'c-alice', uri: kamailio.uri('alice'), accountId: null }]);
    // An OPTIONS keep-alive every 10 s (the shortest allowed): a server that goes away is noticed (the ICMP error answers at once).
    const keepAlive = { keepAliveSeconds: 10, keepAliveKind: 'options' as const };
    const aliceDto = await createAccount(alice, aliceAccount(kamailio, keepAlive));
    const bobDto = await createAccount(
      bob,
      aliceAccount(kamailio, {
        ...keepAlive,
        displayName: 'Bob',
        aor: kamailio.uri('bob'),
        password: 'bob-pw',
      }),
    );

    // Both publish available when they register, and both watch each other.
    await nextEvent(
      alice.events,
      buddyWhere('c-bob', (b) => b.availability === 'available'),
    );
    await nextEvent(
      bob.events,
      buddyWhere('c-alice', (b) => b.availability === 'available'),
    );

    clear(alice);
    const own = resultValue<unknown[]>(
      await bob.engine.router.dispatch('presence.setStatus', [
        { accountId: null, status: 'away', note: NOTE },
      ]),
    );
    expect(own).toMatchObject([{ accountId: bobDto.id, status: 'away', note: NOTE }]);
    const away = await nextEvent(
      alice.events,
      buddyWhere('c-bob', (b) => b.availability === 'away'),
    );
    expect(away).toMatchObject({ accountId: aliceDto.id, note: NOTE, subscription: 'active' });

    // Bob's watcher information lists alice.
    const aliceUri = kamailio.uri('alice');
    const listed = await nextEvent(bob.events, (event) =>
      event.name === 'watchers.changed' && event.payload.some((w) => w.uri === aliceUri)
        ? event.payload
        : undefined,
    );
    expect(listed.find((w) => w.uri === aliceUri)).toMatchObject({ accountId: bobDto.id, isNew: true });

    // A call: bob (available again) calls alice, she answers; each sees the other on the phone.
    clear(alice, bob);
    resultValue(
      await bob.engine.router.dispatch('presence.setStatus', [
        { accountId: null, status: 'available', note: null },
      ]),
    );
    const dialled = resultValue<CallDto>(
      await bob.engine.router.dispatch('calls.dial', [{ target: aliceUri, accountId: bobDto.id }]),
    );
    const incoming = await nextEvent(alice.events, callReaches(null, 'incoming'));
    resultValue(await alice.engine.router.dispatch('calls.answer', [incoming.id]));
    await nextEvent(bob.events, callReaches(dialled.id, 'connected'));
    await nextEvent(
      alice.events,
      buddyWhere('c-bob', (b) => b.availability === 'on-the-phone'),
    );
    await nextEvent(
      bob.events,
      buddyWhere('c-alice', (b) => b.availability === 'on-the-phone'),
    );
    clear(alice);
    resultValue(await bob.engine.router.dispatch('calls.hangup', [dialled.id]));
    await nextEvent(
      alice.events,
      buddyWhere('c-bob', (b) => b.availability === 'available'),
    );

    // Kamailio dies: both notice (keep-alive), and once it is back they register, subscribe and publish again.
    clear(alice, bob);
    await kamailio.kill('SIGKILL');
    const down = (party: RecordingEngine, accountId: string) =>
      nextEvent(
        party.events,
        (event) =>
          event.name === 'registration.changed' &&
          event.payload.accountId === accountId &&
          event.payload.state !== 'registered'
            ? true
            : undefined,
        30_000,
      );
    await Promise.all([down(alice, aliceDto.id), down(bob, bobDto.id)]);
    await kamailio.restart();
    const up = (party: RecordingEngine, accountId: string) =>
      nextEvent(
        party.events,
        (event) =>
          event.name === 'registration.changed' &&
          event.payload.accountId === accountId &&
          event.payload.state === 'registered'
            ? true
            : undefined,
        30_000,
      );
    await Promise.all([up(alice, aliceDto.id), up(bob, bobDto.id)]);
    clear(alice);
    resultValue(
      await bob.engine.router.dispatch('presence.setStatus', [
        { accountId: null, status: 'busy', note: 'after' },
      ]),
    );
    const healed = await nextEvent(
      alice.events,
      buddyWhere('c-bob', (b) => b.availability === 'busy' && b.note === 'after'),
      20_000,
    );
    expect(healed.subscription).toBe('active');

    // Alice disables her account: her subscription to bob ends at Kamailio, which tells bob's watcher information.
    const watching = resultValue<WatcherDto[]>(await bob.engine.router.dispatch('presence.watchers', []));
    expect(watching.map((w) => w.uri)).toContain(aliceUri);
    clear(alice, bob);
    resultValue<AccountDto>(await alice.engine.router.dispatch('accounts.setEnabled', [aliceDto.id, false]));
    await nextEvent(
      alice.events,
      buddyWhere('c-bob', (b) => b.subscription === 'stopped'),
    );
    await nextEvent(bob.events, (event) =>
      event.name === 'watchers.changed' && !event.payload.some((w) => w.uri === aliceUri) ? true : undefined,
    );
    await nextEvent(
      bob.events,
      buddyWhere('c-alice', (b) => b.availability === 'offline' || b.availability === 'unknown'),
    );
  }, 120_000);
});
