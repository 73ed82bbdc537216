// The impairment relay in a real call's media path: Kamailio points each end's SDP at the relay, the relay
// carries (and impairs) RTP and RTCP between two baresip phones, and the tone still arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peersAvailable, startKamailio, type KamailioHandle } from '../support/kamailio';
import { startBaresip, type BaresipHandle } from '../support/baresip';
import { startImpairmentRelay, type ImpairmentRelay } from '../../support/impairment-relay';
import { SeededRandom } from '../../support/seeded-random';
import { writeToneFixture, type ToneFixture } from '../../support/audio/tone-fixture';
import { endCall, expectTone, placeCall, waitForAudio } from './call-helpers';

const peers = peersAvailable();

describe.skipIf(!peers.kamailio || !peers.baresip)('a call through the impairment relay', () => {
  let fixtureDir: string;
  let tone: ToneFixture;
  let relay: ImpairmentRelay;
  let kamailio: KamailioHandle;
  const phones: BaresipHandle[] = [];

  beforeAll(async () => {
    fixtureDir = await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    tone = await writeToneFixture(fixtureDir, { frequencyHz: 1000 });
    relay = await startImpairmentRelay({
      randomFor: (direction) => new SeededRandom(direction === 'aToB' ? 42 : 43),
      aToB: { loss: 0.1 },
      bToA: { delayMs: 10, jitterMs: 20 },
    });
    kamailio = await startKamailio({
      users: ['alice', 'bob'].map((username) => ({ username, password: `${username}-pw` })),
      mediaRelay: { aUser: 'alice', portA: relay.portA, portB: relay.portB },
    });
  });

  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.stop()));
    await kamailio?.stop();
    await relay?.close();
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  it('carries RTP and RTCP both ways, loses about the seeded 10 %, and the tone still arrives', async () => {
    const [alice, bob] = await Promise.all(
      ['alice', 'bob'].map((user) =>
        startBaresip({
          source: tone.path,
          account: {
            aor: kamailio.uri(user),
            password: `${user}-pw`,
            outboundProxy: kamailio.proxyUri(),
            answerMode: user === 'bob' ? 'auto' : 'manual',
          },
        }),
      ),
    );
    phones.push(alice!, bob!);
    const id = await placeCall(alice!, bob!, kamailio.uri('bob'));
    const heard = await waitForAudio(bob!, (status) => status.receivedS >= 2.1);
    await waitForAudio(alice!, (status) => status.receivedS >= 1);
    await endCall(alice!, bob!, id);

    const aToB = relay.counters('aToB', 0);
    const bToA = relay.counters('bToA', 0);
    // Every RTP packet bob received came through the relay, which dropped about one in ten of alice's. (RTCP
    // draws from the same sequence at times of its own, so the exact count varies from run to run: ~100 packets
    // at 10 % give 3–20 lost with near certainty.)
    expect(aToB.received).toBeGreaterThan(100);
    expect(aToB.sent + aToB.lost).toBe(aToB.received);
    expect(heard.packetsReceived).toBeLessThanOrEqual(aToB.sent);
    expect(aToB.lost / aToB.received).toBeGreaterThan(0.03);
    expect(aToB.lost / aToB.received).toBeLessThan(0.2);
    expect(bToA.received).toBeGreaterThan(50);
    expect(bToA.lost).toBe(0);
    // RTCP took the relay's second leg (the port after the one in the SDP).
    expect(relay.counters('aToB', 1).received + relay.counters('bToA', 1).received).toBeGreaterThan(0);

    expectTone((await bob!.receivedRecording()).audio, tone.frequencyHz, tone.rms, 3);
  });
});
