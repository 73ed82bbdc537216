import { describe, expect, it } from 'vitest';
import {
  MAX_CSEQ,
  parseCSeq,
  parseContentLength,
  parseContentType,
  parseDeltaSeconds,
  parseEvent,
  parseMaxForwards,
  parseRetryAfter,
  parseScalarIn,
  parseSubscriptionState,
  parseTokenList,
} from '../../../../main/sip/message/typed-headers';

describe('parseCSeq (RFC 3261 §20.16, §8.1.1.5)', () => {
  it('reads the number and the case-sensitive method', () => {
    expect(parseCSeq('4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq('  0009 \t INVITE ')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('1 foo.BAR')).toEqual({ seq: 1, method: 'foo.BAR' });
  });

  it('allows any number of leading zeros but nothing beyond 2^32-1', () => {
    expect(parseCSeq(`${'0'.repeat(30)}7 ACK`)).toEqual({ seq: 7, method: 'ACK' });
    expect(parseCSeq(`${MAX_CSEQ} ACK`)).toEqual({ seq: MAX_CSEQ, method: 'ACK' });
    expect(parseCSeq(`${MAX_CSEQ + 1} ACK`)).toBeUndefined();
    expect(parseCSeq('36893488147419103232 REGISTER')).toBeUndefined();
  });

  it('refuses signs, missing parts and non-token methods', () => {
    for (const bad of [
      '',
      'INVITE',
      '1',
      '-1 INVITE',
      '+1 INVITE',
      '1INVITE',
      '1 IN VITE',
      '1 INV@TE',
      'x INVITE',
    ])
      expect(parseCSeq(bad), bad).toBeUndefined();
  });
});

describe('scalar headers', () => {
  it('Max-Forwards is 0..255', () => {
    expect(parseMaxForwards('0')).toBe(0);
    expect(parseMaxForwards(' 0068 ')).toBe(68);
    expect(parseMaxForwards('255')).toBe(255);
    expect(parseMaxForwards('256')).toBeUndefined();
    expect(parseMaxForwards('300')).toBeUndefined();
  });

  it('delta-seconds is 0..2^32-1', () => {
    expect(parseDeltaSeconds('3600')).toBe(3600);
    expect(parseDeltaSeconds('4294967295')).toBe(4294967295);
    expect(parseDeltaSeconds('4294967296')).toBeUndefined();
    expect(parseDeltaSeconds('1'.repeat(100))).toBeUndefined();
  });

  it('Content-Length refuses signs, fractions, blanks and junk', () => {
    expect(parseContentLength('0')).toBe(0);
    expect(parseContentLength(' 150 ')).toBe(150);
    for (const bad of ['', ' ', '-999', '+1', '1.0', '1e3', '0x10', '12 34', '١٢'])
      expect(parseContentLength(bad), bad).toBeUndefined();
  });
});

describe('in-place readers', () => {
  it('parseCSeq and parseScalarIn read text[from, to) as they read the slice', () => {
    for (const value of ['4711 INVITE', ' 1  BYE ', '1INVITE', '4294967296 ACK', '', '7 ']) {
      const whole = `CSeq: ${value}\r\n9 OPTIONS`;
      expect(parseCSeq(whole, 6, 6 + value.length), value).toEqual(parseCSeq(value));
    }
    for (const value of ['70', ' 0009 ', '256', '', 'x', '1 2']) {
      const whole = `Max-Forwards: ${value}\r\n12`;
      expect(parseScalarIn(whole, 14, 14 + value.length, 255), value).toBe(parseMaxForwards(value));
    }
  });
});

describe('parseContentType (RFC 3261 §20.15)', () => {
  it('lower-cases the media type and keeps parameters', () => {
    const t = parseContentType('Multipart/Mixed ; boundary=7a9cbec02ceef655');
    expect(t?.type).toBe('multipart/mixed');
    expect([...t!.params]).toEqual([['boundary', '7a9cbec02ceef655']]);
    expect(parseContentType('application / sdp')?.type).toBe('application/sdp');
    expect(parseContentType('text/plain;charset="utf-8"')?.params.get('charset')).toBe('utf-8');
  });

  it('refuses a missing subtype or non-token parts', () => {
    for (const bad of ['', 'application', 'application/', '/sdp', 'a@b/c', 'text/plain;charset="x'])
      expect(parseContentType(bad), bad).toBeUndefined();
  });
});

describe('parseRetryAfter (RFC 3261 §20.33)', () => {
  it('reads seconds, a comment and parameters', () => {
    expect(parseRetryAfter('18000;duration=3600')).toMatchObject({ seconds: 18000 });
    expect(parseRetryAfter('120 (I am in a meeting)')).toMatchObject({
      seconds: 120,
      comment: 'I am in a meeting',
    });
    expect(parseRetryAfter('949302838503028349304023988')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('parseEvent and parseSubscriptionState (RFC 6665 §8.2)', () => {
  it('reads the package and id', () => {
    expect(parseEvent('Presence;id=7')).toMatchObject({ event: 'presence', id: '7' });
    expect(parseEvent('refer')).toMatchObject({ event: 'refer' });
    expect(parseEvent('a b')).toBeUndefined();
  });

  it('reads the state, expires, reason and retry-after', () => {
    expect(parseSubscriptionState('active;expires=600')).toMatchObject({ state: 'active', expires: 600 });
    expect(parseSubscriptionState('Terminated;reason=Timeout;retry-after=30')).toMatchObject({
      state: 'terminated',
      reason: 'timeout',
      retryAfter: 30,
    });
    expect(parseSubscriptionState('')).toBeUndefined();
  });
});

describe('parseTokenList', () => {
  it('splits lines at commas, drops empty items and lower-cases unless asked not to', () => {
    expect(parseTokenList(['100rel, Timer', ' ,path,'], true)).toEqual(['100rel', 'timer', 'path']);
    expect(parseTokenList(['INVITE, ACK', 'Bye'], false)).toEqual(['INVITE', 'ACK', 'Bye']);
  });
});
