// RFC 3261 §14.1: after a 491 Request Pending, a re-INVITE is retried after a random wait. The UA that owns the
// Call-ID (it sent the INVITE that made the dialog) waits 2.1 to 4 s, the other 0 to 2 s, both in units of 10 ms,
// so the two ends do not collide again.
import type { Random } from '../../platform/random';

export function glareDelay(ownsCallId: boolean, random: Random): number {
  const units = ownsCallId ? 210 + Math.floor(random.fraction() * 191) : Math.floor(random.fraction() * 201);
  return units * 10;
}
