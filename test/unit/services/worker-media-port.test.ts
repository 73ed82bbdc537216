// The engine's media port over a (fake) media worker, with two real user agents calling each other on the loopback
// network under a manual clock: the sockets are bound before the SDP is written, so the offer and answer name the
// worker's ports; the call's start/update/stop reach the worker as StreamParams; the worker's events reach the port
// of their call only; a refusal anywhere becomes the port's `failed` event or ends the call.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipUri } from '../../../main/sip/message/uri';
import {
  type WorkerMediaPort,
  WorkerMediaPorts,
  type WorkerMediaPortEvents,
} from '../../../main/services/worker-media-port';
import { FRAME_SAMPLES, type StreamQuality } from '../../../main/media/media-seams';
import type { Call } from '../../../main/ua/call/call';
import type { CallUsage } from '../../../main/ua/call/call-usage';
import { UserAgent } from '../../../main/ua/user-agent';
import { FakeMediaWorker } from '../../support/fake-media-worker';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

interface Side {
  readonly ua: UserAgent;
  readonly calls: CallUsage;
  readonly worker: FakeMediaWorker;
  readonly ports: WorkerMediaPorts;
  /** Ports in the order the factory made them, with what the test saw at `onPort`. */
  readonly made: Array<{ readonly port: WorkerMediaPort; readonly startedAtCreation: boolean }>;
  readonly incoming: Call[];
  readonly uri: SipUri;
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

async function setUp(): Promise<{ clock: ManualClock; alice: Side; bob: Side }> {
  const clock = new ManualClock();
  const random = new SeededRandom(3);
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(4) });
  const side = async (name: string, address: string): Promise<Side> => {
    const ua = await UserAgent.start({ sockets: network, clock, random, bindAddress: address, port: 5060 });
    const worker = new FakeMediaWorker();
    const made: Side['made'] = [];
    const ports = new WorkerMediaPorts({
      worker,
      random,
      bindAddress: () => address,
      codecs: () => ['pcma', 'pcmu'],
      inactivityTimeoutMs: 5_000,
      onPort: (port) => made.push({ port, startedAtCreation: port.started }),
    });
    const calls = ua.installCalls({ media: ports.factory });
    const incoming: Call[] = [];
    calls.onIncoming((call) => incoming.push(call));
    cleanup.push(() => {
      ports.close();
      worker.close();
      ua.transactions.shutdown();
      ua.transport.close();
    });
    const uri: SipUri = {
      scheme: 'sip',
      user: name,
      host: address,
      port: 5060,
      params: new Map(),
      headers: new Map(),
    };
    return { ua, calls, worker, ports, made, incoming, uri };
  };
  return { clock, alice: await side('alice', '10.0.0.1'), bob: await side('bob', '10.0.0.2') };
}

async function connected(): Promise<{
  clock: ManualClock;
  alice: Side;
  bob: Side;
  call: Call;
  answered: Call;
}> {
  const { clock, alice, bob } = await setUp();
  const call = alice.calls.dial(bob.uri);
  await settle(clock);
  const answered = bob.incoming[0]!;
  answered.answer();
  await settle(clock);
  expect(call.state).toBe('connected');
  return { clock, alice, bob, call, answered };
}

function collect<K extends keyof WorkerMediaPortEvents>(
  port: WorkerMediaPort,
  event: K,
): Array<WorkerMediaPortEvents[K]> {
  const seen: Array<WorkerMediaPortEvents[K]> = [];
  port.on(event, (payload) => seen.push(payload));
  return seen;
}

const QUALITY = {
  codec: 'pcma',
  sendBitrate: 64_000,
  receiveBitrate: 64_000,
  sent: { packets: 100, bytes: 16_000 },
  received: { packets: 99, bytes: 15_840, discarded: 0, cumulativeLost: 1, fractionLost: 0.01, jitterMs: 2 },
  roundTripMs: null,
  jitterBuffer: {
    delayMs: 40,
    targetDelayMs: 40,
    received: 99,
    duplicates: 0,
    late: 0,
    lost: 1,
    concealed: 1,
    recovered: 0,
  },
} satisfies StreamQuality;

const COUNTERS = { inputDropped: 0, inputMalformed: 0, inputUnderruns: 3, lateTicks: 0, skippedTicks: 0 };

describe('the media port alone: what our hold means for the stream', () => {
  async function pair() {
    const random = new SeededRandom(8);
    const worker = new FakeMediaWorker();
    const ours = new WorkerMediaPorts({ worker, random, bindAddress: () => '10.0.0.1' });
    const theirs = new WorkerMediaPorts({
      worker: new FakeMediaWorker(),
      random,
      bindAddress: () => '10.0.0.2',
    });
    const port = (await ours.factory({
      callRef: 'c1',
      direction: 'outgoing',
    })) as WorkerMediaPort;
    const far = await theirs.factory({ callRef: 'c2', direction: 'incoming' });
    cleanup.push(() => worker.close());
    /** Our offer (holding or not) and the far end's answer to it, which never holds. */
    const answerTo = (hold: boolean): string => {
      const answer = far.createAnswer(port.createOffer({ hold }), { hold: false });
      if (!answer.ok) throw new Error(answer.error.reason);
      return answer.value.sdp;
    };
    const accept = (sdp: string) => {
      const media = port.acceptAnswer(sdp);
      if (!media.ok) throw new Error(media.error.reason);
      return media.value;
    };
    return { worker, port, answerTo, accept };
  }

  it('sends nothing while our hold is agreed, and again once the resume is', async () => {
    const { worker, port, answerTo, accept } = await pair();
    port.start(accept(answerTo(false)));
    const held = accept(answerTo(true));
    expect(held.send).toBe(true);
    port.update(held);
    port.update(accept(answerTo(false)));
    await Promise.resolve();
    expect(worker.of('start').map((command) => command.params.send)).toEqual([true]);
    expect(worker.of('update').map((command) => command.params.send)).toEqual([false, true]);
  });

  it('a hold offer rolled back (its re-INVITE failed) leaves the stream sending', async () => {
    const { worker, port, answerTo, accept } = await pair();
    const agreed = accept(answerTo(false));
    port.start(agreed);
    port.createOffer({ hold: true });
    port.rollback();
    port.update(agreed);
    await Promise.resolve();
    expect(worker.of('update').map((command) => command.params.send)).toEqual([true]);
  });
});

describe('the media port over the media worker', () => {
  it('binds the sockets before the SDP is written, so the offer and the answer carry the worker ports', async () => {
    const { alice, bob, call, answered } = await connected();
    expect(alice.worker.of('allocate')).toEqual([
      { kind: 'allocate', callId: call.id, bindAddress: '10.0.0.1' },
    ]);
    expect(bob.worker.of('allocate')).toEqual([
      { kind: 'allocate', callId: answered.id, bindAddress: '10.0.0.2' },
    ]);
    // Both workers hand out 40000 first: each side sends to the other's allocated ports.
    const [aliceStart] = alice.worker.of('start');
    const [bobStart] = bob.worker.of('start');
    expect(aliceStart!.params).toMatchObject({
      remoteRtp: { address: '10.0.0.2', port: 40_000 },
      // Both ends offer rtcp-mux (RFC 5761), so RTCP shares the RTP port.
      rtcpMux: true,
      remoteRtcp: { address: '10.0.0.2', port: 40_000 },
      codec: { name: 'pcma', payloadType: 8, clockRate: 8000 },
      send: true,
      receive: true,
      ptime: 20,
      inactivityTimeoutMs: 5_000,
    });
    expect(bobStart!.params).toMatchObject({
      remoteRtp: { address: '10.0.0.1', port: 40_000 },
      remoteRtcp: { address: '10.0.0.1', port: 40_000 },
      codec: { name: 'pcma' },
    });
    // Only the fields of StreamParams travel to the worker, not the SDP bookkeeping of NegotiatedMedia.
    expect(Object.keys(aliceStart!.params)).not.toContain('mediaIndex');
    expect(Object.keys(aliceStart!.params)).not.toContain('heldByRemote');
  });

  it('hands each port to onPort before its stream starts, and finds it by the call id', async () => {
    const { alice, bob, call, answered } = await connected();
    expect(alice.made.map((made) => [made.port.id, made.startedAtCreation])).toEqual([[call.id, false]]);
    expect(bob.made.map((made) => [made.port.id, made.startedAtCreation])).toEqual([[answered.id, false]]);
    expect(alice.ports.port(call.id)).toBe(alice.made[0]!.port);
    expect(alice.ports.port(call.id)!.started).toBe(true);
    expect(alice.ports.port(call.id)!.ports).toEqual({ rtpPort: 40_000, rtcpPort: 40_001 });
    expect(bob.made[0]!.port.request).toMatchObject({ direction: 'incoming', callRef: answered.id });
  });

  it('maps hold (sending nothing) and resume onto worker updates, and the hangup onto one stop on each side', async () => {
    const { clock, alice, bob, call } = await connected();
    call.holdCall();
    await settle(clock);
    // Our hold offers sendonly, yet our stream sends nothing: the held party must not hear our microphone.
    expect(alice.worker.of('update').at(-1)!.params).toMatchObject({ send: false, receive: false });
    expect(bob.worker.of('update').at(-1)!.params).toMatchObject({ send: false, receive: true });
    call.resume();
    await settle(clock);
    expect(alice.worker.of('update').at(-1)!.params).toMatchObject({ send: true, receive: true });
    expect(bob.worker.of('update').at(-1)!.params).toMatchObject({ send: true, receive: true });

    call.hangup();
    await settle(clock);
    expect(call.end).toMatchObject({ by: 'local', reason: 'normal' });
    expect(alice.worker.of('stop')).toHaveLength(1);
    expect(bob.worker.of('stop')).toHaveLength(1);
    expect(alice.ports.size).toBe(0);
    expect(bob.ports.size).toBe(0);
    expect(alice.worker.of('start')).toHaveLength(1);
  });

  it('ends the call with internal-error when the worker cannot bind its sockets, and sends no INVITE', async () => {
    const { clock, alice, bob } = await setUp();
    alice.worker.refuse.set('allocate', { code: 'bind-failed', message: 'EADDRINUSE' });
    const call = alice.calls.dial(bob.uri);
    await settle(clock);
    expect(call.end).toMatchObject({ by: 'error', reason: 'internal-error' });
    expect(call.end!.detail).toContain('bind-failed');
    expect(bob.incoming).toHaveLength(0);
  });

  it('reports a start the worker refuses as the port failing, once, and signals nothing after', async () => {
    const { clock, alice, bob } = await setUp();
    alice.worker.refuse.set('start', { code: 'codec-unavailable', message: 'no opus' });
    const failures: unknown[] = [];
    alice.calls.dial(bob.uri);
    await settle(clock);
    alice.made[0]!.port.on('failed', (failure) => failures.push(failure));
    bob.incoming[0]!.answer();
    await settle(clock);
    expect(failures).toEqual([{ code: 'codec-unavailable', message: 'no opus' }]);
    alice.made[0]!.port.update(alice.worker.of('start')[0]!.params as never);
    await settle(clock);
    expect(alice.worker.of('update')).toHaveLength(0);
  });

  it('routes the worker events to the port of their call only, and none after it stopped', async () => {
    const { clock, alice, call } = await connected();
    const port = alice.ports.port(call.id)!;
    const quality = collect(port, 'quality');
    const dtmf = collect(port, 'dtmf');
    const inactive = collect(port, 'inactive');
    const failed = collect(port, 'failed');
    alice.worker.emit({ type: 'quality', callId: call.id, quality: QUALITY, counters: COUNTERS });
    alice.worker.emit({ type: 'quality', callId: 'another-call', quality: QUALITY, counters: COUNTERS });
    alice.worker.emit({ type: 'dtmf', callId: call.id, digit: { digit: '5', durationMs: 100 } });
    alice.worker.emit({ type: 'inactive', callId: call.id, silentMs: 5_000 });
    expect(quality).toEqual([{ quality: QUALITY, counters: COUNTERS }]);
    expect(dtmf).toEqual([{ digit: '5', durationMs: 100 }]);
    expect(inactive).toEqual([{ silentMs: 5_000 }]);
    alice.worker.emit({
      type: 'error',
      callId: call.id,
      failure: { code: 'worker-crashed', message: 'gone' },
    });
    alice.worker.emit({
      type: 'error',
      callId: call.id,
      failure: { code: 'worker-crashed', message: 'again' },
    });
    expect(failed).toEqual([{ code: 'worker-crashed', message: 'gone' }]);

    call.hangup();
    await settle(clock);
    alice.worker.emit({ type: 'dtmf', callId: call.id, digit: { digit: '6', durationMs: 100 } });
    expect(dtmf).toHaveLength(1);
  });

  it('forwards mute and RFC 4733 digits to the worker while the stream lives, and refuses them after', async () => {
    const { clock, alice, call } = await connected();
    const port = alice.ports.port(call.id)!;
    expect(await port.setMuted(true)).toEqual({ ok: true, value: null });
    expect(port.muted).toBe(true);
    expect(await port.sendDtmf('12#')).toEqual({ ok: true, value: null });
    expect(alice.worker.of('mute')).toEqual([{ kind: 'mute', callId: call.id, muted: true }]);
    expect(alice.worker.of('dtmf')).toEqual([{ kind: 'dtmf', callId: call.id, digits: '12#' }]);
    call.hangup();
    await settle(clock);
    expect((await port.sendDtmf('1')).ok).toBe(false);
    expect((await port.setMuted(false)).ok).toBe(false);
    expect(port.audioStream()).toBeUndefined();
  });

  it("exposes the call's audio port: speaker frames in, microphone frames out", async () => {
    const { alice, call } = await connected();
    const port = alice.ports.port(call.id)!;
    const stream = port.audioStream()!;
    expect(port.audioStream()).toBe(stream);
    const heard: Int16Array[] = [];
    const stop = stream.onFrame((frame) => heard.push(frame));
    const mic = new Int16Array(FRAME_SAMPLES).fill(7);
    stream.sendFrame(mic);
    // Listening starts on a microtask (after the frames sent in the same turn).
    await Promise.resolve();
    expect(alice.worker.speak(call.id, new Int16Array(FRAME_SAMPLES).fill(3))).toBe(true);
    // The endpoint reads the speaker ring every 20 ms.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(heard.map((frame) => frame[0])).toEqual([3]);
    expect(alice.worker.micFrames(call.id).map((frame) => frame[0])).toEqual([7]);
    stop();
  });
});
