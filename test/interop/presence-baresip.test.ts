// baresip 1.0's presence in our buddy list: baresip registers with Kamailio and PUBLISHes its status (module
// `presence`, account `pubint`); our engine watches it through Kamailio as any buddy. baresip's document is a bare
// PIDF tuple, `<basic>open</basic>` when online and `closed` after `presence_offline`, with an empty RPID activities
// element, so the buddy list shows available and then offline (baresip 1.0 publishes no away or busy).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeToneFixture } from '../support/audio/tone-fixture';
import { type BaresipHandle, startBaresip } from './support/baresip';
import {
  type RecordingEngine,
  aliceAccount,
  buddyWhere,
  createAccount,
  nextEvent,
  startRecordingEngine,
} from './support/engine-harness';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';

const peers = peersAvailable();

describe.skipIf(!peers.kamailio || !peers.baresip)('baresip’s published presence in our buddy list', () => {
  let kamailio: KamailioHandle;
  let dir: string;
  let baresip: BaresipHandle | undefined;
  let party: RecordingEngine | undefined;

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'carol', password: 'carol-pw' },
      ],
      presence: true,
    });
    dir = mkdtempSync(join(tmpdir(), 'softphone-presence-baresip-'));
  });

  afterAll(async () => {
    await party?.engine.shutdown(2_000);
    await baresip?.stop();
    await kamailio?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows baresip available while it publishes open, and offline once it publishes closed', async () => {
    const tone = await writeToneFixture(dir, { frequencyHz: 440, durationS: 2 });
    baresip = await startBaresip({
      source: tone.path,
      presence: true,
      account: {
        aor: kamailio.uri('carol'),
        password: 'carol-pw',
        outboundProxy: kamailio.proxyUri(),
        publishIntervalS: 60,
      },
    });
    // startBaresip returns once baresip is registered (and has published: the module does it on REGISTER_OK).

    party = await startRecordingEngine(dir, 'alice', {
      watchList: { watched: () => [{ contactId: 'c-carol', uri: kamailio.uri('carol'), accountId: null }] },
    });
    const { events } = party;
    await createAccount(party, aliceAccount(kamailio));

    const online = await nextEvent(
      events,
      buddyWhere('c-carol', (b) => b.availability === 'available'),
    );
    expect(online).toMatchObject({ uri: kamailio.uri('carol'), subscription: 'active', note: null });

    await baresip.command('presence_offline');
    await nextEvent(
      events,
      buddyWhere('c-carol', (b) => b.availability === 'offline'),
    );
    await baresip.command('presence_online');
    await nextEvent(
      events,
      buddyWhere('c-carol', (b) => b.availability === 'available' && b.changedAt !== online.changedAt),
    );
  }, 60_000);
});
