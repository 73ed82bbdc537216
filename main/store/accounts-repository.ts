// The `accounts` table. Services call this; nothing else touches the table. Statements are prepared once, each
// method is one transaction, and anything the database refuses comes out as a StoreFailure with a classified error.
import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { CallCodec } from '../contract/contract';
import {
  CALL_CODECS,
  DEFAULT_CODECS,
  DEFAULT_DO_NOT_DISTURB,
  DEFAULT_EARLY_MEDIA,
  DEFAULT_REGISTER,
} from '../contract/limits';
import type { Clock } from '../platform/clock';
import { guarded } from './store-error';

export type AccountTransport = 'udp' | 'tcp';
export type AccountKeepAliveKind = 'crlf' | 'options';

/** What a person edits about an account. */
export interface AccountFields {
  readonly displayName: string;
  /** Address of record, e.g. `sip:alice@example.com`. */
  readonly aor: string;
  readonly authUser: string | null;
  readonly outboundProxy: string | null;
  /** The registrar's SIP URI; null: the AoR's domain. */
  readonly registrar: string | null;
  readonly transport: AccountTransport;
  /** Requested registration lifetime in seconds. */
  readonly expires: number;
  /** Seconds between keep-alives; 0 = off. */
  readonly keepAliveSeconds: number;
  readonly keepAliveKind: AccountKeepAliveKind;
  readonly enabled: boolean;
}

/** How an account's calls behave (schema version 3). */
export interface AccountCallSettings {
  /** False: the account never REGISTERs (a trunk whose proxy knows us by address). */
  readonly register: boolean;
  /** Offered best first; never empty. */
  readonly codecs: readonly CallCodec[];
  readonly earlyMedia: boolean;
  readonly doNotDisturb: boolean;
}

/** How an account's presence is watched (schema version 6). */
export interface AccountPresenceSettings {
  /** A resource list (RFC 4662) to subscribe to instead of one subscription per buddy; null: none. */
  readonly presenceListUri: string | null;
}

export const accountCallDefaults: AccountCallSettings = {
  register: DEFAULT_REGISTER,
  codecs: DEFAULT_CODECS,
  earlyMedia: DEFAULT_EARLY_MEDIA,
  doNotDisturb: DEFAULT_DO_NOT_DISTURB,
};

/** Everything stored about an account but its password. */
export interface AccountSettings extends AccountFields, AccountCallSettings, AccountPresenceSettings {}

/** A new account; call settings left out take `accountCallDefaults`, a list left out is none. */
export interface NewAccount
  extends AccountFields, Partial<AccountCallSettings>, Partial<AccountPresenceSettings> {
  /** Ciphertext from a SecretCipher; absent or null: no password. */
  readonly password?: Buffer | null;
}

export interface AccountChanges extends Partial<AccountSettings> {
  /** Absent or undefined keeps the stored password, null removes it, a Buffer (ciphertext) replaces it. */
  readonly password?: Buffer | null;
}

/** A stored account. The password ciphertext is left out on purpose: ask `getPassword` when you need it. */
export interface AccountRecord extends AccountSettings {
  readonly id: string;
  /** Position in the list, 0 first. */
  readonly order: number;
  readonly hasPassword: boolean;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AccountsRepositoryOptions {
  /** Wall time for created/updated stamps. */
  readonly clock: Pick<Clock, 'wallTime'>;
  /** Defaults to random UUIDs. */
  readonly newId?: () => string;
}

interface AccountRow {
  id: string;
  display_name: string;
  aor: string;
  auth_user: string | null;
  outbound_proxy: string | null;
  registrar: string | null;
  transport: string;
  expires: number;
  keep_alive_seconds: number;
  keep_alive_kind: string;
  enabled: number;
  register: number;
  codecs: string;
  early_media: number;
  do_not_disturb: number;
  presence_list_uri: string | null;
  sort_order: number;
  has_password: number;
  created_at: number;
  updated_at: number;
}

interface AccountParams {
  id: string;
  display_name: string;
  aor: string;
  auth_user: string | null;
  outbound_proxy: string | null;
  registrar: string | null;
  transport: AccountTransport;
  expires: number;
  keep_alive_seconds: number;
  keep_alive_kind: AccountKeepAliveKind;
  enabled: number;
  register: number;
  codecs: string;
  early_media: number;
  do_not_disturb: number;
  presence_list_uri: string | null;
  password: Buffer | null;
  now: number;
}

const COLUMNS = `id, display_name, aor, auth_user, outbound_proxy, registrar, transport, expires,
  keep_alive_seconds, keep_alive_kind, enabled, register, codecs, early_media, do_not_disturb, presence_list_uri,
  sort_order, password IS NOT NULL AS has_password, created_at, updated_at`;

export class AccountsRepository {
  readonly #db: SqliteDatabase;
  readonly #clock: Pick<Clock, 'wallTime'>;
  readonly #newId: () => string;
  readonly #list: Statement<[], AccountRow>;
  readonly #get: Statement<[string], AccountRow>;
  readonly #insert: Statement<[AccountParams]>;
  readonly #update: Statement<[AccountParams]>;
  readonly #updatePassword: Statement<[{ id: string; password: Buffer | null; now: number }]>;
  readonly #getPassword: Statement<[string], { password: Buffer | null }>;
  readonly #delete: Statement<[string]>;
  readonly #setOrder: Statement<[{ id: string; sort_order: number }]>;

  constructor(db: SqliteDatabase, options: AccountsRepositoryOptions) {
    this.#db = db;
    this.#clock = options.clock;
    this.#newId = options.newId ?? randomUUID;
    this.#list = db.prepare(`SELECT ${COLUMNS} FROM accounts ORDER BY sort_order, created_at, id`);
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`);
    // The new account goes last, computed in the same statement so two inserts cannot take the same place.
    this.#insert = db.prepare(`
      INSERT INTO accounts (id, display_name, aor, auth_user, outbound_proxy, registrar, transport, expires,
        keep_alive_seconds, keep_alive_kind, enabled, register, codecs, early_media, do_not_disturb, presence_list_uri,
        sort_order, password, created_at, updated_at)
      VALUES (@id, @display_name, @aor, @auth_user, @outbound_proxy, @registrar, @transport, @expires,
        @keep_alive_seconds, @keep_alive_kind, @enabled, @register, @codecs, @early_media, @do_not_disturb,
        @presence_list_uri, (SELECT COALESCE(MAX(sort_order), -1) + 1 FROM accounts), @password, @now, @now)`);
    this.#update = db.prepare(`
      UPDATE accounts SET display_name = @display_name, aor = @aor, auth_user = @auth_user,
        outbound_proxy = @outbound_proxy, registrar = @registrar, transport = @transport, expires = @expires,
        keep_alive_seconds = @keep_alive_seconds, keep_alive_kind = @keep_alive_kind, enabled = @enabled,
        register = @register, codecs = @codecs, early_media = @early_media, do_not_disturb = @do_not_disturb,
        presence_list_uri = @presence_list_uri, password = @password, updated_at = @now
      WHERE id = @id`);
    this.#updatePassword = db.prepare(
      'UPDATE accounts SET password = @password, updated_at = @now WHERE id = @id',
    );
    this.#getPassword = db.prepare('SELECT password FROM accounts WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM accounts WHERE id = ?');
    this.#setOrder = db.prepare('UPDATE accounts SET sort_order = @sort_order WHERE id = @id');
  }

  /** All accounts in display order. */
  list(): AccountRecord[] {
    return this.#guard(() => this.#list.all().map(toRecord));
  }

  get(id: string): AccountRecord | undefined {
    return this.#guard(() => {
      const row = this.#get.get(id);
      return row && toRecord(row);
    });
  }

  /** Adds an account at the end of the list, with a new random id. */
  insert(account: NewAccount): AccountRecord {
    return this.#guard(() => {
      const id = this.#newId();
      const settings: AccountSettings = {
        ...account,
        register: account.register ?? accountCallDefaults.register,
        codecs: account.codecs ?? accountCallDefaults.codecs,
        earlyMedia: account.earlyMedia ?? accountCallDefaults.earlyMedia,
        doNotDisturb: account.doNotDisturb ?? accountCallDefaults.doNotDisturb,
        presenceListUri: account.presenceListUri ?? null,
      };
      this.#insert.run(toParams(id, settings, account.password ?? null, this.#clock.wallTime()));
      return this.get(id)!;
    });
  }

  /** Applies `changes`; undefined when there is no such account. */
  update(id: string, changes: AccountChanges): AccountRecord | undefined {
    return this.#guard(() =>
      this.#db.transaction(() => {
        const current = this.#get.get(id);
        if (!current) return undefined;
        const password =
          changes.password === undefined ? this.#getPassword.get(id)!.password : changes.password;
        const merged: AccountSettings = { ...toRecord(current), ...definedOnly(changes) };
        this.#update.run(toParams(id, merged, password, this.#clock.wallTime()));
        return toRecord(this.#get.get(id)!);
      })(),
    );
  }

  /** False when there was no such account. */
  delete(id: string): boolean {
    return this.#guard(() => this.#delete.run(id).changes > 0);
  }

  /**
   * Puts the listed accounts first, in the given order, and the others after them in their current order. Unknown
   * ids and repeats are ignored, so a reorder racing a delete still succeeds. Returns the new list.
   */
  reorder(ids: readonly string[]): AccountRecord[] {
    return this.#guard(() =>
      this.#db.transaction(() => {
        const current = this.#list.all().map((row) => row.id);
        const known = new Set(current);
        const first = [...new Set(ids)].filter((id) => known.has(id));
        const placed = new Set(first);
        const order = [...first, ...current.filter((id) => !placed.has(id))];
        order.forEach((id, index) => this.#setOrder.run({ id, sort_order: index }));
        return this.#list.all().map(toRecord);
      })(),
    );
  }

  /** Stores (or with null removes) the password ciphertext; false when there is no such account. */
  setPassword(id: string, ciphertext: Buffer | null): boolean {
    return this.#guard(
      () => this.#updatePassword.run({ id, password: ciphertext, now: this.#clock.wallTime() }).changes > 0,
    );
  }

  /** The password ciphertext; null when none is stored, undefined when there is no such account. */
  getPassword(id: string): Buffer | null | undefined {
    return this.#guard(() => this.#getPassword.get(id)?.password);
  }

  #guard<T>(operation: () => T): T {
    return guarded(this.#db.name, operation);
  }
}

function toRecord(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    aor: row.aor,
    authUser: row.auth_user,
    outboundProxy: row.outbound_proxy,
    registrar: row.registrar,
    // The columns' CHECK constraints admit only these values.
    transport: row.transport === 'tcp' ? 'tcp' : 'udp',
    expires: row.expires,
    keepAliveSeconds: row.keep_alive_seconds,
    keepAliveKind: row.keep_alive_kind === 'options' ? 'options' : 'crlf',
    enabled: row.enabled === 1,
    register: row.register === 1,
    codecs: readCodecs(row.codecs),
    earlyMedia: row.early_media === 1,
    doNotDisturb: row.do_not_disturb === 1,
    presenceListUri: row.presence_list_uri,
    order: row.sort_order,
    hasPassword: row.has_password === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toParams(id: string, fields: AccountSettings, password: Buffer | null, now: number): AccountParams {
  return {
    id,
    display_name: fields.displayName,
    aor: fields.aor,
    auth_user: fields.authUser,
    outbound_proxy: fields.outboundProxy,
    registrar: fields.registrar,
    transport: fields.transport,
    expires: fields.expires,
    keep_alive_seconds: fields.keepAliveSeconds,
    keep_alive_kind: fields.keepAliveKind,
    enabled: fields.enabled ? 1 : 0,
    register: fields.register ? 1 : 0,
    codecs: writeCodecs(fields.codecs),
    early_media: fields.earlyMedia ? 1 : 0,
    do_not_disturb: fields.doNotDisturb ? 1 : 0,
    presence_list_uri: fields.presenceListUri,
    password,
    now,
  };
}

/**
 * The stored codec list, leniently: names this build does not know and repeats are skipped, and a list left empty
 * reads as the default order, so a hand-edited or damaged value never stops an account from loading or calling.
 */
function readCodecs(text: string): CallCodec[] {
  const known = new Set<string>(CALL_CODECS);
  const codecs = [...new Set(text.split(',').map((name) => name.trim().toLowerCase()))].filter(
    (name): name is CallCodec => known.has(name),
  );
  return codecs.length > 0 ? codecs : [...DEFAULT_CODECS];
}

/** Refuses an empty or unknown list here, where a caller's bug shows, rather than storing what reads as a default. */
function writeCodecs(codecs: readonly CallCodec[]): string {
  const known = new Set<string>(CALL_CODECS);
  if (codecs.length === 0 || codecs.some((codec) => !known.has(codec)))
    throw new TypeError(`not a codec list: ${JSON.stringify(codecs)}`);
  return [...new Set(codecs)].join(',');
}

// `{ ...record, ...changes }` would let an explicit `undefined` in changes erase a field.
function definedOnly(changes: AccountChanges): Partial<AccountSettings> {
  const result: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    if (changes[key] !== undefined) result[key] = changes[key];
  }
  return result as Partial<AccountSettings>;
}

const FIELD_NAMES = [
  'displayName',
  'aor',
  'authUser',
  'outboundProxy',
  'registrar',
  'transport',
  'expires',
  'keepAliveSeconds',
  'keepAliveKind',
  'enabled',
  'register',
  'codecs',
  'earlyMedia',
  'doNotDisturb',
  'presenceListUri',
] as const satisfies readonly (keyof AccountSettings)[];
