import { describe, expect, it } from 'vitest';
import type { MergedPresence } from '../../../main/presence/presence-merge';
import {
  buddyAvailability,
  buddySubscription,
  publicationView,
  publishedStatus,
  rememberWatchers,
} from '../../../main/services/presence-view';

const merged = (overrides: Partial<MergedPresence>): MergedPresence => ({
  availability: 'available',
  activities: [],
  onThePhone: false,
  ...overrides,
});

describe('presence view', () => {
  it('says on-the-phone for a buddy in a call unless do-not-disturb or offline says more', () => {
    expect(buddyAvailability(merged({ availability: 'busy', onThePhone: true }))).toBe('on-the-phone');
    expect(buddyAvailability(merged({ availability: 'available', onThePhone: true }))).toBe('on-the-phone');
    expect(buddyAvailability(merged({ availability: 'do-not-disturb', onThePhone: true }))).toBe(
      'do-not-disturb',
    );
    expect(buddyAvailability(merged({ availability: 'away' }))).toBe('away');
  });

  it('maps subscription states to the five words of the contract', () => {
    expect(buddySubscription({ name: 'subscribing', attempt: 1 })).toBe('pending');
    expect(buddySubscription({ name: 'subscribing', attempt: 2 })).toBe('retrying');
    expect(buddySubscription({ name: 'waiting', retryInMs: 5, detail: '503' })).toBe('retrying');
    expect(buddySubscription({ name: 'active' })).toBe('active');
    expect(buddySubscription({ name: 'terminated', reason: 'unsubscribed', detail: '' })).toBe('stopped');
    expect(buddySubscription({ name: 'terminated', reason: 'rejected', detail: '' })).toBe('refused');
    expect(buddySubscription({ name: 'terminated', reason: 'bad-event', detail: '' })).toBe('refused');
  });

  it('words the publication, with the status line of a server that takes no PUBLISH', () => {
    expect(publicationView(undefined)).toEqual({ publication: 'off', detail: null });
    expect(publicationView({ name: 'published', etag: 'e', expires: 60 }).publication).toBe('published');
    expect(publicationView({ name: 'unsupported', status: 489, detail: '489 Bad Event' })).toEqual({
      publication: 'failed',
      detail: '489 Bad Event (the server takes no PUBLISH)',
    });
    expect(publicationView({ name: 'unsupported', status: 501, detail: '501' }, true)).toEqual({
      publication: 'peer-to-peer',
      detail: '501',
    });
    expect(publicationView({ name: 'published', etag: 'e', expires: 60 }, true).publication).toBe(
      'published',
    );
    expect(publicationView({ name: 'removed' }).publication).toBe('off');
  });

  it('lets only available give way to on-the-phone (first) and away', () => {
    expect(publishedStatus('available', true, true)).toEqual({
      published: 'on-the-phone',
      automatic: 'call',
    });
    expect(publishedStatus('available', false, true)).toEqual({ published: 'away', automatic: 'idle' });
    expect(publishedStatus('available', false, false)).toEqual({ published: 'available', automatic: null });
    expect(publishedStatus('dnd', true, true)).toEqual({ published: 'dnd', automatic: null });
    expect(publishedStatus('offline', true, false)).toEqual({ published: 'offline', automatic: null });
  });

  it('remembers when watchers were first seen, and forgets the oldest unlisted ones past the bound', () => {
    const seen = new Map<string, number>([['sip:old@x', 1]]);
    expect(rememberWatchers(seen, ['sip:old@x'], 50, 3)).toBe(false);
    expect(rememberWatchers(seen, ['sip:old@x', 'sip:a@x'], 100, 3)).toBe(true);
    expect(seen.get('sip:old@x')).toBe(1);
    expect(seen.get('sip:a@x')).toBe(100);
    rememberWatchers(seen, ['sip:b@x'], 200, 3);
    rememberWatchers(seen, ['sip:c@x', 'sip:b@x'], 300, 3);
    // Four known, three allowed: the oldest no longer listed goes first (old, then a).
    expect([...seen.keys()].sort()).toEqual(['sip:a@x', 'sip:b@x', 'sip:c@x']);
    rememberWatchers(seen, ['sip:d@x', 'sip:e@x', 'sip:f@x', 'sip:g@x'], 400, 3);
    // Everyone listed stays even past the bound (the winfo watcher keeps its own bound of 1,000).
    expect([...seen.keys()].sort()).toEqual(['sip:d@x', 'sip:e@x', 'sip:f@x', 'sip:g@x']);
  });
});
