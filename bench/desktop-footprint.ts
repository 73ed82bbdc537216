// Desktop-app footprint: (1) engine RSS while idle with two accounts registered to Kamailio, side by side with
// baresip holding the same two registrations; (2) web-host cold start to first paint of the app frame in Chromium,
// side by side with a bare static file server serving the same built renderer (the floor a host can reach).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { startKamailio } from '../test/interop/support/kamailio';
import { freePort } from '../test/interop/support/ports';
import type { Benchmark } from './benchmark';
import { CHROMIUM_ARGS, chromiumPath } from '../test/support/chromium';

const ROOT = join(import.meta.dirname, '..');
const RENDERER = join(ROOT, 'out', 'renderer');
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function lineFrom(
  child: ChildProcess,
  accept: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (accept(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before the line`)));
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Bundles the fixture as electron-vite bundles the main process, so the figure is the engine's and not the
 * TypeScript loader's (running through tsx adds its compiler and caches to the heap).
 */
async function bundleEngineFixture(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(ROOT, 'out', 'bench', 'engine-idle.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'engine-idle.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

async function engineIdleRss(fixture: string, kamailioPort: number): Promise<number> {
  const child = spawn(process.execPath, [fixture, String(kamailioPort), '5000'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await lineFrom(child, (l) => l.startsWith('{'), 30_000);
  await new Promise((resolve) => child.on('exit', resolve));
  return (JSON.parse(line) as { rss: number }).rss;
}

async function emptyNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1e9)'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rss = rssOf(child.pid!);
  child.kill();
  await new Promise((resolve) => child.on('exit', resolve));
  return rss;
}

async function baresipIdleRss(kamailioPort: number, ulCount: () => Promise<number>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-bench-baresip-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config'),
    [
      `sip_listen 127.0.0.1:${port}`,
      'net_interface 127.0.0.1',
      'dns_server 127.0.0.1:53',
      'module_path /usr/lib/baresip/modules',
      'module account.so',
      'module g711.so',
      'module opus.so',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'accounts'),
    [
      `<sip:alice@example.test>;auth_pass=secret;outbound="sip:127.0.0.1:${kamailioPort}";regint=600`,
      `<sip:bob@example.test>;auth_pass=bob-pw;outbound="sip:127.0.0.1:${kamailioPort}";regint=600`,
    ].join('\n') + '\n',
  );
  const child = spawn('baresip', ['-f', dir], { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    const deadline = Date.now() + 15_000;
    while ((await ulCount()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 5000));
    return rssOf(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from starting the host to the first contentful paint, and to the app frame (nav) being visible. */
async function coldStart(
  startHost: () => Promise<{ url: string; stop: () => Promise<void> }>,
  frame: string,
) {
  const browser = await chromium.launch({
    executablePath: chromiumPath() ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage();
    const t0 = performance.now();
    const host = await startHost();
    const ready = performance.now() - t0;
    const navigationStarted = performance.now() - t0;
    await page.goto(host.url);
    await page.waitForSelector(frame, { state: 'visible', timeout: 15_000 }).catch(async (error: unknown) => {
      await page.screenshot({ path: join(ROOT, 'test-results', 'bench-cold-start-failure.png') });
      throw error;
    });
    const frameVisible = performance.now() - t0;
    const fcp = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    );
    await host.stop();
    return { ready, firstPaint: navigationStarted + fcp, frameVisible };
  } finally {
    await browser.close();
  }
}

async function startWebHost(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'main', 'web', 'main.ts'), '--port', '0', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const line = await lineFrom(child, (l) => l.includes('"event":"web-host"'), 30_000);
  const url = (JSON.parse(line) as { url: string }).url;
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

async function startStaticServer() {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent((request.url ?? '/').split(/[?#]/)[0]!)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(RENDERER, path === '/' ? 'index.html' : path);
    if (!file.startsWith(RENDERER) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const benchmark: Benchmark = {
  section: 'Desktop app footprint',
  async run() {
    if (!existsSync(join(RENDERER, 'index.html')))
      execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'secret' },
        { username: 'bob', password: 'bob-pw' },
      ],
    });
    const nodeFloor = await emptyNodeRss();
    const fixture = await bundleEngineFixture();
    const ours: number[] = [];
    const baresip: number[] = [];
    const ulCount = async () => (await kamailio.ulDump()).length;
    try {
      for (let round = 0; round < 3; round++) {
        process.stderr.write(`  footprint round ${round + 1}/3\n`);
        ours.push(await engineIdleRss(fixture, kamailio.port));
        await kamailio.rpc('ul.rm', 'location', 'alice').catch(() => undefined);
        await kamailio.rpc('ul.rm', 'location', 'bob').catch(() => undefined);
        baresip.push(await baresipIdleRss(kamailio.port, ulCount));
        await kamailio.rpc('ul.rm', 'location', 'alice').catch(() => undefined);
        await kamailio.rpc('ul.rm', 'location', 'bob').catch(() => undefined);
      }
    } finally {
      await kamailio.stop();
    }

    const web: Array<{ ready: number; firstPaint: number; frameVisible: number }> = [];
    const plain: Array<{ ready: number; firstPaint: number; frameVisible: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`  cold start round ${round + 1}/${ROUNDS}\n`);
      const dataDir = mkdtempSync(join(tmpdir(), 'softphone-bench-web-'));
      try {
        web.push(await coldStart(() => startWebHost(dataDir), 'nav[aria-label="Views"]'));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
      // Without the host there is no token, so the renderer's first screen is its "needs its access address" card.
      plain.push(await coldStart(startStaticServer, '#app > *'));
    }
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const ms = (values: number[]) => Math.round(median(values)).toString();
    return [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, one run, medians.`,
      '',
      '**Idle memory with two registered accounts** (UDP, Kamailio on 127.0.0.1, 5 s idle after both registered; 3 rounds):',
      '',
      '| process | RSS (median) | rounds |',
      '| --- | ---: | --- |',
      `| softphone engine, bundled as in the app (Node ${process.version}, store + 1 user agent) | ${mb(median(ours))} MB | ${ours.map(mb).join(', ')} |`,
      `| baresip 1.0 (account, g711, opus modules) | ${mb(median(baresip))} MB | ${baresip.map(mb).join(', ')} |`,
      `| empty Node.js process (the runtime's own floor) | ${mb(nodeFloor)} MB | 1 |`,
      '',
      'Most of the engine figure is the Node.js runtime, which the Electron main process carries anyway.',
      '',
      `**Web host cold start to first paint in Chromium** (${ROUNDS} rounds, Chromium already running; times from spawning the host):`,
      '',
      '| host | ready to serve | first contentful paint | first screen visible |',
      '| --- | ---: | ---: | ---: |',
      `| \`npm run web\` host (engine + store + WebSocket; app frame with navigation) | ${ms(web.map((r) => r.ready))} ms | ${ms(web.map((r) => r.firstPaint))} ms | ${ms(web.map((r) => r.frameVisible))} ms |`,
      `| bare Node static server, same renderer, no engine (floor; its first screen is the no-token card) | ${ms(plain.map((r) => r.ready))} ms | ${ms(plain.map((r) => r.firstPaint))} ms | ${ms(plain.map((r) => r.frameVisible))} ms |`,
      '',
    ].join('\n');
  },
};
