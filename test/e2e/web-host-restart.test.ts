// A tab left open across a restart of `npm run web`: the new host has a new token, so the old tab's socket is
// refused. The tab must say so plainly (not "Reconnecting…" for ever), and pasting the new address into it — which
// changes only the fragment, so the page does not reload — must reconnect it and show the accounts again.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable } from '../interop/support/peers';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { type WebHostProcess, startWebHost } from './support/web-host-process';

const SHOTS = join(resolve(import.meta.dirname, '..', '..'), 'test-results', 'e2e');

describe.skipIf(!peersAvailable().chromium)('a tab across a web host restart', () => {
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let host: WebHostProcess | undefined;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-e2e-restart-'));
    browser = await chromium.launch({ executablePath: chromiumPath()!, args: [...CHROMIUM_ARGS] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const statusBar = () => page.getByRole('region', { name: 'Registration status' });

  it('says the host restarted, then takes the pasted new address without a reload and shows the accounts', async () => {
    host = await startWebHost(dataDir);
    const { port } = host;
    await page.goto(host.url);
    // The token leaves the visible address at once.
    await expect.poll(() => page.url()).toBe(`http://127.0.0.1:${port}/`);

    // One account, kept but not registered: no SIP server is needed to show it.
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByLabel('Display name').fill('Desk');
    await page.getByLabel('SIP address').fill('desk@example.test');
    await page.getByLabel('Register this account').uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByText('Saved. The account is disabled').isVisible()).toBe(true);
    // The form added the scheme the address was typed without.
    expect(await page.getByLabel('SIP address').inputValue()).toBe('sip:desk@example.test');
    await expect
      .poll(() => statusBar().getByRole('button', { name: 'Desk: Disabled' }).isVisible())
      .toBe(true);

    // Restart on the same port: the host comes back with a new token.
    expect(await host.stop()).toBe(0);
    host = await startWebHost(dataDir, port);
    expect(host.url).not.toContain(new URL(page.url()).hash || '#none');

    const refused = statusBar().getByRole('alert');
    await expect.poll(() => refused.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await refused.textContent()).toContain('The web host was restarted');
    expect(await refused.textContent()).toContain('npm run web');
    await page.screenshot({ path: join(SHOTS, 'restart-01-refused.png') });

    // Paste the new address: same page, new fragment. A marker on window shows that the page was not reloaded.
    await page.evaluate(() => Object.assign(globalThis, { keptAcrossPaste: true }));
    await page.goto(host.url);
    await expect.poll(() => refused.isVisible(), { timeout: 15_000 }).toBe(false);
    expect(await page.evaluate(() => (globalThis as { keptAcrossPaste?: boolean }).keptAcrossPaste)).toBe(
      true,
    );
    await expect.poll(() => page.url()).toBe(`http://127.0.0.1:${port}/`);
    await expect
      .poll(() => statusBar().getByRole('button', { name: 'Desk: Disabled' }).isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);

    // The link is live again: a change made through the new host shows in the tab.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: /^Edit Desk/ }).click();
    await page.getByLabel('Display name').fill('Desk phone');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => statusBar().getByRole('button', { name: 'Desk phone: Disabled' }).isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);
    await page.screenshot({ path: join(SHOTS, 'restart-02-reconnected.png') });
  });
});
