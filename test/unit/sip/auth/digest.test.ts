import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../../../main/sip/auth/challenge';
import type { DigestChallenge } from '../../../../main/sip/auth/challenge';
import {
  DIGEST_ALGORITHMS,
  answerChallenge,
  chooseQop,
  computeResponse,
  findAlgorithm,
  formatCredentials,
  formatNonceCount,
  hashUsername,
} from '../../../../main/sip/auth/digest';
import type { DigestAlgorithm, DigestAlgorithmName } from '../../../../main/sip/auth/digest';

function algorithm(name: DigestAlgorithmName): DigestAlgorithm {
  const found = findAlgorithm(name);
  if (found === undefined) throw new Error(`no algorithm ${name}`);
  return found;
}

function challenge(value: string): DigestChallenge {
  const result = parseChallenge(value);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

// Independent spelled-out hashing for the cases no published vector covers.
function h(hash: string, data: string | Uint8Array): string {
  return createHash(hash).update(data).digest('hex');
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

// RFC 7616 §3.9.1: GET /dir/index.html, Mufasa / "Circle of Life" (lower-case "of", erratum 4495).
const RFC7616_EXAMPLE = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  method: 'GET',
  uri: '/dir/index.html',
};

describe('algorithm table', () => {
  it('lists the RFC 8760 algorithms with their -sess variants', () => {
    expect(DIGEST_ALGORITHMS.map((a) => a.name)).toEqual([
      'MD5',
      'MD5-sess',
      'SHA-256',
      'SHA-256-sess',
      'SHA-512-256',
      'SHA-512-256-sess',
    ]);
    expect(DIGEST_ALGORITHMS.filter((a) => a.session).map((a) => a.name)).toEqual([
      'MD5-sess',
      'SHA-256-sess',
      'SHA-512-256-sess',
    ]);
  });

  it('finds algorithms ignoring case and surrounding space, and nothing else', () => {
    expect(findAlgorithm('md5')?.name).toBe('MD5');
    expect(findAlgorithm('MD5-SESS')?.name).toBe('MD5-sess');
    expect(findAlgorithm(' sha-512-256 ')?.name).toBe('SHA-512-256');
    expect(findAlgorithm('SHA-1')).toBeUndefined();
    expect(findAlgorithm('AKAv1-MD5')).toBeUndefined();
    expect(findAlgorithm('')).toBeUndefined();
  });

  it('ranks SHA-512-256 over SHA-256 over MD5', () => {
    expect(algorithm('SHA-512-256').strength).toBeGreaterThan(algorithm('SHA-256').strength);
    expect(algorithm('SHA-256').strength).toBeGreaterThan(algorithm('MD5').strength);
  });

  it('maps SHA-512-256 to SHA-512/256 proper, not truncated SHA-512 (FIPS 180-4 "abc" vector)', () => {
    expect(h(algorithm('SHA-512-256').hash, 'abc')).toBe(
      '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23',
    );
    expect(h(algorithm('SHA-256').hash, 'abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(h(algorithm('MD5').hash, 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
});

describe('formatNonceCount', () => {
  it('is eight lower-case hex digits', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
    expect(formatNonceCount(0xffffffff)).toBe('ffffffff');
  });
});

describe('chooseQop', () => {
  it('prefers auth, then auth-int, else none', () => {
    expect(chooseQop(['auth-int', 'auth'])).toEqual({ ok: true, value: 'auth' });
    expect(chooseQop(['auth'])).toEqual({ ok: true, value: 'auth' });
    expect(chooseQop(['auth-int'])).toEqual({ ok: true, value: 'auth-int' });
    expect(chooseQop(['AUTH-INT'])).toEqual({ ok: true, value: 'auth-int' });
    expect(chooseQop([])).toEqual({ ok: true, value: undefined });
  });

  it('refuses a qop list with nothing we know', () => {
    expect(chooseQop(['auth-conf']).ok).toBe(false);
  });
});

describe('computeResponse: published vectors', () => {
  it('RFC 7616 §3.9.1 with MD5', () => {
    expect(computeResponse({ ...RFC7616_EXAMPLE, algorithm: algorithm('MD5'), qop: 'auth', nc: 1 })).toBe(
      '8ca523f5e9506fed4657c9700eebdbec',
    );
  });

  it('RFC 7616 §3.9.1 with SHA-256', () => {
    expect(computeResponse({ ...RFC7616_EXAMPLE, algorithm: algorithm('SHA-256'), qop: 'auth', nc: 1 })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('RFC 2617 §3.5 (MD5, qop=auth, "Circle Of Life")', () => {
    expect(
      computeResponse({
        algorithm: algorithm('MD5'),
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: 1,
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('RFC 2069 §2.4 without qop (value as corrected by RFC 2069 erratum 749)', () => {
    expect(
      computeResponse({
        algorithm: algorithm('MD5'),
        username: 'Mufasa',
        password: 'CircleOfLife',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
      }),
    ).toBe('1949323746fe6a43ef61f9606e7febea');
  });

  // Observed from SIPp 3.6.1 (`-au alice -ap 'p@ss w0rd'`) answering challenges from a loopback test server.
  describe('responses SIPp computed', () => {
    const sipp = {
      algorithm: algorithm('MD5'),
      username: 'alice',
      password: 'p@ss w0rd',
      realm: 'sipp.test',
      uri: 'sip:127.0.0.1:15099',
    };

    it('qop=auth', () => {
      expect(
        computeResponse({
          ...sipp,
          method: 'REGISTER',
          nonce: 'Zk9x4wAAAAAAAAAA1b2c3d4e5f6',
          qop: 'auth',
          nc: 1,
          cnonce: '6b8b4567',
        }),
      ).toBe('d87ab99ed768f78eccb82268839deb2f');
    });

    it('no qop', () => {
      expect(computeResponse({ ...sipp, method: 'REGISTER', nonce: 'nonce-no-qop-42' })).toBe(
        '71d272e3d6fd5ce611b2b9b088d2a688',
      );
    });

    it('qop=auth-int, empty body', () => {
      expect(
        computeResponse({
          ...sipp,
          method: 'REGISTER',
          nonce: 'nonce-authint-7',
          qop: 'auth-int',
          nc: 1,
          cnonce: '6b8b4567',
        }),
      ).toBe('c28fac4f524ee40836a7e48697415465');
    });

    it('qop=auth-int with a MESSAGE body', () => {
      expect(
        computeResponse({
          ...sipp,
          method: 'MESSAGE',
          nonce: 'nonce-authint-body',
          qop: 'auth-int',
          nc: 1,
          cnonce: '6b8b4567',
          body: text('hello world\r\n'),
        }),
      ).toBe('f3a07c0478cb2bd69e72a8fa32ce3d7c');
    });
  });
});

describe('RFC 7616 §3.9.2 (SHA-512-256, charset, userhash)', () => {
  const user = 'J\u00e4s\u00f8n Doe';
  const realm = 'api@example.org';
  const input = {
    algorithm: algorithm('SHA-512-256'),
    username: user,
    password: 'Secret, or not?',
    realm,
    nonce: '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
    method: 'GET',
    uri: '/doe.json',
    qop: 'auth' as const,
    nc: 1,
    cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
  };

  it('encodes the username as UTF-8 octets 4A C3A4 73 C3B8 6E 20 44 6F 65', () => {
    expect(Buffer.from(text(user)).toString('hex')).toBe('4ac3a473c3b86e20446f65');
  });

  // The RFC's printed values cannot be reproduced with SHA-512/256 (erratum 4897): its userhash is SHA-512 cut to
  // 256 bits. We follow the algorithm as specified, so our values differ from the printed ones on purpose.
  it('prints a userhash that is truncated SHA-512, not SHA-512/256', () => {
    const printed = '488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec';
    expect(h('sha512', `${user}:${realm}`).slice(0, 64)).toBe(printed);
    expect(hashUsername(input.algorithm, user, realm)).not.toBe(printed);
  });

  it('computes userhash and response with real SHA-512/256', () => {
    expect(hashUsername(input.algorithm, user, realm)).toBe(
      '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
    );
    expect(computeResponse(input)).toBe('3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
  });

  it('answers the challenge with the hashed username and userhash=true', () => {
    const answer = answerChallenge({
      challenge: challenge(
        'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, ' +
          'nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", ' +
          'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true',
      ),
      username: user,
      password: 'Secret, or not?',
      method: 'GET',
      uri: '/doe.json',
      nc: 1,
      cnonce: input.cnonce,
    });
    expect(answer).toEqual({
      ok: true,
      value:
        'Digest username="793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b", ' +
        'realm="api@example.org", nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", uri="/doe.json", ' +
        'response="3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5", algorithm=SHA-512-256, ' +
        'cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", ' +
        'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", qop=auth, nc=00000001, userhash=true',
    });
  });
});

describe('computeResponse: spelled-out formulas', () => {
  const base = {
    username: 'bob',
    password: 'zanzibar',
    realm: 'biloxi.com',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    method: 'INVITE',
    uri: 'sip:bob@biloxi.com',
    nc: 3,
    cnonce: '0a4f113b',
  };

  it.each([
    ['MD5-sess', 'md5'],
    ['SHA-256-sess', 'sha256'],
    ['SHA-512-256-sess', 'sha512-256'],
  ] as const)('%s folds nonce and cnonce into HA1 (RFC 7616 §3.4.2)', (name, hash) => {
    const ha1 = h(hash, `${h(hash, 'bob:biloxi.com:zanzibar')}:${base.nonce}:0a4f113b`);
    const ha2 = h(hash, 'INVITE:sip:bob@biloxi.com');
    const expected = h(hash, `${ha1}:${base.nonce}:00000003:0a4f113b:auth:${ha2}`);
    expect(computeResponse({ ...base, algorithm: algorithm(name), qop: 'auth' })).toBe(expected);
  });

  it('MD5-sess gives a different response from MD5', () => {
    expect(computeResponse({ ...base, algorithm: algorithm('MD5-sess'), qop: 'auth' })).not.toBe(
      computeResponse({ ...base, algorithm: algorithm('MD5'), qop: 'auth' }),
    );
  });

  it('auth-int hashes the body into HA2 (RFC 7616 §3.4.3)', () => {
    const body = text('v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\n');
    const ha1 = h('sha256', 'bob:biloxi.com:zanzibar');
    const ha2 = h('sha256', `INVITE:sip:bob@biloxi.com:${h('sha256', body)}`);
    const expected = h('sha256', `${ha1}:${base.nonce}:00000003:0a4f113b:auth-int:${ha2}`);
    expect(computeResponse({ ...base, algorithm: algorithm('SHA-256'), qop: 'auth-int', body })).toBe(
      expected,
    );
  });

  it('auth-int without a body hashes the empty body', () => {
    const withEmpty = computeResponse({
      ...base,
      algorithm: algorithm('MD5'),
      qop: 'auth-int',
      body: new Uint8Array(0),
    });
    expect(computeResponse({ ...base, algorithm: algorithm('MD5'), qop: 'auth-int' })).toBe(withEmpty);
  });

  it('auth ignores the body', () => {
    expect(computeResponse({ ...base, algorithm: algorithm('MD5'), qop: 'auth', body: text('x') })).toBe(
      computeResponse({ ...base, algorithm: algorithm('MD5'), qop: 'auth' }),
    );
  });

  it('no qop leaves nc and cnonce out (RFC 2069 form)', () => {
    const ha1 = h('md5', 'bob:biloxi.com:zanzibar');
    const ha2 = h('md5', 'INVITE:sip:bob@biloxi.com');
    expect(computeResponse({ ...base, algorithm: algorithm('MD5') })).toBe(
      h('md5', `${ha1}:${base.nonce}:${ha2}`),
    );
  });

  it('hashes non-ASCII passwords as UTF-8', () => {
    const ha1 = h('md5', text('bob:biloxi.com:pässwörd'));
    const ha2 = h('md5', 'INVITE:sip:bob@biloxi.com');
    expect(computeResponse({ ...base, password: 'pässwörd', algorithm: algorithm('MD5') })).toBe(
      h('md5', `${ha1}:${base.nonce}:${ha2}`),
    );
  });
});

describe('formatCredentials', () => {
  it('writes the RFC 7616 §3.9.1 SHA-256 credentials with qop, nc and algorithm unquoted', () => {
    expect(
      formatCredentials({
        username: 'Mufasa',
        realm: RFC7616_EXAMPLE.realm,
        nonce: RFC7616_EXAMPLE.nonce,
        uri: RFC7616_EXAMPLE.uri,
        response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
        algorithm: 'SHA-256',
        cnonce: RFC7616_EXAMPLE.cnonce,
        opaque: RFC7616_EXAMPLE.opaque,
        qop: 'auth',
        nc: 1,
      }),
    ).toBe(
      'Digest username="Mufasa", realm="http-auth@example.org", ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", ' +
        'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", algorithm=SHA-256, ' +
        'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001',
    );
  });

  it('leaves out cnonce, opaque, qop and nc when there are none', () => {
    expect(
      formatCredentials({
        username: 'alice',
        realm: 'r',
        nonce: 'n',
        uri: 'sip:r',
        response: 'abc',
        algorithm: 'MD5',
      }),
    ).toBe('Digest username="alice", realm="r", nonce="n", uri="sip:r", response="abc", algorithm=MD5');
  });

  it('escapes quotes and backslashes in quoted values', () => {
    const value = formatCredentials({
      username: 'a"b\\c',
      realm: 'say "hi"',
      nonce: 'n',
      uri: 'sip:r',
      response: 'abc',
      algorithm: 'MD5',
    });
    expect(value).toContain('username="a\\"b\\\\c"');
    expect(value).toContain('realm="say \\"hi\\""');
    // What we write, our own parser reads back to the same values.
    const reread = parseChallenge(value);
    expect(reread.ok && reread.value.params.get('username')).toBe('a"b\\c');
    expect(reread.ok && reread.value.realm).toBe('say "hi"');
  });
});

describe('answerChallenge', () => {
  const request = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html' };

  it('reproduces the RFC 7616 §3.9.1 MD5 credentials from the challenge text', () => {
    const answer = answerChallenge({
      ...request,
      challenge: challenge(
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, ' +
          'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      ),
      nc: 1,
      cnonce: RFC7616_EXAMPLE.cnonce,
    });
    expect(answer).toEqual({
      ok: true,
      value:
        'Digest username="Mufasa", realm="http-auth@example.org", ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", ' +
        'response="8ca523f5e9506fed4657c9700eebdbec", algorithm=MD5, ' +
        'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001',
    });
  });

  it('answers an RFC 2617-style challenge without qop with no cnonce or nc', () => {
    const answer = answerChallenge({
      username: 'Mufasa',
      password: 'CircleOfLife',
      method: 'GET',
      uri: '/dir/index.html',
      challenge: challenge(
        'Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
          'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      ),
      nc: 1,
      cnonce: 'unused',
    });
    expect(answer).toEqual({
      ok: true,
      value:
        'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="/dir/index.html", response="1949323746fe6a43ef61f9606e7febea", algorithm=MD5, ' +
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    });
  });

  it('sends the cnonce for a -sess algorithm even without qop', () => {
    const answer = answerChallenge({
      ...request,
      challenge: challenge('Digest realm="r", nonce="n", algorithm=MD5-sess'),
      nc: 1,
      cnonce: 'c1',
    });
    expect(answer.ok && answer.value).toContain('cnonce="c1"');
    expect(answer.ok && answer.value).not.toContain('nc=');
  });

  it('uses auth-int with the body when that is all the server offers', () => {
    const body = text('hello');
    const answer = answerChallenge({
      ...request,
      body,
      challenge: challenge('Digest realm="r", nonce="n", qop="auth-int"'),
      nc: 2,
      cnonce: 'c',
    });
    const expected = computeResponse({
      algorithm: algorithm('MD5'),
      username: 'Mufasa',
      password: 'Circle of Life',
      realm: 'r',
      nonce: 'n',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth-int',
      nc: 2,
      cnonce: 'c',
      body,
    });
    expect(answer.ok && answer.value).toContain(`response="${expected}"`);
    expect(answer.ok && answer.value).toContain('qop=auth-int, nc=00000002');
  });

  it('writes the canonical algorithm name whatever case the server used', () => {
    const answer = answerChallenge({
      ...request,
      challenge: challenge('Digest realm="r", nonce="n", qop="auth", algorithm=sha-256-SESS'),
      nc: 1,
      cnonce: 'c',
    });
    expect(answer.ok && answer.value).toContain('algorithm=SHA-256-sess,');
  });

  it('refuses unknown algorithms and qop sets', () => {
    const base = { ...request, nc: 1, cnonce: 'c' };
    expect(
      answerChallenge({ ...base, challenge: challenge('Digest realm="r", nonce="n", algorithm=SHA-1') }),
    ).toEqual({ ok: false, error: 'unsupported algorithm "SHA-1"' });
    expect(
      answerChallenge({ ...base, challenge: challenge('Digest realm="r", nonce="n", qop="auth-conf"') }).ok,
    ).toBe(false);
  });
});
