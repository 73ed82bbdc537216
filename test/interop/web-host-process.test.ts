// `npm run web` as a person runs it (minus the build): the real engine in a child process behind the web host,
// reached over real sockets, stopped with SIGTERM.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, openSocket, refusalStatus } from '../unit/web/web-client';

const MAIN = resolve(import.meta.dirname, '../../main/web/main.ts');

describe('npm run web (process)', () => {
  let base: string;
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'web-host-process-'));
    await mkdir(join(base, 'renderer'));
    await writeFile(join(base, 'renderer', 'index.html'), '<!doctype html><title>Softphone</title>');
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--port',
        '0',
        '--data-dir',
        join(base, 'data'),
        '--renderer-dir',
        join(base, 'renderer'),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: resolve(import.meta.dirname, '../..') },
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    exited = new Promise((done) => child.on('exit', (code) => done(code)));
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(base, { recursive: true, force: true });
  });

  async function announced(): Promise<{ url: string; port: number; origin: string }> {
    const deadline = performance.now() + 30_000;
    for (;;) {
      const line = stdout.split('\n').find((text) => text.startsWith('{"event":"web-host"'));
      if (line) return JSON.parse(line) as { url: string; port: number; origin: string };
      if (child.exitCode !== null) throw new Error(`web host exited (${child.exitCode}):\n${stderr}`);
      if (performance.now() > deadline) throw new Error(`no URL printed:\n${stdout}\n${stderr}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  it('refuses a second host on the same data folder, naming the folder and the first host process', async () => {
    await announced();
    const second = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--port',
        '0',
        '--data-dir',
        join(base, 'data'),
        '--renderer-dir',
        join(base, 'renderer'),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: resolve(import.meta.dirname, '../..') },
    );
    let secondOut = '';
    let secondErr = '';
    second.stdout.setEncoding('utf8').on('data', (chunk: string) => (secondOut += chunk));
    second.stderr.setEncoding('utf8').on('data', (chunk: string) => (secondErr += chunk));
    const code = await new Promise<number | null>((done) => second.on('exit', (exitCode) => done(exitCode)));
    expect(code).not.toBe(0);
    expect(secondErr).toContain(
      `The data folder ${join(base, 'data')} is in use by another softphone engine`,
    );
    expect(secondErr).toContain(`process ${child.pid}`);
    expect(secondOut).not.toContain('"event":"web-host"');
  });

  it('prints the URL, serves the page and the contract, refuses strangers, and stops on SIGTERM', async () => {
    const { url, port, origin } = await announced();
    const token = new URL(url).hash.replace(/^#token=/, '');
    expect(url).toBe(`http://127.0.0.1:${port}/#token=${token}`);
    expect(origin).toBe(`http://127.0.0.1:${port}`);
    expect(stdout).toContain(`Softphone web host: ${url}`);
    expect((await stat(join(base, 'data'))).isDirectory()).toBe(true);

    expect((await get(port, '/')).status).toBe(200);
    expect(await refusalStatus(openSocket(port))).toBe(401);
    expect(await refusalStatus(openSocket(port, { token, origin: 'https://evil.example' }))).toBe(403);

    const browser = await openSocket(port, { token });
    expect(await browser.command('app.info', [])).toMatchObject({
      ok: true,
      value: { host: 'web', storageError: null },
    });
    expect(await browser.command('accounts.list', [])).toEqual({ ok: true, value: [] });
    expect(await browser.command('accounts.create', [{ aor: 'nope' }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });

    child.kill('SIGTERM');
    expect((await browser.closed).code).toBe(1001);
    expect(await exited).toBe(0);
    expect(stdout).toContain('{"event":"web-host-stopped"}');
  });
});
