// The contract's view of presence: pure functions from what main/presence/ reports (merged status, subscription and
// publication states) to the DTO fields the window reads, and the rule that picks what we publish.
import type {
  Availability,
  BuddySubscriptionState,
  OwnStatus,
  PublicationStateName,
} from '../contract/contract';
import type { MergedPresence } from '../presence/presence-merge';
import type { PublishedStatus } from '../presence/pidf-builder';
import type { PublicationState } from '../presence/publication';
import type { SubscriptionState } from '../presence/subscription-state';

/**
 * A buddy's availability from the merged document: `on-the-phone` when an RPID activity says so and nothing stronger
 * than busy does (merge counts on-the-phone as busy-like; do not disturb and offline stay what they are).
 */
export function buddyAvailability(presence: MergedPresence): Availability {
  const merged = presence.availability;
  if (presence.onThePhone && (merged === 'available' || merged === 'busy')) return 'on-the-phone';
  return merged;
}

/** The activity names, as the contract lists them (`other` activities by their text). */
export function activityNames(presence: MergedPresence): string[] {
  return presence.activities.map((activity) => (activity.kind === 'other' ? activity.text : activity.kind));
}

/**
 * Where a subscription is, in the contract's five words: a first SUBSCRIBE not yet answered is `pending` (we do not
 * know yet), a later one `retrying`; ended by us `stopped`; ended by the other side for good `refused`.
 */
export function buddySubscription(state: SubscriptionState): BuddySubscriptionState {
  switch (state.name) {
    case 'idle':
    case 'pending':
      return 'pending';
    case 'subscribing':
      return state.attempt > 1 ? 'retrying' : 'pending';
    case 'active':
      return 'active';
    case 'waiting':
      return 'retrying';
    case 'unsubscribing':
      return 'stopped';
    case 'terminated':
      return state.reason === 'unsubscribed' ? 'stopped' : 'refused';
  }
}

/**
 * The publication's state as the window shows it. A server without PUBLISH (489/501/405) is `peer-to-peer` once the
 * notifier answers watchers itself (`failed` with its status line before that); removing or removed is `off`.
 */
export function publicationView(
  state: PublicationState | undefined,
  peerToPeer = false,
): {
  readonly publication: PublicationStateName;
  readonly detail: string | null;
} {
  if (state === undefined) return { publication: 'off', detail: null };
  switch (state.name) {
    case 'idle':
    case 'publishing':
      return { publication: 'publishing', detail: null };
    case 'published':
      return { publication: 'published', detail: null };
    case 'failed':
      return { publication: 'failed', detail: state.detail };
    case 'unsupported':
      if (peerToPeer) return { publication: 'peer-to-peer', detail: state.detail };
      return { publication: 'failed', detail: `${state.detail} (the server takes no PUBLISH)` };
    case 'removing':
    case 'removed':
      return { publication: 'off', detail: null };
  }
}

/**
 * What to publish for the status a person chose. Only `available` gives way to the automatic ones, and a call counts
 * before idleness: someone on the phone is not away, they are just not touching the keyboard.
 */
export function publishedStatus(
  chosen: OwnStatus,
  inCall: boolean,
  idle: boolean,
): { readonly published: PublishedStatus; readonly automatic: 'idle' | 'call' | null } {
  if (chosen !== 'available') return { published: chosen, automatic: null };
  if (inCall) return { published: 'on-the-phone', automatic: 'call' };
  if (idle) return { published: 'away', automatic: 'idle' };
  return { published: 'available', automatic: null };
}

/**
 * Notes when each of `uris` was first seen (now, for those not in `firstSeen`) and keeps `firstSeen` to `max` entries,
 * forgetting the oldest of those no longer listed first: watchers come and go, and what a server lists over months
 * must not pile up. Returns whether `firstSeen` changed (and so should be stored).
 */
export function rememberWatchers(
  firstSeen: Map<string, number>,
  uris: readonly string[],
  now: number,
  max: number,
): boolean {
  let changed = false;
  for (const uri of uris) {
    if (firstSeen.has(uri)) continue;
    firstSeen.set(uri, now);
    changed = true;
  }
  if (firstSeen.size <= max) return changed;
  const listed = new Set(uris);
  const gone = [...firstSeen].filter(([uri]) => !listed.has(uri)).sort((a, b) => a[1] - b[1]);
  for (const [uri] of gone) {
    if (firstSeen.size <= max) break;
    firstSeen.delete(uri);
  }
  return true;
}
