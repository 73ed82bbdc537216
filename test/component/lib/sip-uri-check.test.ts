import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSipUri, parseUri } from '../../../main/sip/message/uri';
import { checkSipUri } from '../../../renderer/src/lib/sip-uri-check';

/** What the engine's schema accepts for an address (needs a user) or a proxy. */
function engineAccepts(text: string, requireUser: boolean): boolean {
  const parsed = parseUri(text.trim());
  return parsed.ok && isSipUri(parsed.value) && (!requireUser || parsed.value.user !== undefined);
}

const corpus = [
  'sip:alice@example.com',
  'sips:alice@example.com:5061',
  'SIP:alice@EXAMPLE.com',
  'sip:alice@127.0.0.1:5060;transport=tcp',
  'sip:alice:secret@host',
  'sip:alice:@host',
  'sip:%61lice@host',
  'sip:al%6@host',
  'sip:alice@[2001:db8::1]:5060',
  'sip:alice@[2001:db8:::192.0.2.1]',
  'sip:alice@[::ffff:192.0.2.1]',
  'sip:alice@[fe80::1%eth0]',
  'sip:alice@[2001:db8::1',
  'sip:alice@[2001:db8::1]x',
  'sip:alice@[1:2:3:4:5:6:7:8:9]',
  'sip:alice@256.1.1.1',
  'sip:alice@1.2.3',
  'sip:alice@1.2.3.4.',
  'sip:alice@host.',
  'sip:alice@.host',
  'sip:alice@-host.com',
  'sip:alice@ho_st.com',
  'sip:alice@host:',
  'sip:alice@host:65536',
  'sip:alice@host:00080',
  'sip:alice@host:123456',
  'sip:alice@host;lr',
  'sip:alice@host;',
  'sip:alice@host;=x',
  'sip:alice@host;a=b=c',
  'sip:alice@host;maddr=[::1]',
  'sip:alice@host?subject=hi&priority=urgent',
  'sip:alice@host?subject',
  'sip:alice@host?=x',
  'sip:alice@host?a=%zz',
  'sip:alice@host?a=',
  'sip:@host',
  'sip:host',
  'sip:',
  'sips:',
  'sip:alice @host',
  'sip:<alice@host>',
  'sip:"alice"@host',
  'sip:alïce@host',
  'alice@example.com',
  'tel:+15551234',
  'mailto:alice@example.com',
  '  sip:alice@host  ',
  '',
  'sip:alice@host;transport=tcp?x=y;z',
  'sip:a;b=c@host',
  'sip:alice@host@other',
];

describe('checkSipUri', () => {
  it.each(corpus)('agrees with the engine on %j', (text) => {
    for (const requireUser of [true, false]) {
      expect(checkSipUri(text, { requireUser }) === null, `requireUser=${requireUser}`).toBe(
        engineAccepts(text, requireUser),
      );
    }
  });

  it('agrees with the engine on generated URIs', () => {
    const piece = fc.constantFrom(
      ...[
        'a',
        'Z',
        '0',
        '1',
        '9',
        'f',
        'F',
        '.',
        '-',
        '_',
        ':',
        '::',
        '@',
        '[',
        ']',
        ';',
        '=',
        '?',
        '&',
        '%',
      ],
      ...[
        '%4',
        '%41',
        '/',
        '+',
        '$',
        ',',
        '!',
        '~',
        '*',
        "'",
        '(',
        ')',
        ' ',
        '<',
        '"',
        'é',
        '255',
        '256',
        '1.2.3.4',
      ],
    );
    const uri = fc
      .tuple(fc.constantFrom('sip:', 'sips:', 'SIP:', 'sip', 'tel:', ''), fc.array(piece, { maxLength: 14 }))
      .map(([scheme, parts]) => scheme + parts.join(''));
    fc.assert(
      fc.property(uri, fc.boolean(), (text, requireUser) => {
        expect(checkSipUri(text, { requireUser }) === null).toBe(engineAccepts(text, requireUser));
      }),
      { numRuns: 20_000 },
    );
  });

  it('says what is wrong in words a person can act on', () => {
    const address = (text: string) => checkSipUri(text, { requireUser: true });
    expect(address('')).toBe('Enter a SIP address such as sip:alice@example.com.');
    expect(address('alice@example.com')).toBe('Start with sip:, as in sip:alice@example.com.');
    expect(address('tel:+15551234')).toBe('Use a SIP address (sip:alice@example.com), not a tel: number.');
    expect(address('sip:alice @example.com')).toBe('Remove the spaces, quotes or angle brackets.');
    expect(address('sip:@example.com')).toBe('Put the user name before @, as in sip:alice@example.com.');
    expect(address('sip:alice@')).toBe('Add the server name or IP address after @.');
    expect(address('sip:alice@example.com:99999')).toBe('The port must be a number from 0 to 65535.');
    expect(address('sip:alice@[::1')).toBe('Close the IPv6 address with ].');
    expect(address('sip:al#ice@example.com')).toBe(
      'The user name cannot contain "#"; write it as a %XX escape.',
    );
    expect(address('sip:alice@example.com;')).toBe('A parameter after ; has no name.');
    expect(checkSipUri('192.0.2.10:5060', { requireUser: false })).toBe(
      'Start with sip:, as in sip:192.0.2.10:5060.',
    );
    expect(checkSipUri('sip:192.0.2.10:5060;lr', { requireUser: false })).toBeNull();
    // Only a suggestion that would itself be accepted is offered: an address of record needs a user.
    expect(address('example.com')).toBe(
      'Start with sip: and put your user name in front, as in sip:alice@example.com.',
    );
    expect(checkSipUri('example.com', { requireUser: false })).toBe(
      'Start with sip:, as in sip:example.com.',
    );
  });
});
