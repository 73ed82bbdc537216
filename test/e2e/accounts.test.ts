// The account journey a person takes, in Debian's Chromium against `npm run web`'s host and a real Kamailio:
// a wrong password is explained, fixing it registers, the account survives a restart of the host and registers
// again, and deleting it unregisters (the binding leaves Kamailio's location table). Screenshots of each step go to
// test-results/e2e/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KamailioHandle, startKamailio } from '../interop/support/kamailio';
import { peersAvailable } from '../interop/support/peers';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { type WebHostProcess, startWebHost } from './support/web-host-process';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-results', 'e2e');
const peers = peersAvailable();

describe.skipIf(!peers.kamailio || !peers.chromium)('account journey in the browser', () => {
  let kamailio: KamailioHandle;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let host: WebHostProcess | undefined;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    kamailio = await startKamailio({ users: [{ username: 'alice', password: 'secret' }] });
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-e2e-'));
    browser = await chromium.launch({
      executablePath: chromiumPath()!,
      args: [...CHROMIUM_ARGS],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await kamailio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const bindings = async () => (await kamailio.ulDump()).filter((binding) => binding.aor === 'alice');
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  async function openSettings(): Promise<void> {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  }

  it('explains a wrong password, registers once it is fixed, survives a restart, and unregisters on delete', async () => {
    host = await startWebHost(dataDir);
    await page.goto(host.url);
    await openSettings();
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByLabel('Display name').fill('Alice');
    await page.getByLabel('SIP address').fill('sip:alice@example.test');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByLabel('Outbound proxy').fill(`sip:127.0.0.1:${kamailio.port}`);
    await page.getByRole('button', { name: 'Save and test' }).click();

    await expect
      .poll(() => page.getByText('The password was not accepted.').isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);
    await expect
      .poll(() =>
        page
          .getByText(/401 Unauthorized/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await shot('01-wrong-password');
    expect(await bindings()).toHaveLength(0);

    await page.getByLabel('Password', { exact: true }).fill('secret');
    await page.getByRole('button', { name: 'Save and test' }).click();
    await expect
      .poll(() => page.locator('[role="status"]').filter({ hasText: 'Registered' }).first().isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);
    await shot('02-registered');
    expect(await bindings()).toHaveLength(1);

    // Restart the host: the account is still there (SQLite) and registers again by itself.
    expect(await host.stop()).toBe(0);
    expect(await bindings()).toHaveLength(0);
    host = await startWebHost(dataDir);
    await page.goto(host.url);
    await openSettings();
    await expect
      .poll(() => page.getByText('sip:alice@example.test').first().isVisible(), { timeout: 15_000 })
      .toBe(true);
    await expect.poll(async () => (await bindings()).length, { timeout: 15_000 }).toBe(1);
    await expect
      .poll(() => page.getByText('Registered', { exact: true }).first().isVisible(), { timeout: 15_000 })
      .toBe(true);
    await shot('03-after-restart');

    // Delete: confirm, and the binding leaves Kamailio.
    await page.getByText('sip:alice@example.test').first().click();
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await shot('04-confirm-delete');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(async () => (await bindings()).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByText('sip:alice@example.test').count()).toBe(0);
    await shot('05-deleted');
  });

  it('shows a clear error screen, not a blank window, when the database file is corrupt', async () => {
    const brokenDir = mkdtempSync(join(tmpdir(), 'softphone-e2e-corrupt-'));
    writeFileSync(
      join(brokenDir, 'softphone.sqlite'),
      'this is not a SQLite database, just some bytes '.repeat(100),
    );
    const broken = await startWebHost(brokenDir);
    try {
      await page.goto(broken.url);
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.isVisible(), { timeout: 15_000 }).toBe(true);
      const text = await alert.textContent();
      expect(text).toContain(join(brokenDir, 'softphone.sqlite'));
      // The engine sent kind `corrupt`; the window's words for it say so and what to do.
      expect(text).toContain('is damaged and cannot be read');
      expect(text).toContain('SQLITE_NOTADB');
      await shot('06-corrupt-database');
    } finally {
      await broken.stop();
      rmSync(brokenDir, { recursive: true, force: true });
    }
  });
});
