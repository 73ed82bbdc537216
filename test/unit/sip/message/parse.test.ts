import { MalformedHeaderError } from '../../../../main/sip/message/message';
import { describe, expect, it } from 'vitest';
import type { SipMessage, SipRequest, SipResponse } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import type { ParseError } from '../../../../main/sip/message/result';

const HEADERS = [
  'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
];

function wire(startLine: string, headers: readonly string[], body = '', eol = '\r\n'): string {
  return `${startLine}${eol}${headers.join(eol)}${eol}${eol}${body}`;
}

function parsed(data: string | Uint8Array): SipMessage {
  const result = parseMessage(data);
  if (!result.ok) throw new Error(result.error.reason);
  return result.message;
}

function request(data: string | Uint8Array): SipRequest {
  const message = parsed(data);
  if (message.kind !== 'request') throw new Error('not a request');
  return message;
}

function response(data: string | Uint8Array): SipResponse {
  const message = parsed(data);
  if (message.kind !== 'response') throw new Error('not a response');
  return message;
}

function failure(data: string | Uint8Array): ParseError {
  const result = parseMessage(data);
  if (result.ok) throw new Error('parsed but should have failed');
  return result.error;
}

describe('parseMessage: start lines (RFC 3261 §7.1, §7.2)', () => {
  it('reads a request line', () => {
    const m = request(wire('INVITE sip:bob@example.com SIP/2.0', HEADERS));
    expect(m.method).toBe('INVITE');
    expect(m.requestUriText).toBe('sip:bob@example.com');
  });

  it('takes the version in any case', () => {
    expect(request(wire('INVITE sip:bob@example.com sip/2.0', HEADERS)).method).toBe('INVITE');
    const r = response(wire('Sip/2.0 180 Ringing', HEADERS));
    expect([r.status, r.reason]).toEqual([180, 'Ringing']);
  });

  it('answers 505 to another version and 400 to a malformed one', () => {
    expect(failure(wire('INVITE sip:bob@example.com SIP/3.0', HEADERS)).status).toBe(505);
    expect(failure(wire('INVITE sip:bob@example.com SIP/2.00', HEADERS)).status).toBe(505);
    expect(failure(wire('INVITE sip:bob@example.com HTTP/1.1', HEADERS)).status).toBe(400);
    expect(failure(wire('INVITE sip:bob@example.com', HEADERS)).status).toBe(400);
    expect(failure(wire('INVITE  sip:bob@example.com SIP/2.0', HEADERS)).status).toBe(400);
    expect(failure(wire('INV@TE sip:bob@example.com SIP/2.0', HEADERS)).status).toBe(400);
  });

  it('reads status lines, with reason phrases of any UTF-8 text or none', () => {
    expect(response(wire('SIP/2.0 200 OK', HEADERS)).reason).toBe('OK');
    expect(response(wire('SIP/2.0 100 ', HEADERS)).reason).toBe('');
    expect(response(wire('SIP/2.0 100', HEADERS)).reason).toBe('');
    expect(response(wire('SIP/2.0 699 a\u2028b\tc  ', HEADERS)).reason).toBe('a\u2028b\tc  ');
  });

  it('refuses status codes outside 100..699 and malformed status lines', () => {
    for (const line of [
      'SIP/2.0 099 x',
      'SIP/2.0 700 x',
      'SIP/2.0 4294967301 x',
      'SIP/2.0 20 x',
      'SIP/2.0 2000',
      'SIP/2.0  200 OK',
      'SIP/2.0 200OK',
      'SIP/3.0 200 OK',
      'SIP/2.0 a00 OK',
    ])
      expect(parseMessage(wire(line, HEADERS)).ok, line).toBe(false);
  });

  it('ignores CRLFs before the start line (RFC 3261 §7.5)', () => {
    expect(
      request(`\r\n\r\n${wire('OPTIONS sip:b@h SIP/2.0', HEADERS.slice(0, 5).concat('CSeq: 1 OPTIONS'))}`)
        .method,
    ).toBe('OPTIONS');
    expect(failure('\r\n\r\n')).toEqual({ reason: 'empty message', status: 400 });
    expect(failure('')).toEqual({ reason: 'empty message', status: 400 });
  });
});

describe('parseMessage: header lines (RFC 3261 §7.3)', () => {
  it('expands every compact form (RFC 3261 §7.3.3 and later RFCs)', () => {
    const m = request(
      wire(
        'INVITE sip:bob@example.com SIP/2.0',
        [
          'v: SIP/2.0/UDP h;branch=z9hG4bK1',
          'f: <sip:a@h>;tag=1',
          't: <sip:b@h>',
          'i: call-1',
          'CSeq: 1 INVITE',
          'm: <sip:a@192.0.2.1>',
          'c: application/sdp',
          'k: 100rel',
          's: hello',
          'e: gzip',
          'o: presence',
          'u: refer',
          'r: <sip:c@h>',
          'b: <sip:d@h>',
          'x: 1800',
          'a: *;audio',
          'j: *;video',
          'd: proxy',
          'y: abc',
          'n: <https://h/cert>',
          'l: 4',
        ],
        'v=0\n',
      ),
    );
    expect(m.headers.map((h) => h.key)).toEqual([
      'via',
      'from',
      'to',
      'call-id',
      'cseq',
      'contact',
      'content-type',
      'supported',
      'subject',
      'content-encoding',
      'event',
      'allow-events',
      'refer-to',
      'referred-by',
      'session-expires',
      'accept-contact',
      'reject-contact',
      'request-disposition',
      'identity',
      'identity-info',
      'content-length',
    ]);
    expect(m.headers.map((h) => h.name)[0]).toBe('v');
    expect(m.topVia?.branch).toBe('z9hG4bK1');
    expect(m.from.tag).toBe('1');
    expect(m.callId).toBe('call-1');
    expect(m.contact).toHaveLength(1);
    expect(m.contentType?.type).toBe('application/sdp');
    expect(m.supported).toEqual(['100rel']);
    expect(m.header('Subject')).toBe('hello');
    expect(m.event?.event).toBe('presence');
    expect(m.allowEvents).toEqual(['refer']);
    expect(m.header('Refer-To')).toBe('<sip:c@h>');
    expect(m.header('Referred-By')).toBe('<sip:d@h>');
    expect(m.header('Session-Expires')).toBe('1800');
    expect(m.contentLength).toBe(4);
    expect(m.bodyText).toBe('v=0\n');
  });

  it('finds headers by any spelling: case-insensitive long names and compact forms', () => {
    const m = request(
      wire('OPTIONS sip:b@h SIP/2.0', [
        'VIA: SIP/2.0/UDP h;branch=z9hG4bK1',
        'fRoM: <sip:a@h>;tag=1',
        'TO : <sip:b@h>',
        'call-id: c1',
        'cseq: 1 OPTIONS',
      ]),
    );
    expect(m.header('Via')).toBe(m.header('v'));
    expect(m.header('v')).toBe('SIP/2.0/UDP h;branch=z9hG4bK1');
    expect(m.header('F')).toBe('<sip:a@h>;tag=1');
    expect(m.header('to')).toBe('<sip:b@h>');
    expect(m.header('CALL-ID')).toBe('c1');
    expect(m.header('I')).toBe('c1');
    expect(m.headers.map((h) => h.name)).toEqual(['VIA', 'fRoM', 'TO', 'call-id', 'cseq']);
  });

  it('unfolds continuation lines into one SP (RFC 3261 §7.3.1)', () => {
    const m = request(
      [
        'OPTIONS sip:b@h SIP/2.0',
        'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
        'From:',
        ' <sip:a@h>',
        '\t;tag=1',
        'To: <sip:b@h>',
        'Call-ID: c1',
        'CSeq: 1',
        '    OPTIONS',
        'Subject: first',
        '   ',
        '  second  ',
        'Empty:',
        '',
        '',
      ].join('\r\n'),
    );
    expect(m.header('from')).toBe('<sip:a@h> ;tag=1');
    expect(m.from.tag).toBe('1');
    expect(m.cseq).toEqual({ seq: 1, method: 'OPTIONS' });
    expect(m.header('subject')).toBe('first second');
    expect(m.header('empty')).toBe('');
  });

  it('keeps unknown headers, in order, among the known ones', () => {
    const m = request(
      wire('OPTIONS sip:b@h SIP/2.0', [
        'X-First: 1',
        ...HEADERS.slice(0, 5),
        'X-Second: two, three',
        'CSeq: 1 OPTIONS',
        'x-first: again',
      ]),
    );
    expect(
      m.headers.map((h) => [h.name, h.value]).filter(([name]) => name!.toLowerCase().startsWith('x-')),
    ).toEqual([
      ['X-First', '1'],
      ['X-Second', 'two, three'],
      ['x-first', 'again'],
    ]);
    expect(m.headerLines('X-FIRST')).toEqual(['1', 'again']);
    // Not a list header: its commas are not split.
    expect(m.headerValues('x-second')).toEqual(['two, three']);
  });

  it('splits list headers at commas outside quotes and <> (RFC 3261 §7.3.1)', () => {
    const m = request(
      wire('REGISTER sip:h SIP/2.0', [
        'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2',
        'v: SIP/2.0/UDP c;branch=z9hG4bK3',
        'From: <sip:a@h>;tag=1',
        'To: <sip:a@h>',
        'Call-ID: c1',
        'CSeq: 1 REGISTER',
        'Contact: "Doe, John" <sip:j,k@h;x=1>;q=0.5, <sip:k@h>, "a \\", b" <sip:l@h>',
        'Contact: sip:m@h;expires=60',
        'Route: <sip:p1@h;lr>,<sip:p2@h;lr>',
      ]),
    );
    expect(m.via.map((v) => v.host)).toEqual(['a', 'b', 'c']);
    expect(m.headerValues('contact')).toEqual([
      '"Doe, John" <sip:j,k@h;x=1>;q=0.5',
      '<sip:k@h>',
      '"a \\", b" <sip:l@h>',
      'sip:m@h;expires=60',
    ]);
    expect(m.contact.map((c) => c.displayName)).toEqual(['Doe, John', undefined, 'a ", b', undefined]);
    expect(m.contact[0]!.q).toBe(0.5);
    expect(m.contact[3]!.expires).toBe(60);
    expect(m.route).toHaveLength(2);
  });

  it('keeps the raw line of headers whose own grammar uses commas (Authorization, WWW-Authenticate)', () => {
    const m = response(
      wire('SIP/2.0 401 Unauthorized', [
        ...HEADERS,
        'WWW-Authenticate: Digest realm="a,b", nonce="n", qop="auth,auth-int"',
        'WWW-Authenticate: Digest realm="c", nonce="m"',
      ]),
    );
    expect(m.wwwAuthenticate).toEqual([
      'Digest realm="a,b", nonce="n", qop="auth,auth-int"',
      'Digest realm="c", nonce="m"',
    ]);
    expect(m.headerValues('www-authenticate')).toHaveLength(2);
  });

  it('refuses header lines without a colon, bad names and a continuation before any header', () => {
    expect(failure(wire('OPTIONS sip:b@h SIP/2.0', [...HEADERS, 'Broken header'])).reason).toMatch(/colon/);
    expect(failure(wire('OPTIONS sip:b@h SIP/2.0', [...HEADERS, 'Bad Name: x'])).reason).toMatch(
      /header name/,
    );
    expect(failure(wire('OPTIONS sip:b@h SIP/2.0', [...HEADERS, ': x'])).reason).toMatch(/header name/);
    expect(failure(wire('OPTIONS sip:b@h SIP/2.0', [' folded: x', ...HEADERS])).reason).toMatch(
      /continuation/,
    );
  });

  it('refuses a bare CR in the header section', () => {
    const headers = [...HEADERS.slice(0, 5), 'CSeq: 1 OPTIONS'];
    expect(failure(wire('OPTIONS sip:b@h SIP/2.0', [...headers, 'Subject: a\rInjected: b'])).reason).toMatch(
      /bare CR/,
    );
    expect(
      failure(
        wire('OPTIONS sip:b@h SIP/2.0', [
          ...headers.slice(0, 3),
          'From: <sip:a@h>;tag=1\r',
          ...headers.slice(4),
        ]),
      ).reason,
    ).toMatch(/bare CR/);
    // Not even where quoted-pair would allow it (see the intmeth test): no NUL in the head at all.
    expect(failure(wire('OPTIONS sip:b@h SIP/2.0', [...headers, 'Subject: "\\\u0000"']))).toEqual({
      reason: 'NUL byte in the Subject header',
      status: 400,
    });
  });

  it('checks the headers the stack relies on', () => {
    const options = (headers: string[]) => wire('OPTIONS sip:b@h SIP/2.0', headers);
    const base = [...HEADERS.slice(0, 5), 'CSeq: 1 OPTIONS'];
    expect(failure(options(base.filter((h) => !h.startsWith('Via')))).reason).toBe('missing Via header');
    expect(failure(options(base.filter((h) => !h.startsWith('Call-ID')))).reason).toBe(
      'missing Call-ID header',
    );
    expect(failure(options([...base, 'Call-ID: other'])).reason).toBe('more than one Call-ID header');
    expect(failure(options([...base, 'Max-Forwards: 1'])).reason).toBe('more than one Max-Forwards header');
    expect(failure(options([...base.slice(0, 4), 'Call-ID: a b', base[5]!])).reason).toMatch(/Call-ID/);
    expect(failure(options([...base, 'Expires: soon'])).reason).toMatch(/Expires/);
    expect(request(options([...base, 'Contact: *'])).contact).toEqual([]);
  });

  it('checks Contact, Route and Record-Route in strict mode, and through the getters otherwise', () => {
    const options = (headers: string[]) => wire('OPTIONS sip:b@h SIP/2.0', headers);
    const base = [...HEADERS.slice(0, 5), 'CSeq: 1 OPTIONS'];
    const strict = (data: string) => {
      const result = parseMessage(data, { strict: true });
      if (result.ok) throw new Error('parsed but should have failed');
      return result.error;
    };
    expect(strict(options([...base, 'Contact: <sip:a@h>;expires=x'])).reason).toMatch(/expires/);
    expect(strict(options([...base, 'Contact: <sip:a@h>;q=1.5'])).reason).toMatch(/q/);
    expect(strict(options([...base, 'Contact: *, <sip:a@h>'])).reason).toMatch(/Contact \*/);
    expect(strict(options([...base, 'Record-Route: sip:a@h;lr, junk'])).status).toBe(400);
    const lenient = request(options([...base, 'Contact: <sip:a@h>;expires=x']));
    expect(() => lenient.contact).toThrow(MalformedHeaderError);
  });

  it('leaves everything but framing to the getters in lazy mode', () => {
    const result = parseMessage(wire('OPTIONS sip:b@h SIP/2.0', ['Via: junk', 'CSeq: 1 INVITE']), {
      lazy: true,
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.message.header('via')).toBe('junk');
      expect(result.message.validate().ok).toBe(false);
      expect(() => result.message.via).toThrow(/malformed Via header/);
    }
  });
});

describe('parseMessage: framing and the body (RFC 3261 §7.4, §7.5, §18.3)', () => {
  const base = [...HEADERS.slice(0, 5), 'CSeq: 1 MESSAGE'];

  it('takes Content-Length bytes as the body and ignores the rest of a datagram', () => {
    const m = request(wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Content-Length: 5'], 'hello world'));
    expect(m.bodyText).toBe('hello');
  });

  it('takes the rest of the datagram without Content-Length', () => {
    expect(request(wire('MESSAGE sip:b@h SIP/2.0', base, 'hello\r\n\r\nworld')).bodyText).toBe(
      'hello\r\n\r\nworld',
    );
  });

  it('counts Content-Length in bytes, not characters', () => {
    const m = request(wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Content-Length: 6'], 'ééé'));
    expect(m.bodyText).toBe('ééé');
    expect(m.body).toHaveLength(6);
  });

  it('refuses a Content-Length larger than the datagram, invalid or repeated', () => {
    expect(failure(wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Content-Length: 6'], 'hello')).reason).toBe(
      'Content-Length is larger than the message',
    );
    expect(
      failure(wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Content-Length: five'], 'hello')).reason,
    ).toMatch(/invalid Content-Length/);
    expect(failure(wire('MESSAGE sip:b@h SIP/2.0', [...base, 'l: 1', 'Content-Length: 1'], 'h')).reason).toBe(
      'more than one Content-Length header',
    );
  });

  it('accepts bare LF line endings, and ends the headers at the first empty line', () => {
    const m = request(wire('MESSAGE sip:b@h SIP/2.0', base, 'line one\r\n\r\nline two', '\n'));
    expect(m.callId).toBe('a84b4c76e66710@pc33.example.com');
    expect(m.bodyText).toBe('line one\r\n\r\nline two');
    const mixed = request(`MESSAGE sip:b@h SIP/2.0\r\n${base.join('\r\n')}\n\r\nbody`);
    expect(mixed.bodyText).toBe('body');
  });

  it('takes a datagram that ends after its last header line as having no body', () => {
    expect(request(`MESSAGE sip:b@h SIP/2.0\r\n${base.join('\r\n')}\r\n`).body).toHaveLength(0);
    expect(failure(`MESSAGE sip:b@h SIP/2.0\r\n${base.join('\r\n')}`).reason).toBe(
      'message has no empty line after its headers',
    );
  });

  it('keeps binary and invalid UTF-8 bodies byte-exact', () => {
    const body = Buffer.from([0, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]);
    const head = Buffer.from(
      `MESSAGE sip:b@h SIP/2.0\r\n${[...base, `Content-Length: ${body.length}`].join('\r\n')}\r\n\r\n`,
    );
    const m = request(Buffer.concat([head, body]));
    expect(Buffer.from(m.body).equals(body)).toBe(true);
  });

  it('checks the CSeq method against the request method (RFC 4475 §3.1.2.17/18)', () => {
    expect(failure(wire('BYE sip:b@h SIP/2.0', base))).toEqual({
      reason: 'CSeq method MESSAGE does not match BYE',
      status: 400,
    });
    expect(failure(wire('FOO sip:b@h SIP/2.0', base)).status).toBe(501);
  });

  it('refuses headers in a Request-URI (RFC 3261 §19.1.1)', () => {
    const withHeaders = wire('MESSAGE sip:b@h?Subject=x SIP/2.0', base);
    expect(failure(withHeaders)).toEqual({ reason: 'Request-URI contains escaped headers', status: 400 });
  });
});

// parseMessage reads an ASCII head from one latin1 window, finding the empty line as it splits the lines, and
// anything else (UTF-8 in the head, a head longer than the window, a malformed head) by searching the bytes and
// decoding the head as UTF-8. Both ways must frame and read a message identically.
describe('parseMessage: the two ways to the head', () => {
  const base = [...HEADERS.slice(0, 5), 'CSeq: 1 MESSAGE'];

  it('reads UTF-8 in header values, whatever the body', () => {
    for (const body of ['plain', 'héllo ✓']) {
      const length = Buffer.byteLength(body);
      const m = request(
        wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Subject: Grüße 😀', `Content-Length: ${length}`], body),
      );
      expect(m.header('subject')).toBe('Grüße 😀');
      expect(m.bodyText).toBe(body);
      expect(m.callId).toBe('a84b4c76e66710@pc33.example.com');
    }
  });

  it('reads an ASCII head before a UTF-8 body byte-exact', () => {
    const m = request(wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Content-Length: 6'], 'ça va✓'));
    expect(m.bodyText).toBe('ça va');
    expect(m.body).toHaveLength(6);
  });

  it('decodes bytes that are not UTF-8 in a header as the UTF-8 decoder does', () => {
    const head = Buffer.from(`MESSAGE sip:b@h SIP/2.0\r\n${base.join('\r\n')}\r\nSubject: caf`, 'latin1');
    const m = request(
      Buffer.concat([head, Buffer.from([0xe9]), Buffer.from('\r\nContent-Length: 2\r\n\r\nok')]),
    );
    expect(m.header('subject')).toBe('caf\ufffd');
    expect(m.bodyText).toBe('ok');
  });

  it('reads a head longer than the window', () => {
    const long = Array.from({ length: 60 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(80)}`);
    const m = request(wire('MESSAGE sip:b@h SIP/2.0', [...base, ...long, 'Content-Length: 4'], 'body'));
    expect(m.header('x-filler-59')).toBe('x'.repeat(80));
    expect(m.bodyText).toBe('body');
    expect(m.headers).toHaveLength(base.length + long.length + 1);
  });

  it('ends the head at a bare-LF empty line before a later CRLFCRLF, in either way', () => {
    for (const subject of ['ascii', 'ütf-8']) {
      const m = request(
        `MESSAGE sip:b@h SIP/2.0\r\n${[...base, `Subject: ${subject}`].join('\r\n')}\n\nbody\r\n\r\nmore`,
      );
      expect(m.header('subject')).toBe(subject);
      expect(m.bodyText).toBe('body\r\n\r\nmore');
    }
  });

  it('words the framing error of a head without an empty line, even when a line is malformed', () => {
    expect(failure(`MESSAGE sip:b@h SIP/2.0\r\n${base.join('\r\n')}\r\nBroken line`).reason).toBe(
      'message has no empty line after its headers',
    );
    expect(failure(`MESSAGE sip:b@h SIP/2.0\r\nBroken line\r\n\r\n`).reason).toMatch(/colon/);
    expect(failure(`MESSAGE sip:b@h SIP/2.0\r\nBroken line\r\n`).reason).toMatch(/colon/);
  });

  it('takes leading CRLFs and a datagram that is only a start line', () => {
    const m = request(`\r\n\r\n${wire('MESSAGE sip:b@h SIP/2.0', [...base, 'Content-Length: 2'], 'hi')}`);
    expect(m.bodyText).toBe('hi');
    expect(failure('OPTIONS sip:b@h SIP/2.0\r\n\r\n').reason).toBe('missing Via header');
  });
});
