// Issue 7 §8 with a far end we did not write: `softphone call` (Opus) to baresip 1.0 through Kamailio, whose media
// relay option puts the seeded impairment relay into the call's media path; baresip's RTP towards us loses 5 % on
// the way, or is delayed by up to 50 ms. Our --record file must still hold baresip's tone (≥ 80 % of the energy
// within ±10 % of it in every active half-second, level within 3 dB), and our quality events must show the loss or
// the jitter.
//
// Unlike the engine-level tests beside it, RTCP crosses the relay here (Kamailio rewrites both ports), drawing from
// the same seeded sequence at instants of its own, so the lost packets differ a little from run to run; the share
// lost is what is checked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../support/audio/wav-files';
import { type ToneFixture, writeToneFixture } from '../../support/audio/tone-fixture';
import { startImpairmentRelay, type ImpairmentRelay } from '../../support/impairment-relay';
import { SeededRandom } from '../../support/seeded-random';
import { expectTone } from '../baresip/call-helpers';
import { type BaresipHandle, startBaresip } from '../support/baresip';
import { type KamailioHandle, peersAvailable, startKamailio } from '../support/kamailio';
import { runSoftphone, type SoftphoneProcess } from '../support/softphone-cli';

const peers = peersAvailable();
const STEP_MS = 15_000;

describe.skipIf(!peers.kamailio || !peers.baresip)(
  'softphone ← baresip (Opus) through Kamailio and the relay',
  () => {
    let dir: string;
    let ourTone: ToneFixture;
    let theirTone: ToneFixture;
    let relay: ImpairmentRelay;
    let kamailio: KamailioHandle;
    let bob: BaresipHandle | undefined;
    let caller: SoftphoneProcess | undefined;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'softphone-impaired-'));
      ourTone = await writeToneFixture(dir, { frequencyHz: 1000, durationS: 10 });
      theirTone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4 });
      // Side a is ours (alice), side b baresip's: bToA is what we receive.
      relay = await startImpairmentRelay({
        randomFor: (direction) => new SeededRandom(direction === 'aToB' ? 5 : 6),
        bToA: { loss: 0.05 },
      });
      kamailio = await startKamailio({
        users: ['alice', 'bob'].map((username) => ({ username, password: `${username}-pw` })),
        mediaRelay: { aUser: 'alice', portA: relay.portA, portB: relay.portB },
      });
      bob = await startBaresip({
        source: theirTone.path,
        account: {
          aor: kamailio.uri('bob'),
          password: 'bob-pw',
          outboundProxy: kamailio.proxyUri(),
          codecs: ['opus'],
          answerMode: 'auto',
        },
      });
    });

    afterAll(async () => {
      caller?.kill();
      await bob?.stop();
      await kamailio?.stop();
      await relay?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    /** Calls bob from alice for 5 s and waits for the run to end; returns our recording. */
    async function callBob(name: string): Promise<{ heard: string; process: SoftphoneProcess }> {
      const heard = join(dir, `${name}.wav`);
      const process = runSoftphone([
        'call',
        kamailio.uri('bob'),
        '--aor',
        kamailio.uri('alice'),
        '--password',
        'alice-pw',
        '--proxy',
        kamailio.proxyUri(),
        '--codecs',
        'opus',
        '--play',
        ourTone.path,
        '--record',
        heard,
        '--duration',
        '5',
      ]);
      caller = process;
      await process.waitFor((event) => event.event === 'call' && event['state'] === 'connected', STEP_MS);
      expect(await process.exited()).toBe(0);
      return { heard, process };
    }

    it('at 5 % loss keeps baresip’s tone in our recording, and our quality events show the loss', async () => {
      const before = relay.counters('bToA', 0);
      const { heard, process } = await callBob('loss');

      const after = relay.counters('bToA', 0);
      const received = after.received - before.received;
      const lost = after.lost - before.lost;
      expect(received).toBeGreaterThan(150);
      expect(lost / received).toBeGreaterThan(0.02);
      expect(lost / received).toBeLessThan(0.1);
      const quality = process.events.filter((event) => event.event === 'quality');
      expect(quality.some((event) => event['codec'] === 'opus' && Number(event['lossPercent']) > 0)).toBe(
        true,
      );
      expectTone(await readWavFile(heard), theirTone.frequencyHz, theirTone.rms, 8);
      // The other direction was not impaired: baresip heard our tone too.
      expectTone((await bob!.receivedRecording()).audio, ourTone.frequencyHz, ourTone.rms, 3);
    });

    it('at 50 ms of jitter keeps baresip’s tone in our recording', async () => {
      relay.setImpairment('bToA', { jitterMs: 50 });
      const { heard, process } = await callBob('jitter');

      // The jitter was there: RFC 3550 A.8 interarrival jitter of delays uniform in [0, 50] ms reads about 17 ms.
      // (The CLI's quality event does not carry the jitter buffer's late count; the engine-level tests check it.)
      const quality = process.events.filter((event) => event.event === 'quality');
      expect(quality.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...quality.map((event) => Number(event['jitterMs'])))).toBeGreaterThan(10);
      expectTone(await readWavFile(heard), theirTone.frequencyHz, theirTone.rms, 8);
    });
  },
);
