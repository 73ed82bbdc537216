// `softphone call` and `softphone answer`, run as child processes as a person would, against baresip 1.0 through the
// project's Kamailio (registration, the 407 on INVITE, record-routing): we call baresip and baresip calls us, with
// PCMU, PCMA and Opus; each end plays its own tone and the other must hear it (≥ 80 % of the energy within ±10 % of
// the tone in every active half-second, level within 3 dB); RFC 4733 digits go both ways; BYE comes from either
// side. Our side's audio is read off its --record file, baresip's off its sndfile recording.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../support/audio/wav-files';
import { type ToneFixture, writeToneFixture } from '../../support/audio/tone-fixture';
import { expectTone, waitForAudio } from '../baresip/call-helpers';
import { type BaresipCodec, type BaresipHandle, startBaresip } from '../support/baresip';
import { type KamailioHandle, peersAvailable, startKamailio } from '../support/kamailio';
import { type CliEvent, type SoftphoneProcess, runSoftphone } from '../support/softphone-cli';

const peers = peersAvailable();
const CODECS: readonly BaresipCodec[] = ['pcmu', 'pcma', 'opus'];
const STEP_MS = 15_000;

const isCall =
  (state: string) =>
  (event: CliEvent): boolean =>
    event.event === 'call' && event['state'] === state;

describe.skipIf(!peers.kamailio || !peers.baresip)('softphone against baresip through Kamailio', () => {
  let dir: string;
  let ourTone: ToneFixture;
  let theirTone: ToneFixture;
  let kamailio: KamailioHandle;
  const processes: SoftphoneProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softphone-baresip-'));
    ourTone = await writeToneFixture(dir, { frequencyHz: 1000, durationS: 20 });
    theirTone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4 });
    kamailio = await startKamailio({
      users: ['alice', 'bob'].map((username) => ({ username, password: `${username}-pw` })),
    });
  });

  afterEach(() => {
    for (const process of processes.splice(0)) process.kill();
  });

  afterAll(async () => {
    await kamailio?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  function softphone(args: readonly string[]): SoftphoneProcess {
    const process = runSoftphone(args);
    processes.push(process);
    return process;
  }

  /** Our account on the proxy: alice, registered, calling through Kamailio. */
  function alice(): string[] {
    return ['--aor', kamailio.uri('alice'), '--password', 'alice-pw', '--proxy', kamailio.proxyUri()];
  }

  async function recordingOf(path: string) {
    return readWavFile(path);
  }

  describe.each(CODECS)('with %s only', (codec) => {
    let bob: BaresipHandle;

    beforeAll(async () => {
      bob = await startBaresip({
        source: theirTone.path,
        account: {
          aor: kamailio.uri('bob'),
          password: 'bob-pw',
          outboundProxy: kamailio.proxyUri(),
          codecs: [codec],
        },
      });
    });

    afterAll(async () => {
      await bob?.stop();
    });

    it('we call baresip: each hears the other, RFC 4733 both ways, our --duration ends it with a BYE', async () => {
      const heard = join(dir, `we-call-${codec}.wav`);
      const caller = softphone([
        'call',
        kamailio.uri('bob'),
        ...alice(),
        '--codecs',
        codec,
        '--play',
        ourTone.path,
        '--record',
        heard,
        '--duration',
        '5',
        '--dtmf',
        '1#',
      ]);
      const { id } = await bob.waitForEvent('CALL_INCOMING', STEP_MS);
      await bob.answer();
      await bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, (event) => event.id === id);
      await caller.waitFor(isCall('connected'), STEP_MS);
      const media = await caller.waitFor((event) => event.event === 'media', STEP_MS);
      expect(media['codec']).toBe(codec);
      const digits = [
        await bob.waitForEvent('CALL_DTMF_START', STEP_MS),
        await bob.waitForEvent('CALL_DTMF_START'),
      ];
      expect(digits.map((event) => event.param)).toEqual(['1', '#']);
      await bob.sendDtmf('9*');
      await caller.waitFor((event) => event.event === 'dtmf' && event['digit'] === '*', STEP_MS);
      expect(await caller.exited()).toBe(0);
      await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);

      expect(caller.events.find((event) => event.event === 'dtmf-sent')).toMatchObject({ via: 'rfc4733' });
      const ours = caller.events.filter((event) => event.event === 'dtmf');
      expect(ours.map((event) => [event['digit'], event['via']])).toEqual([
        ['9', 'rfc4733'],
        ['*', 'rfc4733'],
      ]);
      expect(caller.events.find(isCall('ended'))!['end']).toMatchObject({ by: 'local', reason: 'hangup' });
      expect(caller.events.some((event) => event.event === 'quality' && event['codec'] === codec)).toBe(true);
      expectTone(await recordingOf(heard), theirTone.frequencyHz, theirTone.rms, 3);
      expectTone((await bob.receivedRecording()).audio, ourTone.frequencyHz, ourTone.rms, 3);
    });

    it('baresip calls our answer: each hears the other, digits both ways, baresip hangs up', async () => {
      const heard = join(dir, `they-call-${codec}.wav`);
      const callee = softphone([
        'answer',
        ...alice(),
        '--codecs',
        codec,
        '--play',
        ourTone.path,
        '--record',
        heard,
      ]);
      await callee.waitFor(
        (event) => event.event === 'registration' && event['state'] === 'registered',
        STEP_MS,
      );
      await bob.dial(kamailio.uri('alice'));
      const { id } = await bob.waitForEvent(
        'CALL_ESTABLISHED',
        STEP_MS,
        (event) => event.direction === 'outgoing',
      );
      await callee.waitFor(isCall('connected'), STEP_MS);
      await bob.sendDtmf('42');
      await callee.waitFor((event) => event.event === 'dtmf' && event['digit'] === '2', STEP_MS);
      callee.send('{"cmd":"dtmf","digits":"7"}');
      expect((await bob.waitForEvent('CALL_DTMF_START', STEP_MS)).param).toBe('7');
      await waitForAudio(bob, (status) => status.receivedS >= 3, STEP_MS);
      await bob.hangup();
      await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
      const ended = await callee.waitFor(isCall('ended'), STEP_MS);
      expect(ended['end']).toMatchObject({ by: 'remote', reason: 'hangup' });
      expect(await callee.quit()).toBe(0);
      // The run's recording is closed on the way out.
      expect(callee.events.find((event) => event.event === 'recorded')!['seconds']).toBeGreaterThan(2);

      expect(callee.events.filter((event) => event.event === 'dtmf').map((event) => event['digit'])).toEqual([
        '4',
        '2',
      ]);
      expectTone(await recordingOf(heard), theirTone.frequencyHz, theirTone.rms, 3);
      expectTone((await bob.receivedRecording()).audio, ourTone.frequencyHz, ourTone.rms, 3);
    });
  });
});
