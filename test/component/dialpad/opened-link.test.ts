// Links from the system become dialpad text or a notice: tel: numbers without separators or parameters, SIP URIs
// without headers and only when the URI grammar accepts them, and hostile or foreign links refused with a notice
// that repeats them as clean, bounded text.
import { describe, expect, it } from 'vitest';
import { openedLink } from '../../../renderer/src/features/dialpad/opened-link';

describe('openedLink', () => {
  it.each([
    ['tel:+1-201-555-0123', '+12015550123'],
    ['tel:+49 (30) 123.45.67', '+49301234567'],
    ['tel:7042;phone-context=example.com', '7042'],
    ['TEL:%2B4930123', '+4930123'],
    ['tel:*21#', '*21#'],
  ])('keeps the digits of %s', (link, text) => {
    expect(openedLink(link)).toEqual({ ok: true, text });
  });

  it.each([
    ['sip:bob@example.com', 'sip:bob@example.com'],
    ['sips:bob@example.com:5061;transport=tcp', 'sips:bob@example.com:5061;transport=tcp'],
    ['sip:bob@example.com?Subject=hi&Replaces=abc', 'sip:bob@example.com'],
  ])('fills in %s without headers', (link, text) => {
    expect(openedLink(link)).toEqual({ ok: true, text });
  });

  it.each([
    ['tel:call-me-maybe'],
    ['tel:'],
    ['tel:%E0%A4%A'],
    ['sip:bob@exa mple.com'],
    ['sip:'],
    ['https://example.com/'],
    ['javascript:alert(1)'],
    ['bob@example.com'],
  ])('refuses %s with a notice', (link) => {
    const opened = openedLink(link);
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.notice).toMatch(/^The link “.*” was not opened: /u);
  });

  it('repeats a hostile link as clean, bounded text', () => {
    const opened = openedLink(`tel:\u202e\u0000${'9'.repeat(3000)}`);
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.notice.includes('\u202e') || opened.notice.includes('\u0000')).toBe(false);
    expect(opened.notice.length).toBeLessThan(160);
  });
});
