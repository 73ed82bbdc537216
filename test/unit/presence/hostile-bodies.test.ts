// The classic attacks on XML and MIME parsers, sent as the bodies a stranger can put in a NOTIFY: PIDF, RLMI,
// multipart/related lists and watcher-info. Each must end as a Result error with a code (never a throw, never an
// expansion), and repeating the whole set must not grow the heap: nothing of a refused body is kept. Seeded random
// mutations of valid list bodies cover what the named attacks miss. How long each body takes is measured in
// bench/presence-hostile.ts, not asserted here.
import { describe, expect, it } from 'vitest';
import { parseMultipart } from '../../../main/presence/multipart';
import { parsePidf } from '../../../main/presence/pidf';
import { parseResourceListBody, parseRlmi } from '../../../main/presence/rlmi';
import { parseWatcherInfo } from '../../../main/presence/watcher-info';
import { DEFAULT_XML_LIMITS, parseXml } from '../../../main/presence/xml-document';
import { MiB, retainedBytes } from '../../support/heap';
import { listBody, pidfOf } from '../../support/list-bodies';
import { SeededRandom } from '../../support/seeded-random';
import { HOSTILE_XML, hostileMultiparts } from '../../support/hostile-bodies';

const encoder = new TextEncoder();
const LIST_TYPE = 'multipart/related;type="application/rlmi+xml";boundary=b';

type Parse = (body: Uint8Array) => { ok: boolean; error?: { code: string } };

const XML_PARSERS: ReadonlyArray<readonly [string, Parse]> = [
  ['PIDF', (body) => parsePidf(body)],
  ['RLMI', (body) => parseRlmi(body)],
  ['watcher-info', (body) => parseWatcherInfo(body)],
  ['list body (bare RLMI)', (body) => parseResourceListBody(body, 'application/rlmi+xml')],
];

function codeOf(result: { ok: boolean; error?: { code: string } }): string {
  return result.ok ? 'ok' : (result.error?.code ?? 'no code');
}

describe('hostile presence bodies', () => {
  it('every named XML attack ends as the error it should, in every reader', () => {
    for (const attack of HOSTILE_XML) {
      for (const [reader, parse] of XML_PARSERS) {
        let result: { ok: boolean; error?: { code: string } } | undefined;
        expect(() => (result = parse(attack.body)), `${reader}: ${attack.name}`).not.toThrow();
        expect(attack.codes, `${reader}: ${attack.name}`).toContain(codeOf(result!));
      }
    }
  });

  it('past the byte limit, deep nesting and a million attributes stop at their own limits', () => {
    const roomy = { ...DEFAULT_XML_LIMITS, maxBytes: 64 * MiB };
    const deep = encoder.encode(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`);
    expect(codeOf(parseXml(deep, roomy))).toBe('too-deep');
    const wide = encoder.encode(
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" ${Array.from({ length: 1_000_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`,
    );
    expect(codeOf(parseXml(wide, roomy))).toBe('too-many-attributes');
  });

  it('every hostile multipart ends as a Result error with a code', () => {
    for (const attack of hostileMultiparts()) {
      let result: { ok: boolean; error?: { code: string } } | undefined;
      expect(
        () => (result = parseResourceListBody(attack.body, attack.contentType)),
        attack.name,
      ).not.toThrow();
      expect(attack.codes, attack.name).toContain(codeOf(result!));
      expect(() => parseMultipart(attack.body, attack.contentType), attack.name).not.toThrow();
    }
  });

  it('2,000 seeded mutations of a valid list body all end as Results', () => {
    const random = new SeededRandom(4662);
    const seeds = [
      listBody({
        version: 3,
        fullState: true,
        boundary: 'b',
        resources: [
          {
            uri: 'sip:bob@example.test',
            name: 'Bob',
            pidf: pidfOf('sip:bob@example.test', 'open', 'away', 'x'),
          },
          { uri: 'sip:carol@example.test', state: 'pending' },
          { uri: 'sip:dave@example.test', state: 'terminated', reason: 'rejected' },
        ],
      }).body,
    ].map((text) => encoder.encode(text));
    let readable = 0;
    for (let i = 0; i < 2_000; i++) {
      const body = mutate(seeds[0]!, random);
      const result = parseResourceListBody(body, LIST_TYPE);
      expect(typeof result.ok).toBe('boolean');
      if (result.ok) {
        readable++;
        expect(result.value.resources.length).toBeLessThanOrEqual(3 + 50 * 3);
      } else expect(result.error.message.length).toBeLessThan(400);
    }
    // Some mutants stay readable: the mutations reach the list reader, not only the MIME splitter.
    expect(readable).toBeGreaterThan(0);
  });

  it('1,000 seeded mutations of an RLMI document and of a PIDF each end as Results', () => {
    const random = new SeededRandom(4826);
    const rlmi = encoder.encode(
      '<?xml version="1.0" encoding="UTF-8"?><list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@example.test" ' +
        'version="4" fullState="false"><name xml:lang="en">L</name><resource uri="sip:a@example.test"><name>A</name>' +
        '<instance id="x" state="active" cid="a@x"/></resource><resource uri="sip:b@example.test">' +
        '<instance id="y" state="terminated" reason="rejected"/></resource></list>',
    );
    const pidf = encoder.encode(pidfOf('sip:a@example.test', 'open', 'busy', 'in a meeting'));
    let readable = 0;
    for (let i = 0; i < 1_000; i++) {
      const list = parseRlmi(mutate(rlmi, random));
      const presence = parsePidf(mutate(pidf, random));
      expect(typeof list.ok).toBe('boolean');
      expect(typeof presence.ok).toBe('boolean');
      if (list.ok) {
        readable++;
        for (const resource of list.value.resources)
          expect(resource.instances.length).toBeLessThanOrEqual(16);
      }
    }
    expect(readable).toBeGreaterThan(0);
  });

  it('refusing the whole set again and again keeps no memory', async () => {
    const run = (): void => {
      for (const attack of HOSTILE_XML) for (const [, parse] of XML_PARSERS) parse(attack.body);
      for (const attack of hostileMultiparts()) parseResourceListBody(attack.body, attack.contentType);
    };
    run();
    const before = await retainedBytes();
    for (let i = 0; i < 5; i++) run();
    const after = await retainedBytes();
    // Loose on purpose: the hostile bodies themselves are rebuilt each round (10 MiB among them) and collected.
    expect(after - before).toBeLessThan(8 * MiB);
  });
});

function mutate(seed: Uint8Array, random: SeededRandom): Uint8Array {
  let bytes = Array.from(seed);
  const tokens = [
    '--b',
    '--b--',
    '\r\n',
    '\r\n\r\n',
    'Content-Type: multipart/related;boundary=b',
    '<',
    '"',
    'cid="',
    '&',
  ];
  const rounds = 1 + Math.floor(random.fraction() * 6);
  for (let i = 0; i < rounds; i++) {
    const at = Math.floor(random.fraction() * (bytes.length + 1));
    switch (Math.floor(random.fraction() * 5)) {
      case 0:
        bytes[at] = Math.floor(random.fraction() * 256);
        break;
      case 1:
        bytes.splice(at, Math.floor(random.fraction() * 64));
        break;
      case 2:
        bytes.splice(at, 0, ...encoder.encode(tokens[Math.floor(random.fraction() * tokens.length)]!));
        break;
      case 3: {
        const slice = bytes.slice(at, at + Math.floor(random.fraction() * 300));
        const times = 1 + Math.floor(random.fraction() * 50);
        bytes.splice(at, 0, ...Array.from({ length: times }, () => slice).flat());
        break;
      }
      default:
        bytes = bytes.slice(0, at);
    }
  }
  return new Uint8Array(bytes);
}
