// Control borders and focus rings stay visible (WCAG 1.4.11: 3:1 against what they sit on) in both themes. The
// colours are read from the custom properties in app.css, so changing one there is checked here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../../../renderer/src/lib/contrast';

const css = readFileSync(resolve(import.meta.dirname, '../../../renderer/src/styles/app.css'), 'utf8');

type Theme = 'light' | 'dark';

/** Every `--name: light-dark(#light, #dark)` in app.css, per theme. */
function themeColours(): Record<Theme, Record<string, string>> {
  const colours: Record<Theme, Record<string, string>> = { light: {}, dark: {} };
  for (const match of css.matchAll(/(--[a-z-]+):\s*light-dark\(\s*(#[0-9a-f]+)\s*,\s*(#[0-9a-f]+)\s*\)/gi)) {
    colours.light[match[1]!] = match[2]!;
    colours.dark[match[1]!] = match[3]!;
  }
  return colours;
}

const colours = themeColours();
/** What controls and focus rings are drawn on: the page, cards and fields, and hovered or sunken areas. */
const BACKGROUNDS = ['--bg', '--surface', '--surface-sunken'];
/** Control boundaries (fields, buttons, segmented controls, the switch track) and the focus ring. */
const MUST_STAND_OUT = ['--border-strong', '--focus'];

describe('theme contrast', () => {
  it('finds the colours in app.css', () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const name of [...BACKGROUNDS, ...MUST_STAND_OUT, '--accent', '--accent-text']) {
        expect(colours[theme][name], `${theme} ${name}`).toMatch(/^#[0-9a-f]{3,6}$/i);
      }
    }
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const foreground of MUST_STAND_OUT) {
      for (const background of BACKGROUNDS) {
        it(`${theme}: ${foreground} on ${background} is at least 3:1`, () => {
          const ratio = contrastRatio(colours[theme][foreground]!, colours[theme][background]!);
          expect(
            ratio,
            `${colours[theme][foreground]} on ${colours[theme][background]}`,
          ).toBeGreaterThanOrEqual(3);
        });
      }
    }

    it(`${theme}: the switch's knob (surface) stands out on its track, on and off`, () => {
      for (const track of ['--border-strong', '--accent']) {
        expect(contrastRatio(colours[theme]['--surface']!, colours[theme][track]!)).toBeGreaterThanOrEqual(3);
      }
    });

    it(`${theme}: a selected segment's text reads on the accent`, () => {
      expect(
        contrastRatio(colours[theme]['--accent-text']!, colours[theme]['--accent']!),
      ).toBeGreaterThanOrEqual(4.5);
    });
  }
});
