import { describe, expect, it } from 'vitest';
import { checkUpgrade, hostAllowed, tokensEqual } from '../../../main/web/request-guard';

const token = 'A'.repeat(43);
const port = 4321;
const good = { url: `/ws?token=${token}`, host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321' };

describe('hostAllowed', () => {
  it('accepts only 127.0.0.1 with the host port', () => {
    expect(hostAllowed('127.0.0.1:4321', port)).toBe(true);
    for (const host of [
      undefined,
      '',
      '127.0.0.1',
      '127.0.0.1:80',
      'localhost:4321',
      'evil.example:4321',
      '[::1]:4321',
    ])
      expect(hostAllowed(host, port)).toBe(false);
  });
});

describe('tokensEqual', () => {
  it('compares whole strings of any length', () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(`${token}x`, token)).toBe(false);
    expect(tokensEqual('', token)).toBe(false);
    expect(tokensEqual(token.slice(1), token)).toBe(false);
  });
});

describe('checkUpgrade', () => {
  it('lets in the right Host, path, Origin and token', () => {
    expect(checkUpgrade(good, { port, token })).toEqual({ ok: true });
  });

  it.each([
    ['no token', { ...good, url: '/ws' }, 401],
    ['an empty token', { ...good, url: '/ws?token=' }, 401],
    ['a wrong token', { ...good, url: `/ws?token=${'B'.repeat(43)}` }, 401],
    ['the token twice', { ...good, url: `/ws?token=${token}&token=${token}` }, 401],
    ['a missing Origin', { ...good, origin: undefined }, 403],
    ['the literal null Origin', { ...good, origin: 'null' }, 403],
    ['another site as Origin', { ...good, origin: 'https://evil.example' }, 403],
    ['localhost as Origin', { ...good, origin: 'http://localhost:4321' }, 403],
    ['another port as Origin', { ...good, origin: 'http://127.0.0.1:4322' }, 403],
    ['a trailing slash on Origin', { ...good, origin: 'http://127.0.0.1:4321/' }, 403],
    ['a rebound host name', { ...good, host: 'evil.example:4321' }, 421],
    ['no Host', { ...good, host: undefined }, 421],
    ['another path', { ...good, url: `/socket?token=${token}` }, 404],
    ['a longer path', { ...good, url: `/ws/x?token=${token}` }, 404],
    ['an absolute-form target', { ...good, url: `http://127.0.0.1:4321/ws?token=${token}` }, 404],
  ])('refuses %s', (_what, request, status) => {
    const decision = checkUpgrade(request, { port, token });
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.status).toBe(status);
  });
});
