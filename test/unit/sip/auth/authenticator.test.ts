import { describe, expect, it } from 'vitest';
import { DigestAuthenticator } from '../../../../main/sip/auth/authenticator';
import type { AuthorizationHeader, ChallengeOutcome } from '../../../../main/sip/auth/authenticator';
import { parseChallenge } from '../../../../main/sip/auth/challenge';
import { computeResponse, findAlgorithm, hashUsername } from '../../../../main/sip/auth/digest';
import type { Qop } from '../../../../main/sip/auth/digest';
import { SeededRandom } from '../../../support/seeded-random';

const REGISTER = { method: 'REGISTER', uri: 'sip:example.test' };
const INVITE = { method: 'INVITE', uri: 'sip:bob@example.test' };

function make(password = 'secret', seed = 1): DigestAuthenticator {
  return new DigestAuthenticator({ username: 'alice', password, random: new SeededRandom(seed) });
}

/** Credentials share the challenge's auth-param syntax, so the challenge parser reads them back. */
function paramsOf(header: AuthorizationHeader): ReadonlyMap<string, string> {
  const parsed = parseChallenge(header.value);
  if (!parsed.ok) throw new Error(`unreadable credentials ${header.value}: ${parsed.error}`);
  return parsed.value.params;
}

function only(headers: AuthorizationHeader[]): ReadonlyMap<string, string> {
  expect(headers).toHaveLength(1);
  return paramsOf(headers[0]!);
}

const www = (challenges: string[]) => ({ status: 401 as const, challenges });
const proxy = (challenges: string[]) => ({ status: 407 as const, challenges });
const RETRY: ChallengeOutcome = { action: 'retry' };

/**
 * A registrar in miniature: checks credentials the way a server does (RFC 7616 §3.4), issues nonces, can expire
 * them (stale=true), and rejects a replayed or decreasing nc.
 */
class FakeServer {
  #nonceSerial = 0;
  readonly #lastNc = new Map<string, number>();
  readonly #issued = new Set<string>();
  readonly #valid = new Set<string>();

  constructor(
    readonly password: string,
    /** Distinguishes the nonces of a "restarted" server from those of its predecessor. */
    readonly boot = 'a',
    readonly realm = 'example.test',
  ) {}

  challenge(stale = false): string {
    const nonce = `nonce-${this.boot}-${++this.#nonceSerial}`;
    this.#issued.add(nonce);
    this.#valid.add(nonce);
    return `Digest realm="${this.realm}", nonce="${nonce}", qop="auth"${stale ? ', stale=true' : ''}`;
  }

  expireNonces(): void {
    this.#valid.clear();
  }

  /** 200 when the request carries valid credentials, else the challenge to send back. */
  handle(request: { method: string; uri: string }, headers: AuthorizationHeader[]): 200 | string {
    const mine = headers.find((header) => paramsOf(header).get('realm') === this.realm);
    if (mine === undefined) return this.challenge();
    const params = paramsOf(mine);
    const nonce = params.get('nonce')!;
    // A nonce this server never issued (e.g. from before a restart) earns a fresh challenge, not stale=true.
    if (!this.#issued.has(nonce)) return this.challenge();
    const nc = Number.parseInt(params.get('nc') ?? '1', 16);
    const expected = computeResponse({
      algorithm: findAlgorithm(params.get('algorithm') ?? 'MD5')!,
      username: 'alice',
      password: this.password,
      realm: this.realm,
      nonce,
      method: request.method,
      uri: params.get('uri')!,
      qop: params.get('qop') as Qop | undefined,
      nc,
      cnonce: params.get('cnonce'),
    });
    if (params.get('response') !== expected || params.get('uri') !== request.uri) return this.challenge();
    // Right password, old nonce: RFC 7616 §3.3 stale=true.
    if (!this.#valid.has(nonce)) return this.challenge(true);
    if (nc <= (this.#lastNc.get(nonce) ?? 0)) return this.challenge();
    this.#lastNc.set(nonce, nc);
    return 200;
  }
}

/** Sends a request through the authenticator until it succeeds or the authenticator gives up. */
function send(
  auth: DigestAuthenticator,
  server: FakeServer,
  request = REGISTER,
): { outcome: 'ok' | ChallengeOutcome; attempts: number } {
  for (let attempts = 1; attempts <= 20; attempts++) {
    const reply = server.handle(request, auth.authorize(request));
    if (reply === 200) {
      auth.noteSuccess();
      return { outcome: 'ok', attempts };
    }
    const outcome = auth.handleChallenge(www([reply]));
    if (outcome.action === 'fail') return { outcome, attempts };
  }
  throw new Error('authenticator looped');
}

describe('DigestAuthenticator: one challenge', () => {
  it('sends nothing before it is challenged', () => {
    expect(make().authorize(REGISTER)).toEqual([]);
  });

  it('answers a 401 with an Authorization header whose response verifies', () => {
    const auth = make();
    expect(
      auth.handleChallenge(www(['Digest realm="example.test", nonce="abc", qop="auth", opaque="o"'])),
    ).toEqual(RETRY);
    const headers = auth.authorize(REGISTER);
    expect(headers.map((h) => h.name)).toEqual(['Authorization']);
    const params = only(headers);
    expect(params.get('username')).toBe('alice');
    expect(params.get('uri')).toBe('sip:example.test');
    expect(params.get('nc')).toBe('00000001');
    expect(params.get('qop')).toBe('auth');
    expect(params.get('opaque')).toBe('o');
    expect(params.get('response')).toBe(
      computeResponse({
        algorithm: findAlgorithm('MD5')!,
        username: 'alice',
        password: 'secret',
        realm: 'example.test',
        nonce: 'abc',
        method: 'REGISTER',
        uri: 'sip:example.test',
        qop: 'auth',
        nc: 1,
        cnonce: params.get('cnonce'),
      }),
    );
  });

  it('answers a 407 with Proxy-Authorization', () => {
    const auth = make();
    expect(auth.handleChallenge(proxy(['Digest realm="proxy.test", nonce="p1", qop="auth"']))).toEqual(RETRY);
    const headers = auth.authorize(INVITE);
    expect(headers.map((h) => h.name)).toEqual(['Proxy-Authorization']);
    expect(only(headers).get('realm')).toBe('proxy.test');
  });

  it('is reproducible with the same seed and draws a fresh cnonce per request', () => {
    const run = () => {
      const auth = make('secret', 7);
      auth.handleChallenge(www(['Digest realm="r", nonce="n", qop="auth"']));
      return [auth.authorize(REGISTER), auth.authorize(REGISTER)];
    };
    const [first, second] = run();
    expect(run()).toEqual([first, second]);
    const cnonces = [only(first!).get('cnonce'), only(second!).get('cnonce')];
    expect(cnonces[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(cnonces[0]).not.toBe(cnonces[1]);
  });

  it('counts uses of a nonce: nc 1, 2, 3 ...', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n", qop="auth"']));
    const ncs = [1, 2, 3, 4].map(() => only(auth.authorize(REGISTER)).get('nc'));
    expect(ncs).toEqual(['00000001', '00000002', '00000003', '00000004']);
  });

  it('restarts nc at 1 with a new nonce', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n1", qop="auth"']));
    auth.authorize(REGISTER);
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n2", qop="auth", stale=true']))).toEqual(
      RETRY,
    );
    const params = only(auth.authorize(REGISTER));
    expect(params.get('nonce')).toBe('n2');
    expect(params.get('nc')).toBe('00000001');
  });

  it('keeps counting when the server repeats the nonce it already gave', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n1", qop="auth"']));
    auth.authorize(REGISTER);
    auth.handleChallenge(www(['Digest realm="r", nonce="n1", qop="auth", stale=true']));
    expect(only(auth.authorize(REGISTER)).get('nc')).toBe('00000002');
  });

  it('answers without qop in RFC 2069 form (no cnonce, no nc)', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n"']));
    const params = only(auth.authorize(REGISTER));
    expect(params.has('qop')).toBe(false);
    expect(params.has('nc')).toBe(false);
    expect(params.has('cnonce')).toBe(false);
  });

  it('hashes the body for auth-int', () => {
    const auth = make();
    auth.handleChallenge(proxy(['Digest realm="r", nonce="n", qop="auth-int"']));
    const body = new TextEncoder().encode('v=0\r\n');
    const params = only(auth.authorize({ ...INVITE, body }));
    expect(params.get('qop')).toBe('auth-int');
    expect(params.get('response')).toBe(
      computeResponse({
        algorithm: findAlgorithm('MD5')!,
        username: 'alice',
        password: 'secret',
        realm: 'r',
        nonce: 'n',
        method: 'INVITE',
        uri: INVITE.uri,
        qop: 'auth-int',
        nc: 1,
        cnonce: params.get('cnonce'),
        body,
      }),
    );
  });

  it('sends the hashed username when the server asks for userhash', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, userhash=true']));
    const params = only(auth.authorize(REGISTER));
    expect(params.get('username')).toBe(hashUsername(findAlgorithm('SHA-256')!, 'alice', 'r'));
    expect(params.get('userhash')).toBe('true');
  });
});

describe('DigestAuthenticator: retry policy', () => {
  it('with the right password: one retry, then success', () => {
    const result = send(make('secret'), new FakeServer('secret'));
    expect(result).toEqual({ outcome: 'ok', attempts: 2 });
  });

  it('with a wrong password: exactly one retry, then bad-credentials', () => {
    const result = send(make('wrong'), new FakeServer('secret'));
    expect(result.attempts).toBe(2);
    expect(result.outcome).toMatchObject({ action: 'fail', reason: 'bad-credentials' });
  });

  it('a re-challenge for the realm just answered fails even without a nonce change', () => {
    const auth = make();
    const challenge = 'Digest realm="r", nonce="n", qop="auth"';
    expect(auth.handleChallenge(www([challenge]))).toEqual(RETRY);
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(www([challenge]))).toMatchObject({
      action: 'fail',
      reason: 'bad-credentials',
    });
  });

  it('does not count a challenge as a failure when no credentials went out in between', () => {
    const auth = make();
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n1"']))).toEqual(RETRY);
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n2"']))).toEqual(RETRY);
    expect(only(auth.authorize(REGISTER)).get('nonce')).toBe('n2');
  });

  it('retries on stale=true without counting it as a wrong password', () => {
    const server = new FakeServer('secret');
    const auth = make('secret');
    expect(send(auth, server).outcome).toBe('ok');
    server.expireNonces();
    expect(send(auth, server)).toEqual({ outcome: 'ok', attempts: 2 });
  });

  it('stale=true right after a retry is still a retry', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n1", qop="auth"']));
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n2", qop="auth", stale=true']))).toEqual(
      RETRY,
    );
  });

  it('gives up after 3 stale challenges in a row', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n0", qop="auth"']));
    for (let i = 1; i <= 3; i++) {
      auth.authorize(REGISTER);
      expect(auth.handleChallenge(www([`Digest realm="r", nonce="n${i}", qop="auth", stale=true`]))).toEqual(
        RETRY,
      );
    }
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n4", qop="auth", stale=true']))).toMatchObject(
      {
        action: 'fail',
        reason: 'bad-credentials',
        detail: expect.stringMatching(/stale/),
      },
    );
  });

  it('honours a custom stale limit, and a success resets the stale count', () => {
    const auth = new DigestAuthenticator({
      username: 'alice',
      password: 'secret',
      random: new SeededRandom(3),
      maxStaleRetries: 1,
    });
    const stale = (nonce: string) => www([`Digest realm="r", nonce="${nonce}", stale=true`]);
    expect(auth.handleChallenge(stale('a'))).toEqual(RETRY);
    auth.authorize(REGISTER);
    auth.noteSuccess();
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(stale('b'))).toEqual(RETRY);
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(stale('c'))).toMatchObject({ action: 'fail', reason: 'bad-credentials' });
  });

  it('a challenge for a new realm is retried even after another realm was answered', () => {
    const auth = make();
    auth.handleChallenge(proxy(['Digest realm="edge.test", nonce="e1"']));
    auth.authorize(INVITE);
    expect(auth.handleChallenge(proxy(['Digest realm="core.test", nonce="c1"']))).toEqual(RETRY);
    expect(auth.authorize(INVITE).map((h) => paramsOf(h).get('realm'))).toEqual(['edge.test', 'core.test']);
  });

  it('fails the whole response when one of its realms rejects our credentials', () => {
    const auth = make();
    auth.handleChallenge(proxy(['Digest realm="a", nonce="a1"']));
    auth.authorize(INVITE);
    expect(
      auth.handleChallenge(proxy(['Digest realm="a", nonce="a2"', 'Digest realm="b", nonce="b1"'])),
    ).toMatchObject({ action: 'fail', reason: 'bad-credentials', detail: expect.stringContaining('"a"') });
  });
});

describe('DigestAuthenticator: registration refresh', () => {
  it('refreshes pre-authorized with a rising nc on the cached nonce', () => {
    const server = new FakeServer('secret');
    const auth = make();
    expect(send(auth, server)).toEqual({ outcome: 'ok', attempts: 2 });
    expect(send(auth, server)).toEqual({ outcome: 'ok', attempts: 1 });
    expect(send(auth, server)).toEqual({ outcome: 'ok', attempts: 1 });
    expect(only(auth.authorize(REGISTER)).get('nc')).toBe('00000004');
  });

  it('after a success, a fresh challenge (server restart) earns exactly one retry again', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n1", qop="auth"']));
    auth.authorize(REGISTER);
    auth.noteSuccess();
    auth.authorize(REGISTER); // refresh, pre-authorized
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n2", qop="auth"']))).toEqual(RETRY);
    const params = only(auth.authorize(REGISTER));
    expect([params.get('nonce'), params.get('nc')]).toEqual(['n2', '00000001']);
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n3", qop="auth"']))).toMatchObject({
      action: 'fail',
      reason: 'bad-credentials',
    });
  });

  it('without a success in between, a second fresh challenge is a failure', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n1"']));
    auth.authorize(REGISTER);
    expect(auth.handleChallenge(www(['Digest realm="r", nonce="n2"']))).toMatchObject({ action: 'fail' });
  });

  it('a server restart against the fake registrar costs one extra round trip', () => {
    const auth = make();
    expect(send(auth, new FakeServer('secret', 'boot1'))).toEqual({ outcome: 'ok', attempts: 2 });
    expect(send(auth, new FakeServer('secret', 'boot2'))).toEqual({ outcome: 'ok', attempts: 2 });
    // And a wrong password after the restart still fails after one retry.
    expect(send(make('wrong'), new FakeServer('secret', 'boot3')).outcome).toMatchObject({
      reason: 'bad-credentials',
    });
  });

  it('reset() forgets every challenge', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="r", nonce="n"']));
    auth.reset();
    expect(auth.authorize(REGISTER)).toEqual([]);
  });
});

describe('DigestAuthenticator: several challenges', () => {
  it('answers the strongest algorithm of a realm (RFC 8760 §2.4)', () => {
    const auth = make();
    auth.handleChallenge(
      www([
        'Digest realm="r", nonce="m", qop="auth", algorithm=MD5',
        'Digest realm="r", nonce="s5", qop="auth", algorithm=SHA-512-256',
        'Digest realm="r", nonce="s2", qop="auth", algorithm=SHA-256',
      ]),
    );
    const params = only(auth.authorize(REGISTER));
    expect(params.get('algorithm')).toBe('SHA-512-256');
    expect(params.get('nonce')).toBe('s5');
  });

  it('skips unknown algorithms and other schemes next to a usable challenge', () => {
    const auth = make();
    expect(
      auth.handleChallenge(
        www([
          'Basic realm="r"',
          'Digest realm="r", nonce="x", algorithm=SHA-3',
          'Digest realm="r", nonce="m"',
        ]),
      ),
    ).toEqual(RETRY);
    expect(only(auth.authorize(REGISTER)).get('nonce')).toBe('m');
  });

  it('answers every realm of a 407 from several proxies (RFC 3261 §22.3)', () => {
    const auth = make();
    auth.handleChallenge(
      proxy(['Digest realm="a", nonce="1"', 'Digest realm="b", nonce="2", algorithm=SHA-256']),
    );
    const headers = auth.authorize(INVITE);
    expect(headers.map((h) => h.name)).toEqual(['Proxy-Authorization', 'Proxy-Authorization']);
    expect(headers.map((h) => [paramsOf(h).get('realm'), paramsOf(h).get('algorithm')])).toEqual([
      ['a', 'MD5'],
      ['b', 'SHA-256'],
    ]);
  });

  it('keeps 401 and 407 challenges apart even for the same realm', () => {
    const auth = make();
    auth.handleChallenge(www(['Digest realm="example.test", nonce="w"']));
    auth.handleChallenge(proxy(['Digest realm="example.test", nonce="p"']));
    const headers = auth.authorize(INVITE);
    expect(headers.map((h) => [h.name, paramsOf(h).get('nonce')])).toEqual([
      ['Authorization', 'w'],
      ['Proxy-Authorization', 'p'],
    ]);
    // Each kind keeps its own failure memory: the answered 401 realm re-challenged is a wrong password.
    expect(auth.handleChallenge(www(['Digest realm="example.test", nonce="w2"']))).toMatchObject({
      action: 'fail',
      reason: 'bad-credentials',
    });
  });
});

describe('DigestAuthenticator: unusable challenges', () => {
  it.each([
    ['no challenge header at all', [], 'malformed-challenge'],
    ['only malformed Digest values', ['Digest realm="r', 'Digest nonce="n"'], 'malformed-challenge'],
    ['only other schemes', ['Basic realm="r"', 'Bearer realm="r"'], 'unsupported-challenge'],
    [
      'only unknown algorithms',
      ['Digest realm="r", nonce="n", algorithm=AKAv1-MD5'],
      'unsupported-challenge',
    ],
    ['only unknown qop', ['Digest realm="r", nonce="n", qop="auth-conf"'], 'unsupported-challenge'],
    ['garbage', ['\u0000\u0001', '', ','], 'malformed-challenge'],
    ['Basic next to a broken Digest', ['Basic realm="r"', 'Digest realm="r'], 'unsupported-challenge'],
  ] as const)('%s → %s', (_label, challenges, reason) => {
    const auth = make();
    expect(auth.handleChallenge(www([...challenges]))).toMatchObject({ action: 'fail', reason });
    expect(auth.authorize(REGISTER)).toEqual([]);
  });

  it('ignores a malformed value when another one is usable', () => {
    const auth = make();
    expect(auth.handleChallenge(www(['Digest realm="r', 'Digest realm="r", nonce="n"']))).toEqual(RETRY);
  });

  it('treats a status other than 401/407 from an untyped caller as malformed', () => {
    const auth = make();
    const outcome = auth.handleChallenge({ status: 403 as 401, challenges: ['Digest realm="r", nonce="n"'] });
    expect(outcome).toMatchObject({ action: 'fail', reason: 'malformed-challenge' });
  });

  it('never throws on random challenge lists', () => {
    const random = new SeededRandom(99);
    const pieces = [
      'Digest',
      ' ',
      'realm=',
      'nonce=',
      '"r"',
      '"',
      ',',
      'qop=auth',
      'stale=true',
      'x',
      '\\',
      '\r\n',
    ];
    const auth = make();
    for (let i = 0; i < 300; i++) {
      const challenges: string[] = [];
      for (let c = Math.floor(random.fraction() * 3); c >= 0; c--) {
        let value = '';
        for (let p = Math.floor(random.fraction() * 10); p > 0; p--) {
          value += pieces[Math.floor(random.fraction() * pieces.length)];
        }
        challenges.push(value);
      }
      const status = random.fraction() < 0.5 ? 401 : 407;
      expect(() => auth.handleChallenge({ status, challenges }), JSON.stringify(challenges)).not.toThrow();
      expect(() => auth.authorize(REGISTER)).not.toThrow();
    }
  });
});
