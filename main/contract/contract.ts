// THE contract between the interface (renderer) and the engine (main): commands the interface calls and events the
// engine pushes. Types only, plain JSON data: the renderer imports it with `import type`, and the same contract is
// carried by Electron IPC and by the web host's WebSocket. Every command answers with a Result; nothing is thrown
// across the boundary. The engine sends codes and technical details; the sentences a person reads are the window's.
//
// This folder imports nothing from the rest of main. Its other files: limits.ts (shared values), schemas.ts (the
// zod schemas that check every command's arguments, typed against `Commands`), softphone-api.ts (the shape of
// `window.softphone`) and wire-frames.ts (the web host's frames), result.ts (the
// Result type every layer uses).
import type {
  CALL_CODECS,
  CALL_END_REASONS,
  KEEP_ALIVE_KINDS,
  REJECT_STATUSES,
  THEMES,
  TRANSPORTS,
} from './limits';
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

/** A voice codec by the engine's name for it: `opus`, `pcmu` or `pcma`. */
export type CallCodec = (typeof CALL_CODECS)[number];

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
  /** False for an account that never REGISTERs (a trunk whose proxy knows us by address); it still places calls. */
  readonly register: boolean;
  /** The codecs calls offer and prefer, best first; never empty. */
  readonly codecs: CallCodec[];
  /** Whether incoming calls ring with 183 and early media (RFC 3960) instead of a plain 180. */
  readonly earlyMedia: boolean;
  /** Whether incoming calls are refused with 486 Busy Here without ringing. */
  readonly doNotDisturb: boolean;
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
  // The call settings below may be left out: a new account then takes the defaults of limits.ts, and an update keeps
  // what is stored, so a form that does not show them yet cannot reset them.
  /** False: never REGISTER (default true). */
  readonly register?: boolean;
  /** Best first, no repeats, at least one (default opus, pcmu, pcma). */
  readonly codecs?: CallCodec[];
  readonly earlyMedia?: boolean;
  readonly doNotDisturb?: boolean;
}

/**
 * `not-registering`: the account is on but set never to REGISTER (`register: false`); it can place and take calls
 * through its proxy, so it is neither off nor failing.
 */
export type RegistrationStateName =
  'disabled' | 'unregistered' | 'registering' | 'registered' | 'failed' | 'unregistering' | 'not-registering';

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
  /** The microphone, speaker and ringer chosen in the window ('' = the system's default); see AUDIO_DEVICE_ID_*. */
  readonly audioInputId: string;
  readonly audioOutputId: string;
  readonly audioRingerId: string;
  /** Chromium's capture processing, each on by default. */
  readonly audioEchoCancellation: boolean;
  readonly audioNoiseSuppression: boolean;
  readonly audioAutoGainControl: boolean;
  /** Whether an incoming call also rings on the system's default output, besides the chosen ringer device. */
  readonly ringOnDefaultDevice: boolean;
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

export type CallDirection = 'outgoing' | 'incoming';

/**
 * Where a call is. Outgoing: `dialing` (INVITE sent) → `ringing` (180 from the far end) or `early-media` (183 with
 * audio) → `connecting` (2xx received, ACK and media starting) → `connected`. Incoming: `incoming` (ringing here) →
 * `connecting` (answered, waiting for the ACK) → `connected`. Then `on-hold` (we put it on hold; wins over the far
 * end's hold), `held-by-remote`, `transferring` (a REFER of ours under way), and `ended` once and for good.
 */
export type CallStateName =
  | 'dialing'
  | 'ringing'
  | 'early-media'
  | 'incoming'
  | 'connecting'
  | 'connected'
  | 'on-hold'
  | 'held-by-remote'
  | 'transferring'
  | 'ended';

/** Who ended a call: we did (hang up, reject, cancel), the far end did, or something failed. */
export type CallEndedBy = 'local' | 'remote' | 'error';

/**
 * Why a call ended, as a code the window words:
 * `hangup` a BYE, either way, after an answer; `cancelled` we gave up before the answer; `missed` the caller gave up
 * before we answered; `answered-elsewhere` another device took it (RFC 3326 Reason cause 200); `rejected` we refused
 * it; `do-not-disturb` refused by the account's setting; `busy` 486/600; `declined` 603; `not-found` 404/604;
 * `unavailable` 480; `no-answer` no final answer in time (408, Timer B); `unreachable` the far end or proxy cannot
 * be reached (503, a transport failure); `incompatible` no common codec or media (488, 606, 415); `auth-failed`
 * credentials refused (401/407 again); `forbidden` 403; `redirect-failed` 3xx that loops or goes on too long;
 * `transferred` the call was handed over (REFER done); `replaced` a Replaces INVITE took its place (RFC 3891);
 * `ack-timeout` our 2xx was never ACKed (Timer H); `media-timeout` no RTP for too long; `session-expired` a session
 * timer ran out (RFC 4028); `server-error` another 5xx; `failed` another final status; `engine-stopped` the engine
 * stopped (or crashed) during the call; `internal` a bug.
 */
export type CallEndReason = (typeof CALL_END_REASONS)[number];

export interface CallEndDto {
  readonly by: CallEndedBy;
  readonly reason: CallEndReason;
  /** The SIP status that ended it (486, 603, 487…), when one did; null for a BYE or a local failure. */
  readonly status: number | null;
  /** The technical line ("486 Busy Here from 10.0.0.1:5060", "no RTP for 30 s"), never a sentence for a person. */
  readonly detail: string | null;
}

export interface CallDto {
  /** The engine's id for the call (not the SIP Call-ID). */
  readonly id: string;
  /** The account it runs on; null for a direct call to an address (`sip:bob@192.0.2.7:5060`). */
  readonly accountId: string | null;
  readonly direction: CallDirection;
  /** The far end: the URI we called, or the caller's From URI. */
  readonly peerUri: string;
  /** The far end's display name, when its From/To carried one. */
  readonly peerName: string | null;
  readonly state: CallStateName;
  /** Whether our microphone is muted on this call. */
  readonly muted: boolean;
  /** Wall times in milliseconds since the epoch: dialled or first rang here; answered; ended. */
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  /** Set in state `ended`, null before. */
  readonly end: CallEndDto | null;
}

/** A call's media quality, sent every CALL_QUALITY_INTERVAL_MS while it has media. */
export interface CallQualityDto {
  readonly callId: string;
  readonly codec: CallCodec;
  /** Bits per second over the last interval, each way, as the media worker counts them. */
  readonly sendBitrate: number;
  readonly receiveBitrate: number;
  /** Interarrival jitter of what we receive (RFC 3550 A.8), ms. */
  readonly jitterMs: number;
  /** Packets lost on the way to us over the last interval, percent (0–100). */
  readonly lossPercent: number;
  /** From the far end's RTCP reports (RFC 3550 §6.4.1 LSR/DLSR); null until one arrives. */
  readonly roundTripMs: number | null;
  /** Audio held in our jitter buffer, ms. */
  readonly jitterBufferDelayMs: number;
  /** The delay the jitter buffer aims for from the jitter it measured, ms. */
  readonly jitterBufferTargetMs: number;
  /** Since the call's media started: packets that arrived after their turn to play had passed. */
  readonly lateFrames: number;
  /** Since the call's media started: frames the decoder made up because their packet was missing. */
  readonly concealedFrames: number;
  /** Since the call's media started: missing frames rebuilt from the next packet's forward error correction. */
  readonly recoveredFrames: number;
  /**
   * Listening quality estimated by the narrowband E-model (ITU-T G.107, 1–4.41 here) from the loss the listener
   * hears (concealed frames, FEC-rebuilt ones not counted) and the delay; null before any media arrived.
   */
  readonly mos: number | null;
}

/** What `calls.dial` places. */
export interface DialRequest {
  /** The SIP URI to call: `sip:bob@example.com`, or straight to an address, `sip:bob@192.0.2.7:5060`. */
  readonly target: string;
  /** The account to call from; null calls directly, without an account's proxy or credentials. */
  readonly accountId: string | null;
}

/** Blind: the far end is asked to call `target` (RFC 3515). Attended: it is joined to our other call (RFC 3891). */
export type TransferRequest =
  | { readonly kind: 'blind'; readonly target: string }
  | { readonly kind: 'attended'; readonly callId: string };

export type RejectStatus = (typeof REJECT_STATUSES)[number];

/** A call as the history keeps it once it has ended. */
export interface CallHistoryEntryDto {
  /** The call's id, as `CallDto.id` had it. */
  readonly id: string;
  /** Null for a direct call, and once the account is deleted. */
  readonly accountId: string | null;
  readonly direction: CallDirection;
  readonly peerUri: string;
  readonly peerName: string | null;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number;
  /** Talk time: from the answer to the end, 0 for a call never answered. */
  readonly durationMs: number;
  readonly end: CallEndDto;
  /** The codec the call talked with; null when it never had media. */
  readonly codec: CallCodec | null;
  /** Averages over the call's quality reports; null when it had none. */
  readonly quality: CallQualitySummaryDto | null;
}

export interface CallQualitySummaryDto {
  /** Mean of the reported MOS estimates; null when no report had one. */
  readonly mos: number | null;
  /** Share of the far end's packets that never arrived over the whole call, percent. */
  readonly lossPercent: number;
  /** Mean interarrival jitter, ms. */
  readonly jitterMs: number;
}

/** Where a history page starts: after the entry with this start time and id (the last of the previous page). */
export interface HistoryCursor {
  readonly startedAt: number;
  readonly id: string;
}

export interface HistoryPageRequest {
  /** 1 to HISTORY_PAGE_MAX. */
  readonly limit: number;
  /** Null for the newest entries. */
  readonly before: HistoryCursor | null;
}

/** Newest first. `next` is the cursor of the following (older) page, null on the last page. */
export interface HistoryPage {
  readonly entries: CallHistoryEntryDto[];
  readonly next: HistoryCursor | null;
}

/** Command name → arguments tuple and result value. */
export interface Commands {
  'app.info': { args: []; result: AppInfoDto };
  'accounts.list': { args: []; result: AccountDto[] };
  'accounts.create': { args: [input: AccountInput]; result: AccountDto };
  'accounts.update': { args: [id: string, input: AccountInput]; result: AccountDto };
  'accounts.delete': { args: [id: string]; result: null };
  'accounts.setEnabled': { args: [id: string, enabled: boolean]; result: AccountDto };
  /** Turns do-not-disturb on or off at once, without registering again (the next INVITE reads it). */
  'accounts.setDoNotDisturb': { args: [id: string, on: boolean]; result: AccountDto };
  'accounts.reorder': { args: [ids: string[]]; result: AccountDto[] };
  'accounts.registerNow': { args: [id: string]; result: null };
  'registration.list': { args: []; result: RegistrationStatusDto[] };
  'settings.get': { args: []; result: SettingsDto };
  'settings.update': { args: [patch: Partial<SettingsDto>]; result: SettingsDto };
  'calls.dial': { args: [request: DialRequest]; result: CallDto };
  'calls.answer': { args: [callId: string]; result: CallDto };
  'calls.reject': { args: [callId: string, status: RejectStatus]; result: null };
  /** Ends the call whatever its state: CANCEL before the answer, BYE after, 603 for one ringing here. */
  'calls.hangup': { args: [callId: string]; result: null };
  'calls.hold': { args: [callId: string]; result: CallDto };
  'calls.resume': { args: [callId: string]; result: CallDto };
  'calls.mute': { args: [callId: string, muted: boolean]; result: CallDto };
  /** Digits 0-9 * # A-D, sent in order (RFC 4733, or SIP INFO when the far end has no telephone-event). */
  'calls.sendDtmf': { args: [callId: string, digits: string]; result: null };
  /** Starts the transfer; how it goes arrives as `call.changed` (transferring, then ended or back to on-hold). */
  'calls.transfer': { args: [callId: string, transfer: TransferRequest]; result: null };
  'calls.list': { args: []; result: CallDto[] };
  'history.list': { args: [page: HistoryPageRequest]; result: HistoryPage };
  'history.delete': { args: [id: string]; result: null };
  'history.clear': { args: []; result: null };
  /**
   * The window listens for `dialpad.open` now and takes the links held for it (call it once per page load, after
   * subscribing, and after each `dialpad.open`): answers the sip:/tel: links not yet taken, oldest first, each only
   * once.
   */
  'dialpad.ready': { args: []; result: string[] };
}

/** Event name → payload pushed from main to the interface. */
export interface Events {
  'registration.changed': RegistrationStatusDto;
  'accounts.changed': AccountDto[];
  'settings.changed': SettingsDto;
  /** A sip:/tel: URI opened from the OS (protocol handler), for the dialpad. */
  'dialpad.open': { uri: string };
  /** A call appeared or changed; state `ended` is its last event, and it is in the history from then on. */
  'call.changed': CallDto;
  'call.quality': CallQualityDto;
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
