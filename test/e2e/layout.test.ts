// The window at the sizes people use — a phone (360×640), a small window (800×600) and a laptop (1280×800) — in the
// light and dark themes, with four accounts in four states (registered against Kamailio, refused for a wrong
// password, still trying an unreachable server, disabled). Every account must stay reachable from the status bar
// (inline, or through the summary's list), nothing may hide past the bar's edge, and the editor of the failing one
// says why it is red. Screenshots go to test-results/e2e/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDto, AccountInput, RegistrationStatusDto } from '../../main/contract/contract';
import type { Result } from '../../main/contract/result';
import { type KamailioHandle, startKamailio } from '../interop/support/kamailio';
import { freeUdpPort } from '../interop/support/ports';
import { peersAvailable } from '../interop/support/peers';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { nextFrames, sendCommands } from './support/web-host-commands';
import { type WebHostProcess, startWebHost } from './support/web-host-process';

const SHOTS = join(resolve(import.meta.dirname, '..', '..'), 'test-results', 'e2e');
const peers = peersAvailable();

const SIZES = [
  { width: 360, height: 640 },
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
] as const;
const LABELS = ['Office', 'Home', 'Travel', 'Lab'];

function createAccounts(page: Page, port: number, inputs: readonly AccountInput[]): Promise<unknown[]> {
  return sendCommands(
    page,
    port,
    inputs.map((input) => ({ name: 'accounts.create', args: [input] })),
  );
}

/** Whether the account with this address has failed at least once (it may be retrying now). */
async function hasFailedOnce(page: Page, port: number, aor: string): Promise<boolean> {
  const [accounts, statuses] = (await sendCommands(page, port, [
    { name: 'accounts.list', args: [] },
    { name: 'registration.list', args: [] },
  ])) as [Result<AccountDto[], unknown>, Result<RegistrationStatusDto[], unknown>];
  if (!accounts.ok || !statuses.ok) return false;
  const account = accounts.value.find((candidate) => candidate.aor === aor);
  const status = statuses.value.find((candidate) => candidate.accountId === account?.id);
  return Boolean(status && (status.failure || status.lastFailure));
}

describe.skipIf(!peers.kamailio || !peers.chromium)('the window at phone, small and laptop sizes', () => {
  let kamailio: KamailioHandle;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let host: WebHostProcess | undefined;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'secret' },
        { username: 'bob', password: 'secret' },
      ],
    });
    dataDir = mkdtempSync(join(tmpdir(), 'softphone-e2e-layout-'));
    browser = await chromium.launch({ executablePath: chromiumPath()!, args: [...CHROMIUM_ARGS] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await kamailio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const statusBar = () => page.getByRole('region', { name: 'Registration status' });
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  it('keeps every account reachable from the status bar, and explains the failing one, in both themes', async () => {
    host = await startWebHost(dataDir);
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const proxy = `sip:127.0.0.1:${kamailio.port}`;
    // A port nothing listens on: the account keeps trying.
    const silent = `sip:127.0.0.1:${await freeUdpPort()}`;
    const base = {
      authUser: null,
      transport: 'udp',
      expires: 600,
      registrar: null,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
    } as const;
    const results = await createAccounts(page, host.port, [
      {
        ...base,
        displayName: 'Office',
        aor: 'sip:alice@example.test',
        password: 'secret',
        outboundProxy: proxy,
      },
      { ...base, displayName: 'Home', aor: 'sip:bob@example.test', password: 'wrong', outboundProxy: proxy },
      { ...base, displayName: 'Travel', aor: 'sip:carol@example.test', password: 'x', outboundProxy: silent },
      { ...base, displayName: 'Lab', aor: 'sip:dave@example.test', outboundProxy: proxy, enabled: false },
    ]);
    expect(results).toEqual(LABELS.map(() => expect.objectContaining({ ok: true })));
    for (const label of ['Office', 'Home', 'Travel', 'Lab']) {
      await page.getByRole('button', { name: new RegExp(`^Edit ${label}`) }).waitFor();
    }
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Dialpad' }).click();
    // Wait for the two outcomes Kamailio decides.
    await expect
      .poll(async () => (await kamailio.ulDump()).some((binding) => binding.aor === 'alice'), {
        timeout: 15_000,
      })
      .toBe(true);
    // Travel's silent server fails it once Timer F fires (32 s). Until then it reads "Registering…"; afterwards
    // it alternates between "Failed: no answer" and "Retrying: no answer", which the bar sizes its layout on, so
    // from here on each size has one layout.
    await expect
      .poll(() => hasFailedOnce(page, host!.port, 'sip:carol@example.test'), {
        timeout: 45_000,
        interval: 1_000,
      })
      .toBe(true);

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        // The bar picks its layout from a ResizeObserver, a frame after the resize: until then the old size's
        // layout is still on screen.
        await nextFrames(page);
        const name = `layout-${colorScheme}-${size.width}x${size.height}`;
        const bar = statusBar();
        // Nothing is hidden past the bar's edge.
        const overflow = await bar.evaluate((element) => element.scrollWidth - element.clientWidth);
        if (overflow > 1) await shot(`${name}-0-overflow`);
        expect(overflow, name).toBeLessThanOrEqual(1);

        const summary = bar.getByRole('button', { name: /^4 accounts:/ });
        await expect
          .poll(
            async () =>
              (await summary.isVisible()) ||
              (await bar.getByRole('button', { name: /^Office:/ }).isVisible()),
          )
          .toBe(true);
        if (await summary.isVisible()) {
          // Home has failed; Travel is failed or retrying.
          await expect
            .poll(async () => await summary.getAttribute('aria-label'), { timeout: 15_000 })
            .toMatch(/[12] failing/);
          await shot(`${name}-1-bar`);
          await summary.click();
          const list = bar.getByRole('list', { name: 'All accounts' });
          for (const label of LABELS) {
            const entry = list.getByRole('button', { name: new RegExp(`^${label}:`) });
            expect(await entry.isVisible(), `${name}: ${label}`).toBe(true);
            const box = (await entry.boundingBox())!;
            expect(box.x + box.width, `${name}: ${label} inside the window`).toBeLessThanOrEqual(size.width);
          }
          // The worst comes first.
          expect(await list.getByRole('button').first().getAttribute('aria-label')).toMatch(/^Home: Failed/);
          await shot(`${name}-2-list`);
          await page.keyboard.press('Escape');
          expect(await list.count()).toBe(0);
        } else {
          await expect
            .poll(() => bar.getByRole('button', { name: /^Home: Failed/ }).isVisible(), { timeout: 15_000 })
            .toBe(true);
          for (const label of LABELS) {
            const entry = bar.getByRole('button', { name: new RegExp(`^${label}:`) });
            const box = (await entry.boundingBox())!;
            expect(box.x + box.width, `${name}: ${label} inside the window`).toBeLessThanOrEqual(size.width);
            // The focus ring (2px, 2px out) is not clipped by the scrolling list around the entries.
            const ringFits = await entry.evaluate((button) => {
              const ring = button.getBoundingClientRect();
              const clip = button.closest('ul')!.getBoundingClientRect();
              return ring.top - 4 >= clip.top && ring.bottom + 4 <= clip.bottom;
            });
            expect(ringFits, `${name}: ${label} focus ring`).toBe(true);
          }
          await shot(`${name}-1-bar`);
        }

        // The failing account's editor says why it is red.
        const opener = (await summary.isVisible())
          ? async () => {
              await summary.click();
              await bar
                .getByRole('list', { name: 'All accounts' })
                .getByRole('button', { name: /^Home:/ })
                .click();
            }
          : () => bar.getByRole('button', { name: /^Home:/ }).click();
        await opener();
        const now = page.getByRole('group', { name: 'Now: Failed' });
        await expect.poll(() => now.isVisible()).toBe(true);
        expect(await now.textContent()).toMatch(/401/);
        await shot(`${name}-3-editor`);

        // Keyboard focus on the transport control shows a ring outside the selected segment.
        await page.getByLabel('Outbound proxy').focus();
        await page.keyboard.press('Tab');
        const udp = page.getByLabel('UDP');
        expect(await udp.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
        const ring = await udp.evaluate((input) => {
          const label = input.nextElementSibling!;
          const style = label.ownerDocument.defaultView!.getComputedStyle(label);
          return { style: style.outlineStyle, width: style.outlineWidth, offset: style.outlineOffset };
        });
        expect(ring).toEqual({ style: 'solid', width: '2px', offset: '2px' });
        // Focus scrolled the whole segment into view, not just the invisible radio.
        const inView = await udp.evaluate((input) => {
          const segment = input.nextElementSibling!.getBoundingClientRect();
          const content = input.closest('main')!.getBoundingClientRect();
          return segment.top >= content.top && segment.bottom <= content.bottom;
        });
        expect(inView, `${name}: focused segment in view`).toBe(true);
        const box = (await page.getByRole('group', { name: 'Transport' }).boundingBox())!;
        await page.screenshot({
          path: join(SHOTS, `${name}-4-transport-focus.png`),
          clip: { x: box.x - 8, y: box.y - 8, width: Math.min(box.width, 220) + 16, height: box.height + 16 },
        });
        await page
          .getByRole('navigation', { name: 'Views' })
          .getByRole('button', { name: 'Dialpad' })
          .click();
      }
    }
    // Travel's first failure alone takes Timer F (32 s).
  }, 180_000);
});
