// salvageRequest reads, from a request the parser refused, just what a 400 or 505 needs (RFC 3261 §8.2.6.2,
// §18.2.2): these tests pin what it keeps, what it rewrites so the answer can be routed, and what it leaves out.
import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS } from '../../../../main/sip/message/limits';
import type { SipRequest } from '../../../../main/sip/message/message';
import { UNREADABLE_URI, salvageRequest } from '../../../../main/sip/message/salvage';
import { fixture } from './torture-fixtures';

const HEADERS = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 4 OPTIONS',
  'Subject: not copied',
];

function salvaged(text: string | Buffer): SipRequest {
  const request = salvageRequest(text);
  if (!request) throw new Error('nothing salvaged');
  return request;
}

function head(startLine: string, headers: readonly string[] = HEADERS): string {
  return `${startLine}\r\n${headers.join('\r\n')}\r\n\r\n`;
}

describe('salvageRequest', () => {
  it('keeps the method, the Request-URI and the lines a response copies, nothing else', () => {
    const request = salvaged(head('OPTIONS  sip:bob@example.com SIP/2.0'));
    expect(request.method).toBe('OPTIONS');
    expect(request.requestUriText).toBe('sip:bob@example.com');
    expect(request.headers.map((field) => field.key)).toEqual(['via', 'from', 'to', 'call-id', 'cseq']);
    expect(request.topVia).toMatchObject({ host: '192.0.2.1', port: 5060, branch: 'z9hG4bK1', rport: true });
  });

  it('rewrites a top Via the parser refuses from what can be read of it (RFC 4475 badvers, badinv01)', () => {
    expect(salvaged(fixture('rfc4475', 'badvers')).header('via')).toBe(
      'SIP/2.0/UDP c.example.com;branch=z9hG4bKkdjuw',
    );
    // Broken parameters are left out; the values after the first stay as the sender wrote them.
    expect(salvaged(fixture('rfc4475', 'badinv01')).header('via')).toBe('SIP/2.0/UDP 192.0.2.15, ;');
    // The parameters that can be read survive their broken neighbours, rport above all (RFC 3581 §4).
    const rport = salvaged(
      head('OPTIONS sip:b@h SIP/2.0 x', [
        'Via: SIP/2.0/UDP 192.0.2.1:5999;rport;;branch=z9hG4bK7;=x',
        ...HEADERS.slice(1),
      ]),
    );
    expect(rport.topVia).toMatchObject({ port: 5999, rport: true, branch: 'z9hG4bK7' });
  });

  it('leaves the Via out when its sent-by cannot be read or a Via line holds a NUL', () => {
    const without = (via: string) =>
      salvaged(head('OPTIONS sip:b@h SIP/2.0', [via, ...HEADERS.slice(1)])).hasHeader('via');
    expect(without('Via: SIP/2.0/UDP [not-an-address;branch=z9hG4bK1')).toBe(false);
    expect(without('Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK\0')).toBe(false);
    expect(without('Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1')).toBe(true);
    // An over-long Via line is not skipped to make the next one the top Via.
    const long = `Via: SIP/2.0/UDP 192.0.2.1;x=${'y'.repeat(MESSAGE_LIMITS.maxHeaderLineLength)}`;
    const request = salvaged(head('OPTIONS sip:b@h SIP/2.0', [long, ...HEADERS]));
    expect(request.hasHeader('via')).toBe(false);
    expect(request.hasHeader('call-id')).toBe(true);
  });

  it('removes NUL bytes from the other copied values, so they are never echoed back', () => {
    const request = salvaged(
      head('OPTIONS sip:b@h SIP/2.0', [
        HEADERS[0]!,
        'From: "Al\0ice" <sip:a@h>;tag=1',
        'To: <sip:b@h>',
        'Call-ID: c\0d',
        'CSeq: 1 OPTIONS',
      ]),
    );
    expect(request.header('from')).toBe('"Alice" <sip:a@h>;tag=1');
    expect(request.header('call-id')).toBe('cd');
  });

  it('takes the method from CSeq and the Request-URI from To when the start line is unreadable', () => {
    const request = salvaged(head('<garbage>', HEADERS));
    expect(request.method).toBe('OPTIONS');
    expect(request.requestUriText).toBe('sip:bob@example.com');
    const noTo = salvaged(
      head(
        '<garbage>',
        HEADERS.filter((line) => !line.startsWith('To')),
      ),
    );
    expect(noTo.requestUri).toBe(UNREADABLE_URI);
    // An ACK by its CSeq stays an ACK, whatever the start line says: nobody answers an ACK.
    const ackByCseq = HEADERS.map((line) => (line.startsWith('CSeq') ? 'CSeq: 4 ACK' : line));
    expect(salvaged(head('GARBAGE sip:b@h SIP/2.0 extra', ackByCseq)).method).toBe('ACK');
  });

  it('returns nothing for a response or when no method can be read', () => {
    expect(salvageRequest(head('SIP/2.0 200 OK', HEADERS))).toBeUndefined();
    expect(
      salvageRequest(
        head(
          '<garbage>',
          HEADERS.filter((line) => !line.startsWith('CSeq')),
        ),
      ),
    ).toBeUndefined();
    expect(salvageRequest('')).toBeUndefined();
    expect(salvageRequest('this is not SIP at all')).toBeUndefined();
  });

  it('keeps the first line of each single-value header and every Via line, unfolded', () => {
    const request = salvaged(
      head('OPTIONS sip:b@h SIP/2.0', [
        ...HEADERS,
        'Call-ID: second',
        'v: SIP/2.0/UDP 192.0.2.9',
        '  ;branch=z9hG4bK9',
      ]),
    );
    expect(request.headerLines('call-id')).toEqual(['c1@192.0.2.1']);
    expect(request.headerLines('via')).toEqual([
      'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport',
      'SIP/2.0/UDP 192.0.2.9 ;branch=z9hG4bK9',
    ]);
  });

  it('reads no further than MESSAGE_LIMITS: over-long lines are skipped, lines past the count ignored', () => {
    const long = `Call-ID: ${'x'.repeat(MESSAGE_LIMITS.maxHeaderLineLength)}`;
    expect(salvaged(head('OPTIONS sip:b@h SIP/2.0', [long, ...HEADERS])).header('call-id')).toBe(
      'c1@192.0.2.1',
    );
    const filler = Array.from({ length: MESSAGE_LIMITS.maxHeaderLines }, (_, i) => `X-F: ${i}`);
    expect(salvageRequest(head('OPTIONS sip:b@h SIP/2.0', [...filler, ...HEADERS]))).toBeUndefined();
  });
});
