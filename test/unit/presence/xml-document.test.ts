import { describe, expect, it } from 'vitest';
import {
  DEFAULT_XML_LIMITS,
  XML_NAMESPACE,
  attributeOf,
  childOf,
  parseXml,
} from '../../../main/presence/xml-document';

function errorCode(input: Uint8Array | string, limits = DEFAULT_XML_LIMITS): string {
  const result = parseXml(input, limits);
  if (result.ok) throw new Error('expected an error');
  return result.error.code;
}

describe('parseXml', () => {
  it('builds a tree with namespaces, attributes, text and inherited xml:lang', () => {
    const result = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<a xmlns="urn:x" xmlns:y="urn:y" xml:lang="de" k="v">' +
        '<y:b>t&amp;<![CDATA[<c>]]></y:b><c/></a>',
    );
    if (!result.ok) throw new Error(result.error.message);
    const root = result.value;
    expect(root).toMatchObject({ ns: 'urn:x', name: 'a', lang: 'de' });
    expect(attributeOf(root, 'k')).toBe('v');
    expect(attributeOf(root, 'lang', XML_NAMESPACE)).toBe('de');
    const b = childOf(root, 'urn:y', 'b');
    expect(b?.text).toBe('t&<c>');
    expect(b?.lang).toBe('de');
    expect(root.attributes.some((a) => a.name === 'xmlns' || a.name === 'y')).toBe(false);
  });

  it('refuses a DOCTYPE, so no entity is ever declared (billion laughs, external entities)', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    expect(errorCode(laughs)).toBe('doctype');
    const external = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    expect(errorCode(external)).toBe('doctype');
  });

  it('reports an undeclared entity as malformed instead of expanding anything', () => {
    expect(errorCode('<a>&x;</a>')).toBe('malformed');
  });

  it('stops deep nesting at the depth limit', () => {
    const depth = 100_000;
    expect(
      errorCode('<a>'.repeat(depth) + '</a>'.repeat(depth), {
        ...DEFAULT_XML_LIMITS,
        maxBytes: 10_000_000,
      }),
    ).toBe('too-deep');
  });

  it('bounds elements, attributes, attribute length, text and bytes', () => {
    const many = `<a>${'<b/>'.repeat(DEFAULT_XML_LIMITS.maxElements)}</a>`;
    expect(errorCode(many)).toBe('too-many-elements');
    const attributes = Array.from({ length: 40 }, (_, i) => `a${i}="1"`).join(' ');
    expect(errorCode(`<a ${attributes}/>`)).toBe('too-many-attributes');
    expect(errorCode(`<a k="${'x'.repeat(5_000)}"/>`)).toBe('attribute-too-long');
    expect(errorCode(`<a>${'x'.repeat(200_000)}</a>`)).toBe('text-too-long');
    expect(errorCode(`<a>${'x'.repeat(300_000)}</a>`)).toBe('too-large');
    expect(errorCode(new Uint8Array(300_000))).toBe('too-large');
  });

  it('refuses invalid UTF-8 and binary bytes as data, not as a throw', () => {
    expect(errorCode(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]))).toBe(
      'invalid-utf8',
    );
    expect(errorCode(new Uint8Array([0x00, 0x01, 0x02, 0x03]))).toBe('malformed');
  });

  it('refuses malformed documents: unclosed, two roots, unbound prefix, empty', () => {
    expect(errorCode('<a><b></a>')).toBe('malformed');
    expect(errorCode('<a/><b/>')).toBe('malformed');
    expect(errorCode('<p:a/>')).toBe('malformed');
    expect(errorCode('')).toBe('malformed');
  });

  it('survives random bytes: every outcome is a Result', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = '<>/="\'&;!?[]-abc:xmlns \n';
    for (let round = 0; round < 500; round++) {
      let text = '';
      const length = next() % 200;
      for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
      const result = parseXml(text);
      expect(typeof result.ok).toBe('boolean');
    }
  });
});
