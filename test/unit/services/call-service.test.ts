// Calls through the engine's command router with a fake CallEngine: what the service checks before the engine is
// asked, engine failures passed on as error Results, call.changed and call.quality events, the history written
// before each ended call is announced, and calls a stopped engine left open closed at the next start.
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AccountDto,
  CallDto,
  CallHistoryEntryDto,
  HistoryPage,
  Result,
} from '../../../main/contract/contract';
import type { Logger } from '../../../main/platform/logger';
import { CallService, type CallHistoryStore } from '../../../main/services/call-service';
import { EventHub } from '../../../main/services/event-hub';
import { StoreFailure } from '../../../main/store/store-error';
import { call } from '../../support/fake-engine';
import { type Harness, input, removeDataDirs, startHarness } from './engine-harness';
import { FakeCallEngine, quality } from './fake-call-engine';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  removeDataDirs();
});

async function start(
  engine = new FakeCallEngine(),
  dataDir?: string,
): Promise<{ h: Harness; engine: FakeCallEngine }> {
  const h = await startHarness({ engine: { calls: engine }, ...(dataDir ? { dataDir } : {}) });
  harnesses.push(h);
  return { h, engine };
}

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value as T;
}

const dispatch = (h: Harness, name: string, args: unknown[]) => h.engine.router.dispatch(name, args);

async function createAccount(h: Harness, overrides: Parameters<typeof input>[0] = {}): Promise<AccountDto> {
  return valueOf<AccountDto>(await h.drive(h.engine.router.dispatch('accounts.create', [input(overrides)])));
}

function callEvents(h: Harness): CallDto[] {
  return h.events.flatMap((event) => (event.name === 'call.changed' ? [event.payload] : []));
}

describe('dialling', () => {
  it('asks the engine with the account codecs, or the default order for a direct call', async () => {
    const { h, engine } = await start();
    const account = await createAccount(h, { codecs: ['pcma', 'opus'] });
    const placed = await dispatch(h, 'calls.dial', [
      { target: ' sip:bob@example.test ', accountId: account.id },
    ]);
    expect(placed).toMatchObject({ ok: true, value: { id: 'c1', peerUri: 'sip:bob@example.test' } });
    await dispatch(h, 'calls.dial', [{ target: 'sip:bob@192.0.2.7:5060', accountId: null }]);
    expect(engine.actions).toEqual([
      {
        name: 'dial',
        args: [{ target: 'sip:bob@example.test', accountId: account.id, codecs: ['pcma', 'opus'] }],
      },
      {
        name: 'dial',
        args: [{ target: 'sip:bob@192.0.2.7:5060', accountId: null, codecs: ['opus', 'pcmu', 'pcma'] }],
      },
    ]);
  });

  it('dials from an account that does not register, through its proxy', async () => {
    const { h, engine } = await start();
    const trunk = await createAccount(h, { register: false });
    expect(
      await dispatch(h, 'calls.dial', [{ target: 'sip:bob@example.test', accountId: trunk.id }]),
    ).toMatchObject({ ok: true });
    expect(engine.actions[0]?.args[0]).toMatchObject({ accountId: trunk.id });
  });

  it('refuses a target the SIP grammar refuses, an unknown account and a disabled one, before the engine', async () => {
    const { h, engine } = await start();
    const disabled = await createAccount(h, { enabled: false });
    expect(await dispatch(h, 'calls.dial', [{ target: 'sip:bob@exa%mple', accountId: null }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', field: 'target' },
    });
    expect(
      await dispatch(h, 'calls.dial', [{ target: 'sip:bob@example.test', accountId: 'nope' }]),
    ).toMatchObject({
      ok: false,
      error: { code: 'not-found', field: 'accountId' },
    });
    expect(
      await dispatch(h, 'calls.dial', [{ target: 'sip:bob@example.test', accountId: disabled.id }]),
    ).toMatchObject({ ok: false, error: { code: 'conflict', field: 'accountId' } });
    expect(engine.actions).toEqual([]);
  });
});

describe('call actions', () => {
  it('hands each to the engine with its validated arguments', async () => {
    const { h, engine } = await start();
    const hold = await dispatch(h, 'calls.hold', ['c1']);
    expect(hold).toMatchObject({ ok: true, value: { id: 'c1', state: 'on-hold' } });
    await dispatch(h, 'calls.resume', ['c1']);
    await dispatch(h, 'calls.mute', ['c1', true]);
    await dispatch(h, 'calls.sendDtmf', ['c1', '12ab#*']);
    await dispatch(h, 'calls.reject', ['c2', 603]);
    await dispatch(h, 'calls.answer', ['c3']);
    await dispatch(h, 'calls.transfer', ['c3', { kind: 'attended', callId: 'c1' }]);
    await dispatch(h, 'calls.hangup', ['c1']);
    expect(engine.actions.map(({ name, args }) => [name, ...args])).toEqual([
      ['hold', 'c1'],
      ['resume', 'c1'],
      ['mute', 'c1', true],
      ['sendDtmf', 'c1', '12AB#*'],
      ['reject', 'c2', 603],
      ['answer', 'c3'],
      ['transfer', 'c3', { kind: 'attended', callId: 'c1' }],
      ['hangup', 'c1'],
    ]);
  });

  it('passes the engine failures on with their code and SIP status', async () => {
    const engine = new FakeCallEngine().answerWith('answer', {
      ok: false,
      error: { code: 'conflict', message: 'the call is not ringing', status: 481 },
    });
    const { h } = await start(engine);
    expect(await dispatch(h, 'calls.answer', ['c1'])).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'the call is not ringing', status: 481 },
    });
  });

  it('refuses a transfer to a bad target or to the call itself', async () => {
    const { h, engine } = await start();
    expect(
      await dispatch(h, 'calls.transfer', ['c1', { kind: 'blind', target: 'sip:carol@exa%mple' }]),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'target' } });
    expect(await dispatch(h, 'calls.transfer', ['c1', { kind: 'attended', callId: 'c1' }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', field: 'callId' },
    });
    expect(engine.actions).toEqual([]);
  });

  it('lists the engine calls', async () => {
    const { h, engine } = await start();
    engine.calls = [call({ id: 'c1', state: 'connected' })];
    expect(await dispatch(h, 'calls.list', [])).toEqual({ ok: true, value: engine.calls });
  });
});

describe('events and history', () => {
  it('announces every change and puts an ended call in the history before announcing its end', async () => {
    const { h, engine } = await start();
    const seenInHistory: (CallHistoryEntryDto | undefined)[] = [];
    h.engine.events.subscribe((name, payload) => {
      if (name !== 'call.changed' || (payload as CallDto).state !== 'ended') return;
      // The router runs the handler at once: what it reads is the history as it is when the event goes out.
      void h.engine.router.dispatch('history.list', [{ limit: 5, before: null }]).then((result) => {
        seenInHistory.push(valueOf<HistoryPage>(result).entries[0]);
      });
    });
    const ringing = call({ id: 'c1', state: 'ringing', peerName: 'Bob', startedAt: 10_000 });
    engine.change(ringing);
    engine.change({ ...ringing, state: 'connected', answeredAt: 12_000 });
    engine.report('c1', quality({ packets: 100, cumulativeLost: 0 }));
    engine.report('c1', quality({ packets: 190, cumulativeLost: 10, jitterMs: 6 }));
    const ended: CallDto = {
      ...ringing,
      state: 'ended',
      answeredAt: 12_000,
      endedAt: 72_000,
      end: { by: 'remote', reason: 'hangup', status: null, detail: 'BYE from 10.0.0.1:5060' },
    };
    engine.change(ended);
    await h.run();
    expect(callEvents(h).map((dto) => dto.state)).toEqual(['ringing', 'connected', 'ended']);
    expect(seenInHistory).toHaveLength(1);
    expect(seenInHistory[0]).toEqual({
      id: 'c1',
      accountId: null,
      direction: 'outgoing',
      peerUri: 'sip:c1@example.test',
      peerName: 'Bob',
      startedAt: 10_000,
      answeredAt: 12_000,
      endedAt: 72_000,
      durationMs: 60_000,
      end: ended.end,
      codec: 'opus',
      // 10 of 200 expected packets lost over the call; jitter 2 then 6.
      quality: { mos: expect.any(Number), lossPercent: 5, jitterMs: 4 },
    });
  });

  it('reports quality with the loss of each interval and an E-model MOS', async () => {
    const { h, engine } = await start();
    engine.change(call({ id: 'c1', state: 'connected' }));
    engine.report('c1', quality({ packets: 0, roundTripMs: null }));
    engine.report('c1', quality({ packets: 100, cumulativeLost: 0 }));
    engine.report('c1', quality({ packets: 190, cumulativeLost: 10 }));
    const reports = h.events.flatMap((event) => (event.name === 'call.quality' ? [event.payload] : []));
    expect(reports[0]).toMatchObject({ callId: 'c1', lossPercent: 0, mos: null, roundTripMs: null });
    expect(reports[1]).toMatchObject({
      codec: 'opus',
      sendBitrate: 36_000,
      receiveBitrate: 35_500,
      jitterMs: 2,
      lossPercent: 0,
      roundTripMs: 40,
      jitterBufferDelayMs: 40,
      mos: 4.41,
    });
    expect(reports[2]?.lossPercent).toBe(10);
    expect(reports[2]?.mos).toBeLessThan(4);
  });

  it('ignores media reports for calls it does not know or that have ended', async () => {
    const { h, engine } = await start();
    engine.report('stranger', quality());
    engine.change(
      call({
        id: 'c1',
        state: 'ended',
        end: { by: 'local', reason: 'cancelled', status: 487, detail: null },
        endedAt: 1,
      }),
    );
    engine.report('c1', quality());
    expect(h.events.filter((event) => event.name === 'call.quality')).toEqual([]);
  });

  it('ignores changes reported after a call ended, so its history keeps its figures', async () => {
    const { h, engine } = await start();
    const ended = call({
      id: 'c1',
      state: 'ended',
      startedAt: 5,
      answeredAt: 6,
      endedAt: 9,
      end: { by: 'remote', reason: 'hangup', status: null, detail: null },
    });
    engine.change(call({ id: 'c1', state: 'connected', startedAt: 5, answeredAt: 6 }));
    engine.report('c1', quality({ packets: 100 }));
    engine.change(ended);
    engine.change(ended);
    engine.change({ ...ended, state: 'connected' });
    expect(callEvents(h).map((dto) => dto.state)).toEqual(['connected', 'ended']);
    const page = valueOf<HistoryPage>(await dispatch(h, 'history.list', [{ limit: 5, before: null }]));
    expect(page.entries).toMatchObject([{ id: 'c1', codec: 'opus', quality: { lossPercent: 0 } }]);
  });

  it('records an ended call the engine gave no end as an internal error, never as still running', async () => {
    const { h, engine } = await start();
    engine.change(call({ id: 'c1', state: 'ended', startedAt: 5, endedAt: 9 }));
    expect(callEvents(h)).toMatchObject([
      { state: 'ended', endedAt: 9, end: { by: 'error', reason: 'internal' } },
    ]);
    const page = valueOf<HistoryPage>(await dispatch(h, 'history.list', [{ limit: 5, before: null }]));
    expect(page.entries[0]).toMatchObject({
      end: { by: 'error', reason: 'internal' },
      codec: null,
      quality: null,
    });
  });

  it('pages, deletes and clears the history', async () => {
    const { h, engine } = await start();
    for (const at of [1, 2, 3]) {
      engine.change(
        call({
          id: `c${at}`,
          state: 'ended',
          startedAt: at,
          endedAt: at + 1,
          end: { by: 'remote', reason: 'busy', status: 486, detail: null },
        }),
      );
    }
    const first = valueOf<HistoryPage>(await dispatch(h, 'history.list', [{ limit: 2, before: null }]));
    expect(first.entries.map((entry) => entry.id)).toEqual(['c3', 'c2']);
    const second = valueOf<HistoryPage>(
      await dispatch(h, 'history.list', [{ limit: 2, before: first.next }]),
    );
    expect(second).toMatchObject({ entries: [{ id: 'c1' }], next: null });
    expect(await dispatch(h, 'history.delete', ['c2'])).toEqual({ ok: true, value: null });
    expect(await dispatch(h, 'history.delete', ['c2'])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await dispatch(h, 'history.clear', [])).toEqual({ ok: true, value: null });
    expect(await dispatch(h, 'history.list', [{ limit: 2, before: null }])).toEqual({
      ok: true,
      value: { entries: [], next: null },
    });
  });

  it('ends the calls first when the engine shuts down, and closes at the next start what was left open', async () => {
    const engine = new FakeCallEngine();
    const { h } = await start(engine);
    engine.change(call({ id: 'c1', state: 'connected', startedAt: 1_000, answeredAt: 2_000 }));
    engine.onShutdown = () => expect(engine.listenerCount()).toBe(2);
    await h.drive(h.engine.shutdown(2_000));
    expect(engine.shutdowns).toEqual([2_000]);
    expect(engine.listenerCount()).toBe(0);
    // This engine never reported the call ended: the next start closes it.
    harnesses.splice(harnesses.indexOf(h), 1);
    h.registrar.socket.close();
    const next = await start(new FakeCallEngine(), h.dataDir);
    const page = valueOf<HistoryPage>(await dispatch(next.h, 'history.list', [{ limit: 5, before: null }]));
    expect(page.entries).toMatchObject([
      { id: 'c1', answeredAt: 2_000, end: { by: 'error', reason: 'engine-stopped' } },
    ]);
    expect(page.entries[0]!.endedAt).toBeGreaterThanOrEqual(2_000);
  });
});

describe('when the history cannot be written', () => {
  it('logs it and still announces the call', () => {
    const failing = (): never => {
      throw new StoreFailure({
        kind: 'disk-full',
        path: '/data/softphone.sqlite',
        detail: 'SQLITE_FULL',
        holderPid: null,
      });
    };
    const history: CallHistoryStore = {
      start: failing,
      answered: failing,
      finish: failing,
      list: failing,
      delete: failing,
      clear: failing,
      closeUnfinished: failing,
    };
    const logged: string[] = [];
    const logger: Logger = { log: (level, message) => logged.push(`${level}: ${message}`) };
    const events = new EventHub();
    const announced: string[] = [];
    events.subscribe((name, payload) => {
      if (name === 'call.changed') announced.push((payload as CallDto).state);
    });
    const engine = new FakeCallEngine();
    const service = new CallService({
      engine,
      history,
      accounts: { get: () => undefined },
      events,
      clock: { wallTime: () => 0 },
      logger,
    });
    service.start();
    engine.change(call({ id: 'c1', state: 'ringing' }));
    engine.change(call({ id: 'c1', state: 'connected', answeredAt: 5 }));
    engine.change(
      call({ id: 'c1', state: 'ended', end: { by: 'remote', reason: 'missed', status: 487, detail: null } }),
    );
    expect(announced).toEqual(['ringing', 'connected', 'ended']);
    expect(logged).toEqual([
      'warn: the call history could not be written',
      'warn: the call history could not be written',
      'warn: the call history could not be written',
      'warn: the call history could not be written',
    ]);
  });
});
