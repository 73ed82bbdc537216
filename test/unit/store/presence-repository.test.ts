import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { PresenceRepository, MAX_REMEMBERED_WATCHERS } from '../../../main/store/presence-repository';
import { SettingsRepository, settingsDefaults } from '../../../main/store/settings-repository';
import { migratedDatabase } from './helpers/migrated-database';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

let db: Database;
let presence: PresenceRepository;

beforeEach(() => {
  db = migratedDatabase(tempDir());
  presence = new PresenceRepository(db);
  return () => db.close();
});

const storeRaw = (key: string, value: string): void => {
  db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value);
};

describe('PresenceRepository', () => {
  it('keeps the chosen status per account, and forgets an account’s rows', () => {
    expect(presence.ownStatus('a')).toBeUndefined();
    presence.setOwnStatus('a', { status: 'away', note: 'Zurück 🙂' });
    presence.setOwnStatus('b', { status: 'dnd', note: null });
    expect(presence.ownStatus('a')).toEqual({ status: 'away', note: 'Zurück 🙂' });
    expect(presence.ownStatus('b')).toEqual({ status: 'dnd', note: null });
    presence.setWatchersFirstSeen('a', new Map([['sip:bob@x', 5]]));
    presence.forgetAccount('a');
    expect(presence.ownStatus('a')).toBeUndefined();
    expect(presence.watchersFirstSeen('a').size).toBe(0);
    expect(presence.ownStatus('b')).toEqual({ status: 'dnd', note: null });
  });

  it('reads unreadable rows as nothing', () => {
    storeRaw('presence.own:a', '{not json');
    storeRaw('presence.own:b', '{"status":"sleeping","note":"x"}');
    storeRaw('presence.own:c', '{"status":"busy","note":42}');
    storeRaw('presence.watchers:a', '["sip:bob@x"]');
    storeRaw('presence.watchers:b', '{"sip:bob@x":"yesterday","sip:carol@x":7}');
    storeRaw('presence.watchersSeenAt', '"soon"');
    expect(presence.ownStatus('a')).toBeUndefined();
    expect(presence.ownStatus('b')).toBeUndefined();
    expect(presence.ownStatus('c')).toEqual({ status: 'busy', note: null });
    expect(presence.watchersFirstSeen('a').size).toBe(0);
    expect([...presence.watchersFirstSeen('b')]).toEqual([['sip:carol@x', 7]]);
    expect(presence.watchersSeenAt()).toBe(0);
  });

  it('keeps first-seen times and the seen mark, bounded', () => {
    const many = new Map(Array.from({ length: MAX_REMEMBERED_WATCHERS + 10 }, (_, i) => [`sip:w${i}@x`, i]));
    presence.setWatchersFirstSeen('a', many);
    expect(presence.watchersFirstSeen('a').size).toBe(MAX_REMEMBERED_WATCHERS);
    presence.setWatchersSeenAt(1_700_000_000_000);
    expect(presence.watchersSeenAt()).toBe(1_700_000_000_000);
  });

  it('stays out of the typed settings', () => {
    presence.setOwnStatus('a', { status: 'away', note: null });
    presence.setWatchersSeenAt(1);
    expect(new SettingsRepository(db).getAll()).toEqual(settingsDefaults);
  });
});
