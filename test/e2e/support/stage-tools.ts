// What every browser stage needs: a teardown that stops what was started in reverse order, and screenshots of the
// page at each size in both themes.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { nextFrames } from './web-host-commands';

/** Everything started so far, stopped in reverse order whether or not the start finished. */
export class Teardown {
  readonly #steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.#steps.unshift(step);
  }

  async run(): Promise<void> {
    for (const step of this.#steps.splice(0)) await step().catch(() => undefined);
  }
}

/** The sizes and themes every screen is shot in. */
export const SCREEN_SIZES = [
  { width: 360, height: 640 },
  { width: 1280, height: 800 },
] as const;
export const THEMES = ['light', 'dark'] as const;

/**
 * Saves the page at every size of SCREEN_SIZES in both themes as NAME-THEME-WxH.png in `dir`, and puts the page back
 * to its size and the light theme.
 */
export async function shootAllScreens(page: Page, dir: string, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme });
    for (const size of SCREEN_SIZES) {
      await page.setViewportSize(size);
      await nextFrames(page);
      await page.screenshot({ path: join(dir, `${name}-${colorScheme}-${size.width}x${size.height}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (before !== null) await page.setViewportSize(before);
}
