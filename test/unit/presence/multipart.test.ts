import { describe, expect, it } from 'vitest';
import { DEFAULT_MULTIPART_LIMITS, parseMultipart } from '../../../main/presence/multipart';
import { listBody, pidfOf } from '../../support/list-bodies';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('parseMultipart (RFC 2046 §5.1.1, RFC 2387)', () => {
  it('splits a multipart/related into parts with their types, Content-IDs and bodies, and names the root', () => {
    const list = listBody({
      version: 0,
      fullState: true,
      resources: [{ uri: 'sip:bob@example.test', pidf: pidfOf('sip:bob@example.test', 'open') }],
    });
    const parsed = parseMultipart(bytes(list.body), list.contentType);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.contentType.type).toBe('multipart/related');
    expect(parsed.value.start).toBe('root@example.test');
    expect(parsed.value.parts.map((p) => [p.contentType.type, p.contentId])).toEqual([
      ['application/rlmi+xml', 'root@example.test'],
      ['application/pidf+xml', 'r0@example.test'],
    ]);
    // The CRLF before a delimiter belongs to the delimiter (§5.1.1), so a body ends with its own last character.
    expect(text(parsed.value.parts[1]!.body)).toBe(pidfOf('sip:bob@example.test', 'open'));
  });

  it('takes a preamble, an epilogue, transport padding after a boundary and bare LF line ends', () => {
    const body =
      'This is the preamble.\n--xyz  \t\nContent-Type: text/plain\n\nfirst\n--xyz\n\nsecond, typeless\n--xyz--\nepilogue';
    const parsed = parseMultipart(bytes(body), 'multipart/mixed; boundary=xyz');
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.parts.map((p) => text(p.body))).toEqual(['first', 'second, typeless']);
    // RFC 2046 §5.1: a part without Content-Type is text/plain.
    expect(parsed.value.parts[1]!.contentType.type).toBe('text/plain');
  });

  it('does not take a boundary in the middle of a line as a delimiter', () => {
    const body = '--q\r\nContent-Type: text/plain\r\n\r\nsee --q here\r\n--q--\r\n';
    const parsed = parseMultipart(bytes(body), 'multipart/mixed;boundary=q');
    expect(parsed.ok && text(parsed.value.parts[0]!.body)).toBe('see --q here');
  });

  it('reads a nested multipart (one level of lists in a list) and refuses a second level', () => {
    const inner = '--in\r\nContent-Type: text/plain\r\n\r\ninner\r\n--in--';
    const outer = `--out\r\nContent-ID: <n@x>\r\nContent-Type: multipart/related;boundary=in\r\n\r\n${inner}\r\n--out--`;
    const parsed = parseMultipart(bytes(outer), 'multipart/related;boundary=out');
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(text(parsed.value.parts[0]!.multipart!.parts[0]!.body)).toBe('inner');
    const deeper = `--top\r\nContent-Type: multipart/related;boundary=out\r\n\r\n${outer}\r\n--top--`;
    const refused = parseMultipart(bytes(deeper), 'multipart/related;boundary=top');
    expect(refused.ok || refused.error.code).toBe('too-deep');
  });

  it('refuses what it cannot read with a code: no boundary, unterminated, text after a boundary, base64', () => {
    const cases: Array<[string, string, string]> = [
      ['--a\r\n\r\nx\r\n--a--', 'multipart/mixed', 'no-boundary'],
      ['--a\r\n\r\nx\r\n--a--', `multipart/mixed;boundary=${'b'.repeat(71)}`, 'no-boundary'],
      ['--a\r\n\r\nnever closed', 'multipart/mixed;boundary=a', 'malformed'],
      ['no delimiter at all', 'multipart/mixed;boundary=a', 'malformed'],
      ['--a junk\r\n\r\nx\r\n--a--', 'multipart/mixed;boundary=a', 'malformed'],
      [
        '--a\r\nContent-Type: text/plain\r\nno empty line\r\n--a--',
        'multipart/mixed;boundary=a',
        'malformed',
      ],
      [
        '--a\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--a--',
        'multipart/mixed;boundary=a',
        'unsupported-encoding',
      ],
      ['--a\r\nContent-Type: @@\r\n\r\nx\r\n--a--', 'multipart/mixed;boundary=a', 'malformed'],
      ['<presence/>', 'application/pidf+xml', 'not-multipart'],
    ];
    for (const [body, type, code] of cases) {
      const parsed = parseMultipart(bytes(body), type);
      expect(parsed.ok ? 'ok' : parsed.error.code, `${type}: ${body}`).toBe(code);
    }
  });

  it("bounds the body, the parts and each part's headers", () => {
    const big = new Uint8Array(DEFAULT_MULTIPART_LIMITS.maxBytes + 1);
    expect(parseMultipart(big, 'multipart/mixed;boundary=a')).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    });
    const many = `${'--a\r\n\r\nx\r\n'.repeat(DEFAULT_MULTIPART_LIMITS.maxParts + 1)}--a--`;
    expect(parseMultipart(bytes(many), 'multipart/mixed;boundary=a')).toMatchObject({
      ok: false,
      error: { code: 'too-many-parts' },
    });
    const header = `--a\r\nX-Long: ${'h'.repeat(DEFAULT_MULTIPART_LIMITS.maxHeaderBytes)}\r\n\r\nx\r\n--a--`;
    expect(parseMultipart(bytes(header), 'multipart/mixed;boundary=a')).toMatchObject({
      ok: false,
      error: { code: 'header-too-large' },
    });
  });
});
