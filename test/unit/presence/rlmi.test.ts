import { describe, expect, it } from 'vitest';
import { parseResourceListBody, parseRlmi } from '../../../main/presence/rlmi';
import { listBody, pidfOf } from '../../support/list-bodies';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const RLMI = 'urn:ietf:params:xml:ns:rlmi';

describe('RLMI (RFC 4662 §5.2)', () => {
  it('reads the list, its names and each resource with its instances', () => {
    const parsed = parseRlmi(
      `<list xmlns="${RLMI}" uri="sip:friends@example.test" version="7" fullState="false">` +
        '<name xml:lang="en">Friends</name><name xml:lang="de">Freunde</name>' +
        '<resource uri="sip:bob@example.test"><name>Bob</name>' +
        '<instance id="a" state="active" cid="c1@example.test"/><instance id="b" state="terminated" reason="Rejected"/>' +
        '<instance id="c" state="bogus"/></resource><resource><instance id="x" state="active"/></resource></list>',
    );
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value).toEqual({
      uri: 'sip:friends@example.test',
      version: 7,
      fullState: false,
      names: [
        { text: 'Friends', lang: 'en' },
        { text: 'Freunde', lang: 'de' },
      ],
      resources: [
        {
          uri: 'sip:bob@example.test',
          names: [{ text: 'Bob' }],
          instances: [
            { id: 'a', state: 'active', cid: 'c1@example.test' },
            { id: 'b', state: 'terminated', reason: 'rejected' },
          ],
        },
      ],
    });
  });

  it('refuses a list without uri, version or fullState, and what is not a list', () => {
    const cases = [
      `<list xmlns="${RLMI}" version="1" fullState="true"/>`,
      `<list xmlns="${RLMI}" uri="sip:l@x" fullState="true"/>`,
      `<list xmlns="${RLMI}" uri="sip:l@x" version="-1" fullState="true"/>`,
      `<list xmlns="${RLMI}" uri="sip:l@x" version="99999999999" fullState="true"/>`,
      `<list xmlns="${RLMI}" uri="sip:l@x" version="1" fullState="maybe"/>`,
      '<list uri="sip:l@x" version="1" fullState="true"/>',
    ];
    for (const body of cases)
      expect(parseRlmi(body)).toMatchObject({ ok: false, error: { code: 'not-rlmi' } });
    expect(parseRlmi('<list')).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });

  it("resolves each instance's cid to its part in the multipart/related body", () => {
    const list = listBody({
      version: 0,
      fullState: true,
      resources: [
        { uri: 'sip:bob@example.test', pidf: pidfOf('sip:bob@example.test', 'open') },
        { uri: 'sip:carol@example.test', state: 'pending' },
      ],
    });
    const parsed = parseResourceListBody(bytes(list.body), list.contentType);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const [bob, carol] = parsed.value.resources;
    expect(bob!.instances[0]!.content).toMatchObject({
      kind: 'document',
      contentType: { type: 'application/pidf+xml' },
    });
    expect(carol!.instances[0]).toEqual({ id: 'i1', state: 'pending' });
  });

  it('takes a bare RLMI body, and refuses a multipart whose root is not RLMI', () => {
    const bare = parseResourceListBody(
      bytes(`<list xmlns="${RLMI}" uri="sip:l@x" version="0" fullState="true"/>`),
      'application/rlmi+xml',
    );
    expect(bare.ok && bare.value.resources).toEqual([]);
    const wrongRoot = parseResourceListBody(
      bytes('--a\r\nContent-Type: text/plain\r\n\r\nhello\r\n--a--'),
      'multipart/related;boundary=a',
    );
    expect(wrongRoot).toMatchObject({ ok: false, error: { code: 'no-root' } });
    const mixed = parseResourceListBody(bytes('--a\r\n\r\nx\r\n--a--'), 'multipart/mixed;boundary=a');
    expect(mixed).toMatchObject({ ok: false, error: { code: 'not-multipart' } });
  });
});
