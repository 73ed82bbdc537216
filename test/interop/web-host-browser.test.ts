// The web host's defences seen from a real browser (Debian Chromium through playwright-core): our own page can open
// the socket with the token from its URL; a page on another origin cannot, even holding the right token; the CSP
// header keeps our page from connecting anywhere else; and the built renderer loads without a CSP violation.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { type Browser, chromium } from 'playwright-core';
import { peersAvailable } from './support/peers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type WebHost, startWebHost } from '../../main/web/web-host';
import { createFakeEngine } from '../unit/web/fake-engine';
import { findExecutable } from './support/peers';

const chromiumPath = findExecutable('chromium') ?? findExecutable('chromium-browser');
const builtRenderer = resolve(import.meta.dirname, '../../out/renderer');

/** What a page script reports after trying to open the socket and run one command. */
interface Attempt {
  readonly opened: boolean;
  readonly result?: unknown;
  readonly closeCode?: number;
  readonly error?: string;
}

// Runs inside the page: open a socket, send app.info, report what happened.
function attemptInPage(url: string): Promise<Attempt> {
  return new Promise((done) => {
    let opened = false;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      done({ opened: false, error: String(error) });
      return;
    }
    socket.onopen = () => {
      opened = true;
      socket.send(JSON.stringify({ type: 'command', id: 1, name: 'app.info', args: [] }));
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string; result?: unknown };
      if (frame.type === 'result') {
        done({ opened, result: frame.result });
        socket.close();
      }
    };
    // A handshake the server refuses ends in error then close; one CSP blocks ends in error alone.
    socket.onerror = () => done({ opened, error: 'error event' });
    socket.onclose = (event) => done({ opened, closeCode: event.code });
  });
}

describe.skipIf(!peersAvailable().chromium)('web host in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let host: WebHost;
  let elsewhere: Server;
  let elsewherePort: number;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
    dir = await mkdtemp(join(tmpdir(), 'web-host-browser-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>probe</title><p>probe</p>');
    // Another site on loopback: the kind of page the Origin check is for.
    elsewhere = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((ready) => elsewhere.listen(0, '127.0.0.1', ready));
    elsewherePort = (elsewhere.address() as { port: number }).port;
  });

  afterEach(async () => {
    await host?.close();
  });

  afterAll(async () => {
    await browser?.close();
    elsewhere?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets our page in with the token from its URL and pushes events to it', async () => {
    const engine = createFakeEngine();
    host = await startWebHost({ engine, rendererDir: dir });
    const page = await browser.newPage();
    await page.goto(host.url);
    const attempt = await page.evaluate(attemptInPage, `ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    expect(attempt).toMatchObject({ opened: true, result: { ok: true, value: { host: 'web' } } });
    await expect.poll(() => host.sockets).toBe(0);

    const event = page.evaluate(
      (url) =>
        new Promise<unknown>((done) => {
          const socket = new WebSocket(url);
          socket.onmessage = (message) => done(JSON.parse(String(message.data)));
        }),
      `ws://127.0.0.1:${host.port}/ws?token=${new URL(host.url).hash.slice('#token='.length)}`,
    );
    await expect.poll(() => host.sockets).toBe(1);
    engine.emit('dialpad.open', { uri: 'sip:bob@example.com' });
    expect(await event).toEqual({
      type: 'event',
      name: 'dialpad.open',
      payload: { uri: 'sip:bob@example.com' },
    });
    await page.close();
  });

  it('refuses our own page without the token', async () => {
    host = await startWebHost({ engine: createFakeEngine(), rendererDir: dir });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${host.port}/`);
    expect(await page.evaluate(attemptInPage, `ws://127.0.0.1:${host.port}/ws`)).toMatchObject({
      opened: false,
    });
    expect(await page.evaluate(attemptInPage, `ws://127.0.0.1:${host.port}/ws?token=guess`)).toMatchObject({
      opened: false,
    });
    await page.close();
  });

  it('refuses a page from another origin even when it holds the right token', async () => {
    host = await startWebHost({ engine: createFakeEngine(), rendererDir: dir });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${elsewherePort}/`);
    const attempt = await page.evaluate(attemptInPage, `ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    expect(attempt).toMatchObject({ opened: false });
    expect(host.sockets).toBe(0);
    // Nor can it read the page: no CORS headers, so the fetch is opaque to it.
    const read = await page.evaluate(
      (url) =>
        fetch(url).then(
          (response) => response.text(),
          (error: unknown) => `blocked: ${String(error)}`,
        ),
      `http://127.0.0.1:${host.port}/`,
    );
    expect(read).toMatch(/^blocked/);
    await page.close();
  });

  it('keeps our page from connecting to any other socket (CSP connect-src)', async () => {
    const other = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((ready) => other.once('listening', ready));
    let connections = 0;
    other.on('connection', () => connections++);
    try {
      host = await startWebHost({ engine: createFakeEngine(), rendererDir: dir });
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(host.url);
      const attempt = await page.evaluate(
        attemptInPage,
        `ws://127.0.0.1:${(other.address() as { port: number }).port}/`,
      );
      expect(attempt.opened).toBe(false);
      expect(connections).toBe(0);
      expect(violations.join('\n')).toMatch(/connect-src/);
      await page.close();
    } finally {
      other.close();
    }
  });

  // npm test builds the renderer before the interop suites; without a build this test fails rather than skips.
  it('serves the built renderer without a CSP violation', async () => {
    host = await startWebHost({ engine: createFakeEngine(), rendererDir: builtRenderer });
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    const response = await page.goto(host.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    await expect
      .poll(() => page.locator('#app').evaluate((node) => node.childElementCount))
      .toBeGreaterThan(0);
    expect(violations).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });
});
