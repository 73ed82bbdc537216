import { describe, expect, it } from 'vitest';
import { MAX_SDP_BYTES, parseSessionDescription } from '../../../main/sdp/parse-session-description';
import type { SdpError } from '../../../main/sdp/sdp-error';
import {
  effectiveConnection,
  effectiveDirection,
  isHoldAddress,
  type SessionDescription,
} from '../../../main/sdp/session-description';
import {
  AUDIO_AND_IMAGE_OFFER,
  BARESIP_OFFER,
  G711_ONLY_OFFER,
  LEGACY_HOLD_OFFER,
  OPUS_IPV6_OFFER,
  RFC3264_OFFER,
  sdp,
} from './fixtures';

function parsed(text: string | Uint8Array): SessionDescription {
  const result = parseSessionDescription(text);
  if (!result.ok) throw new Error(`expected SDP to parse: ${result.error.reason}`);
  return result.value;
}

function refused(text: string | Uint8Array): SdpError {
  const result = parseSessionDescription(text);
  if (result.ok) throw new Error('expected SDP to be refused');
  return result.error;
}

const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];

describe('parseSessionDescription', () => {
  it('reads the RFC 3264 §10 offer: origin, host-name connection, three streams with their rtpmaps', () => {
    const session = parsed(RFC3264_OFFER);
    expect(session.origin).toEqual({
      username: 'alice',
      sessionId: '2890844526',
      sessionVersion: '2890844526',
      address: { addressType: 'IP4', address: 'host.atlanta.example' },
    });
    expect(session.connection).toEqual({ addressType: 'IP4', address: 'host.atlanta.example' });
    expect(session.media.map((media) => [media.type, media.port, media.protocol, media.formats])).toEqual([
      ['audio', 49170, 'RTP/AVP', ['0', '8', '97']],
      ['video', 51372, 'RTP/AVP', ['31', '32']],
    ]);
    expect(session.media[0]?.rtpFormats[2]).toEqual({
      payloadType: 97,
      rtpmap: { encodingName: 'iLBC', clockRate: 8000, channels: 1 },
    });
  });

  it('reads rtpmap channels, fmtp, ptime, rtcp-mux and the direction of a baresip-like offer', () => {
    const session = parsed(BARESIP_OFFER);
    const audio = session.media[0];
    expect(audio?.rtpFormats[0]).toEqual({
      payloadType: 96,
      rtpmap: { encodingName: 'opus', clockRate: 48000, channels: 2 },
      fmtp: 'stereo=1;sprop-stereo=1',
    });
    expect(audio?.rtcpMux).toBe(true);
    expect(audio?.ptime).toBe(20);
    expect(audio?.direction).toBe('sendrecv');
  });

  it('keeps static payload types without an rtpmap and reads a=rtcp (RFC 3605) with a port only', () => {
    const audio = parsed(G711_ONLY_OFFER).media[0];
    expect(audio?.rtpFormats.map((format) => format.payloadType)).toEqual([8, 0, 101]);
    expect(audio?.rtpFormats[0]?.rtpmap).toBeUndefined();
    expect(audio?.rtcp).toEqual({ port: 6001 });
    expect(audio?.rtcpMux).toBe(false);
  });

  it('reads IPv6 connections, a 64-bit session id and a=rtcp with its own address', () => {
    const session = parsed(OPUS_IPV6_OFFER);
    expect(session.origin.sessionId).toBe('4611731400430051336');
    expect(session.connection).toEqual({ addressType: 'IP6', address: '2001:db8::10' });
    expect(session.media[0]?.rtcp).toEqual({
      port: 40005,
      address: { addressType: 'IP6', address: '2001:db8::11' },
    });
    expect(session.media[0]?.ptime).toBe(40);
  });

  it('understands c=0.0.0.0 as the legacy hold address', () => {
    const session = parsed(LEGACY_HOLD_OFFER);
    const audio = session.media[0];
    expect(audio).toBeDefined();
    if (audio === undefined) return;
    expect(isHoldAddress(effectiveConnection(session, audio))).toBe(true);
    expect(isHoldAddress(session.origin.address)).toBe(false);
  });

  it('lets media-level c= and direction override the session level, and accepts a rejected stream without c=', () => {
    const session = parsed(AUDIO_AND_IMAGE_OFFER);
    expect(session.connection).toBeUndefined();
    expect(session.direction).toBe('sendonly');
    const [fax, audio, fax2] = session.media;
    expect(fax?.port).toBe(0);
    expect(fax?.rtpFormats).toEqual([]);
    expect(fax?.formats).toEqual(['t38']);
    expect(audio && effectiveConnection(session, audio)).toEqual({
      addressType: 'IP4',
      address: '192.0.2.41',
    });
    expect(audio && effectiveDirection(session, audio)).toBe('recvonly');
    expect(fax2 && effectiveDirection(session, fax2)).toBe('sendonly');
  });

  it('ignores rtpmaps for payload types the m-line does not list and rtpmaps at session level', () => {
    const session = parsed(
      sdp(...HEAD, 'a=rtpmap:0 opus/48000/2', 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:96 opus/48000/2'),
    );
    expect(session.media[0]?.rtpFormats).toEqual([{ payloadType: 0 }]);
  });

  it('accepts an o= address that is no valid host, since o= only names the session (RFC 8866 §5.2)', () => {
    const session = parsed(
      sdp('v=0', 'o=root 7 7 IN IP4 pbx_01.local', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'),
    );
    expect(session.origin.address).toEqual({ addressType: 'IP4', address: 'pbx_01.local' });
  });

  it('accepts a body given as bytes and LF-only line ends', () => {
    const text = [...HEAD, 'm=audio 4000 RTP/AVP 0', ''].join('\n');
    expect(parsed(new TextEncoder().encode(text)).media[0]?.port).toBe(4000);
  });

  it('tolerates a trailing space on the m= line and any RFC 8866 token as an encoding name', () => {
    const audio = parsed(sdp(...HEAD, 'm=audio 4000 RTP/AVP 0 100 ', 'a=rtpmap:100 x-vendor+ext/8000'))
      .media[0];
    expect(audio?.formats).toEqual(['0', '100']);
    expect(audio?.rtpFormats[1]?.rtpmap).toEqual({
      encodingName: 'x-vendor+ext',
      clockRate: 8000,
      channels: 1,
    });
  });

  it.each([
    ['an empty body', '', 400],
    ['a body not starting with v=0', sdp('o=- 1 1 IN IP4 192.0.2.1', 'v=0'), 400],
    ['a line that is not type=value', sdp(...HEAD, 'hello', 'm=audio 4000 RTP/AVP 0'), 400],
    ['a missing o= line', sdp('v=0', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0'), 400],
    ['a non-numeric session version', sdp('v=0', 'o=- 1 x IN IP4 192.0.2.1', 's=-', 't=0 0'), 400],
    [
      'a missing c= for an active stream',
      sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0'),
      400,
    ],
    ['a port above 65535', sdp(...HEAD, 'm=audio 70000 RTP/AVP 0'), 400],
    ['a port that is not a number', sdp(...HEAD, 'm=audio abc RTP/AVP 0'), 400],
    ['an m-line without formats', sdp(...HEAD, 'm=audio 4000 RTP/AVP'), 400],
    ['a payload type above 127', sdp(...HEAD, 'm=audio 4000 RTP/AVP 0 128'), 400],
    ['a payload type that is not a number', sdp(...HEAD, 'm=audio 4000 RTP/AVP 0 x'), 400],
    ['an rtpmap without a clock rate', sdp(...HEAD, 'm=audio 4000 RTP/AVP 96', 'a=rtpmap:96 opus'), 400],
    [
      'an rtpmap with a zero clock rate',
      sdp(...HEAD, 'm=audio 4000 RTP/AVP 96', 'a=rtpmap:96 opus/0/2'),
      400,
    ],
    [
      'an rtpmap with a payload type that is not a number',
      sdp(...HEAD, 'm=audio 4000 RTP/AVP 96', 'a=rtpmap:x opus/48000'),
      400,
    ],
    [
      'two rtpmaps for one payload type',
      sdp(...HEAD, 'm=audio 4000 RTP/AVP 96', 'a=rtpmap:96 opus/48000/2', 'a=rtpmap:96 PCMU/8000'),
      400,
    ],
    ['a bad IPv4 address', sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 300.1.1.1', 't=0 0'), 400],
    ['a bad a=rtcp port', sdp(...HEAD, 'm=audio 4000 RTP/AVP 0', 'a=rtcp:0'), 400],
    [
      'a multicast connection',
      sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 224.2.1.1/127', 't=0 0'),
      488,
    ],
    ['a port count', sdp(...HEAD, 'm=audio 4000/2 RTP/AVP 0'), 488],
    ['a body with a NUL byte', sdp(...HEAD, 'm=audio 4000 RTP/AVP 0', 'a=x\u0000y'), 400],
    ['a body with a tab', sdp(...HEAD, 'm=audio\t4000 RTP/AVP 0'), 400],
  ])('refuses %s with %i', (_name, text, status) => {
    const error = refused(text);
    expect(error.status).toBe(status);
    expect(error.reason).not.toBe('');
  });

  it('refuses a body over the size limit without reading it', () => {
    const padding = Array.from({ length: MAX_SDP_BYTES / 10 }, () => 'a=x:12345');
    const error = refused(sdp(...HEAD, 'm=audio 4000 RTP/AVP 0', ...padding));
    expect(error).toMatchObject({ status: 400 });
    expect(error.reason).toContain('limit');
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    const head = sdp(...HEAD, 'm=audio 4000 RTP/AVP 0');
    const room = MAX_SDP_BYTES - new TextEncoder().encode(head).byteLength;
    // Each 'é' is two bytes: half as many of them as there are bytes of room still overflow it.
    const wide = `${head}i=${'é'.repeat(Math.ceil(room / 2))}\r\n`;
    expect(wide.length).toBeLessThan(MAX_SDP_BYTES);
    expect(refused(wide).reason).toContain('limit');
    expect(parsed(`${head}i=${'e'.repeat(room - 10)}\r\n`).media).toHaveLength(1);
  });

  it('refuses bytes that are not UTF-8', () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode(sdp(...HEAD)), 0xff, 0xfe]);
    expect(refused(bytes)).toMatchObject({ status: 400, reason: 'SDP body is not UTF-8 text' });
  });
});
