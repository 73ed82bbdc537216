// Schema version 3: calls. Per account, the call settings (whether it registers at all, the codecs it offers best
// first, early media for incoming calls, do-not-disturb), added with defaults so every existing account keeps
// registering and gets the default codec order; and the call history, one row per call.
import type { Migration } from '../migrate';

export const calls: Migration = {
  version: 3,
  name: 'calls',
  up(db) {
    // `codecs` is a comma-separated list ("opus,pcmu,pcma"); the repository reads it leniently, so a hand-edited value
    // never stops an account from loading. `end_reason` has no CHECK on purpose: the contract's list of reasons
    // grows, and a CHECK would need a table rebuild each time; an unknown one reads as 'failed'.
    db.exec(`
      ALTER TABLE accounts ADD COLUMN register INTEGER NOT NULL DEFAULT 1 CHECK (register IN (0, 1));
      ALTER TABLE accounts ADD COLUMN codecs TEXT NOT NULL DEFAULT 'opus,pcmu,pcma';
      ALTER TABLE accounts ADD COLUMN early_media INTEGER NOT NULL DEFAULT 0 CHECK (early_media IN (0, 1));
      ALTER TABLE accounts ADD COLUMN do_not_disturb INTEGER NOT NULL DEFAULT 0
        CHECK (do_not_disturb IN (0, 1));

      CREATE TABLE call_history (
        id TEXT PRIMARY KEY NOT NULL,
        account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
        direction TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        peer_uri TEXT NOT NULL,
        peer_name TEXT,
        started_at INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at INTEGER,
        duration_ms INTEGER CHECK (duration_ms >= 0),
        end_by TEXT CHECK (end_by IN ('local', 'remote', 'error')),
        end_status INTEGER CHECK (end_status BETWEEN 100 AND 699),
        end_reason TEXT,
        end_detail TEXT,
        codec TEXT CHECK (codec IN ('opus', 'pcmu', 'pcma')),
        avg_mos REAL CHECK (avg_mos BETWEEN 1 AND 5),
        loss_percent REAL CHECK (loss_percent BETWEEN 0 AND 100),
        jitter_ms REAL CHECK (jitter_ms >= 0),
        CHECK ((ended_at IS NULL) = (end_by IS NULL)),
        CHECK ((ended_at IS NULL) = (end_reason IS NULL))
      ) STRICT;

      -- History pages are read newest first; the account index makes ON DELETE SET NULL cheap.
      CREATE INDEX call_history_newest ON call_history (started_at DESC, id DESC);
      CREATE INDEX call_history_account ON call_history (account_id);
    `);
  },
};
