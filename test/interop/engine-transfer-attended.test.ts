// Attended transfer (RFC 5589 §7: REFER with Replaces, RFC 3515 and RFC 3891) by the engine, with baresip 1.0 as
// both other parties through the project's Kamailio: we call bob, hold him, call carol, then `calls.transfer`
// hands bob's call to carol's. What each phone does is read off baresip's own SIP trace (`sipTrace`).
//
// Measured: baresip 1.0 accepts the REFER (202), reports progress as NOTIFY message/sipfrag (100 Trying, then
// 200 OK with the subscription terminated), but does not honour Replaces: it turns the Refer-To's escaped header
// part into the Request-URI and To of a plain INVITE (`?Replaces=<call-id>?to-tag?...`, no Replaces header), so
// carol takes bob as a second call and never sends us the BYE that RFC 3891 §3 would make her send. Our side does
// what the RFCs ask of a transferor: bob's call ends `transferred` once the sipfrag says 200, by our BYE, and our
// call to carol stays up until we hang it up. The reverse role cannot be produced by baresip 1.0: its only
// `transfer` command is a blind REFER (no Replaces), so the engine as transferee or target of an attended transfer
// is proven by the unit tests (test/unit/ua/call/transfer.test.ts, two-calls.test.ts), not here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallDto } from '../../main/contract/contract';
import type { Engine } from '../../main/services/engine';
import { type ToneFixture, writeToneFixture } from '../support/audio/tone-fixture';
import { type BaresipEvent, type BaresipHandle, startBaresip } from './support/baresip';
import { header, tracedMessages } from './support/baresip-trace';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';
import {
  type RecordedEvent as Recorded,
  aliceAccount,
  callReaches as callIn,
  createAccount,
  nextEvent as until,
  resultValue as value,
  startRecordingEngine,
} from './support/engine-harness';

const peers = peersAvailable();
const STEP_MS = 15_000;

describe.skipIf(!peers.kamailio || !peers.baresip)(
  'engine attended transfer through Kamailio between two baresips',
  () => {
    let dir: string;
    let tone: ToneFixture;
    let kamailio: KamailioHandle;
    let bob: BaresipHandle;
    let carol: BaresipHandle;
    const engines: Engine[] = [];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'softphone-engine-calls-'));
      tone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4, durationS: 30 });
      kamailio = await startKamailio({
        users: ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-pw` })),
      });
      bob = await startBaresip({
        source: tone.path,
        account: {
          aor: kamailio.uri('bob'),
          password: 'bob-pw',
          outboundProxy: kamailio.proxyUri(),
          answerMode: 'auto',
        },
        sipTrace: true,
      });
      carol = await startBaresip({
        source: tone.path,
        account: {
          aor: kamailio.uri('carol'),
          password: 'carol-pw',
          outboundProxy: kamailio.proxyUri(),
          answerMode: 'auto',
        },
        sipTrace: true,
      });
    });

    afterEach(async () => {
      for (const engine of engines.splice(0)) await engine.shutdown(2_000);
    });

    afterAll(async () => {
      await bob?.stop();
      await carol?.stop();
      await kamailio?.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    async function start(name: string) {
      const running = await startRecordingEngine(dir, name);
      engines.push(running.engine);
      return running;
    }

    const alice = (engine: Engine, events: Recorded[]) =>
      createAccount({ engine, events }, aliceAccount(kamailio));

    it('bob is handed to carol: REFER with Replaces, sipfrag progress, bob calls carol without Replaces, our calls end right', async () => {
      const { engine, events } = await start('attended');
      const account = await alice(engine, events);
      const toBob = value<CallDto>(
        await engine.router.dispatch('calls.dial', [{ target: kamailio.uri('bob'), accountId: account.id }]),
      );
      await until(events, callIn(toBob.id, 'connected'));
      const bobLeg: BaresipEvent = await bob.waitForEvent('CALL_ESTABLISHED', STEP_MS);
      value(await engine.router.dispatch('calls.hold', [toBob.id]));
      await until(events, callIn(toBob.id, 'on-hold'));
      const toCarol = value<CallDto>(
        await engine.router.dispatch('calls.dial', [
          { target: kamailio.uri('carol'), accountId: account.id },
        ]),
      );
      await until(events, callIn(toCarol.id, 'connected'));
      const carolLeg = await carol.waitForEvent('CALL_ESTABLISHED', STEP_MS);

      value(
        await engine.router.dispatch('calls.transfer', [toBob.id, { kind: 'attended', callId: toCarol.id }]),
      );
      await until(events, callIn(toBob.id, 'transferring'));
      const transferred = await until(events, callIn(toBob.id, 'ended'));
      expect(transferred.end).toMatchObject({ by: 'local', reason: 'transferred' });
      const shown = events.flatMap((event) =>
        event.name === 'call.changed' && event.payload.id === toBob.id ? [event.payload.state] : [],
      );
      // Once transferring, the call never shows on hold again before it ends.
      expect(shown.slice(shown.indexOf('transferring')).filter((state) => state !== 'transferring')).toEqual([
        'ended',
      ]);

      // Bob: the REFER arrives and he calls carol by himself.
      expect((await bob.waitForEvent('TRANSFER', STEP_MS)).id).toBe(bobLeg.id);
      const bobToCarol = await bob.waitForEvent(
        'CALL_ESTABLISHED',
        STEP_MS,
        (event) => event.direction === 'outgoing',
      );
      expect((await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === bobLeg.id)).id).toBe(
        bobLeg.id,
      );
      const carolFromBob = await carol.waitForEvent(
        'CALL_ESTABLISHED',
        STEP_MS,
        (event) => event.id === bobToCarol.id,
      );
      expect(carolFromBob.peeruri).toBe(kamailio.uri('bob'));

      const bobTrace = tracedMessages(await bob.readLog());
      // What we sent (RFC 3891 §6.1): carol's dialog as she sees it, escaped into the Refer-To's header part.
      const refer = bobTrace.find((message) => message.startLine.startsWith('REFER '));
      expect(refer).toBeDefined();
      const referTo = header(refer!, 'Refer-To')!;
      expect(referTo).toContain(`?Replaces=${encodeURIComponent(carolLeg.id!)}%3Bto-tag%3D`);
      expect(referTo).toMatch(/%3Bfrom-tag%3D/);
      expect(header(refer!, 'Referred-By')).toContain(kamailio.uri('alice'));
      expect(bobTrace.find((message) => message.startLine.startsWith('SIP/2.0 202'))).toBeDefined();
      // Progress as message/sipfrag NOTIFYs in bob's call with us (RFC 3515 §2.4.5), the last one final.
      const notifies = bobTrace.filter(
        (message) => message.startLine.startsWith('NOTIFY ') && header(message, 'Call-ID') === bobLeg.id,
      );
      expect(notifies.map((message) => header(message, 'Content-Type'))).toEqual(
        notifies.map(() => 'message/sipfrag'),
      );
      expect(notifies.map((message) => message.text.trim().split('\n').at(-1))).toEqual([
        'SIP/2.0 100 Trying',
        'SIP/2.0 200 OK',
      ]);
      expect(header(notifies.at(-1)!, 'Subscription-State')).toMatch(/^terminated/);
      // Bob's INVITE to carol: what baresip 1.0 makes of the Replaces (no header; the Request-URI carries it).
      const invite = bobTrace.find(
        (message) => message.startLine.startsWith('INVITE ') && header(message, 'Call-ID') === bobToCarol.id,
      );
      expect(invite).toBeDefined();
      expect(header(invite!, 'Replaces')).toBeUndefined();
      expect(invite!.startLine).toContain(`?Replaces=${carolLeg.id!}?to-tag?`);
      // And we end bob's call with a BYE once the sipfrag says 200.
      expect(
        bobTrace.find(
          (message) => message.startLine.startsWith('BYE ') && header(message, 'Call-ID') === bobLeg.id,
        ),
      ).toBeDefined();

      // Carol never replaced our call: it is still up, here and there, until we hang it up.
      expect(carol.events.some((event) => event.type === 'CALL_CLOSED' && event.id === carolLeg.id)).toBe(
        false,
      );
      const listed = value<CallDto[]>(await engine.router.dispatch('calls.list', []));
      expect(listed.find((call) => call.id === toCarol.id)?.state).toBe('connected');
      value(await engine.router.dispatch('calls.hangup', [toCarol.id]));
      expect((await until(events, callIn(toCarol.id, 'ended'))).end).toMatchObject({
        by: 'local',
        reason: 'hangup',
      });
      await carol.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === carolLeg.id);
      await bob.hangup();
      await carol.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === bobToCarol.id);
    });
  },
);
