// The window's audio pieces as the web host serves them (its CSP and Permissions-Policy headers, the built
// renderer under out/): both worklet modules load and register their processors, and the settings' Audio section
// lists Chromium's fake devices and shows the fake microphone's level. Needs `npm run build` first, like every
// web-host test.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable } from '../interop/support/peers';
import { writeToneFixture } from '../support/audio/tone-fixture';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { type WebHostProcess, startWebHost } from './support/web-host-process';

const ASSETS = resolve(import.meta.dirname, '..', '..', 'out', 'renderer', 'assets');

describe.skipIf(!peersAvailable().chromium)('window audio through the web host', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let host: WebHostProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-e2e-audio-'));
    const tone = await writeToneFixture(dir, { frequencyHz: 440, durationS: 10 });
    browser = await chromium.launch({
      executablePath: chromiumPath()!,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${tone.path}`,
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    host = await startWebHost(join(dir, 'data'));
    await page.goto(host.url);
  });

  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads both worklet modules under the host’s CSP and registers their processors', async () => {
    const worklets = readdirSync(ASSETS).filter((name) => /^(capture|playback)\.worklet-.*\.js$/.test(name));
    expect(worklets).toHaveLength(2);
    const errors = await page.evaluate(async (names) => {
      // Runs in the page (the Node types here have no DOM): the page's own AudioContext, its own CSP.
      const scope = globalThis as unknown as {
        AudioContext: new () => {
          audioWorklet: { addModule(url: string): Promise<void> };
          close(): Promise<void>;
        };
        AudioWorkletNode: new (context: unknown, name: string, options?: unknown) => unknown;
      };
      const context = new scope.AudioContext();
      const failures: string[] = [];
      for (const name of names) {
        try {
          await context.audioWorklet.addModule(`./assets/${name}`);
        } catch (error) {
          failures.push(`${name}: ${String(error)}`);
        }
      }
      for (const processor of ['softphone-capture', 'softphone-playback']) {
        try {
          new scope.AudioWorkletNode(context, processor, {
            processorOptions: { targetMs: 40, capacityMs: 120 },
          });
        } catch (error) {
          failures.push(`${processor}: ${String(error)}`);
        }
      }
      await context.close();
      return failures;
    }, worklets);
    expect(errors).toEqual([]);
  });

  it('lists the fake devices in Settings › Audio and shows the fake microphone’s level', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const audio = page.getByRole('region', { name: 'Audio' });
    await audio.getByRole('button', { name: 'Test microphone' }).click();
    const meter = audio.getByRole('meter', { name: 'Microphone level' });
    // A 0.5-peak tone is −9 dBFS: about 85 % of the meter's −60..0 dB.
    await expect
      .poll(async () =>
        Number(await meter.evaluate((element) => (element as unknown as { value: number }).value)),
      )
      .toBeGreaterThan(0.7);
    // Once the microphone is allowed, the browser names its devices.
    const microphones = await audio.getByLabel('Microphone').locator('option').allTextContents();
    expect(microphones[0]).toBe('System default microphone');
    expect(microphones.length).toBeGreaterThan(1);
    expect(microphones.slice(1).every((label) => label.length > 0 && !/^Microphone \d+$/.test(label))).toBe(
      true,
    );
    // For a person to look at: the section while the meter runs, wide and narrow, light and dark.
    const shots = join(resolve(import.meta.dirname, '..', '..'), 'test-results', 'e2e');
    mkdirSync(shots, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const size of [
        { width: 1280, height: 800 },
        { width: 360, height: 640 },
      ]) {
        await page.setViewportSize(size);
        await audio.screenshot({
          path: join(shots, `settings-audio-${size.width}x${size.height}-${scheme}.png`),
        });
      }
    }
    await audio.getByRole('button', { name: 'Stop microphone test' }).click();
    expect(Number(await meter.evaluate((element) => (element as unknown as { value: number }).value))).toBe(
      0,
    );
  });
});
