import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  parseAddressHeader,
  parseAddressHeaderDeferred,
  parseNameAddr,
} from '../../../../main/sip/message/name-addr';
import { MalformedHeaderError } from '../../../../main/sip/message/result';
import type { NameAddr } from '../../../../main/sip/message/name-addr';
import { isSipUri } from '../../../../main/sip/message/uri';
import type { SipUri } from '../../../../main/sip/message/uri';

function nameAddr(text: string): NameAddr {
  const result = parseNameAddr(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.reason}`);
  return result.value;
}

function sipOf(value: NameAddr): SipUri {
  if (!isSipUri(value.uri)) throw new Error('not a SIP URI');
  return value.uri;
}

describe('parseNameAddr (RFC 3261 §20.10, §25.1)', () => {
  it('reads a quoted display name with escapes', () => {
    const v = nameAddr('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8');
    expect(v.displayName).toBe('J Rosenberg \\"');
    expect(sipOf(v).user).toBe('jdrosen');
    expect([...v.params]).toEqual([['tag', '98asjd8']]);
  });

  it('keeps commas, semicolons and angle brackets inside a quoted display name', () => {
    const v = nameAddr('"Watson, Thomas; <the> boss" <sip:t.watson@example.org>');
    expect(v.displayName).toBe('Watson, Thomas; <the> boss');
    expect(sipOf(v).host).toBe('example.org');
  });

  it('reads UTF-8 and an empty quoted display name', () => {
    expect(nameAddr('"Bücher Ärger" <sip:a@h>').displayName).toBe('Bücher Ärger');
    expect(nameAddr('"" <sip:a@h>').displayName).toBe('');
  });

  it('reads token display names, with or without LWS before <', () => {
    expect(nameAddr('caller<sip:caller@example.com>').displayName).toBe('caller');
    expect(nameAddr('A.  Bell   <sip:a@h>').displayName).toBe('A.  Bell');
    expect(nameAddr('<sip:a@h>').displayName).toBeUndefined();
  });

  it('refuses unquoted display names with non-token characters', () => {
    expect(parseNameAddr('Bell, Alexander <sip:a@h>').ok).toBe(false);
    expect(parseNameAddr('Mr. "J" <sip:a@h>').ok).toBe(false);
    expect(parseNameAddr('A@B <sip:a@h>').ok).toBe(false);
  });

  it('refuses unterminated quotes and brackets, LWS inside <>, and text after the display name', () => {
    for (const bad of [
      '"Mr. J. User <sip:j.user@example.com>',
      '"a" b <sip:a@h>',
      '"a" sip:a@h',
      '<sip:a@h',
      '< sip:a@h >',
      '<sip:a@h >',
      '<>',
      '',
      '<sip:a@h>;=x',
      '<sip:a@h> junk',
      '<sip:a@h>;tag="open',
    ])
      expect(parseNameAddr(bad).ok, bad).toBe(false);
    expect(parseNameAddr('<sip:a@h>;flag').ok).toBe(true);
  });

  it('gives every ; parameter of an addr-spec to the header, not the URI (RFC 3261 §20.10)', () => {
    const v = nameAddr('sip:+19725552222@gw1.example.net;unknownparam;tag=1;user=phone');
    expect(sipOf(v).params.size).toBe(0);
    expect([...v.params]).toEqual([
      ['unknownparam', null],
      ['tag', '1'],
      ['user', 'phone'],
    ]);
  });

  it('gives parameters inside <> to the URI and after > to the header', () => {
    const v = nameAddr('<sip:a@h;lr;transport=tcp>;expires=60;q=0.5');
    expect([...sipOf(v).params]).toEqual([
      ['lr', null],
      ['transport', 'tcp'],
    ]);
    expect([...v.params]).toEqual([
      ['expires', '60'],
      ['q', '0.5'],
    ]);
  });

  it('refuses an addr-spec with ?, , or whitespace (those need <>)', () => {
    expect(parseNameAddr('sip:user@example.com?Route=%3Csip:sip.example.com%3E').ok).toBe(false);
    expect(parseNameAddr('sip:a@h,sip:b@h').ok).toBe(false);
    expect(parseNameAddr('sip:a@h x').ok).toBe(false);
  });

  it('reads an addr-spec whose quoted header parameter holds < or >', () => {
    const v = nameAddr('sip:a@h;note="<not a uri>"');
    expect(sipOf(v).host).toBe('h');
    expect(v.params.get('note')).toBe('<not a uri>');
  });

  it('reads quoted header parameter values with escapes and LWS around = and ;', () => {
    const v = nameAddr('<sip:a@h> ; x = "a \\"b\\" c" ;  y  ');
    expect([...v.params]).toEqual([
      ['x', 'a "b" c'],
      ['y', null],
    ]);
  });

  it('accepts URIs of any scheme', () => {
    expect(nameAddr('<tel:+15551234>').uri).toMatchObject({ scheme: 'tel', number: '+15551234' });
    expect(nameAddr('isbn:2983792873').uri).toEqual({ scheme: 'isbn', raw: 'isbn:2983792873' });
    expect(nameAddr('"x" <urn:service:sos>;tag=1').params.get('tag')).toBe('1');
  });
});

describe('parseAddressHeader', () => {
  it('pulls the tag out', () => {
    const from = parseAddressHeader('"A" <sip:a@h>;tag=abc;x=y');
    expect(from.ok && from.value.tag).toBe('abc');
    const to = parseAddressHeader('sip:b@h');
    expect(to.ok && to.value.tag).toBeUndefined();
  });
});

describe('parseNameAddr and parseAddressHeaderDeferred in place', () => {
  const cases = [
    '"A \\"B\\"" <sip:a@h;lr>;tag=1;X=Y',
    'Bob <sips:b@h>',
    'sip:c@h;tag=2;q=0.5',
    '<sip:d@h>;tag="q u"',
    ' <sip:e@h> ',
    '"open <sip:f@h>',
    '<sip:g@h',
    '< sip:h@h>',
    'sip:i@h?x=y',
    '<sip:j@h>;tag',
    '<sip:k@h>;;',
    '<http://x y>',
    '<isbn:123>;tag=3',
    '<sip:@h>;tag=5',
  ];
  const before = 'From: "x" <sip:z@z>;';
  const after = ';tag=outside>"\r\nTo: <sip:y@y>';

  it('reads text[from, to) exactly as it reads the slice', () => {
    for (const text of cases) {
      const whole = `${before}${text}${after}`;
      expect(parseNameAddr(whole, before.length, before.length + text.length), text).toEqual(
        parseNameAddr(text),
      );
    }
  });

  it('defers the parameter map and the URI, with the outcome of the eager parse', () => {
    for (const text of cases) {
      const whole = `${before}${text}${after}`;
      const deferred = parseAddressHeaderDeferred(whole, 'From', before.length, before.length + text.length);
      const eager = parseAddressHeader(text);
      if (!deferred.ok) {
        expect(eager.ok, text).toBe(false);
        continue;
      }
      const value = deferred.value;
      if (eager.ok) {
        expect(value.tag, text).toBe(eager.value.tag);
        expect([...value.params], text).toEqual([...eager.value.params]);
        expect(value.uri, text).toEqual(eager.value.uri);
      } else {
        // Only the URI is left for later: reading it throws what the eager parse reported.
        expect(() => value.uri, text).toThrow(MalformedHeaderError);
      }
    }
  });
});

describe('formatNameAddr', () => {
  it('always writes <> and quotes the display name, so it parses back the same', () => {
    for (const text of [
      '"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8',
      'sip:+19725552222@gw1.example.net;unknownparam',
      'caller<sip:caller@example.com;lr>;q=0.1',
      '"a,b" <sip:user;par=x%40y@h>;note="semi;colon"',
    ]) {
      const first = nameAddr(text);
      const formatted = formatNameAddr(first);
      expect(formatted).toMatch(/<.*>/);
      expect(nameAddr(formatted)).toEqual(first);
    }
    expect(formatNameAddr(nameAddr('sip:a@h;tag=1'))).toBe('<sip:a@h>;tag=1');
    expect(formatNameAddr(nameAddr('"" <sip:a@h>'))).toBe('<sip:a@h>');
  });
});
