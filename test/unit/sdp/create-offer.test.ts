import { describe, expect, it } from 'vitest';
import { createOffer, holdDirection, resumeDirection } from '../../../main/sdp/create-offer';
import { LocalSessionDescription } from '../../../main/sdp/local-session-description';
import { parseSessionDescription } from '../../../main/sdp/parse-session-description';
import { SeededRandom } from '../../support/seeded-random';

const ADDRESS = { addressType: 'IP4', address: '192.0.2.5' } as const;

function offerText(options: Parameters<typeof createOffer>[0]): string {
  return new LocalSessionDescription(new SeededRandom(7), ADDRESS).describe(createOffer(options)).text;
}

describe('createOffer', () => {
  it('offers Opus, PCMU, PCMA and telephone-event at both rates, ptime 20, rtcp-mux and a=rtcp', () => {
    const text = offerText({ address: ADDRESS, port: 4000 });
    const lines = text.split('\r\n');
    expect(lines).toContain('c=IN IP4 192.0.2.5');
    expect(lines).toContain('m=audio 4000 RTP/AVP 96 0 8 97 98');
    expect(lines).toContain('a=rtpmap:96 opus/48000/2');
    expect(lines).toContain('a=fmtp:96 minptime=10;useinbandfec=1;maxaveragebitrate=40000');
    expect(lines).toContain('a=rtpmap:0 PCMU/8000');
    expect(lines).toContain('a=rtpmap:8 PCMA/8000');
    expect(lines).toContain('a=rtpmap:97 telephone-event/48000');
    expect(lines).toContain('a=rtpmap:98 telephone-event/8000');
    expect(lines).toContain('a=fmtp:97 0-16');
    expect(lines).toContain('a=fmtp:98 0-16');
    expect(lines).toContain('a=ptime:20');
    expect(lines).toContain('a=rtcp:4001');
    expect(lines).toContain('a=rtcp-mux');
    expect(lines).toContain('a=sendrecv');
  });

  it('follows the account codec order and offers telephone-event only at the rates in use', () => {
    const text = offerText({ address: ADDRESS, port: 4000, codecs: ['pcma', 'pcmu'] });
    expect(text).toContain('m=audio 4000 RTP/AVP 8 0 96\r\n');
    expect(text).toContain('a=rtpmap:96 telephone-event/8000');
    expect(text).not.toContain('opus');
  });

  it('offers Opus alone with telephone-event/48000, and /8000 for phones that only take that beside Opus', () => {
    const text = offerText({ address: ADDRESS, port: 4000, codecs: ['opus'] });
    expect(text).toContain('m=audio 4000 RTP/AVP 96 97 98\r\n');
    expect(text).toContain('a=rtpmap:97 telephone-event/48000');
    expect(text).toContain('a=rtpmap:98 telephone-event/8000');
  });

  it('offers from an IPv6 address with the RTCP port and direction asked for', () => {
    const text = offerText({
      address: { addressType: 'IP6', address: '2001:db8::5' },
      port: 5000,
      rtcpPort: 5003,
      direction: 'sendonly',
    });
    expect(text).toContain('c=IN IP6 2001:db8::5');
    expect(text).toContain('a=rtcp:5003');
    expect(text).toContain('a=sendonly');
  });

  it('keeps the dynamic payload numbers of the session so far (RFC 3264 §8.3.2)', () => {
    const before = parseSessionDescription(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n' +
        'm=audio 7000 RTP/AVP 111 0 96\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:96 telephone-event/8000\r\n',
    );
    expect(before.ok).toBe(true);
    if (!before.ok) return;
    const text = offerText({ address: ADDRESS, port: 4000, previous: before.value.media[0] });
    // opus stays 111 and telephone-event/8000 stays 96; telephone-event/48000 takes the next free number.
    expect(text).toContain('m=audio 4000 RTP/AVP 111 0 8 97 96\r\n');
    expect(text).toContain('a=rtpmap:97 telephone-event/48000');
  });

  it('produces SDP that our own parser reads back', () => {
    const result = parseSessionDescription(offerText({ address: ADDRESS, port: 4000 }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.media[0]?.rtpFormats.map((format) => format.payloadType)).toEqual([96, 0, 8, 97, 98]);
  });
});

describe('hold and resume directions (RFC 6337 §5)', () => {
  it.each([
    ['sendrecv', 'sendonly'],
    ['recvonly', 'inactive'],
    ['sendonly', 'sendonly'],
    ['inactive', 'inactive'],
  ] as const)('holding from %s offers %s', (current, offered) => {
    expect(holdDirection(current)).toBe(offered);
  });

  it.each([
    ['sendonly', 'sendrecv'],
    ['inactive', 'recvonly'],
    ['sendrecv', 'sendrecv'],
  ] as const)('resuming from %s offers %s', (current, offered) => {
    expect(resumeDirection(current)).toBe(offered);
  });
});
