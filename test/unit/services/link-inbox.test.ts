// The LinkInbox: links wait until the window takes them, are handed out once and in order, are announced as
// dialpad.open once a window has listened, survive a reload between announcement and taking, and a flood keeps
// only the newest few.
import { describe, expect, it } from 'vitest';
import { LINK_INBOX_MAX, LinkInbox } from '../../../main/services/link-inbox';

function setup() {
  const sent: string[] = [];
  const inbox = new LinkInbox({ emit: (_name, payload) => void sent.push(payload.uri) });
  return { inbox, sent };
}

describe('LinkInbox', () => {
  it('keeps links until the window is ready, then hands them out once, oldest first', () => {
    const { inbox, sent } = setup();
    inbox.open('sip:a@example.com');
    inbox.open('tel:+4930123');
    expect(sent).toEqual([]);
    expect(inbox.ready()).toEqual(['sip:a@example.com', 'tel:+4930123']);
    expect(inbox.ready()).toEqual([]);
  });

  it('announces links as dialpad.open once the window listens, and keeps each until the window takes it', () => {
    const { inbox, sent } = setup();
    inbox.ready();
    inbox.open('sip:b@example.com');
    expect(sent).toEqual(['sip:b@example.com']);
    expect(inbox.ready()).toEqual(['sip:b@example.com']);
    expect(inbox.ready()).toEqual([]);
  });

  it('keeps a link announced to a window that reloaded before taking it, for the next page load', () => {
    const { inbox, sent } = setup();
    inbox.ready();
    // The old page hears the announcement but goes away before it takes the link.
    inbox.open('tel:+4930123');
    expect(sent).toEqual(['tel:+4930123']);
    // The reloaded page asks on load.
    expect(inbox.ready()).toEqual(['tel:+4930123']);
  });

  it('keeps only the newest links of a flood', () => {
    const { inbox } = setup();
    for (let index = 0; index < 1000; index += 1) inbox.open(`tel:${index}`);
    const waiting = inbox.ready();
    expect(waiting).toHaveLength(LINK_INBOX_MAX);
    expect(waiting.at(-1)).toBe('tel:999');
  });
});
