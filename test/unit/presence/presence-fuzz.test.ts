// Mutation fuzzing of the presence bodies a stranger can send in a NOTIFY: valid PIDF and watcher-info documents with
// bytes flipped, cut, repeated and spliced. Every outcome must be a Result — never a throw, never a hang — and what
// is parsed stays inside the limits.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePidf } from '../../../main/presence/pidf';
import { mergePresence } from '../../../main/presence/presence-merge';
import { parseWatcherInfo } from '../../../main/presence/watcher-info';
import { DEFAULT_XML_LIMITS } from '../../../main/presence/xml-document';
import { SeededRandom } from '../../support/seeded-random';

const PIDF = new Uint8Array(
  readFileSync(new URL('../../fixtures/presence/kamailio-aggregated.xml', import.meta.url)),
);
const WINFO = new TextEncoder().encode(
  '<?xml version="1.0"?><watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">' +
    '<watcher-list resource="sip:bob@example.test" package="presence"><watcher id="1" event="subscribe" ' +
    'status="active">sip:alice@example.test</watcher></watcher-list></watcherinfo>',
);
const TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '&',
  '&amp;',
  '&#x0;',
  '&#xD800;',
  ']]>',
  '<!DOCTYPE a>',
  '<![CDATA[',
  '"',
  '\u00ff',
  '\ud83d\ude42',
];

function mutate(seed: Uint8Array, random: SeededRandom): Uint8Array {
  let bytes = Array.from(seed);
  const rounds = 1 + Math.floor(random.fraction() * 8);
  for (let i = 0; i < rounds; i++) {
    const at = Math.floor(random.fraction() * (bytes.length + 1));
    switch (Math.floor(random.fraction() * 5)) {
      case 0:
        bytes[at] = Math.floor(random.fraction() * 256);
        break;
      case 1:
        bytes.splice(at, Math.floor(random.fraction() * 64));
        break;
      case 2: {
        const token = TOKENS[Math.floor(random.fraction() * TOKENS.length)]!;
        bytes.splice(at, 0, ...new TextEncoder().encode(token));
        break;
      }
      case 3: {
        // Repeat a slice: deeper nesting, more elements, longer text.
        const length = Math.floor(random.fraction() * 200);
        const slice = bytes.slice(at, at + length);
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

describe('presence body fuzzing', () => {
  it('parses 500 mutated PIDF documents into Results whose contents respect the limits', () => {
    const random = new SeededRandom(2024);
    let parsed = 0;
    for (let i = 0; i < 500; i++) {
      const result = parsePidf(mutate(PIDF, random));
      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) {
        expect(result.error.message.length).toBeLessThan(400);
        continue;
      }
      parsed++;
      expect(result.value.tuples.length).toBeLessThanOrEqual(DEFAULT_XML_LIMITS.maxElements);
      for (const person of result.value.persons)
        for (const note of person.notes) expect(note.text.length).toBeLessThanOrEqual(1_024);
      expect(mergePresence(result.value).availability).toMatch(
        /^(available|away|busy|do-not-disturb|offline|unknown)$/,
      );
    }
    // Some mutations keep the document well-formed: the fuzzing reaches the reader, not only the parser.
    expect(parsed).toBeGreaterThan(0);
  });

  it('parses 500 mutated watcher-info documents into Results', () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 500; i++) {
      const result = parseWatcherInfo(mutate(WINFO, random));
      expect(typeof result.ok).toBe('boolean');
    }
  });

  it('refuses a maximal hostile body at the first limit it breaks', () => {
    // 256 KiB of open tags: the depth limit stops it after 32 of them, long before the end.
    const deep = new TextEncoder().encode('<a>'.repeat(Math.floor(DEFAULT_XML_LIMITS.maxBytes / 3)));
    const result = parsePidf(deep);
    expect(result.ok || result.error.code).toBe('too-deep');
    // Quadratic-blowup style: one huge attribute repeated.
    const wide = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${'x'.repeat(DEFAULT_XML_LIMITS.maxAttributeLength + 1)}"/>`;
    const refused = parsePidf(wide);
    expect(refused.ok || refused.error.code).toBe('attribute-too-long');
  });
});
