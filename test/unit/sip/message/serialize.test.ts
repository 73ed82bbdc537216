import { describe, expect, it } from 'vitest';
import { SipRequest, SipResponse, field } from '../../../../main/sip/message/message';
import type { SipMessage } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import { parseUri } from '../../../../main/sip/message/uri';
import type { Uri } from '../../../../main/sip/message/uri';

function uri(text: string): Uri {
  const result = parseUri(text);
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

function options(): SipRequest {
  return new SipRequest('OPTIONS', uri('sip:bob@example.com'), [
    field('via', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1'),
    field('from', '<sip:alice@example.com>;tag=1'),
    field('to', '<sip:bob@example.com>'),
    field('call-id', 'c1'),
    field('cseq', '1 OPTIONS'),
  ]);
}

function reparsed(message: SipMessage): SipMessage {
  const result = parseMessage(serializeMessage(message));
  if (!result.ok) throw new Error(result.error.reason);
  return result.message;
}

describe('header edits refuse injection', () => {
  const values = ['a\r\nInjected: x', 'a\nb', 'a\rb', 'a\u0000b', '\r\n'];

  it('setHeader, addHeader and prependHeader refuse CR, LF and NUL in values', () => {
    for (const value of values) {
      const m = options();
      expect(() => m.setHeader('Subject', value), JSON.stringify(value)).toThrow(TypeError);
      expect(() => m.addHeader('Subject', value)).toThrow(TypeError);
      expect(() => m.prependHeader('Via', value)).toThrow(TypeError);
      expect(m.hasHeader('subject')).toBe(false);
    }
  });

  it('refuses header names that are not tokens', () => {
    const m = options();
    for (const name of ['Bad Name', 'X:Y', 'X\r\nY', '', 'Ä'])
      expect(() => m.addHeader(name, 'v'), JSON.stringify(name)).toThrow(TypeError);
  });

  it('the serializer refuses CR or LF that got past makeField', () => {
    const raw = new SipRequest('OPTIONS', uri('sip:bob@example.com'), [
      { name: 'Call-ID', key: 'call-id', value: 'c1\r\nInjected: x' },
    ]);
    expect(() => serializeMessage(raw)).toThrow(/CR or LF/);
    const badName = new SipRequest('OPTIONS', uri('sip:bob@example.com'), [
      { name: 'X\r\nInjected', key: 'x', value: 'v' },
    ]);
    expect(() => serializeMessage(badName)).toThrow(/header name/);
    expect(() => serializeMessage(new SipResponse(200, 'OK\r\nInjected: x'))).toThrow(/reason phrase/);
  });
});

describe('header edits keep order', () => {
  it('setHeader replaces all lines in place of the first; addHeader appends; prependHeader goes first', () => {
    const m = options();
    m.addHeader('X-A', '1').addHeader('Subject', 'one').addHeader('x-a', '2');
    m.setHeader('X-A', 'only');
    expect(m.headers.map((h) => [h.name, h.value]).slice(5)).toEqual([
      ['X-A', 'only'],
      ['Subject', 'one'],
    ]);
    m.prependHeader('Via', 'SIP/2.0/TCP 192.0.2.9;branch=z9hG4bK0');
    expect(m.via.map((v) => v.host)).toEqual(['192.0.2.9', '192.0.2.1']);
    m.removeHeader('v');
    expect(m.hasHeader('via')).toBe(false);
  });

  it('re-parses a typed header after it changes', () => {
    const m = options();
    expect(m.cseq.seq).toBe(1);
    m.setHeader('CSeq', '2 OPTIONS');
    expect(m.cseq.seq).toBe(2);
  });
});

describe('serializeMessage', () => {
  it('writes Content-Length from the body, whatever the header said', () => {
    const m = options();
    m.setHeader('Content-Length', '999');
    m.body = Buffer.from('hello');
    const text = serializeMessage(m).toString('utf8');
    expect(text).toContain('\r\nContent-Length: 5\r\n\r\nhello');
    expect(text).not.toContain('999');
  });

  it('adds Content-Length when missing, writes one when there were several, keeps the compact name', () => {
    const m = options();
    expect(serializeMessage(m).toString()).toMatch(/\r\nContent-Length: 0\r\n\r\n$/);
    const two = new SipRequest('OPTIONS', uri('sip:b@h'), [
      { name: 'l', key: 'content-length', value: '3' },
      { name: 'Content-Length', key: 'content-length', value: '4' },
    ]);
    two.body = Buffer.from('ab');
    expect(serializeMessage(two).toString()).toBe('OPTIONS sip:b@h SIP/2.0\r\nl: 2\r\n\r\nab');
  });

  it('keeps header names, order and values, and the Request-URI spelling', () => {
    const wire =
      'INVITE sip:%62ob@Example.COM;LR SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nX-Z: z\r\nf: <sip:a@h>;tag=1\r\n' +
      't: <sip:b@h>\r\ni: c\r\nCSeq: 1 INVITE\r\nX-A: a\r\nl: 0\r\n\r\n';
    const result = parseMessage(wire);
    expect(result.ok).toBe(true);
    if (result.ok) expect(serializeMessage(result.message).toString()).toBe(wire);
  });

  it('writes responses with their reason phrase, empty or not', () => {
    const m = new SipResponse(100, '', [field('via', 'SIP/2.0/UDP h;branch=z9hG4bK1')]);
    expect(serializeMessage(m).toString()).toBe(
      'SIP/2.0 100 \r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('keeps a binary body byte-exact and parses back to the same message', () => {
    const m = options();
    m.body = Buffer.from([0, 1, 0xff, 13, 10, 13, 10, 0x80]);
    const back = reparsed(m);
    expect(Buffer.from(back.body).equals(Buffer.from(m.body))).toBe(true);
    expect(back.headers.filter((h) => h.key !== 'content-length')).toEqual(m.headers);
    expect(back.contentLength).toBe(8);
  });

  it('writes UTF-8 header values and reason phrases', () => {
    const m = new SipResponse(200, 'Très bien', [
      field('via', 'SIP/2.0/UDP h;branch=z9hG4bK1'),
      field('from', '"Zoë" <sip:a@h>;tag=1'),
      field('to', '<sip:b@h>;tag=2'),
      field('call-id', 'c'),
      field('cseq', '1 INVITE'),
    ]);
    const back = reparsed(m);
    expect(back.kind === 'response' && back.reason).toBe('Très bien');
    expect(back.from.displayName).toBe('Zoë');
  });
});
