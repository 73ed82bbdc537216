import { describe, expect, it } from 'vitest';
import { authScheme, parseChallenge } from '../../../../main/sip/auth/challenge';
import type { DigestChallenge } from '../../../../main/sip/auth/challenge';
import { SeededRandom } from '../../../support/seeded-random';

function parsed(value: string): DigestChallenge {
  const result = parseChallenge(value);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(value)} to parse: ${result.error}`);
  return result.value;
}

function parseError(value: string): string {
  const result = parseChallenge(value);
  if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return result.error;
}

describe('parseChallenge', () => {
  it('reads every RFC 7616 / RFC 8760 parameter', () => {
    const challenge = parsed(
      'Digest realm="atlanta.example.com", nonce="84a4cc6f3082121f32b42a2187831a9e", qop="auth,auth-int", ' +
        'algorithm=SHA-256, opaque="5ccc069c403ebaf9f0171e9517f40e41", stale=TRUE, domain="sip:atlanta.example.com", ' +
        'userhash=true, charset=UTF-8',
    );
    expect(challenge).toMatchObject({
      realm: 'atlanta.example.com',
      nonce: '84a4cc6f3082121f32b42a2187831a9e',
      qop: ['auth', 'auth-int'],
      algorithm: 'SHA-256',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      stale: true,
      domain: 'sip:atlanta.example.com',
      userhash: true,
      charset: 'UTF-8',
    });
    expect([...challenge.params.keys()]).toEqual([
      'realm',
      'nonce',
      'qop',
      'algorithm',
      'opaque',
      'stale',
      'domain',
      'userhash',
      'charset',
    ]);
  });

  it('parses the RFC 7616 §3.9.1 challenge', () => {
    const challenge = parsed(
      'Digest\r\n    realm="http-auth@example.org",\r\n    qop="auth, auth-int",\r\n    algorithm=SHA-256,\r\n' +
        '    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n' +
        '    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(challenge).toMatchObject({
      realm: 'http-auth@example.org',
      qop: ['auth', 'auth-int'],
      algorithm: 'SHA-256',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      stale: false,
      userhash: false,
    });
  });

  it('defaults: algorithm MD5, no qop, not stale, no userhash', () => {
    const challenge = parsed('Digest realm="r", nonce="n"');
    expect(challenge.algorithm).toBe('MD5');
    expect(challenge.qop).toEqual([]);
    expect(challenge.stale).toBe(false);
    expect(challenge.userhash).toBe(false);
    expect(challenge.opaque).toBeUndefined();
    expect(challenge.domain).toBeUndefined();
    expect(challenge.charset).toBeUndefined();
  });

  it('takes the scheme and parameter names in any case', () => {
    for (const value of [
      'digest REALM="r", NONCE="n", QOP="AUTH", Algorithm=md5-sess, Stale=True',
      'DIGEST Realm="r", Nonce="n", Qop="Auth", ALGORITHM=md5-sess, STALE=true',
      'DiGeSt rEaLm="r", nOnCe="n", qOp="auth", aLgOrItHm=md5-sess, sTaLe=tRuE',
    ]) {
      expect(parsed(value)).toMatchObject({
        realm: 'r',
        nonce: 'n',
        qop: ['auth'],
        algorithm: 'md5-sess',
        stale: true,
      });
    }
  });

  it('tolerates linear whitespace around "=" and "," and empty list elements', () => {
    const challenge = parsed('  Digest \t realm = "r" ,nonce\t=\t"n" , , qop = "auth" ,, ');
    expect(challenge).toMatchObject({ realm: 'r', nonce: 'n', qop: ['auth'] });
  });

  it('accepts folded lines between parameters and inside quoted strings', () => {
    expect(parsed('Digest realm="r",\r\n nonce="n"').nonce).toBe('n');
    expect(parsed('Digest realm="a\r\n\tb", nonce="n"').realm).toBe('a b');
  });

  it('unescapes quoted-pairs', () => {
    const challenge = parsed('Digest realm="say \\"hi\\" \\\\ bye", nonce="a\\,b", opaque="\\x"');
    expect(challenge.realm).toBe('say "hi" \\ bye');
    expect(challenge.nonce).toBe('a,b');
    expect(challenge.opaque).toBe('x');
  });

  it('keeps commas and "=" inside quoted values', () => {
    const challenge = parsed('Digest nonce="a=b,c=d", realm="x, y"');
    expect(challenge).toMatchObject({ nonce: 'a=b,c=d', realm: 'x, y' });
  });

  it('accepts unquoted values, including base64 nonces some servers send bare', () => {
    const challenge = parsed('Digest realm=example.com, nonce=YWJj+/xyz==, qop=auth, opaque=abc');
    expect(challenge).toMatchObject({
      realm: 'example.com',
      nonce: 'YWJj+/xyz==',
      qop: ['auth'],
      opaque: 'abc',
    });
  });

  it('keeps unknown parameters', () => {
    const challenge = parsed('Digest realm="r", nonce="n", x-vendor="a b", foo=bar');
    expect(challenge.params.get('x-vendor')).toBe('a b');
    expect(challenge.params.get('foo')).toBe('bar');
  });

  it('is not confused by a parameter named like an Object prototype member', () => {
    const challenge = parsed('Digest realm="r", nonce="n", __proto__="p", constructor=c');
    expect(challenge.params.get('__proto__')).toBe('p');
    expect(challenge.params.get('constructor')).toBe('c');
  });

  it('splits, trims and lower-cases qop options and drops empty ones', () => {
    expect(parsed('Digest realm="r", nonce="n", qop=" auth-int , AUTH ,, "').qop).toEqual([
      'auth-int',
      'auth',
    ]);
  });

  it('reads stale and userhash as false unless "true"', () => {
    const challenge = parsed('Digest realm="r", nonce="n", stale=FALSE, userhash="no"');
    expect(challenge.stale).toBe(false);
    expect(challenge.userhash).toBe(false);
    expect(parsed('Digest realm="r", nonce="n", stale="true", userhash=TRUE')).toMatchObject({
      stale: true,
      userhash: true,
    });
  });

  it('allows empty quoted values', () => {
    expect(parsed('Digest realm="", nonce=""')).toMatchObject({ realm: '', nonce: '' });
  });

  it('rejects other schemes, naming them', () => {
    expect(parseError('Basic realm="r"')).toMatch(/Basic/);
    expect(parseError('Bearer realm="r", nonce="n"')).toMatch(/Bearer/);
    expect(parseError('Digestive realm="r", nonce="n"')).toMatch(/Digestive/);
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '   \t '],
    ['scheme only', 'Digest'],
    ['scheme glued to a quote', 'Digest"realm"'],
    ['no realm', 'Digest nonce="n"'],
    ['no nonce', 'Digest realm="r"'],
    ['unterminated quote', 'Digest realm="r, nonce="n'],
    ['escape at the end', 'Digest realm="r", nonce="n\\'],
    ['missing "="', 'Digest realm "r", nonce="n"'],
    ['missing value', 'Digest realm=, nonce="n"'],
    ['missing comma', 'Digest realm="r" nonce="n"'],
    ['trailing garbage after a value', 'Digest realm="r"x, nonce="n"'],
    ['space inside a bare value', 'Digest realm=a b, nonce="n"'],
    ['duplicate realm', 'Digest realm="a", nonce="n", REALM="b"'],
    ['parameter without name', 'Digest ="r", nonce="n"'],
    ['control character in a quoted value', 'Digest realm="a\u0000b", nonce="n"'],
    ['bare CR LF inside a quoted value', 'Digest realm="a\r\nb", nonce="n"'],
    ['non-token scheme', '@@@ realm="r"'],
  ])('rejects %s', (_label, value) => {
    expect(parseChallenge(value).ok).toBe(false);
  });

  it('never throws on random input and never accepts what lacks realm and nonce', () => {
    const random = new SeededRandom(0x5eed);
    const alphabet = [
      'Digest ',
      'digest',
      'realm',
      'nonce',
      'qop',
      'algorithm',
      'stale',
      '=',
      '"',
      '\\',
      ',',
      ' ',
      '\t',
      '\r\n',
      'auth',
      'a',
      'Z',
      '0',
      '/',
      'ä',
      '\u0000',
      '\u007f',
      '😀',
      '\ud800',
    ];
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      let value = '';
      const length = Math.floor(random.fraction() * 24);
      for (let j = 0; j < length; j++) value += alphabet[Math.floor(random.fraction() * alphabet.length)];
      let result: ReturnType<typeof parseChallenge> | undefined;
      expect(() => (result = parseChallenge(value)), JSON.stringify(value)).not.toThrow();
      if (result?.ok) {
        accepted++;
        expect(typeof result.value.realm).toBe('string');
        expect(typeof result.value.nonce).toBe('string');
      }
    }
    // Random soup rarely forms a valid challenge; the point is that none of it throws.
    expect(accepted).toBeLessThan(600);
  });

  it('never throws on mutations of a valid challenge', () => {
    const random = new SeededRandom(42);
    const base = 'Digest realm="r\\"x", nonce="abc", qop="auth,auth-int", algorithm=SHA-256, stale=true';
    for (let i = 0; i < 400; i++) {
      const chars = [...base];
      const edits = 1 + Math.floor(random.fraction() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random.fraction() * (chars.length + 1));
        const choice = random.fraction();
        if (choice < 0.4) chars.splice(at, 1);
        else if (choice < 0.8) chars.splice(at, 0, String.fromCharCode(Math.floor(random.fraction() * 128)));
        else chars.splice(at, 0, '"');
      }
      const value = chars.join('');
      expect(() => parseChallenge(value), JSON.stringify(value)).not.toThrow();
    }
  });

  it('survives non-string input from untyped callers', () => {
    expect(parseChallenge(undefined as unknown as string).ok).toBe(false);
    expect(authScheme(42 as unknown as string)).toBeUndefined();
  });
});

describe('authScheme', () => {
  it('returns the lower-cased scheme token', () => {
    expect(authScheme('  DIGEST realm="r"')).toBe('digest');
    expect(authScheme('Basic realm="r"')).toBe('basic');
    expect(authScheme('')).toBeUndefined();
    expect(authScheme('"quoted"')).toBeUndefined();
  });
});
