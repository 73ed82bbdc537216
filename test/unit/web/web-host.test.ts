import { connect } from 'node:net';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationStatusDto } from '../../../main/contract/contract';
import { VCARD_TEXT_MAX } from '../../../main/contract/limits';
import {
  WEB_FRAME_MAX_BYTES,
  type WebHost,
  type WebHostOptions,
  startWebHost,
} from '../../../main/web/web-host';
import { type WebFakeEngine as FakeEngine, createFakeEngine, validAccount } from './fake-engine';
import { type TestClient, get, openSocket, openStuckSocket, rawHttp, refusalStatus } from './web-client';

let base: string;
let rendererDir: string;
const hosts: WebHost[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'web-host-')));
  rendererDir = join(base, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Softphone</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  await writeFile(join(rendererDir, 'assets', 'app.css'), 'body{}');
  await writeFile(join(base, 'secret.txt'), 'TOP-SECRET');
  await symlink(base, join(rendererDir, 'outside'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

async function start(
  overrides: Partial<WebHostOptions> = {},
): Promise<{ host: WebHost; engine: FakeEngine; port: number }> {
  const engine = createFakeEngine();
  const host = await startWebHost({ engine, rendererDir, ...overrides });
  hosts.push(host);
  return { host, engine, port: host.port };
}

/** A command's result, or how the socket was closed instead of answering. */
async function answerOrClose(
  browser: TestClient,
  name: string,
  args: unknown[],
): Promise<Record<string, unknown>> {
  return Promise.race([
    browser.command(name, args),
    browser.closed.then(({ code }) => ({ closedWith: code })),
  ]);
}

async function client(host: WebHost): Promise<TestClient> {
  const opened = await openSocket(host.port, { token: host.token });
  clients.push(opened);
  return opened;
}

const status: RegistrationStatusDto = {
  accountId: 'a1',
  state: 'registered',
  expires: 600,
  failure: null,
  detail: null,
  status: 200,
  retryInMs: null,
  lastFailure: null,
  server: null,
};

describe('starting', () => {
  it('binds 127.0.0.1 only and prints a URL with a fresh base64url token', async () => {
    const { host, port } = await start();
    expect(host.url).toBe(`http://127.0.0.1:${port}/#token=${host.token}`);
    expect(host.origin).toBe(`http://127.0.0.1:${port}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await start();
    expect(other.host.token).not.toBe(host.token);
    // Nothing answers on the IPv6 loopback at that port.
    const ipv6 = await new Promise<string>((resolve) => {
      const socket = connect({ host: '::1', port });
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(ipv6).not.toBe('connected');
  });

  it.each(['0.0.0.0', '::', '::1', 'localhost', '192.168.1.1'])('refuses to bind %s', async (address) => {
    await expect(startWebHost({ engine: createFakeEngine(), rendererDir, host: address })).rejects.toThrow(
      /127\.0\.0\.1/,
    );
  });

  it('refuses a weak token, a bad port and a missing renderer folder', async () => {
    const engine = createFakeEngine();
    await expect(startWebHost({ engine, rendererDir, token: 'short' })).rejects.toThrow(/token/);
    await expect(startWebHost({ engine, rendererDir, token: `${'a'.repeat(40)}&x` })).rejects.toThrow(
      /token/,
    );
    await expect(startWebHost({ engine, rendererDir, port: 70_000 })).rejects.toThrow(/port/);
    await expect(startWebHost({ engine, rendererDir: join(base, 'missing') })).rejects.toThrow();
  });

  it('takes a given token and port', async () => {
    const token = 'T'.repeat(43);
    const first = await start({ token });
    await first.host.close();
    const { host } = await start({ token, port: first.port });
    expect(host.port).toBe(first.port);
    expect(host.token).toBe(token);
  });
});

describe('static files', () => {
  it('serves index.html for / with the security headers', async () => {
    const { port } = await start();
    const response = await get(port, '/');
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Softphone</title>');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = response.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('serves assets with their content types, HEAD without a body', async () => {
    const { port } = await start();
    const js = await get(port, '/assets/app.js?v=1');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app")');
    expect((await get(port, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(port, '/assets/app.js', undefined, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("app")'.length));
    expect(head.body).toBe('');
  });

  it('answers errors with the same security headers', async () => {
    const { port } = await start();
    for (const [target, method, code] of [
      ['/missing.js', 'GET', 404],
      ['/', 'POST', 405],
      ['/', 'PUT', 405],
      ['/ws', 'GET', 426],
    ] as const) {
      const response = await get(port, target, undefined, method);
      expect(response.status, `${method} ${target}`).toBe(code);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/assets/..%5c..%5csecret.txt',
    '/index.html%00.txt',
    '/outside/secret.txt',
    '//../secret.txt',
    '/./../secret.txt',
  ])('refuses the traversal %s', async (target) => {
    const { port } = await start();
    const response = await get(port, target);
    expect([400, 403, 404]).toContain(response.status);
    expect(response.body).not.toContain('TOP-SECRET');
  });

  it('refuses absolute-form targets and malformed requests', async () => {
    const { port } = await start();
    const absolute = await get(port, `http://127.0.0.1:${port}/../secret.txt`);
    expect(absolute.status).toBe(400);
    expect(absolute.body).not.toContain('TOP-SECRET');
    const garbage = await rawHttp(port, 'GARBAGE\r\n');
    expect(garbage.status).toBe(400);
  });

  it.each([['localhost:PORT'], ['evil.example:PORT'], ['127.0.0.1:1'], ['127.0.0.1'], ['[::1]:PORT']])(
    'answers 421 to Host %s (DNS rebinding)',
    async (hostHeader) => {
      const { port } = await start();
      const response = await get(port, '/', hostHeader.replace('PORT', String(port)));
      expect(response.status).toBe(421);
      expect(response.body).not.toContain('Softphone');
    },
  );

  it('answers 421 without a Host header', async () => {
    const { port } = await start();
    const response = await rawHttp(port, 'GET / HTTP/1.0');
    expect(response.status).toBe(421);
  });
});

describe('socket handshake', () => {
  it('refuses a socket without a token', async () => {
    const { port } = await start();
    expect(await refusalStatus(openSocket(port))).toBe(401);
  });

  it('refuses a wrong token, one character off, or sent twice', async () => {
    const { host, port } = await start();
    expect(await refusalStatus(openSocket(port, { token: 'x'.repeat(43) }))).toBe(401);
    const offByOne = `${host.token.slice(0, -1)}${host.token.endsWith('A') ? 'B' : 'A'}`;
    expect(await refusalStatus(openSocket(port, { token: offByOne }))).toBe(401);
    expect(await refusalStatus(openSocket(port, { token: `${host.token}&token=${host.token}` }))).toBe(401);
  });

  it('refuses the right token from another origin or none', async () => {
    const { host, port } = await start();
    for (const origin of [
      null,
      'https://evil.example',
      `http://localhost:${port}`,
      'null',
      `http://127.0.0.1:${port + 1}`,
    ])
      expect(await refusalStatus(openSocket(port, { token: host.token, origin })), String(origin)).toBe(403);
  });

  it('refuses the right token under another Host header', async () => {
    const { host, port } = await start();
    expect(await refusalStatus(openSocket(port, { token: host.token, host: `evil.example:${port}` }))).toBe(
      421,
    );
    expect(await refusalStatus(openSocket(port, { token: host.token, host: `localhost:${port}` }))).toBe(421);
  });

  it('refuses other paths', async () => {
    const { host, port } = await start();
    expect(await refusalStatus(openSocket(port, { token: host.token, path: '/socket' }))).toBe(404);
  });

  it('never counts a refused socket as connected', async () => {
    const { host, port } = await start();
    await refusalStatus(openSocket(port));
    await refusalStatus(openSocket(port, { token: host.token, origin: 'https://evil.example' }));
    expect(host.sockets).toBe(0);
  });

  it('refuses sockets beyond the client limit', async () => {
    const { host, port } = await start({ maxClients: 2 });
    await client(host);
    await client(host);
    expect(await refusalStatus(openSocket(port, { token: host.token }))).toBe(503);
  });
});

describe('commands', () => {
  it('round-trips results, validation errors and service errors', async () => {
    const { host } = await start();
    const browser = await client(host);
    expect(await browser.command('app.info', [])).toMatchObject({ ok: true, value: { host: 'web' } });
    expect(await browser.command('accounts.create', [validAccount])).toMatchObject({
      ok: true,
      value: { aor: 'sip:alice@example.com', hasPassword: true },
    });
    expect(await browser.command('accounts.create', [{ ...validAccount, expires: 5 }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', field: 'expires' },
    });
    expect(await browser.command('accounts.create', [{ ...validAccount, aor: 'not a uri' }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', field: 'aor' },
    });
    expect(await browser.command('accounts.create', [{ ...validAccount, admin: true }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await browser.command('accounts.delete', ['a9'])).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'no account a9' },
    });
    expect(await browser.command('accounts.setEnabled', ['a1', true])).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
    expect(await browser.command('no.such.command', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await browser.command('constructor', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await browser.command('accounts.delete', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
  });

  it('answers malformed frames that carry an id, and keeps the socket', async () => {
    const { host } = await start();
    const browser = await client(host);
    browser.ws.send(JSON.stringify({ type: 'subscribe', id: 41, name: 'app.info', args: [] }));
    browser.ws.send(JSON.stringify({ type: 'command', id: 42, name: 'app.info', args: 'x' }));
    browser.ws.send(JSON.stringify({ type: 'command', id: 43, name: ['app.info'], args: [] }));
    for (const id of [41, 42, 43]) {
      const frame = await browser.waitFor((f) => f['id'] === id);
      expect(frame).toMatchObject({
        type: 'result',
        result: { ok: false, error: { code: 'invalid-argument' } },
      });
    }
    expect(await browser.command('settings.get', [])).toMatchObject({ ok: true });
  });

  it.each([
    ['invalid JSON', '{"type":"command",', 1008],
    ['a frame without an id', JSON.stringify({ type: 'command', name: 'app.info', args: [] }), 1008],
    ['a JSON array', '[]', 1008],
  ])('closes the socket on %s and keeps serving others', async (_what, text, code) => {
    const { host } = await start();
    const bad = await client(host);
    const good = await client(host);
    bad.ws.send(text);
    expect((await bad.closed).code).toBe(code);
    expect(await good.command('app.info', [])).toMatchObject({ ok: true });
  });

  it('closes on a frame over the size limit (1009) and keeps serving others', async () => {
    const { host } = await start({ maxPayloadBytes: 64 * 1024 });
    const bad = await client(host);
    const good = await client(host);
    bad.ws.send(JSON.stringify({ type: 'command', id: 1, name: 'app.info', args: ['x'.repeat(100 * 1024)] }));
    expect((await bad.closed).code).toBe(1009);
    expect(await good.command('app.info', [])).toMatchObject({ ok: true });
    expect(host.sockets).toBe(1);
  });

  it('carries a vCard import of VCARD_TEXT_MAX characters, even when every one takes three bytes', async () => {
    const { host } = await start();
    const browser = await client(host);
    const head = 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nNOTE:';
    const tail = '\r\nEND:VCARD\r\n';
    const text = head + '語'.repeat(VCARD_TEXT_MAX - head.length - tail.length) + tail;
    expect(text).toHaveLength(VCARD_TEXT_MAX);
    expect(await answerOrClose(browser, 'contacts.importVcard', [text])).toEqual({
      ok: true,
      value: { imported: 1, skipped: [] },
    });
    // One character more is refused by the contract, as an answer rather than a dropped socket.
    expect(await answerOrClose(browser, 'contacts.importVcard', [`${text}x`])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(host.sockets).toBe(1);
    // Past the frame bound the socket is closed before anything parses the frame.
    const flooding = await client(host);
    expect(await answerOrClose(flooding, 'contacts.importVcard', ['x'.repeat(WEB_FRAME_MAX_BYTES)])).toEqual({
      closedWith: 1009,
    });
  });

  it('answers a vCard export of VCARD_TEXT_MAX three-byte characters to a tab that reads it', async () => {
    const { host, engine } = await start();
    const exported = '語'.repeat(VCARD_TEXT_MAX);
    engine.override('contacts.exportVcard', () => exported);
    const browser = await client(host);
    const result = await answerOrClose(browser, 'contacts.exportVcard', [null, '4.0']);
    expect(result['ok']).toBe(true);
    expect((result['value'] as string).length).toBe(VCARD_TEXT_MAX);
    expect(host.sockets).toBe(1);
  });

  it('survives a client that hangs up with commands in flight', async () => {
    const { host, engine } = await start();
    const leaving = await client(host);
    leaving.ws.send(JSON.stringify({ type: 'command', id: 1, name: 'accounts.registerNow', args: ['a1'] }));
    await until(() => engine.pending.length === 1);
    leaving.ws.terminate();
    await until(() => host.sockets === 0);
    engine.pending[0]!();
    const staying = await client(host);
    expect(await staying.command('app.info', [])).toMatchObject({ ok: true });
  });

  it('limits commands in flight per socket', async () => {
    const { host, engine } = await start({ maxInFlight: 2 });
    const browser = await client(host);
    const first = browser.command('accounts.registerNow', ['a1']);
    const second = browser.command('accounts.registerNow', ['a2']);
    expect(await browser.command('accounts.registerNow', ['a3'])).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    await until(() => engine.pending.length === 2);
    for (const release of engine.pending) release();
    expect(await first).toEqual({ ok: true, value: null });
    expect(await second).toEqual({ ok: true, value: null });
    expect(await browser.command('app.info', [])).toMatchObject({ ok: true });
  });
});

describe('events', () => {
  it('broadcasts engine events to every connected socket', async () => {
    const { host, engine } = await start();
    const one = await client(host);
    const two = await client(host);
    engine.emit('registration.changed', status);
    engine.emit('dialpad.open', { uri: 'sip:bob@example.com' });
    for (const browser of [one, two]) {
      await browser.waitFor((f) => f['name'] === 'dialpad.open');
      expect(browser.events()).toEqual([
        { type: 'event', name: 'registration.changed', payload: status },
        { type: 'event', name: 'dialpad.open', payload: { uri: 'sip:bob@example.com' } },
      ]);
    }
  });

  it('drops a socket that stops reading without holding up the others', async () => {
    const { host, engine, port } = await start({ maxBufferedBytes: 256 * 1024 });
    const good = await client(host);
    const stuck = await openStuckSocket(port, host.token);
    try {
      await until(() => host.sockets === 2);
      const detail = 'x'.repeat(32 * 1024);
      let sent = 0;
      // Loopback buffers absorb a few megabytes before the server side starts to queue.
      while (host.sockets === 2 && sent < 4000) {
        engine.emit('registration.changed', { ...status, detail, retryInMs: sent });
        sent++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(host.sockets).toBe(1);
      engine.emit('dialpad.open', { uri: 'sip:last@example.com' });
      await good.waitFor((f) => f['name'] === 'dialpad.open');
      expect(good.events()).toHaveLength(sent + 1);
    } finally {
      stuck.destroy();
    }
  });
});

describe('closing', () => {
  it('says goodbye to sockets, stops listening and unsubscribes', async () => {
    const { host, engine, port } = await start();
    const one = await client(host);
    const two = await client(host);
    expect(engine.listenerCount()).toBe(1);
    await host.close();
    expect((await one.closed).code).toBe(1001);
    expect((await two.closed).code).toBe(1001);
    expect(engine.listenerCount()).toBe(0);
    await expect(get(port, '/')).rejects.toThrow(/ECONNREFUSED/);
    await host.close();
  });

  it('does not wait forever for a socket that never answers the close', async () => {
    const { host, port } = await start();
    const stuck = await openStuckSocket(port, host.token);
    await until(() => host.sockets === 1);
    const started = performance.now();
    await host.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    stuck.destroy();
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
