// The segmented control's focus ring once sat inside the selected segment, drawn in the same blue as its fill, so
// keyboard focus on it was invisible. The ring must be drawn outside the segment (positive offset, nothing clipping
// it), where it sits on the surface that theme-contrast.test.ts checks it against.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const source = readFileSync(
  resolve(import.meta.dirname, '../../../renderer/src/lib/components/SegmentedControl.svelte'),
  'utf8',
);
const css = source.slice(source.indexOf('<style>'));

/** The declarations of the rule whose selector is exactly `selector`. */
function rule(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  expect(start, `rule ${selector}`).toBeGreaterThanOrEqual(0);
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  return Object.fromEntries(
    body
      .split(';')
      .map((declaration) => declaration.trim())
      .filter((declaration) => declaration.includes(':') && !declaration.startsWith('/*'))
      .map((declaration) => {
        const colon = declaration.indexOf(':');
        return [declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim()];
      }),
  );
}

describe('segmented control focus', () => {
  it('draws the focus ring in the focus colour, outside the segment', () => {
    const focused = rule('.segmented input:focus-visible + label');
    expect(focused['outline']).toBe('2px solid var(--focus)');
    expect(Number.parseFloat(focused['outline-offset'] ?? '0')).toBeGreaterThanOrEqual(2);
  });

  it('does not clip what is drawn outside the segments', () => {
    expect(rule('.segmented')['overflow']).toBeUndefined();
  });
});
