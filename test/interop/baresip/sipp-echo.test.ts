// sipp/uas-answer-audio.xml with -rtp_echo as the far end: baresip calls it by IP and hears its own tone come
// back, directly and through the impairment relay (the SDP then names the relay's port).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peersAvailable } from '../support/peers';
import { startBaresip, type BaresipHandle } from '../support/baresip';
import { startSipp, type SippHandle } from '../support/sipp';
import { freeUdpPortPair } from '../support/ports';
import { startImpairmentRelay, type ImpairmentRelay } from '../../support/impairment-relay';
import { SeededRandom } from '../../support/seeded-random';
import { writeToneFixture, type ToneFixture } from '../../support/audio/tone-fixture';
import { expectTone, waitForAudio } from './call-helpers';

const peers = peersAvailable();

describe.skipIf(!peers.baresip || !peers.sipp)('baresip against the SIPp echo answerer', () => {
  let fixtureDir: string | undefined;
  let tone: ToneFixture;
  const running: { stop(): Promise<unknown> }[] = [];
  const relays: ImpairmentRelay[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((item) => item.stop()));
    await Promise.all(relays.splice(0).map((relay) => relay.close()));
  });

  afterAll(async () => {
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  async function call(relayed: boolean): Promise<{ caller: BaresipHandle; sipp: SippHandle }> {
    fixtureDir ??= await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    tone = await writeToneFixture(fixtureDir, { frequencyHz: 1000 });
    const mediaPort = await freeUdpPortPair(2);
    let sdpPort = mediaPort;
    if (relayed) {
      const relay = await startImpairmentRelay({
        randomFor: (direction) => new SeededRandom(direction === 'aToB' ? 42 : 43),
        targetB: { address: '127.0.0.1', port: mediaPort },
        aToB: { jitterMs: 10 },
      });
      relays.push(relay);
      sdpPort = relay.portA;
    }
    const sipp = await startSipp({
      scenario: 'uas-answer-audio.xml',
      mediaPort,
      keys: { sdp_port: String(sdpPort) },
      extraArgs: ['-rtp_echo'],
      timeoutSec: 30,
    });
    running.push(sipp);
    const caller = await startBaresip({ source: tone.path, account: { aor: 'sip:grace@127.0.0.1' } });
    running.push(caller);
    await caller.dial(`sip:echo@127.0.0.1:${sipp.localPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED');
    return { caller, sipp };
  }

  it.each([
    ['directly', false],
    ['through the relay', true],
  ])('hears its own tone echoed %s, and the scenario ends cleanly on its BYE', async (_, relayed) => {
    const { caller, sipp } = await call(relayed);
    await waitForAudio(caller, (status) => status.receivedS >= 1.6);
    await caller.hangup();
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expectTone((await caller.receivedRecording()).audio, tone.frequencyHz, tone.rms, 3);
    if (relayed) {
      const [relay] = relays;
      expect(relay!.counters('aToB', 0).received).toBeGreaterThan(50);
      expect(relay!.counters('bToA', 0).sent).toBeGreaterThan(50);
    }
  });
});
