import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePidf } from '../../../main/presence/pidf';
import { buildPidf, type OwnPresence, xmlSafe } from '../../../main/presence/pidf-builder';
import { mergePresence } from '../../../main/presence/presence-merge';
import { parseWatcherInfo } from '../../../main/presence/watcher-info';

const fixture = readFileSync(new URL('../../fixtures/presence/kamailio-aggregated.xml', import.meta.url));

const NS =
  'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ' +
  'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"';

function pidf(inner: string): string {
  return `<?xml version="1.0"?><presence ${NS} entity="sip:bob@example.test">${inner}</presence>`;
}

function parsed(text: string | Uint8Array) {
  const result = parsePidf(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function tuple(id: string, basic: string, extra = ''): string {
  return `<tuple id="${id}"><status><basic>${basic}</basic></status>${extra}</tuple>`;
}

describe('parsePidf', () => {
  it('reads tuples, persons, RPID activities, notes with xml:lang, priorities and timestamps', () => {
    const document = parsed(fixture);
    expect(document.entity).toBe('sip:bob@example.test');
    expect(document.tuples).toEqual([
      {
        id: 'desk',
        basic: 'closed',
        contact: 'sip:bob@192.0.2.1:5060',
        priority: 0.9,
        notes: [{ text: 'desk phone off' }],
        timestamp: Date.UTC(2025, 0, 1, 10),
        activities: [],
      },
      {
        id: 'laptop',
        basic: 'open',
        contact: 'sip:bob@192.0.2.2:5062',
        priority: 0.5,
        notes: [],
        timestamp: Date.UTC(2025, 0, 1, 11),
        activities: [],
      },
    ]);
    expect(document.persons).toEqual([
      {
        id: 'p1',
        activities: [{ kind: 'away' }],
        notes: [
          { text: 'Back at 3', lang: 'en' },
          { text: 'Zurück um 3', lang: 'de' },
        ],
        timestamp: Date.UTC(2025, 0, 1, 10, 30),
      },
    ]);
  });

  it('reads activities inside a tuple status (older RPID clients) and unknown ones as other', () => {
    const document = parsed(
      pidf(
        '<tuple id="a"><status><basic>open</basic><rpid:activities><rpid:on-the-phone/>' +
          '<rpid:other>do-not-disturb</rpid:other><rpid:juggling/></rpid:activities></status></tuple>',
      ),
    );
    expect(document.tuples[0]?.activities).toEqual([
      { kind: 'on-the-phone' },
      { kind: 'other', text: 'do-not-disturb' },
      { kind: 'other', text: 'juggling' },
    ]);
  });

  it('ignores a bad priority or timestamp rather than refusing the document', () => {
    const document = parsed(
      pidf(
        '<tuple id="a"><status><basic>open</basic></status><contact priority="7">sip:x@y</contact>' +
          '<timestamp>yesterday</timestamp></tuple>',
      ),
    );
    expect(document.tuples[0]).toEqual({
      id: 'a',
      basic: 'open',
      contact: 'sip:x@y',
      notes: [],
      activities: [],
    });
  });

  it('refuses documents that are not PIDF', () => {
    const wrongRoot = parsePidf('<presence entity="sip:a@b"/>');
    expect(wrongRoot.ok || wrongRoot.error.code).toBe('not-pidf');
    const noEntity = parsePidf(`<presence ${NS}/>`);
    expect(noEntity.ok || noEntity.error.code).toBe('not-pidf');
  });

  it('turns hostile bodies into errors: entities, nesting, invalid UTF-8, binary', () => {
    const cases: Array<[string | Uint8Array, string]> = [
      [
        `<!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>${pidf('<note>&b;</note>')}`,
        'doctype',
      ],
      [pidf(`${'<note>'.repeat(40)}${'</note>'.repeat(40)}`), 'too-deep'],
      [
        new Uint8Array([...Buffer.from(pidf('<note>')), 0xc3, 0x28, ...Buffer.from('</note>')]),
        'invalid-utf8',
      ],
      [new Uint8Array(Array.from({ length: 1024 }, (_, i) => (i * 37) % 256)), 'invalid-utf8'],
    ];
    for (const [body, code] of cases) {
      const result = parsePidf(body);
      expect(result.ok || result.error.code).toBe(code);
    }
  });

  it('parses a document with many tuples within the limits, and caps note length', () => {
    const tuples = Array.from({ length: 500 }, (_, i) => tuple(`t${i}`, i === 499 ? 'open' : 'closed')).join(
      '',
    );
    const document = parsed(pidf(tuples + `<note>${'n'.repeat(5_000)}</note>`));
    expect(document.tuples).toHaveLength(500);
    expect(document.notes[0]?.text).toHaveLength(1_024);
    expect(mergePresence(document).availability).toBe('available');
  });
});

describe('mergePresence', () => {
  it('open beats closed, the person’s away decides, the note follows the preferred language', () => {
    const merged = mergePresence(parsed(fixture), { languages: ['de'] });
    expect(merged).toEqual({
      availability: 'away',
      activities: [{ kind: 'away' }],
      onThePhone: false,
      note: { text: 'Zurück um 3', lang: 'de' },
      contact: 'sip:bob@192.0.2.2:5062',
    });
  });

  it('all tuples closed is offline, with the most recent note kept', () => {
    const merged = mergePresence(
      parsed(
        pidf(
          tuple('a', 'closed', '<note>old</note><timestamp>2025-01-01T00:00:00Z</timestamp>') +
            tuple('b', 'closed', '<note>new</note><timestamp>2025-01-02T00:00:00Z</timestamp>'),
        ),
      ),
    );
    expect(merged).toEqual({
      availability: 'offline',
      activities: [],
      onThePhone: false,
      note: { text: 'new' },
    });
  });

  it('busy-like beats away-like, do-not-disturb beats busy, on the phone is flagged', () => {
    const busy = mergePresence(
      parsed(
        pidf(
          tuple('a', 'open', '<rpid:activities><rpid:on-the-phone/></rpid:activities>') +
            '<dm:person id="p"><rpid:activities><rpid:vacation/></rpid:activities></dm:person>',
        ),
      ),
    );
    expect(busy.availability).toBe('busy');
    expect(busy.onThePhone).toBe(true);
    const dnd = mergePresence(
      parsed(
        pidf(
          tuple('a', 'open') +
            '<dm:person id="p"><rpid:activities><rpid:busy/><rpid:other>do-not-disturb</rpid:other></rpid:activities></dm:person>',
        ),
      ),
    );
    expect(dnd.availability).toBe('do-not-disturb');
  });

  it('activities of a closed tuple are stale; no basic at all is unknown unless activities say more', () => {
    const stale = mergePresence(
      parsed(
        pidf(tuple('a', 'open') + tuple('b', 'closed', '<rpid:activities><rpid:busy/></rpid:activities>')),
      ),
    );
    expect(stale.availability).toBe('available');
    expect(mergePresence(parsed(pidf(''))).availability).toBe('unknown');
    expect(
      mergePresence(
        parsed(pidf('<dm:person id="p"><rpid:activities><rpid:meeting/></rpid:activities></dm:person>')),
      ).availability,
    ).toBe('busy');
  });

  it('the contact is the open tuple with the highest priority', () => {
    const merged = mergePresence(
      parsed(
        pidf(
          tuple('a', 'open', '<contact priority="0.2">sip:low@x</contact>') +
            tuple('b', 'open', '<contact priority="0.8">sip:high@x</contact>') +
            tuple('c', 'closed', '<contact priority="1">sip:closed@x</contact>'),
        ),
      ),
    );
    expect(merged.contact).toBe('sip:high@x');
  });
});

describe('buildPidf', () => {
  const base: OwnPresence = {
    entity: 'sip:alice@example.test',
    status: 'available',
    timestamp: Date.UTC(2025, 0, 1, 12),
    tupleId: 't1',
    personId: 'p1',
    contact: 'sip:alice@192.0.2.5:5060',
  };

  it('round-trips every status through our own parser and merge rule', () => {
    const expected = {
      available: 'available',
      away: 'away',
      busy: 'busy',
      dnd: 'do-not-disturb',
      offline: 'offline',
    };
    for (const [status, availability] of Object.entries(expected)) {
      const document = parsed(buildPidf({ ...base, status: status as OwnPresence['status'], note: 'n' }));
      expect(mergePresence(document).availability).toBe(availability);
    }
  });

  it('publishes on-the-phone as an open tuple with the RPID activity, which watchers read as on the phone', () => {
    const text = buildPidf({ ...base, status: 'on-the-phone', note: 'n' });
    expect(text).toContain('<rpid:on-the-phone/>');
    const merged = mergePresence(parsed(text));
    expect(merged.onThePhone).toBe(true);
    expect(merged.availability).toBe('busy');
  });

  it('escapes markup and keeps non-ASCII notes intact, with their language', () => {
    const note = 'Bin gleich zurück <b>&"\' 🙂 שלום';
    const document = parsed(buildPidf({ ...base, status: 'away', note, noteLang: 'de' }));
    expect(mergePresence(document).note).toEqual({ text: note, lang: 'de' });
  });

  it('appear offline publishes closed with no note and no contact', () => {
    const text = buildPidf({ ...base, status: 'offline', note: 'secret' });
    expect(text).not.toContain('secret');
    expect(text).not.toContain('sip:alice@192.0.2.5');
    expect(text).toContain('<basic>closed</basic>');
  });

  it('drops characters XML cannot carry instead of producing an unparseable document', () => {
    const note = 'a\u0000b\u0007c\ud800d\uffffe\tf';
    expect(xmlSafe(note)).toBe('abcde\tf');
    expect(mergePresence(parsed(buildPidf({ ...base, note }))).note?.text).toBe('abcde\tf');
  });
});

describe('parseWatcherInfo', () => {
  const winfo = (inner: string, attributes = 'version="3" state="full"'): string =>
    `<?xml version="1.0"?><watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" ${attributes}>${inner}</watcherinfo>`;

  it('reads the watcher lists with status, event and display name (RFC 3858 §4)', () => {
    const result = parseWatcherInfo(
      winfo(
        '<watcher-list resource="sip:bob@example.test" package="presence">' +
          '<watcher id="w1" event="subscribe" status="pending" display-name="Alice" duration-subscribed="10">' +
          'sip:alice@example.test</watcher>' +
          '<watcher id="w2" status="bogus" event="x">sip:x@y</watcher></watcher-list>',
      ),
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toEqual({
      version: 3,
      state: 'full',
      lists: [
        {
          resource: 'sip:bob@example.test',
          package: 'presence',
          watchers: [
            {
              id: 'w1',
              uri: 'sip:alice@example.test',
              status: 'pending',
              event: 'subscribe',
              displayName: 'Alice',
              durationSubscribed: 10,
            },
          ],
        },
      ],
    });
  });

  it('refuses a document without version or state, and hostile bodies', () => {
    const noVersion = parseWatcherInfo(winfo('', 'state="full"'));
    expect(noVersion.ok || noVersion.error.code).toBe('not-watcherinfo');
    const laughs = parseWatcherInfo(`<!DOCTYPE w [<!ENTITY a "a">]>${winfo('&a;')}`);
    expect(laughs.ok || laughs.error.code).toBe('doctype');
    const binary = parseWatcherInfo(new Uint8Array([0xfe, 0xff, 0x00, 0x3c]));
    expect(binary.ok).toBe(false);
  });
});
