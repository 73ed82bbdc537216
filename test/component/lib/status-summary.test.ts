import { describe, expect, it } from 'vitest';
import {
  estimatedEntryWidth,
  fitsInline,
  summarize,
  summaryText,
  worstFirst,
} from '../../../renderer/src/lib/status-summary';

describe('status summary', () => {
  it('counts accounts per state, worst first, leaving out states nobody is in', () => {
    expect(summaryText(['registered', 'failed', 'registered', 'disabled', 'registered'])).toBe(
      '1 failing · 3 registered · 1 disabled',
    );
    expect(summaryText(['unregistered', 'registering', 'unregistering'])).toBe(
      '1 registering · 1 unregistering · 1 not registered',
    );
    expect(summaryText(['not-registering', 'disabled', 'registered', 'not-registering'])).toBe(
      '1 registered · 2 not registering · 1 disabled',
    );
    expect(summarize([])).toEqual([]);
    expect(summarize(['registered', 'registered'])).toEqual([
      { state: 'registered', count: 2, text: '2 registered' },
    ]);
  });

  it('orders accounts worst first and keeps their order among equals', () => {
    const items = [
      { id: 'a', state: 'registered' as const },
      { id: 'b', state: 'failed' as const },
      { id: 'c', state: 'disabled' as const },
      { id: 'd', state: 'failed' as const },
      { id: 'e', state: 'registering' as const },
    ];
    expect(worstFirst(items).map((item) => item.id)).toEqual(['b', 'd', 'e', 'a', 'c']);
  });

  it('keeps accounts inline only while they fit, and always shows a lone account', () => {
    const four = [
      { label: 'Office', text: 'Registered' },
      { label: 'Home', text: 'Registering…' },
      { label: 'carol@127.0.0.1', text: 'Failed: wrong password' },
      { label: 'Old', text: 'Disabled' },
    ];
    const needed = four.reduce((sum, entry) => sum + estimatedEntryWidth(entry.label, entry.text) + 4, 0);
    expect(fitsInline(four, 1280)).toBe(true);
    expect(fitsInline(four, needed)).toBe(true);
    expect(fitsInline(four, needed - 1)).toBe(false);
    expect(fitsInline(four, 800)).toBe(false);
    expect(fitsInline(four, 0)).toBe(false);
    expect(fitsInline(four.slice(0, 1), 0)).toBe(true);
    expect(fitsInline([], 0)).toBe(true);
  });

  it('counts a long name only up to what the entry shows before its ellipsis', () => {
    expect(estimatedEntryWidth('x'.repeat(200), 'Registered')).toBe(
      estimatedEntryWidth('x'.repeat(24), 'Registered'),
    );
  });
});
