// Presence in words: every availability and own status has a word (never colour alone), automatic states and
// publication problems are said, and a buddy's note is cleaned of controls and bidirectional overrides.
import { describe, expect, it } from 'vitest';
import { AVAILABILITIES, OWN_STATUSES } from '../../../main/contract/limits';
import {
  AVAILABILITY_WORDS,
  OWN_STATUS_WORDS,
  buddyNote,
  buddyStatusText,
  ownPublishedText,
  ownSummary,
} from '../../../renderer/src/lib/presence-text';
import { buddy, ownPresence } from '../../support/fake-engine';

describe('presence words', () => {
  it('has a word for every availability and every own status', () => {
    for (const availability of AVAILABILITIES) expect(AVAILABILITY_WORDS[availability]).toMatch(/^[A-Z]/);
    for (const status of OWN_STATUSES) expect(OWN_STATUS_WORDS[status]).toMatch(/^[A-Z]/);
  });

  it('says why a buddy’s status is not known', () => {
    expect(buddyStatusText(undefined)).toBe('Unknown');
    expect(buddyStatusText(buddy({ contactId: 'b', subscription: 'pending', availability: 'unknown' }))).toBe(
      'Waiting for permission',
    );
    expect(buddyStatusText(buddy({ contactId: 'b', subscription: 'refused', availability: 'unknown' }))).toBe(
      'Presence refused',
    );
    expect(
      buddyStatusText(buddy({ contactId: 'b', subscription: 'retrying', availability: 'unknown' })),
    ).toBe('Reconnecting…');
    expect(buddyStatusText(buddy({ contactId: 'b', subscription: 'retrying', availability: 'away' }))).toBe(
      'Away',
    );
    expect(buddyStatusText(buddy({ contactId: 'b', availability: 'on-the-phone' }))).toBe('On the phone');
  });

  it('cleans a buddy’s note of controls and direction overrides', () => {
    expect(buddyNote(buddy({ contactId: 'b', note: 'Back\u202e at\u0000 3\n' }))).toBe('Back at 3');
    expect(buddyNote(buddy({ contactId: 'b', note: null }))).toBe('');
  });

  it('says what is published, with the automatic states', () => {
    expect(ownPublishedText(ownPresence({ accountId: 'a', published: 'away', automatic: 'idle' }))).toBe(
      'Away (idle)',
    );
    expect(
      ownPublishedText(ownPresence({ accountId: 'a', published: 'on-the-phone', automatic: 'call' })),
    ).toBe('On the phone');
    expect(ownPublishedText(ownPresence({ accountId: 'a', status: 'dnd', published: 'dnd' }))).toBe(
      'Do not disturb',
    );
  });

  it('sums every account up, with a publication problem', () => {
    expect(ownSummary([])).toBeNull();
    expect(ownSummary([ownPresence({ accountId: 'a' }), ownPresence({ accountId: 'b' })])).toEqual({
      text: 'Available',
      tone: 'ok',
      problem: null,
    });
    expect(
      ownSummary([
        ownPresence({ accountId: 'a' }),
        ownPresence({ accountId: 'b', status: 'busy', published: 'busy', publication: 'failed' }),
      ]),
    ).toEqual({ text: 'Mixed', tone: 'busy', problem: 'failed' });
    expect(ownSummary([ownPresence({ accountId: 'a', publication: 'peer-to-peer' })])?.problem).toBe(
      'peer-to-peer',
    );
  });
});
