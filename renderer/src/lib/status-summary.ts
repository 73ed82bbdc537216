// How the status bar fits any number of accounts: each account inline while they fit the bar's width, else one
// summary ("1 failing · 3 registered", worst first) that opens the full list. Pure, so the rules are tested
// without a layout engine.
import type { RegistrationStateName } from '../../../main/contract/contract';

/** States from the one that most needs attention to the one that needs none. */
const SEVERITY: readonly RegistrationStateName[] = [
  'failed',
  'registering',
  'unregistering',
  'unregistered',
  'registered',
  'not-registering',
  'disabled',
];

const COUNT_WORDS: Readonly<Record<RegistrationStateName, string>> = {
  failed: 'failing',
  registering: 'registering',
  unregistering: 'unregistering',
  unregistered: 'not registered',
  registered: 'registered',
  'not-registering': 'not registering',
  disabled: 'disabled',
};

export interface SummaryPart {
  readonly state: RegistrationStateName;
  readonly count: number;
  /** "3 registered" */
  readonly text: string;
}

/** Counts per state, worst first; states no account is in are left out. */
export function summarize(states: readonly RegistrationStateName[]): SummaryPart[] {
  return SEVERITY.map((state) => {
    const count = states.filter((candidate) => candidate === state).length;
    return { state, count, text: `${count} ${COUNT_WORDS[state]}` };
  }).filter((part) => part.count > 0);
}

/** "1 failing · 3 registered" */
export function summaryText(states: readonly RegistrationStateName[]): string {
  return summarize(states)
    .map((part) => part.text)
    .join(' · ');
}

/** Orders items worst first, keeping the accounts' own order among equals. */
export function worstFirst<T extends { readonly state: RegistrationStateName }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => SEVERITY.indexOf(a.item.state) - SEVERITY.indexOf(b.item.state) || a.index - b.index)
    .map(({ item }) => item);
}

/** Roughly how wide one inline entry is: dot, gaps and padding, plus its text at the bar's font size. */
export function estimatedEntryWidth(label: string, text: string): number {
  const NAME_MAX_CHARACTERS = 24;
  const CHARACTER_WIDTH = 7.5;
  const CHROME = 48;
  return CHROME + (Math.min(label.length, NAME_MAX_CHARACTERS) + text.length) * CHARACTER_WIDTH;
}

/**
 * Whether every account fits inline in a bar this wide (pixels). A single account always shows itself: its entry
 * is no wider than the summary would be. Width 0 means "not measured" (no layout yet): summarize to be safe.
 */
export function fitsInline(
  entries: readonly { readonly label: string; readonly text: string }[],
  width: number,
): boolean {
  if (entries.length <= 1) return true;
  const GAP = 4;
  const needed = entries.reduce((sum, entry) => sum + estimatedEntryWidth(entry.label, entry.text) + GAP, 0);
  return needed <= width;
}
