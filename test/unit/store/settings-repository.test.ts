import type { Database } from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidSettingError,
  SettingsRepository,
  settingsDefaults,
  type Settings,
} from '../../../main/store/settings-repository';
import { StoreFailure } from '../../../main/store/store-error';
import { migratedDatabase } from './helpers/migrated-database';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();

let db: Database;
let settings: SettingsRepository;

beforeEach(() => {
  db = migratedDatabase(tempDir());
  settings = new SettingsRepository(db);
  return () => db.close();
});

const storeRaw = (key: string, value: string): void => {
  db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value);
};
const raw = (): Record<string, string> =>
  Object.fromEntries(
    (
      db.prepare('SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[]
    ).map((row) => [row.key, row.value]),
  );

describe('SettingsRepository', () => {
  it('gives the defaults for an empty table', () => {
    expect(settings.getAll()).toEqual({ ...settingsDefaults, theme: 'system', sipPort: 0 });
    expect(settingsDefaults).toEqual({
      theme: 'system',
      sipPort: 0,
      audioInputId: '',
      audioOutputId: '',
      audioRingerId: '',
      audioEchoCancellation: true,
      audioNoiseSuppression: true,
      audioAutoGainControl: true,
      ringOnDefaultDevice: false,
      idleAwayMinutes: 10,
    });
  });

  it('stores a patch as JSON and returns every setting', () => {
    expect(settings.patch({ theme: 'dark' })).toEqual({ ...settingsDefaults, theme: 'dark', sipPort: 0 });
    expect(settings.patch({ sipPort: 5070 })).toEqual({ ...settingsDefaults, theme: 'dark', sipPort: 5070 });
    expect(settings.patch({ ringOnDefaultDevice: true })).toEqual({
      ...settingsDefaults,
      theme: 'dark',
      sipPort: 5070,
      ringOnDefaultDevice: true,
    });
    expect(raw()).toEqual({ theme: '"dark"', sipPort: '5070', ringOnDefaultDevice: 'true' });
    expect(new SettingsRepository(db).getAll()).toEqual({
      ...settingsDefaults,
      theme: 'dark',
      sipPort: 5070,
      ringOnDefaultDevice: true,
    });
  });

  it('skips undefined values and accepts an empty patch', () => {
    settings.patch({ theme: 'light' });
    expect(settings.patch({ theme: undefined })).toEqual({ ...settingsDefaults, theme: 'light', sipPort: 0 });
    expect(settings.patch({})).toEqual({ ...settingsDefaults, theme: 'light', sipPort: 0 });
  });

  it.each([
    ['not JSON', 'theme', 'dark'],
    ['the wrong type', 'theme', '42'],
    ['a value outside the choices', 'theme', '"sepia"'],
    ['null', 'sipPort', 'null'],
    ['a port out of range', 'sipPort', '70000'],
    ['a fraction', 'sipPort', '5060.5'],
    ['a string for a number', 'sipPort', '"5060"'],
    ['a string for a switch', 'ringOnDefaultDevice', '"yes"'],
    ['an empty string', 'sipPort', ''],
  ])('reads %s as the default instead of failing', (_what, key, value) => {
    storeRaw(key, value);
    expect(settings.getAll()).toEqual(settingsDefaults);
  });

  it('ignores keys it does not know', () => {
    storeRaw('fromTheFuture', '{"x":1}');
    storeRaw('sipPort', '5080');
    expect(settings.getAll()).toEqual({ ...settingsDefaults, theme: 'system', sipPort: 5080 });
  });

  it('repairs a garbage value when it is next written', () => {
    storeRaw('theme', '{{{');
    expect(settings.patch({ theme: 'dark' }).theme).toBe('dark');
    expect(raw().theme).toBe('"dark"');
  });

  it('refuses an invalid value and stores none of the patch', () => {
    const patch = { theme: 'dark', sipPort: -1 } as Settings;
    expect(() => settings.patch(patch)).toThrow(InvalidSettingError);
    try {
      settings.patch(patch);
    } catch (error) {
      expect(error).toMatchObject({ key: 'sipPort' });
    }
    expect(raw()).toEqual({});
  });

  it('refuses an unknown key', () => {
    expect(() => settings.patch({ volume: 11 } as unknown as Partial<Settings>)).toThrow(
      /Unknown setting "volume"/,
    );
    expect(() => settings.patch(JSON.parse('{"__proto__": {"theme": "dark"}}') as Partial<Settings>)).toThrow(
      InvalidSettingError,
    );
    expect(raw()).toEqual({});
  });

  it('stores the audio devices and capture switches', () => {
    const audio = {
      audioInputId: 'c0ffee'.repeat(10) + 'abcd',
      audioOutputId: 'default',
      audioRingerId: 'communications',
      audioEchoCancellation: false,
      audioNoiseSuppression: false,
      audioAutoGainControl: true,
    };
    expect(settings.patch(audio)).toEqual({ ...settingsDefaults, ...audio });
    expect(new SettingsRepository(db).getAll()).toEqual({ ...settingsDefaults, ...audio });
    expect(settings.patch({ audioInputId: '' }).audioInputId).toBe('');
  });

  it.each([
    ['a device id with a space', { audioInputId: 'my mic' }],
    ['a device id with a control character', { audioOutputId: 'a\nb' }],
    ['a device id that is not text', { audioRingerId: 42 }],
    ['a device id over 256 characters', { audioInputId: 'a'.repeat(257) }],
    ['a switch that is not a boolean', { audioEchoCancellation: 'yes' }],
  ])('refuses %s', (_what, patch) => {
    expect(() => settings.patch(patch as unknown as Partial<Settings>)).toThrow(InvalidSettingError);
    expect(raw()).toEqual({});
  });

  it.each([
    ['audioInputId', '42'],
    ['audioOutputId', '"two words"'],
    ['audioNoiseSuppression', '"off"'],
    ['audioAutoGainControl', 'null'],
  ])('reads a damaged %s as its default', (key, value) => {
    storeRaw(key, value);
    expect(settings.getAll()).toEqual(settingsDefaults);
  });

  it('throws StoreFailure when the database refuses the write', () => {
    db.pragma('query_only = ON');
    expect(() => settings.patch({ theme: 'dark' })).toThrow(StoreFailure);
    expect(settings.getAll()).toEqual(settingsDefaults);
  });
});
