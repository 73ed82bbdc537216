// The engine's calls end to end inside one process: the real engine (store, services, user agents, UaCallEngine) on
// the loopback network and a manual clock, a fake media worker, and a far-end phone "bob" at 10.0.0.3 (a user agent
// with the call usage and a recording media port). Everything goes through the command router and the event stream,
// as the window and the web host use them.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallDto, CommandName, Events } from '../../../main/contract/contract';
import type { AccountDto } from '../../../main/contract/contract';
import type { StreamQuality } from '../../../main/media/media-seams';
import type { CodecName } from '../../../main/sdp/codecs';
import type { SipUri } from '../../../main/sip/message/uri';
import type { Call } from '../../../main/ua/call/call';
import type { CallUsage } from '../../../main/ua/call/call-usage';
import { UserAgent } from '../../../main/ua/user-agent';
import { FakeMediaWorker } from '../../support/fake-media-worker';
import { RecordingMedia } from '../../support/recording-media';
import { SeededRandom } from '../../support/seeded-random';
import {
  type Harness,
  LOCAL_ADDRESS,
  REGISTRAR,
  input,
  removeDataDirs,
  startHarness,
} from './engine-harness';

const BOB_ADDRESS = '10.0.0.3';
const CAROL_ADDRESS = '10.0.0.4';
const BOB_URI = `sip:bob@${BOB_ADDRESS}:5060`;

const QUALITY = {
  codec: 'pcmu',
  sendBitrate: 64_000,
  receiveBitrate: 64_000,
  sent: { packets: 100, bytes: 16_000 },
  received: { packets: 100, bytes: 16_000, discarded: 0, cumulativeLost: 0, fractionLost: 0, jitterMs: 1 },
  roundTripMs: 20,
  jitterBuffer: {
    delayMs: 40,
    targetDelayMs: 40,
    received: 100,
    duplicates: 0,
    late: 0,
    lost: 0,
    concealed: 0,
    recovered: 0,
  },
} satisfies StreamQuality;
const COUNTERS = { inputDropped: 0, inputMalformed: 0, inputUnderruns: 0, lateTicks: 0, skippedTicks: 0 };

interface Phone {
  readonly ua: UserAgent;
  readonly calls: CallUsage;
  readonly media: RecordingMedia;
  readonly incoming: Call[];
}

interface Setup {
  readonly h: Harness;
  readonly worker: FakeMediaWorker;
  readonly bob: Phone;
  /** Every call.changed of one call, in order. */
  changes(callId: string): CallDto[];
  states(callId: string): string[];
  /** A command through the router (arguments as the transports pass them), then whatever it set off. */
  dispatch(name: CommandName, ...args: unknown[]): Promise<unknown>;
}

const setups: Setup[] = [];

afterEach(async () => {
  for (const setup of setups.splice(0)) {
    await setup.h.stop();
    setup.bob.ua.transactions.shutdown();
    setup.bob.ua.transport.close();
    setup.worker.close();
  }
  removeDataDirs();
});

async function phone(
  h: Harness,
  name: string,
  address: string,
  codecs?: readonly CodecName[],
): Promise<Phone> {
  const random = new SeededRandom(name.length * 31);
  const ua = await UserAgent.start({
    sockets: h.network,
    clock: h.clock,
    random,
    bindAddress: address,
    port: 5060,
    protocols: ['udp'],
  });
  const media = new RecordingMedia({ address, random, ...(codecs ? { codecs } : {}) });
  const calls = ua.installCalls({ media: media.factory });
  const incoming: Call[] = [];
  calls.onIncoming((call) => incoming.push(call));
  return { ua, calls, media, incoming };
}

async function setup(
  options: { inactivityMs?: number; bobCodecs?: readonly CodecName[]; worker?: FakeMediaWorker } = {},
): Promise<Setup> {
  const worker = options.worker ?? new FakeMediaWorker();
  const h = await startHarness({
    engine: {
      mediaWorker: worker,
      ...(options.inactivityMs === undefined ? {} : { mediaInactivityTimeoutMs: options.inactivityMs }),
    },
  });
  const bob = await phone(h, 'bob', BOB_ADDRESS, options.bobCodecs);
  const changes = (callId: string) =>
    h.events.flatMap((event) =>
      event.name === 'call.changed' && event.payload.id === callId ? [event.payload] : [],
    );
  const s: Setup = {
    h,
    worker,
    bob,
    changes,
    states: (callId) => changes(callId).map((call) => call.state),
    dispatch: async (name, ...args) => {
      const result = await h.engine.router.dispatch(name, args as never);
      await h.run();
      return result;
    },
  };
  setups.push(s);
  return s;
}

/** An account at the registrar's address (so it registers there) whose calls go straight to their targets. */
async function account(s: Setup, overrides: Parameters<typeof input>[0] = {}): Promise<string> {
  const created = await s.h.drive(
    s.h.engine.router.dispatch('accounts.create', [
      input({ aor: `sip:alice@${REGISTRAR.address}`, outboundProxy: null, ...overrides }),
    ]),
  );
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  await s.h.run();
  return (created.value as AccountDto).id;
}

function value<T>(result: unknown): T {
  const r = result as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`command failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

async function dial(s: Setup, accountId: string | null, target = BOB_URI): Promise<CallDto> {
  return value<CallDto>(await s.dispatch('calls.dial', { target, accountId }));
}

/** Where bob reaches our account: alice at the engine's user agent, on the port its REGISTER's Contact names. */
function aliceUri(s: Setup): SipUri {
  const contact = s.h.registrar.received[0]?.header('contact') ?? '';
  const port = Number(/:(\d+)[;>]/.exec(contact)?.[1]);
  if (!Number.isInteger(port)) throw new Error(`no port in the REGISTER's Contact ${contact}`);
  return { scheme: 'sip', user: 'alice', host: LOCAL_ADDRESS, port, params: new Map(), headers: new Map() };
}

function lastChange(s: Setup, callId: string): CallDto {
  const all = s.changes(callId);
  return all[all.length - 1]!;
}

describe('calls.dial', () => {
  it('calls an address directly: dialing, ringing, connected once answered, ended by our hang-up', async () => {
    const s = await setup();
    const call = await dial(s, null);
    expect(call).toMatchObject({
      accountId: null,
      direction: 'outgoing',
      peerUri: BOB_URI,
      state: 'dialing',
    });
    expect(s.bob.incoming).toHaveLength(1);
    expect(s.states(call.id)).toEqual(['dialing', 'ringing']);
    // No account: we say who we are by our address.
    expect(s.bob.incoming[0]!.remote.uri).toMatchObject({ user: 'anonymous', host: LOCAL_ADDRESS });

    s.bob.incoming[0]!.answer();
    await s.h.run();
    expect(lastChange(s, call.id)).toMatchObject({ state: 'connected' });
    expect(lastChange(s, call.id).answeredAt).not.toBeNull();
    // The media worker bound the call's sockets on the user agent's address and started its stream.
    expect(s.worker.of('allocate')).toEqual([
      { kind: 'allocate', callId: call.id, bindAddress: LOCAL_ADDRESS },
    ]);
    expect(s.worker.of('start')).toHaveLength(1);
    expect(value<CallDto[]>(await s.dispatch('calls.list'))).toMatchObject([
      { id: call.id, state: 'connected' },
    ]);

    expect(value(await s.dispatch('calls.hangup', call.id))).toBeNull();
    expect(lastChange(s, call.id)).toMatchObject({
      state: 'ended',
      end: { by: 'local', reason: 'hangup', status: null },
    });
    expect(s.bob.incoming[0]!.end).toMatchObject({ by: 'remote', reason: 'normal' });
    expect(s.worker.of('stop')).toHaveLength(1);
    expect(value<CallDto[]>(await s.dispatch('calls.list'))).toEqual([]);
  });

  it("calls from an account with its identity, and reports the far end's 486 as busy in the history", async () => {
    const s = await setup();
    const accountId = await account(s);
    const call = await dial(s, accountId);
    expect(call.accountId).toBe(accountId);
    const ringing = s.bob.incoming[0]!;
    expect(ringing.remote.uri).toMatchObject({ user: 'alice', host: REGISTRAR.address });
    ringing.reject(486);
    await s.h.run();
    expect(lastChange(s, call.id)).toMatchObject({
      state: 'ended',
      end: { by: 'remote', reason: 'busy', status: 486 },
    });
    const history = value<{ entries: unknown[] }>(
      await s.dispatch('history.list', { limit: 10, before: null }),
    );
    expect(history.entries).toMatchObject([
      { id: call.id, accountId, direction: 'outgoing', durationMs: 0, end: { reason: 'busy', status: 486 } },
    ]);
  });

  it("offers only the account's codecs, so a far end preferring another settles on ours", async () => {
    const s = await setup({ bobCodecs: ['pcma', 'pcmu'] });
    const accountId = await account(s, { codecs: ['pcmu'] });
    const call = await dial(s, accountId);
    s.bob.incoming[0]!.answer();
    await s.h.run();
    expect(s.worker.of('start')[0]!.params.codec.name).toBe('pcmu');
    await s.dispatch('calls.hangup', call.id);
  });

  it('refuses a disabled account (conflict) and one that is not running (unavailable), sending nothing', async () => {
    const s = await setup();
    const accountId = await account(s, { enabled: false });
    expect(await s.dispatch('calls.dial', { target: BOB_URI, accountId })).toMatchObject({
      ok: false,
      error: { code: 'conflict', field: 'accountId' },
    });
    expect(s.bob.incoming).toHaveLength(0);

    // Enabled, but its server cannot be found (no DNS here): the account is not running, so nothing can be placed.
    const stranded = await account(s, { aor: 'sip:carol@example.test' });
    expect(await s.dispatch('calls.dial', { target: BOB_URI, accountId: stranded })).toMatchObject({
      ok: false,
      error: { code: 'unavailable', field: 'accountId' },
    });
    expect(s.bob.incoming).toHaveLength(0);
  });
});

describe('incoming calls', () => {
  it('surface as incoming on the account the Request-URI names, and calls.answer connects them', async () => {
    const s = await setup();
    const accountId = await account(s);
    const call = s.bob.calls.dial(aliceUri(s));
    await s.h.run();
    const [incoming] = value<CallDto[]>(await s.dispatch('calls.list'));
    expect(incoming).toMatchObject({ direction: 'incoming', state: 'incoming', accountId });
    expect(call.state).toBe('early');

    expect(value(await s.dispatch('calls.answer', incoming!.id))).toMatchObject({ id: incoming!.id });
    expect(call.state).toBe('connected');
    expect(lastChange(s, incoming!.id)).toMatchObject({ state: 'connected' });

    // The far end hangs up.
    call.hangup();
    await s.h.run();
    expect(lastChange(s, incoming!.id)).toMatchObject({
      state: 'ended',
      end: { by: 'remote', reason: 'hangup' },
    });
  });

  it('never show or store a password the caller put in its From address', async () => {
    const s = await setup();
    const accountId = await account(s);
    const from: SipUri = {
      scheme: 'sip',
      user: 'bob',
      password: 'hunter2',
      host: BOB_ADDRESS,
      params: new Map(),
      headers: new Map(),
    };
    const call = s.bob.calls.dial(aliceUri(s), { from: { aor: from } });
    await s.h.run();
    const [incoming] = value<CallDto[]>(await s.dispatch('calls.list'));
    expect(incoming).toMatchObject({ accountId, peerUri: `sip:bob@${BOB_ADDRESS}` });
    call.hangup();
    await s.h.run();
    const history = value<{ entries: { peerUri: string }[] }>(
      await s.dispatch('history.list', { limit: 10, before: null }),
    );
    expect(history.entries.map((entry) => entry.peerUri)).toEqual([`sip:bob@${BOB_ADDRESS}`]);
    expect(JSON.stringify(s.h.events)).not.toContain('hunter2');
  });

  it('ring with 183 and our SDP (early media) when their account says so, else with a bare 180', async () => {
    const s = await setup();
    await account(s, { earlyMedia: true });
    const early = s.bob.calls.dial(aliceUri(s));
    await s.h.run();
    expect(early.state).toBe('early');
    expect(early.media).toBeDefined();
    early.hangup();
    await s.h.run();

    const plain = await setup();
    await account(plain);
    const ringing = plain.bob.calls.dial(aliceUri(plain));
    await plain.h.run();
    expect(ringing.state).toBe('early');
    expect(ringing.media).toBeUndefined();
    ringing.hangup();
    await plain.h.run();
  });

  it('are refused with 486 at once while their account is do-not-disturb: no ringing, no media, a history row', async () => {
    const s = await setup();
    const accountId = await account(s, { doNotDisturb: true });
    const call = s.bob.calls.dial(aliceUri(s));
    const states: string[] = [];
    call.on('state', ({ to }) => states.push(to));
    await s.h.run();
    expect(call.end).toMatchObject({ by: 'remote', reason: 'busy', status: 486 });
    // No 180 before the 486, and no sockets bound for a call that was never going to ring.
    expect(states).toEqual(['ended']);
    expect(s.worker.of('allocate')).toEqual([]);
    const changes = s.h.events.flatMap((event) => (event.name === 'call.changed' ? [event.payload] : []));
    expect(changes).toEqual([
      expect.objectContaining({
        accountId,
        direction: 'incoming',
        peerUri: `sip:anonymous@${BOB_ADDRESS}:5060`,
        state: 'ended',
        answeredAt: null,
        end: { by: 'local', reason: 'do-not-disturb', status: 486, detail: null },
      }),
    ]);
    const history = value<{ entries: unknown[] }>(
      await s.dispatch('history.list', { limit: 10, before: null }),
    );
    expect(history.entries).toMatchObject([
      { id: changes[0]!.id, accountId, durationMs: 0, end: { reason: 'do-not-disturb' } },
    ]);
    expect(value<CallDto[]>(await s.dispatch('calls.list'))).toEqual([]);
  });

  it("two accounts on one user agent: each incoming call is its own account's, with its own do-not-disturb", async () => {
    const s = await setup();
    const alice = await account(s, { doNotDisturb: true });
    const carol = await account(s, { aor: `sip:carol@${REGISTRAR.address}` });
    const toCarol = s.bob.calls.dial({ ...aliceUri(s), user: 'carol' });
    await s.h.run();
    expect(value<CallDto[]>(await s.dispatch('calls.list'))).toMatchObject([
      { direction: 'incoming', state: 'incoming', accountId: carol },
    ]);
    const toAlice = s.bob.calls.dial(aliceUri(s));
    await s.h.run();
    expect(toAlice.end).toMatchObject({ reason: 'busy', status: 486 });
    expect(toCarol.state).toBe('early');
    const ended = s.h.events.flatMap((event) =>
      event.name === 'call.changed' && event.payload.state === 'ended' ? [event.payload] : [],
    );
    expect(ended).toMatchObject([{ accountId: alice, end: { reason: 'do-not-disturb' } }]);
    toCarol.hangup();
    await s.h.run();
  });

  it('a ringing call is declined (603) by calls.hangup and rejected with the chosen status by calls.reject', async () => {
    const s = await setup();
    await account(s);
    const first = s.bob.calls.dial(aliceUri(s));
    await s.h.run();
    const [ringing] = value<CallDto[]>(await s.dispatch('calls.list'));
    await s.dispatch('calls.hangup', ringing!.id);
    expect(first.end).toMatchObject({ reason: 'declined', status: 603 });

    const second = s.bob.calls.dial(aliceUri(s));
    await s.h.run();
    const [again] = value<CallDto[]>(await s.dispatch('calls.list'));
    await s.dispatch('calls.reject', again!.id, 486);
    expect(second.end).toMatchObject({ reason: 'busy', status: 486 });
    expect(lastChange(s, again!.id).end).toMatchObject({ by: 'local', reason: 'rejected', status: 486 });
  });
});

describe('in a call', () => {
  async function connected(s: Setup): Promise<{ call: CallDto; far: Call }> {
    const call = await dial(s, null);
    const far = s.bob.incoming[s.bob.incoming.length - 1]!;
    far.answer();
    await s.h.run();
    return { call, far };
  }

  it('holds and resumes with re-INVITEs, and shows the far end holding us', async () => {
    const s = await setup();
    const { call, far } = await connected(s);
    await s.dispatch('calls.hold', call.id);
    expect(lastChange(s, call.id).state).toBe('on-hold');
    expect(far.hold).toEqual({ local: false, remote: true });
    await s.dispatch('calls.resume', call.id);
    expect(lastChange(s, call.id).state).toBe('connected');
    far.holdCall();
    await s.h.run();
    expect(lastChange(s, call.id).state).toBe('held-by-remote');
    expect(s.states(call.id)).toEqual([
      'dialing',
      'ringing',
      'connected',
      'on-hold',
      'connected',
      'held-by-remote',
    ]);
  });

  it('mutes through the media worker and says so in the call', async () => {
    const s = await setup();
    const { call } = await connected(s);
    expect(value<CallDto>(await s.dispatch('calls.mute', call.id, true))).toMatchObject({ muted: true });
    expect(s.worker.of('mute')).toEqual([{ kind: 'mute', callId: call.id, muted: true }]);
    expect(lastChange(s, call.id).muted).toBe(true);
  });

  it('sends DTMF as RFC 4733 events when telephone-event was agreed', async () => {
    const s = await setup();
    const { call, far } = await connected(s);
    const info: string[] = [];
    far.on('dtmf', ({ digit }) => info.push(digit));
    expect(value(await s.dispatch('calls.sendDtmf', call.id, '12#'))).toBeNull();
    expect(s.worker.of('dtmf')).toEqual([{ kind: 'dtmf', callId: call.id, digits: '12#' }]);
    expect(info).toEqual([]);
  });

  it('sends DTMF by SIP INFO when the worker says no telephone-event was agreed', async () => {
    const s = await setup();
    const { call, far } = await connected(s);
    const info: string[] = [];
    far.on('dtmf', ({ digit }) => info.push(digit));
    s.worker.refuse.set('dtmf', { code: 'no-telephone-event', message: 'none agreed' });
    expect(value(await s.dispatch('calls.sendDtmf', call.id, '5*'))).toBeNull();
    expect(info).toEqual(['5', '*']);
  });

  it('answers not-found for an unknown call and conflict for an action its state refuses', async () => {
    const s = await setup();
    expect(await s.dispatch('calls.hold', 'call-nope')).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    const call = await dial(s, null);
    expect(await s.dispatch('calls.answer', call.id)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await s.dispatch('calls.sendDtmf', call.id, '1')).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('turns the worker quality reports into call.quality with a MOS, and the history keeps codec and MOS', async () => {
    const s = await setup();
    const { call } = await connected(s);
    s.worker.emit({ type: 'quality', callId: call.id, quality: QUALITY, counters: COUNTERS });
    await s.h.run(2_000);
    s.worker.emit({ type: 'quality', callId: call.id, quality: QUALITY, counters: COUNTERS });
    await s.h.run(3_000);
    const quality = s.h.events.flatMap((event) =>
      event.name === 'call.quality' ? [event.payload as Events['call.quality']] : [],
    );
    expect(quality).toHaveLength(2);
    expect(quality[0]).toMatchObject({ callId: call.id, codec: 'pcmu', roundTripMs: 20 });
    expect(quality[0]!.mos).toBeGreaterThan(4);
    await s.dispatch('calls.hangup', call.id);
    const history = value<{ entries: Array<Record<string, unknown>> }>(
      await s.dispatch('history.list', { limit: 10, before: null }),
    );
    expect(history.entries[0]).toMatchObject({ id: call.id, codec: 'pcmu', durationMs: 5_000 });
    expect((history.entries[0]!.quality as { mos: number }).mos).toBeGreaterThan(4);
  });

  it('hangs up with media-timeout when the worker reports no RTP', async () => {
    const s = await setup({ inactivityMs: 5_000 });
    const { call, far } = await connected(s);
    expect(s.worker.of('start')[0]!.params.inactivityTimeoutMs).toBe(5_000);
    s.worker.emit({ type: 'inactive', callId: call.id, silentMs: 5_000 });
    await s.h.run();
    expect(lastChange(s, call.id).end).toMatchObject({ reason: 'media-timeout' });
    expect(far.end).toMatchObject({ by: 'remote', reason: 'normal' });
  });

  it('hangs up with engine-stopped when the media worker dies', async () => {
    const s = await setup();
    const { call } = await connected(s);
    s.worker.emit({ type: 'error', callId: call.id, failure: { code: 'worker-crashed', message: 'exit 1' } });
    await s.h.run();
    expect(lastChange(s, call.id).end).toMatchObject({ by: 'error', reason: 'engine-stopped' });
  });

  it("exposes the call's audio stream port while its media lives", async () => {
    const s = await setup();
    const { call } = await connected(s);
    const audio = s.h.engine.audioPort?.(call.id);
    expect(audio).toBeDefined();
    expect(s.h.engine.audioPort?.(call.id)).toBe(audio);
    await s.dispatch('calls.hangup', call.id);
    expect(s.h.engine.audioPort?.(call.id)).toBeUndefined();
  });
});

/** The states a call showed once it first showed `transferring`, other than `transferring` itself. */
function afterTransferring(states: readonly string[]): string[] {
  return states.slice(states.indexOf('transferring')).filter((state) => state !== 'transferring');
}

describe('transfer', () => {
  it('blind: REFERs the far end to the target, shows transferring, and ends transferred once it got through', async () => {
    const s = await setup();
    const carol = await phone(s.h, 'carol', CAROL_ADDRESS);
    const call = await dial(s, null);
    s.bob.incoming[0]!.answer();
    await s.h.run();
    expect(
      value(
        await s.dispatch('calls.transfer', call.id, {
          kind: 'blind',
          target: `sip:carol@${CAROL_ADDRESS}:5060`,
        }),
      ),
    ).toBeNull();
    expect(s.states(call.id)).toContain('transferring');
    expect(carol.incoming).toHaveLength(1);
    carol.incoming[0]!.answer();
    await s.h.run();
    expect(lastChange(s, call.id).end).toMatchObject({ by: 'local', reason: 'transferred' });
    expect(afterTransferring(s.states(call.id))).toEqual(['ended']);
    carol.ua.transactions.shutdown();
    carol.ua.transport.close();
  });

  it('a transfer the target refuses gives the call back: transferring, then connected again', async () => {
    const s = await setup();
    const carol = await phone(s.h, 'carol', CAROL_ADDRESS);
    const call = await dial(s, null);
    s.bob.incoming[0]!.answer();
    await s.h.run();
    value(
      await s.dispatch('calls.transfer', call.id, {
        kind: 'blind',
        target: `sip:carol@${CAROL_ADDRESS}:5060`,
      }),
    );
    expect(carol.incoming).toHaveLength(1);
    carol.incoming[0]!.reject(486);
    await s.h.run();
    // bob's final NOTIFY carries the 486 (RFC 3515 §2.4.5): the call is ours again, still up.
    expect(afterTransferring(s.states(call.id))).toEqual(['connected']);
    expect(lastChange(s, call.id).end).toBeNull();
    await s.dispatch('calls.hangup', call.id);
    carol.ua.transactions.shutdown();
    carol.ua.transport.close();
  });

  it('attended: joins the far end of one call to the other (Replaces), and refuses an unknown other call', async () => {
    const s = await setup();
    const carol = await phone(s.h, 'carol', CAROL_ADDRESS);
    const first = await dial(s, null);
    s.bob.incoming[0]!.answer();
    await s.h.run();
    await s.dispatch('calls.hold', first.id);
    const second = await dial(s, null, `sip:carol@${CAROL_ADDRESS}:5060`);
    carol.incoming[0]!.answer();
    await s.h.run();
    expect(
      await s.dispatch('calls.transfer', first.id, { kind: 'attended', callId: 'call-nope' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not-found', field: 'callId' },
    });
    expect(
      value(await s.dispatch('calls.transfer', first.id, { kind: 'attended', callId: second.id })),
    ).toBeNull();
    await s.h.run();
    // bob called carol with Replaces: carol's call with us was replaced, and our first call ended transferred.
    expect(lastChange(s, first.id).end).toMatchObject({ reason: 'transferred' });
    // A transfer that got through ends the call; it never shows on hold again on the way.
    expect(afterTransferring(s.states(first.id))).toEqual(['ended']);
    expect(lastChange(s, second.id).end).toMatchObject({ by: 'remote', reason: 'hangup' });
    expect(carol.incoming[0]!.end).toMatchObject({ reason: 'replaced' });
    carol.ua.transactions.shutdown();
    carol.ua.transport.close();
  });
});

describe('transfer asked of us', () => {
  it('a REFER from the far end makes a new outgoing call we show, on the same account', async () => {
    const s = await setup();
    const carol = await phone(s.h, 'carol', CAROL_ADDRESS);
    const call = await dial(s, null);
    const far = s.bob.incoming[0]!;
    far.answer();
    await s.h.run();
    far.transfer({
      scheme: 'sip',
      user: 'carol',
      host: CAROL_ADDRESS,
      port: 5060,
      params: new Map(),
      headers: new Map(),
    });
    await s.h.run();
    const referred = value<CallDto[]>(await s.dispatch('calls.list')).find((dto) => dto.id !== call.id);
    expect(referred).toMatchObject({
      direction: 'outgoing',
      accountId: null,
      peerUri: `sip:carol@${CAROL_ADDRESS}:5060`,
      state: 'ringing',
    });
    carol.incoming[0]!.answer();
    await s.h.run();
    expect(lastChange(s, referred!.id).state).toBe('connected');
    // The transferor hangs up once the NOTIFY said 200.
    expect(lastChange(s, call.id).end).toMatchObject({ by: 'remote', reason: 'hangup' });
    await s.dispatch('calls.hangup', referred!.id);
    carol.ua.transactions.shutdown();
    carol.ua.transport.close();
  });
});

describe('shutdown', () => {
  it('ends every call with a BYE before the accounts stop, reporting each end', async () => {
    const s = await setup();
    const call = await dial(s, null);
    s.bob.incoming[0]!.answer();
    await s.h.run();
    await s.h.drive(s.h.engine.shutdown(2_000));
    expect(s.bob.incoming[0]!.end).toMatchObject({ by: 'remote', reason: 'normal' });
    expect(lastChange(s, call.id)).toMatchObject({ state: 'ended', end: { reason: 'hangup' } });
    setups.splice(setups.indexOf(s), 1);
    s.bob.ua.transactions.shutdown();
    s.bob.ua.transport.close();
    s.worker.close();
  });

  it('goes in order: the calls end (BYE), then the accounts unregister, then the media worker closes', async () => {
    const order: string[] = [];
    // The registrar is known once the harness runs; the worker is made before it.
    const seen: { registrar?: Harness['registrar'] } = {};
    const unregistered = () =>
      seen.registrar?.received.some((request) => request.method === 'REGISTER' && request.expires === 0) ??
      false;
    class OrderedWorker extends FakeMediaWorker {
      override close(): void {
        order.push(`worker closes (unregistered: ${unregistered()})`);
        super.close();
      }
    }
    const s = await setup({ worker: new OrderedWorker() });
    seen.registrar = s.h.registrar;
    await account(s);
    const call = await dial(s, null);
    const far = s.bob.incoming[0]!;
    far.on('ended', () => order.push(`BYE reached bob (unregistered: ${unregistered()})`));
    far.answer();
    await s.h.run();
    await s.h.drive(s.h.engine.shutdown(2_000));
    expect(order).toEqual(['BYE reached bob (unregistered: false)', 'worker closes (unregistered: true)']);
    expect(lastChange(s, call.id).state).toBe('ended');
    setups.splice(setups.indexOf(s), 1);
    s.bob.ua.transactions.shutdown();
    s.bob.ua.transport.close();
  });

  it('refuses a call still ringing here with 480, reported ended by us', async () => {
    const s = await setup();
    await account(s);
    const call = s.bob.calls.dial(aliceUri(s));
    await s.h.run();
    const [ringing] = value<CallDto[]>(await s.dispatch('calls.list'));
    await s.h.drive(s.h.engine.shutdown(2_000));
    expect(call.end).toMatchObject({ by: 'remote', reason: 'unavailable', status: 480 });
    expect(lastChange(s, ringing!.id)).toMatchObject({ state: 'ended', end: { by: 'local', status: 480 } });
    setups.splice(setups.indexOf(s), 1);
    s.bob.ua.transactions.shutdown();
    s.bob.ua.transport.close();
    s.worker.close();
  });

  it('is bounded: a call whose BYE goes unanswered is reported ended engine-stopped when the bound runs out', async () => {
    const s = await setup();
    const call = await dial(s, null);
    s.bob.incoming[0]!.answer();
    await s.h.run();
    // The far end vanishes: nothing reaches it any more, so our BYE would wait for Timer F (32 s).
    s.h.network.addLinkConditions({ to: { address: BOB_ADDRESS } }, { drop: 1 });
    await s.h.drive(s.h.engine.shutdown(2_000));
    expect(s.h.clock.now()).toBeLessThan(10_000);
    expect(lastChange(s, call.id)).toMatchObject({
      state: 'ended',
      end: { by: 'error', reason: 'engine-stopped' },
    });
    setups.splice(setups.indexOf(s), 1);
    s.bob.ua.transactions.shutdown();
    s.bob.ua.transport.close();
    s.worker.close();
  });
});
