import { describe, expect, it } from 'vitest';
import { createAnswer, type AnswerOptions } from '../../../main/sdp/create-answer';
import { LocalSessionDescription, type SessionBody } from '../../../main/sdp/local-session-description';
import { parseSessionDescription } from '../../../main/sdp/parse-session-description';
import type { SdpError } from '../../../main/sdp/sdp-error';
import type { SessionDescription } from '../../../main/sdp/session-description';
import { SeededRandom } from '../../support/seeded-random';
import {
  AUDIO_AND_IMAGE_OFFER,
  BARESIP_OFFER,
  G711_ONLY_OFFER,
  LEGACY_HOLD_OFFER,
  NO_COMMON_CODEC_OFFER,
  OPUS_IPV6_OFFER,
  RFC3264_OFFER,
  VIDEO_ONLY_OFFER,
  sdp,
} from './fixtures';

const ADDRESS = { addressType: 'IP4', address: '192.0.2.5' } as const;
const OPTIONS: AnswerOptions = { address: ADDRESS, port: 4000 };

function offer(text: string): SessionDescription {
  const result = parseSessionDescription(text);
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

function answer(text: string, options: Partial<AnswerOptions> = {}): SessionBody {
  const result = createAnswer(offer(text), { ...OPTIONS, ...options });
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

function answerError(text: string): SdpError {
  const result = createAnswer(offer(text), OPTIONS);
  if (result.ok) throw new Error('expected no answer');
  return result.error;
}

function answerText(text: string, options: Partial<AnswerOptions> = {}): string {
  return new LocalSessionDescription(new SeededRandom(1), ADDRESS).describe(answer(text, options)).text;
}

describe('createAnswer (RFC 3264 §6)', () => {
  it('answers the RFC 3264 §10 offer: audio accepted with its PCMU/PCMA, the video rejected with port 0', () => {
    const body = answer(RFC3264_OFFER);
    expect(body.media.map((media) => [media.type, media.port, media.formats])).toEqual([
      ['audio', 4000, ['0', '8']],
      ['video', 0, ['31', '32']],
    ]);
    const text = answerText(RFC3264_OFFER);
    expect(text).toContain('m=video 0 RTP/AVP 31 32\r\n');
    expect(text).not.toContain('iLBC');
  });

  it('answers a baresip-like offer with Opus first, its payload numbers, rtcp-mux and its telephone-event/8000', () => {
    const text = answerText(BARESIP_OFFER);
    const lines = text.split('\r\n');
    expect(lines).toContain('m=audio 4000 RTP/AVP 96 0 8 101');
    expect(lines).toContain('a=rtpmap:96 opus/48000/2');
    expect(lines).toContain('a=fmtp:96 minptime=10;useinbandfec=1;maxaveragebitrate=40000');
    expect(lines).toContain('a=rtpmap:101 telephone-event/8000');
    expect(lines).toContain('a=fmtp:101 0-16');
    expect(lines).toContain('a=rtcp-mux');
    expect(lines).toContain('a=ptime:20');
    expect(lines).toContain('a=sendrecv');
    expect(lines.some((line) => line.startsWith('a=rtcp:'))).toBe(false);
  });

  it('puts the common codecs in our preference order, not the offer’s', () => {
    expect(answer(BARESIP_OFFER, { codecs: ['pcma', 'pcmu'] }).media[0]?.formats).toEqual(['8', '0', '101']);
    expect(answer(G711_ONLY_OFFER).media[0]?.formats).toEqual(['0', '8', '101']);
  });

  it('answers a G.711-only offer that describes static types by number alone, with a=rtcp and no mux', () => {
    const audio = answer(G711_ONLY_OFFER, { rtcpPort: 4005 }).media[0];
    expect(audio?.rtcpMux).toBe(false);
    expect(audio?.rtcp).toEqual({ port: 4005 });
    expect(audio?.rtpFormats[0]?.rtpmap).toEqual({ encodingName: 'PCMU', clockRate: 8000, channels: 1 });
  });

  it('answers Opus only with the offer’s 109 and telephone-event/48000 at 110', () => {
    expect(answer(OPUS_IPV6_OFFER).media[0]?.formats).toEqual(['109', '110']);
  });

  it('keeps the offer’s numbers when it reuses a number we would use for something else', () => {
    const reused = sdp(
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 4000 RTP/AVP 97 96',
      'a=rtpmap:97 opus/48000/2',
      'a=rtpmap:96 telephone-event/48000',
    );
    expect(
      answer(reused).media[0]?.rtpFormats.map((format) => [format.payloadType, format.rtpmap?.encodingName]),
    ).toEqual([
      [97, 'opus'],
      [96, 'telephone-event'],
    ]);
  });

  it('does not take Opus announced with one channel (RFC 7587 §7 says opus/48000/2)', () => {
    const mono = sdp(
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 4000 RTP/AVP 96',
      'a=rtpmap:96 opus/48000',
    );
    expect(answerError(mono)).toMatchObject({ status: 488, warning: { code: 305 } });
  });

  it('says 488 with Warning 305 when no offered codec is ours', () => {
    expect(answerError(NO_COMMON_CODEC_OFFER)).toEqual({
      reason: 'no codec in the offer is one we support',
      status: 488,
      warning: { code: 305, text: 'Incompatible media format' },
    });
  });

  it('says 488 with Warning 304 when there is no audio at all', () => {
    expect(answerError(VIDEO_ONLY_OFFER)).toMatchObject({
      status: 488,
      warning: { code: 304, text: 'Media type not available' },
    });
  });

  it('refuses SRTP audio with port 0 and answers the plain RTP stream beside it', () => {
    const both = sdp(
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 4000 RTP/SAVP 0',
      'm=audio 4002 RTP/AVP 0',
    );
    expect(answer(both).media.map((media) => [media.protocol, media.port])).toEqual([
      ['RTP/SAVP', 0],
      ['RTP/AVP', 4000],
    ]);
  });

  it('answers one m-line per offered one, in order, accepting only the first usable audio stream', () => {
    const body = answer(AUDIO_AND_IMAGE_OFFER);
    expect(body.media.map((media) => [media.type, media.port, media.formats])).toEqual([
      ['image', 0, ['t38']],
      ['audio', 4000, ['0', '101']],
      ['image', 0, ['t38']],
    ]);
    const twoAudio = sdp(
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=audio 4000 RTP/AVP 0',
      'm=audio 4002 RTP/AVP 8',
    );
    expect(answer(twoAudio).media.map((media) => media.port)).toEqual([4000, 0]);
  });

  describe('directions (RFC 3264 §6.1, RFC 6337)', () => {
    function withDirection(direction: string): string {
      return sdp(
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=audio 4000 RTP/AVP 0',
        `a=${direction}`,
      );
    }

    it.each([
      ['sendrecv', 'sendrecv', 'sendrecv'],
      ['sendonly', 'sendrecv', 'recvonly'],
      ['recvonly', 'sendrecv', 'sendonly'],
      ['inactive', 'sendrecv', 'inactive'],
      ['sendrecv', 'sendonly', 'sendonly'],
      ['sendonly', 'sendonly', 'inactive'],
      ['recvonly', 'sendonly', 'sendonly'],
    ] as const)('offer %s, we want %s → answer %s', (offered, wanted, answered) => {
      expect(answer(withDirection(offered), { direction: wanted }).media[0]?.direction).toBe(answered);
    });

    it('reads the session-level direction when the stream has none', () => {
      // AUDIO_AND_IMAGE_OFFER's audio says recvonly itself; this one inherits sendonly from the session.
      const inherited = sdp(
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'a=sendonly',
        'm=audio 4000 RTP/AVP 0',
      );
      expect(answer(inherited).media[0]?.direction).toBe('recvonly');
      expect(answer(AUDIO_AND_IMAGE_OFFER).media[1]?.direction).toBe('sendonly');
    });

    it('takes c=0.0.0.0 as hold: a sendrecv offer is answered recvonly (RFC 3264 §8.4)', () => {
      expect(answer(LEGACY_HOLD_OFFER).media[0]?.direction).toBe('recvonly');
      expect(
        answer(LEGACY_HOLD_OFFER.replace('m=audio 7000 RTP/AVP 0', 'm=audio 7000 RTP/AVP 0\r\na=recvonly'))
          .media[0]?.direction,
      ).toBe('inactive');
    });
  });
});
