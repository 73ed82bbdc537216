// "Our page" is app://softphone/index.html (any hash), or in development the loopback dev server's origin.
import { describe, expect, it } from 'vitest';
import { createAppOrigin, isLoopbackHttpUrl } from '../../../main/app/app-origin';

describe('built renderer (app://softphone/)', () => {
  const origin = createAppOrigin({ devServerUrl: null });

  it('loads our custom scheme, not a file', () => {
    expect(origin.entry).toEqual({ url: 'app://softphone/index.html', servedByApp: true });
  });

  it.each([
    ['app://softphone/index.html', true],
    ['app://softphone/index.html#/settings/accounts', true],
    ['app://softphone/index.html?x=1', true],
    ['app://softphone/', true],
    ['APP://SOFTPHONE/index.html', true],
    ['app://softphone/assets/index.js', false],
    ['app://softphone/other.html', false],
    ['app://evil/index.html', false],
    ['app://user:pw@softphone/index.html', false],
    ['file:///opt/Softphone/resources/app.asar/out/renderer/index.html', false],
    ['https://softphone/index.html', false],
    ['http://localhost:5173/', false],
    ['not a url', false],
    ['', false],
  ])('isAppUrl(%s) is %s', (url, expected) => {
    expect(origin.isAppUrl(url)).toBe(expected);
  });

  it("recognises Chromium's origin string for our scheme only", () => {
    expect(origin.isAppOrigin('app://softphone')).toBe(true);
    expect(origin.isAppOrigin('app://softphone/')).toBe(true);
    expect(origin.isAppOrigin('file://')).toBe(false);
    expect(origin.isAppOrigin('app://evil')).toBe(false);
    expect(origin.isAppOrigin('null')).toBe(false);
  });
});

describe('development server', () => {
  const origin = createAppOrigin({ devServerUrl: 'http://localhost:5173/' });

  it('loads the dev server and accepts its origin only', () => {
    expect(origin.entry).toEqual({ url: 'http://localhost:5173/', servedByApp: false });
    expect(origin.isAppUrl('http://localhost:5173/#/dialpad')).toBe(true);
    expect(origin.isAppUrl('http://localhost:5173/src/main.ts')).toBe(true);
    expect(origin.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(origin.isAppUrl('https://localhost:5173/')).toBe(false);
    expect(origin.isAppUrl('app://softphone/index.html')).toBe(false);
    expect(origin.isAppOrigin('http://localhost:5173')).toBe(true);
    expect(origin.isAppOrigin('http://localhost:5174')).toBe(false);
  });

  it('ignores a dev server URL that is not http on loopback', () => {
    for (const devServerUrl of [
      'https://example.com/',
      'http://192.168.1.5:5173/',
      'javascript:alert(1)',
      'nonsense',
    ]) {
      const fallback = createAppOrigin({ devServerUrl });
      expect(fallback.entry.servedByApp).toBe(true);
    }
  });

  it.each([
    ['http://localhost:5173/', true],
    ['http://127.0.0.1:5173/', true],
    ['http://[::1]:5173/', true],
    ['https://localhost:5173/', false],
    ['http://localhost.example.com/', false],
  ])('isLoopbackHttpUrl(%s) is %s', (url, expected) => {
    expect(isLoopbackHttpUrl(url)).toBe(expected);
  });
});
