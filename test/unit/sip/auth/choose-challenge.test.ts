import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../../../main/sip/auth/challenge';
import type { DigestChallenge } from '../../../../main/sip/auth/challenge';
import { chooseChallenge, groupByRealm, unsupportedReason } from '../../../../main/sip/auth/choose-challenge';

function challenge(value: string): DigestChallenge {
  const result = parseChallenge(value);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const offer = (algorithm: string | undefined, realm = 'r', extra = ''): DigestChallenge =>
  challenge(
    `Digest realm="${realm}", nonce="n-${algorithm ?? 'none'}", qop="auth"` +
      (algorithm === undefined ? '' : `, algorithm=${algorithm}`) +
      extra,
  );

function chosenAlgorithm(challenges: DigestChallenge[]): string {
  const result = chooseChallenge(challenges);
  if (!result.ok) throw new Error(result.error);
  return result.value.algorithm;
}

describe('chooseChallenge', () => {
  it('picks the strongest algorithm whatever the order (RFC 8760 §2.4)', () => {
    expect(chosenAlgorithm([offer('SHA-512-256'), offer('SHA-256'), offer('MD5')])).toBe('SHA-512-256');
    expect(chosenAlgorithm([offer('MD5'), offer('SHA-256'), offer('SHA-512-256')])).toBe('SHA-512-256');
    expect(chosenAlgorithm([offer('MD5'), offer('SHA-256')])).toBe('SHA-256');
    expect(chosenAlgorithm([offer(undefined), offer('SHA-256')])).toBe('SHA-256');
  });

  it('treats -sess variants as strong as their hash, keeping server order on ties', () => {
    expect(chosenAlgorithm([offer('MD5-sess'), offer('SHA-256-sess')])).toBe('SHA-256-sess');
    expect(chosenAlgorithm([offer('SHA-256-sess'), offer('SHA-256')])).toBe('SHA-256-sess');
    expect(chosenAlgorithm([offer('SHA-256'), offer('SHA-256-sess')])).toBe('SHA-256');
    expect(chosenAlgorithm([offer('SHA-512-256-sess'), offer('SHA-256')])).toBe('SHA-512-256-sess');
  });

  it('ignores unknown algorithms', () => {
    expect(chosenAlgorithm([offer('SHA-3-512'), offer('MD5'), offer('AKAv1-MD5')])).toBe('MD5');
  });

  it('ignores challenges whose qop options are all unknown', () => {
    const unanswerable = challenge('Digest realm="r", nonce="x", qop="auth-conf", algorithm=SHA-512-256');
    expect(chosenAlgorithm([unanswerable, offer('MD5')])).toBe('MD5');
  });

  it('matches algorithm names in any case', () => {
    expect(chosenAlgorithm([offer('md5'), offer('sha-256')])).toBe('sha-256');
  });

  it('fails when nothing is supported, saying why', () => {
    const result = chooseChallenge([offer('SHA-1'), offer('AKAv1-MD5')]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/SHA-1.*AKAv1-MD5/);
  });

  it('fails on an empty list', () => {
    expect(chooseChallenge([])).toEqual({ ok: false, error: 'no challenges' });
  });
});

describe('unsupportedReason', () => {
  it('is undefined for answerable challenges', () => {
    expect(unsupportedReason(offer('SHA-256'))).toBeUndefined();
    expect(unsupportedReason(challenge('Digest realm="r", nonce="n"'))).toBeUndefined();
  });

  it('names the algorithm or the qop problem', () => {
    expect(unsupportedReason(offer('SHA-1'))).toMatch(/SHA-1/);
    expect(unsupportedReason(challenge('Digest realm="r", nonce="n", qop="x"'))).toMatch(/qop/);
  });
});

describe('groupByRealm', () => {
  it('groups by realm in order of first appearance', () => {
    const groups = groupByRealm([offer('MD5', 'b'), offer('SHA-256', 'a'), offer('SHA-256', 'b')]);
    expect([...groups.keys()]).toEqual(['b', 'a']);
    expect(groups.get('b')?.map((c) => c.algorithm)).toEqual(['MD5', 'SHA-256']);
    expect(groups.get('a')?.map((c) => c.algorithm)).toEqual(['SHA-256']);
  });
});
