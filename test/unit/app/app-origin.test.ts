// "Our page" is one exact file (any hash), or in development the loopback dev server's origin.
import { describe, expect, it } from 'vitest';
import { createAppOrigin, isLoopbackHttpUrl } from '../../../main/app/app-origin';

const rendererIndexFile = '/opt/Softphone/resources/app.asar/out/renderer/index.html';

describe('packaged renderer (file://)', () => {
  const origin = createAppOrigin({ rendererIndexFile, devServerUrl: null, platform: 'linux' });

  it('loads the file', () => {
    expect(origin.entry).toEqual({ kind: 'file', path: rendererIndexFile });
  });

  it.each([
    [`file://${rendererIndexFile}`, true],
    [`file://${rendererIndexFile}#/settings/accounts`, true],
    [`file://${rendererIndexFile}?x=1`, true],
    ['file:///opt/Softphone/resources/app.asar/out/renderer/other.html', false],
    ['file:///tmp/index.html', false],
    ['file://evil-host/opt/Softphone/resources/app.asar/out/renderer/index.html', false],
    ['https://example.com/index.html', false],
    ['http://localhost:5173/', false],
    ['not a url', false],
    ['', false],
  ])('isAppUrl(%s) is %s', (url, expected) => {
    expect(origin.isAppUrl(url)).toBe(expected);
  });

  it("recognises Chromium's origin string for file pages only", () => {
    expect(origin.isAppOrigin('file://')).toBe(true);
    expect(origin.isAppOrigin('file:///')).toBe(true);
    expect(origin.isAppOrigin('https://example.com')).toBe(false);
    expect(origin.isAppOrigin('null')).toBe(false);
  });

  it('compares paths without regard to percent-encoding, and on Windows to case', () => {
    const file = '/Program Files/Softphone/Out/Renderer/Index.html';
    const windows = createAppOrigin({ rendererIndexFile: file, devServerUrl: null, platform: 'win32' });
    const linux = createAppOrigin({ rendererIndexFile: file, devServerUrl: null, platform: 'linux' });
    expect(windows.isAppUrl('file:///program%20files/softphone/out/renderer/index.html')).toBe(true);
    expect(linux.isAppUrl('file:///program%20files/softphone/out/renderer/index.html')).toBe(false);
    expect(linux.isAppUrl('file:///Program%20Files/Softphone/Out/Renderer/Index.html')).toBe(true);
    expect(windows.isAppUrl('file:///program%20files/softphone/out/renderer/evil.html')).toBe(false);
  });
});

describe('development server', () => {
  const origin = createAppOrigin({
    rendererIndexFile,
    devServerUrl: 'http://localhost:5173/',
    platform: 'linux',
  });

  it('loads the dev server and accepts its origin only', () => {
    expect(origin.entry).toEqual({ kind: 'url', url: 'http://localhost:5173/' });
    expect(origin.isAppUrl('http://localhost:5173/#/dialpad')).toBe(true);
    expect(origin.isAppUrl('http://localhost:5173/src/main.ts')).toBe(true);
    expect(origin.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(origin.isAppUrl('https://localhost:5173/')).toBe(false);
    expect(origin.isAppUrl(`file://${rendererIndexFile}`)).toBe(false);
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
      const fallback = createAppOrigin({ rendererIndexFile, devServerUrl, platform: 'linux' });
      expect(fallback.entry.kind).toBe('file');
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
