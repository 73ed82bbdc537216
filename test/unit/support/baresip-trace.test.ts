import { describe, expect, it } from 'vitest';
import { header, tracedMessages } from '../../interop/support/baresip-trace';

const ESC = String.fromCharCode(27);

// Shaped as baresip 1.0 writes its `-s` trace: a coloured marker, the direction line, the message with CRLF line
// ends, then a colour reset on a line of its own; status lines of its own in between.
const LOG = [
  'baresip v1.0.0 Copyright (C) 2010 - 2020 Alfred E. Heggestad et al.',
  `${ESC}[36;1m#`,
  'UDP 127.0.0.1:21106 -> 127.0.0.1:24316',
  'INFO sip:bob@127.0.0.1:24316 SIP/2.0\r',
  'Call-ID: abc\r',
  'CSeq: 5 INFO\r',
  'content-type: application/dtmf-relay\r',
  'Content-Length: 26\r',
  '\r',
  'Signal=5\r',
  'Duration=160\r',
  `${ESC}[;m`,
  'sip:alice@example.test: DTMF 5',
  `${ESC}[36;1m#`,
  'UDP 127.0.0.1:24316 -> 127.0.0.1:21106',
  'SIP/2.0 200 OK\r',
  'Call-ID: abc\r',
  'CSeq: 5 INFO\r',
  `${ESC}[;m`,
  '[0:00:01] audio=0/0 (bit/s)',
].join('\n');

describe('tracedMessages', () => {
  it('reads each message with its direction, dropping colours, carriage returns and the lines between', () => {
    const messages = tracedMessages(LOG);
    expect(messages.map(({ from, to, startLine }) => ({ from, to, startLine }))).toEqual([
      { from: '127.0.0.1:21106', to: '127.0.0.1:24316', startLine: 'INFO sip:bob@127.0.0.1:24316 SIP/2.0' },
      { from: '127.0.0.1:24316', to: '127.0.0.1:21106', startLine: 'SIP/2.0 200 OK' },
    ]);
    expect(messages[0]!.text.split('\n\n')[1]).toBe('Signal=5\nDuration=160');
  });

  it('finds a header by name whatever its case, and says when there is none', () => {
    const [info] = tracedMessages(LOG);
    expect(header(info!, 'Content-Type')).toBe('application/dtmf-relay');
    expect(header(info!, 'cseq')).toBe('5 INFO');
    expect(header(info!, 'Replaces')).toBeUndefined();
    // A body line shaped like a header is not one.
    expect(header({ ...info!, text: 'INFO sip:x SIP/2.0\n\nSignal: 5' }, 'Signal')).toBeUndefined();
  });

  it('finds nothing in a log without a trace', () => {
    expect(tracedMessages('baresip v1.0.0\nua: registered\n')).toEqual([]);
  });
});
