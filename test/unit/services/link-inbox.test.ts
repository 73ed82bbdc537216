// The LinkInbox: links wait until the window says it listens, are handed out once and in order, go out as
// dialpad.open from then on, and a flood keeps only the newest few.
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

  it('sends links as dialpad.open once the window listens', () => {
    const { inbox, sent } = setup();
    inbox.ready();
    inbox.open('sip:b@example.com');
    expect(sent).toEqual(['sip:b@example.com']);
    expect(inbox.ready()).toEqual([]);
  });

  it('keeps only the newest links of a flood', () => {
    const { inbox } = setup();
    for (let index = 0; index < 1000; index += 1) inbox.open(`tel:${index}`);
    const waiting = inbox.ready();
    expect(waiting).toHaveLength(LINK_INBOX_MAX);
    expect(waiting.at(-1)).toBe('tel:999');
  });
});
