// SIP INFO DTMF (application/dtmf-relay: Signal= and Duration=) from the engine to baresip 1.0 through the project's
// Kamailio, on a call we place and on one baresip places to us. `calls.sendDtmf` sends RFC 4733 events when the
// call's stream has a telephone-event payload and falls back to INFO, one request per digit, when the stream refuses
// them (`no-telephone-event`). baresip 1.0 always offers and answers telephone-event/8000 (even beside Opus), so no
// call with it ends up without one: here the engine runs its real media worker behind a wrapper that starts every
// stream without the telephone-event payload, which is what a far end without RFC 4733 would give; everything else
// (SIP, Kamailio, baresip) is real.
//
// Measured: baresip answers each INFO 200 and reports CALL_DTMF_START with the digit; it never reports
// CALL_DTMF_END for an INFO digit (only for RFC 4733 ones).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallDto } from '../../main/contract/contract';
import { MediaWorkerHost } from '../../main/media/session/media-worker-host';
import type { StreamParams } from '../../main/media/session/media-worker-protocol';
import type { Engine } from '../../main/services/engine';
import type { ClosableMediaWorker } from '../../main/services/worker-media-port';
import { writeToneFixture } from '../support/audio/tone-fixture';
import { type BaresipHandle, startBaresip } from './support/baresip';
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
const DIGITS = '1#9*';

/** The stream as if the far end had answered without telephone-event: RFC 4733 is refused, INFO is left. */
function withoutTelephoneEvent(params: StreamParams): StreamParams {
  const { telephoneEvent: _dropped, ...rest } = params;
  return rest;
}

/** The real media worker, except that no stream it starts can send RFC 4733 events. */
function mediaWorkerWithoutTelephoneEvents(): ClosableMediaWorker {
  const host = new MediaWorkerHost();
  return {
    allocate: (callId, bindAddress) => host.allocate(callId, bindAddress),
    audioPort: (callId) => host.audioPort(callId),
    start: (callId, params) => host.start(callId, withoutTelephoneEvent(params)),
    update: (callId, params) => host.update(callId, withoutTelephoneEvent(params)),
    setMuted: (callId, muted) => host.setMuted(callId, muted),
    sendDtmf: (callId, digits) => host.sendDtmf(callId, digits),
    stop: (callId) => host.stop(callId),
    onEvent: (listener) => host.onEvent(listener),
    close: () => host.close(),
  };
}

describe.skipIf(!peers.kamailio || !peers.baresip)('engine INFO DTMF through Kamailio to baresip', () => {
  let dir: string;
  let kamailio: KamailioHandle;
  let bob: BaresipHandle;
  const engines: Engine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softphone-engine-info-dtmf-'));
    const tone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4, durationS: 30 });
    kamailio = await startKamailio({
      users: ['alice', 'bob'].map((username) => ({ username, password: `${username}-pw` })),
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
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.shutdown(2_000);
  });

  afterAll(async () => {
    await bob?.stop();
    await kamailio?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function start(register: boolean) {
    const running = await startRecordingEngine(dir, 'engine', {
      mediaWorker: mediaWorkerWithoutTelephoneEvents(),
    });
    engines.push(running.engine);
    const account = await createAccount(running, aliceAccount(kamailio, { register }));
    return { ...running, account };
  }

  /** Sends DIGITS on the call and checks each went as one INFO that baresip answered 200 and reported. */
  async function sendAndCheck(engine: Engine, callId: string, sipCallId: string): Promise<void> {
    value(await engine.router.dispatch('calls.sendDtmf', [callId, DIGITS]));
    const reported: string[] = [];
    for (let index = 0; index < DIGITS.length; index += 1)
      reported.push((await bob.waitForEvent('CALL_DTMF_START', STEP_MS)).param ?? '');
    expect(reported).toEqual([...DIGITS]);

    const trace = tracedMessages(await bob.readLog()).filter(
      (message) => header(message, 'Call-ID') === sipCallId,
    );
    const infos = trace.filter((message) => message.startLine.startsWith('INFO '));
    // Through the proxy, which record-routed the call (RFC 3261 §12.2.1.1), whichever side we are.
    expect(infos.map((message) => message.from)).toEqual([...DIGITS].map(() => `127.0.0.1:${kamailio.port}`));
    expect(infos.map((message) => header(message, 'Content-Type'))).toEqual(
      [...DIGITS].map(() => 'application/dtmf-relay'),
    );
    // The body (dtmf-relay as SIP INFO phones use it): one digit and how long it lasts.
    expect(infos.map((message) => message.text.split('\n\n')[1]?.trim().split('\n'))).toEqual(
      [...DIGITS].map((digit) => [`Signal=${digit}`, 'Duration=160']),
    );
    const answers = trace.filter(
      (message) =>
        message.startLine.startsWith('SIP/2.0 ') && /^\d+ INFO$/.test(header(message, 'CSeq') ?? ''),
    );
    expect(answers.map((message) => message.startLine)).toEqual([...DIGITS].map(() => 'SIP/2.0 200 OK'));
  }

  async function hangUp(
    engine: Engine,
    events: Recorded[],
    callId: string,
    sipCallId: string,
  ): Promise<void> {
    value(await engine.router.dispatch('calls.hangup', [callId]));
    expect((await until(events, callIn(callId, 'ended'))).end).toMatchObject({
      by: 'local',
      reason: 'hangup',
    });
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === sipCallId);
  }

  it('we call baresip: digits go as INFO application/dtmf-relay, each answered 200 and reported', async () => {
    const { engine, events, account } = await start(false);
    const call = value<CallDto>(
      await engine.router.dispatch('calls.dial', [{ target: kamailio.uri('bob'), accountId: account.id }]),
    );
    await until(events, callIn(call.id, 'connected'));
    const leg = await bob.waitForEvent('CALL_ESTABLISHED', STEP_MS);
    await sendAndCheck(engine, call.id, leg.id!);
    await hangUp(engine, events, call.id, leg.id!);
    // baresip 1.0 reports the start of an INFO digit only.
    expect(bob.events.filter((event) => event.type === 'CALL_DTMF_END')).toEqual([]);
  });

  it('baresip calls us: the INFO goes back along its route set (we are the callee) and is reported the same', async () => {
    const { engine, events } = await start(true);
    await bob.dial(kamailio.uri('alice'));
    const incoming = await until(events, (event) =>
      event.name === 'call.changed' && event.payload.state === 'incoming' ? event.payload : undefined,
    );
    value(await engine.router.dispatch('calls.answer', [incoming.id]));
    await until(events, callIn(incoming.id, 'connected'));
    const leg = await bob.waitForEvent(
      'CALL_ESTABLISHED',
      STEP_MS,
      (event) => event.direction === 'outgoing',
    );
    await sendAndCheck(engine, incoming.id, leg.id!);
    await hangUp(engine, events, incoming.id, leg.id!);
    expect(bob.events.filter((event) => event.type === 'CALL_DTMF_END')).toEqual([]);
  });
});
