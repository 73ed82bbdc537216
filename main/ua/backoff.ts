// Recovery delay after a failure (a registration, later a subscription or publication): capped exponential backoff
// with jitter, in the spirit of RFC 5626 §4.5 (wait = min(max, base * 2^(failures-1)) scaled by a factor in
// [0.5, 1]) so that many clients kept out by one outage do not come back in lockstep.
import type { Random } from '../platform/random';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 300_000 };

/** The delay before the next attempt after `consecutiveFailures` failures, for a jitter drawn in [0, 1). */
export function backoffDelayFor(policy: BackoffPolicy, consecutiveFailures: number, jitter: number): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling * (0.5 + 0.5 * jitter));
}

export function backoffDelay(policy: BackoffPolicy, consecutiveFailures: number, random: Random): number {
  return backoffDelayFor(policy, consecutiveFailures, random.fraction());
}
