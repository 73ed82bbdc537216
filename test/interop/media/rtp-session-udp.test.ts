// Two RtpSessions over real UDP sockets on 127.0.0.1 (node:dgram through the platform's socket factory), one with
// separate RTP and RTCP ports and one pair on rtcp-mux: audio flows both ways, both send RTCP, each measures a
// round trip from the other's reports, DTMF arrives once, and BYE is heard on close. Waits are conditions with a
// generous limit, never a fixed sleep.
import { afterEach, describe, expect, it } from 'vitest';
import type { DtmfDigit, ReceivedAudioPacket } from '../../../main/media/media-seams';
import { RtpSession, type RtpSessionEvent } from '../../../main/media/rtp/rtp-session';
import { SystemClock, type TimerHandle } from '../../../main/platform/clock';
import { NodeSocketFactory } from '../../../main/platform/node-sockets';
import { CryptoRandom } from '../../../main/platform/random';
import type { DatagramSocket } from '../../../main/platform/sockets';

const clock = new SystemClock();
const factory = new NodeSocketFactory();
const FRAME = new Uint8Array(160).fill(0xff);

interface End {
  readonly session: RtpSession;
  readonly audio: ReceivedAudioPacket[];
  readonly digits: DtmfDigit[];
  readonly events: RtpSessionEvent[];
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function sockets(mux: boolean): Promise<{ rtp: DatagramSocket; rtcp: DatagramSocket | undefined }> {
  const rtp = await factory.bindDatagram('127.0.0.1', 0);
  const rtcp = mux ? undefined : await factory.bindDatagram('127.0.0.1', 0);
  return { rtp, rtcp };
}

function end(
  own: { rtp: DatagramSocket; rtcp: DatagramSocket | undefined },
  far: { rtp: DatagramSocket; rtcp: DatagramSocket | undefined },
): End {
  const session = new RtpSession({
    rtpSocket: own.rtp,
    ...(own.rtcp === undefined ? {} : { rtcpSocket: own.rtcp }),
    remoteRtp: { address: '127.0.0.1', port: far.rtp.local.port },
    remoteRtcp: { address: '127.0.0.1', port: (far.rtcp ?? far.rtp).local.port },
    payloadType: 0,
    clockRate: 8000,
    telephoneEvent: { payloadType: 101, clockRate: 8000 },
    cname: `udp-${own.rtp.local.port}@127.0.0.1`,
    clock,
    random: new CryptoRandom(),
  });
  const result: End = { session, audio: [], digits: [], events: [] };
  session.onAudio((packet) => result.audio.push(packet));
  session.onDtmf((digit) => result.digits.push(digit));
  session.onEvent((event) => result.events.push(event));
  cleanups.push(() => session.close());
  return result;
}

/** Both ends send a 20 ms frame every 20 ms until stopped. */
function pace(ends: readonly End[]): () => void {
  let timer: TimerHandle | undefined;
  const tick = (): void => {
    for (const one of ends) one.session.sendAudio(FRAME, 160);
    timer = clock.setTimer(20, tick);
  };
  tick();
  const stop = (): void => clock.clearTimer(timer);
  cleanups.push(stop);
  return stop;
}

async function until(condition: () => boolean, limitMs: number): Promise<void> {
  const deadline = clock.now() + limitMs;
  while (!condition()) {
    if (clock.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise<void>((resolve) => clock.setTimer(10, resolve));
  }
}

describe('RtpSession over UDP on 127.0.0.1', () => {
  for (const mux of [false, true]) {
    it(`exchanges audio, RTCP with a round trip, DTMF and BYE (${mux ? 'rtcp-mux' : 'RTCP on its own port'})`, async () => {
      const left = await sockets(mux);
      const right = await sockets(mux);
      const a = end(left, right);
      const b = end(right, left);
      const stop = pace([a, b]);

      await until(
        () => a.session.stats().roundTripMs !== null && b.session.stats().roundTripMs !== null,
        20_000,
      );
      a.session.sendDtmf('5', 100);
      await until(() => b.digits.length > 0, 2_000);
      // Audio is paused for the whole event, end repeats included: audio arriving again means all five went out.
      const heard = b.audio.length;
      await until(() => b.audio.length > heard, 2_000);
      stop();
      // Everything sent arrives on loopback (telephone events included), once the last datagrams are read.
      await until(
        () =>
          a.session.stats().received.packets === b.session.stats().sent.packets &&
          b.session.stats().received.packets === a.session.stats().sent.packets,
        2_000,
      );

      for (const [one, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const stats = one.session.stats();
        expect(stats.received.packets).toBeGreaterThan(40);
        expect(stats.received.discarded).toBe(0);
        expect(stats.rtcpReceived).toBeGreaterThanOrEqual(1);
        expect(stats.rtcpDiscarded).toBe(0);
        // Loopback: well under 20 ms, though a busy machine may add some.
        expect(stats.roundTripMs).toBeGreaterThanOrEqual(0);
        expect(stats.roundTripMs).toBeLessThan(200);
        expect(stats.received.cumulativeLost).toBe(0);
        // Every packet but the telephone events went to the audio handler, in order.
        const events = one === b ? 5 : 0;
        expect(one.audio.length).toBe(other.session.stats().sent.packets - events);
        expect(one.audio.every((packet, i) => i === 0 || packet.sequence > one.audio[i - 1]!.sequence)).toBe(
          true,
        );
      }
      expect(b.digits).toEqual([{ digit: '5', durationMs: 100 }]);

      a.session.close('bye');
      await until(() => b.events.some((event) => event.kind === 'goodbye'), 2_000);
      expect(b.events).toContainEqual({ kind: 'goodbye', ssrc: a.session.ssrc, reason: 'bye' });
    });
  }
});
