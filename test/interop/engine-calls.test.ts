// The engine's calls as the web host runs them (in-process createEngine, commands through the router, the real
// media worker thread, a SQLite store in a temp dir) against baresip 1.0 through the project's Kamailio, which
// challenges the INVITE with 407: we call baresip (answering automatically) and the history row gets the call's
// duration, codec and a MOS; baresip calls our account and `calls.answer` takes it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallDto, CallHistoryEntryDto, HistoryPage } from '../../main/contract/contract';
import type { Engine } from '../../main/services/engine';
import { type ToneFixture, writeToneFixture } from '../support/audio/tone-fixture';
import { type BaresipHandle, startBaresip } from './support/baresip';
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

describe.skipIf(!peers.kamailio || !peers.baresip)('engine calls through Kamailio to baresip', () => {
  let dir: string;
  let tone: ToneFixture;
  let kamailio: KamailioHandle;
  let bob: BaresipHandle;
  const engines: Engine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softphone-engine-calls-'));
    tone = await writeToneFixture(dir, { frequencyHz: 700, amplitude: 0.4, durationS: 30 });
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

  async function start(name: string) {
    const running = await startRecordingEngine(dir, name);
    engines.push(running.engine);
    return running;
  }

  const alice = (engine: Engine, events: Recorded[]) =>
    createAccount({ engine, events }, aliceAccount(kamailio));

  it('we call baresip (INVITE challenged with 407): connected, DTMF, hold and resume, quality with a MOS, history with duration and codec', async () => {
    const { engine, events } = await start('we-call');
    const account = await alice(engine, events);
    const call = value<CallDto>(
      await engine.router.dispatch('calls.dial', [{ target: kamailio.uri('bob'), accountId: account.id }]),
    );
    expect(call).toMatchObject({ state: 'dialing', accountId: account.id, direction: 'outgoing' });
    const connected = await until(events, callIn(call.id, 'connected'));
    expect(connected.answeredAt).not.toBeNull();
    // The first report comes 2 s into the stream; it carries what baresip's tone did to our receiver.
    const quality = await until(events, (event) =>
      event.name === 'call.quality' && event.payload.callId === call.id && event.payload.mos !== null
        ? event.payload
        : undefined,
    );
    expect(quality.receiveBitrate).toBeGreaterThan(0);
    expect(engine.audioPort?.(call.id)).toBeDefined();

    // RFC 4733 digits reach baresip; hold and resume go by re-INVITE through the proxy.
    value(await engine.router.dispatch('calls.sendDtmf', [call.id, '5']));
    expect((await bob.waitForEvent('CALL_DTMF_START', STEP_MS)).param).toBe('5');
    expect(value<CallDto>(await engine.router.dispatch('calls.hold', [call.id])).id).toBe(call.id);
    await until(events, callIn(call.id, 'on-hold'));
    value(await engine.router.dispatch('calls.resume', [call.id]));
    const resumed = events.findIndex((event) => callIn(call.id, 'on-hold')(event) !== undefined);
    await until(events, (event) =>
      events.indexOf(event) > resumed ? callIn(call.id, 'connected')(event) : undefined,
    );

    value(await engine.router.dispatch('calls.hangup', [call.id]));
    const ended = await until(events, callIn(call.id, 'ended'));
    expect(ended.end).toMatchObject({ by: 'local', reason: 'hangup' });
    await bob.waitForEvent('CALL_CLOSED', STEP_MS);

    const page = value<HistoryPage>(
      await engine.router.dispatch('history.list', [{ limit: 10, before: null }]),
    );
    const entry: CallHistoryEntryDto | undefined = page.entries.find((row) => row.id === call.id);
    expect(entry).toMatchObject({
      accountId: account.id,
      direction: 'outgoing',
      peerUri: kamailio.uri('bob'),
      codec: quality.codec,
      end: { reason: 'hangup' },
    });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(entry!.quality?.mos).toBeGreaterThan(1);
  });

  it('a direct call to baresip by its address, without any account or proxy', async () => {
    const { engine, events } = await start('direct');
    const call = value<CallDto>(
      await engine.router.dispatch('calls.dial', [{ target: bob.directUri, accountId: null }]),
    );
    expect(call.accountId).toBeNull();
    await until(events, callIn(call.id, 'connected'));
    value(await engine.router.dispatch('calls.hangup', [call.id]));
    expect((await until(events, callIn(call.id, 'ended'))).end).toMatchObject({
      by: 'local',
      reason: 'hangup',
    });
    await bob.waitForEvent('CALL_CLOSED', STEP_MS);
  });

  it('baresip calls our account: incoming, taken by calls.answer, ended by baresip', async () => {
    const { engine, events } = await start('they-call');
    const account = await alice(engine, events);
    await bob.dial(kamailio.uri('alice'));
    const incoming = await until(events, callIn(null, 'incoming'));
    expect(incoming).toMatchObject({ direction: 'incoming', accountId: account.id });
    expect(incoming.peerUri).toContain('bob');

    value(await engine.router.dispatch('calls.answer', [incoming.id]));
    await until(events, callIn(incoming.id, 'connected'));
    const { id } = await bob.waitForEvent(
      'CALL_ESTABLISHED',
      STEP_MS,
      (event) => event.direction === 'outgoing',
    );
    expect(value<CallDto[]>(await engine.router.dispatch('calls.list', []))).toMatchObject([
      { id: incoming.id, state: 'connected' },
    ]);

    await bob.hangup();
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    const ended = await until(events, callIn(incoming.id, 'ended'));
    expect(ended.end).toMatchObject({ by: 'remote', reason: 'hangup' });
    const page = value<HistoryPage>(
      await engine.router.dispatch('history.list', [{ limit: 10, before: null }]),
    );
    expect(page.entries.find((row) => row.id === incoming.id)).toMatchObject({
      direction: 'incoming',
      accountId: account.id,
    });
  });
});
