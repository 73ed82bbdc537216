// registerProtocolHandler for sip: and tel: with this page's ?dial=%s address, and what happens where it is missing
// or refused.
import { describe, expect, it, vi } from 'vitest';
import { registerLinkHandlers } from '../../../renderer/src/lib/link-handlers';

const page = { href: 'http://127.0.0.1:4000/#token=abc' };

describe('registerLinkHandlers', () => {
  it('asks for sip: and tel: with the ?dial=%s address of this page', () => {
    const registerProtocolHandler = vi.fn();
    expect(registerLinkHandlers({ registerProtocolHandler }, page)).toBe('asked');
    expect(registerProtocolHandler.mock.calls).toEqual([
      ['sip', 'http://127.0.0.1:4000/?dial=%s#token=abc'],
      ['tel', 'http://127.0.0.1:4000/?dial=%s#token=abc'],
    ]);
  });

  it('says so where the browser has no such call, or refuses it', () => {
    expect(registerLinkHandlers({}, page)).toBe('unsupported');
    const registerProtocolHandler = () => {
      throw new DOMException('no', 'SecurityError');
    };
    expect(registerLinkHandlers({ registerProtocolHandler }, page)).toBe('refused');
  });
});
