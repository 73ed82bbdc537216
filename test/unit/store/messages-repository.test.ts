// Conversations and messages: outgoing messages from sending to delivered or failed, incoming ones stored once
// however often they arrive, thread pages that neither repeat nor skip, the conversation list with last message and
// unread count, deletes that take the messages and their index entries along, full-text search that no typed
// text can break or steer, the bounds, and a full disk as a StoreFailure.
import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageCursor } from '../../../main/contract/contract';
import { AccountsRepository } from '../../../main/store/accounts-repository';
import {
  type IncomingRecord,
  MessagesRepository,
  type MessagesRepositoryOptions,
  type OutgoingRecord,
} from '../../../main/store/messages-repository';
import { StoreFailure } from '../../../main/store/store-error';
import { migratedDatabase } from './helpers/migrated-database';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

let db: Database;
let repo: MessagesRepository;
let accounts: AccountsRepository;
let ids: number;

function repository(options: MessagesRepositoryOptions = {}): MessagesRepository {
  return new MessagesRepository(db, { newId: () => `id-${++ids}`, ...options });
}

beforeEach(() => {
  ids = 0;
  db = migratedDatabase(tempDir());
  repo = repository();
  accounts = new AccountsRepository(db, { clock: { wallTime: () => 1 }, newId: () => 'acc-1' });
  return () => db.close();
});

function addAccount(): string {
  return accounts.insert({
    displayName: 'Alice',
    aor: 'sip:alice@example.test',
    authUser: null,
    outboundProxy: null,
    registrar: null,
    transport: 'udp',
    expires: 600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
    password: null,
  }).id;
}

function outgoing(body: string, sentAt: number, overrides: Partial<OutgoingRecord> = {}) {
  return repo.recordOutgoing({
    accountId: null,
    peerKey: 'sip:bob@example.test',
    peerUri: 'sip:bob@example.test',
    body,
    sentAt,
    ...overrides,
  });
}

function incoming(body: string, sentAt: number, overrides: Partial<IncomingRecord> = {}) {
  return repo.recordIncoming({
    accountId: null,
    peerKey: 'sip:bob@example.test',
    peerUri: 'sip:bob@example.test',
    peerName: 'Bob',
    body,
    sentAt,
    receivedAt: sentAt + 5,
    dedupeKey: `key-${body}`,
    ...overrides,
  });
}

function stored(outcome: ReturnType<typeof incoming>) {
  if (outcome.kind !== 'stored') throw new Error(`expected stored, got ${outcome.kind}`);
  return outcome;
}

const bodies = (page: { messages: { body: string }[] }) => page.messages.map((message) => message.body);
const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('outgoing messages', () => {
  it('stores one as sending in a new conversation, then records delivery', () => {
    const written = outgoing('hello', 1_000);
    expect(written.message).toEqual({
      id: 'id-2',
      conversationId: 'id-1',
      direction: 'outgoing',
      body: 'hello',
      sentAt: 1_000,
      deliveredAt: null,
      delivery: 'sending',
      failure: null,
    });
    expect(written.conversation).toEqual({
      id: 'id-1',
      accountId: null,
      peerUri: 'sip:bob@example.test',
      peerName: null,
      lastMessage: written.message,
      unread: 0,
      updatedAt: 1_000,
    });
    const done = repo.finishSending('id-2', { ok: true, deliveredAt: 1_200 });
    expect(done?.message).toMatchObject({ delivery: 'delivered', deliveredAt: 1_200, failure: null });
    expect(done?.conversation.lastMessage).toEqual(done?.message);
    // Finished once: a second outcome for the same message changes nothing.
    expect(repo.finishSending('id-2', { ok: true, deliveredAt: 9_999 })).toBeUndefined();
    expect(repo.message('id-2')?.message.deliveredAt).toBe(1_200);
  });

  it('records a failure with its reason, status and detail, and puts it back to sending for a retry', () => {
    outgoing('hello', 1_000);
    const failure = { reason: 'unavailable' as const, status: 480, detail: '480 Temporarily Unavailable' };
    const failed = repo.finishSending('id-2', { ok: false, failure });
    expect(failed?.message).toMatchObject({ delivery: 'failed', deliveredAt: null, failure });
    const again = repo.resend('id-2');
    expect(again).toMatchObject({
      message: { id: 'id-2', delivery: 'sending', failure: null, sentAt: 1_000 },
      accountId: null,
      peerUri: 'sip:bob@example.test',
    });
    // Only a failed outgoing message can be sent again.
    expect(repo.resend('id-2')).toBeUndefined();
    stored(incoming('hi', 2_000));
    expect(repo.resend('id-4')).toBeUndefined();
    expect(repo.resend('no-such')).toBeUndefined();
  });

  it('keeps one conversation per account and peer key, and sends replies where the person last wrote to', () => {
    const account = addAccount();
    outgoing('one', 1_000, { peerUri: 'sip:bob@EXAMPLE.test' });
    outgoing('two', 2_000, { peerUri: 'sip:bob@example.test;transport=tcp' });
    outgoing('three', 3_000, { accountId: account });
    expect(repo.conversations()).toMatchObject([
      { accountId: account, lastMessage: { body: 'three' } },
      { accountId: null, peerUri: 'sip:bob@example.test;transport=tcp', lastMessage: { body: 'two' } },
    ]);
    expect(count('conversations')).toBe(2);
  });

  it('stores a message for an account deleted meanwhile as one without an account', () => {
    const written = outgoing('hello', 1_000, { accountId: 'gone' });
    expect(written.conversation.accountId).toBeNull();
  });

  it('marks every message left sending as failed at the next start, so a retry is offered', () => {
    outgoing('a', 1_000);
    outgoing('b', 2_000);
    repo.finishSending('id-2', { ok: true, deliveredAt: 1_100 });
    expect(repo.failUnfinished('engine stopped')).toBe(1);
    expect(repo.message('id-3')?.message).toMatchObject({
      delivery: 'failed',
      failure: { reason: 'failed', status: null, detail: 'engine stopped' },
    });
    expect(repo.message('id-2')?.message.delivery).toBe('delivered');
    expect(repo.failUnfinished('engine stopped')).toBe(0);
  });
});

describe('incoming messages', () => {
  it('stores one as received and unread, with the name it carried', () => {
    const first = stored(incoming('hello', 1_000));
    expect(first.message).toMatchObject({
      direction: 'incoming',
      delivery: 'received',
      sentAt: 1_000,
      deliveredAt: 1_005,
    });
    expect(first.conversation).toMatchObject({ peerName: 'Bob', unread: 1, lastMessage: first.message });
    const second = stored(incoming('again', 2_000, { peerName: null }));
    // No name this time keeps the one known.
    expect(second.conversation).toMatchObject({ peerName: 'Bob', unread: 2 });
  });

  it('keeps one copy of a message delivered twice, changing nothing the second time', () => {
    stored(incoming('hello', 1_000));
    expect(incoming('hello', 1_000)).toEqual({ kind: 'duplicate' });
    // The same key in another conversation is another message.
    stored(incoming('hello', 1_000, { peerKey: 'sip:carol@example.test' }));
    expect(count('messages')).toBe(2);
    expect(repo.conversations().map((c) => c.unread)).toEqual([1, 1]);
  });

  it('puts an offline message with an old date in its place and leaves the newer last message', () => {
    stored(incoming('new', 5_000));
    const old = stored(incoming('old', 1_000));
    expect(old.conversation).toMatchObject({ updatedAt: 5_000, lastMessage: { body: 'new' }, unread: 2 });
    expect(bodies(repo.thread({ conversationId: old.conversation.id, limit: 10, before: null }))).toEqual([
      'new',
      'old',
    ]);
  });

  it('marks a conversation read', () => {
    const { conversation } = stored(incoming('hello', 1_000));
    expect(repo.markRead(conversation.id)).toMatchObject({ unread: 0 });
    expect(repo.conversation(conversation.id)?.unread).toBe(0);
    expect(repo.markRead('no-such')).toBeUndefined();
  });

  it('refuses to open a conversation beyond the limit, but still stores in the open ones', () => {
    repo = repository({ maxConversations: 2 });
    stored(incoming('a', 1_000, { peerKey: 'sip:a@x' }));
    stored(incoming('b', 1_000, { peerKey: 'sip:b@x' }));
    expect(incoming('c', 1_000, { peerKey: 'sip:c@x' })).toEqual({ kind: 'full' });
    stored(incoming('a2', 2_000, { peerKey: 'sip:a@x' }));
    expect(count('conversations')).toBe(2);
  });
});

describe('thread pages', () => {
  function thread(n: number, sameTime = false): string {
    let conversationId = '';
    for (let i = 1; i <= n; i++) {
      const at = sameTime ? 1_000 : i * 1_000;
      conversationId = (i % 2 ? outgoing(`m${i}`, at) : stored(incoming(`m${i}`, at))).conversation.id;
    }
    return conversationId;
  }

  function allPages(conversationId: string, limit: number): string[][] {
    const pages: string[][] = [];
    let before: MessageCursor | null = null;
    do {
      const page = repo.thread({ conversationId, limit, before });
      pages.push(bodies(page));
      before = page.next;
    } while (before !== null);
    return pages;
  }

  it('pages newest first with a cursor, the last page saying there is no more', () => {
    const id = thread(7);
    expect(allPages(id, 3)).toEqual([['m7', 'm6', 'm5'], ['m4', 'm3', 'm2'], ['m1']]);
    expect(allPages(id, 7)).toEqual([['m7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1']]);
  });

  it('orders messages of the same millisecond as they were written, across page boundaries', () => {
    const id = thread(5, true);
    expect(allPages(id, 2)).toEqual([['m5', 'm4'], ['m3', 'm2'], ['m1']]);
  });

  it('neither repeats nor skips when messages arrive between pages', () => {
    const id = thread(4);
    const first = repo.thread({ conversationId: id, limit: 2, before: null });
    stored(incoming('late', 10_000));
    const second = repo.thread({ conversationId: id, limit: 2, before: first.next });
    expect([...bodies(first), ...bodies(second)]).toEqual(['m4', 'm3', 'm2', 'm1']);
  });

  it('gives an empty page for an unknown conversation', () => {
    expect(repo.thread({ conversationId: 'no-such', limit: 5, before: null })).toEqual({
      messages: [],
      next: null,
    });
  });
});

describe('deleting a conversation', () => {
  it('takes its messages and their search entries along, and leaves the others', () => {
    const bob = outgoing('lunch tomorrow?', 1_000).conversation.id;
    stored(incoming('lunch sounds good', 2_000, { peerKey: 'sip:carol@example.test' }));
    expect(repo.search('lunch', 10)).toHaveLength(2);
    expect(repo.deleteConversation(bob)).toBe(true);
    expect(repo.deleteConversation(bob)).toBe(false);
    expect(count('messages')).toBe(1);
    expect(repo.search('lunch', 10).map((hit) => hit.message.body)).toEqual(['lunch sounds good']);
    // The index agrees with its content table.
    expect(() =>
      db.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`),
    ).not.toThrow();
  });

  it('keeps the conversations of a deleted account, as conversations without one', () => {
    const account = addAccount();
    outgoing('direct', 500);
    outgoing('hello', 1_000, { accountId: account });
    accounts.delete(account);
    // The peer already had an account-less conversation: both remain, and the latest is used from now on.
    expect(repo.conversations()).toMatchObject([
      { accountId: null, lastMessage: { body: 'hello' } },
      { accountId: null, lastMessage: { body: 'direct' } },
    ]);
    const latest = outgoing('after', 3_000);
    expect(latest.conversation.lastMessage?.body).toBe('after');
    expect(repo.conversations().map((c) => c.lastMessage?.body)).toEqual(['after', 'direct']);
  });
});

describe('search', () => {
  beforeEach(() => {
    outgoing('Shall we meet at the café on Friday?', 1_000);
    stored(incoming('Meeting moved to Monday', 2_000));
    stored(incoming('שלום, מה שלומך? 👋', 3_000, { peerKey: 'sip:dana@example.test' }));
    outgoing('The report is "final" now; NEAR(done) AND (not) OR maybe', 4_000);
    outgoing("don't forget the e-mail", 5_000);
  });

  const found = (text: string) => repo.search(text, 20).map((hit) => hit.message.body);

  it('relies on FTS5, which better-sqlite3 builds into its SQLite (the Electron rebuild compiles the same source)', () => {
    const options = (db.pragma('compile_options') as { compile_options: string }[]).map(
      (o) => o.compile_options,
    );
    expect(options).toContain('ENABLE_FTS5');
  });

  it('finds every word, the last as a prefix, ignoring case and accents', () => {
    expect(found('cafe')).toEqual(['Shall we meet at the café on Friday?']);
    expect(found('CAFÉ friday')).toEqual(['Shall we meet at the café on Friday?']);
    expect(found('mee').sort()).toEqual(['Meeting moved to Monday', 'Shall we meet at the café on Friday?']);
    expect(found('meet friday')).toEqual(['Shall we meet at the café on Friday?']);
    expect(found('friday meet')).toEqual(['Shall we meet at the café on Friday?']);
    expect(found('meet saturday')).toEqual([]);
    expect(found('שלום')).toEqual(['שלום, מה שלומך? 👋']);
    expect(found("don't")).toEqual(["don't forget the e-mail"]);
    expect(found('e-mail')).toEqual(["don't forget the e-mail"]);
    expect(found('nothing like it')).toEqual([]);
  });

  it('returns each hit with its conversation, best matches first', () => {
    stored(incoming('monday monday monday', 6_000));
    const hits = repo.search('monday', 10);
    expect(hits.map((hit) => hit.message.body)).toEqual(['monday monday monday', 'Meeting moved to Monday']);
    expect(hits[0]!.conversation).toMatchObject({ peerUri: 'sip:bob@example.test', unread: 2 });
    expect(repo.search('monday', 1)).toHaveLength(1);
  });

  it('ranks only the newest searchCandidates matches, so a word in most messages stays quick', () => {
    repo = repository({ searchCandidates: 2 });
    stored(incoming('report report report', 6_000));
    stored(incoming('the report', 7_000));
    stored(incoming('a report again', 8_000));
    // The best match overall (three times the word) is older than the two newest matches, which are all that rank.
    expect(found('report')).toEqual(['the report', 'a report again']);
    expect(repo.search('report', 1).map((hit) => hit.message.body)).toEqual(['the report']);
  });

  it('treats FTS5 syntax as plain words, never as a query or an error', () => {
    for (const hostile of [
      '"',
      '""',
      'NEAR(',
      'NEAR(done',
      'final" OR "meet',
      'body:final',
      '*',
      '^final',
      '(not)',
      'AND',
      'OR maybe',
      '-',
      "'; DROP TABLE messages; --",
      '\u0000',
      'x'.repeat(200),
      'a '.repeat(100),
    ]) {
      expect(() => found(hostile), hostile).not.toThrow();
    }
    // `final" OR "meet` is three words, all of which must appear: no message has "or" and "meet" and "final".
    expect(found('final" OR "meet')).toEqual([]);
    expect(found('NEAR(done')).toEqual(['The report is "final" now; NEAR(done) AND (not) OR maybe']);
    expect(found('OR maybe')).toEqual(['The report is "final" now; NEAR(done) AND (not) OR maybe']);
    expect(found('"final"')).toEqual(['The report is "final" now; NEAR(done) AND (not) OR maybe']);
    expect(found('body:final')).toEqual([]);
    expect(found('"')).toEqual([]);
    expect(found('   ')).toEqual([]);
    expect(count('messages')).toBe(5);
  });
});

describe('bounds', () => {
  it('keeps at most maxMessages messages, dropping the oldest', () => {
    repo = repository({ maxMessages: 3 });
    for (let i = 1; i <= 5; i++) outgoing(`m${i}`, i * 1_000);
    expect(count('messages')).toBe(3);
    const [conversation] = repo.conversations();
    expect(bodies(repo.thread({ conversationId: conversation!.id, limit: 10, before: null }))).toEqual([
      'm5',
      'm4',
      'm3',
    ]);
    expect(found()).toEqual([]);
    function found() {
      return repo.search('m1', 10);
    }
  });

  it('refuses a body longer than the schema allows, and a reason-less failure', () => {
    expect(() => outgoing('x'.repeat(32_769), 1_000)).toThrow(/CHECK/);
    outgoing('fine', 1_000);
    expect(() => db.prepare(`UPDATE messages SET delivery = 'failed'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE messages SET delivery = 'received'`).run()).toThrow(/CHECK/);
  });
});

describe('when the database refuses', () => {
  it('throws StoreFailure(disk-full) when the database cannot grow, and keeps what it had', () => {
    outgoing('kept', 1_000);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let failure: unknown;
    try {
      for (let i = 0; i < 200; i++) stored(incoming(`${i} ${'long text '.repeat(400)}`, 2_000 + i));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(StoreFailure);
    expect((failure as StoreFailure).error).toMatchObject({ kind: 'disk-full', path: db.name });
    expect(repo.search('kept', 10)).toHaveLength(1);
  });

  it('throws StoreFailure(read-only) when writes are refused', () => {
    db.pragma('query_only = ON');
    expect(() => outgoing('hello', 1_000)).toThrow(StoreFailure);
    db.pragma('query_only = OFF');
    expect(repo.conversations()).toEqual([]);
  });
});
