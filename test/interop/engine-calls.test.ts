// The engine's calls as the web host runs them (in-process createEngine, commands through the router, the real
// media worker thread, a SQLite store in a temp dir) against baresip 1.0 through the project's Kamailio, which
// challenges the INVITE with 407: we call baresip (answering automatically) and the history row gets the call's
// duration, codec and a MOS; baresip calls our account and `calls.answer` takes it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountDto,
  AccountInput,
  CallDto,
  CallHistoryEntryDto,
  EventName,
  Events,
  HistoryPage,
  Result,
} from '../../main/contract/contract';
import { type Engine, createEngine } from '../../main/services/engine';
import { FileKeyCipher } from '../../main/store/file-key-cipher';
import { type ToneFixture, writeToneFixture } from '../support/audio/tone-fixture';
import { type BaresipHandle, startBaresip } from './support/baresip';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';

const peers = peersAvailable();
const STEP_MS = 15_000;

type Recorded = { [E in EventName]: { readonly name: E; readonly payload: Events[E] } }[EventName];

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

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

  async function start(name: string): Promise<{ engine: Engine; events: Recorded[] }> {
    const dataDir = await mkdtemp(join(dir, `${name}-`));
    const engine = await createEngine({
      dataDir,
      secrets: FileKeyCipher.inDirectory(dataDir),
      host: 'web',
      unregisterTimeoutMs: 1_000,
    });
    engines.push(engine);
    const events: Recorded[] = [];
    engine.events.subscribe((eventName, payload) => events.push({ name: eventName, payload } as Recorded));
    return { engine, events };
  }

  /** The next recorded event that `accept` takes (already there or arriving within `ms`). */
  function until<T>(
    events: Recorded[],
    accept: (event: Recorded) => T | undefined,
    ms = STEP_MS,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = Date.now() + ms;
      const poll = () => {
        for (const event of events) {
          const found = accept(event);
          if (found !== undefined) {
            resolve(found);
            return;
          }
        }
        if (Date.now() > deadline)
          reject(new Error(`nothing matched in ${JSON.stringify(events.slice(-20))}`));
        else setTimeout(poll, 50);
      };
      poll();
    });
  }

  const callIn = (callId: string | null, state: CallDto['state']) => (event: Recorded) =>
    event.name === 'call.changed' &&
    (callId === null || event.payload.id === callId) &&
    event.payload.state === state
      ? event.payload
      : undefined;

  async function alice(engine: Engine, events: Recorded[]): Promise<AccountDto> {
    const input: AccountInput = {
      displayName: 'Alice',
      aor: kamailio.uri('alice'),
      authUser: null,
      password: 'alice-pw',
      outboundProxy: kamailio.proxyUri(),
      registrar: null,
      transport: 'udp',
      expires: 300,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
    };
    const account = value<AccountDto>(await engine.router.dispatch('accounts.create', [input]));
    await until(events, (event) =>
      event.name === 'registration.changed' &&
      event.payload.accountId === account.id &&
      event.payload.state === 'registered'
        ? true
        : undefined,
    );
    return account;
  }

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
