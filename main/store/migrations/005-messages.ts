// Schema version 5: instant messages. One conversation per account and peer, its messages, and a full-text index
// over their text (FTS5). Version 4 is the contacts' migration; the two were written side by side.
import type { Migration } from '../migrate';

export const messages: Migration = {
  version: 5,
  name: 'messages',
  up(db) {
    // Conversations. `peer_key` is the peer's address normalised for lookup (lower-case scheme and host, no
    // parameters or headers; the service computes it with the SIP parser, which the store does not import);
    // `peer_uri` is the address as written, for sending. An account deleted keeps its conversations, as
    // conversations without an account (ON DELETE SET NULL, as call history does). That is also why the
    // one-conversation-per-peer rule covers only rows with an account: two account-less conversations with one peer
    // can appear when an account goes, and refusing the account's deletion for that would be worse. The repository
    // finds and creates conversations in one transaction, so it never makes such a pair itself.
    //
    // Messages. `seq` is the rowid, stable for the life of a row (the full-text index refers to it, so it must not
    // change on VACUUM as an implicit rowid may) and in the order rows were written, which breaks ties between
    // messages with the same time; `id` is the contract's id. `dedupe_key` is set for incoming messages only: the same
    // message delivered twice has the same key, and the partial unique index keeps one copy per conversation.
    // `failure_reason` has no CHECK, like call history's `end_reason`: the contract's list grows, and a reason this
    // build does not know reads as `failed`.
    db.exec(`
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY NOT NULL,
        account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
        peer_key TEXT NOT NULL,
        peer_uri TEXT NOT NULL,
        peer_name TEXT,
        unread INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE UNIQUE INDEX conversations_peer ON conversations (account_id, peer_key)
        WHERE account_id IS NOT NULL;
      CREATE INDEX conversations_peer_without_account ON conversations (peer_key) WHERE account_id IS NULL;
      CREATE INDEX conversations_newest ON conversations (updated_at DESC, id DESC);

      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        direction TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        body TEXT NOT NULL CHECK (length(body) <= 32768),
        sent_at INTEGER NOT NULL,
        delivered_at INTEGER,
        delivery TEXT NOT NULL CHECK (delivery IN ('sending', 'delivered', 'failed', 'received')),
        failure_reason TEXT,
        failure_status INTEGER CHECK (failure_status BETWEEN 100 AND 699),
        failure_detail TEXT,
        dedupe_key TEXT,
        CHECK ((direction = 'incoming') = (delivery = 'received')),
        CHECK ((delivery = 'failed') = (failure_reason IS NOT NULL)),
        CHECK (dedupe_key IS NULL OR direction = 'incoming')
      ) STRICT;

      -- A thread page (newest first, keyset on time then seq); the conversation list's last message uses it too.
      CREATE INDEX messages_thread ON messages (conversation_id, sent_at DESC, seq DESC);
      CREATE UNIQUE INDEX messages_dedupe ON messages (conversation_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
      -- Messages left 'sending' by an engine that stopped are found at the next start without a full scan.
      CREATE INDEX messages_sending ON messages (delivery) WHERE delivery = 'sending';

      -- Full text over the bodies, kept in step by the triggers below (an external-content table holds only the
      -- index; the text stays in messages). remove_diacritics 2 lets "cafe" find "café" whatever the accents. The
      -- prefix indexes serve search as you type: the last word is a prefix, and "t"* or "the"* would otherwise merge
      -- the lists of every word starting so (about 5x slower over 100,000 messages, for an index about 3x larger).
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        body,
        content = 'messages',
        content_rowid = 'seq',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
      );

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
        INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
      END;
    `);
  },
};
