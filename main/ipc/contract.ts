// THE contract between the interface (renderer) and the engine (main): commands the interface calls and events the
// engine pushes. Types only, plain JSON data: the renderer imports it with `import type`, and the same contract is
// carried by Electron IPC and by the web host's WebSocket. Every command answers with a Result; nothing is thrown
// across the boundary.

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

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CommandError };

export type TransportName = 'udp' | 'tcp';

export interface AccountDto {
  readonly id: string;
  readonly displayName: string;
  /** Address of record, e.g. `sip:alice@example.com`. */
  readonly aor: string;
  readonly authUser: string | null;
  readonly outboundProxy: string | null;
  readonly transport: TransportName;
  /** Requested registration lifetime in seconds. */
  readonly expires: number;
  readonly registrar: string | null;
  readonly keepAliveSeconds: number;
  readonly keepAliveKind: 'crlf' | 'options';
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
  readonly transport: TransportName;
  readonly expires: number;
  readonly registrar: string | null;
  readonly keepAliveSeconds: number;
  readonly keepAliveKind: 'crlf' | 'options';
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
  | 'connection-lost';

export interface RegistrationStatusDto {
  readonly accountId: string;
  readonly state: RegistrationStateName;
  /** Granted lifetime in seconds, when registered. */
  readonly expires: number | null;
  readonly failure: RegistrationFailure | null;
  /** One sentence a person can act on ("The password was not accepted."). */
  readonly summary: string | null;
  /** The technical line under it ("401 Unauthorized from 127.0.0.1:5060"). */
  readonly detail: string | null;
  readonly status: number | null;
  /** Milliseconds until the next automatic attempt, when one is planned. */
  readonly retryInMs: number | null;
}

export type Theme = 'system' | 'light' | 'dark';

export interface SettingsDto {
  readonly theme: Theme;
  /** Local port for SIP (0: any free port). */
  readonly sipPort: number;
}

export interface AppInfoDto {
  readonly version: string;
  /** Where the engine runs: the Electron app or the development web host. */
  readonly host: 'electron' | 'web';
  /** Set when the store could not be opened: the interface shows an error screen instead of the app. */
  readonly storageError: string | null;
  /** How passwords are protected at rest in this host, said plainly. */
  readonly passwordProtection: string;
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
