// THE contract between the interface (renderer) and the engine (main): commands the interface calls and events the
// engine pushes. Types only, plain JSON data: the renderer imports it with `import type`, and the same contract is
// carried by Electron IPC and by the web host's WebSocket. Every command answers with a Result; nothing is thrown
// across the boundary. The engine sends codes and technical details; the sentences a person reads are the window's.
//
// This folder imports nothing from the rest of main. Its other files: limits.ts (shared values), schemas.ts (the
// zod schemas that check every command's arguments, typed against `Commands`), softphone-api.ts (the shape of
// `window.softphone`) and wire-frames.ts (the web host's frames), result.ts (the
// Result type every layer uses).
import type { KEEP_ALIVE_KINDS, THEMES, TRANSPORTS } from './limits';
import type { Result as Outcome } from './result';

export type ErrorCode =
  'invalid-argument' | 'not-found' | 'conflict' | 'storage' | 'unavailable' | 'unauthorized' | 'internal';

export interface CommandError {
  readonly code: ErrorCode;
  readonly message: string;
  /** A SIP status code when the error came from the network. */
  readonly status?: number;
  /** Which input field was wrong, for validation errors. */
  readonly field?: string;
}

/** What every command answers: the one Result type of result.ts, failing with a CommandError. */
export type Result<T> = Outcome<T, CommandError>;

export type TransportName = (typeof TRANSPORTS)[number];

export type KeepAliveKind = (typeof KEEP_ALIVE_KINDS)[number];

export interface AccountDto {
  readonly id: string;
  readonly displayName: string;
  /** Address of record, e.g. `sip:alice@example.com`. */
  readonly aor: string;
  readonly authUser: string | null;
  readonly outboundProxy: string | null;
  /** The registrar's SIP URI; null means the AoR's domain (RFC 3261 §10.2.6). */
  readonly registrar: string | null;
  readonly transport: TransportName;
  /** Requested registration lifetime in seconds. */
  readonly expires: number;
  /** Seconds between keep-alives on the flow to the server; 0 means off. */
  readonly keepAliveSeconds: number;
  readonly keepAliveKind: KeepAliveKind;
  readonly enabled: boolean;
  readonly order: number;
  /** Whether a password is stored; the password itself never leaves main. */
  readonly hasPassword: boolean;
}

export interface AccountInput {
  readonly displayName: string;
  readonly aor: string;
  readonly authUser: string | null;
  /** A new password; absent or null keeps the stored one on update. */
  readonly password?: string | null;
  readonly outboundProxy: string | null;
  /** Null registers with the AoR's domain. */
  readonly registrar: string | null;
  readonly transport: TransportName;
  readonly expires: number;
  /** 0 turns keep-alives off. */
  readonly keepAliveSeconds: number;
  readonly keepAliveKind: KeepAliveKind;
  readonly enabled: boolean;
}

export type RegistrationStateName =
  'disabled' | 'unregistered' | 'registering' | 'registered' | 'failed' | 'unregistering';

export type RegistrationFailure =
  | 'bad-credentials'
  | 'forbidden'
  | 'not-found'
  | 'timeout'
  | 'unreachable'
  | 'server-error'
  | 'rejected'
  | 'interval-too-brief'
  | 'unsupported-challenge'
  | 'connection-lost'
  /** The server asked for credentials and the account has no password stored. */
  | 'no-password'
  /** A password is stored but cannot be decrypted on this computer (key file lost, OS keyring changed). */
  | 'password-unavailable';

/** Why the last attempt failed: what a status carries while a new attempt is under way. */
export interface RegistrationFailureDto {
  readonly failure: RegistrationFailure;
  /** The technical line ("no answer from 127.0.0.1:5299 (Timer F)"), never a sentence for a person. */
  readonly detail: string;
  readonly status: number | null;
}

export interface RegistrationStatusDto {
  readonly accountId: string;
  readonly state: RegistrationStateName;
  /** Granted lifetime in seconds, when registered. */
  readonly expires: number | null;
  /** Why the registration failed, in state 'failed'; the window words it. */
  readonly failure: RegistrationFailure | null;
  /** The technical line ("401 Unauthorized from 127.0.0.1:5060", "binding … for 600 s"). */
  readonly detail: string | null;
  readonly status: number | null;
  /**
   * Milliseconds until the next automatic attempt, when one is planned, counted from when the status was sent: the
   * window counts down from the moment it received it.
   */
  readonly retryInMs: number | null;
  /** In state 'registering': the failure of the attempt before this one, when there was one; otherwise null. */
  readonly lastFailure: RegistrationFailureDto | null;
  /** The first hop the account registers through, `127.0.0.1:5060` or `[::1]:5060`, once it is known. */
  readonly server: string | null;
}

export type Theme = (typeof THEMES)[number];

export interface SettingsDto {
  readonly theme: Theme;
  /** Local port for SIP (0: any free port). */
  readonly sipPort: number;
}

/**
 * Why the store could not be used, as the store classified it (main/store/README.md has the table of causes):
 * `corrupt` the file is damaged; `read-only` it or its folder cannot be written; `disk-full`; `busy` another program
 * holds the file; `in-use` another softphone engine holds the data folder; `too-new` a newer app wrote it;
 * `upgrade-failed` bringing its schema up to date failed (the file was left unchanged); `unknown` anything else.
 */
export type StorageErrorKind =
  'corrupt' | 'read-only' | 'disk-full' | 'busy' | 'in-use' | 'too-new' | 'upgrade-failed' | 'unknown';

export interface StorageErrorDto {
  readonly kind: StorageErrorKind;
  /** The database file concerned; its folder is the data folder. */
  readonly path: string;
  /** The technical cause: SQLite's or the file system's code and text ("SQLITE_NOTADB: file is not a database"). */
  readonly detail: string;
  /** In kind `in-use`, the process holding the data folder when the store could tell which; otherwise null. */
  readonly holderPid: number | null;
}

/**
 * How account passwords are kept at rest in this host:
 * `os-keychain` with a key the operating system keeps (Electron safeStorage);
 * `os-keychain-weak` with the key built into Chromium, because Linux offered no keyring (safeStorage's basic_text);
 * `os-keychain-unavailable` not at all: the system offers no way to encrypt them, so none are saved;
 * `key-file` with AES-256-GCM under a random key kept in its own file beside the database (the web host).
 */
export type PasswordProtectionKind =
  'os-keychain' | 'os-keychain-weak' | 'os-keychain-unavailable' | 'key-file';

export interface PasswordProtectionDto {
  readonly kind: PasswordProtectionKind;
  /**
   * Which store or file, as a technical name: for `os-keychain` `macos-keychain`, `windows-dpapi` or the Linux backend
   * as Electron names it (`gnome_libsecret`, `kwallet`, `kwallet5`, `kwallet6`, `unknown`), null on other systems;
   * for `os-keychain-weak` the backend (`basic_text`); for `key-file` the key file's name (`secret.key`); else null.
   * The window words the names it knows and shows any other as it is.
   */
  readonly detail: string | null;
}

export interface AppInfoDto {
  readonly version: string;
  /** Where the engine runs: the Electron app or the development web host. */
  readonly host: 'electron' | 'web';
  /** Set when the store could not be opened: the interface shows an error screen instead of the app. */
  readonly storageError: StorageErrorDto | null;
  /** How passwords are protected at rest in this host; the window words it. */
  readonly passwordProtection: PasswordProtectionDto;
}

/** Command name → arguments tuple and result value. */
export interface Commands {
  'app.info': { args: []; result: AppInfoDto };
  'accounts.list': { args: []; result: AccountDto[] };
  'accounts.create': { args: [input: AccountInput]; result: AccountDto };
  'accounts.update': { args: [id: string, input: AccountInput]; result: AccountDto };
  'accounts.delete': { args: [id: string]; result: null };
  'accounts.setEnabled': { args: [id: string, enabled: boolean]; result: AccountDto };
  'accounts.reorder': { args: [ids: string[]]; result: AccountDto[] };
  'accounts.registerNow': { args: [id: string]; result: null };
  'registration.list': { args: []; result: RegistrationStatusDto[] };
  'settings.get': { args: []; result: SettingsDto };
  'settings.update': { args: [patch: Partial<SettingsDto>]; result: SettingsDto };
}

/** Event name → payload pushed from main to the interface. */
export interface Events {
  'registration.changed': RegistrationStatusDto;
  'accounts.changed': AccountDto[];
  'settings.changed': SettingsDto;
  /** A sip:/tel: URI opened from the OS (protocol handler), for the dialpad. */
  'dialpad.open': { uri: string };
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;
export type CommandArgs<C extends CommandName> = Commands[C]['args'];
export type CommandResult<C extends CommandName> = Commands[C]['result'];

/** What answers commands whatever carried them: the engine's CommandRouter, which validates and never throws. */
export interface CommandDispatcher {
  dispatch(name: unknown, args: unknown): Promise<Result<unknown>>;
}

export type EngineEventListener = <E extends EventName>(name: E, payload: Events[E]) => void;

/** Where the engine's events come from; `subscribe` returns the function that unsubscribes. */
export interface EngineEventSource {
  subscribe(listener: EngineEventListener): () => void;
}
