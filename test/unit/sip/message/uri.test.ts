import { isIPv4 } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  bareHost,
  formatUri,
  isSipUri,
  parseHostPort,
  parseUri,
  sipUriEquals,
  unescapePercent,
  uriHost,
} from '../../../../main/sip/message/uri';
import type { SipUri, TelUri, Uri } from '../../../../main/sip/message/uri';

function uri(text: string): Uri {
  const result = parseUri(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.reason}`);
  return result.value;
}

function sip(text: string): SipUri {
  const value = uri(text);
  if (!isSipUri(value)) throw new Error(`not a SIP URI: ${text}`);
  return value;
}

function invalid(text: string): void {
  const result = parseUri(text);
  expect(result.ok, text).toBe(false);
}

describe('parseUri: SIP and SIPS URIs (RFC 3261 §19.1, §25.1)', () => {
  it('reads every component', () => {
    const u = sip(
      'sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
    );
    expect(u).toMatchObject({
      scheme: 'sips',
      user: 'alice',
      password: 'secret',
      host: 'atlanta.example.com',
      port: 5061,
    });
    expect([...u.params]).toEqual([
      ['transport', 'tcp'],
      ['lr', null],
    ]);
    expect([...u.headers]).toEqual([
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ]);
  });

  it('takes the scheme in any case and lower-cases parameter names, not values', () => {
    const u = sip('SIP:Bob@Biloxi.Example.COM;Transport=TCP;MAddr=X');
    expect(u.scheme).toBe('sip');
    expect(u.user).toBe('Bob');
    expect(u.host).toBe('Biloxi.Example.COM');
    expect([...u.params]).toEqual([
      ['transport', 'TCP'],
      ['maddr', 'X'],
    ]);
  });

  it('unescapes users, passwords, parameters and headers exactly once', () => {
    const u = sip('sip:%61lice%20smith:p%40ss@h;n%61me=v%25%34%31?x%2Dy=%3Csip:a%40b%3E');
    expect(u.user).toBe('alice smith');
    expect(u.password).toBe('p@ss');
    expect(u.params.get('name')).toBe('v%41');
    expect(u.headers.get('x-y')).toBe('<sip:a@b>');
  });

  it('decodes escaped UTF-8, and keeps octets that are not UTF-8 distinct', () => {
    expect(sip('sip:%C3%A9t%C3%A9@h').user).toBe('été');
    const ff = sip('sip:%FF@h');
    const fe = sip('sip:%FE@h');
    expect(ff.user).not.toBe(fe.user);
    expect(sipUriEquals(ff, fe)).toBe(false);
  });

  it('allows user-unreserved characters, including ; ? and / before the @', () => {
    const u = sip('sip:user;par=u%40example.net@example.com');
    expect(u.user).toBe('user;par=u@example.net');
    expect(u.params.size).toBe(0);
    expect(sip('sip:a?b/c,d$e+f&g=h@host').user).toBe('a?b/c,d$e+f&g=h');
  });

  it('allows an empty password but not an empty user', () => {
    expect(sip('sip:alice:@h').password).toBe('');
    invalid('sip:@h');
    invalid('sip::pw@h');
  });

  it('reads IPv4, IPv6 and hostnames, with and without ports', () => {
    expect(parseHostPort('192.0.2.1:5060')).toEqual({ host: '192.0.2.1', port: 5060 });
    expect(parseHostPort('[2001:db8::1]:5061')).toEqual({ host: '[2001:db8::1]', port: 5061 });
    expect(parseHostPort('[::1]')).toEqual({ host: '[::1]', port: undefined });
    expect(parseHostPort('example.com.')).toEqual({ host: 'example.com.', port: undefined });
    expect(parseHostPort('a-b.c')).toEqual({ host: 'a-b.c', port: undefined });
    expect(parseHostPort('h:0')).toEqual({ host: 'h', port: 0 });
  });

  it('refuses malformed hosts and ports', () => {
    for (const bad of [
      '',
      'h:',
      'h:65536',
      'h:123456',
      'h:12a',
      '-h.example',
      'h-.example',
      'a..b',
      '256.1.1.1',
      '[2001:db8::1',
      '[2001:db8::g]',
      '[2001:db8::1]5060',
      '2001:db8::1',
      'h_ost:5060:1',
      'ex ample.com',
    ])
      expect(parseHostPort(bad), bad).toBeUndefined();
  });

  it('keeps an IPv6 reference in brackets and strips them for sockets (RFC 5118)', () => {
    const u = sip('sip:[2001:DB8::10]:5070;transport=udp');
    expect(u.host).toBe('[2001:DB8::10]');
    expect(u.port).toBe(5070);
    expect(bareHost(u.host)).toBe('2001:DB8::10');
    expect(uriHost('2001:db8::10')).toBe('[2001:db8::10]');
    expect(uriHost('[::1]')).toBe('[::1]');
    expect(uriHost('192.0.2.1')).toBe('192.0.2.1');
  });

  it("tolerates RFC 3261's three-colon IPv6 reference only before an embedded IPv4 address", () => {
    expect(sip('sip:[2001:db8:::192.0.2.1]').host).toBe('[2001:db8::192.0.2.1]');
    expect(sip('sip:[:::192.0.2.1]').host).toBe('[::192.0.2.1]');
    invalid('sip:[2001:db8:::10]');
    invalid('sip:[2001:db8::::192.0.2.1]');
    invalid('sip:[2001:db8::1:::192.0.2.1]');
  });

  it('refuses empty or malformed parameters and headers', () => {
    invalid('sip:h;');
    invalid('sip:h;;lr');
    invalid('sip:h;a=b=c');
    invalid('sip:h;a=%zz');
    invalid('sip:h?');
    invalid('sip:h?=v');
    invalid('sip:h?a');
    invalid('sip:h?a=b&');
    invalid('sip:h;a@b=c');
    expect([...sip('sip:h;a=').params]).toEqual([['a', '']]);
    expect([...sip('sip:h?a=').headers]).toEqual([['a', '']]);
  });

  it('refuses whitespace, quotes, angle brackets and controls anywhere', () => {
    for (const bad of [
      'sip:a b@h',
      'sip:a@h;x="y"',
      'sip:<a@h>',
      'sip:a@h\r',
      'sip:a\u0000@h',
      'sip:a@h\u007f',
    ])
      invalid(bad);
  });

  it('refuses text without a scheme', () => {
    invalid('');
    invalid('alice@example.com');
    invalid(':x');
    invalid('1sip:x');
    invalid('si p:x');
  });

  it('is linear in the number of parameters (a quadratic scan would run into the test timeout)', () => {
    const many = `sip:h${';p'.repeat(100_000)}`;
    expect(sip(many).params.size).toBe(1);
    expect(parseUri(`${many};`).ok).toBe(false);
  });
});

describe('parseUri and parseHostPort in place', () => {
  const cases = [
    'sip:alice@192.168.1.23:50060;transport=udp;ob',
    'sips:a:p%40ss@[2001:db8::1]:5061;Maddr=X?subject=hi%20there&x=y',
    'sip:example.com',
    'sip:h?a=b',
    'sip:h;x=%zz',
    'sip:user@host name',
    'SIP:u@h;lr;',
    'tel:+1-555;ext=2',
    'urn:service:sos',
    'mailto:',
    'nothing',
  ];

  it('reads text[from, to) exactly as parseUri reads the slice', () => {
    for (const text of cases) {
      const before = 'To: <';
      const after = '>;tag=x@y?;z="%"\r\n';
      const whole = `${before}${text}${after}`;
      expect(parseUri(whole, before.length, before.length + text.length), text).toEqual(parseUri(text));
    }
  });

  it('reads host[:port] exactly in its range', () => {
    const text = 'SIP/2.0/UDP 192.0.2.1:5060;branch=x';
    expect(parseHostPort(text, 12, 26)).toEqual({ host: '192.0.2.1', port: 5060 });
    expect(parseHostPort(text, 12, 21)).toEqual({ host: '192.0.2.1', port: undefined });
    expect(parseHostPort(text, 12, 30)).toBeUndefined();
    expect(parseHostPort('h;x')).toBeUndefined();
    expect(parseHostPort('h?x')).toBeUndefined();
  });

  it('takes an all-numeric host as an address exactly when node:net does', () => {
    const pieces = ['0', '1', '9', '25', '255', '256', '01', '199', '.', '..', '1.2.3.4', '999'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      let host = '';
      for (let k = 1 + next(7); k > 0; k--) host += pieces[next(pieces.length)];
      if (!/^[\d.]+$/.test(host)) continue;
      const labelsOk = !host.startsWith('.') && !host.includes('..');
      const expected = labelsOk && isIPv4(host.endsWith('.') ? '' : host);
      expect(parseHostPort(host) !== undefined, host).toBe(expected);
    }
  });
});

describe('parseUri: tel and other schemes', () => {
  it('reads tel URIs (RFC 3966) with their parameters', () => {
    const t = uri('tel:+1-201-555-0123;ext=42;phone-context=example.com') as TelUri;
    expect(t.scheme).toBe('tel');
    expect(t.number).toBe('+1-201-555-0123');
    expect([...t.params]).toEqual([
      ['ext', '42'],
      ['phone-context', 'example.com'],
    ]);
    expect(formatUri(t)).toBe('tel:+1-201-555-0123;ext=42;phone-context=example.com');
    invalid('tel:');
    invalid('tel:+1 555');
    invalid('tel:abc;');
  });

  it('keeps other absolute URIs opaque, with their exact spelling', () => {
    expect(uri('nobodyKnowsThisScheme:totallyopaquecontent')).toEqual({
      scheme: 'nobodyknowsthisscheme',
      raw: 'nobodyKnowsThisScheme:totallyopaquecontent',
    });
    expect(uri('soap.beep://192.0.2.103:3002')).toEqual({
      scheme: 'soap.beep',
      raw: 'soap.beep://192.0.2.103:3002',
    });
    expect(formatUri(uri('urn:service:sos'))).toBe('urn:service:sos');
    invalid('mailto:');
  });
});

describe('formatUri', () => {
  it('round-trips through parseUri', () => {
    for (const text of [
      'sip:alice@atlanta.example.com',
      'sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr',
      'sip:%00@h',
      'sip:user;par=u%40example.net@example.com',
      'sip:I%20have%20spaces@example.net',
      'sip:h;name=value%2541?Route=%3Csip:sip.example.com%3E',
      'sip:+15551234;phone-context=x@h;user=phone',
    ]) {
      const first = sip(text);
      const formatted = formatUri(first);
      expect(sip(formatted)).toEqual(first);
      expect(formatUri(sip(formatted))).toBe(formatted);
    }
  });

  it('escapes what the grammar reserves and leaves the rest', () => {
    const u: SipUri = {
      scheme: 'sip',
      user: 'a b@c:d%',
      password: 'p@:',
      host: 'h',
      port: 5060,
      params: new Map<string, string | null>([
        ['x y', 'v;w'],
        ['lr', null],
      ]),
      headers: new Map([['Subject', 'hi there&more']]),
    };
    expect(formatUri(u)).toBe('sip:a%20b%40c%3Ad%25:p%40%3A@h:5060;x%20y=v%3Bw;lr?Subject=hi%20there%26more');
    expect(formatUri({ ...u, user: 'été', password: undefined, params: new Map(), headers: new Map() })).toBe(
      'sip:%C3%A9t%C3%A9@h:5060',
    );
  });
});

describe('unescapePercent', () => {
  it('decodes valid escapes and leaves broken ones', () => {
    expect(unescapePercent('a%41%4a%2')).toBe('aAJ%2');
    expect(unescapePercent('%zz%')).toBe('%zz%');
    expect(unescapePercent('plain')).toBe('plain');
  });
});

describe('sipUriEquals (RFC 3261 §19.1.4)', () => {
  const equal = (a: string, b: string) => {
    expect(sipUriEquals(sip(a), sip(b)), `${a} = ${b}`).toBe(true);
    expect(sipUriEquals(sip(b), sip(a)), `${b} = ${a}`).toBe(true);
  };
  const different = (a: string, b: string) => {
    expect(sipUriEquals(sip(a), sip(b)), `${a} ≠ ${b}`).toBe(false);
    expect(sipUriEquals(sip(b), sip(a)), `${b} ≠ ${a}`).toBe(false);
  };

  it('treats the RFC’s equivalent examples as equal', () => {
    equal('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp');
    equal('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5');
    equal('sip:carol@chicago.com', 'sip:carol@chicago.com;security=on');
    equal('sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on');
    equal(
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    );
    equal(
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    );
  });

  it('treats the RFC’s non-equivalent examples as different', () => {
    different('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP');
    different('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060');
    different('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp');
    different('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp');
    different('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting');
    different('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4');
    // Not transitive: both equal sip:carol@chicago.com, but not each other.
    different('sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;newparam=6');
  });

  it('compares schemes, passwords, maddr/ttl/user/method and headers strictly', () => {
    different('sip:a@h', 'sips:a@h');
    different('sip:a:x@h', 'sip:a:y@h');
    different('sip:a:x@h', 'sip:a@h');
    different('sip:a@h;maddr=192.0.2.1', 'sip:a@h');
    different('sip:a@h;ttl=1', 'sip:a@h');
    different('sip:a@h;user=phone', 'sip:a@h');
    different('sip:a@h;method=INVITE', 'sip:a@h');
    equal('sip:a@h;user=PHONE', 'sip:a@h;user=phone');
    equal('sip:a@h?Subject=x', 'sip:a@h?subject=x');
    different('sip:a@h?subject=x', 'sip:a@h?subject=X');
  });

  it('compares IPv6 references as addresses', () => {
    equal('sip:a@[2001:DB8::1]', 'sip:a@[2001:db8:0:0:0:0:0:1]');
    equal('sip:a@[::ffff:192.0.2.1]', 'sip:a@[::ffff:c000:201]');
    different('sip:a@[2001:db8::1]', 'sip:a@[2001:db8::2]');
  });
});
