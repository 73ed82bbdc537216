// The `settings` table: one row per key, the value as JSON text. The table is untyped on purpose (a new setting needs
// no migration); the types live here, in one schema with a default per key. A value that is missing, not JSON or out
// of range reads as its default, so a hand-edited or damaged row can never stop the app from starting.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { z } from 'zod';
import {
  AUDIO_DEVICE_ID_MAX,
  AUDIO_DEVICE_ID_PATTERN,
  DEFAULT_IDLE_AWAY_MINUTES,
  IDLE_AWAY_MINUTES_MAX,
} from '../contract/limits';
import { guarded } from './store-error';

export type ThemeSetting = 'system' | 'light' | 'dark';

export interface Settings {
  readonly theme: ThemeSetting;
  /** Local port for SIP (0: any free port). */
  readonly sipPort: number;
  /** Audio devices chosen in the window, as the browser names them; '' is the system's default. */
  readonly audioInputId: string;
  readonly audioOutputId: string;
  readonly audioRingerId: string;
  /** Chromium's capture processing (echo canceller, noise suppression, automatic gain). */
  readonly audioEchoCancellation: boolean;
  readonly audioNoiseSuppression: boolean;
  readonly audioAutoGainControl: boolean;
  /** Ring on the system's default output too, besides the chosen ringer device. */
  readonly ringOnDefaultDevice: boolean;
  /** Minutes without input before `available` is published as `away`; 0 is off. */
  readonly idleAwayMinutes: number;
}

export type SettingKey = keyof Settings;

export const settingsDefaults: Settings = {
  theme: 'system',
  sipPort: 0,
  audioInputId: '',
  audioOutputId: '',
  audioRingerId: '',
  audioEchoCancellation: true,
  audioNoiseSuppression: true,
  audioAutoGainControl: true,
  ringOnDefaultDevice: false,
  idleAwayMinutes: DEFAULT_IDLE_AWAY_MINUTES,
};

const audioDeviceId = z.string().max(AUDIO_DEVICE_ID_MAX).regex(AUDIO_DEVICE_ID_PATTERN);

const settingSchemas: { readonly [K in SettingKey]: z.ZodType<Settings[K]> } = {
  theme: z.enum(['system', 'light', 'dark']),
  sipPort: z.number().int().min(0).max(65_535),
  audioInputId: audioDeviceId,
  audioOutputId: audioDeviceId,
  audioRingerId: audioDeviceId,
  audioEchoCancellation: z.boolean(),
  audioNoiseSuppression: z.boolean(),
  audioAutoGainControl: z.boolean(),
  ringOnDefaultDevice: z.boolean(),
  idleAwayMinutes: z.number().int().min(0).max(IDLE_AWAY_MINUTES_MAX),
};

const SETTING_KEYS = Object.keys(settingSchemas) as SettingKey[];

/** A patch named a key this build does not know, or a value its schema refuses. */
export class InvalidSettingError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidSettingError';
  }
}

export class SettingsRepository {
  readonly #db: SqliteDatabase;
  readonly #all: Statement<[], { key: string; value: string }>;
  readonly #upsert: Statement<[{ key: string; value: string }]>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#all = db.prepare('SELECT key, value FROM settings');
    this.#upsert = db.prepare(
      'INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  /** Every setting, with defaults for those missing or unreadable. */
  getAll(): Settings {
    return guarded(this.#db.name, () => {
      const stored = new Map(this.#all.all().map((row) => [row.key, row.value]));
      const result: Record<string, unknown> = {};
      for (const key of SETTING_KEYS) result[key] = readValue(key, stored.get(key));
      return result as unknown as Settings;
    });
  }

  /**
   * Validates and stores the given settings in one transaction, returning them all. Throws InvalidSettingError
   * (storing nothing) for an unknown key or a refused value; undefined values are skipped.
   */
  patch(patch: Partial<Settings>): Settings {
    const entries: { key: string; value: string }[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (!isSettingKey(key)) throw new InvalidSettingError(key, `Unknown setting "${key}"`);
      const parsed = settingSchemas[key].safeParse(value);
      if (!parsed.success) {
        throw new InvalidSettingError(
          key,
          `Invalid value for setting "${key}": ${parsed.error.issues[0]?.message}`,
        );
      }
      entries.push({ key, value: JSON.stringify(parsed.data) });
    }
    return guarded(this.#db.name, () =>
      this.#db.transaction(() => {
        for (const entry of entries) this.#upsert.run(entry);
        return this.getAll();
      })(),
    );
  }
}

function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(settingSchemas, key);
}

function readValue<K extends SettingKey>(key: K, text: string | undefined): Settings[K] {
  if (text === undefined) return settingsDefaults[key];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return settingsDefaults[key];
  }
  const parsed = settingSchemas[key].safeParse(value);
  return parsed.success ? parsed.data : settingsDefaults[key];
}
