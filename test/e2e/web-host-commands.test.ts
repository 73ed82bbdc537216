// The page-side command helpers of the browser tests and benchmarks, against the real web host: answers come back
// in the order asked whatever order they arrive in, an empty list resolves at once (it once waited forever), and
// round trips on one open socket are timed one by one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable } from '../interop/support/peers';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { commandRoundTripsMs, sendCommands } from './support/web-host-commands';
import { type WebHostProcess, startWebHost } from './support/web-host-process';

const peers = peersAvailable();

describe.skipIf(!peers.chromium)('commands from the page to the web host', () => {
  let dataDir: string;
  let host: WebHostProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-e2e-commands-'));
    host = await startWebHost(dataDir);
    browser = await chromium.launch({ executablePath: chromiumPath()!, args: [...CHROMIUM_ARGS] });
    page = await browser.newPage();
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers each command in the order sent, and an empty list at once', async () => {
    const results = await sendCommands(page, host.port, [
      { name: 'accounts.list', args: [] },
      { name: 'no.such.command', args: [] },
      { name: 'calls.list', args: [] },
    ]);
    expect(results).toEqual([
      { ok: true, value: [] },
      expect.objectContaining({ ok: false }),
      { ok: true, value: [] },
    ]);
    expect(await sendCommands(page, host.port, [])).toEqual([]);
  });

  it('times round trips one after another on one socket', async () => {
    const times = await commandRoundTripsMs(page, host.port, 5);
    expect(times).toHaveLength(5);
    for (const time of times) expect(time).toBeGreaterThan(0);
  });
});
