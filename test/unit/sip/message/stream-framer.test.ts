import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../../main/sip/message/parse';
import { StreamFramer } from '../../../../main/sip/message/stream-framer';
import type { FramerEvent } from '../../../../main/sip/message/stream-framer';
import { SeededRandom } from '../../../support/seeded-random';

function message(callId: string, body = ''): Buffer {
  const head = [
    'MESSAGE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1',
    'From: <sip:alice@example.com>;tag=1',
    'To: <sip:bob@example.com>',
    `Call-ID: ${callId}`,
    'CSeq: 1 MESSAGE',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}`);
}

/** Pushes `data` in chunks cut at the given offsets and collects every event. */
function feed(framer: StreamFramer, data: Buffer, cuts: readonly number[]): FramerEvent[] {
  const events: FramerEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    events.push(...framer.push(data.subarray(from, cut)));
    from = cut;
  }
  return events;
}

function messages(events: readonly FramerEvent[]): string[] {
  return events.map((e) => (e.kind === 'message' ? e.bytes.toString('utf8') : `<${e.kind}>`));
}

describe('StreamFramer (RFC 3261 §18.3)', () => {
  it('frames several messages in one chunk', () => {
    const a = message('a', 'first');
    const b = message('b');
    const c = message('c', 'third\r\n\r\nbody');
    const events = new StreamFramer().push(Buffer.concat([a, b, c]));
    expect(messages(events)).toEqual([a.toString(), b.toString(), c.toString()]);
  });

  it('frames the same messages whatever the chunk boundaries (random cuts, fixed seed)', () => {
    const random = new SeededRandom(4475);
    const stream = Buffer.concat([
      message('a', 'héllo wörld'),
      Buffer.from('\r\n\r\n'),
      message('b'),
      Buffer.from('\r\n'),
      message('c', 'x'.repeat(3000)),
    ]);
    const expected = [
      message('a', 'héllo wörld').toString(),
      '<ping>',
      message('b').toString(),
      '<pong>',
      message('c', 'x'.repeat(3000)).toString(),
    ];
    // A ping cut exactly in half reads as two pongs (see below), so that one offset is not cut.
    const pingMiddle = message('a', 'héllo wörld').length + 2;
    for (let round = 0; round < 300; round++) {
      const count = random.integer(1, 40);
      const cuts = Array.from({ length: count }, () => random.integer(0, stream.length))
        .filter((cut) => cut !== pingMiddle)
        .sort((x, y) => x - y);
      expect(messages(feed(new StreamFramer(), stream, cuts)), `cuts ${cuts.join(',')}`).toEqual(expected);
    }
  });

  it('frames a message trickled one byte at a time', () => {
    const data = message('slow', 'body bytes');
    const cuts = Array.from({ length: data.length - 1 }, (_, i) => i + 1);
    expect(messages(feed(new StreamFramer(), data, cuts))).toEqual([data.toString()]);
  });

  it('hands out copies, so later writes to the pushed buffer change nothing', () => {
    const data = message('copy', 'abc');
    const framer = new StreamFramer();
    const events = framer.push(data);
    data.fill(0x21);
    expect(messages(events)).toEqual([message('copy', 'abc').toString()]);
  });

  it('frames messages whose lines end in bare LF, with a folded Content-Length', () => {
    const text =
      'MESSAGE sip:b@h SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\n' +
      'Call-ID: lf\nCSeq: 1 MESSAGE\nContent-Length:\n  4\n\nbody';
    const events = new StreamFramer().push(Buffer.from(`${text}${text}`));
    expect(messages(events)).toEqual([text, text]);
    const parsed = parseMessage((events[0] as { bytes: Buffer }).bytes);
    expect(parsed.ok && parsed.message.bodyText).toBe('body');
  });
});

describe('StreamFramer keep-alives (RFC 5626 §3.5.1)', () => {
  it('reads CRLFCRLF as a ping and a lone CRLF as a pong', () => {
    expect(new StreamFramer().push(Buffer.from('\r\n\r\n'))).toEqual([{ kind: 'ping' }]);
    expect(new StreamFramer().push(Buffer.from('\r\n'))).toEqual([{ kind: 'pong' }]);
    expect(new StreamFramer().push(Buffer.from('\r\n\r\n\r\n\r\n'))).toEqual([
      { kind: 'ping' },
      { kind: 'ping' },
    ]);
  });

  it('waits for the last byte of a ping split across chunks', () => {
    const framer = new StreamFramer();
    expect(framer.push(Buffer.from('\r\n\r'))).toEqual([]);
    expect(framer.push(Buffer.from('\n'))).toEqual([{ kind: 'ping' }]);
    const other = new StreamFramer();
    expect(other.push(Buffer.from('\r'))).toEqual([]);
    expect(other.push(Buffer.from('\n\r\n'))).toEqual([{ kind: 'ping' }]);
  });

  it('reads a ping cut exactly after its first CRLF as two pongs: a lone CRLF cannot wait for more', () => {
    // The pong a client waits for is one CRLF, and nothing may follow it for a long time; answering a ping
    // that a peer split in half with two pongs is the cheaper mistake.
    const framer = new StreamFramer();
    expect(framer.push(Buffer.from('\r\n'))).toEqual([{ kind: 'pong' }]);
    expect(framer.push(Buffer.from('\r\n'))).toEqual([{ kind: 'pong' }]);
  });

  it('reads a CRLF before a message as a pong, and skips stray LFs', () => {
    const data = message('after-pong');
    expect(messages(new StreamFramer().push(Buffer.concat([Buffer.from('\r\n'), data])))).toEqual([
      '<pong>',
      data.toString(),
    ]);
    expect(messages(new StreamFramer().push(Buffer.concat([Buffer.from('\n\n'), data])))).toEqual([
      data.toString(),
    ]);
  });
});

describe('StreamFramer errors: the connection cannot be resynchronised', () => {
  it('requires Content-Length on a stream', () => {
    const data = Buffer.from(
      message('x')
        .toString()
        .replace(/Content-Length: 0\r\n/, ''),
    );
    expect(new StreamFramer().push(data)).toEqual([
      { kind: 'error', reason: 'Content-Length is required on a stream' },
    ]);
  });

  it('refuses an invalid or repeated Content-Length', () => {
    const bad = Buffer.from(message('x').toString().replace('Content-Length: 0', 'Content-Length: -1'));
    expect(new StreamFramer().push(bad)).toEqual([{ kind: 'error', reason: 'invalid Content-Length' }]);
    const twice = Buffer.from(
      message('x').toString().replace('Content-Length: 0', 'l: 0\r\nContent-Length: 0'),
    );
    expect(new StreamFramer().push(twice)).toEqual([{ kind: 'error', reason: 'invalid Content-Length' }]);
  });

  it('refuses oversized headers, whether or not their end has arrived', () => {
    const limits = { maxHeaderBytes: 256, maxBodyBytes: 1024 };
    const big = Buffer.from(
      message('x')
        .toString()
        .replace('CSeq', `X-Pad: ${'p'.repeat(300)}\r\nCSeq`),
    );
    expect(new StreamFramer(limits).push(big)).toEqual([{ kind: 'error', reason: 'headers too large' }]);
    const endless = new StreamFramer(limits);
    expect(endless.push(Buffer.from('INVITE sip:b@h SIP/2.0\r\n'))).toEqual([]);
    let events: FramerEvent[] = [];
    for (let i = 0; i < 20 && events.length === 0; i++)
      events = endless.push(Buffer.from(`X-Pad: ${'p'.repeat(20)}\r\n`));
    expect(events).toEqual([{ kind: 'error', reason: 'headers too large' }]);
  });

  it('refuses a body over the limit before buffering it', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 4096, maxBodyBytes: 10 });
    const data = Buffer.from(message('x').toString().replace('Content-Length: 0', 'Content-Length: 11'));
    expect(framer.push(data)).toEqual([{ kind: 'error', reason: 'body too large' }]);
  });

  it('stays failed after an error', () => {
    const framer = new StreamFramer();
    framer.push(Buffer.from(message('x').toString().replace('Content-Length: 0', 'Content-Length: x')));
    expect(framer.push(message('y'))).toEqual([]);
  });

  it('waits for a body that has not arrived yet', () => {
    const framer = new StreamFramer();
    const data = message('wait', '0123456789');
    expect(framer.push(data.subarray(0, data.length - 3))).toEqual([]);
    expect(messages(framer.push(data.subarray(data.length - 3)))).toEqual([data.toString()]);
  });
});
