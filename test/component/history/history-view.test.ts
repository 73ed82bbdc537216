// The history view: kinds in icons and words, duration, quality mark, call back, delete one, delete all behind a
// question, older pages, and a failure in words.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import HistoryView from '../../../renderer/src/features/history/HistoryView.svelte';
import { historyEntry } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const missedEnd = { by: 'remote', reason: 'missed', status: null, detail: null } as const;
const entries = [
  historyEntry({
    id: 'o1',
    peerName: 'Bob',
    durationMs: 83_000,
    quality: { mos: 3.2, lossPercent: 4, jitterMs: 30 },
  }),
  historyEntry({ id: 'i1', direction: 'incoming', peerName: 'Carol', startedAt: 1_699_999_000_000 }),
  historyEntry({
    id: 'm1',
    direction: 'incoming',
    peerUri: 'sip:dave@example.com',
    answeredAt: null,
    durationMs: 0,
    end: missedEnd,
    codec: null,
    quality: null,
    startedAt: 1_699_998_000_000,
  }),
];

afterEach(() => localStorage.clear());

describe('HistoryView', () => {
  it('lists each call with its kind in words, duration and quality', async () => {
    await renderWithApp(HistoryView, {}, { history: entries });
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]!.textContent).toContain('Outgoing');
    expect(items[0]!.textContent).toContain('1\u00a0min 23\u00a0s');
    expect(items[0]!.textContent).toContain('Quality poor');
    expect(items[1]!.textContent).toContain('Incoming');
    expect(items[2]!.textContent).toContain('Missed');
    expect(items[2]!.textContent).toContain('Missed call');
    expect(items[2]!.textContent).toContain('dave@example.com');
  });

  it('calls back from the account the call was on', async () => {
    const { bridge } = await renderWithApp(
      HistoryView,
      {},
      { history: [{ ...entries[0]!, accountId: null }] },
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Call back Bob' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.dial')).toEqual([[{ target: 'sip:o1@example.test', accountId: null }]]),
    );
  });

  it('deletes one entry', async () => {
    const { bridge } = await renderWithApp(HistoryView, {}, { history: entries });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete this call with Carol' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(2));
    expect(bridge.callsOf('history.delete')).toEqual([['i1']]);
  });

  it('deletes everything only after the question is answered', async () => {
    const { bridge } = await renderWithApp(HistoryView, {}, { history: entries });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete all' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete the whole call history?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Keep history' }));
    expect(bridge.callsOf('history.clear')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete all' }));
    await fireEvent.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete all' }),
    );
    await waitFor(() => expect(screen.getByText(/No calls yet/u)).toBeTruthy());
    expect(bridge.callsOf('history.clear')).toEqual([[]]);
  });

  it('loads older calls on request', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      historyEntry({ id: `h${i}`, startedAt: 1_000_000 - i }),
    );
    await renderWithApp(HistoryView, {}, { history: many });
    expect(screen.getAllByRole('listitem')).toHaveLength(50);
    await fireEvent.click(screen.getByRole('button', { name: 'Show older calls' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(60));
    expect(screen.queryByRole('button', { name: 'Show older calls' })).toBeNull();
  });

  it('shows a refused delete as an error in words', async () => {
    const { bridge } = await renderWithApp(HistoryView, {}, { history: entries });
    bridge.handle('history.delete', () => ({
      ok: false,
      error: { code: 'storage', message: 'SQLITE_FULL' },
    }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete this call with Bob' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The call history could not be changed: the history could not be saved on this computer.',
    );
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
  });
});
