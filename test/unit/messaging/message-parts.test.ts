// The small readers and tables of main/messaging: the Date header, the is-composing document, bodies by type and
// charset (message/cpim included), and the failure reason of each final status.
import { describe, expect, it } from 'vitest';
import { buildIsComposing, parseIsComposing } from '../../../main/messaging/is-composing-document';
import { readMessageBody } from '../../../main/messaging/message-body';
import { failureReasonOf } from '../../../main/messaging/message-failure';
import { formatSipDate, messageDate, parseSipDate } from '../../../main/messaging/sip-date';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const NOW = Date.UTC(2026, 11, 5, 8);

describe('the Date header', () => {
  it('reads RFC 1123 dates in GMT and writes them back', () => {
    expect(parseSipDate('Sat, 13 Nov 2010 23:29:00 GMT')).toBe(Date.UTC(2010, 10, 13, 23, 29));
    expect(parseSipDate('13 Nov 2010 23:29:00 GMT')).toBe(Date.UTC(2010, 10, 13, 23, 29));
    expect(formatSipDate(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(parseSipDate(formatSipDate(NOW))).toBe(NOW);
  });

  it('refuses what is not one, and ignores absurd ones', () => {
    for (const text of [
      '',
      'yesterday',
      'Sat, 31 Feb 2026 10:00:00 GMT',
      'Sat, 13 Foo 2010 23:29:00 GMT',
      '13 Nov 2010 25:00:00 GMT',
      'Sat, 13 Nov 2010 23:29:00 +0200',
    ])
      expect(parseSipDate(text), text).toBeUndefined();
    expect(messageDate('Sat, 01 Jan 1972 00:00:00 GMT', NOW)).toBeNull();
    expect(messageDate(formatSipDate(NOW + 2 * 86_400_000), NOW)).toBeNull();
    expect(messageDate(formatSipDate(NOW - 3_600_000), NOW)).toBe(NOW - 3_600_000);
    expect(messageDate(undefined, NOW)).toBeNull();
  });
});

describe('the is-composing document', () => {
  it('round-trips our documents', () => {
    expect(parseIsComposing(buildIsComposing('active', 90))).toEqual({
      ok: true,
      value: { state: 'active', refreshSeconds: 90, contentType: 'text/plain' },
    });
    expect(parseIsComposing(buildIsComposing('idle'))).toEqual({
      ok: true,
      value: { state: 'idle', refreshSeconds: 120 },
    });
  });

  it('reads another writer’s prefixes, caps the refresh, treats unknown states as idle', () => {
    const doc = (inner: string): string =>
      `<ic:isComposing xmlns:ic="urn:ietf:params:xml:ns:im-iscomposing">${inner}</ic:isComposing>`;
    expect(parseIsComposing(doc('<ic:state>ACTIVE</ic:state><ic:refresh>99999</ic:refresh>'))).toMatchObject({
      ok: true,
      value: { state: 'active', refreshSeconds: 3_600 },
    });
    expect(parseIsComposing(doc('<ic:state>thinking</ic:state>'))).toMatchObject({
      value: { state: 'idle' },
    });
  });

  it('refuses hostile and wrong documents with a code, never throwing', () => {
    const cases: Array<[string | Uint8Array, string]> = [
      [
        '<!DOCTYPE a [<!ENTITY x "y">]><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>',
        'doctype',
      ],
      ['<isComposing', 'malformed'],
      ['<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', 'not-is-composing'],
      ['<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>', 'no-state'],
      [
        '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>-5</refresh></isComposing>',
        'bad-refresh',
      ],
      [`<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">${'<a>'.repeat(50)}`, 'too-deep'],
      [new Uint8Array([0x3c, 0x61, 0xff, 0x3e]), 'invalid-utf8'],
      [
        `<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>${'x'.repeat(5_000)}</state></isComposing>`,
        'too-large',
      ],
    ];
    for (const [body, code] of cases) {
      const parsed = parseIsComposing(body);
      expect(parsed.ok, String(code)).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe(code);
    }
  });
});

describe('message bodies', () => {
  it('decodes text/plain in its charset, UTF-8 by default, replacing invalid bytes', () => {
    expect(readMessageBody('text/plain', bytes('héllo 🙂'))).toEqual({ kind: 'text', text: 'héllo 🙂' });
    expect(
      readMessageBody('text/plain; charset=windows-1255', new Uint8Array([0xf9, 0xec, 0xe5, 0xed])),
    ).toEqual({
      kind: 'text',
      text: 'שלום',
    });
    expect(readMessageBody('text/plain;charset=utf-8', new Uint8Array([0xc3]))).toEqual({
      kind: 'text',
      text: '\ufffd',
    });
    expect(readMessageBody(undefined, new Uint8Array())).toEqual({ kind: 'text', text: '' });
  });

  it('refuses an unknown charset, a missing or unreadable type, and other types', () => {
    for (const type of ['text/plain; charset=nope', 'text/html', 'image/png', 'not a type'])
      expect(readMessageBody(type, bytes('x')).kind, type).toBe('unsupported');
    expect(readMessageBody(undefined, bytes('x')).kind).toBe('unsupported');
  });

  it('unwraps a simple message/cpim (LF or CRLF lines) and refuses one carrying anything else', () => {
    const cpim = (inner: string, sep = '\r\n'): Uint8Array =>
      bytes(['From: <im:a@x>', 'DateTime: 2026-12-01T10:00:00+01:00', '', inner, '', 'the text ✓'].join(sep));
    expect(readMessageBody('message/cpim', cpim('Content-Type: text/plain'))).toEqual({
      kind: 'text',
      text: 'the text ✓',
      dateTime: Date.UTC(2026, 11, 1, 9),
    });
    expect(readMessageBody('message/cpim', cpim('Content-Type: text/plain', '\n'))).toMatchObject({
      text: 'the text ✓',
    });
    expect(readMessageBody('message/cpim', cpim('Content-Type: text/html')).kind).toBe('unsupported');
    expect(
      readMessageBody('message/cpim', cpim('Content-Type: text/plain\r\nContent-Transfer-Encoding: base64'))
        .kind,
    ).toBe('unsupported');
    expect(readMessageBody('message/cpim', bytes('no blank line at all')).kind).toBe('unsupported');
  });
});

describe('failure reasons', () => {
  it('maps each final status as the contract words it', () => {
    const table: Array<[number, boolean, string]> = [
      [404, false, 'not-found'],
      [604, false, 'not-found'],
      [480, false, 'unavailable'],
      [403, false, 'rejected'],
      [415, false, 'rejected'],
      [488, false, 'rejected'],
      [603, false, 'rejected'],
      [413, false, 'too-large'],
      [513, false, 'too-large'],
      [407, false, 'auth-failed'],
      [408, true, 'timeout'],
      [408, false, 'timeout'],
      [504, false, 'timeout'],
      [503, true, 'unreachable'],
      [503, false, 'unreachable'],
      [500, false, 'server-error'],
      [486, false, 'failed'],
      [302, false, 'failed'],
    ];
    for (const [status, synthesized, reason] of table)
      expect(failureReasonOf(status, synthesized), String(status)).toBe(reason);
  });
});
