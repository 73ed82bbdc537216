// The app:// handler that serves the built renderer: our files with the right MIME type and the CSP header, and
// nothing else — no other host, no path outside the build (plain, encoded or through a symlink), no writes.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, createAppProtocolHandler, privilegedSchemes } from '../../../main/app/app-protocol';
import { contentSecurityPolicy } from '../../../main/app/security';

let base: string;
let handle: (request: Request) => Promise<Response>;
const policy = contentSecurityPolicy(null);

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'softphone-app-protocol-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Softphone</title>');
  writeFileSync(join(root, 'assets', 'index.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'codec.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(base, 'secret.txt'), 'outside the build');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
  handle = createAppProtocolHandler({ rendererRoot: root, contentSecurityPolicy: policy });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('app:// handler', () => {
  it('serves index.html with its MIME type and the CSP header', async () => {
    const response = await handle(new Request(APP_ENTRY_URL));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(policy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Softphone</title>');
  });

  it('serves the root as index.html, ignoring the hash and query', async () => {
    const response = await handle(new Request('app://softphone/?x=1#/settings'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Softphone');
  });

  it.each([
    ['app://softphone/assets/index.js', 'text/javascript; charset=utf-8'],
    ['app://softphone/assets/codec.wasm', 'application/wasm'],
  ])('serves %s as %s', async (url, type) => {
    const response = await handle(new Request(url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
  });

  it('answers HEAD without a body', async () => {
    const response = await handle(new Request(APP_ENTRY_URL, { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it.each([
    ['a missing file', 'app://softphone/nope.html', 404],
    ['another host', 'app://elsewhere/index.html', 404],
    // The URL parser resolves %2e%2e as a dot segment, and never above the root: /secret.txt, not in the build.
    ['an encoded parent segment', 'app://softphone/assets/%2e%2e/%2e%2e/secret.txt', 404],
    ['an encoded slash and parent', 'app://softphone/assets%2f..%2f..%2fsecret.txt', 403],
    ['an encoded backslash', 'app://softphone/assets%5c..%5csecret.txt', 403],
    ['a symlink out of the build', 'app://softphone/assets/link.txt', 403],
    ['a dot-file', 'app://softphone/.env', 404],
    ['a folder', 'app://softphone/assets', 404],
  ])('refuses %s', async (_what, url, status) => {
    const response = await handle(new Request(url));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-security-policy')).toBe(policy);
    expect(await response.text()).toBe('');
  });

  it('refuses writes', async () => {
    const response = await handle(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('registers the scheme as standard and secure, without bypassing CSP or opening CORS', () => {
    expect(privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
    ]);
  });
});
