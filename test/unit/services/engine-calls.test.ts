// The engine's CallEngine (EngineCalls) with two real user agents on the loopback network under a manual clock and
// a fake media worker on each side: a direct call reported as CallDtos in the contract's words from dialing to
// ended, the media worker's reports passed on, hold and mute, RFC 4733 digits, failures as Results, RTP inactivity
// ending the call with media-timeout, and shutdown ending every call.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallDto } from '../../../main/contract/contract';
import type { CallMediaReport } from '../../../main/services/call-engine';
import { EngineCalls } from '../../../main/services/engine-calls';
import type { StreamQuality } from '../../../main/media/media-seams';
import { UserAgent } from '../../../main/ua/user-agent';
import { FakeMediaWorker } from '../../support/fake-media-worker';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { silentLogger } from '../../../main/platform/logger';

interface Side {
  readonly ua: UserAgent;
  readonly engine: EngineCalls;
  readonly worker: FakeMediaWorker;
  readonly changes: CallDto[];
  readonly reports: CallMediaReport[];
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

async function setUp(): Promise<{ clock: ManualClock; alice: Side; bob: Side }> {
  const clock = new ManualClock();
  const random = new SeededRandom(5);
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(6) });
  const side = async (address: string): Promise<Side> => {
    const ua = await UserAgent.start({ sockets: network, clock, random, bindAddress: address, port: 5060 });
    const worker = new FakeMediaWorker();
    const engine = new EngineCalls({
      worker,
      clock,
      random,
      logger: silentLogger,
      account: () => undefined,
      accountIdOf: () => undefined,
      directAgent: () => Promise.resolve(ua),
    });
    engine.attach(ua, () => ['pcma', 'pcmu']);
    const changes: CallDto[] = [];
    const reports: CallMediaReport[] = [];
    engine.onCallChanged((call) => changes.push(call));
    engine.onMediaReport((report) => reports.push(report));
    cleanup.push(() => {
      worker.close();
      ua.transactions.shutdown();
      ua.transport.close();
    });
    return { ua, engine, worker, changes, reports };
  };
  return { clock, alice: await side('10.0.0.1'), bob: await side('10.0.0.2') };
}

async function connected() {
  const { clock, alice, bob } = await setUp();
  const dialed = await alice.engine.dial({
    target: 'sip:bob@10.0.0.2:5060',
    accountId: null,
    codecs: ['pcmu'],
  });
  if (!dialed.ok) throw new Error(dialed.error.message);
  await settle(clock);
  const incoming = bob.engine.list()[0]!;
  expect((await bob.engine.answer(incoming.id)).ok).toBe(true);
  await settle(clock);
  return { clock, alice, bob, aliceId: dialed.value.id, bobId: incoming.id };
}

const states = (side: Side, id: string): string[] =>
  side.changes.filter((call) => call.id === id).map((call) => call.state);

const QUALITY = {
  codec: 'pcmu',
  sendBitrate: 64_000,
  receiveBitrate: 64_000,
  sent: { packets: 100, bytes: 16_000 },
  received: { packets: 100, bytes: 16_000, discarded: 0, cumulativeLost: 0, fractionLost: 0, jitterMs: 1 },
  roundTripMs: 3,
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

describe('the engine call engine', () => {
  it('reports a direct call from dialing to ended in the contract words, on both sides', async () => {
    const { clock, alice, bob, aliceId, bobId } = await connected();
    expect(states(alice, aliceId)).toEqual(['dialing', 'ringing', 'connected']);
    expect(states(bob, bobId)).toEqual(['incoming', 'connecting', 'connected']);
    const [call] = alice.engine.list();
    expect(call).toMatchObject({
      id: aliceId,
      accountId: null,
      direction: 'outgoing',
      peerUri: 'sip:bob@10.0.0.2:5060',
      state: 'connected',
      muted: false,
      end: null,
    });
    expect(call!.answeredAt).not.toBeNull();
    // The dial's codec order went into the offer; bob's answer keeps to what was offered.
    expect(alice.worker.of('start')[0]!.params.codec.name).toBe('pcmu');
    expect((await alice.engine.hangup(aliceId)).ok).toBe(true);
    await settle(clock);
    const ended = alice.changes.at(-1)!;
    expect(ended).toMatchObject({ state: 'ended', end: { by: 'local', reason: 'hangup', status: null } });
    expect(ended.endedAt).not.toBeNull();
    expect(bob.changes.at(-1)).toMatchObject({ state: 'ended', end: { by: 'remote', reason: 'hangup' } });
    expect(alice.engine.list()).toEqual([]);
    expect(alice.worker.of('stop')).toHaveLength(1);
  });

  it('passes each media report on with the engine call id', async () => {
    const { alice, aliceId } = await connected();
    alice.worker.emit({
      type: 'quality',
      callId: aliceId,
      quality: QUALITY,
      counters: { inputDropped: 0, inputMalformed: 0, inputUnderruns: 0, lateTicks: 0, skippedTicks: 0 },
    });
    expect(alice.reports).toEqual([{ callId: aliceId, quality: QUALITY }]);
  });

  it('holds and resumes (on-hold here, held-by-remote there), mutes through the worker and sends RFC 4733', async () => {
    const { clock, alice, bob, aliceId, bobId } = await connected();
    expect((await alice.engine.hold(aliceId)).ok).toBe(true);
    await settle(clock);
    expect(alice.engine.list()[0]!.state).toBe('on-hold');
    expect(bob.engine.list()[0]!.state).toBe('held-by-remote');
    expect((await alice.engine.resume(aliceId)).ok).toBe(true);
    await settle(clock);
    expect(states(alice, aliceId).at(-1)).toBe('connected');
    expect(states(bob, bobId).at(-1)).toBe('connected');
    const muted = await alice.engine.mute(aliceId, true);
    expect(muted).toMatchObject({ ok: true, value: { muted: true } });
    expect(await alice.engine.sendDtmf(aliceId, '5#')).toEqual({ ok: true, value: null });
    expect(alice.worker.of('dtmf')).toEqual([{ kind: 'dtmf', callId: aliceId, digits: '5#' }]);
  });

  it('answers not-found for an unknown call and conflict for an action its state does not allow', async () => {
    const { alice, aliceId } = await connected();
    expect(await alice.engine.hold('nope')).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await alice.engine.answer(aliceId)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(
      await alice.engine.dial({ target: 'mailto:bob@example.test', accountId: null, codecs: ['pcmu'] }),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(
      await alice.engine.dial({ target: 'sip:bob@example.test', accountId: 'missing', codecs: ['pcmu'] }),
    ).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('rejects a ringing call with the status asked for: the caller sees busy', async () => {
    const { clock, alice, bob } = await setUp();
    const dialed = await alice.engine.dial({
      target: 'sip:bob@10.0.0.2:5060',
      accountId: null,
      codecs: ['pcmu'],
    });
    await settle(clock);
    expect((await bob.engine.reject(bob.engine.list()[0]!.id, 486)).ok).toBe(true);
    await settle(clock);
    expect(alice.changes.at(-1)).toMatchObject({
      id: dialed.ok ? dialed.value.id : '',
      state: 'ended',
      end: { by: 'remote', reason: 'busy', status: 486 },
    });
    expect(bob.changes.at(-1)).toMatchObject({ state: 'ended', end: { by: 'local', reason: 'rejected' } });
  });

  it('ends a call whose RTP stopped with media-timeout, and one whose media failed with engine-stopped', async () => {
    const { clock, alice, bob, aliceId, bobId } = await connected();
    alice.worker.emit({ type: 'inactive', callId: aliceId, silentMs: 30_000 });
    await settle(clock);
    expect(alice.changes.at(-1)).toMatchObject({ state: 'ended', end: { reason: 'media-timeout' } });
    expect(bob.changes.filter((call) => call.id === bobId).at(-1)).toMatchObject({ state: 'ended' });

    const again = await alice.engine.dial({
      target: 'sip:bob@10.0.0.2:5060',
      accountId: null,
      codecs: ['pcmu'],
    });
    await settle(clock);
    await bob.engine.answer(bob.engine.list()[0]!.id);
    await settle(clock);
    const id = again.ok ? again.value.id : '';
    alice.worker.emit({ type: 'error', callId: id, failure: { code: 'worker-crashed', message: 'gone' } });
    await settle(clock);
    expect(alice.changes.at(-1)).toMatchObject({
      id,
      state: 'ended',
      end: { by: 'error', reason: 'engine-stopped', detail: 'worker-crashed: gone' },
    });
  });

  it('shutdown ends every call, ringing ones included, within its bound', async () => {
    const { clock, alice, bob } = await setUp();
    await alice.engine.dial({ target: 'sip:bob@10.0.0.2:5060', accountId: null, codecs: ['pcmu'] });
    await settle(clock);
    const stopping = bob.engine.shutdown(1_000);
    await settle(clock);
    clock.advance(1_000);
    await stopping;
    expect(bob.changes.at(-1)).toMatchObject({ state: 'ended', end: { by: 'local', reason: 'rejected' } });
    expect(alice.changes.at(-1)).toMatchObject({ state: 'ended', end: { reason: 'declined', status: 603 } });
  });
});
