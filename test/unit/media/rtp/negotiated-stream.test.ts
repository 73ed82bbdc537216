// From NegotiatedMedia (main/sdp) to an RtpSession: settings for a new session, and a re-INVITE's hold, legacy
// c=0.0.0.0 hold and resume on a running one.
import { describe, expect, it } from 'vitest';
import { applyNegotiatedMedia, negotiatedStreamSettings } from '../../../../main/media/rtp/negotiated-stream';
import { RtpSession } from '../../../../main/media/rtp/rtp-session';
import type { NegotiatedMedia } from '../../../../main/sdp/negotiated-media';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';

const OPUS_CALL: NegotiatedMedia = {
  mediaIndex: 0,
  remoteRtp: { address: '127.0.0.1', port: 50_000 },
  remoteRtcp: { address: '127.0.0.1', port: 50_001 },
  rtcpMux: false,
  codec: { payloadType: 111, name: 'opus', encodingName: 'opus', clockRate: 48_000, channels: 2 },
  telephoneEvent: { payloadType: 101, clockRate: 48_000 },
  ptime: 20,
  send: true,
  receive: true,
  heldByRemote: false,
};

describe('negotiatedStreamSettings', () => {
  it('takes addresses, payload types and clock rates from the negotiation', () => {
    expect(negotiatedStreamSettings(OPUS_CALL)).toEqual({
      remoteRtp: { address: '127.0.0.1', port: 50_000 },
      remoteRtcp: { address: '127.0.0.1', port: 50_001 },
      payloadType: 111,
      clockRate: 48_000,
      telephoneEvent: { payloadType: 101, clockRate: 48_000 },
      rtcpMux: false,
    });
  });

  it('sends RTCP to the RTP address with rtcp-mux, and leaves telephone-event out when not agreed', () => {
    const { telephoneEvent: _unused, ...withoutEvents } = OPUS_CALL;
    const settings = negotiatedStreamSettings({ ...withoutEvents, rtcpMux: true });
    expect(settings.remoteRtcp).toEqual({ address: '127.0.0.1', port: 50_000 });
    expect(settings.rtcpMux).toBe(true);
    expect('telephoneEvent' in settings).toBe(false);
  });
});

describe('applyNegotiatedMedia', () => {
  it('holds, keeps the address through a legacy c=0.0.0.0 hold, and resumes at a new address', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const session = new RtpSession({
      rtpSocket: await network.bindDatagram('127.0.0.1', 40_000),
      rtcpSocket: await network.bindDatagram('127.0.0.1', 40_001),
      ...negotiatedStreamSettings(OPUS_CALL),
      cname: 'me@example.invalid',
      clock,
      random: new SeededRandom(1),
    });
    const frame = new Uint8Array(80);
    const destinations = (): string[] =>
      network.trace
        .filter((entry) => entry.from.port === 40_000)
        .map((entry) => `${entry.to.address}:${entry.to.port}`);

    applyNegotiatedMedia(session, {
      ...OPUS_CALL,
      remoteRtp: { address: '0.0.0.0', port: 50_000 },
      send: false,
      heldByRemote: true,
    });
    expect(session.sendAudio(frame, 960)).toBe(false);
    // Were we allowed to send while c=0.0.0.0 stands, it would go to the address we had, never to 0.0.0.0.
    applyNegotiatedMedia(session, { ...OPUS_CALL, remoteRtp: { address: '0.0.0.0', port: 50_000 } });
    expect(session.sendAudio(frame, 960)).toBe(true);
    applyNegotiatedMedia(session, { ...OPUS_CALL, remoteRtp: { address: '127.0.0.2', port: 52_000 } });
    expect(session.sendAudio(frame, 960)).toBe(true);
    clock.advance(0);
    expect(destinations()).toEqual(['127.0.0.1:50000', '127.0.0.2:52000']);

    applyNegotiatedMedia(session, { ...OPUS_CALL, receive: false, send: true });
    const far = await network.bindDatagram('127.0.0.2', 52_000);
    far.send(Uint8Array.from([0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xfc]), 40_000, '127.0.0.1');
    let heard = 0;
    session.onAudio(() => heard++);
    clock.advance(0);
    expect(heard).toBe(0);
    session.close();
  });
});
