// A parsed message keeps its header section as offsets into the head (main/sip/message/header-section.ts) and
// makes HeaderField objects only when the list is read or edited. These tests pin that the lazy section and the
// materialised list always agree, whatever is read first, and that edits see the parsed lines.
import { describe, expect, it } from 'vitest';
import { SipRequest, field } from '../../../../main/sip/message/message';
import type { HeaderField, SipMessage } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import { parseUri } from '../../../../main/sip/message/uri';

const LINES = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport',
  'v: SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK0',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: c-1@192.0.2.1',
  'CSeq: 7 INVITE',
  'Contact: <sip:alice@192.0.2.1:5060;transport=udp>;expires=60, <sip:alice@198.51.100.1>;q=0.5',
  'X-Custom:   spaced value  ',
  'Supported: replaces, timer',
  'Content-Type: application/sdp',
  'Content-Length: 4',
];

function wire(lines: readonly string[], body = 'v=0\n'): Buffer {
  return Buffer.from(`INVITE sip:bob@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

function parsed(data: Buffer | string, lazy = false): SipMessage {
  const result = parseMessage(data, { lazy });
  if (!result.ok) throw new Error(result.error.reason);
  return result.message;
}

/** What an eagerly built message with the same lines answers, to compare the lazy section with. */
function eager(message: SipMessage): SipRequest {
  const uri = parseUri('sip:bob@example.com');
  if (!uri.ok) throw new Error(uri.error.reason);
  const fields: HeaderField[] = message.headers.map((f) => ({ ...f }));
  return new SipRequest('INVITE', uri.value, fields, message.body);
}

function views(m: SipMessage): unknown {
  return {
    via: m.header('via'),
    compact: m.header('v'),
    lines: m.headerLines('Via'),
    values: m.headerValues('contact'),
    custom: m.header('x-custom'),
    missing: m.header('Subject'),
    has: [m.hasHeader('CSeq'), m.hasHeader('Route')],
    supported: m.supported,
    topVia: m.topVia?.branch,
    vias: m.via.map((v) => v.host),
    from: [m.from.tag, m.from.displayName, [...m.from.params]],
    to: m.to.tag,
    cseq: m.cseq,
    contact: m.contact.map((c) => [c.expires, c.q, [...c.params]]),
    length: m.contentLength,
  };
}

describe('HeaderSection: lazy lines read like a field list', () => {
  it('answers every lookup as the materialised list does, before and after materialising', () => {
    const m = parsed(wire(LINES));
    const before = views(m);
    expect(before).toEqual(views(eager(parsed(wire(LINES)))));
    expect(m.headers.map((f) => f.name)).toEqual(LINES.map((line) => line.slice(0, line.indexOf(':'))));
    expect(m.headers.find((f) => f.key === 'x-custom')?.value).toBe('spaced value');
    expect(views(m)).toEqual(before);
  });

  it('keeps the wire spelling and the key of every line, compact forms included', () => {
    const m = parsed(wire(LINES));
    expect(m.headers[1]).toEqual({
      name: 'v',
      key: 'via',
      value: 'SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK0',
    });
    expect(m.headers.filter((f) => f.key === 'via')).toHaveLength(2);
  });

  it('reads a folded line as its unfolded value, in place and materialised (RFC 3261 §7.3.1)', () => {
    const m = parsed(
      wire([...LINES.slice(0, 3), 'Subject: first', ' second\t', '\tthird', ...LINES.slice(3)]),
    );
    expect(m.header('subject')).toBe('first second third');
    expect(m.cseq.seq).toBe(7);
    const folded = parsed(
      wire(['Via: SIP/2.0/UDP 192.0.2.1', ' ;branch=z9hG4bK9', ...LINES.slice(2), 'Expires:', ' 30']),
    );
    expect(folded.topVia?.branch).toBe('z9hG4bK9');
    expect(folded.expires).toBe(30);
    expect(folded.headers[0]).toEqual({
      name: 'Via',
      key: 'via',
      value: 'SIP/2.0/UDP 192.0.2.1 ;branch=z9hG4bK9',
    });
  });

  it('reads a message split in lazy mode the same way', () => {
    expect(views(parsed(wire(LINES), true))).toEqual(views(parsed(wire(LINES))));
  });
});

describe('HeaderSection: edits after a parse', () => {
  it('setHeader replaces the parsed lines and the typed view follows', () => {
    const m = parsed(wire(LINES));
    expect(m.cseq.seq).toBe(7);
    m.setHeader('CSeq', '8 INVITE');
    expect(m.cseq.seq).toBe(8);
    expect(m.headers.filter((f) => f.key === 'cseq')).toEqual([
      { name: 'CSeq', key: 'cseq', value: '8 INVITE' },
    ]);
    expect(m.headers.findIndex((f) => f.key === 'cseq')).toBe(6);
  });

  it('prependHeader, addHeader, replaceHeaderLine and removeHeader work on the parsed list', () => {
    const m = parsed(wire(LINES));
    m.prependHeader('Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp');
    expect(m.topVia?.host).toBe('proxy.example.com');
    expect(m.via).toHaveLength(3);
    m.replaceHeaderLine('via', 0, 'SIP/2.0/UDP other.example.com;branch=z9hG4bKo');
    expect(m.topVia?.host).toBe('other.example.com');
    m.addHeader('Route', '<sip:proxy.example.com;lr>');
    expect(m.route.map((r) => 'params' in r.uri && r.uri.params.has('lr'))).toEqual([true]);
    m.removeHeader('contact');
    expect(m.contact).toEqual([]);
    expect(m.header('x-custom')).toBe('spaced value');
    expect(m.headers.map((f) => f.key)).toEqual([
      'via',
      'via',
      'via',
      'max-forwards',
      'from',
      'to',
      'call-id',
      'cseq',
      'x-custom',
      'supported',
      'content-type',
      'content-length',
      'route',
    ]);
  });

  it('an edit made before any read still sees every parsed line', () => {
    const m = parsed(wire(LINES));
    m.addHeader('Subject', 'late');
    expect(m.headers).toHaveLength(LINES.length + 1);
    expect(m.from.tag).toBe('a1');
    expect(m.header('subject')).toBe('late');
  });
});

describe('HeaderSection: serialising a parsed message', () => {
  it('writes an unmodified message as name: value lines with the Content-Length of its body', () => {
    const m = parsed(wire(LINES));
    const text = serializeMessage(m).toString('utf8');
    expect(text).toBe(
      `INVITE sip:bob@example.com SIP/2.0\r\n${LINES.map((line) => {
        const colon = line.indexOf(':');
        return `${line.slice(0, colon)}: ${line.slice(colon + 1).trim()}`;
      }).join('\r\n')}\r\n\r\nv=0\n`,
    );
    expect(serializeMessage(parsed(text)).toString('utf8')).toBe(text);
  });

  it('serialises the same whether or not the lines were read first', () => {
    const untouched = serializeMessage(parsed(wire(LINES)));
    const read = parsed(wire(LINES));
    void views(read);
    expect(serializeMessage(read).equals(untouched)).toBe(true);
    const edited = parsed(wire(LINES));
    edited.setHeader('Subject', 'x');
    expect(serializeMessage(edited).toString('utf8')).toContain('\r\nSubject: x\r\n');
  });

  it('keeps the fields of built messages as given', () => {
    const uri = parseUri('sip:b@h');
    if (!uri.ok) throw new Error(uri.error.reason);
    const fields = [field('via', 'SIP/2.0/UDP h;branch=z9hG4bK1'), field('call-id', 'c')];
    const m = new SipRequest('OPTIONS', uri.value, fields);
    expect(m.headers).toBe(fields);
    expect(m.header('i')).toBe('c');
  });
});
