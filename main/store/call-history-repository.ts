// The `call_history` table: one row per call, written when the call starts and completed when it ends, so a call
// that was under way when the engine stopped (or crashed) is still in the history, closed as `engine-stopped` at the
// next start. Services call this; nothing else touches the table. Statements are prepared once, each method is one
// statement or one transaction, and anything the database refuses comes out as a StoreFailure.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type {
  CallCodec,
  CallDirection,
  CallEndDto,
  CallEndReason,
  CallEndedBy,
  CallHistoryEntryDto,
  CallQualitySummaryDto,
  HistoryCursor,
  HistoryPage,
} from '../contract/contract';
import { CALL_CODECS, CALL_END_REASONS } from '../contract/limits';
import { guarded } from './store-error';

/** What is known of a call when it starts. */
export interface CallStart {
  readonly id: string;
  /** An account that no longer exists is stored as null (a direct call). */
  readonly accountId: string | null;
  readonly direction: CallDirection;
  readonly peerUri: string;
  readonly peerName: string | null;
  /** Wall time, ms since the epoch. */
  readonly startedAt: number;
}

/** What is known of a call when it ends. */
export interface CallFinish {
  readonly answeredAt: number | null;
  readonly endedAt: number;
  readonly end: CallEndDto;
  readonly codec: CallCodec | null;
  readonly quality: CallQualitySummaryDto | null;
}

export interface HistoryQuery {
  readonly limit: number;
  readonly before: HistoryCursor | null;
}

/** Every reason the contract knows, to read `end_reason` back leniently (the column has no CHECK). */
const END_REASONS: ReadonlySet<string> = new Set(CALL_END_REASONS);

interface HistoryRow {
  id: string;
  account_id: string | null;
  direction: string;
  peer_uri: string;
  peer_name: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number;
  duration_ms: number;
  end_by: string;
  end_status: number | null;
  end_reason: string;
  end_detail: string | null;
  codec: string | null;
  avg_mos: number | null;
  loss_percent: number | null;
  jitter_ms: number | null;
}

interface FinishParams {
  id: string;
  answered_at: number | null;
  ended_at: number;
  duration_ms: number;
  end_by: CallEndedBy;
  end_status: number | null;
  end_reason: CallEndReason;
  end_detail: string | null;
  codec: CallCodec | null;
  avg_mos: number | null;
  loss_percent: number | null;
  jitter_ms: number | null;
}

const COLUMNS = `id, account_id, direction, peer_uri, peer_name, started_at, answered_at, ended_at, duration_ms,
  end_by, end_status, end_reason, end_detail, codec, avg_mos, loss_percent, jitter_ms`;

export class CallHistoryRepository {
  readonly #db: SqliteDatabase;
  readonly #start: Statement<[CallStart]>;
  readonly #answered: Statement<[{ id: string; answered_at: number }]>;
  readonly #finish: Statement<[FinishParams]>;
  readonly #get: Statement<[string], HistoryRow>;
  readonly #firstPage: Statement<[{ limit: number }], HistoryRow>;
  readonly #nextPage: Statement<[{ limit: number; started_at: number; id: string }], HistoryRow>;
  readonly #delete: Statement<[string]>;
  readonly #clear: Statement<[]>;
  readonly #unfinished: Statement<[], { id: string; started_at: number; answered_at: number | null }>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    // A call on an account deleted meanwhile is kept as a direct call rather than refused by the foreign key; a call
    // started twice (a repeated event) keeps its first row.
    this.#start = db.prepare(`
      INSERT INTO call_history (id, account_id, direction, peer_uri, peer_name, started_at)
      VALUES (@id, (SELECT id FROM accounts WHERE id = @accountId), @direction, @peerUri, @peerName, @startedAt)
      ON CONFLICT (id) DO NOTHING`);
    this.#answered = db.prepare(`
      UPDATE call_history SET answered_at = @answered_at
      WHERE id = @id AND answered_at IS NULL AND ended_at IS NULL`);
    this.#finish = db.prepare(`
      UPDATE call_history SET answered_at = @answered_at, ended_at = @ended_at, duration_ms = @duration_ms,
        end_by = @end_by, end_status = @end_status, end_reason = @end_reason, end_detail = @end_detail,
        codec = @codec, avg_mos = @avg_mos, loss_percent = @loss_percent, jitter_ms = @jitter_ms
      WHERE id = @id`);
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM call_history WHERE id = ? AND ended_at IS NOT NULL`);
    this.#firstPage = db.prepare(`
      SELECT ${COLUMNS} FROM call_history WHERE ended_at IS NOT NULL
      ORDER BY started_at DESC, id DESC LIMIT @limit`);
    // Keyset paging: a page starts strictly after the previous page's last entry, so calls recorded while someone
    // pages through the history neither repeat nor hide entries.
    this.#nextPage = db.prepare(`
      SELECT ${COLUMNS} FROM call_history
      WHERE ended_at IS NOT NULL AND (started_at, id) < (@started_at, @id)
      ORDER BY started_at DESC, id DESC LIMIT @limit`);
    this.#delete = db.prepare('DELETE FROM call_history WHERE id = ?');
    this.#clear = db.prepare('DELETE FROM call_history');
    this.#unfinished = db.prepare(
      'SELECT id, started_at, answered_at FROM call_history WHERE ended_at IS NULL',
    );
  }

  /** Records a call as it starts; a second start for the same id changes nothing. */
  start(call: CallStart): void {
    this.#guard(() => this.#start.run(call));
  }

  /**
   * Notes when a call was answered, so a call cut short by a crash keeps its talk time; the first answer time
   * stays, and an ended call is not changed. False when nothing changed.
   */
  answered(id: string, answeredAt: number): boolean {
    return this.#guard(() => this.#answered.run({ id, answered_at: answeredAt }).changes > 0);
  }

  /**
   * Completes a call's row and returns the entry; undefined when the call was never started here. Ending a call
   * twice keeps the later figures (the engine sends `ended` once; a repeat must not fail).
   */
  finish(id: string, finish: CallFinish): CallHistoryEntryDto | undefined {
    return this.#guard(() =>
      this.#db.transaction(() => {
        const done = this.#finish.run(finishParams(id, finish)).changes > 0;
        return done ? toEntry(this.#get.get(id)!) : undefined;
      })(),
    );
  }

  /** An ended call; undefined for one unknown or still under way. */
  get(id: string): CallHistoryEntryDto | undefined {
    return this.#guard(() => {
      const row = this.#get.get(id);
      return row && toEntry(row);
    });
  }

  /** Ended calls, newest first, `limit` at a time; `next` is where the following page starts. */
  list(query: HistoryQuery): HistoryPage {
    return this.#guard(() => {
      // One row more than asked says whether another page follows, without a count.
      const limit = Math.max(1, Math.floor(query.limit)) + 1;
      const rows = query.before
        ? this.#nextPage.all({ limit, started_at: query.before.startedAt, id: query.before.id })
        : this.#firstPage.all({ limit });
      const entries = rows.slice(0, limit - 1).map(toEntry);
      const last = entries.at(-1);
      return {
        entries,
        next: rows.length === limit && last ? { startedAt: last.startedAt, id: last.id } : null,
      };
    });
  }

  /** False when there was no such entry. */
  delete(id: string): boolean {
    return this.#guard(() => this.#delete.run(id).changes > 0);
  }

  /** Removes every entry, calls under way included (their end then finds no row); returns how many went. */
  clear(): number {
    return this.#guard(() => this.#clear.run().changes);
  }

  /**
   * Closes the rows of calls that never ended (the engine stopped or crashed during them) as `engine-stopped` at
   * `now`; returns how many. Run once at engine start, before any call begins.
   */
  closeUnfinished(now: number): number {
    return this.#guard(() =>
      this.#db.transaction(() => {
        const rows = this.#unfinished.all();
        for (const row of rows) {
          const endedAt = Math.max(now, row.started_at, row.answered_at ?? 0);
          this.#finish.run(
            finishParams(row.id, {
              answeredAt: row.answered_at,
              endedAt,
              end: { by: 'error', reason: 'engine-stopped', status: null, detail: null },
              codec: null,
              quality: null,
            }),
          );
        }
        return rows.length;
      })(),
    );
  }

  #guard<T>(operation: () => T): T {
    return guarded(this.#db.name, operation);
  }
}

function finishParams(id: string, finish: CallFinish): FinishParams {
  const answeredAt = finish.answeredAt;
  return {
    id,
    answered_at: answeredAt,
    ended_at: finish.endedAt,
    // Talk time; a clock stepped backwards during the call must not make it negative.
    duration_ms: answeredAt === null ? 0 : Math.max(0, finish.endedAt - answeredAt),
    end_by: finish.end.by,
    end_status: finish.end.status,
    end_reason: finish.end.reason,
    end_detail: finish.end.detail,
    codec: finish.codec,
    avg_mos: finish.quality?.mos ?? null,
    loss_percent: finish.quality ? finish.quality.lossPercent : null,
    jitter_ms: finish.quality ? finish.quality.jitterMs : null,
  };
}

function toEntry(row: HistoryRow): CallHistoryEntryDto {
  // The columns' CHECK constraints admit only the values below; end_reason has none and is read leniently.
  const codec = (CALL_CODECS as readonly string[]).includes(row.codec ?? '')
    ? (row.codec as CallCodec)
    : null;
  const quality: CallQualitySummaryDto | null =
    row.loss_percent === null || row.jitter_ms === null
      ? null
      : { mos: row.avg_mos, lossPercent: row.loss_percent, jitterMs: row.jitter_ms };
  return {
    id: row.id,
    accountId: row.account_id,
    direction: row.direction === 'incoming' ? 'incoming' : 'outgoing',
    peerUri: row.peer_uri,
    peerName: row.peer_name,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    end: {
      by: row.end_by === 'remote' ? 'remote' : row.end_by === 'error' ? 'error' : 'local',
      reason: END_REASONS.has(row.end_reason) ? (row.end_reason as CallEndReason) : 'failed',
      status: row.end_status,
      detail: row.end_detail,
    },
    codec,
    quality,
  };
}
