import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AccountsRepository,
  type AccountRecord,
  type AccountSettings,
} from '../../../main/store/accounts-repository';
import { openDatabase } from '../../../main/store/db';
import { StoreFailure } from '../../../main/store/store-error';
import { ManualClock } from '../../support/manual-clock';
import { migratedDatabase } from './helpers/migrated-database';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

const alice: AccountSettings = {
  displayName: 'Alice',
  aor: 'sip:alice@example.test',
  authUser: 'alice',
  outboundProxy: null,
  registrar: null,
  transport: 'udp',
  expires: 600,
  keepAliveSeconds: 0,
  keepAliveKind: 'crlf',
  enabled: true,
  register: true,
  codecs: ['opus', 'pcmu', 'pcma'],
  earlyMedia: false,
  doNotDisturb: false,
  presenceListUri: null,
};
const bob: AccountSettings = {
  ...alice,
  displayName: 'Bob',
  aor: 'sip:bob@example.test',
  authUser: null,
  outboundProxy: 'sip:proxy.example.test;lr',
  transport: 'tcp',
  expires: 3600,
  enabled: false,
  register: false,
  codecs: ['pcma', 'pcmu'],
  earlyMedia: true,
  doNotDisturb: true,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let db: Database;
let clock: ManualClock;
let accounts: AccountsRepository;

beforeEach(() => {
  db = migratedDatabase(tempDir());
  clock = new ManualClock();
  accounts = new AccountsRepository(db, { clock });
  return () => db.close();
});

const ids = (records: AccountRecord[]): string[] => records.map((record) => record.id);

describe('AccountsRepository', () => {
  it('starts empty', () => {
    expect(accounts.list()).toEqual([]);
    expect(accounts.get('nope')).toBeUndefined();
  });

  it('inserts with a random UUID, at the end of the list, stamped with the clock', () => {
    const first = accounts.insert(alice);
    clock.advance(1000);
    const second = accounts.insert({ ...bob, password: Buffer.from('secret') });
    expect(first.id).toMatch(UUID);
    expect(second.id).toMatch(UUID);
    expect(first.id).not.toBe(second.id);
    expect(first).toEqual({
      ...alice,
      id: first.id,
      order: 0,
      hasPassword: false,
      createdAt: clock.wallTime() - 1000,
      updatedAt: clock.wallTime() - 1000,
    });
    expect(second).toMatchObject({ ...bob, order: 1, hasPassword: true, createdAt: clock.wallTime() });
    expect(accounts.list()).toEqual([first, second]);
    expect(accounts.get(second.id)).toEqual(second);
  });

  it('uses the id generator it is given', () => {
    let n = 0;
    const repository = new AccountsRepository(db, { clock, newId: () => `acc-${++n}` });
    expect(repository.insert(alice).id).toBe('acc-1');
    expect(repository.insert(bob).id).toBe('acc-2');
  });

  it('never puts the password ciphertext in a record', () => {
    const record = accounts.insert({ ...alice, password: Buffer.from('ciphertext') });
    expect(Object.keys(record)).not.toContain('password');
    expect(JSON.stringify(accounts.list())).not.toContain('ciphertext');
  });

  it('places a new account after the highest order, even after deletes and reorders', () => {
    const a = accounts.insert(alice);
    const b = accounts.insert(bob);
    accounts.delete(a.id);
    expect(accounts.insert(alice).order).toBe(b.order + 1);
  });

  it('updates only the fields given and stamps updatedAt', () => {
    const created = accounts.insert({ ...alice, password: Buffer.from('x') });
    clock.advance(5000);
    const updated = accounts.update(created.id, {
      displayName: 'Alice W.',
      enabled: false,
      outboundProxy: 'sip:p',
    });
    expect(updated).toEqual({
      ...created,
      displayName: 'Alice W.',
      enabled: false,
      outboundProxy: 'sip:p',
      updatedAt: created.updatedAt + 5000,
    });
    expect(accounts.get(created.id)).toEqual(updated);
  });

  it('sets nullable fields to null, and ignores explicit undefined', () => {
    const created = accounts.insert(alice);
    const updated = accounts.update(created.id, { authUser: null, displayName: undefined });
    expect(updated).toMatchObject({ authUser: null, displayName: 'Alice' });
  });

  it('keeps, replaces or removes the password on update', () => {
    const { id } = accounts.insert({ ...alice, password: Buffer.from('one') });
    accounts.update(id, { expires: 120 });
    expect(accounts.getPassword(id)).toEqual(Buffer.from('one'));
    accounts.update(id, { password: undefined });
    expect(accounts.getPassword(id)).toEqual(Buffer.from('one'));
    expect(accounts.update(id, { password: Buffer.from('two') })?.hasPassword).toBe(true);
    expect(accounts.getPassword(id)).toEqual(Buffer.from('two'));
    expect(accounts.update(id, { password: null })?.hasPassword).toBe(false);
    expect(accounts.getPassword(id)).toBeNull();
  });

  it('answers undefined or false for an unknown id', () => {
    expect(accounts.update('nope', { enabled: false })).toBeUndefined();
    expect(accounts.delete('nope')).toBe(false);
    expect(accounts.setPassword('nope', Buffer.from('x'))).toBe(false);
    expect(accounts.getPassword('nope')).toBeUndefined();
  });

  it('deletes', () => {
    const a = accounts.insert(alice);
    const b = accounts.insert(bob);
    expect(accounts.delete(a.id)).toBe(true);
    expect(accounts.get(a.id)).toBeUndefined();
    expect(ids(accounts.list())).toEqual([b.id]);
  });

  it('stores binary ciphertext exactly and reports whether one is set', () => {
    const { id } = accounts.insert(alice);
    const ciphertext = Buffer.from([0, 1, 255, 0, 128, 7]);
    clock.advance(10);
    expect(accounts.setPassword(id, ciphertext)).toBe(true);
    expect(accounts.getPassword(id)).toEqual(ciphertext);
    expect(accounts.get(id)).toMatchObject({ hasPassword: true, updatedAt: clock.wallTime() });
    expect(accounts.setPassword(id, null)).toBe(true);
    expect(accounts.get(id)?.hasPassword).toBe(false);
  });

  describe('call settings', () => {
    it('gives a new account the default call settings when it names none', () => {
      const { register: _r, codecs: _c, earlyMedia: _e, doNotDisturb: _d, ...basics } = bob;
      expect(accounts.insert(basics)).toMatchObject({
        register: true,
        codecs: ['opus', 'pcmu', 'pcma'],
        earlyMedia: false,
        doNotDisturb: false,
      });
    });

    it('stores them, and an update changes only the ones given', () => {
      const created = accounts.insert(bob);
      expect(created).toMatchObject({ register: false, codecs: ['pcma', 'pcmu'], earlyMedia: true });
      const updated = accounts.update(created.id, { codecs: ['pcmu'], doNotDisturb: false });
      expect(updated).toMatchObject({
        register: false,
        codecs: ['pcmu'],
        earlyMedia: true,
        doNotDisturb: false,
      });
    });

    it('reads a damaged codec list leniently: unknown names and repeats skipped, empty as the default', () => {
      const { id } = accounts.insert(alice);
      const read = (stored: string) => {
        db.prepare('UPDATE accounts SET codecs = ? WHERE id = ?').run(stored, id);
        return accounts.get(id)?.codecs;
      };
      expect(read('PCMA, g729,pcma,opus')).toEqual(['pcma', 'opus']);
      expect(read('')).toEqual(['opus', 'pcmu', 'pcma']);
      expect(read('speex')).toEqual(['opus', 'pcmu', 'pcma']);
    });

    it('refuses to store an empty or unknown codec list', () => {
      expect(() => accounts.insert({ ...alice, codecs: [] })).toThrow(TypeError);
      expect(() => accounts.insert({ ...alice, codecs: ['g729' as 'opus'] })).toThrow(TypeError);
      expect(accounts.list()).toEqual([]);
    });
  });

  describe('reorder', () => {
    let a: AccountRecord, b: AccountRecord, c: AccountRecord, d: AccountRecord;
    beforeEach(() => {
      [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => accounts.insert({ ...alice, displayName: name })) as [
        AccountRecord,
        AccountRecord,
        AccountRecord,
        AccountRecord,
      ];
    });

    it('applies a full new order, numbering 0..n-1', () => {
      const result = accounts.reorder([d.id, b.id, a.id, c.id]);
      expect(ids(result)).toEqual([d.id, b.id, a.id, c.id]);
      expect(result.map((record) => record.order)).toEqual([0, 1, 2, 3]);
      expect(accounts.list()).toEqual(result);
    });

    it('puts the listed ones first and keeps the others in their order', () => {
      expect(ids(accounts.reorder([c.id]))).toEqual([c.id, a.id, b.id, d.id]);
    });

    it('ignores unknown ids and repeats', () => {
      expect(ids(accounts.reorder(['gone', b.id, b.id, 'x', a.id]))).toEqual([b.id, a.id, c.id, d.id]);
    });

    it('keeps the order across a reopen', () => {
      accounts.reorder([d.id, c.id, b.id, a.id]);
      const path = db.name;
      db.close();
      const reopened = openDatabase(path);
      if (!reopened.ok) throw new Error(reopened.error.detail);
      db = reopened.db;
      expect(ids(new AccountsRepository(db, { clock }).list())).toEqual([d.id, c.id, b.id, a.id]);
    });

    it('changes nothing when a write inside it fails', () => {
      db.pragma('query_only = ON');
      expect(() => accounts.reorder([d.id, c.id, b.id, a.id])).toThrow(StoreFailure);
      db.pragma('query_only = OFF');
      expect(ids(accounts.list())).toEqual([a.id, b.id, c.id, d.id]);
    });
  });

  describe('when the database refuses', () => {
    it('throws StoreFailure(disk-full) when the database cannot grow', () => {
      accounts.insert(alice);
      // SQLite's own limit on the file size produces the very error a full disk does (SQLITE_FULL).
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      const big = { ...alice, displayName: 'x'.repeat(64 * 1024) };
      let failure: unknown;
      try {
        accounts.insert(big);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(StoreFailure);
      expect((failure as StoreFailure).error).toMatchObject({ kind: 'disk-full', path: db.name });
      expect((failure as StoreFailure).error.detail).toContain('SQLITE_FULL');
      expect(accounts.list()).toHaveLength(1);
    });

    it('throws StoreFailure(read-only) on a read-only connection', () => {
      const dir = tempDir();
      migratedDatabase(dir).close();
      const opened = openDatabase(join(dir, 'store.sqlite'), { readonly: true });
      if (!opened.ok) throw new Error(opened.error.detail);
      const readonly = new AccountsRepository(opened.db, { clock });
      expect(readonly.list()).toEqual([]);
      expect(() => readonly.insert(alice)).toThrow(StoreFailure);
      try {
        readonly.insert(alice);
      } catch (error) {
        expect((error as StoreFailure).error.kind).toBe('read-only');
      }
      opened.db.close();
    });

    it('throws StoreFailure(unknown) for a value the schema refuses', () => {
      expect(() => accounts.insert({ ...alice, transport: 'tls' as 'udp' })).toThrow(StoreFailure);
    });
  });
});
