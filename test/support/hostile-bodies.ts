// Named attacks on the presence bodies a NOTIFY carries, with the error codes that may end each one (the first limit
// it breaks decides). Shared by the hostile-body test and bench/presence-hostile.ts, which times them.
const encoder = new TextEncoder();
const MiB = 1024 * 1024;

export interface HostileBody {
  readonly name: string;
  readonly body: Uint8Array;
  /** Codes any of which is a correct refusal. */
  readonly codes: readonly string[];
}

export interface HostileMultipart extends HostileBody {
  readonly contentType: string;
}

const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
  '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="&lol9;"/>',
].join('\n');

const utf16 = (text: string): Uint8Array => {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    out[2 + i * 2] = text.charCodeAt(i) & 0xff;
    out[3 + i * 2] = text.charCodeAt(i) >> 8;
  }
  return out;
};

const PIDF_OPEN = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y">';

export const HOSTILE_XML: readonly HostileBody[] = [
  { name: 'billion laughs', body: encoder.encode(BILLION_LAUGHS), codes: ['doctype'] },
  {
    name: 'external entity (file)',
    body: encoder.encode(
      `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${PIDF_OPEN}<note>&xxe;</note></presence>`,
    ),
    codes: ['doctype'],
  },
  {
    name: 'external entity (http)',
    body: encoder.encode(
      `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "http://192.0.2.1/x.dtd">]>${PIDF_OPEN}<note>&xxe;</note></presence>`,
    ),
    codes: ['doctype'],
  },
  {
    name: 'external DTD',
    body: encoder.encode(
      `<?xml version="1.0"?><!DOCTYPE presence SYSTEM "http://192.0.2.1/p.dtd">${PIDF_OPEN}</presence>`,
    ),
    codes: ['doctype'],
  },
  {
    name: 'parameter entities',
    body: encoder.encode(
      `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY % a "<!ENTITY b 'x'>"> %a; <!ENTITY % r SYSTEM "http://192.0.2.1/r"> %r;]>${PIDF_OPEN}&b;</presence>`,
    ),
    codes: ['doctype'],
  },
  {
    name: 'an entity reference without a declaration',
    body: encoder.encode(`${PIDF_OPEN}<note>&xxe;</note></presence>`),
    codes: ['malformed'],
  },
  {
    name: 'deep nesting (10^5)',
    body: encoder.encode(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`),
    codes: ['too-large', 'too-deep'],
  },
  {
    name: 'deep nesting within the byte limit',
    body: encoder.encode(`${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`),
    codes: ['too-deep'],
  },
  {
    name: '10^6 attributes',
    body: encoder.encode(`<presence ${Array.from({ length: 1_000_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`),
    codes: ['too-large', 'too-many-attributes'],
  },
  {
    name: 'invalid UTF-8',
    body: new Uint8Array([
      ...encoder.encode(`${PIDF_OPEN}<note>`),
      0xc3,
      0x28,
      0xff,
      ...encoder.encode('</note></presence>'),
    ]),
    codes: ['invalid-utf8'],
  },
  {
    name: 'overlong UTF-8 for "<"',
    body: new Uint8Array([0xc0, 0xbc, ...encoder.encode('presence/>')]),
    codes: ['invalid-utf8'],
  },
  {
    name: 'UTF-16 with a byte-order mark',
    body: utf16(`<?xml version="1.0" encoding="UTF-16"?>${PIDF_OPEN}</presence>`),
    codes: ['invalid-utf8'],
  },
  { name: 'a body of 10 MiB', body: new Uint8Array(10 * MiB).fill(0x3c), codes: ['too-large'] },
  { name: 'empty', body: new Uint8Array(), codes: ['malformed'] },
  { name: 'NUL bytes', body: new Uint8Array(1024), codes: ['malformed'] },
];

/** Multipart attacks; built on demand, since one is 10 MiB. */
export function hostileMultiparts(): HostileMultipart[] {
  const part = (type: string, body: string): string => `--b\r\nContent-Type: ${type}\r\n\r\n${body}\r\n`;
  const rlmi =
    '<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="0" fullState="true">' +
    '<resource uri="sip:a@x"><instance id="i" state="active" cid="a@x"/></resource></list>';
  const related = 'multipart/related;type="application/rlmi+xml";boundary=b';
  const nested = (depth: number): string =>
    depth === 0
      ? part('application/rlmi+xml', rlmi).replace(/--b/g, '--b0') + '--b0--'
      : `--b${depth}\r\nContent-Type: multipart/related;boundary=b${depth - 1}\r\n\r\n${nested(depth - 1)}\r\n--b${depth}--`;
  return [
    {
      name: 'a 10 MiB list body',
      contentType: related,
      body: new Uint8Array(10 * MiB).fill(0x2d),
      codes: ['too-large'],
    },
    {
      name: '100,000 empty parts',
      contentType: related,
      body: encoder.encode(`${'--b\r\n\r\n\r\n'.repeat(100_000)}--b--`),
      codes: ['too-many-parts'],
    },
    {
      name: 'multiparts nested 50 deep',
      contentType: 'multipart/related;boundary=b50',
      body: encoder.encode(nested(50)),
      codes: ['too-deep'],
    },
    {
      name: 'a part header of 1 MiB',
      contentType: related,
      body: encoder.encode(`--b\r\nX: ${'x'.repeat(MiB)}\r\n\r\nx\r\n--b--`),
      codes: ['header-too-large'],
    },
    {
      name: 'billion laughs as the RLMI root',
      contentType: related,
      body: encoder.encode(`${part('application/rlmi+xml', BILLION_LAUGHS)}--b--`),
      codes: ['doctype'],
    },
    {
      name: 'a boundary that never closes',
      contentType: related,
      body: encoder.encode(`${part('application/rlmi+xml', rlmi)}`),
      codes: ['malformed'],
    },
    {
      name: 'no boundary parameter',
      contentType: 'multipart/related',
      body: encoder.encode(`${part('application/rlmi+xml', rlmi)}--b--`),
      codes: ['no-boundary'],
    },
    {
      name: 'base64 parts',
      contentType: related,
      body: encoder.encode(
        '--b\r\nContent-Transfer-Encoding: base64\r\nContent-Type: application/rlmi+xml\r\n\r\nPGxpc3Qv\r\n--b--',
      ),
      codes: ['unsupported-encoding'],
    },
    {
      name: 'no RLMI root',
      contentType: related,
      body: encoder.encode(`${part('application/pidf+xml', '<presence/>')}--b--`),
      codes: ['no-root'],
    },
    {
      name: 'invalid UTF-8 in the RLMI root',
      contentType: related,
      body: new Uint8Array([
        ...encoder.encode('--b\r\nContent-Type: application/rlmi+xml\r\n\r\n<list>'),
        0xff,
        0xfe,
        ...encoder.encode('</list>\r\n--b--'),
      ]),
      codes: ['invalid-utf8'],
    },
  ];
}
