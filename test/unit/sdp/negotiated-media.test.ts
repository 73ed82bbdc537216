import { describe, expect, it } from 'vitest';
import { createAnswer } from '../../../main/sdp/create-answer';
import { createOffer } from '../../../main/sdp/create-offer';
import { LocalSessionDescription } from '../../../main/sdp/local-session-description';
import { negotiatedMedia, type NegotiatedMedia } from '../../../main/sdp/negotiated-media';
import { parseSessionDescription } from '../../../main/sdp/parse-session-description';
import type { SdpError } from '../../../main/sdp/sdp-error';
import type { Direction, SessionDescription } from '../../../main/sdp/session-description';
import { SeededRandom } from '../../support/seeded-random';
import { BARESIP_OFFER, G711_ONLY_OFFER, LEGACY_HOLD_OFFER, OPUS_IPV6_OFFER, sdp } from './fixtures';

const ADDRESS = { addressType: 'IP4', address: '192.0.2.5' } as const;

function parse(text: string): SessionDescription {
  const result = parseSessionDescription(text);
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

/** Our answer to `offerText`, as text and read back, the way the call usage will hold it. */
function answerTo(offerText: string, direction: Direction = 'sendrecv'): SessionDescription {
  const body = createAnswer(parse(offerText), { address: ADDRESS, port: 4000, direction });
  if (!body.ok) throw new Error(body.error.reason);
  return parse(new LocalSessionDescription(new SeededRandom(2), ADDRESS).describe(body.value).text);
}

function ourOffer(direction: Direction = 'sendrecv'): SessionDescription {
  const body = createOffer({ address: ADDRESS, port: 4000, direction });
  return parse(new LocalSessionDescription(new SeededRandom(2), ADDRESS).describe(body).text);
}

function media(
  local: SessionDescription,
  remote: SessionDescription,
  role: 'offerer' | 'answerer',
): NegotiatedMedia {
  const result = negotiatedMedia(local, remote, role);
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

function failure(local: SessionDescription, remote: SessionDescription): SdpError {
  const result = negotiatedMedia(local, remote, 'offerer');
  if (result.ok) throw new Error('expected the answer to be refused');
  return result.error;
}

/** A far-end answer to ourOffer(), with the lines given for its audio stream. */
function theirAnswer(...audio: string[]): SessionDescription {
  return parse(sdp('v=0', 'o=- 9 9 IN IP4 192.0.2.77', 's=-', 'c=IN IP4 192.0.2.77', 't=0 0', ...audio));
}

describe('negotiatedMedia as answerer', () => {
  it('gives a baresip-like call: Opus 96 with their fmtp, rtcp-mux, telephone-event/8000, both directions', () => {
    expect(media(answerTo(BARESIP_OFFER), parse(BARESIP_OFFER), 'answerer')).toEqual({
      mediaIndex: 0,
      remoteRtp: { address: '192.0.2.10', port: 10020 },
      remoteRtcp: { address: '192.0.2.10', port: 10020 },
      rtcpMux: true,
      codec: {
        payloadType: 96,
        name: 'opus',
        encodingName: 'opus',
        clockRate: 48000,
        channels: 2,
        fmtp: 'stereo=1;sprop-stereo=1',
      },
      telephoneEvent: { payloadType: 101, clockRate: 8000 },
      ptime: 20,
      send: true,
      receive: true,
      heldByRemote: false,
    });
  });

  it('sends RTCP to the a=rtcp port when there is no mux (RFC 3605)', () => {
    const negotiated = media(answerTo(G711_ONLY_OFFER), parse(G711_ONLY_OFFER), 'answerer');
    expect(negotiated.codec).toMatchObject({ payloadType: 0, name: 'pcmu' });
    expect(negotiated.rtcpMux).toBe(false);
    expect(negotiated.remoteRtcp).toEqual({ address: '198.51.100.7', port: 6001 });
    expect(negotiated.telephoneEvent).toEqual({ payloadType: 101, clockRate: 8000 });
  });

  it('sends RTCP to a=rtcp’s own address over IPv6 and uses their ptime', () => {
    const negotiated = media(answerTo(OPUS_IPV6_OFFER), parse(OPUS_IPV6_OFFER), 'answerer');
    expect(negotiated.remoteRtp).toEqual({ address: '2001:db8::10', port: 40000 });
    expect(negotiated.remoteRtcp).toEqual({ address: '2001:db8::11', port: 40005 });
    expect(negotiated.telephoneEvent).toEqual({ payloadType: 110, clockRate: 48000 });
    expect(negotiated.ptime).toBe(40);
  });

  it('does not send to a c=0.0.0.0 offer but still receives from it, and says the far end holds us', () => {
    const negotiated = media(answerTo(LEGACY_HOLD_OFFER), parse(LEGACY_HOLD_OFFER), 'answerer');
    expect([negotiated.send, negotiated.receive, negotiated.heldByRemote]).toEqual([false, true, true]);
  });

  it('says the far end holds us when it offers sendonly or inactive, not when we hold', () => {
    const sendonly = BARESIP_OFFER.replace('a=sendrecv', 'a=sendonly');
    const inactive = BARESIP_OFFER.replace('a=sendrecv', 'a=inactive');
    expect(media(answerTo(sendonly), parse(sendonly), 'answerer').heldByRemote).toBe(true);
    expect(media(answerTo(inactive), parse(inactive), 'answerer').heldByRemote).toBe(true);
    expect(media(answerTo(BARESIP_OFFER, 'sendonly'), parse(BARESIP_OFFER), 'answerer').heldByRemote).toBe(
      false,
    );
  });

  it('sends only while we hold the call', () => {
    const negotiated = media(answerTo(BARESIP_OFFER, 'sendonly'), parse(BARESIP_OFFER), 'answerer');
    expect([negotiated.send, negotiated.receive]).toEqual([true, false]);
  });
});

describe('negotiatedMedia as offerer, applying their answer', () => {
  it('takes the first codec of the answer and RTCP on port + 1 when neither mux nor a=rtcp', () => {
    const negotiated = media(
      ourOffer(),
      theirAnswer('m=audio 8000 RTP/AVP 8 98', 'a=rtpmap:98 telephone-event/8000'),
      'offerer',
    );
    expect(negotiated.codec).toMatchObject({ payloadType: 8, name: 'pcma', clockRate: 8000 });
    expect(negotiated.telephoneEvent).toEqual({ payloadType: 98, clockRate: 8000 });
    expect(negotiated.remoteRtcp).toEqual({ address: '192.0.2.77', port: 8001 });
    expect(negotiated.ptime).toBe(20);
  });

  it('reads a dynamic type the answer left without rtpmap through our offer', () => {
    const negotiated = media(ourOffer(), theirAnswer('m=audio 8000 RTP/AVP 96', 'a=rtcp-mux'), 'offerer');
    expect(negotiated.codec).toMatchObject({ payloadType: 96, name: 'opus' });
    expect(negotiated.rtcpMux).toBe(true);
    expect(negotiated.remoteRtcp).toEqual({ address: '192.0.2.77', port: 8000 });
  });

  it.each([
    ['recvonly', 'sendonly', true, false],
    ['inactive', 'sendonly', false, false],
    ['sendonly', 'sendrecv', false, true],
  ] as const)('their %s answer to our %s offer: send %s, receive %s', (theirs, ours, send, receive) => {
    const negotiated = media(ourOffer(ours), theirAnswer('m=audio 8000 RTP/AVP 0', `a=${theirs}`), 'offerer');
    expect([negotiated.send, negotiated.receive]).toEqual([send, receive]);
  });

  it('refuses an answer with a payload type we did not offer (RFC 3264 §6.1)', () => {
    expect(
      failure(ourOffer(), theirAnswer('m=audio 8000 RTP/AVP 0 18', 'a=rtpmap:18 G729/8000')),
    ).toMatchObject({
      status: 488,
      reason: 'the answer uses payload type 18, which was not offered',
    });
  });

  it('refuses an answer with another number of m-lines', () => {
    expect(failure(ourOffer(), theirAnswer('m=audio 8000 RTP/AVP 0', 'm=video 0 RTP/AVP 31')).status).toBe(
      488,
    );
  });

  it('reports 304 when they rejected our audio with port 0', () => {
    expect(failure(ourOffer(), theirAnswer('m=audio 0 RTP/AVP 0'))).toMatchObject({ warning: { code: 304 } });
  });

  it('reports 305 when the answer only has telephone-event', () => {
    expect(failure(ourOffer(), theirAnswer('m=audio 8000 RTP/AVP 98'))).toMatchObject({
      warning: { code: 305 },
    });
  });
});
