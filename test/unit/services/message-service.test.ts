// The MessageService over a real store and a fake MessagingEngine: what it checks before storing, the order of
// store → events → engine → store → events for a message sent, the verdicts it gives the engine for a message that
// arrives (stored once, refused, failed when the disk refuses), unread counts, composing both ways, messages a
// stopped engine left sending, and how it stops.
import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventName, Events, MessageDto } from '../../../main/contract/contract';
import { MESSAGE_BODY_MAX_BYTES } from '../../../main/contract/limits';
import { DEFAULT_MESSAGING_LIMITS, MESSAGES_WAITING_MAX } from '../../../main/messaging/messaging-usage';
import type { LogLevel, Logger } from '../../../main/platform/logger';
import { EventHub } from '../../../main/services/event-hub';
import { ENGINE_STOPPED_DETAIL, MessageService, SENDING_MAX } from '../../../main/services/message-service';
import { ServiceError } from '../../../main/services/service-error';
import { AccountsRepository } from '../../../main/store/accounts-repository';
import { MessagesRepository, type MessagesRepositoryOptions } from '../../../main/store/messages-repository';
import { FakeMessagingEngine, delivered, failed } from '../../support/fake-messaging-engine';
import { ManualClock } from '../../support/manual-clock';
import { settle } from '../../support/settle';
import { migratedDatabase } from '../store/helpers/migrated-database';
import { useTempDirs } from '../store/helpers/temp-dir';

const tempDir = useTempDirs();

type RecordedEvent = { [E in EventName]: { name: E; payload: Events[E] } }[EventName];

let db: Database;
let clock: ManualClock;
let engine: FakeMessagingEngine;
let store: MessagesRepository;
let accounts: AccountsRepository;
let events: RecordedEvent[];
let logs: { level: LogLevel; message: string }[];
let hub: EventHub;
let service: MessageService;

const logger: Logger = { log: (level, message) => logs.push({ level, message }) };

function startService(options: MessagesRepositoryOptions = {}): MessageService {
  store = new MessagesRepository(db, options);
  const started = new MessageService({ engine, store, accounts, events: hub, clock, logger });
  started.start();
  return started;
}

beforeEach(() => {
  db = migratedDatabase(tempDir());
  clock = new ManualClock();
  engine = new FakeMessagingEngine();
  accounts = new AccountsRepository(db, { clock, newId: () => `acc-${accounts.list().length + 1}` });
  events = [];
  logs = [];
  hub = new EventHub();
  hub.subscribe((name, payload) => events.push({ name, payload } as RecordedEvent));
  service = startService();
  return () => db.close();
});

function addAccount(enabled = true): string {
  return accounts.insert({
    displayName: 'Alice',
    aor: `sip:alice${accounts.list().length}@example.test`,
    authUser: null,
    outboundProxy: null,
    registrar: null,
    transport: 'udp',
    expires: 600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled,
    password: null,
  }).id;
}

const names = () => events.map((event) => event.name);
const messageEvents = () => events.flatMap((e) => (e.name === 'message.changed' ? [e.payload] : []));

function send(body = 'hello', to = 'sip:bob@example.test', accountId: string | null = null): MessageDto {
  return service.send({ accountId, to, body });
}

function errorOf(work: () => unknown): ServiceError {
  try {
    work();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a ServiceError');
}

describe('sending', () => {
  it('stores the message as sending and announces it before the engine is asked, then stores the delivery', async () => {
    hub.subscribe((name, payload) => {
      // Whatever is announced is on disk already.
      if (name === 'message.changed') {
        const message = payload as MessageDto;
        expect(store.message(message.id)?.message).toEqual(message);
      }
    });
    const sent = send('hello 👋 שלום');
    expect(sent).toMatchObject({ direction: 'outgoing', delivery: 'sending', body: 'hello 👋 שלום' });
    expect(sent.sentAt).toBe(clock.wallTime());
    expect(names()).toEqual(['message.changed', 'conversation.changed']);
    expect(engine.sends).toEqual([{ accountId: null, to: 'sip:bob@example.test', body: 'hello 👋 שלום' }]);
    clock.advance(300);
    engine.settle(delivered(202));
    await settle(clock);
    expect(messageEvents().at(-1)).toMatchObject({
      id: sent.id,
      delivery: 'delivered',
      deliveredAt: clock.wallTime(),
    });
    expect(names()).toEqual([
      'message.changed',
      'conversation.changed',
      'message.changed',
      'conversation.changed',
    ]);
    expect(service.conversations()).toMatchObject([{ lastMessage: { id: sent.id, delivery: 'delivered' } }]);
  });

  it('stores a failure with its reason and offers a retry that sends the same text again', async () => {
    const account = addAccount();
    const sent = send('are you there?', 'sip:bob@example.test', account);
    engine.settle(failed());
    await settle(clock);
    expect(store.message(sent.id)?.message).toMatchObject({
      delivery: 'failed',
      failure: { reason: 'unavailable', status: 480, detail: '480 Temporarily Unavailable' },
    });
    const again = service.retry(sent.id);
    expect(again).toMatchObject({ id: sent.id, delivery: 'sending', failure: null });
    expect(engine.sends.at(-1)).toEqual({
      accountId: account,
      to: 'sip:bob@example.test',
      body: 'are you there?',
    });
    engine.settle(delivered());
    await settle(clock);
    expect(store.message(sent.id)?.message.delivery).toBe('delivered');
    expect(errorOf(() => service.retry(sent.id)).code).toBe('conflict');
    expect(errorOf(() => service.retry('no-such')).code).toBe('not-found');
  });

  it('refuses, before storing or sending, an address the SIP grammar refuses, a missing or disabled account and text too large as UTF-8', () => {
    const disabled = addAccount(false);
    expect(errorOf(() => send('x', 'sip:bob@exa mple.test'))).toMatchObject({ code: 'invalid-argument' });
    expect(errorOf(() => send('x', 'tel:+4930123'))).toMatchObject({
      code: 'invalid-argument',
      details: { field: 'to' },
    });
    expect(errorOf(() => send('x', 'sip:bob@example.test', 'gone'))).toMatchObject({
      code: 'not-found',
      details: { field: 'accountId' },
    });
    expect(errorOf(() => send('x', 'sip:bob@example.test', disabled))).toMatchObject({ code: 'conflict' });
    // 10,000 characters pass the schema, but four-byte emoji make them 40,000 bytes.
    expect(errorOf(() => send('😀'.repeat(MESSAGE_BODY_MAX_BYTES / 4 + 1)))).toMatchObject({
      code: 'invalid-argument',
      details: { field: 'body' },
    });
    expect(events).toEqual([]);
    expect(engine.sends).toEqual([]);
    expect(service.conversations()).toEqual([]);
  });

  it('keeps what the engine reports within what the store keeps, and fails a send that throws', async () => {
    const first = send('one');
    engine.settle({
      ok: false,
      failure: { reason: 'gremlins' as never, status: 42, detail: 'x'.repeat(2_000) },
    });
    await settle(clock);
    const stored = store.message(first.id)?.message.failure;
    expect(stored).toMatchObject({ reason: 'failed', status: null });
    expect(stored?.detail?.length).toBeLessThanOrEqual(500);

    engine.send = () => Promise.reject(new Error('boom'));
    const second = send('two');
    await settle(clock);
    expect(store.message(second.id)?.message.failure).toEqual({
      reason: 'failed',
      status: null,
      detail: 'boom',
    });
  });

  it('refuses more than SENDING_MAX messages in flight, and their retries, until some finish', async () => {
    const first = send('first');
    engine.settle(failed());
    await settle(clock);
    for (let i = 0; i < SENDING_MAX; i++) send(`m${i}`);
    const full = {
      code: 'unavailable',
      message: 'Too many messages are being sent; try again when some have gone.',
    };
    expect(errorOf(() => send('one too many'))).toMatchObject(full);
    expect(errorOf(() => service.retry(first.id))).toMatchObject(full);
    // Nothing refused was stored or handed to the engine.
    expect(engine.sends).toHaveLength(SENDING_MAX + 1);
    expect(
      store.thread({ conversationId: first.conversationId, limit: 500, before: null }).messages,
    ).toHaveLength(SENDING_MAX + 1);
    engine.settle(delivered());
    await settle(clock);
    expect(send('now there is room').delivery).toBe('sending');
  });

  it('is the bound a person meets first: each user agent lets more MESSAGEs wait, for is-composing', () => {
    expect(SENDING_MAX).toBeLessThan(MESSAGES_WAITING_MAX);
    expect(DEFAULT_MESSAGING_LIMITS.maxInFlight).toBe(MESSAGES_WAITING_MAX);
  });

  it('answers a storage error when the disk refuses the message, and sends nothing', () => {
    db.pragma('query_only = ON');
    expect(errorOf(() => send('hello'))).toMatchObject({ code: 'storage' });
    db.pragma('query_only = OFF');
    expect(engine.sends).toEqual([]);
  });

  it('drops the outcome of a message whose conversation was deleted meanwhile', async () => {
    const sent = send('hello');
    service.deleteConversation(sent.conversationId);
    expect(events.at(-1)).toEqual({ name: 'conversation.removed', payload: { id: sent.conversationId } });
    const before = events.length;
    engine.settle(delivered());
    await settle(clock);
    expect(events.length).toBe(before);
    expect(errorOf(() => service.deleteConversation(sent.conversationId)).code).toBe('not-found');
  });
});

describe('incoming messages', () => {
  it('stores, then announces, then answers stored; a repeat is stored once and announced once', () => {
    hub.subscribe((name, payload) => {
      if (name === 'message.changed') {
        const message = payload as MessageDto;
        expect(store.message(message.id)?.message).toEqual(message);
      }
    });
    expect(engine.receive({ body: 'hi there', fromName: '  Bob  ', dedupeKey: 'k1' })).toEqual({
      kind: 'stored',
    });
    expect(names()).toEqual(['message.changed', 'conversation.changed']);
    expect(events[1]!.payload).toMatchObject({ peerName: 'Bob', unread: 1, peerUri: 'sip:bob@example.test' });
    expect(engine.receive({ body: 'hi there', dedupeKey: 'k1' })).toEqual({ kind: 'stored' });
    expect(events).toHaveLength(2);
  });

  it('keeps a dedupe key of any length as its digest, still one copy per message', () => {
    const long = 'k'.repeat(5_000);
    expect(engine.receive({ body: 'one', dedupeKey: long })).toEqual({ kind: 'stored' });
    expect(engine.receive({ body: 'one', dedupeKey: long })).toEqual({ kind: 'stored' });
    expect(engine.receive({ body: 'two', dedupeKey: `${long}x` })).toEqual({ kind: 'stored' });
    expect(messageEvents().map((m) => m.body)).toEqual(['one', 'two']);
    const keys = db.prepare('SELECT dedupe_key AS key FROM messages').all() as { key: string }[];
    expect(keys.every(({ key }) => /^sha256:[0-9a-f]{64}$/.test(key))).toBe(true);
  });

  it('files messages from one peer however its host and parameters are spelled into one conversation', () => {
    const account = addAccount();
    const now = clock.wallTime();
    send('hello', 'sip:Bob@Example.TEST;transport=tcp', account);
    engine.receive({ accountId: account, from: 'sip:Bob@example.test:5060', receivedAt: now + 1 });
    engine.receive({ accountId: account, from: 'sip:Bob@example.test', receivedAt: now + 2 });
    // The user part is case-sensitive (RFC 3261 §19.1.4): another user, another conversation.
    engine.receive({ accountId: account, from: 'sip:bob@example.test', receivedAt: now + 3 });
    expect(service.conversations().map((c) => [c.peerUri, c.unread])).toEqual([
      ['sip:bob@example.test', 1],
      ['sip:Bob@Example.TEST;transport=tcp', 1],
      ['sip:Bob@example.test:5060', 1],
    ]);
  });

  it('never stores, announces or sends on a password in a peer address (RFC 3261 §19.1.1)', async () => {
    const account = addAccount();
    const now = clock.wallTime();
    const sent = send('hello', 'sip:bob:secret@Example.TEST;transport=tcp', account);
    expect(engine.sends.map((message) => message.to)).toEqual(['sip:bob@Example.TEST;transport=tcp']);
    engine.settle(failed());
    await settle(clock);
    engine.receive({ accountId: account, from: 'sip:bob:other@example.test', receivedAt: now + 1 });
    engine.receive({ accountId: account, from: 'sip:carol:pw@example.test', receivedAt: now + 2 });
    service.setComposing({ accountId: account, to: 'sip:carol:pw@example.test', state: 'active' });
    expect(engine.composingSent.map((composing) => composing.to)).toEqual(['sip:carol@example.test']);
    service.retry(sent.id);
    expect(engine.sends.at(-1)!.to).toBe('sip:bob@Example.TEST;transport=tcp');
    expect(service.conversations().map((c) => c.peerUri)).toEqual([
      'sip:carol@example.test',
      'sip:bob@Example.TEST;transport=tcp',
    ]);
    expect(JSON.stringify(events)).not.toMatch(/secret|other|:pw@/);
    expect(JSON.stringify(db.prepare('SELECT * FROM conversations').all())).not.toMatch(/secret|other|:pw@/);
  });

  it('keeps an offline message’s date, but not a date after it arrived', () => {
    engine.receive({ body: 'old', date: 1_000_000, receivedAt: 5_000_000, dedupeKey: 'a' });
    engine.receive({ body: 'future', date: 9_000_000, receivedAt: 6_000_000, dedupeKey: 'b' });
    expect(messageEvents().map((m) => [m.body, m.sentAt, m.deliveredAt])).toEqual([
      ['old', 1_000_000, 5_000_000],
      ['future', 6_000_000, 6_000_000],
    ]);
  });

  it('refuses a sender address it cannot file and a body over the byte limit', () => {
    expect(engine.receive({ from: 'mailto:bob@example.test' })).toEqual({
      kind: 'refused',
      status: 400,
      reason: 'Bad From Address',
    });
    expect(engine.receive({ from: `sip:${'b'.repeat(600)}@example.test` })).toMatchObject({ status: 400 });
    expect(engine.receive({ body: 'x'.repeat(MESSAGE_BODY_MAX_BYTES + 1) })).toMatchObject({ status: 413 });
    expect(events).toEqual([]);
  });

  it('answers failed when the disk refuses, so the sender tries again, and stores it when it does', () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const verdict = engine.receive({ body: 'x'.repeat(30_000), dedupeKey: 'k' });
    expect(verdict).toMatchObject({ kind: 'failed' });
    expect(events).toEqual([]);
    db.pragma('max_page_count = 1000000');
    expect(engine.receive({ body: 'x'.repeat(30_000), dedupeKey: 'k' })).toEqual({ kind: 'stored' });
    expect(names()).toEqual(['message.changed', 'conversation.changed']);
  });

  it('refuses a new conversation beyond the limit with 486, and keeps taking the open ones', () => {
    service = startService({ maxConversations: 1 });
    expect(engine.receive({ from: 'sip:a@example.test' })).toEqual({ kind: 'stored' });
    expect(engine.receive({ from: 'sip:b@example.test' })).toEqual({
      kind: 'refused',
      status: 486,
      reason: 'Busy Here',
    });
    expect(engine.receive({ from: 'sip:a@example.test' })).toEqual({ kind: 'stored' });
  });

  it('counts unread messages until the conversation is marked read', () => {
    engine.receive();
    engine.receive();
    const [conversation] = service.conversations();
    expect(conversation?.unread).toBe(2);
    expect(service.markRead(conversation!.id)).toBeNull();
    expect(events.at(-1)).toMatchObject({ name: 'conversation.changed', payload: { unread: 0 } });
    expect(errorOf(() => service.markRead('no-such')).code).toBe('not-found');
  });
});

describe('reading', () => {
  it('pages a thread, finds messages by their words, and says when a conversation does not exist', () => {
    engine.receive({ body: 'Lunch at noon?' });
    const sent = send('Sounds good, see you at lunch');
    const page = service.list({ conversationId: sent.conversationId, limit: 1, before: null });
    expect(page.messages.map((m) => m.body)).toEqual(['Sounds good, see you at lunch']);
    expect(
      service.list({ conversationId: sent.conversationId, limit: 5, before: page.next }).messages,
    ).toHaveLength(1);
    expect(service.search({ text: 'lunch', limit: 10 }).map((hit) => hit.conversation.id)).toEqual([
      sent.conversationId,
      sent.conversationId,
    ]);
    expect(service.search({ text: 'NEAR(', limit: 10 })).toEqual([]);
    expect(errorOf(() => service.list({ conversationId: 'no-such', limit: 5, before: null })).code).toBe(
      'not-found',
    );
  });
});

describe('composing', () => {
  it('passes our typing state to the engine after checking the address and account', () => {
    expect(service.setComposing({ accountId: null, to: 'sip:bob@example.test', state: 'active' })).toBeNull();
    expect(engine.composingSent).toEqual([{ accountId: null, to: 'sip:bob@example.test', state: 'active' }]);
    expect(
      errorOf(() => service.setComposing({ accountId: 'gone', to: 'sip:bob@example.test', state: 'idle' }))
        .code,
    ).toBe('not-found');
    expect(
      errorOf(() => service.setComposing({ accountId: null, to: 'sip:bob@@x', state: 'idle' })).code,
    ).toBe('invalid-argument');
    expect(engine.composingSent).toHaveLength(1);
  });

  it('announces a peer typing in an existing conversation, and ignores a peer with none', () => {
    const sent = send('hello');
    events.length = 0;
    engine.composing({ from: 'sip:stranger@example.test', state: 'active' });
    expect(events).toEqual([]);
    engine.composing({ from: 'sip:bob@EXAMPLE.test', state: 'active' });
    engine.composing({ from: 'sip:bob@example.test', state: 'idle' });
    expect(events).toEqual([
      {
        name: 'message.composing',
        payload: {
          conversationId: sent.conversationId,
          accountId: null,
          peerUri: 'sip:bob@example.test',
          state: 'active',
        },
      },
      {
        name: 'message.composing',
        payload: {
          conversationId: sent.conversationId,
          accountId: null,
          peerUri: 'sip:bob@example.test',
          state: 'idle',
        },
      },
    ]);
    expect(service.conversations()).toHaveLength(1);
  });
});

describe('starting and stopping', () => {
  it('marks messages a stopped engine left sending as failed at the next start, so a retry is offered', () => {
    const stuck = send('lost in the crash');
    // The process dies here: no outcome is ever stored. The next run starts on the same database.
    engine = new FakeMessagingEngine({ mode: 'auto' });
    service = startService();
    expect(store.message(stuck.id)?.message).toMatchObject({
      delivery: 'failed',
      failure: { reason: 'failed', status: null, detail: ENGINE_STOPPED_DETAIL },
    });
    expect(service.retry(stuck.id).delivery).toBe('sending');
    expect(logs).toContainEqual({
      level: 'info',
      message: 'marked messages the last run left sending as failed',
    });
  });

  it('stops taking messages, waits a bounded time for those being sent, then fails the rest through the engine', async () => {
    const quick = send('quick');
    const slow = send('slow');
    let stopped = false;
    const stopping = service.stop(1_000).then(() => (stopped = true));
    expect(engine.receive()).toEqual({ kind: 'failed', detail: 'the engine is stopping' });
    expect(engine.composingListeners).toBe(0);
    expect(errorOf(() => send('late')).code).toBe('unavailable');
    engine.settle(delivered());
    await settle(clock);
    expect(stopped).toBe(false);
    clock.advance(1_000);
    await settle(clock);
    await stopping;
    expect(engine.shutdowns).toBe(1);
    expect(store.message(quick.id)?.message.delivery).toBe('delivered');
    expect(store.message(slow.id)?.message).toMatchObject({
      delivery: 'failed',
      failure: { reason: 'failed' },
    });
    // Stopping twice is the same stop.
    await service.stop(1_000);
    expect(engine.shutdowns).toBe(1);
  });

  it('stops at once when nothing is being sent', async () => {
    await service.stop(60_000);
    expect(engine.shutdowns).toBe(1);
  });
});
