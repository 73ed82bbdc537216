import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AccountsRepository } from '../../../main/store/accounts-repository';
import { CallHistoryRepository } from '../../../main/store/call-history-repository';
import { ContactsRepository } from '../../../main/store/contacts-repository';
import { MessagesRepository } from '../../../main/store/messages-repository';
import { openDatabase } from '../../../main/store/db';
import { latestSchemaVersion, migrate, type Migration } from '../../../main/store/migrate';
import { migrations } from '../../../main/store/migrations/index';
import { SettingsRepository, settingsDefaults } from '../../../main/store/settings-repository';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();
const LATEST = latestSchemaVersion();

function freshDatabase(): Database {
  const opened = openDatabase(join(tempDir(), 'store.sqlite'));
  if (!opened.ok) throw new Error(opened.error.detail);
  return opened.db;
}

const userVersion = (db: Database): number => db.pragma('user_version', { simple: true }) as number;
const tables = (db: Database): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
const columns = (db: Database, table: string): string[] =>
  (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);

/**
 * The same data as each schema version would hold it, written with that version's SQL (never with today's
 * repositories, which speak the latest schema). Adding migration N means adding a seed for version N here: the test
 * below refuses to pass without one, and the upgrade tests then start from every earlier seed.
 */
const seeds: Record<number, (db: Database) => void> = {
  1: (db) => {
    db.prepare(
      `INSERT INTO accounts (id, display_name, aor, auth_user, outbound_proxy, transport, expires, enabled, sort_order,
        password, created_at, updated_at)
       VALUES ('a1', 'Alice', 'sip:alice@example.test', 'alice', NULL, 'tcp', 600, 1, 0, X'01020304', 1000, 2000),
              ('b2', 'Bob', 'sip:bob@example.test', NULL, 'sip:proxy.example.test', 'udp', 3600, 0, 1, NULL, 1000, 1000)`,
    ).run();
    db.prepare(`INSERT INTO settings (key, value) VALUES ('theme', '"dark"'), ('sipPort', '5070')`).run();
  },
  2: (db) => {
    db.prepare(
      `INSERT INTO accounts (id, display_name, aor, auth_user, outbound_proxy, registrar, transport, expires,
        keep_alive_seconds, keep_alive_kind, enabled, sort_order, password, created_at, updated_at)
       VALUES ('a1', 'Alice', 'sip:alice@example.test', 'alice', NULL, NULL, 'tcp', 600, 0, 'crlf', 1, 0,
                X'01020304', 1000, 2000),
              ('b2', 'Bob', 'sip:bob@example.test', NULL, 'sip:proxy.example.test', 'sip:registrar.example.test',
                'udp', 3600, 25, 'options', 0, 1, NULL, 1000, 1000)`,
    ).run();
    db.prepare(`INSERT INTO settings (key, value) VALUES ('theme', '"dark"'), ('sipPort', '5070')`).run();
  },
  3: (db) => {
    db.prepare(
      `INSERT INTO accounts (id, display_name, aor, auth_user, outbound_proxy, registrar, transport, expires,
        keep_alive_seconds, keep_alive_kind, enabled, register, codecs, early_media, do_not_disturb, sort_order,
        password, created_at, updated_at)
       VALUES ('a1', 'Alice', 'sip:alice@example.test', 'alice', NULL, NULL, 'tcp', 600, 0, 'crlf', 1, 1,
                'opus,pcmu,pcma', 0, 0, 0, X'01020304', 1000, 2000),
              ('b2', 'Bob', 'sip:bob@example.test', NULL, 'sip:proxy.example.test', 'sip:registrar.example.test',
                'udp', 3600, 25, 'options', 0, 0, 'pcma', 1, 1, 1, NULL, 1000, 1000)`,
    ).run();
    db.prepare(`INSERT INTO settings (key, value) VALUES ('theme', '"dark"'), ('sipPort', '5070')`).run();
    db.prepare(
      `INSERT INTO call_history (id, account_id, direction, peer_uri, peer_name, started_at, answered_at, ended_at,
        duration_ms, end_by, end_status, end_reason, end_detail, codec, avg_mos, loss_percent, jitter_ms)
       VALUES ('c1', 'a1', 'outgoing', 'sip:carol@example.test', 'Carol', 10000, 12000, 72000, 60000, 'remote',
                NULL, 'hangup', NULL, 'opus', 4.3, 0.5, 3.25)`,
    ).run();
  },
  4: (db) => {
    seeds[3]!(db);
    db.prepare(
      `INSERT INTO contacts (id, name, note, favorite, watch_presence, account_id, created_at, updated_at)
       VALUES ('k1', 'Carol', 'met at the conference', 1, 1, 'a1', 3000, 4000),
              ('k2', '', '', 0, 0, NULL, 3000, 3000)`,
    ).run();
    db.prepare(
      `INSERT INTO contact_addresses (contact_id, kind, position, value, label, match_key, match_tail)
       VALUES ('k1', 'sip', 0, 'sip:carol@example.test', 'work', 'sip:carol@example.test', NULL),
              ('k1', 'tel', 0, '+44 20 7946 0000', 'mobile', '442079460000', '79460000'),
              ('k2', 'tel', 0, '201', NULL, '201', NULL)`,
    ).run();
  },
  5: (db) => {
    seeds[4]!(db);
    db.prepare(
      `INSERT INTO conversations (id, account_id, peer_key, peer_uri, peer_name, unread, created_at, updated_at)
       VALUES ('v1', 'a1', 'sip:carol@example.test', 'sip:carol@example.test', 'Carol', 1, 20000, 31000)`,
    ).run();
    db.prepare(
      `INSERT INTO messages (id, conversation_id, direction, body, sent_at, delivered_at, delivery, failure_reason,
        failure_status, failure_detail, dedupe_key)
       VALUES ('m1', 'v1', 'outgoing', 'Lunch at the café?', 20000, NULL, 'failed', 'unavailable', 480,
                '480 Temporarily Unavailable', NULL),
              ('m2', 'v1', 'incoming', 'Yes, at noon 🙂', 31000, 31500, 'received', NULL, NULL, NULL, 'k2')`,
    ).run();
  },
  6: (db) => {
    seeds[5]!(db);
    db.prepare(`UPDATE accounts SET presence_list_uri = 'sip:friends@example.test' WHERE id = 'a1'`).run();
  },
  // Version 7 changed data, not the schema: what version 6 could hold, version 7 holds too.
  7: (db) => {
    seeds[6]!(db);
  },
  // Version 8 too.
  8: (db) => {
    seeds[7]!(db);
  },
};

/** The versions the app's migrations leave a database at, from an empty one to the latest. */
const VERSIONS = [0, ...migrations.map((migration) => migration.version)];

/** Version 6 added the presence list: accounts from version 3 have none, and one can be set and cleared. */
it('gives accounts from version 3 no presence list, and keeps one written with version 6', () => {
  const db = freshDatabase();
  migrate(db, { target: 3 });
  seeds[3]!(db);
  expect(migrate(db)).toMatchObject({ ok: true, from: 3 });
  const accounts = new AccountsRepository(db, { clock: { wallTime: () => 5000 } });
  expect(accounts.list().map((account) => account.presenceListUri)).toEqual([null, null]);
  expect(accounts.update('b2', { presenceListUri: 'sip:buddies@example.test' })?.presenceListUri).toBe(
    'sip:buddies@example.test',
  );
  expect(accounts.update('b2', { presenceListUri: null })?.presenceListUri).toBeNull();
  db.close();
  const again = freshDatabase();
  migrate(again);
  seeds[6]!(again);
  expect(new AccountsRepository(again, { clock: { wallTime: () => 5000 } }).get('a1')?.presenceListUri).toBe(
    'sip:friends@example.test',
  );
  again.close();
});

/** Version 2 added the registrar and keep-alive: accounts from version 1 get "none" and "off". */
it('gives accounts from version 1 no registrar and no keep-alive', () => {
  const db = freshDatabase();
  migrate(db, { target: 1 });
  seeds[1]!(db);
  migrate(db);
  const accounts = new AccountsRepository(db, { clock: { wallTime: () => 5000 } });
  expect(
    accounts.list().map(({ registrar, keepAliveSeconds, keepAliveKind }) => ({
      registrar,
      keepAliveSeconds,
      keepAliveKind,
    })),
  ).toEqual([
    { registrar: null, keepAliveSeconds: 0, keepAliveKind: 'crlf' },
    { registrar: null, keepAliveSeconds: 0, keepAliveKind: 'crlf' },
  ]);
  db.close();
});

it('refuses a keep-alive kind or interval the schema does not know', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[2]!(db);
  expect(() => db.prepare(`UPDATE accounts SET keep_alive_kind = 'ping' WHERE id = 'a1'`).run()).toThrow(
    /CHECK/,
  );
  expect(() => db.prepare(`UPDATE accounts SET keep_alive_seconds = -1 WHERE id = 'a1'`).run()).toThrow(
    /CHECK/,
  );
  const accounts = new AccountsRepository(db, { clock: { wallTime: () => 5000 } });
  expect(accounts.get('b2')).toMatchObject({
    registrar: 'sip:registrar.example.test',
    keepAliveSeconds: 25,
    keepAliveKind: 'options',
  });
  db.close();
});

/** Version 3 added the call settings: accounts from version 2 keep registering, with the default codec order. */
it('gives accounts from version 2 the default call settings, and an empty history', () => {
  const db = freshDatabase();
  migrate(db, { target: 2 });
  seeds[2]!(db);
  migrate(db);
  const accounts = new AccountsRepository(db, { clock: { wallTime: () => 5000 } });
  for (const account of accounts.list()) {
    expect(account).toMatchObject({
      register: true,
      codecs: ['opus', 'pcmu', 'pcma'],
      earlyMedia: false,
      doNotDisturb: false,
    });
  }
  expect(new CallHistoryRepository(db).list({ limit: 10, before: null })).toEqual({
    entries: [],
    next: null,
  });
  db.close();
});

it('keeps the call settings and history written with version 3', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[3]!(db);
  const accounts = new AccountsRepository(db, { clock: { wallTime: () => 5000 } });
  expect(accounts.get('b2')).toMatchObject({
    register: false,
    codecs: ['pcma'],
    earlyMedia: true,
    doNotDisturb: true,
  });
  expect(new CallHistoryRepository(db).get('c1')).toEqual({
    id: 'c1',
    accountId: 'a1',
    direction: 'outgoing',
    peerUri: 'sip:carol@example.test',
    peerName: 'Carol',
    startedAt: 10000,
    answeredAt: 12000,
    endedAt: 72000,
    durationMs: 60000,
    end: { by: 'remote', reason: 'hangup', status: null, detail: null },
    codec: 'opus',
    quality: { mos: 4.3, lossPercent: 0.5, jitterMs: 3.25 },
  });
  db.close();
});

it('refuses call settings and history rows the schema does not know', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[3]!(db);
  expect(() => db.prepare(`UPDATE accounts SET register = 2 WHERE id = 'a1'`).run()).toThrow(/CHECK/);
  expect(() => db.prepare(`UPDATE accounts SET do_not_disturb = -1 WHERE id = 'a1'`).run()).toThrow(/CHECK/);
  const update = (assignment: string) =>
    db.prepare(`UPDATE call_history SET ${assignment} WHERE id = 'c1'`).run();
  expect(() => update(`direction = 'sideways'`)).toThrow(/CHECK/);
  expect(() => update(`codec = 'g729'`)).toThrow(/CHECK/);
  expect(() => update(`end_by = 'nobody'`)).toThrow(/CHECK/);
  expect(() => update(`end_status = 42`)).toThrow(/CHECK/);
  expect(() => update(`duration_ms = -1`)).toThrow(/CHECK/);
  expect(() => update(`avg_mos = 7`)).toThrow(/CHECK/);
  expect(() => update(`loss_percent = 101`)).toThrow(/CHECK/);
  // An end without a reason, or a reason without an end, is half a row.
  expect(() => update(`end_reason = NULL`)).toThrow(/CHECK/);
  expect(() => update(`ended_at = NULL`)).toThrow(/CHECK/);
  expect(() =>
    db
      .prepare(
        `INSERT INTO call_history (id, account_id, direction, peer_uri, started_at)
         VALUES ('c2', 'no-such-account', 'incoming', 'sip:x@y', 1)`,
      )
      .run(),
  ).toThrow(/FOREIGN KEY/);
  db.close();
});

it('keeps a call in the history when its account is deleted, as a call without one', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[3]!(db);
  new AccountsRepository(db, { clock: { wallTime: () => 5000 } }).delete('a1');
  expect(new CallHistoryRepository(db).get('c1')).toMatchObject({ id: 'c1', accountId: null });
  db.close();
});

/** Version 4 added contacts: a version-3 database keeps its accounts and history and starts with no contacts. */
it('upgrades a version-3 database with accounts and history to one with contacts', () => {
  const db = freshDatabase();
  migrate(db, { target: 3 });
  seeds[3]!(db);
  expect(migrate(db)).toEqual({ ok: true, from: 3, to: LATEST });
  const contacts = new ContactsRepository(db, { clock: { wallTime: () => 5000 }, newId: () => 'k9' });
  expect(contacts.list()).toEqual([]);
  const saved = contacts.insert({
    name: 'Carol',
    sipAddresses: [{ uri: 'sip:carol@example.test', label: null, key: 'sip:carol@example.test' }],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: true,
    accountId: 'a1',
  });
  expect(saved).toMatchObject({ id: 'k9', accountId: 'a1' });
  // The account goes; its call and the contact stay, both without an account.
  new AccountsRepository(db, { clock: { wallTime: () => 5000 } }).delete('a1');
  expect(contacts.get('k9')).toMatchObject({ accountId: null, watchPresence: true });
  expect(new CallHistoryRepository(db).get('c1')).toMatchObject({ accountId: null, peerName: 'Carol' });
  db.close();
});

it('keeps the contacts written with version 4', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[4]!(db);
  const contacts = new ContactsRepository(db, { clock: { wallTime: () => 5000 } });
  expect(contacts.list()).toEqual([
    {
      id: 'k2',
      name: '',
      sipAddresses: [],
      phoneNumbers: [{ number: '201', label: null }],
      note: '',
      favorite: false,
      watchPresence: false,
      accountId: null,
      createdAt: 3000,
      updatedAt: 3000,
    },
    {
      id: 'k1',
      name: 'Carol',
      sipAddresses: [{ uri: 'sip:carol@example.test', label: 'work' }],
      phoneNumbers: [{ number: '+44 20 7946 0000', label: 'mobile' }],
      note: 'met at the conference',
      favorite: true,
      watchPresence: true,
      accountId: 'a1',
      createdAt: 3000,
      updatedAt: 4000,
    },
  ]);
  expect(contacts.findByTail('79460000').map((c) => c.id)).toEqual(['k1']);
  db.close();
});

/** Version 5 added conversations and messages: a database from version 3 keeps its data and gains an empty store. */
it('gives a version-3 database with accounts and history an empty message store that works', () => {
  const db = freshDatabase();
  migrate(db, { target: 3 });
  seeds[3]!(db);
  expect(migrate(db)).toMatchObject({ ok: true, from: 3 });
  expect(new CallHistoryRepository(db).get('c1')).toMatchObject({ accountId: 'a1', peerName: 'Carol' });
  const messages = new MessagesRepository(db);
  expect(messages.conversations()).toEqual([]);
  const written = messages.recordOutgoing({
    accountId: 'a1',
    peerKey: 'sip:carol@example.test',
    peerUri: 'sip:carol@example.test',
    body: 'Café at noon?',
    sentAt: 90_000,
  });
  expect(written.conversation).toMatchObject({ accountId: 'a1', unread: 0 });
  expect(messages.search('cafe', 5).map((hit) => hit.message.id)).toEqual([written.message.id]);
  db.close();
});

it('reads messages written with version 5, their index included', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[5]!(db);
  const messages = new MessagesRepository(db);
  expect(messages.conversations()).toEqual([
    {
      id: 'v1',
      accountId: 'a1',
      peerUri: 'sip:carol@example.test',
      peerName: 'Carol',
      unread: 1,
      updatedAt: 31_000,
      lastMessage: {
        id: 'm2',
        conversationId: 'v1',
        direction: 'incoming',
        body: 'Yes, at noon 🙂',
        sentAt: 31_000,
        deliveredAt: 31_500,
        delivery: 'received',
        failure: null,
      },
    },
  ]);
  expect(messages.message('m1')?.message).toMatchObject({
    delivery: 'failed',
    failure: { reason: 'unavailable', status: 480, detail: '480 Temporarily Unavailable' },
  });
  expect(messages.search('noon', 5).map((hit) => hit.message.id)).toEqual(['m2']);
  // An account deleted keeps its conversation, as one without an account.
  new AccountsRepository(db, { clock: { wallTime: () => 5000 } }).delete('a1');
  expect(messages.conversation('v1')).toMatchObject({ accountId: null, unread: 1 });
  db.close();
});

it('refuses conversation and message rows the schema does not know', () => {
  const db = freshDatabase();
  migrate(db);
  seeds[5]!(db);
  const update = (table: string, assignment: string, id: string) =>
    db.prepare(`UPDATE ${table} SET ${assignment} WHERE id = '${id}'`).run();
  expect(() => update('conversations', 'unread = -1', 'v1')).toThrow(/CHECK/);
  expect(() => update('conversations', `account_id = 'nobody'`, 'v1')).toThrow(/FOREIGN KEY/);
  expect(() => update('messages', `direction = 'sideways'`, 'm1')).toThrow(/CHECK/);
  expect(() => update('messages', `delivery = 'lost'`, 'm1')).toThrow(/CHECK/);
  // An incoming message is received and an outgoing one is not; a failure has a reason, and only a failure.
  expect(() => update('messages', `delivery = 'received'`, 'm1')).toThrow(/CHECK/);
  expect(() => update('messages', `delivery = 'delivered'`, 'm2')).toThrow(/CHECK/);
  expect(() => update('messages', 'failure_reason = NULL', 'm1')).toThrow(/CHECK/);
  expect(() => update('messages', 'failure_status = 42', 'm1')).toThrow(/CHECK/);
  expect(() => update('messages', `dedupe_key = 'k1'`, 'm1')).toThrow(/CHECK/);
  expect(() =>
    db
      .prepare(
        `INSERT INTO messages (id, conversation_id, direction, body, sent_at, delivery, dedupe_key)
         VALUES ('m3', 'v1', 'incoming', 'again', 31000, 'received', 'k2')`,
      )
      .run(),
  ).toThrow(/UNIQUE/);
  expect(() =>
    db
      .prepare(
        `INSERT INTO conversations (id, account_id, peer_key, peer_uri, created_at, updated_at)
         VALUES ('v2', 'a1', 'sip:carol@example.test', 'sip:Carol@example.test', 1, 1)`,
      )
      .run(),
  ).toThrow(/UNIQUE/);
  // Deleting a conversation takes its messages along.
  db.prepare(`DELETE FROM conversations WHERE id = 'v1'`).run();
  expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 0 });
  db.close();
});

/** Version 7 removed the passwords a conversation's address could carry (RFC 3261 §19.1.1), keeping the rest. */
it('strips a password from conversation addresses written before version 7, and nothing else', () => {
  const db = freshDatabase();
  migrate(db, { target: 6 });
  seeds[6]!(db);
  const conversation = db.prepare(
    `INSERT INTO conversations (id, account_id, peer_key, peer_uri, peer_name, unread, created_at, updated_at)
     VALUES (?, NULL, ?, ?, NULL, 0, 1, 1)`,
  );
  const addresses: Record<string, string> = {
    w1: 'sip:bob:secret@Example.test:5080;transport=tcp',
    w2: 'SIPS:dave:p%40ss@example.test',
    w3: 'sip:erin:@example.test',
    w4: 'sip:frank@example.test:5060;maddr=10.0.0.1?subject=a%3Ab',
    w5: 'sip:example.test:5060',
    w6: 'tel:+1-555-0100',
  };
  for (const [id, uri] of Object.entries(addresses)) conversation.run(id, `key-${id}`, uri);
  expect(migrate(db)).toEqual({ ok: true, from: 6, to: LATEST });
  const peerUris = Object.fromEntries(
    (
      db.prepare('SELECT id, peer_uri FROM conversations ORDER BY id').all() as {
        id: string;
        peer_uri: string;
      }[]
    ).map((row) => [row.id, row.peer_uri]),
  );
  expect(peerUris).toEqual({
    v1: 'sip:carol@example.test',
    w1: 'sip:bob@Example.test:5080;transport=tcp',
    w2: 'SIPS:dave@example.test',
    w3: 'sip:erin@example.test',
    w4: 'sip:frank@example.test:5060;maddr=10.0.0.1?subject=a%3Ab',
    w5: 'sip:example.test:5060',
    w6: 'tel:+1-555-0100',
  });
  db.close();
});

/** What every seeded database must still say once it is at the latest version. */
function expectSeededData(db: Database): void {
  const accounts = new AccountsRepository(db, { clock: { wallTime: () => 5000 } });
  expect(accounts.list()).toMatchObject([
    { id: 'a1', displayName: 'Alice', authUser: 'alice', transport: 'tcp', enabled: true, hasPassword: true },
    {
      id: 'b2',
      displayName: 'Bob',
      outboundProxy: 'sip:proxy.example.test',
      enabled: false,
      hasPassword: false,
    },
  ]);
  expect(accounts.getPassword('a1')).toEqual(Buffer.of(1, 2, 3, 4));
  expect(new SettingsRepository(db).getAll()).toEqual({ ...settingsDefaults, theme: 'dark', sipPort: 5070 });
}

describe('migrate with the app migrations', () => {
  it('numbers them upwards from 1 with a name each', () => {
    migrations.forEach((migration, index) => {
      expect(migration.version).toBeGreaterThan(index === 0 ? 0 : migrations[index - 1]!.version);
      expect(migration.name).toMatch(/^[a-z0-9-]+$/);
    });
    expect(migrations[0]!.version).toBe(1);
    expect(LATEST).toBe(migrations.at(-1)!.version);
  });

  it('builds the latest schema from an empty database', () => {
    const db = freshDatabase();
    expect(migrate(db)).toEqual({ ok: true, from: 0, to: LATEST });
    expect(userVersion(db)).toBe(LATEST);
    expect(tables(db).filter((name) => !name.startsWith('messages_fts'))).toEqual([
      'accounts',
      'call_history',
      'contact_addresses',
      'contacts',
      'conversations',
      'messages',
      'settings',
    ]);
    expect(columns(db, 'accounts')).toEqual([
      'id',
      'display_name',
      'aor',
      'auth_user',
      'outbound_proxy',
      'transport',
      'expires',
      'enabled',
      'sort_order',
      'password',
      'created_at',
      'updated_at',
      'registrar',
      'keep_alive_seconds',
      'keep_alive_kind',
      'register',
      'codecs',
      'early_media',
      'do_not_disturb',
      'presence_list_uri',
    ]);
    expect(columns(db, 'settings')).toEqual(['key', 'value']);
    expect(columns(db, 'call_history')).toEqual([
      'id',
      'account_id',
      'direction',
      'peer_uri',
      'peer_name',
      'started_at',
      'answered_at',
      'ended_at',
      'duration_ms',
      'end_by',
      'end_status',
      'end_reason',
      'end_detail',
      'codec',
      'avg_mos',
      'loss_percent',
      'jitter_ms',
    ]);
    expect(columns(db, 'contacts')).toEqual([
      'id',
      'name',
      'note',
      'favorite',
      'watch_presence',
      'account_id',
      'created_at',
      'updated_at',
    ]);
    expect(columns(db, 'contact_addresses')).toEqual([
      'contact_id',
      'kind',
      'position',
      'value',
      'label',
      'match_key',
      'match_tail',
    ]);
    db.close();
  });

  it('does nothing the second time', () => {
    const db = freshDatabase();
    migrate(db);
    expect(migrate(db)).toEqual({ ok: true, from: LATEST, to: LATEST });
    db.close();
  });

  it('has a seed for every version', () => {
    for (const version of VERSIONS.slice(1)) expect(seeds[version], `seed for v${version}`).toBeDefined();
  });

  for (const version of VERSIONS.slice(0, -1)) {
    it(`upgrades a database left at version ${version}, keeping its data`, () => {
      const db = freshDatabase();
      expect(migrate(db, { target: version })).toEqual({ ok: true, from: 0, to: version });
      seeds[version]?.(db);
      expect(migrate(db)).toEqual({ ok: true, from: version, to: LATEST });
      expect(userVersion(db)).toBe(LATEST);
      if (version >= 1) expectSeededData(db);
      db.close();
    });
  }

  it('reads data written with the latest schema', () => {
    const db = freshDatabase();
    migrate(db);
    seeds[LATEST]!(db);
    expectSeededData(db);
    db.close();
  });

  it('refuses a database from a newer app and leaves it untouched', () => {
    const db = freshDatabase();
    db.pragma(`user_version = ${LATEST + 3}`);
    const outcome = migrate(db);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'too-new', path: db.name } });
    if (!outcome.ok) {
      expect(outcome.error.detail).toContain(`schema version ${LATEST + 3}`);
    }
    expect(userVersion(db)).toBe(LATEST + 3);
    expect(tables(db)).toEqual([]);
    db.close();
  });

  it('enforces the table constraints', () => {
    const db = freshDatabase();
    migrate(db);
    const insert = (transport: string, expires: unknown, enabled: number) =>
      db
        .prepare(
          `INSERT INTO accounts (id, display_name, aor, transport, expires, enabled, sort_order, created_at, updated_at)
           VALUES (?, 'x', 'sip:x@y', ?, ?, ?, 0, 0, 0)`,
        )
        .run(`id-${transport}-${String(expires)}-${enabled}`, transport, expires, enabled);
    expect(() => insert('udp', 600, 1)).not.toThrow();
    expect(() => insert('tls', 600, 1)).toThrow(/CHECK/);
    expect(() => insert('tcp', 'soon', 1)).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => insert('tcp', 600, 2)).toThrow(/CHECK/);
    expect(() => insert('tcp', 0, 1)).toThrow(/CHECK/);
    db.close();
  });
});

describe('migrate (the runner, with test migrations)', () => {
  const createTable = (version: number, table: string): Migration => ({
    version,
    name: `create-${table}`,
    up: (db) =>
      db.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id))`),
  });
  const failing = (version: number): Migration => ({
    version,
    name: 'fails',
    up: (db) => db.exec('CREATE TABLE oops (x); SELECT * FROM no_such_table'),
  });

  it('runs only the pending ones, in order', () => {
    const db = freshDatabase();
    const list = [createTable(1, 'parent'), createTable(2, 'a'), createTable(3, 'b')];
    expect(migrate(db, { migrations: list, target: 1 })).toEqual({ ok: true, from: 0, to: 1 });
    expect(tables(db)).toEqual(['parent']);
    expect(migrate(db, { migrations: list })).toEqual({ ok: true, from: 1, to: 3 });
    expect(tables(db)).toEqual(['a', 'b', 'parent']);
    db.close();
  });

  it('rolls everything back when one migration fails, and says which', () => {
    const db = freshDatabase();
    const outcome = migrate(db, { migrations: [createTable(1, 'parent'), createTable(2, 'a'), failing(3)] });
    // A cause with no kind of its own is the upgrade's: the window can say the file was left unchanged.
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'upgrade-failed' } });
    if (!outcome.ok) {
      expect(outcome.error.detail).toMatch(/^migration 3 \(fails\): .*no such table/);
    }
    expect(userVersion(db)).toBe(0);
    expect(tables(db)).toEqual([]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses to commit rows that break a foreign key', () => {
    const db = freshDatabase();
    const orphan: Migration = {
      version: 2,
      name: 'orphan',
      up: (db) =>
        db.exec('CREATE TABLE child (parent INTEGER REFERENCES parent (id)); INSERT INTO child VALUES (7)'),
    };
    const outcome = migrate(db, { migrations: [createTable(1, 'parent'), orphan] });
    expect(outcome).toMatchObject({ ok: false });
    if (!outcome.ok) expect(outcome.error.detail).toMatch(/foreign key/);
    expect(tables(db)).toEqual([]);
    db.close();
  });

  it('lets a migration rebuild a referenced table (foreign keys are off while it runs)', () => {
    const db = freshDatabase();
    const rebuild: Migration = {
      version: 3,
      name: 'rebuild-parent',
      up: (db) =>
        db.exec(`
          CREATE TABLE parent_new (id INTEGER PRIMARY KEY, label TEXT NOT NULL DEFAULT '');
          INSERT INTO parent_new (id) SELECT id FROM parent;
          DROP TABLE parent;
          ALTER TABLE parent_new RENAME TO parent;`),
    };
    const list = [createTable(1, 'parent'), createTable(2, 'a'), rebuild];
    migrate(db, { migrations: list, target: 2 });
    db.exec('INSERT INTO parent (id) VALUES (1); INSERT INTO a (parent) VALUES (1)');
    expect(migrate(db, { migrations: list })).toEqual({ ok: true, from: 2, to: 3 });
    expect(db.prepare('SELECT id, label FROM parent').all()).toEqual([{ id: 1, label: '' }]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('rejects a list out of order or with a repeated number, or a target outside it (programming errors)', () => {
    const db = freshDatabase();
    expect(() => migrate(db, { migrations: [createTable(2, 'p'), createTable(1, 'q')] })).toThrow(
      /numbered 1, expected a whole number above 2/,
    );
    expect(() => migrate(db, { migrations: [createTable(1, 'p'), createTable(1, 'q')] })).toThrow(
      /numbered 1/,
    );
    expect(() => migrate(db, { migrations: [createTable(1, 'p')], target: 2 })).toThrow(RangeError);
    expect(tables(db)).toEqual([]);
    db.close();
  });

  it('runs across a gap in the numbers (migrations written side by side), from either side of it', () => {
    const list = [createTable(1, 'parent'), createTable(3, 'c')];
    const fresh = freshDatabase();
    expect(migrate(fresh, { migrations: list })).toEqual({ ok: true, from: 0, to: 3 });
    expect(tables(fresh)).toEqual(['c', 'parent']);
    fresh.close();
    // A database left at the missing number by a build that had it runs only what is above it.
    const other = openDatabase(join(tempDir(), 'other.sqlite'));
    if (!other.ok) throw new Error(other.error.detail);
    migrate(other.db, { migrations: [createTable(1, 'parent'), createTable(2, 'b')] });
    expect(migrate(other.db, { migrations: list })).toEqual({ ok: true, from: 2, to: 3 });
    expect(tables(other.db)).toEqual(['b', 'c', 'parent']);
    other.db.close();
  });
});

/** Version 8 removed them from contacts' SIP addresses and call history too, keeping the rest. */
it('strips a password from contact and call addresses written before version 8, and nothing else', () => {
  const db = freshDatabase();
  migrate(db, { target: 7 });
  seeds[7]!(db);
  db.prepare(
    `INSERT INTO contact_addresses (contact_id, kind, position, value, label, match_key, match_tail)
     VALUES ('k2', 'sip', 0, 'sip:dave:secret@Example.test;transport=tcp', NULL, 'sip:dave@example.test', NULL),
            ('k2', 'sip', 1, 'sips:erin@example.test', NULL, 'sips:erin@example.test', NULL),
            ('k2', 'tel', 1, '+1 555 0100', NULL, '15550100', NULL)`,
  ).run();
  db.prepare(
    `INSERT INTO call_history (id, account_id, direction, peer_uri, peer_name, started_at)
     VALUES ('c2', NULL, 'incoming', 'sip:mallory:pw@203.0.113.9:5060', NULL, 20000)`,
  ).run();
  expect(migrate(db)).toEqual({ ok: true, from: 7, to: LATEST });
  const values = db
    .prepare(
      `SELECT contact_id, kind, position, value, match_key FROM contact_addresses ORDER BY contact_id, kind, position`,
    )
    .all();
  expect(values).toEqual([
    {
      contact_id: 'k1',
      kind: 'sip',
      position: 0,
      value: 'sip:carol@example.test',
      match_key: 'sip:carol@example.test',
    },
    { contact_id: 'k1', kind: 'tel', position: 0, value: '+44 20 7946 0000', match_key: '442079460000' },
    {
      contact_id: 'k2',
      kind: 'sip',
      position: 0,
      value: 'sip:dave@Example.test;transport=tcp',
      match_key: 'sip:dave@example.test',
    },
    {
      contact_id: 'k2',
      kind: 'sip',
      position: 1,
      value: 'sips:erin@example.test',
      match_key: 'sips:erin@example.test',
    },
    { contact_id: 'k2', kind: 'tel', position: 0, value: '201', match_key: '201' },
    { contact_id: 'k2', kind: 'tel', position: 1, value: '+1 555 0100', match_key: '15550100' },
  ]);
  expect(db.prepare('SELECT id, peer_uri FROM call_history ORDER BY id').all()).toEqual([
    { id: 'c1', peer_uri: 'sip:carol@example.test' },
    { id: 'c2', peer_uri: 'sip:mallory@203.0.113.9:5060' },
  ]);
  db.close();
});
