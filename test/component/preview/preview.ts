// Manual visual check of the renderer (not part of `npm test`): builds it, serves it on 127.0.0.1, loads it in
// Debian's Chromium with a fake `window.softphone`, and saves screenshots of the main screens at 360×640,
// 800×600 and 1280×800 in light and dark. Run: `npx tsx test/component/preview/preview.ts [outDir] [shot,shot…]`; then
// look at the PNGs.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { fakeSoftphone, type Scenario } from './fake-softphone';
import { CHROMIUM_ARGS } from '../../support/chromium';

const root = resolve(import.meta.dirname, '../../..');
const outDir = resolve(process.argv[2] ?? join(root, 'test-results/preview'));
/** Optional: a comma-separated list of shot names to take, instead of all of them. */
const only = process.argv[3]?.split(',') ?? null;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

async function buildRenderer(into: string): Promise<void> {
  await build({
    configFile: false,
    root: join(root, 'renderer'),
    base: './',
    logLevel: 'warn',
    plugins: [svelte({ configFile: false })],
    build: { outDir: into, emptyOutDir: true },
  });
}

function serve(dir: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    stat(file).then(
      () => {
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

interface Shot {
  readonly name: string;
  readonly scenario: Scenario;
  /** Drives the page into the state to capture. */
  readonly act?: (page: Page, narrow: boolean) => Promise<void>;
}

const shots: readonly Shot[] = [
  { name: 'dialpad', scenario: 'accounts' },
  {
    name: 'settings',
    scenario: 'accounts',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click();
    },
  },
  {
    name: 'editor-failed',
    scenario: 'accounts',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('button', { name: /^Edit Home/ }).click();
      await page.getByRole('button', { name: 'Save and test' }).click();
      await page.getByText('The password was not accepted.').waitFor();
    },
  },
  {
    name: 'editor-registered',
    scenario: 'accounts',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('button', { name: /^Edit Office/ }).click();
      await page.getByRole('button', { name: 'Save and test' }).click();
      await page.getByText('The server accepted').waitFor();
    },
  },
  {
    name: 'editor-new-invalid',
    scenario: 'empty',
    act: async (page) => {
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.getByLabel('SIP address').fill('example.com');
      await page.getByLabel('Outbound proxy').fill('sip:proxy..example.com');
      await page.getByText('Advanced').click();
      await page.getByLabel(/Registration interval/).fill('10');
      await page.getByRole('button', { name: 'Save and test' }).click();
    },
  },
  {
    name: 'delete-confirm',
    scenario: 'accounts',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('button', { name: /^Edit Lab/ }).click();
      await page.getByRole('button', { name: 'Delete account…' }).click();
    },
  },
  { name: 'call', scenario: 'calls' },
  {
    name: 'call-quality-keypad',
    scenario: 'calls',
    act: async (page) => {
      await page.getByRole('button', { name: /^Quality/ }).click();
      await page.getByRole('button', { name: 'Keypad' }).click();
    },
  },
  {
    name: 'call-transfer',
    scenario: 'calls',
    act: async (page) => {
      await page.getByRole('button', { name: 'Transfer' }).click();
    },
  },
  { name: 'incoming-hostile', scenario: 'incoming' },
  {
    name: 'history',
    scenario: 'calls',
    act: async (page) => {
      await page.getByRole('button', { name: /^History/ }).click();
    },
  },
  {
    name: 'dialpad-suggestions',
    scenario: 'accounts',
    act: async (page) => {
      await page.getByLabel('Number or SIP address').fill('bo');
    },
  },
  {
    name: 'chat-list',
    scenario: 'chat',
    act: async (page) => {
      await page.getByRole('button', { name: /^Chat/ }).click();
    },
  },
  {
    name: 'chat-thread',
    scenario: 'chat',
    act: async (page) => {
      await page.getByRole('button', { name: /^Chat/ }).click();
      await page.getByRole('button', { name: /^Bob Example/ }).click();
      await page.getByText('is typing…').waitFor();
    },
  },
  {
    name: 'chat-search',
    scenario: 'chat',
    act: async (page) => {
      await page.getByRole('button', { name: /^Chat/ }).click();
      await page.getByRole('searchbox', { name: 'Search messages' }).fill('lunch');
      await page.getByRole('list', { name: 'Messages found' }).waitFor();
    },
  },
  {
    name: 'chat-notice',
    scenario: 'chat',
    act: async (page) => {
      await page.evaluate(() => {
        const emit = (globalThis as unknown as { __softphoneEmit: (name: string, payload: unknown) => void })
          .__softphoneEmit;
        emit('message.changed', {
          id: 'live',
          conversationId: 'carol',
          direction: 'incoming',
          body: 'Did you see the new schedule? It moves the review to Thursday.',
          sentAt: Date.now(),
          deliveredAt: Date.now(),
          delivery: 'received',
          failure: null,
        });
      });
      await page.getByRole('button', { name: 'Open' }).waitFor();
    },
  },
  {
    name: 'buddies',
    scenario: 'people',
    act: async (page) => {
      await page.getByRole('button', { name: 'Buddies' }).click();
    },
  },
  {
    name: 'contacts',
    scenario: 'people',
    act: async (page) => {
      await page.getByRole('button', { name: 'Contacts' }).click();
    },
  },
  {
    name: 'contact-detail',
    scenario: 'people',
    act: async (page) => {
      await page.getByRole('button', { name: 'Contacts' }).click();
      await page.getByRole('option', { name: /Bob Example/ }).click();
    },
  },
  {
    name: 'contact-editor',
    scenario: 'people',
    act: async (page) => {
      await page.getByRole('button', { name: 'Contacts' }).click();
      await page.getByRole('option', { name: /Bob Example/ }).click();
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByRole('textbox', { name: 'SIP address 1' }).fill('bob at pbx');
      await page.getByRole('button', { name: 'Save' }).click();
    },
  },
  {
    name: 'contacts-5000-search',
    scenario: 'contacts-5000',
    act: async (page) => {
      await page.getByRole('button', { name: 'Contacts' }).click();
      await page.getByRole('searchbox', { name: 'Search contacts' }).fill('maria gar');
    },
  },
  {
    name: 'own-status',
    scenario: 'people',
    act: async (page) => {
      await page.getByRole('button', { name: /^Your status/ }).click();
    },
  },
  { name: 'empty', scenario: 'empty' },
  { name: 'storage-error', scenario: 'storage-error' },
];

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'softphone-preview-'));
  const site = join(work, 'site');
  await buildRenderer(site);
  const server = await serve(site);
  const { port } = server.address() as AddressInfo;
  await mkdir(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  const written: string[] = [];
  const problems: string[] = [];
  try {
    for (const [width, height] of [
      [360, 640],
      [800, 600],
      [1280, 800],
    ] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const shot of shots.filter((item) => only === null || only.includes(item.name))) {
          const context = await browser.newContext({ viewport: { width, height }, colorScheme });
          const page = await context.newPage();
          page.on('console', (message) => {
            if (message.type() === 'error') problems.push(`${shot.name}: ${message.text()}`);
          });
          page.on('pageerror', (error) => problems.push(`${shot.name}: ${error.message}`));
          // tsx (esbuild) wraps named functions in a __name() helper that the page does not have.
          await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
          await page.addInitScript(fakeSoftphone, shot.scenario);
          await page.goto(`http://127.0.0.1:${port}/`);
          await page.locator('main').first().waitFor();
          await page.waitForTimeout(300);
          await shot.act?.(page, width < 720);
          await page.waitForTimeout(250);
          const file = join(outDir, `${shot.name}-${width}x${height}-${colorScheme}.png`);
          await page.screenshot({ path: file, fullPage: false });
          written.push(file);
          await context.close();
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
    await rm(work, { recursive: true, force: true });
  }
  console.log(written.join('\n'));
  if (problems.length > 0) {
    console.error(`page errors:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
}

await main();
