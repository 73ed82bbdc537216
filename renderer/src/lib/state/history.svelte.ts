// The call history, newest first, a page at a time (`history.list` with a cursor), and the missed-calls count for the
// navigation badge. A call that ends reloads the first page (the engine has just written it). "Seen" is view state:
// the start time of the newest missed call the person has had in front of them, kept in the window's storage so
// a reload does not light the badge again for calls already looked at.
import type { CallDto, CallHistoryEntryDto, HistoryCursor, Result } from '../../../../main/contract/contract';
import { DEFAULT_HISTORY_PAGE, HISTORY_PAGE_MAX } from '../../../../main/contract/limits';
import type { Bridge } from '../bridge';
import { type CallFailure } from './calls.svelte';
import { callErrorText, historyKind } from '../call-text';

/** Where "missed calls seen up to" is remembered; the browser's localStorage by default. */
export interface SeenStore {
  get(): number | null;
  set(value: number): void;
}

const SEEN_KEY = 'softphone.history.missedSeenUntil';

export function browserSeenStore(): SeenStore {
  return {
    get: () => {
      try {
        const value = Number(window.localStorage.getItem(SEEN_KEY));
        return Number.isFinite(value) && value > 0 ? value : null;
      } catch {
        return null;
      }
    },
    set: (value) => {
      try {
        window.localStorage.setItem(SEEN_KEY, String(value));
      } catch {
        // Storage may be off (private mode, a sandbox): the badge then only lasts for this window.
      }
    },
  };
}

export class HistoryState {
  entries = $state<CallHistoryEntryDto[]>([]);
  next = $state<HistoryCursor | null>(null);
  loaded = $state(false);
  loading = $state(false);
  loadError = $state<CallFailure | null>(null);
  error = $state<CallFailure | null>(null);
  #seenUntil = $state(0);
  /** Missed calls that ended while no page was loaded yet or beyond the loaded pages. */
  #missedIds = $state<string[]>([]);

  constructor(
    private readonly bridge: Bridge,
    private readonly seen: SeenStore = browserSeenStore(),
    private readonly pageSize: number = DEFAULT_HISTORY_PAGE,
  ) {
    this.#seenUntil = seen.get() ?? 0;
  }

  /** Missed calls newer than the last time the history was looked at. */
  get missedCount(): number {
    const listed = this.entries
      .filter((entry) => historyKind(entry) === 'missed' && entry.startedAt > this.#seenUntil)
      .map((entry) => entry.id);
    return listed.length + this.#missedIds.filter((id) => !listed.includes(id)).length;
  }

  /** Loads the newest `limit` entries (a page by default), replacing what was listed. */
  async load(limit = this.pageSize): Promise<void> {
    this.loading = true;
    const result = await this.bridge.invoke('history.list', { limit, before: null });
    this.loading = false;
    if (!result.ok) {
      this.loadError = { action: 'history', ...callErrorText('history', result.error) };
      return;
    }
    this.loadError = null;
    this.entries = result.value.entries;
    this.next = result.value.next;
    this.loaded = true;
    const listed = this.entries.map((entry) => entry.id);
    this.#missedIds = this.#missedIds.filter((id) => !listed.includes(id));
  }

  /** Appends the next older page. */
  async loadMore(): Promise<void> {
    if (!this.next || this.loading) return;
    this.loading = true;
    const result = await this.bridge.invoke('history.list', { limit: this.pageSize, before: this.next });
    this.loading = false;
    if (!result.ok) {
      this.loadError = { action: 'history', ...callErrorText('history', result.error) };
      return;
    }
    const known = this.entries.map((entry) => entry.id);
    this.entries = [...this.entries, ...result.value.entries.filter((entry) => !known.includes(entry.id))];
    this.next = result.value.next;
  }

  /** A call ended: it is in the history now. */
  async callEnded(call: CallDto): Promise<void> {
    if (call.direction === 'incoming' && call.end?.reason === 'missed' && call.startedAt > this.#seenUntil) {
      this.#missedIds = [...this.#missedIds, call.id];
    }
    // As many as were listed plus the new one, so older pages the person opened stay open.
    await this.load(Math.min(HISTORY_PAGE_MAX, Math.max(this.pageSize, this.entries.length + 1)));
  }

  /** The person has the history in front of them: every missed call listed so far counts as seen. */
  markSeen(): void {
    const newest = Math.max(this.#seenUntil, ...this.entries.map((entry) => entry.startedAt));
    this.#missedIds = [];
    if (newest === this.#seenUntil) return;
    this.#seenUntil = newest;
    this.seen.set(newest);
  }

  async delete(id: string): Promise<Result<null>> {
    const result = await this.bridge.invoke('history.delete', id);
    this.error = result.ok ? null : { action: 'history', ...callErrorText('history', result.error) };
    if (result.ok) this.entries = this.entries.filter((entry) => entry.id !== id);
    return result;
  }

  async clear(): Promise<Result<null>> {
    const result = await this.bridge.invoke('history.clear');
    this.error = result.ok ? null : { action: 'history', ...callErrorText('history', result.error) };
    if (result.ok) {
      this.entries = [];
      this.next = null;
      this.#missedIds = [];
    }
    return result;
  }

  /** Addresses called or calling before whose address or name contains the text, newest first, each once. */
  suggestions(text: string, limit = 5): CallHistoryEntryDto[] {
    const needle = text.trim().toLowerCase();
    if (needle === '') return [];
    const found: CallHistoryEntryDto[] = [];
    for (const entry of this.entries) {
      if (found.some((item) => item.peerUri === entry.peerUri)) continue;
      const haystack = `${entry.peerUri} ${entry.peerName ?? ''}`.toLowerCase();
      if (!haystack.includes(needle)) continue;
      found.push(entry);
      if (found.length === limit) break;
    }
    return found;
  }
}
