// The theme setting on the page: 'system' follows prefers-color-scheme through CSS; light and dark pin it.
import type { Theme } from '../../../main/contract/contract';

export function applyTheme(root: HTMLElement, theme: Theme): void {
  if (theme === 'system') delete root.dataset['theme'];
  else root.dataset['theme'] = theme;
}
