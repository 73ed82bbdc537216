// MESSAGE_LIMITS on the datagram path (parseMessage) and the stream path (StreamFramer): one set of bounds on what
// one message from a stranger can make us hold, each tested just inside and just past its limit.
import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS } from '../../../../main/sip/message/limits';
import { parseMessage } from '../../../../main/sip/message/parse';
import type { ParseError } from '../../../../main/sip/message/result';
import { StreamFramer } from '../../../../main/sip/message/stream-framer';

const TOP_VIA = 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1';
const REST = [
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 OPTIONS',
];

function datagram(headers: readonly string[]): Buffer {
  return Buffer.from(`OPTIONS sip:bob@example.com SIP/2.0\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
}

function failure(data: Buffer): ParseError {
  const result = parseMessage(data);
  if (result.ok) throw new Error('parsed but should have failed');
  return result.error;
}

function accepted(data: Buffer): boolean {
  return parseMessage(data).ok;
}

describe('MESSAGE_LIMITS on the datagram path', () => {
  it('refuses a 65,000-byte header value with 400 and the limit in the reason', () => {
    const huge = datagram([TOP_VIA, ...REST, `Subject: ${'x'.repeat(65_000)}`]);
    expect(failure(huge)).toEqual({
      reason: `header line longer than ${MESSAGE_LIMITS.maxHeaderLineLength} characters (the limit)`,
      status: 400,
    });
    const longest = `Subject: ${'x'.repeat(MESSAGE_LIMITS.maxHeaderLineLength - 'Subject: '.length)}`;
    expect(accepted(datagram([TOP_VIA, ...REST, longest]))).toBe(true);
    expect(accepted(datagram([TOP_VIA, ...REST, `${longest}x`]))).toBe(false);
  });

  it('counts continuation lines into their header line', () => {
    const half = 'y'.repeat(MESSAGE_LIMITS.maxHeaderLineLength / 2);
    expect(failure(datagram([TOP_VIA, ...REST, `Subject: ${half}`, ` ${half}`])).reason).toMatch(
      /header line longer than/,
    );
  });

  it('refuses a head longer than maxHeaderBytes even when each line is within bounds', () => {
    const line = `X-Long: ${'w'.repeat(4000)}`;
    const lines = Math.ceil(MESSAGE_LIMITS.maxHeaderBytes / line.length) + 1;
    expect(failure(datagram([TOP_VIA, ...REST, ...Array<string>(lines).fill(line)]))).toEqual({
      reason: `header section longer than ${MESSAGE_LIMITS.maxHeaderBytes} bytes (the limit)`,
      status: 400,
    });
  });

  it('refuses 10,000 header lines, and takes as many as the limit', () => {
    const filler = (count: number) => Array.from({ length: count }, (_, i) => `X-Filler: ${i}`);
    expect(failure(datagram([TOP_VIA, ...REST, ...filler(10_000)]))).toEqual({
      reason: `more than ${MESSAGE_LIMITS.maxHeaderLines} header lines (the limit)`,
      status: 400,
    });
    const room = MESSAGE_LIMITS.maxHeaderLines - 1 - REST.length;
    expect(accepted(datagram([TOP_VIA, ...REST, ...filler(room)]))).toBe(true);
    expect(accepted(datagram([TOP_VIA, ...REST, ...filler(room + 1)]))).toBe(false);
  });

  it('refuses 70 Via values, whether on lines of their own or separated by commas', () => {
    const vias = (count: number) =>
      Array.from({ length: count }, (_, i) => `SIP/2.0/UDP 192.0.2.${i % 250}:5060;branch=z9hG4bK${i}`);
    const reason = `more than ${MESSAGE_LIMITS.maxViaValues} Via values (the limit)`;
    expect(failure(datagram([...vias(70).map((via) => `Via: ${via}`), ...REST]))).toEqual({
      reason,
      status: 400,
    });
    expect(failure(datagram([`Via: ${vias(70).join(', ')}`, ...REST]))).toEqual({ reason, status: 400 });
    // Split across lines, commas and a continuation line, the count is the same.
    const mixed = vias(MESSAGE_LIMITS.maxViaValues + 1);
    expect(
      failure(
        datagram([
          `Via: ${mixed.slice(0, 10).join(',')}`,
          `v: ${mixed.slice(10, 20).join(',')},`,
          ` ${mixed.slice(20).join(',')}`,
          ...REST,
        ]),
      ),
    ).toEqual({ reason, status: 400 });
    const most = vias(MESSAGE_LIMITS.maxViaValues);
    const parsed = parseMessage(
      datagram([`Via: ${most.slice(0, 30).join(',')}`, ...most.slice(30).map((v) => `Via: ${v}`), ...REST]),
      { strict: true },
    );
    expect(parsed.ok && parsed.message.via).toHaveLength(MESSAGE_LIMITS.maxViaValues);
  });
});

describe('NUL bytes in the head', () => {
  const cases: Array<[string, string[], string]> = [
    ['a header value', [TOP_VIA, ...REST, 'Subject: a\0b'], 'NUL byte in the Subject header'],
    [
      'a display name',
      [
        TOP_VIA,
        ...REST.filter((h) => !h.startsWith('From')),
        'From: "Al\0ice" <sip:alice@example.com>;tag=1',
      ],
      'NUL byte in the From header',
    ],
    [
      'a quoted-pair of a display name',
      [TOP_VIA, ...REST.filter((h) => !h.startsWith('To')), 'To: "\\\0" <sip:bob@example.com>'],
      'NUL byte in the To header',
    ],
    [
      'the Call-ID',
      [TOP_VIA, ...REST.filter((h) => !h.startsWith('Call-ID')), 'Call-ID: c1\0@192.0.2.1'],
      'NUL byte in the Call-ID header',
    ],
    ['a continuation line', [TOP_VIA, ...REST, 'Subject: a', ' b\0'], 'NUL byte in the Subject header'],
    ['a header name', [TOP_VIA, ...REST, 'X-Bad\0Name: 1'], 'NUL byte in a header name'],
  ];

  for (const [where, headers, reason] of cases) {
    it(`refuses one in ${where} with 400, naming the header but not quoting it`, () => {
      const error = failure(datagram(headers));
      expect(error).toEqual({ reason, status: 400 });
      expect(error.reason).not.toContain('\0');
    });
  }

  it('refuses one in the start line, and one in a head too long for the fast path', () => {
    expect(
      failure(
        Buffer.from(`OPTIONS sip:bob@exam\0ple.com SIP/2.0\r\n${[TOP_VIA, ...REST].join('\r\n')}\r\n\r\n`),
      ).reason,
    ).toBe('NUL byte in the start line');
    expect(failure(datagram([TOP_VIA, ...REST, `Subject: ${'z'.repeat(5000)}`, 'X-Late: \0'])).reason).toBe(
      'NUL byte in the X-Late header',
    );
  });

  it('accepts NUL bytes in the body, which may be binary', () => {
    const body = Buffer.from([0, 1, 0, 2]);
    const head = datagram([
      TOP_VIA,
      ...REST,
      'Content-Type: application/octet-stream',
      `Content-Length: ${body.length}`,
    ]);
    const result = parseMessage(Buffer.concat([head, body]));
    expect(result.ok && Buffer.from(result.message.body)).toEqual(body);
  });
});

describe('MESSAGE_LIMITS on the stream path', () => {
  it('is what the framer bounds its buffering with by default', () => {
    const head = `OPTIONS sip:bob@example.com SIP/2.0\r\nSubject: ${'x'.repeat(MESSAGE_LIMITS.maxHeaderBytes)}`;
    expect(new StreamFramer().push(Buffer.from(head))).toEqual([
      { kind: 'error', reason: 'headers too large' },
    ]);
    const body = `OPTIONS sip:bob@example.com SIP/2.0\r\nContent-Length: ${MESSAGE_LIMITS.maxBodyBytes + 1}\r\n\r\n`;
    expect(new StreamFramer().push(Buffer.from(body))).toEqual([{ kind: 'error', reason: 'body too large' }]);
  });

  it('leaves the header-line bounds to parseMessage, which every framed message goes through', () => {
    const text = datagram([TOP_VIA, ...REST, `Subject: ${'x'.repeat(20_000)}`, 'Content-Length: 0']);
    const events = new StreamFramer().push(text);
    expect(events).toHaveLength(1);
    const framed = events[0];
    if (framed?.kind !== 'message') throw new Error('not framed');
    expect(failure(framed.bytes).reason).toMatch(/header line longer than/);
  });
});
