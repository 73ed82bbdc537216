// The `softphone` call commands against baresip 1.0 beyond a plain call (PCMU): hold and resume from either side
// (audio stops, then returns), busy (486) and decline (603), CANCEL before the answer, and a direct call to baresip
// by IP without Kamailio. Our side runs as a child process; its stdin carries the call controls.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../support/audio/wav-files';
import { type ToneFixture, writeToneFixture } from '../../support/audio/tone-fixture';
import { expectTone, waitForAudio } from '../baresip/call-helpers';
import { type BaresipHandle, startBaresip } from '../support/baresip';
import { type KamailioHandle, peersAvailable, startKamailio } from '../support/kamailio';
import { type CliEvent, type SoftphoneProcess, runSoftphone } from '../support/softphone-cli';

const peers = peersAvailable();
const STEP_MS = 15_000;

const isCall =
  (state: string) =>
  (event: CliEvent): boolean =>
    event.event === 'call' && event['state'] === state;

describe.skipIf(!peers.kamailio || !peers.baresip)('softphone call control against baresip', () => {
  let dir: string;
  let ourTone: ToneFixture;
  let theirTone: ToneFixture;
  let kamailio: KamailioHandle;
  let bob: BaresipHandle;
  const processes: SoftphoneProcess[] = [];
  const phones: BaresipHandle[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softphone-control-'));
    ourTone = await writeToneFixture(dir, { frequencyHz: 1000, durationS: 20 });
    theirTone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4 });
    kamailio = await startKamailio({
      users: ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-pw` })),
    });
    bob = await startBaresip({
      source: theirTone.path,
      account: {
        aor: kamailio.uri('bob'),
        password: 'bob-pw',
        outboundProxy: kamailio.proxyUri(),
        codecs: ['pcmu'],
      },
    });
    phones.push(bob);
  });

  afterEach(async () => {
    for (const process of processes.splice(0)) process.kill();
    // A test that failed midway may leave bob in a call: end it, so the next test starts from a quiet phone.
    await bob?.hangup().catch(() => undefined);
  });

  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.stop()));
    await kamailio?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  function softphone(args: readonly string[]): SoftphoneProcess {
    const process = runSoftphone(args);
    processes.push(process);
    return process;
  }

  function alice(): string[] {
    return ['--aor', kamailio.uri('alice'), '--password', 'alice-pw', '--proxy', kamailio.proxyUri()];
  }

  /** We call bob; resolves once both ends are up, with baresip's call id. */
  async function callBob(extra: readonly string[] = []): Promise<{ caller: SoftphoneProcess; id: string }> {
    const caller = softphone(['call', kamailio.uri('bob'), ...alice(), '--play', ourTone.path, ...extra]);
    const { id } = await bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await bob.answer();
    await bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, (event) => event.id === id);
    await caller.waitFor(isCall('connected'), STEP_MS);
    return { caller, id: id! };
  }

  it('our hold stops the audio baresip hears and our resume brings it back', async () => {
    const { caller, id } = await callBob();
    await waitForAudio(bob, (status) => status.receivedS >= 0.5);
    caller.send('{"cmd":"hold"}');
    await caller.waitFor(isCall('on-hold'), STEP_MS);
    const held = await waitForAudio(bob, (status) => status.direction === 'recvonly');
    // Judged on bob's own audio clock: 0.6 s of its sending without a frame received from us.
    const later = await waitForAudio(bob, (status) => status.sentS >= held.sentS + 0.6);
    expect(later.receivedS - held.receivedS).toBeLessThan(0.1);
    caller.send('{"cmd":"resume"}');
    const resumedAt = caller.events.length;
    await caller.waitFor(isCall('connected'), STEP_MS, resumedAt);
    const resumed = await waitForAudio(bob, (status) => status.direction === 'sendrecv');
    await waitForAudio(bob, (status) => status.receivedS >= resumed.receivedS + 0.5);
    caller.send('{"cmd":"hangup"}');
    expect(await caller.exited()).toBe(0);
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
  });

  it("baresip's hold shows as held-by-remote, its resume as connected, and our recording has its tone again", async () => {
    const heard = join(dir, 'held-by-bob.wav');
    const { caller, id } = await callBob(['--record', heard]);
    await waitForAudio(bob, (status) => status.receivedS >= 0.5);
    await bob.hold();
    await caller.waitFor(isCall('held-by-remote'), STEP_MS);
    const resumedAt = caller.events.length;
    await bob.resume();
    await caller.waitFor(isCall('connected'), STEP_MS, resumedAt);
    const resumed = await waitForAudio(bob, (status) => status.direction === 'sendrecv');
    await waitForAudio(bob, (status) => status.sentS >= resumed.sentS + 1.5);
    await bob.hangup();
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    expect(await caller.exited()).toBe(0);
    expect(caller.events.find(isCall('ended'))!['end']).toMatchObject({ by: 'remote', reason: 'hangup' });
    // Whatever the held stretch held, every half-second with sound is bob's tone.
    expectTone(await readWavFile(heard), theirTone.frequencyHz, theirTone.rms, 2);
  });

  it('busy: baresip refuses the ringing call with 486, we end busy and exit 1', async () => {
    const caller = softphone(['call', kamailio.uri('bob'), ...alice()]);
    const { id } = await bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await bob.hangup();
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    expect(await caller.exited()).toBe(1);
    expect(caller.events.find(isCall('ended'))!['end']).toMatchObject({
      by: 'remote',
      reason: 'busy',
      status: 486,
    });
  });

  it('decline: our answer --reject 603 refuses baresip, which hears 603', async () => {
    const callee = softphone(['answer', ...alice(), '--reject', '603']);
    await callee.waitFor(
      (event) => event.event === 'registration' && event['state'] === 'registered',
      STEP_MS,
    );
    await bob.dial(kamailio.uri('alice'));
    const closed = await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.direction === 'outgoing');
    expect(closed.param).toMatch(/^603 /);
    const ended = await callee.waitFor(isCall('ended'), STEP_MS);
    expect(ended['end']).toMatchObject({ by: 'local', reason: 'rejected' });
    expect(await callee.quit()).toBe(0);
  });

  it('CANCEL before the answer: quit while baresip rings ends ours cancelled (exit 1) and closes baresip', async () => {
    const caller = softphone(['call', kamailio.uri('bob'), ...alice()]);
    const { id } = await bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await caller.waitFor(isCall('ringing'), STEP_MS);
    caller.send('quit');
    expect(await caller.exited()).toBe(1);
    expect(caller.events.find(isCall('ended'))!['end']).toMatchObject({ by: 'local', reason: 'cancelled' });
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
  });

  it('blind transfer as transferor: we REFER bob to carol, bob calls carol, our call ends transferred', async () => {
    const carol = await startBaresip({
      source: theirTone.path,
      account: {
        aor: kamailio.uri('carol'),
        password: 'carol-pw',
        outboundProxy: kamailio.proxyUri(),
        answerMode: 'auto',
        codecs: ['pcmu'],
      },
    });
    phones.push(carol);
    const { caller, id } = await callBob();
    caller.send(JSON.stringify({ cmd: 'transfer', target: kamailio.uri('carol') }));
    const transferred = await carol.waitForEvent('CALL_ESTABLISHED', STEP_MS);
    expect(transferred.peeruri).toBe(kamailio.uri('bob'));
    expect(await caller.exited()).toBe(0);
    expect(caller.events.find(isCall('ended'))!['end']).toMatchObject({ by: 'local', reason: 'transferred' });
    const progress = caller.events
      .filter((event) => event.event === 'transfer')
      .map((event) => event['state']);
    expect(progress[0]).toBe('accepted');
    expect(progress.at(-1)).toBe('succeeded');
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    await carol.hangup();
    await carol.waitForEvent('CALL_CLOSED', STEP_MS);
    // Stopped here, not after the file: a second phone registered as carol would fork the next transfer's INVITE.
    await carol.stop();
  });

  it('blind transfer as transferee: bob REFERs us to carol, our run follows the new call and records her', async () => {
    const carol = await startBaresip({
      source: ourTone.path,
      account: {
        aor: kamailio.uri('carol'),
        password: 'carol-pw',
        outboundProxy: kamailio.proxyUri(),
        answerMode: 'auto',
        codecs: ['pcmu'],
      },
    });
    phones.push(carol);
    const heard = join(dir, 'transferred.wav');
    const { caller, id } = await callBob(['--record', heard]);
    await bob.transfer(kamailio.uri('carol'));
    const transferred = await carol.waitForEvent('CALL_ESTABLISHED', STEP_MS);
    expect(transferred.peeruri).toBe(kamailio.uri('alice'));
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    await caller.waitFor((event) => event.event === 'transfer' && event['role'] === 'transferee', STEP_MS);
    await waitForAudio(carol, (status) => status.receivedS >= 2);
    await carol.hangup();
    expect(await caller.exited()).toBe(0);
    // The run's recording goes on with the new call: bob's 700 Hz, then carol's tone (she plays ours, 1 kHz).
    const audio = await readWavFile(heard);
    const lastSeconds = audio.samples.subarray(audio.samples.length - audio.sampleRate * 1.5);
    expectTone({ ...audio, samples: lastSeconds }, ourTone.frequencyHz, ourTone.rms, 2);
    await carol.stop();
  });

  it('a direct call to baresip by IP, without Kamailio or an account: tones both ways', async () => {
    const carol = await startBaresip({
      source: theirTone.path,
      account: { aor: 'sip:carol@127.0.0.1', answerMode: 'auto', codecs: ['pcmu'] },
    });
    phones.push(carol);
    const heard = join(dir, 'direct.wav');
    const caller = softphone([
      'call',
      carol.directUri,
      '--play',
      ourTone.path,
      '--record',
      heard,
      '--duration',
      '3',
    ]);
    expect(await caller.exited()).toBe(0);
    expect(caller.events.find((event) => event.event === 'media')).toMatchObject({ codec: 'pcmu' });
    await carol.waitForEvent('CALL_CLOSED', STEP_MS);
    expectTone(await readWavFile(heard), theirTone.frequencyHz, theirTone.rms, 3);
    expectTone((await carol.receivedRecording()).audio, ourTone.frequencyHz, ourTone.rms, 3);
  });
});
