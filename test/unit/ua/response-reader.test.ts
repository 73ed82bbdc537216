import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../main/sip/message/parse';
import type { SipResponse } from '../../../main/sip/message/message';
import { readHeader } from '../../../main/ua/response-reader';

function response(extra: string[]): SipResponse {
  const text = [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKr1',
    'From: <sip:alice@example.test>;tag=a',
    'To: <sip:alice@example.test>;tag=b',
    'Call-ID: reader-test',
    'CSeq: 7 REGISTER',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(text);
  if (!parsed.ok || parsed.message.kind !== 'response') throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

describe('readHeader', () => {
  it('passes a well-formed typed view through', () => {
    const read = readHeader(() => response(['Contact: <sip:alice@10.0.0.2:5062>;expires=60']).contact);
    expect(read.ok && read.value[0]?.expires).toBe(60);
  });

  it('turns a malformed header, parsed only when read, into data naming the header', () => {
    const malformed = response(['Contact: <sip:x@>;expires=60']);
    expect(() => malformed.contact).toThrow();
    const read = readHeader(() => malformed.contact);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.header).toBe('Contact');
    expect(read.error.reason.length).toBeGreaterThan(0);
  });

  it('lets other errors through: they are bugs, not input', () => {
    expect(() =>
      readHeader(() => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
  });
});
