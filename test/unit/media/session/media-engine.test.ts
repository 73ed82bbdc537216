import { beforeEach, describe, expect, it } from 'vitest';
import { parseRtpPacket } from '../../../../main/media/rtp/rtp-packet';
import { OpusEncoder } from '../../../../main/media/codecs/opus-codec';
import { MediaEngine } from '../../../../main/media/session/media-engine';
import {
  MAX_RESERVED_PAIRS,
  type MediaEvent,
  type StreamParams,
} from '../../../../main/media/session/media-worker-protocol';
import { workerPieces } from '../../../../main/media/session/worker-pieces';
import type { StreamPieces } from '../../../../main/media/session/stream-pieces';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';
import { FakeFramePort, rms, toneFrame, toneShare } from './fake-frame-port';

const PCMU = { payloadType: 0, name: 'pcmu', encodingName: 'PCMU', clockRate: 8000, channels: 1 } as const;
const OPUS = {
  payloadType: 111,
  name: 'opus',
  encodingName: 'opus',
  clockRate: 48_000,
  channels: 2,
} as const;

function paramsTo(rtpPort: number, overrides: Partial<StreamParams> = {}): StreamParams {
  return {
    codec: PCMU,
    telephoneEvent: { payloadType: 101, clockRate: 8000 },
    remoteRtp: { address: '127.0.0.1', port: rtpPort },
    remoteRtcp: { address: '127.0.0.1', port: rtpPort + 1 },
    rtcpMux: false,
    ptime: 20,
    send: true,
    receive: true,
    ...overrides,
  };
}

interface Harness {
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  readonly engine: MediaEngine;
  readonly events: MediaEvent[];
}

function harness(pieces: StreamPieces = workerPieces): Harness {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock });
  const events: MediaEvent[] = [];
  const engine = new MediaEngine({
    clock,
    random: new SeededRandom(7),
    sockets: network,
    pieces,
    emit: (event) => events.push(event),
  });
  return { clock, network, engine, events };
}

async function allocatePair(
  h: Harness,
): Promise<{ a: FakeFramePort; b: FakeFramePort; portA: number; portB: number }> {
  const a = new FakeFramePort();
  const b = new FakeFramePort();
  const allocatedA = await h.engine.allocate('a', '127.0.0.1', a);
  const allocatedB = await h.engine.allocate('b', '127.0.0.1', b);
  if (!allocatedA.ok || !allocatedB.ok) throw new Error('allocation failed');
  return { a, b, portA: allocatedA.value.rtpPort, portB: allocatedB.value.rtpPort };
}

/** Feeds `a` one tone frame per tick for `ticks` ticks (the first delivered before the clock moves). */
function playTone(h: Harness, port: FakeFramePort, ticks: number, firstIndex = 0): void {
  for (let index = 0; index < ticks; index++) {
    port.deliver(toneFrame(firstIndex + index));
    h.clock.advance(20);
  }
}

function sentFrom(h: Harness, port: number): ReturnType<typeof parseRtpPacket>[] {
  return h.network.trace
    .filter((entry) => entry.from.port === port && !entry.duplicate)
    .map((entry) => parseRtpPacket(entry.data));
}

describe('MediaEngine', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it('binds an even RTP port with RTCP on the next one (RFC 3550 §11)', async () => {
    const result = await h.engine.allocate('a', '127.0.0.1', new FakeFramePort());
    expect(result).toEqual({ ok: true, value: { rtpPort: 49152, rtcpPort: 49153 } });
  });

  it('carries a tone from one call to the other, 20 ms per packet with continuous sequence and timestamps', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    b.listen();
    expect(h.engine.start('a', paramsTo(portB)).ok).toBe(true);
    expect(h.engine.start('b', paramsTo(portA)).ok).toBe(true);
    playTone(h, a, 50);

    const packets = sentFrom(h, portA).map((packet) => (packet.ok ? packet.value : undefined));
    // Tick 0 runs at start, then one per 20 ms.
    expect(packets).toHaveLength(51);
    for (const [index, packet] of packets.entries()) {
      expect(packet?.payload.length).toBe(160);
      if (index === 0) continue;
      const previous = packets[index - 1]!;
      expect((packet!.sequenceNumber - previous.sequenceNumber) & 0xffff).toBe(1);
      expect((packet!.timestamp - previous.timestamp) >>> 0).toBe(160);
    }
    expect(packets[0]?.marker).toBe(true);
    expect(packets.slice(1).every((packet) => packet?.marker === false)).toBe(true);
    // One speaker frame per tick (b joined the running tick 20 ms after a); after the jitter buffer's delay, the tone.
    expect(b.frames).toHaveLength(50);
    expect(toneShare(b.frames.slice(10))).toBeGreaterThan(0.8);
    expect(rms(b.frames.slice(10))).toBeGreaterThan(4000);
  });

  it('posts speaker frames only while someone listens', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    playTone(h, a, 10);
    expect(b.frames).toHaveLength(0);
    b.listen();
    playTone(h, a, 10, 10);
    expect(b.frames).toHaveLength(10);
    b.listen(false);
    playTone(h, a, 10, 20);
    expect(b.frames).toHaveLength(10);
  });

  it('keeps the jitter buffer at its target when the speaker listens late and stops listening for a while', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    // A continuous tone (no quiet frame to shrink on) reaches b for 600 ms before anyone listens, then again
    // during a 600 ms break in listening; what arrived meanwhile must not stay as standing delay.
    playTone(h, a, 30);
    b.listen();
    playTone(h, a, 60, 30);
    b.listen(false);
    playTone(h, a, 30, 90);
    b.listen();
    playTone(h, a, 180, 120);
    const reports = h.events.flatMap((event) =>
      event.type === 'quality' && event.callId === 'b' ? [event.quality.jitterBuffer] : [],
    );
    expect(reports).toHaveLength(3);
    // The last report comes 3 s after the break ended: the delay is back at one or two frames, nothing was late.
    const last = reports.at(-1)!;
    expect(last.delayMs).toBeLessThanOrEqual(40);
    expect(last.late).toBe(0);
    expect(toneShare(b.frames.slice(-50))).toBeGreaterThan(0.8);
  });

  it('sends silence with no microphone frame, and silence while muted', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    b.listen();
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    h.clock.advance(400);
    expect(sentFrom(h, portA)).toHaveLength(21);
    expect(rms(b.frames)).toBe(0);

    playTone(h, a, 25);
    expect(rms(b.frames.slice(-10))).toBeGreaterThan(4000);
    expect(h.engine.setMuted('a', true).ok).toBe(true);
    playTone(h, a, 25, 25);
    const sent = sentFrom(h, portA).length;
    expect(rms(b.frames.slice(-10))).toBe(0);
    // Muted still sends packets (of silence): the far end's jitter buffer keeps its clock.
    h.clock.advance(200);
    expect(sentFrom(h, portA).length).toBe(sent + 10);
  });

  it('stops sending on hold and resumes with a marker bit', async () => {
    const { a, portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    playTone(h, a, 10);
    const before = sentFrom(h, portA).length;
    expect(h.engine.update('a', paramsTo(portB, { send: false })).ok).toBe(true);
    playTone(h, a, 10, 10);
    expect(sentFrom(h, portA).length).toBe(before);
    h.engine.update('a', paramsTo(portB));
    h.clock.advance(20);
    const resumed = sentFrom(h, portA).slice(before);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0]?.ok && resumed[0].value.marker).toBe(true);
  });

  it('sends ptime worth of audio per packet', async () => {
    const { a, portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB, { ptime: 40 }));
    playTone(h, a, 20);
    const packets = sentFrom(h, portA).map((packet) => (packet.ok ? packet.value : undefined));
    expect(packets).toHaveLength(10);
    expect(packets.every((packet) => packet?.payload.length === 320)).toBe(true);
    expect((packets[1]!.timestamp - packets[0]!.timestamp) >>> 0).toBe(320);
  });

  it('reports DTMF sent by the other call once per digit', async () => {
    const { portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    expect(h.engine.sendDtmf('a', '1#')).toEqual({ ok: true, value: null });
    h.clock.advance(1000);
    const digits = h.events.flatMap((event) =>
      event.type === 'dtmf' ? [[event.callId, event.digit.digit]] : [],
    );
    expect(digits).toEqual([
      ['b', '1'],
      ['b', '#'],
    ]);
  });

  it('refuses DTMF that is not digits, or on a call without telephone-event', async () => {
    const { portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB, { telephoneEvent: undefined }));
    expect(h.engine.sendDtmf('a', '1x')).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(h.engine.sendDtmf('a', '1')).toMatchObject({ ok: false, error: { code: 'no-telephone-event' } });
    expect(h.engine.sendDtmf('b', '1')).toMatchObject({ ok: false, error: { code: 'not-started' } });
  });

  it('emits quality every 2 s per started call', async () => {
    const { a, portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    playTone(h, a, 200);
    const quality = h.events.filter((event) => event.type === 'quality');
    expect(quality.map((event) => event.callId).sort()).toEqual(['a', 'a', 'b', 'b']);
    const fromA = quality.find((event) => event.callId === 'a');
    expect(fromA?.type === 'quality' && fromA.quality.sendBitrate).toBe(64_000);
    expect(fromA?.type === 'quality' && fromA.quality.codec).toBe('pcmu');
  });

  it('reports RTP inactivity once per silence', async () => {
    const { portA } = await allocatePair(h);
    h.engine.start('b', paramsTo(portA, { inactivityTimeoutMs: 1000 }));
    h.clock.advance(3000);
    const inactive = h.events.filter((event) => event.type === 'inactive');
    expect(inactive).toHaveLength(1);
    expect(inactive[0]).toMatchObject({ callId: 'b', silentMs: 1000 });
  });

  it('reports inactivity again only after audio came back and stopped once more', async () => {
    const { portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA, { inactivityTimeoutMs: 1000 }));
    h.clock.advance(2000);
    expect(h.events.filter((event) => event.type === 'inactive')).toHaveLength(0);
    // a holds: nothing reaches b.
    h.engine.update('a', paramsTo(portB, { send: false }));
    h.clock.advance(3000);
    expect(h.events.filter((event) => event.type === 'inactive')).toHaveLength(1);
    h.engine.update('a', paramsTo(portB));
    h.clock.advance(2000);
    expect(h.events.filter((event) => event.type === 'inactive')).toHaveLength(1);
    h.engine.update('a', paramsTo(portB, { send: false }));
    h.clock.advance(2000);
    expect(h.events.filter((event) => event.type === 'inactive')).toHaveLength(2);
  });

  it('bounds the microphone queue, dropping the oldest, and counts what it dropped and lacked', async () => {
    const { a, portA, portB } = await allocatePair(h);
    for (let index = 0; index < 30; index++) a.deliver(toneFrame(index));
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    h.clock.advance(2000);
    const quality = h.events.find((event) => event.type === 'quality' && event.callId === 'a');
    expect(quality?.type === 'quality' && quality.counters).toMatchObject({
      inputDropped: 5,
      inputMalformed: 0,
      inputUnderruns: 100 - 25,
    });
  });

  it('keeps the other calls running when one call fails, and releases the failed call', async () => {
    const failing: StreamPieces = {
      ...workerPieces,
      createRtp: (options) => {
        const rtp = workerPieces.createRtp(options);
        if (options.rtpSocket.local.port !== 49156) return rtp;
        return {
          ...rtp,
          sendAudio: () => {
            throw new Error('encoder exploded');
          },
          stats: () => rtp.stats(),
          update: (params) => rtp.update(params),
          sendDtmf: (digits) => rtp.sendDtmf(digits),
          close: () => rtp.close(),
        };
      },
    };
    h = harness(failing);
    const { a, portA, portB } = await allocatePair(h);
    const bad = new FakeFramePort();
    const allocated = await h.engine.allocate('bad', '127.0.0.1', bad);
    expect(allocated).toMatchObject({ ok: true, value: { rtpPort: 49156 } });
    h.engine.start('a', paramsTo(portB));
    h.engine.start('bad', paramsTo(portB));
    playTone(h, a, 10);
    expect(h.events.filter((event) => event.type === 'error')).toEqual([
      { type: 'error', callId: 'bad', failure: { code: 'stream-failed', message: 'encoder exploded' } },
    ]);
    expect(bad.closed).toBe(true);
    expect(h.engine.callCount).toBe(2);
    expect(sentFrom(h, portA)).toHaveLength(11);
    expect(h.engine.stop('bad')).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
  });

  it('protects with as much Opus FEC as the far end reports losing, from none, and keeps it across a codec change', async () => {
    const encoders: OpusEncoder[] = [];
    h = harness({
      ...workerPieces,
      createCodec: (codec) => {
        const pair = workerPieces.createCodec(codec);
        if (pair.ok && pair.value.encoder instanceof OpusEncoder) encoders.push(pair.value.encoder);
        return pair;
      },
    });
    const { a, portA, portB } = await allocatePair(h);
    const fec = { ...OPUS, fmtp: 'useinbandfec=1' };
    let sent = 0;
    // Every tenth packet from a to b is lost; b's reports about a's stream say so.
    h.network.addLinkConditions(
      { from: { address: '127.0.0.1', port: portA }, to: { address: '127.0.0.1', port: portB } },
      {
        drop: () => ++sent % 10 === 0,
      },
    );
    expect(h.engine.start('a', paramsTo(portB, { codec: fec })).ok).toBe(true);
    expect(h.engine.start('b', paramsTo(portA, { codec: fec })).ok).toBe(true);
    expect(encoders[0]?.settings()).toMatchObject({ inbandFec: true, expectedLossPercent: 0 });
    playTone(h, a, 500);
    const expected = encoders[0]!.settings().expectedLossPercent;
    expect(expected).toBeGreaterThanOrEqual(9);
    expect(expected).toBeLessThanOrEqual(11);
    // b's own stream lost nothing.
    expect(encoders[1]!.settings().expectedLossPercent).toBe(0);

    // A re-INVITE that changes the far end's fmtp builds a new encoder: it starts where the old one was.
    expect(
      h.engine.update(
        'a',
        paramsTo(portB, { codec: { ...fec, fmtp: 'useinbandfec=1;maxaveragebitrate=24000' } }),
      ).ok,
    ).toBe(true);
    expect(encoders).toHaveLength(3);
    expect(encoders[2]!.settings().expectedLossPercent).toBe(expected);
  });

  it('releases the codec when the RTP session cannot be built, and reports the call failed', async () => {
    let disposed = 0;
    const broken: StreamPieces = {
      ...workerPieces,
      createCodec: (codec) => {
        const pair = workerPieces.createCodec(codec);
        if (!pair.ok) return pair;
        const count = (dispose: () => void) => () => {
          disposed++;
          dispose();
        };
        return {
          ok: true,
          value: {
            encoder: Object.assign(pair.value.encoder, { dispose: count(() => undefined) }),
            decoder: Object.assign(pair.value.decoder, { dispose: count(() => undefined) }),
          },
        };
      },
      createRtp: () => {
        throw new Error('no RTP for you');
      },
    };
    h = harness(broken);
    const { a, portB } = await allocatePair(h);
    expect(h.engine.start('a', paramsTo(portB))).toEqual({
      ok: false,
      error: { code: 'stream-failed', message: 'no RTP for you' },
    });
    expect(disposed).toBe(2);
    expect(a.closed).toBe(true);
    expect(h.events).toEqual([
      { type: 'error', callId: 'a', failure: { code: 'stream-failed', message: 'no RTP for you' } },
    ]);
    expect(h.engine.ticking).toBe(false);
  });

  it('answers failures as data: duplicate, unknown, bad params, not started, unbindable', async () => {
    const { portB } = await allocatePair(h);
    const again = new FakeFramePort();
    expect(await h.engine.allocate('a', '127.0.0.1', again)).toMatchObject({
      ok: false,
      error: { code: 'duplicate-call' },
    });
    expect(again.closed).toBe(true);
    expect(h.engine.start('nobody', paramsTo(portB))).toMatchObject({
      ok: false,
      error: { code: 'unknown-call' },
    });
    expect(h.engine.start('a', paramsTo(portB, { ptime: 30 }))).toMatchObject({
      ok: false,
      error: { code: 'invalid-params', message: 'ptime must be a multiple of 20 ms' },
    });
    expect(h.engine.update('b', paramsTo(portB))).toMatchObject({
      ok: false,
      error: { code: 'not-started' },
    });
    expect(await h.engine.allocate('c', 'not-an-address', new FakeFramePort())).toMatchObject({
      ok: false,
      error: { code: 'bind-failed' },
    });
    expect(h.engine.start('a', paramsTo(portB)).ok).toBe(true);
    expect(h.engine.start('a', paramsTo(portB))).toMatchObject({
      ok: false,
      error: { code: 'already-started' },
    });
  });

  it('answers codec-unavailable when the codec cannot be made, and the call can still start with another', async () => {
    h = harness({
      ...workerPieces,
      createCodec: (codec) =>
        codec.name === 'opus'
          ? { ok: false, error: 'opus is unavailable: no wasm' }
          : workerPieces.createCodec(codec),
    });
    const { portB } = await allocatePair(h);
    expect(h.engine.start('a', paramsTo(portB, { codec: OPUS }))).toEqual({
      ok: false,
      error: { code: 'codec-unavailable', message: 'opus is unavailable: no wasm' },
    });
    expect(h.engine.start('a', paramsTo(portB)).ok).toBe(true);
  });

  it('carries a tone over Opus (RFC 7587: 48 kHz RTP clock)', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    b.listen();
    h.engine.start(
      'a',
      paramsTo(portB, { codec: OPUS, telephoneEvent: { payloadType: 101, clockRate: 48_000 } }),
    );
    h.engine.start(
      'b',
      paramsTo(portA, { codec: OPUS, telephoneEvent: { payloadType: 101, clockRate: 48_000 } }),
    );
    playTone(h, a, 50);
    const packets = sentFrom(h, portA).map((packet) => (packet.ok ? packet.value : undefined));
    expect(packets.every((packet) => packet?.payloadType === 111)).toBe(true);
    expect((packets[2]!.timestamp - packets[1]!.timestamp) >>> 0).toBe(960);
    expect(toneShare(b.frames.slice(-20))).toBeGreaterThan(0.8);
  });

  it('stops ticking when no started call is left, and frees the ports of a stopped call', async () => {
    const { a, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    expect(h.engine.ticking).toBe(true);
    expect(h.engine.stop('a')).toEqual({ ok: true, value: null });
    expect(a.closed).toBe(true);
    expect(h.engine.ticking).toBe(false);
    h.clock.runUntilIdle();
    expect(h.clock.pendingTimers()).toBe(0);
    const reused = await h.network.bindDatagram('127.0.0.1', 49152);
    expect(reused.local.port).toBe(49152);
  });

  it('switches codec on update without losing the call', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    b.listen();
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    playTone(h, a, 20);
    const pcma = {
      payloadType: 8,
      name: 'pcma',
      encodingName: 'PCMA',
      clockRate: 8000,
      channels: 1,
    } as const;
    expect(h.engine.update('a', paramsTo(portB, { codec: pcma })).ok).toBe(true);
    expect(h.engine.update('b', paramsTo(portA, { codec: pcma })).ok).toBe(true);
    playTone(h, a, 30, 20);
    const last = sentFrom(h, portA).at(-1);
    expect(last?.ok && last.value.payloadType).toBe(8);
    expect(toneShare(b.frames.slice(-10))).toBeGreaterThan(0.8);
  });

  it('releases the sockets of a call stopped while they were being bound', async () => {
    const port = new FakeFramePort();
    const allocating = h.engine.allocate('a', '127.0.0.1', port);
    expect(h.engine.stop('a')).toEqual({ ok: true, value: null });
    expect(await allocating).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(port.closed).toBe(true);
    expect(h.engine.callCount).toBe(0);
    expect((await h.network.bindDatagram('127.0.0.1', 49152)).local.port).toBe(49152);
    expect((await h.network.bindDatagram('127.0.0.1', 49153)).local.port).toBe(49153);
  });

  it('stops every call on shutdown', async () => {
    const { a, b, portA, portB } = await allocatePair(h);
    h.engine.start('a', paramsTo(portB));
    h.engine.start('b', paramsTo(portA));
    h.engine.shutdown();
    expect(a.closed && b.closed).toBe(true);
    expect(h.engine.callCount).toBe(0);
    h.clock.runUntilIdle();
    expect(h.clock.pendingTimers()).toBe(0);
  });
});

/** Whether both ports are free on the loopback network (binding them succeeds); the probe sockets are closed. */
async function portsFree(h: Harness, ports: readonly number[]): Promise<boolean> {
  for (const port of ports) {
    try {
      (await h.network.bindDatagram('127.0.0.1', port)).close();
    } catch {
      return false;
    }
  }
  return true;
}

describe("MediaEngine port pairs held ahead of calls (the host's port pool)", () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it("binds a reserved pair at once and makes it the call's media on claim, as allocate would have", async () => {
    const a = new FakeFramePort();
    const reserved = await h.engine.reserve(1, '127.0.0.1', a);
    expect(reserved).toEqual({ ok: true, value: { rtpPort: 49152, rtcpPort: 49153 } });
    expect(h.engine.reservedCount).toBe(1);
    expect(await portsFree(h, [49152, 49153])).toBe(false);

    expect(h.engine.claim('a', 1)).toEqual({ ok: true, value: { rtpPort: 49152, rtcpPort: 49153 } });
    expect(h.engine.reservedCount).toBe(0);
    const b = new FakeFramePort();
    const allocatedB = await h.engine.allocate('b', '127.0.0.1', b);
    if (!allocatedB.ok) throw new Error('allocation failed');
    b.listen();
    h.engine.start('a', paramsTo(allocatedB.value.rtpPort));
    h.engine.start('b', paramsTo(49152));
    playTone(h, a, 30);
    expect(sentFrom(h, 49152)).toHaveLength(31);
    expect(toneShare(b.frames.slice(-10))).toBeGreaterThan(0.8);
  });

  it('hands a reserved pair to one call only, and closes it with that call: its ports never serve another', async () => {
    const audio = new FakeFramePort();
    await h.engine.reserve(1, '127.0.0.1', audio);
    expect(h.engine.claim('a', 1).ok).toBe(true);
    expect(h.engine.claim('b', 1)).toMatchObject({
      ok: false,
      error: { code: 'unknown-reservation' },
    });
    expect(h.engine.callCount).toBe(1);
    h.engine.start('a', paramsTo(40_000));
    h.engine.stop('a');
    expect(audio.closed).toBe(true);
    expect(await portsFree(h, [49152, 49153])).toBe(true);
    // The next reservation is a pair bound afresh, never the stopped call's sockets handed on.
    const next = await h.engine.reserve(2, '127.0.0.1', new FakeFramePort());
    expect(next.ok && next.value.rtpPort).not.toBe(49152);
  });

  it('binds the reserved pair on the address asked for (IPv6 stays IPv6)', async () => {
    const reserved = await h.engine.reserve(1, '::1', new FakeFramePort());
    expect(reserved.ok).toBe(true);
    expect(h.engine.claim('a', 1).ok).toBe(true);
    h.engine.start('a', {
      ...paramsTo(40_000),
      remoteRtp: { address: '::1', port: 40_000 },
      remoteRtcp: { address: '::1', port: 40_001 },
    });
    h.clock.advance(20);
    const sent = h.network.trace.filter((entry) => reserved.ok && entry.from.port === reserved.value.rtpPort);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((entry) => entry.from.address === '::1')).toBe(true);
  });

  it('closes a released pair, and one released while it was being bound', async () => {
    const audio = new FakeFramePort();
    await h.engine.reserve(1, '127.0.0.1', audio);
    expect(h.engine.release(1)).toEqual({ ok: true, value: null });
    expect(audio.closed).toBe(true);
    expect(await portsFree(h, [49152, 49153])).toBe(true);
    expect(h.engine.release(1)).toMatchObject({ ok: false, error: { code: 'unknown-reservation' } });

    const binding = h.engine.reserve(2, '127.0.0.1', new FakeFramePort());
    expect(h.engine.release(2)).toEqual({ ok: true, value: null });
    const reserved = await binding;
    expect(reserved).toMatchObject({ ok: false, error: { code: 'unknown-reservation' } });
    expect(h.engine.reservedCount).toBe(0);
    expect(h.engine.claim('a', 2).ok).toBe(false);
  });

  it('closes every held pair on shutdown', async () => {
    const audio = [new FakeFramePort(), new FakeFramePort()];
    await h.engine.reserve(1, '127.0.0.1', audio[0]!);
    await h.engine.reserve(2, '127.0.0.1', audio[1]!);
    h.engine.shutdown();
    expect(audio.every((port) => port.closed)).toBe(true);
    expect(h.engine.reservedCount).toBe(0);
    expect(await portsFree(h, [49152, 49153, 49154, 49155])).toBe(true);
  });

  it(`holds at most ${MAX_RESERVED_PAIRS} pairs, whatever the host asks`, async () => {
    for (let reservation = 1; reservation <= MAX_RESERVED_PAIRS; reservation++) {
      expect((await h.engine.reserve(reservation, '127.0.0.1', new FakeFramePort())).ok).toBe(true);
    }
    expect(await h.engine.reserve(MAX_RESERVED_PAIRS + 1, '127.0.0.1', new FakeFramePort())).toMatchObject({
      ok: false,
      error: { code: 'pool-full' },
    });
    expect(await h.engine.reserve(1, '127.0.0.1', new FakeFramePort())).toMatchObject({
      ok: false,
      error: { code: 'invalid-params' },
    });
    expect(h.engine.claim('a', 1).ok).toBe(true);
    expect((await h.engine.reserve(MAX_RESERVED_PAIRS + 1, '127.0.0.1', new FakeFramePort())).ok).toBe(true);
  });

  it('refuses a claim for a call that already has media, and closes the pair it would have taken', async () => {
    await h.engine.allocate('a', '127.0.0.1', new FakeFramePort());
    const port = new FakeFramePort();
    const reserved = await h.engine.reserve(1, '127.0.0.1', port);
    expect(h.engine.claim('a', 1)).toMatchObject({ ok: false, error: { code: 'duplicate-call' } });
    expect(port.closed).toBe(true);
    expect(h.engine.reservedCount).toBe(0);
    expect(reserved.ok && (await portsFree(h, [reserved.value.rtpPort]))).toBe(true);
  });
});
