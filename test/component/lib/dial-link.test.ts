// The web host's `?dial=` entry: read once, taken off the address (the token in the fragment stays), and the
// handler address a browser is given for sip:/tel: links.
import { describe, expect, it, vi } from 'vitest';
import { dialHandlerUrl, takeDialLink } from '../../../renderer/src/lib/dial-link';

describe('takeDialLink', () => {
  it('reads the link and takes it off the address, keeping the rest and the token', () => {
    const history = { state: null, replaceState: vi.fn() };
    const link = takeDialLink(
      { href: 'http://127.0.0.1:4000/?dial=tel%3A%2B4930123&x=1#token=abc' },
      history,
    );
    expect(link).toBe('tel:+4930123');
    expect(history.replaceState).toHaveBeenCalledWith(null, '', 'http://127.0.0.1:4000/?x=1#token=abc');
  });

  it('gives null without a link or for an empty one, and leaves the address alone without one', () => {
    const history = { state: null, replaceState: vi.fn() };
    expect(takeDialLink({ href: 'http://127.0.0.1:4000/#token=abc' }, history)).toBeNull();
    expect(history.replaceState).not.toHaveBeenCalled();
    expect(takeDialLink({ href: 'http://127.0.0.1:4000/?dial=' }, history)).toBeNull();
  });

  it('bounds a huge link (the dialpad then refuses it with a notice)', () => {
    const link = takeDialLink({ href: `http://h/?dial=sip:${'a'.repeat(10_000)}` }, null);
    expect(link?.length).toBe(4096);
  });
});

describe('dialHandlerUrl', () => {
  it('is this page with ?dial=%s and the token', () => {
    expect(dialHandlerUrl({ href: 'http://127.0.0.1:4000/index.html?dial=x#token=abc' })).toBe(
      'http://127.0.0.1:4000/index.html?dial=%s#token=abc',
    );
  });
});
