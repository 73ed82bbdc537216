import { describe, expect, it } from 'vitest';
import { BRANCH_MAGIC_COOKIE, formatVia, parseVia } from '../../../../main/sip/message/via';
import type { Via } from '../../../../main/sip/message/via';

function via(text: string): Via {
  const result = parseVia(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.reason}`);
  return result.value;
}

describe('parseVia (RFC 3261 §20.42, RFC 3581, RFC 5118)', () => {
  it('reads transport, sent-by and the parameters the stack uses', () => {
    const v = via(
      'SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5066',
    );
    expect(v).toMatchObject({
      transport: 'UDP',
      host: 'pc33.atlanta.example.com',
      port: 5066,
      branch: 'z9hG4bK776asdhds',
      received: '192.0.2.1',
      rport: 5066,
    });
    expect(v.branch?.startsWith(BRANCH_MAGIC_COOKIE)).toBe(true);
  });

  it('tells an empty rport (a request for it) from a filled-in one (RFC 3581 §4)', () => {
    expect(via('SIP/2.0/UDP h;rport;branch=z9hG4bK1').rport).toBe(true);
    expect(via('SIP/2.0/UDP h;branch=z9hG4bK1;rport=0').rport).toBe(0);
    expect(via('SIP/2.0/UDP h;branch=z9hG4bK1').rport).toBeUndefined();
    for (const bad of ['rport=65536', 'rport=-1', 'rport=x', 'rport=123456'])
      expect(parseVia(`SIP/2.0/UDP h;${bad}`).ok, bad).toBe(false);
  });

  it('reads IPv6 sent-by and received, with and without brackets (RFC 5118 §4.5)', () => {
    expect(via('SIP/2.0/TCP [2001:db8::9:1]:6050;branch=z9hG4bK1')).toMatchObject({
      host: '[2001:db8::9:1]',
      port: 6050,
    });
    expect(via('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bK1').received).toBe(
      '[2001:db8::9:255]',
    );
    expect(via('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bK1').received).toBe(
      '2001:db8::9:255',
    );
    expect(parseVia('SIP/2.0/UDP 2001:db8::1;branch=z9hG4bK1').ok).toBe(false);
  });

  it('accepts LWS wherever SWS is allowed: around / : ; and =', () => {
    const v = via('SIP  /   2.0 /UDP\t 192.0.2.2 : 5070 ;  branch  =   z9hG4bK9ikj8 ;rport');
    expect(v).toMatchObject({ transport: 'UDP', host: '192.0.2.2', port: 5070, branch: 'z9hG4bK9ikj8' });
    expect(v.rport).toBe(true);
    expect(via('sip/2.0/tls h').transport).toBe('TLS');
    expect(via('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1').transport).toBe('WSS');
  });

  it('refuses whitespace inside the host, which would join two words into one', () => {
    expect(parseVia('SIP/2.0/UDP host extra;branch=z9hG4bK1').ok).toBe(false);
    expect(parseVia('SIP/2.0/UDP 192.0.2.1 5060').ok).toBe(false);
  });

  it('refuses a malformed protocol, sent-by or parameter list', () => {
    for (const bad of [
      '',
      'SIP/2.0/UDP',
      'SIP/2.0/UDP ',
      'SIP/2.0 UDP h',
      'SIP/3.0/UDP h',
      'SIP/2.0/UDPh',
      'SIP/2.0/UDP h;;branch=x',
      'SIP/2.0/UDP 192.0.2.15;;',
      'SIP/2.0/UDP h;branch="open',
      'SIP/2.0/UDP h:99999',
      'SIP/2.0/UDP h;branch=a b',
    ])
      expect(parseVia(bad).ok, bad).toBe(false);
  });

  it('keeps unknown parameters and lower-cases their names', () => {
    const v = via('SIP/2.0/UDP h;Branch=z9hG4bKx;TTL=16;maddr=224.2.0.1;x-Unknown="a b"');
    expect([...v.params]).toEqual([
      ['branch', 'z9hG4bKx'],
      ['ttl', '16'],
      ['maddr', '224.2.0.1'],
      ['x-unknown', 'a b'],
    ]);
  });
});

describe('parseVia in place', () => {
  it('reads text[from, to) exactly as it reads the slice', () => {
    for (const value of [
      'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport',
      '  SIP / 2.0 / tcp  h.example.com : 5070 ; received=192.0.2.9 ',
      'SIP/2.0/UDP [2001:db8::1];rport=5060;branch="x y"',
      'SIP/2.0/UDP h;branch=a b',
      'SIP/2.0/UDP',
      'SIP/2.0/UDP h,SIP/2.0/UDP g',
    ]) {
      const before = 'Via: ;x';
      const after = ';branch=outside ;rport=1\r\nFrom: <sip:a@b>';
      const whole = `${before}${value}${after}`;
      expect(parseVia(whole, before.length, before.length + value.length), value).toEqual(parseVia(value));
    }
  });
});

describe('formatVia', () => {
  it('writes a value that parses back the same', () => {
    for (const text of [
      'SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;rport',
      'SIP/2.0/TCP [2001:db8::9:1]:6050;branch=z9hG4bK1;received=[2001:db8::9:255]',
      'SIP/2.0/TLS h;branch=z9hG4bK1;x="quoted value"',
    ]) {
      const first = via(text);
      expect(formatVia(first)).toBe(text);
      expect(via(formatVia(first))).toEqual(first);
    }
  });
});
