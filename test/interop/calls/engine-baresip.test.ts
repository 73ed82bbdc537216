// The engine's calls.* commands as the window and the web host use them, end to end: a real engine (SQLite store,
// node sockets, the media worker thread) with an account registered at Kamailio dials baresip, which answers; the
// engine reports the call through call.changed and call.quality, holds and hangs up, and writes the history row.
// Then baresip calls the account and the engine answers it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDto, CallDto, HistoryPage, EventName, Result } from '../../../main/contract/contract';
import { type Engine, createEngine } from '../../../main/services/engine';
import { FileKeyCipher } from '../../../main/store/file-key-cipher';
import { writeToneFixture } from '../../support/audio/tone-fixture';
import { waitForAudio } from '../baresip/call-helpers';
import { type BaresipHandle, startBaresip } from '../support/baresip';
import { type KamailioHandle, peersAvailable, startKamailio } from '../support/kamailio';

const peers = peersAvailable();
const STEP_MS = 15_000;

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe.skipIf(!peers.kamailio || !peers.baresip)('engine calls against baresip through Kamailio', () => {
  let kamailio: KamailioHandle;
  let dataDir: string;
  let engine: Engine;
  let bob: BaresipHandle;
  let account: AccountDto;
  const events: Array<[EventName, unknown]> = [];

  function waitEvent<T>(name: EventName, accept: (payload: T) => boolean, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + STEP_MS;
      const poll = (): void => {
        const found = events.slice(from).find(([event, payload]) => event === name && accept(payload as T));
        if (found) resolve(found[1] as T);
        else if (performance.now() > deadline)
          reject(new Error(`no ${name} matching; got ${JSON.stringify(events.map(([event]) => event))}`));
        else setTimeout(poll, 50);
      };
      poll();
    });
  }

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: ['alice', 'bob'].map((username) => ({ username, password: `${username}-pw` })),
    });
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-engine-calls-'));
    const tone = await writeToneFixture(dataDir, { frequencyHz: 700 });
    bob = await startBaresip({
      source: tone.path,
      account: {
        aor: kamailio.uri('bob'),
        password: 'bob-pw',
        outboundProxy: kamailio.proxyUri(),
        codecs: ['pcmu'],
      },
    });
    engine = await createEngine({
      dataDir,
      secrets: FileKeyCipher.inDirectory(dataDir),
      host: 'web',
      unregisterTimeoutMs: 1_000,
    });
    engine.events.subscribe((name, payload) => events.push([name, payload]));
    account = value<AccountDto>(
      await engine.router.dispatch('accounts.create', [
        {
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
          codecs: ['pcmu', 'opus'],
        },
      ]),
    );
    await waitEvent<{ accountId: string; state: string }>(
      'registration.changed',
      (status) => status.accountId === account.id && status.state === 'registered',
    );
  });

  afterAll(async () => {
    await engine?.shutdown(2_000);
    await bob?.stop();
    await kamailio?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('calls.dial places a call baresip answers; quality arrives; hold, hangup and the history row follow', async () => {
    const call = value<CallDto>(
      await engine.router.dispatch('calls.dial', [{ target: kamailio.uri('bob'), accountId: account.id }]),
    );
    expect(call).toMatchObject({ accountId: account.id, direction: 'outgoing', state: 'dialing' });
    const { id } = await bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await bob.answer();
    await waitEvent<CallDto>('call.changed', (dto) => dto.id === call.id && dto.state === 'connected');
    await waitForAudio(bob, (status) => status.receivedS >= 1);
    const quality = await waitEvent<{ callId: string; codec: string; mos: number | null }>(
      'call.quality',
      (report) => report.callId === call.id,
    );
    expect(quality.codec).toBe('pcmu');

    value(await engine.router.dispatch('calls.hold', [call.id]));
    await waitEvent<CallDto>('call.changed', (dto) => dto.id === call.id && dto.state === 'on-hold');
    await waitForAudio(bob, (status) => status.direction === 'recvonly');
    value(await engine.router.dispatch('calls.resume', [call.id]));
    await waitForAudio(bob, (status) => status.direction === 'sendrecv');

    value(await engine.router.dispatch('calls.hangup', [call.id]));
    const ended = await waitEvent<CallDto>(
      'call.changed',
      (dto) => dto.id === call.id && dto.state === 'ended',
    );
    expect(ended.end).toMatchObject({ by: 'local', reason: 'hangup' });
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    const history = value<HistoryPage>(
      await engine.router.dispatch('history.list', [{ limit: 10, before: null }]),
    );
    expect(history.entries[0]).toMatchObject({ id: call.id, codec: 'pcmu', end: { reason: 'hangup' } });
    expect(value<CallDto[]>(await engine.router.dispatch('calls.list', []))).toEqual([]);
  });

  it('an incoming call from baresip rings as incoming and calls.answer connects it', async () => {
    const from = events.length;
    await bob.dial(kamailio.uri('alice'));
    const incoming = await waitEvent<CallDto>(
      'call.changed',
      (dto) => dto.direction === 'incoming' && dto.state === 'incoming',
      from,
    );
    expect(incoming.accountId).toBe(account.id);
    value(await engine.router.dispatch('calls.answer', [incoming.id]));
    const { id } = await bob.waitForEvent(
      'CALL_ESTABLISHED',
      STEP_MS,
      (event) => event.direction === 'outgoing',
    );
    await waitEvent<CallDto>(
      'call.changed',
      (dto) => dto.id === incoming.id && dto.state === 'connected',
      from,
    );
    await waitForAudio(bob, (status) => status.receivedS >= 1);
    await bob.hangup();
    await bob.waitForEvent('CALL_CLOSED', STEP_MS, (event) => event.id === id);
    const ended = await waitEvent<CallDto>(
      'call.changed',
      (dto) => dto.id === incoming.id && dto.state === 'ended',
      from,
    );
    expect(ended.end).toMatchObject({ by: 'remote', reason: 'hangup' });
  });
});
