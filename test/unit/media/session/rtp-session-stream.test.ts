import { describe, expect, it } from 'vitest';
import { parseRtcpCompound } from '../../../../main/media/rtp/rtcp-packet';
import { parseRtpPacket } from '../../../../main/media/rtp/rtp-packet';
import type { StreamParams } from '../../../../main/media/session/media-worker-protocol';
import { RtpSessionStream, borrowedSocket } from '../../../../main/media/session/rtp-session-stream';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';

const PCMU = { payloadType: 0, name: 'pcmu', encodingName: 'PCMU', clockRate: 8000, channels: 1 } as const;
const PCMA = { payloadType: 8, name: 'pcma', encodingName: 'PCMA', clockRate: 8000, channels: 1 } as const;

function params(overrides: Partial<StreamParams> = {}): StreamParams {
  return {
    codec: PCMU,
    remoteRtp: { address: '127.0.0.1', port: 40_000 },
    remoteRtcp: { address: '127.0.0.1', port: 40_001 },
    rtcpMux: false,
    ptime: 20,
    send: true,
    receive: true,
    ...overrides,
  };
}

async function setup(): Promise<{ clock: ManualClock; network: LoopbackNetwork; stream: RtpSessionStream }> {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock });
  const rtpSocket = await network.bindDatagram('127.0.0.1', 30_000);
  const rtcpSocket = await network.bindDatagram('127.0.0.1', 30_001);
  const stream = new RtpSessionStream({
    rtpSocket,
    rtcpSocket,
    params: params(),
    clock,
    random: new SeededRandom(3),
    onAudio: () => undefined,
    onDtmf: () => undefined,
  });
  return { clock, network, stream };
}

function rtpSent(network: LoopbackNetwork): { port: number; payloadType: number }[] {
  return network.trace
    .filter((entry) => entry.from.port === 30_000)
    .flatMap((entry) => {
      const packet = parseRtpPacket(entry.data);
      return packet.ok ? [{ port: entry.to.port, payloadType: packet.value.payloadType }] : [];
    });
}

describe('borrowedSocket', () => {
  it('stops sending and delivering when closed, and leaves the socket open', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const socket = await network.bindDatagram('127.0.0.1', 30_000);
    const peer = await network.bindDatagram('127.0.0.1', 30_002);
    const view = borrowedSocket(socket);
    const heard: number[] = [];
    view.onMessage((data) => heard.push(data[0]!));
    peer.send(Uint8Array.of(1), 30_000, '127.0.0.1');
    clock.tick();
    view.close();
    view.send(Uint8Array.of(9), 30_002, '127.0.0.1');
    peer.send(Uint8Array.of(2), 30_000, '127.0.0.1');
    clock.tick();
    expect(heard).toEqual([1]);
    expect(network.trace.filter((entry) => entry.from.port === 30_000)).toHaveLength(0);
    // The port is still bound: binding it again is refused.
    await expect(network.bindDatagram('127.0.0.1', 30_000)).rejects.toThrow();
  });
});

describe('RtpSessionStream', () => {
  it('moves to a new session on the same ports when the codec changes, saying BYE for the old one', async () => {
    const { clock, network, stream } = await setup();
    stream.sendAudio(new Uint8Array(160), 160, true);
    stream.update(params({ codec: PCMA }));
    stream.sendAudio(new Uint8Array(160), 160, true);
    clock.tick();
    expect(rtpSent(network)).toEqual([
      { port: 40_000, payloadType: 0 },
      { port: 40_000, payloadType: 8 },
    ]);
    const goodbye = network.trace
      .filter((entry) => entry.from.port === 30_001)
      .some((entry) => {
        const compound = parseRtcpCompound(entry.data);
        return compound.ok && compound.value.some((packet) => packet.type === 'bye');
      });
    expect(goodbye).toBe(true);
    stream.close();
  });

  it('keeps where it was sending through a legacy c=0.0.0.0 hold, and follows a new address', async () => {
    const { network, clock, stream } = await setup();
    stream.update(params({ remoteRtp: { address: '0.0.0.0', port: 40_000 }, send: false }));
    stream.sendAudio(new Uint8Array(160), 160, false);
    stream.update(params());
    stream.sendAudio(new Uint8Array(160), 160, false);
    stream.update(params({ remoteRtp: { address: '127.0.0.1', port: 41_000 } }));
    stream.sendAudio(new Uint8Array(160), 160, false);
    clock.tick();
    expect(rtpSent(network).map((packet) => packet.port)).toEqual([40_000, 41_000]);
    stream.close();
  });
});
