// The `conversations` and `messages` tables and their full-text index (migration 5). The MessageService calls this;
// nothing else touches the tables. Every method is one statement or one transaction, so a message the person is told
// about (an answer, an event, a 200 to the sender) has been committed before that word goes out, and anything the
// database refuses comes out as a StoreFailure. The store knows no SIP: the service hands in each peer's address as
// written and its normalised lookup key.
import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type {
  ConversationDto,
  MessageCursor,
  MessageDelivery,
  MessageDto,
  MessageFailureDto,
  MessageFailureReason,
  MessagePage,
  MessageSearchHitDto,
} from '../contract/contract';
import { MESSAGE_FAILURE_REASONS } from '../contract/limits';
import { ftsQuery } from './fts-query';
import { guarded } from './store-error';

/** Conversations strangers can make us open, by writing to us from new addresses; beyond it new ones are refused. */
export const CONVERSATIONS_MAX = 10_000;
/** Messages kept in all; past it the oldest are removed as new ones are written (see `#prune`). */
export const MESSAGES_MAX = 1_000_000;
/**
 * How many of the newest matching messages a search ranks. bm25 is computed row by row, so ranking every match of a
 * word found in most messages ("the": 77,000 of 100,000) takes 300 ms; the newest few thousand take a few ms, and
 * in a chat history the best of the recent matches is what a person looks for (bench/RESULTS.md, message search).
 */
export const SEARCH_CANDIDATES = 2_000;

export interface PeerRef {
  /** An account that no longer exists is stored as null (a conversation without an account). */
  readonly accountId: string | null;
  /** The peer's address normalised for lookup: two spellings of one address find one conversation. */
  readonly peerKey: string;
}

export interface OutgoingRecord extends PeerRef {
  /** The address as the person wrote it; the conversation sends its replies there from now on. */
  readonly peerUri: string;
  readonly body: string;
  /** Wall time, ms since the epoch. */
  readonly sentAt: number;
}

export interface IncomingRecord extends PeerRef {
  /** The sender's address, kept as the conversation's address when this message opens it. */
  readonly peerUri: string;
  /** The display name the message carried; null keeps the name the conversation had. */
  readonly peerName: string | null;
  readonly body: string;
  /** When it was written (its Date, or when it arrived). */
  readonly sentAt: number;
  /** When it arrived here. */
  readonly receivedAt: number;
  /** Equal for a repeated delivery of the same message: the conversation keeps one copy. */
  readonly dedupeKey: string;
}

/** A message as written, with its conversation as it now reads (last message, unread count). */
export interface MessageWrite {
  readonly message: MessageDto;
  readonly conversation: ConversationDto;
}

export type IncomingOutcome =
  | ({ readonly kind: 'stored' } & MessageWrite)
  /** The same message was stored before: nothing changed. */
  | { readonly kind: 'duplicate' }
  /** It would open a conversation beyond `maxConversations`: nothing was written. */
  | { readonly kind: 'full' };

/** A stored message with what sending it needs: its conversation's account and address. */
export interface StoredMessage {
  readonly message: MessageDto;
  readonly accountId: string | null;
  readonly peerUri: string;
}

/** How an outgoing message's sending ended. */
export type SendResult =
  | { readonly ok: true; readonly deliveredAt: number }
  | { readonly ok: false; readonly failure: MessageFailureDto };

export interface MessageThreadQuery {
  readonly conversationId: string;
  readonly limit: number;
  readonly before: MessageCursor | null;
}

export interface MessagesRepositoryOptions {
  /** Message and conversation ids; random UUIDs by default. */
  readonly newId?: () => string;
  readonly maxConversations?: number;
  readonly maxMessages?: number;
  /** See SEARCH_CANDIDATES. */
  readonly searchCandidates?: number;
}

interface MessageRow {
  seq: number;
  id: string;
  conversation_id: string;
  direction: string;
  body: string;
  sent_at: number;
  delivered_at: number | null;
  delivery: string;
  failure_reason: string | null;
  failure_status: number | null;
  failure_detail: string | null;
}

/** A conversation with its last message's columns prefixed `m_` (all null when it has none). */
interface ConversationRow {
  id: string;
  account_id: string | null;
  peer_uri: string;
  peer_name: string | null;
  unread: number;
  updated_at: number;
  m_seq: number | null;
  m_id: string | null;
  m_direction: string | null;
  m_body: string | null;
  m_sent_at: number | null;
  m_delivered_at: number | null;
  m_delivery: string | null;
  m_failure_reason: string | null;
  m_failure_status: number | null;
  m_failure_detail: string | null;
}

type SearchRow = MessageRow & { [K in keyof ConversationRow as `c_${K}`]: ConversationRow[K] };

const MESSAGE_COLUMNS = `seq, id, conversation_id, direction, body, sent_at, delivered_at, delivery, failure_reason,
  failure_status, failure_detail`;

/** The conversation and its newest message (by time, then by the order written), in ConversationRow's shape. */
const CONVERSATION_SELECT = `
  SELECT c.id, c.account_id, c.peer_uri, c.peer_name, c.unread, c.updated_at,
    m.seq AS m_seq, m.id AS m_id, m.direction AS m_direction, m.body AS m_body, m.sent_at AS m_sent_at,
    m.delivered_at AS m_delivered_at, m.delivery AS m_delivery, m.failure_reason AS m_failure_reason,
    m.failure_status AS m_failure_status, m.failure_detail AS m_failure_detail
  FROM conversations c
  LEFT JOIN messages m ON m.seq = (
    SELECT seq FROM messages WHERE conversation_id = c.id ORDER BY sent_at DESC, seq DESC LIMIT 1)`;

const FAILURE_REASONS: ReadonlySet<string> = new Set(MESSAGE_FAILURE_REASONS);

export class MessagesRepository {
  readonly #db: SqliteDatabase;
  readonly #newId: () => string;
  readonly #maxConversations: number;
  readonly #maxMessages: number;
  readonly #searchCandidates: number;
  readonly #accountExists: Statement<[string], { id: string }>;
  readonly #findWithAccount: Statement<[string, string], { id: string }>;
  readonly #findWithoutAccount: Statement<[string], { id: string }>;
  readonly #countConversations: Statement<[], { n: number }>;
  readonly #createConversation: Statement<
    [{ id: string; account_id: string | null; peer_key: string; peer_uri: string; at: number }]
  >;
  readonly #insertMessage: Statement<[Omit<MessageRow, 'seq'> & { dedupe_key: string | null }]>;
  readonly #afterOutgoing: Statement<[{ id: string; peer_uri: string; at: number }]>;
  readonly #afterIncoming: Statement<[{ id: string; peer_name: string | null; at: number }]>;
  readonly #pruneUpTo: Statement<[number]>;
  readonly #conversation: Statement<[string], ConversationRow>;
  readonly #conversations: Statement<[], ConversationRow>;
  readonly #message: Statement<[string], MessageRow & { account_id: string | null; peer_uri: string }>;
  readonly #finish: Statement<
    [
      {
        id: string;
        delivery: MessageDelivery;
        delivered_at: number | null;
        failure_reason: string | null;
        failure_status: number | null;
        failure_detail: string | null;
      },
    ]
  >;
  readonly #resend: Statement<[string]>;
  readonly #failSending: Statement<[{ reason: MessageFailureReason; detail: string }]>;
  readonly #firstPage: Statement<[{ conversation_id: string; limit: number }], MessageRow>;
  readonly #nextPage: Statement<
    [{ conversation_id: string; limit: number; sent_at: number; id: string }],
    MessageRow
  >;
  readonly #markRead: Statement<[string]>;
  readonly #deleteConversation: Statement<[string]>;
  readonly #search: Statement<[{ query: string; limit: number; candidates: number }], SearchRow>;

  constructor(db: SqliteDatabase, options: MessagesRepositoryOptions = {}) {
    this.#db = db;
    this.#newId = options.newId ?? randomUUID;
    this.#maxConversations = options.maxConversations ?? CONVERSATIONS_MAX;
    this.#maxMessages = options.maxMessages ?? MESSAGES_MAX;
    this.#searchCandidates = options.searchCandidates ?? SEARCH_CANDIDATES;
    this.#accountExists = db.prepare('SELECT id FROM accounts WHERE id = ?');
    this.#findWithAccount = db.prepare('SELECT id FROM conversations WHERE account_id = ? AND peer_key = ?');
    // Two account-less conversations with one peer exist only after an account was deleted: use the latest.
    this.#findWithoutAccount = db.prepare(`
      SELECT id FROM conversations WHERE account_id IS NULL AND peer_key = ?
      ORDER BY updated_at DESC, id DESC LIMIT 1`);
    this.#countConversations = db.prepare('SELECT count(*) AS n FROM conversations');
    this.#createConversation = db.prepare(`
      INSERT INTO conversations (id, account_id, peer_key, peer_uri, peer_name, unread, created_at, updated_at)
      VALUES (@id, @account_id, @peer_key, @peer_uri, NULL, 0, @at, @at)`);
    this.#insertMessage = db.prepare(`
      INSERT INTO messages (id, conversation_id, direction, body, sent_at, delivered_at, delivery, failure_reason,
        failure_status, failure_detail, dedupe_key)
      VALUES (@id, @conversation_id, @direction, @body, @sent_at, @delivered_at, @delivery, @failure_reason,
        @failure_status, @failure_detail, @dedupe_key)
      ON CONFLICT (conversation_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`);
    this.#afterOutgoing = db.prepare(`
      UPDATE conversations SET peer_uri = @peer_uri, updated_at = max(updated_at, @at) WHERE id = @id`);
    this.#afterIncoming = db.prepare(`
      UPDATE conversations SET unread = unread + 1, peer_name = coalesce(@peer_name, peer_name),
        updated_at = max(updated_at, @at)
      WHERE id = @id`);
    this.#pruneUpTo = db.prepare('DELETE FROM messages WHERE seq <= ?');
    this.#conversation = db.prepare(`${CONVERSATION_SELECT} WHERE c.id = ?`);
    this.#conversations = db.prepare(`${CONVERSATION_SELECT} ORDER BY c.updated_at DESC, c.id DESC`);
    this.#message = db.prepare(`
      SELECT ${MESSAGE_COLUMNS.replaceAll(/(\w+)/g, 'm.$1')}, c.account_id, c.peer_uri
      FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?`);
    this.#finish = db.prepare(`
      UPDATE messages SET delivery = @delivery, delivered_at = @delivered_at, failure_reason = @failure_reason,
        failure_status = @failure_status, failure_detail = @failure_detail
      WHERE id = @id AND direction = 'outgoing' AND delivery = 'sending'`);
    this.#resend = db.prepare(`
      UPDATE messages SET delivery = 'sending', delivered_at = NULL, failure_reason = NULL, failure_status = NULL,
        failure_detail = NULL
      WHERE id = ? AND direction = 'outgoing' AND delivery = 'failed'`);
    this.#failSending = db.prepare(`
      UPDATE messages SET delivery = 'failed', failure_reason = @reason, failure_status = NULL,
        failure_detail = @detail
      WHERE delivery = 'sending'`);
    this.#firstPage = db.prepare(`
      SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @conversation_id
      ORDER BY sent_at DESC, seq DESC LIMIT @limit`);
    // Keyset paging, as the call history pages: strictly older than the previous page's last message, so messages
    // arriving meanwhile neither repeat nor hide any. The cursor names a message by id; its seq breaks ties between
    // messages of the same millisecond (an id no longer stored leaves only the time to go by).
    this.#nextPage = db.prepare(`
      SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE conversation_id = @conversation_id
        AND (sent_at, seq) < (@sent_at, coalesce((SELECT seq FROM messages WHERE id = @id), 0))
      ORDER BY sent_at DESC, seq DESC LIMIT @limit`);
    this.#markRead = db.prepare('UPDATE conversations SET unread = 0 WHERE id = ?');
    this.#deleteConversation = db.prepare('DELETE FROM conversations WHERE id = ?');
    // Best matches first by FTS5's bm25 (`rank`), the newer first among equals, each with its conversation. Only the
    // newest SEARCH_CANDIDATES matches are ranked (FTS5 walks a term's rowids newest first and stops there), and only
    // the `limit` best are joined to their messages and conversations.
    this.#search = db.prepare(`
      SELECT ${MESSAGE_COLUMNS.replaceAll(/(\w+)/g, 'm.$1')},
        c.id AS c_id, c.account_id AS c_account_id, c.peer_uri AS c_peer_uri, c.peer_name AS c_peer_name,
        c.unread AS c_unread, c.updated_at AS c_updated_at,
        l.seq AS c_m_seq, l.id AS c_m_id, l.direction AS c_m_direction, l.body AS c_m_body,
        l.sent_at AS c_m_sent_at, l.delivered_at AS c_m_delivered_at, l.delivery AS c_m_delivery,
        l.failure_reason AS c_m_failure_reason, l.failure_status AS c_m_failure_status,
        l.failure_detail AS c_m_failure_detail
      FROM (
        SELECT rowid, rank FROM (
          SELECT rowid, rank FROM messages_fts WHERE messages_fts MATCH @query ORDER BY rowid DESC LIMIT @candidates)
        ORDER BY rank, rowid DESC LIMIT @limit
      ) f
      JOIN messages m ON m.seq = f.rowid
      JOIN conversations c ON c.id = m.conversation_id
      LEFT JOIN messages l ON l.seq = (
        SELECT seq FROM messages WHERE conversation_id = c.id ORDER BY sent_at DESC, seq DESC LIMIT 1)
      ORDER BY f.rank, m.sent_at DESC, m.seq DESC`);
  }

  /**
   * Stores a message the person is sending, as `sending`, in its conversation (opened when it is the first one).
   * The conversation's address becomes `peerUri`: replies go where the person last wrote to.
   */
  recordOutgoing(record: OutgoingRecord): MessageWrite {
    return this.#guard(() =>
      this.#db.transaction((): MessageWrite => {
        const conversationId = this.#findOrOpen(record, record.sentAt);
        const id = this.#newId();
        this.#insertMessage.run({
          id,
          conversation_id: conversationId,
          direction: 'outgoing',
          body: record.body,
          sent_at: record.sentAt,
          delivered_at: null,
          delivery: 'sending',
          failure_reason: null,
          failure_status: null,
          failure_detail: null,
          dedupe_key: null,
        });
        this.#afterOutgoing.run({ id: conversationId, peer_uri: record.peerUri, at: record.sentAt });
        return this.#written(id, conversationId);
      })(),
    );
  }

  /**
   * Stores a message that arrived, unless the same one (same dedupe key in its conversation) was stored before.
   * A new one counts as unread. Opening a conversation beyond `maxConversations` writes nothing and says `full`.
   */
  recordIncoming(record: IncomingRecord): IncomingOutcome {
    return this.#guard(() =>
      this.#db.transaction((): IncomingOutcome => {
        const existing = this.#find(record);
        if (existing === undefined && this.#countConversations.get()!.n >= this.#maxConversations) {
          return { kind: 'full' };
        }
        const conversationId = existing ?? this.#open(record, record.sentAt);
        const id = this.#newId();
        const inserted = this.#insertMessage.run({
          id,
          conversation_id: conversationId,
          direction: 'incoming',
          body: record.body,
          sent_at: record.sentAt,
          delivered_at: record.receivedAt,
          delivery: 'received',
          failure_reason: null,
          failure_status: null,
          failure_detail: null,
          dedupe_key: record.dedupeKey,
        });
        if (inserted.changes === 0) return { kind: 'duplicate' };
        this.#afterIncoming.run({ id: conversationId, peer_name: record.peerName, at: record.sentAt });
        return { kind: 'stored', ...this.#written(id, conversationId) };
      })(),
    );
  }

  /**
   * Records how sending ended for a message still `sending`; undefined when there is none (deleted with its
   * conversation meanwhile, or already finished).
   */
  finishSending(id: string, result: SendResult): MessageWrite | undefined {
    return this.#guard(() =>
      this.#db.transaction((): MessageWrite | undefined => {
        const failure = result.ok ? null : result.failure;
        const changed = this.#finish.run({
          id,
          delivery: result.ok ? 'delivered' : 'failed',
          delivered_at: result.ok ? result.deliveredAt : null,
          failure_reason: failure?.reason ?? null,
          failure_status: failure?.status ?? null,
          failure_detail: failure?.detail ?? null,
        });
        if (changed.changes === 0) return undefined;
        const row = this.#message.get(id)!;
        return this.#written(id, row.conversation_id);
      })(),
    );
  }

  /**
   * Puts a failed outgoing message back to `sending` for another try; undefined when it is not a failed outgoing
   * message (look it up with `message` to tell why).
   */
  resend(id: string): (MessageWrite & Omit<StoredMessage, 'message'>) | undefined {
    return this.#guard(() =>
      this.#db.transaction(() => {
        if (this.#resend.run(id).changes === 0) return undefined;
        const row = this.#message.get(id)!;
        return {
          ...this.#written(id, row.conversation_id),
          accountId: row.account_id,
          peerUri: row.peer_uri,
        };
      })(),
    );
  }

  /**
   * Marks every message still `sending` as failed: run once at engine start, when no send can be under way, so a
   * message whose engine stopped mid-send offers a retry instead of showing as sending for ever. Returns how many.
   */
  failUnfinished(detail: string): number {
    return this.#guard(() => this.#failSending.run({ reason: 'failed', detail }).changes);
  }

  message(id: string): StoredMessage | undefined {
    return this.#guard(() => {
      const row = this.#message.get(id);
      return row && { message: toMessage(row), accountId: row.account_id, peerUri: row.peer_uri };
    });
  }

  conversation(id: string): ConversationDto | undefined {
    return this.#guard(() => {
      const row = this.#conversation.get(id);
      return row && toConversation(row);
    });
  }

  /** The conversation with this peer on this account, if there is one. */
  findConversation(peer: PeerRef): ConversationDto | undefined {
    return this.#guard(() => {
      const id = this.#find(peer);
      return id === undefined ? undefined : toConversation(this.#conversation.get(id)!);
    });
  }

  /** Every conversation, the most recently active first. */
  conversations(): ConversationDto[] {
    return this.#guard(() => this.#conversations.all().map(toConversation));
  }

  /** A conversation's messages, newest first, `limit` at a time; `next` is where the older page starts. */
  thread(query: MessageThreadQuery): MessagePage {
    return this.#guard(() => {
      // One row more than asked says whether another page follows, without a count.
      const limit = Math.max(1, Math.floor(query.limit)) + 1;
      const rows = query.before
        ? this.#nextPage.all({
            conversation_id: query.conversationId,
            limit,
            sent_at: query.before.sentAt,
            id: query.before.id,
          })
        : this.#firstPage.all({ conversation_id: query.conversationId, limit });
      const messages = rows.slice(0, limit - 1).map(toMessage);
      const last = messages.at(-1);
      return {
        messages,
        next: rows.length === limit && last ? { sentAt: last.sentAt, id: last.id } : null,
      };
    });
  }

  /** Sets the unread count to 0; the conversation as it now reads, or undefined when there is none. */
  markRead(conversationId: string): ConversationDto | undefined {
    return this.#guard(() =>
      this.#db.transaction(() =>
        this.#markRead.run(conversationId).changes === 0 ? undefined : this.conversation(conversationId),
      )(),
    );
  }

  /** Removes the conversation and its messages (and their index entries); false when there was none. */
  deleteConversation(conversationId: string): boolean {
    return this.#guard(() => this.#deleteConversation.run(conversationId).changes > 0);
  }

  /**
   * Messages whose text has every word of `text` (the last as a prefix), best matches first, at most `limit`.
   * `text` is words as typed, never FTS5 syntax (see fts-query.ts).
   */
  search(text: string, limit: number): MessageSearchHitDto[] {
    const query = ftsQuery(text);
    if (query === null) return [];
    return this.#guard(() =>
      this.#search
        .all({ query, limit: Math.max(1, Math.floor(limit)), candidates: this.#searchCandidates })
        .map((row) => ({
          message: toMessage(row),
          conversation: toConversation(unprefixed(row)),
        })),
    );
  }

  #find(peer: PeerRef): string | undefined {
    const accountId = this.#existingAccount(peer.accountId);
    const row =
      accountId === null
        ? this.#findWithoutAccount.get(peer.peerKey)
        : this.#findWithAccount.get(accountId, peer.peerKey);
    return row?.id;
  }

  #findOrOpen(record: PeerRef & { readonly peerUri: string }, at: number): string {
    return this.#find(record) ?? this.#open(record, at);
  }

  #open(record: PeerRef & { readonly peerUri: string }, at: number): string {
    const id = this.#newId();
    this.#createConversation.run({
      id,
      account_id: this.#existingAccount(record.accountId),
      peer_key: record.peerKey,
      peer_uri: record.peerUri,
      at,
    });
    return id;
  }

  /** An account deleted meanwhile counts as none, as call history stores it. */
  #existingAccount(accountId: string | null): string | null {
    return accountId === null ? null : (this.#accountExists.get(accountId)?.id ?? null);
  }

  /** Reads back what a write made, and keeps the table within `maxMessages`. */
  #written(messageId: string, conversationId: string): MessageWrite {
    const row = this.#message.get(messageId)!;
    this.#prune(row.seq);
    // The message itself is the newest row, so the prune never removes it.
    return { message: toMessage(row), conversation: toConversation(this.#conversation.get(conversationId)!) };
  }

  /**
   * Keeps at most `maxMessages` messages: seq grows by one per message written (SQLite's rowid is the largest so far
   * plus one), so removing every row `maxMessages` or more below the newest bounds the count. The oldest messages go
   * first, whoever wrote them; what a stranger can make us keep is bounded, if not what they can make us forget.
   */
  #prune(newestSeq: number): void {
    const below = newestSeq - this.#maxMessages;
    if (below > 0) this.#pruneUpTo.run(below);
  }

  #guard<T>(operation: () => T): T {
    return guarded(this.#db.name, operation);
  }
}

function toMessage(row: MessageRow): MessageDto {
  const delivery = toDelivery(row.delivery);
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction === 'incoming' ? 'incoming' : 'outgoing',
    body: row.body,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    delivery,
    failure:
      delivery === 'failed'
        ? {
            // The column has no CHECK (the contract's list grows); a reason this build does not know reads `failed`.
            reason: FAILURE_REASONS.has(row.failure_reason ?? '')
              ? (row.failure_reason as MessageFailureReason)
              : 'failed',
            status: row.failure_status,
            detail: row.failure_detail,
          }
        : null,
  };
}

function toDelivery(value: string): MessageDelivery {
  return value === 'sending' || value === 'delivered' || value === 'received' ? value : 'failed';
}

function toConversation(row: ConversationRow): ConversationDto {
  const last =
    row.m_seq === null
      ? null
      : toMessage({
          seq: row.m_seq,
          id: row.m_id!,
          conversation_id: row.id,
          direction: row.m_direction!,
          body: row.m_body!,
          sent_at: row.m_sent_at!,
          delivered_at: row.m_delivered_at,
          delivery: row.m_delivery!,
          failure_reason: row.m_failure_reason,
          failure_status: row.m_failure_status,
          failure_detail: row.m_failure_detail,
        });
  return {
    id: row.id,
    accountId: row.account_id,
    peerUri: row.peer_uri,
    peerName: row.peer_name,
    lastMessage: last,
    unread: row.unread,
    updatedAt: row.updated_at,
  };
}

function unprefixed(row: SearchRow): ConversationRow {
  return {
    id: row.c_id,
    account_id: row.c_account_id,
    peer_uri: row.c_peer_uri,
    peer_name: row.c_peer_name,
    unread: row.c_unread,
    updated_at: row.c_updated_at,
    m_seq: row.c_m_seq,
    m_id: row.c_m_id,
    m_direction: row.c_m_direction,
    m_body: row.c_m_body,
    m_sent_at: row.c_m_sent_at,
    m_delivered_at: row.c_m_delivered_at,
    m_delivery: row.c_m_delivery,
    m_failure_reason: row.c_m_failure_reason,
    m_failure_status: row.c_m_failure_status,
    m_failure_detail: row.c_m_failure_detail,
  };
}
