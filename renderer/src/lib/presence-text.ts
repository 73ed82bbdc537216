// Presence in words: a buddy's availability, our own status, and how our status reaches watchers. Every status is
// shown as a word beside its coloured dot, never as colour alone; the tone names the colour the CSS gives the dot.
import type {
  Availability,
  BuddyPresenceDto,
  OwnPresenceDto,
  OwnStatus,
  PublicationStateName,
} from '../../../main/contract/contract';
import { cleanPeerText } from '../../../main/contract/peer-text';

/** The dot's colour family: green, red, amber, hollow grey. */
export type PresenceTone = 'ok' | 'danger' | 'busy' | 'off';

export const AVAILABILITY_WORDS: Readonly<Record<Availability, string>> = {
  available: 'Available',
  'on-the-phone': 'On the phone',
  busy: 'Busy',
  'do-not-disturb': 'Do not disturb',
  away: 'Away',
  offline: 'Offline',
  unknown: 'Unknown',
};

export const AVAILABILITY_TONES: Readonly<Record<Availability, PresenceTone>> = {
  available: 'ok',
  'on-the-phone': 'danger',
  busy: 'danger',
  'do-not-disturb': 'danger',
  away: 'busy',
  offline: 'off',
  unknown: 'off',
};

export const OWN_STATUS_WORDS: Readonly<Record<OwnStatus, string>> = {
  available: 'Available',
  away: 'Away',
  busy: 'Busy',
  dnd: 'Do not disturb',
  offline: 'Appear offline',
};

export const OWN_STATUS_TONES: Readonly<Record<OwnStatus | 'on-the-phone', PresenceTone>> = {
  available: 'ok',
  away: 'busy',
  busy: 'danger',
  dnd: 'danger',
  offline: 'off',
  'on-the-phone': 'danger',
};

export const PUBLICATION_WORDS: Readonly<Record<PublicationStateName, string>> = {
  publishing: 'Publishing…',
  published: 'Published',
  failed: 'Not published',
  'peer-to-peer': 'Peer-to-peer (the server does not keep presence)',
  off: 'Not published (account off)',
};

/** A buddy's status word, with why it is unknown when the subscription says so. */
export function buddyStatusText(buddy: BuddyPresenceDto | undefined): string {
  if (!buddy) return 'Unknown';
  switch (buddy.subscription) {
    case 'pending':
      return 'Waiting for permission';
    case 'refused':
      return 'Presence refused';
    case 'stopped':
      return 'Not watched';
    case 'retrying':
      if (buddy.availability === 'unknown') return 'Reconnecting…';
      break;
    case 'active':
      break;
  }
  return AVAILABILITY_WORDS[buddy.availability];
}

/** The buddy's note as text, cleaned of controls and bidirectional overrides; '' when none. */
export function buddyNote(buddy: BuddyPresenceDto | undefined): string {
  return buddy?.note ? cleanPeerText(buddy.note, 255) : '';
}

/** What one account publishes, in words: "Away (idle)", "On the phone", "Busy". */
export function ownPublishedText(own: OwnPresenceDto): string {
  if (own.automatic === 'call' || own.published === 'on-the-phone') return 'On the phone';
  const word = OWN_STATUS_WORDS[own.published];
  return own.automatic === 'idle' ? `${word} (idle)` : word;
}

/** Whether how the status reaches watchers is worth pointing out (a failure, or peer-to-peer mode). */
export function publicationProblem(own: OwnPresenceDto): 'failed' | 'peer-to-peer' | null {
  return own.publication === 'failed' || own.publication === 'peer-to-peer' ? own.publication : null;
}

/**
 * The frame's summary of our status over every account: the one status when they agree ("Away (idle)"), else
 * "Mixed"; null with no account publishing.
 */
export function ownSummary(own: readonly OwnPresenceDto[]): {
  readonly text: string;
  readonly tone: PresenceTone;
  readonly problem: 'failed' | 'peer-to-peer' | null;
} | null {
  const first = own[0];
  if (!first) return null;
  const texts = new Set(own.map(ownPublishedText));
  const problems = own.map(publicationProblem);
  const problem = problems.includes('failed')
    ? 'failed'
    : problems.includes('peer-to-peer')
      ? 'peer-to-peer'
      : null;
  if (texts.size > 1) return { text: 'Mixed', tone: 'busy', problem };
  return { text: ownPublishedText(first), tone: OWN_STATUS_TONES[first.published], problem };
}
