// Choosing among several Digest challenges, RFC 8760 §2.4: a 401/407 may offer one challenge per algorithm for the
// same realm. §2.4 says to use the topmost supported one "unless a local policy dictates otherwise"; our policy is
// the strongest, because challenges are not integrity-protected and an on-path attacker could reorder them to put
// MD5 first (the downgrade RFC 8760 §3 warns about). Challenges for different realms (RFC 3261 §22.3, several
// proxies) are each answered, so grouping by realm is offered as well.
import type { Result } from '../message/result';
import type { DigestChallenge } from './challenge';
import { chooseQop, findAlgorithm } from './digest';

/** Why a challenge cannot be answered, or undefined when it can. */
export function unsupportedReason(challenge: DigestChallenge): string | undefined {
  if (findAlgorithm(challenge.algorithm) === undefined)
    return `unsupported algorithm "${challenge.algorithm}"`;
  const qop = chooseQop(challenge.qop);
  return qop.ok ? undefined : qop.error;
}

/**
 * The strongest answerable challenge: SHA-512-256 > SHA-256 > MD5, a -sess variant ranking with its hash.
 * Ties keep the server's order. Unknown algorithms (and unanswerable qop sets) are skipped.
 */
export function chooseChallenge(challenges: readonly DigestChallenge[]): Result<DigestChallenge, string> {
  let best: DigestChallenge | undefined;
  let bestStrength = 0;
  const skipped: string[] = [];
  for (const challenge of challenges) {
    const reason = unsupportedReason(challenge);
    if (reason !== undefined) {
      skipped.push(reason);
      continue;
    }
    const strength = findAlgorithm(challenge.algorithm)!.strength;
    if (strength > bestStrength) {
      best = challenge;
      bestStrength = strength;
    }
  }
  if (best !== undefined) return { ok: true, value: best };
  if (challenges.length === 0) return { ok: false, error: 'no challenges' };
  return { ok: false, error: `no supported challenge (${skipped.join('; ')})` };
}

/** Groups challenges by realm, keeping the order in which realms first appear. */
export function groupByRealm(challenges: readonly DigestChallenge[]): Map<string, DigestChallenge[]> {
  const groups = new Map<string, DigestChallenge[]>();
  for (const challenge of challenges) {
    const group = groups.get(challenge.realm);
    if (group === undefined) groups.set(challenge.realm, [challenge]);
    else group.push(challenge);
  }
  return groups;
}
