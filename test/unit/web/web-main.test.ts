import { mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFolderInUseError } from '../../../main/services/engine';
import { FileKeyCipher } from '../../../main/store/file-key-cipher';
import { ManualClock } from '../../support/manual-clock';
import { type WebEngineFactory, runWebHost, startFailureLine } from '../../../main/web/web-main';
import { createFakeEngine } from './fake-engine';
import { get } from './web-client';

let base: string;
let rendererDir: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'web-main-')));
  rendererDir = join(base, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Softphone</title>');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

class Capture extends Writable {
  text = '';
  #waiters: (() => void)[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    for (const wake of this.#waiters.splice(0)) wake();
    done();
  }
  async line(match: RegExp): Promise<string> {
    for (;;) {
      const found = this.text.split('\n').find((line) => match.test(line));
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

function harness(options: { shutdown?: () => Promise<void> } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const log: string[] = [];
  let stop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stop = resolve));
  const created: Parameters<WebEngineFactory>[0][] = [];
  const createEngine: WebEngineFactory = async (engineOptions) => {
    created.push(engineOptions);
    return {
      ...createFakeEngine(),
      shutdown: async (timeoutMs) => {
        log.push(`shutdown ${timeoutMs}`);
        await (options.shutdown ?? (async () => undefined))();
      },
    };
  };
  return {
    stdout,
    stderr,
    log,
    created,
    stop: () => stop(),
    deps: { createEngine, rendererDir, stopRequested, stdout, stderr, env: {}, shutdownTimeoutMs: 50 },
  };
}

describe('runWebHost', () => {
  it('starts the engine in the data folder, prints the URL, and stops in order', async () => {
    const h = harness();
    const dataDir = join(base, 'data-1');
    const running = runWebHost(['--port', '0', '--data-dir', dataDir], h.deps);
    const json = JSON.parse(await h.stdout.line(/^\{"event":"web-host"/)) as {
      url: string;
      port: number;
      origin: string;
    };
    expect(json.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(json.origin).toBe(`http://127.0.0.1:${json.port}`);
    expect(h.stdout.text).toContain(`Softphone web host: ${json.url}\n`);
    expect((await get(json.port, '/')).status).toBe(200);

    expect(h.created).toHaveLength(1);
    expect(h.created[0]).toMatchObject({ dataDir, host: 'web', warmMediaAtStart: true });
    expect(h.created[0]!.secrets).toBeInstanceOf(FileKeyCipher);
    expect((h.created[0]!.secrets as FileKeyCipher).keyPath).toBe(join(dataDir, 'secret.key'));
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);

    h.stop();
    expect(await running).toBe(0);
    expect(h.log).toEqual(['shutdown 50']);
    expect(h.stdout.text).toContain('{"event":"web-host-stopped"}');
    await expect(get(json.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('still stops when the engine never finishes shutting down (bounded on the injected clock)', async () => {
    const h = harness({ shutdown: () => new Promise<void>(() => undefined) });
    const clock = new ManualClock();
    const running = runWebHost(['--data-dir', join(base, 'data-2')], { ...h.deps, clock });
    await h.stdout.line(/^\{"event":"web-host"/);
    h.stop();
    let done = false;
    void running.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(2_049);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    clock.advance(1);
    expect(await running).toBe(0);
    expect(h.stderr.text).toContain('engine shutdown did not finish');
  });

  it('says to build first when the interface is missing, before touching the engine', async () => {
    const h = harness();
    const code = await runWebHost(
      ['--data-dir', join(base, 'data-3'), '--renderer-dir', join(base, 'nothing')],
      h.deps,
    );
    expect(code).toBe(1);
    expect(h.stderr.text).toContain('npm run build');
    expect(h.created).toHaveLength(0);
  });

  it('reports a port in use and shuts the engine down', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const h = harness();
      const code = await runWebHost(['--port', String(port), '--data-dir', join(base, 'data-4')], h.deps);
      expect(code).toBe(1);
      expect(h.stderr.text).toMatch(/could not start.*EADDRINUSE/);
      expect(h.log).toEqual(['shutdown 50']);
    } finally {
      blocker.close();
    }
  });

  it('says why and exits 1 when the engine refuses to start (another engine holds the data folder)', async () => {
    const h = harness();
    const dataDir = join(base, 'data-5');
    const code = await runWebHost(['--data-dir', dataDir], {
      ...h.deps,
      createEngine: async () => {
        throw new DataFolderInUseError(
          { kind: 'in-use', path: join(dataDir, 'softphone.sqlite'), detail: 'SQLITE_BUSY', holderPid: 4242 },
          dataDir,
        );
      },
    });
    expect(code).toBe(1);
    // The terminal gets the host's own sentence, built from the engine's data.
    expect(h.stderr.text).toContain(
      `The web host could not start: The data folder ${dataDir} is in use by another softphone engine, process 4242`,
    );
    expect(h.stderr.text).toContain('--data-dir');
    expect(h.stdout.text).not.toContain('"event":"web-host"');
  });

  it('words a folder in use without a known holder, and passes any other failure on as it is', () => {
    const unnamed = new DataFolderInUseError(
      { kind: 'in-use', path: '/d/softphone.sqlite', detail: 'SQLITE_BUSY', holderPid: null },
      '/d',
    );
    expect(startFailureLine(unnamed)).toMatch(
      /^The data folder \/d is in use by another softphone engine \(/,
    );
    expect(startFailureLine(new Error('EADDRINUSE'))).toBe('EADDRINUSE');
    expect(startFailureLine('odd')).toBe('odd');
  });

  it('answers usage errors with 2 and --help with 0', async () => {
    const bad = harness();
    expect(await runWebHost(['--port', 'x'], bad.deps)).toBe(2);
    expect(bad.stderr.text).toContain('usage: npm run web');
    const help = harness();
    expect(await runWebHost(['--help'], help.deps)).toBe(0);
    expect(help.stdout.text).toContain('--data-dir');
    expect(bad.created.length + help.created.length).toBe(0);
  });
});
