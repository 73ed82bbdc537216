// Proves the call interop harness with baresip calling baresip: through the project's Kamailio (registration,
// the 407 on INVITE, record-routing, in-dialog requests along the route set) and directly by IP. Each phone plays
// its own tone, so what one records can be judged against what the other played.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peersAvailable, startKamailio, type KamailioHandle } from '../support/kamailio';
import { startBaresip, type BaresipCodec, type BaresipHandle } from '../support/baresip';
import { writeToneFixture, type ToneFixture } from '../../support/audio/tone-fixture';
import { endCall, expectTone, placeCall, waitForAudio } from './call-helpers';

const peers = peersAvailable();

describe.skipIf(!peers.kamailio || !peers.baresip)('baresip calls through Kamailio', () => {
  let fixtureDir: string;
  let aliceTone: ToneFixture;
  let bobTone: ToneFixture;
  let kamailio: KamailioHandle;
  let alice: BaresipHandle;
  let bob: BaresipHandle;
  const started: BaresipHandle[] = [];

  async function phone(
    user: string,
    source: ToneFixture,
    extra: { codecs?: readonly BaresipCodec[]; register?: boolean; answerMode?: 'auto' | 'manual' } = {},
  ): Promise<BaresipHandle> {
    const handle = await startBaresip({
      source: source.path,
      sipTrace: true,
      account: {
        aor: kamailio.uri(user),
        password: `${user}-pw`,
        outboundProxy: kamailio.proxyUri(),
        ...extra,
      },
    });
    started.push(handle);
    return handle;
  }

  beforeAll(async () => {
    fixtureDir = await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    aliceTone = await writeToneFixture(fixtureDir, { frequencyHz: 1000 });
    bobTone = await writeToneFixture(fixtureDir, { frequencyHz: 700, amplitude: 0.4 });
    kamailio = await startKamailio({
      users: ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-pw` })),
    });
    [alice, bob] = await Promise.all([phone('alice', aliceTone), phone('bob', bobTone)]);
  });

  afterAll(async () => {
    await Promise.all(started.map((handle) => handle.stop()));
    await kamailio?.stop();
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  it('registers both phones with Kamailio', async () => {
    const bindings = await kamailio.ulDump();
    expect(bindings.map((binding) => binding.aor).sort()).toEqual(['alice', 'bob']);
    expect(bindings.every((binding) => /^baresip v1\.0/.test(binding.userAgent ?? ''))).toBe(true);
  });

  it('connects a call whose INVITE Kamailio challenges, and each phone hears the other tone (PCMU)', async () => {
    const id = await placeCall(alice, bob, kamailio.uri('bob'));
    const log = await alice.readLog();
    expect(log).toMatch(/SIP\/2\.0 407 Proxy Authentication Required/);
    expect(log).toMatch(
      /^INVITE sip:bob@example\.test SIP\/2\.0[\s\S]*?Proxy-Authorization: Digest username="alice"/m,
    );
    // The proxy stays on the path of in-dialog requests (Record-Route), so the ACK went to it.
    expect(log).toMatch(new RegExp(`^Record-Route: <sip:127\\.0\\.0\\.1:${kamailio.port};lr`, 'm'));

    await Promise.all([alice, bob].map((phone) => waitForAudio(phone, (status) => status.receivedS >= 1.6)));
    const [aliceStatus, bobStatus] = await Promise.all([alice.audioStatus(), bob.audioStatus()]);
    expect(aliceStatus.decoder).toBe('PCMU 8000Hz/1ch');
    expect(bobStatus.direction).toBe('sendrecv');
    await endCall(alice, bob, id);

    const heardByBob = await bob.receivedRecording();
    expect(heardByBob.audio.sampleRate).toBe(8000);
    expectTone(heardByBob.audio, aliceTone.frequencyHz, aliceTone.rms, 3);
    expectTone((await alice.receivedRecording()).audio, bobTone.frequencyHz, bobTone.rms, 3);
  });

  it('carries RFC 4733 DTMF both ways', async () => {
    const id = await placeCall(alice, bob, kamailio.uri('bob'));
    await alice.sendDtmf('1#');
    const toBob = [await bob.waitForEvent('CALL_DTMF_START'), await bob.waitForEvent('CALL_DTMF_START')];
    expect(toBob.map((event) => event.param)).toEqual(['1', '#']);
    await bob.sendDtmf('9*');
    const toAlice = [
      await alice.waitForEvent('CALL_DTMF_START'),
      await alice.waitForEvent('CALL_DTMF_START'),
    ];
    expect(toAlice.map((event) => event.param)).toEqual(['9', '*']);
    await bob.waitForEvent('CALL_DTMF_END');
    await endCall(bob, alice, id);
  });

  it('holds and resumes: the held side stops receiving audio, then hears it again', async () => {
    const id = await placeCall(alice, bob, kamailio.uri('bob'));
    await waitForAudio(bob, (status) => status.receivedS >= 0.5);
    await alice.hold();
    // The re-INVITE travelled the route set: bob now only receives, and nothing arrives.
    const held = await waitForAudio(bob, (status) => status.direction === 'recvonly');
    // Judge "nothing arrives" on bob's own audio clock: 0.6 s of sending without a frame received.
    const later = await waitForAudio(bob, (status) => status.sentS >= held.sentS + 0.6);
    expect(later.receivedS - held.receivedS).toBeLessThan(0.1);
    await alice.resume();
    const resumed = await waitForAudio(bob, (status) => status.direction === 'sendrecv');
    await waitForAudio(bob, (status) => status.receivedS >= resumed.receivedS + 0.5);
    await endCall(bob, alice, id);
  });

  it('reports a call refused while ringing, and a call cancelled before the answer', async () => {
    await alice.dial(kamailio.uri('bob'));
    const refused = await bob.waitForEvent('CALL_INCOMING');
    await bob.hangup();
    const closed = await alice.waitForEvent('CALL_CLOSED', 10_000, (event) => event.id === refused.id);
    expect(closed.param).toMatch(/^486 /);
    await bob.waitForEvent('CALL_CLOSED', 10_000, (event) => event.id === refused.id);

    await alice.dial(kamailio.uri('bob'));
    const ringing = await bob.waitForEvent('CALL_INCOMING');
    await alice.waitForEvent('CALL_RINGING', 10_000, (event) => event.id === ringing.id);
    await alice.hangup();
    // baresip calls a received CANCEL "Connection reset by peer" (and its own "... by user"): the SIP traces
    // show what went through the proxy.
    await bob.waitForEvent('CALL_CLOSED', 10_000, (event) => event.id === ringing.id);
    expect(await bob.readLog()).toMatch(/^CANCEL sip:bob-\S+@127\.0\.0\.1:\d+ SIP\/2\.0/m);
    await alice.waitForEvent('CALL_CLOSED', 10_000, (event) => event.id === ringing.id);
    // The INVITE ended with 487 relayed back through the proxy (RFC 3261 §9.2).
    await expect.poll(() => alice.readLog()).toMatch(/^SIP\/2\.0 487 /m);
  });

  it('transfers blind: bob sends alice to carol with REFER, and alice’s new call goes through the proxy', async () => {
    const carol = await phone('carol', bobTone, { answerMode: 'auto' });
    const id = await placeCall(alice, bob, kamailio.uri('bob'));
    await bob.transfer(kamailio.uri('carol'));
    const transferred = await carol.waitForEvent('CALL_ESTABLISHED');
    expect(transferred.peeruri).toBe(kamailio.uri('alice'));
    expect(transferred.id).not.toBe(id);
    await alice.waitForEvent('CALL_ESTABLISHED', 10_000, (event) => event.id === transferred.id);
    // The REFER went along the route set; bob's leg ends once the transfer is under way.
    expect(await alice.readLog()).toMatch(
      /^REFER sip:alice-\S+ SIP\/2\.0[\s\S]*?^Refer-To: <?sip:carol@example\.test/m,
    );
    await bob.waitForEvent('CALL_CLOSED', 10_000, (event) => event.id === id);
    await alice.waitForEvent('CALL_CLOSED', 10_000, (event) => event.id === id);
    await waitForAudio(carol, (status) => status.receivedS >= 0.5);
    await endCall(carol, alice, transferred.id!);
    await carol.stop();
  });

  it.each<[BaresipCodec, number, number]>([
    ['opus', 48_000, 2],
    ['pcma', 8_000, 1],
  ])('calls with %s only, from a phone that does not register', async (codec, rate, channels) => {
    // carol only sends through the proxy: her INVITE is authenticated, her contact never registered.
    const carol = await phone('carol', aliceTone, { codecs: [codec], register: false });
    const id = await placeCall(carol, bob, kamailio.uri('bob'));
    await waitForAudio(bob, (status) => status.receivedS >= 1.6);
    expect((await bob.audioStatus()).decoder).toMatch(new RegExp(`^${codec}`, 'i'));
    await endCall(carol, bob, id);
    const heard = await bob.receivedRecording();
    expect([heard.audio.sampleRate, heard.audio.channels]).toEqual([rate, channels]);
    expectTone(heard.audio, aliceTone.frequencyHz, aliceTone.rms, 3);
    await carol.stop();
  });
});

describe.skipIf(!peers.baresip)('baresip calls by IP, without a proxy', () => {
  let fixtureDir: string;
  const started: BaresipHandle[] = [];

  afterAll(async () => {
    await Promise.all(started.map((handle) => handle.stop()));
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  it('calls sip:user@127.0.0.1:port directly and each tone arrives', async () => {
    fixtureDir = await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    const tone = await writeToneFixture(fixtureDir, { frequencyHz: 1000 });
    // dora's microphone is an 8 kHz stereo file: aufile reads it as it is when ausrc says so.
    const narrowStereo = await writeToneFixture(fixtureDir, {
      frequencyHz: 600,
      sampleRate: 8000,
      channels: 2,
    });
    const [dora, eve] = await Promise.all([
      startBaresip({
        source: narrowStereo.path,
        sourceRate: 8000,
        sourceChannels: 2,
        account: { aor: 'sip:dora@127.0.0.1' },
      }),
      startBaresip({ source: tone.path, account: { aor: 'sip:eve@127.0.0.1', answerMode: 'auto' } }),
    ]);
    started.push(dora, eve);
    const id = await placeCall(dora, eve, eve.directUri);
    await Promise.all([dora, eve].map((phone) => waitForAudio(phone, (status) => status.receivedS >= 1.1)));
    await endCall(eve, dora, id);
    expectTone((await eve.receivedRecording()).audio, narrowStereo.frequencyHz, narrowStereo.rms, 2);
    expectTone((await dora.receivedRecording()).audio, tone.frequencyHz, tone.rms, 2);
  });
});
