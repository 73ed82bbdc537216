// Attended transfer from `softphone call`'s stdin (RFC 5589 §7: REFER with Replaces, RFC 3515 and RFC 3891), with
// baresip 1.0 as both other parties through the project's Kamailio. What each phone saw is read off baresip's own
// SIP trace.
//
// baresip 1.0 accepts the REFER and reports progress by NOTIFY message/sipfrag, but does not honour Replaces (see
// test/interop/engine-transfer-attended.test.ts): bob calls carol with a plain INVITE, so carol never ends our
// consultation call herself. So what is proven here is our side: the REFER goes in the first call with the
// consultation dialog's ids in the Refer-To's Replaces, the sipfrag progress arrives, the first call ends
// `transferred` by our BYE and, carol not having replaced it, so does the consultation call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ToneFixture, writeToneFixture } from '../../support/audio/tone-fixture';
import { type BaresipHandle, startBaresip } from '../support/baresip';
import { header, tracedMessages } from '../support/baresip-trace';
import { type KamailioHandle, peersAvailable, startKamailio } from '../support/kamailio';
import { type CliEvent, type SoftphoneProcess, runSoftphone } from '../support/softphone-cli';

const peers = peersAvailable();
const STEP_MS = 15_000;

const callIn =
  (callId: string, state: string) =>
  (event: CliEvent): boolean =>
    event.event === 'call' && event['callId'] === callId && event['state'] === state;

describe.skipIf(!peers.kamailio || !peers.baresip)(
  'softphone attended transfer from stdin, against baresip',
  () => {
    let dir: string;
    let tone: ToneFixture;
    let kamailio: KamailioHandle;
    let bob: BaresipHandle;
    let carol: BaresipHandle;
    const processes: SoftphoneProcess[] = [];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'softphone-attended-'));
      tone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4, durationS: 30 });
      kamailio = await startKamailio({
        users: ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-pw` })),
      });
      const phone = (name: string) =>
        startBaresip({
          source: tone.path,
          account: {
            aor: kamailio.uri(name),
            password: `${name}-pw`,
            outboundProxy: kamailio.proxyUri(),
            answerMode: 'auto',
            codecs: ['pcmu'],
          },
          sipTrace: true,
        });
      bob = await phone('bob');
      carol = await phone('carol');
    });

    afterEach(async () => {
      for (const process of processes.splice(0)) process.kill();
      await bob?.hangup().catch(() => undefined);
      await carol?.hangup().catch(() => undefined);
    });

    afterAll(async () => {
      await bob?.stop();
      await carol?.stop();
      await kamailio?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    /** `softphone call bob` as alice through Kamailio; resolves once both ends are up. */
    async function callBob(): Promise<{ alice: SoftphoneProcess; first: string; bobLeg: string }> {
      const alice = runSoftphone([
        'call',
        kamailio.uri('bob'),
        '--aor',
        kamailio.uri('alice'),
        '--password',
        'alice-pw',
        '--proxy',
        kamailio.proxyUri(),
        '--codecs',
        'pcmu',
      ]);
      processes.push(alice);
      const connected = await alice.waitFor(
        (event) => event.event === 'call' && event['state'] === 'connected',
        STEP_MS,
      );
      const bobLeg = await bob.waitForEvent(
        'CALL_ESTABLISHED',
        STEP_MS,
        (event) => event.direction === 'incoming',
      );
      return { alice, first: String(connected['callId']), bobLeg: bobLeg.id! };
    }

    it('call, then transfer with replaces: bob gets a REFER naming our dialog with carol; both our calls end transferred', async () => {
      const { alice, first, bobLeg } = await callBob();
      alice.send(JSON.stringify({ cmd: 'call', target: kamailio.uri('carol') }));
      const current = await alice.waitFor((event) => event.event === 'current', STEP_MS);
      const consultation = String(current['callId']);
      expect(consultation).not.toBe(first);
      await alice.waitFor(callIn(first, 'on-hold'), STEP_MS);
      const consulted = await alice.waitFor(callIn(consultation, 'connected'), STEP_MS);
      const carolLeg = await carol.waitForEvent('CALL_ESTABLISHED', STEP_MS);
      expect(carolLeg.id).toBe(consulted['sipCallId']);

      alice.send(JSON.stringify({ cmd: 'transfer', replaces: true }));
      expect(await alice.exited()).toBe(0);
      const endOf = (callId: string) => alice.events.find(callIn(callId, 'ended'))?.['end'];
      expect(endOf(first)).toMatchObject({ by: 'local', reason: 'transferred' });
      expect(endOf(consultation)).toMatchObject({ by: 'local', reason: 'transferred' });
      const progress = alice.events.filter((event) => event.event === 'transfer');
      expect(
        progress.every((event) => event['callId'] === first && event['consultationCallId'] === consultation),
      ).toBe(true);
      expect(progress[0]).toMatchObject({ role: 'transferor', state: 'accepted' });
      expect(progress.at(-1)).toMatchObject({ state: 'succeeded', status: 200 });

      // bob: the REFER came in his call with us, its Refer-To carol's contact with our dialog with her as she sees it
      // (RFC 3891 §6.1: to-tag hers, from-tag ours), and he reported progress as message/sipfrag.
      await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === bobLeg);
      const bobTrace = tracedMessages(await bob.readLog());
      const refer = bobTrace.find(
        (message) => message.startLine.startsWith('REFER ') && header(message, 'Call-ID') === bobLeg,
      );
      expect(refer).toBeDefined();
      const referTo = header(refer!, 'Refer-To')!;
      expect(referTo).toContain(`?Replaces=${encodeURIComponent(carolLeg.id!)}%3Bto-tag%3D`);
      expect(referTo).toMatch(/%3Bfrom-tag%3D/);
      expect(header(refer!, 'Referred-By')).toContain(kamailio.uri('alice'));
      const carolTrace = tracedMessages(await carol.readLog());
      const carolInvite = carolTrace.find(
        (message) => message.startLine.startsWith('INVITE ') && header(message, 'Call-ID') === carolLeg.id,
      )!;
      const tagOf = (value: string | undefined) => /;tag=([^;\s]+)/.exec(value ?? '')?.[1];
      const ourTag = tagOf(header(carolInvite, 'From'));
      expect(ourTag).toBeDefined();
      expect(referTo).toContain(`%3Bfrom-tag%3D${encodeURIComponent(ourTag!)}`);
      const notifies = bobTrace.filter(
        (message) => message.startLine.startsWith('NOTIFY ') && header(message, 'Call-ID') === bobLeg,
      );
      expect(notifies.map((message) => header(message, 'Content-Type'))).toEqual(
        notifies.map(() => 'message/sipfrag'),
      );
      expect(notifies.map((message) => message.text.trim().split('\n').at(-1))).toEqual([
        'SIP/2.0 100 Trying',
        'SIP/2.0 200 OK',
      ]);
      // carol: our consultation call ended by our BYE, since bob's plain INVITE did not replace it.
      await carol.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === carolLeg.id);
      expect(
        tracedMessages(await carol.readLog()).some(
          (message) => message.startLine.startsWith('BYE ') && header(message, 'Call-ID') === carolLeg.id,
        ),
      ).toBe(true);
      // bob and carol now talk to each other.
      await bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, (event) => event.direction === 'outgoing');
      await carol.waitForEvent('CALL_ESTABLISHED', STEP_MS, (event) => event.peeruri === kamailio.uri('bob'));
      await bob.hangup();
      await carol.waitForEvent('CALL_CLOSED', STEP_MS);
    });

    it('transfer with a dialog id given on stdin: the Refer-To carries exactly that Replaces', async () => {
      const { alice, first, bobLeg } = await callBob();
      const replaces = 'consult-7f3a@192.0.2.9;to-tag=carol-1;from-tag=dave-2';
      alice.send(JSON.stringify({ cmd: 'transfer', target: kamailio.uri('carol'), replaces }));
      await alice.waitFor((event) => event.event === 'transfer' && event['state'] === 'accepted', STEP_MS);
      expect(await alice.exited()).toBe(0);
      expect(alice.events.find(callIn(first, 'ended'))?.['end']).toMatchObject({
        by: 'local',
        reason: 'transferred',
      });
      await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === bobLeg);
      const refer = tracedMessages(await bob.readLog()).find(
        (message) => message.startLine.startsWith('REFER ') && header(message, 'Call-ID') === bobLeg,
      );
      expect(header(refer!, 'Refer-To')).toContain(`?Replaces=${encodeURIComponent(replaces)}`);
      await bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, (event) => event.direction === 'outgoing');
      await carol.waitForEvent('CALL_ESTABLISHED', STEP_MS, (event) => event.peeruri === kamailio.uri('bob'));
      await bob.hangup();
    });
  },
);
