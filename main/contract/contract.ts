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
  AVAILABILITIES,
  CALL_CODECS,
  CALL_END_REASONS,
  KEEP_ALIVE_KINDS,
  MESSAGE_FAILURE_REASONS,
  OWN_STATUSES,
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
  /**
   * A presence resource list (RFC 4662) the server keeps for this account: one subscription to it replaces one per
   * buddy it names; null: none.
   */
  readonly presenceListUri: string | null;
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
  /** A SIP URI, or null for none; left out keeps what is stored (none for a new account). */
  readonly presenceListUri?: string | null;
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
  /** Minutes without keyboard or mouse before an `available` status is published as `away`; 0 turns it off. */
  readonly idleAwayMinutes: number;
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

// ---- Presence (RFC 3856/3863/4480), contacts and instant messages (RFC 3428/3994) ----

/** The status a person chooses for themselves; `offline` appears offline to watchers while still registered. */
export type OwnStatus = (typeof OWN_STATUSES)[number];

/**
 * A buddy's status as the window shows it, merged from every tuple and device their presence document carried:
 * `on-the-phone` when an RPID activity says so (it wins over available), `unknown` before the first NOTIFY or when
 * the server will not tell us (pending authorization, refused).
 */
export type Availability = (typeof AVAILABILITIES)[number];

/**
 * Where one watched address's subscription is: `pending` the server or the buddy has not authorised us yet;
 * `active`; `retrying` it ended and a new SUBSCRIBE is planned; `refused` it ended for good (rejected, no such
 * resource, no presence on the server); `stopped` the account is off or the contact no longer watched.
 */
export type BuddySubscriptionState = 'pending' | 'active' | 'retrying' | 'refused' | 'stopped';

export interface BuddyPresenceDto {
  readonly contactId: string;
  /** The watched address (the contact's first SIP address). */
  readonly uri: string;
  /** The account the subscription runs on; '' when the contact names none and no account is enabled. */
  readonly accountId: string;
  readonly availability: Availability;
  /** RPID activity names the document carried (`meeting`, `vacation`, `on-the-phone`…), for detail. */
  readonly activities: string[];
  /** The buddy's note, as text; null when none. */
  readonly note: string | null;
  readonly subscription: BuddySubscriptionState;
  /** When the status last changed (ms since the epoch); null before the first NOTIFY. */
  readonly changedAt: number | null;
}

/**
 * How our own status reaches watchers: `publishing` a PUBLISH is under way; `published` the server holds it;
 * `failed` the last PUBLISH failed (retried when it can be); `peer-to-peer` the server has no PUBLISH (489/501), so
 * we answer watchers' SUBSCRIBEs ourselves; `off` the account is disabled or does not register.
 */
export type PublicationStateName = 'publishing' | 'published' | 'failed' | 'peer-to-peer' | 'off';

export interface OwnPresenceDto {
  readonly accountId: string;
  /** What the person chose. */
  readonly status: OwnStatus;
  readonly note: string | null;
  /**
   * What is published now: the chosen status, or `away` while idle (settings.idleAwayMinutes) and `on-the-phone`
   * during a call, when the chosen status is `available`.
   */
  readonly published: OwnStatus | 'on-the-phone';
  readonly automatic: 'idle' | 'call' | null;
  readonly publication: PublicationStateName;
  /** The technical line of the last failure ("489 Bad Event from 127.0.0.1:5060"); null otherwise. */
  readonly detail: string | null;
}

export interface SetOwnStatusRequest {
  /** One account, or null for every account. */
  readonly accountId: string | null;
  readonly status: OwnStatus;
  /** Null clears the note. */
  readonly note: string | null;
}

/** Someone who watches our presence (RFC 3857/3858 watcher information). */
export interface WatcherDto {
  readonly accountId: string;
  readonly uri: string;
  readonly displayName: string | null;
  /** As the server lists it: `pending` waits for our authorisation, `active` sees us. */
  readonly status: 'pending' | 'active' | 'waiting' | 'terminated';
  /** When we first saw this watcher (ms since the epoch). */
  readonly firstSeenAt: number;
  /** First seen after the window last called `presence.watchersSeen`. */
  readonly isNew: boolean;
}

export interface ContactSipAddress {
  /** A SIP URI, `sip:bob@example.com`. */
  readonly uri: string;
  /** `work`, `home`, … or null. */
  readonly label: string | null;
}

export interface ContactPhoneNumber {
  /** As the person wrote it (`+44 20 7946 0000`); dialled through an account as `sip:<digits>@<domain>`. */
  readonly number: string;
  readonly label: string | null;
}

export interface ContactDto {
  readonly id: string;
  readonly name: string;
  /** At least one SIP address or phone number; the first SIP address is the one watched and called first. */
  readonly sipAddresses: ContactSipAddress[];
  readonly phoneNumbers: ContactPhoneNumber[];
  readonly note: string;
  readonly favorite: boolean;
  /** Whether to subscribe to this contact's presence (buddy list). */
  readonly watchPresence: boolean;
  /** The account used to watch and call them; null for the first enabled account. */
  readonly accountId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ContactInput {
  readonly name: string;
  readonly sipAddresses: ContactSipAddress[];
  readonly phoneNumbers: ContactPhoneNumber[];
  readonly note: string;
  readonly favorite: boolean;
  readonly watchPresence: boolean;
  readonly accountId: string | null;
}

/** What changed in the contacts since the last event: upserted ones whole, deleted ones by id. */
export interface ContactsChangeDto {
  readonly upserted: ContactDto[];
  readonly deleted: string[];
}

export type VcardVersion = '3.0' | '4.0';

export interface VcardImportResult {
  readonly imported: number;
  /** Cards that were not imported, by their position in the file (0-based), with the reason as a technical line. */
  readonly skipped: { readonly index: number; readonly reason: string }[];
}

export type MessageDirection = 'outgoing' | 'incoming';

/**
 * An outgoing message is `sending`, then `delivered` (a 2xx: the server or the peer took it; RFC 3428 §7 says no
 * more) or `failed`; an incoming one is `received`.
 */
export type MessageDelivery = 'sending' | 'delivered' | 'failed' | 'received';

/**
 * Why sending failed, as a code the window words: `not-found` 404/604; `unavailable` 480 (offline and the server keeps
 * nothing); `rejected` 403/603/488/415; `too-large` 413 or over the size we can carry; `auth-failed` credentials
 * refused; `timeout` no answer (Timer F); `unreachable` a transport failure or 503; `server-error` other 5xx; `failed`
 * any other final status; `no-account` the account is gone or disabled.
 */
export type MessageFailureReason = (typeof MESSAGE_FAILURE_REASONS)[number];

export interface MessageFailureDto {
  readonly reason: MessageFailureReason;
  readonly status: number | null;
  /** The technical line ("480 Temporarily Unavailable from 127.0.0.1:5060"). */
  readonly detail: string | null;
}

export interface MessageDto {
  readonly id: string;
  readonly conversationId: string;
  readonly direction: MessageDirection;
  /** The text as received or typed (text/plain, UTF-8); shown as text, never as markup. */
  readonly body: string;
  /**
   * When it was written: for an incoming message the Date header when it carried a sane one (offline messages keep
   * their original time), else when it arrived; for an outgoing one when it was sent.
   */
  readonly sentAt: number;
  /** When it reached this engine (incoming) or was acknowledged (outgoing); null while sending or failed. */
  readonly deliveredAt: number | null;
  readonly delivery: MessageDelivery;
  readonly failure: MessageFailureDto | null;
}

/** One conversation per account and peer address. */
export interface ConversationDto {
  readonly id: string;
  /** Null for messages sent without an account (straight to an address). */
  readonly accountId: string | null;
  readonly peerUri: string;
  /** The display name the peer's messages last carried; the window prefers a contact's name. */
  readonly peerName: string | null;
  readonly lastMessage: MessageDto | null;
  readonly unread: number;
  /** Time of the latest message, for ordering (newest first). */
  readonly updatedAt: number;
}

export interface SendMessageRequest {
  readonly accountId: string | null;
  /** A SIP URI. */
  readonly to: string;
  /** 1 to MESSAGE_BODY_MAX characters. */
  readonly body: string;
}

/** Where a page of a thread starts: before the message with this time and id (the oldest of the previous page). */
export interface MessageCursor {
  readonly sentAt: number;
  readonly id: string;
}

export interface MessagePageRequest {
  readonly conversationId: string;
  /** 1 to MESSAGE_PAGE_MAX. */
  readonly limit: number;
  /** Null for the newest messages. */
  readonly before: MessageCursor | null;
}

/** Newest first; `next` is the cursor of the older page, null at the start of the conversation. */
export interface MessagePage {
  readonly messages: MessageDto[];
  readonly next: MessageCursor | null;
}

export interface MessageSearchRequest {
  /** Words to find (full-text, prefix match on the last word); 1 to MESSAGE_SEARCH_MAX characters. */
  readonly text: string;
  /** 1 to MESSAGE_PAGE_MAX. */
  readonly limit: number;
}

export interface MessageSearchHitDto {
  readonly message: MessageDto;
  readonly conversation: ConversationDto;
}

/** RFC 3994: the peer is typing (`active`) or stopped (`idle`, sent by them or after the refresh ran out). */
export interface ComposingDto {
  readonly conversationId: string;
  readonly accountId: string | null;
  readonly peerUri: string;
  readonly state: 'active' | 'idle';
}

export interface ComposingRequest {
  readonly accountId: string | null;
  readonly to: string;
  readonly state: 'active' | 'idle';
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
  /** Every watched contact's presence, one entry per contact that watches presence. */
  'presence.buddies': { args: []; result: BuddyPresenceDto[] };
  /** Our own status per account that publishes. */
  'presence.own': { args: []; result: OwnPresenceDto[] };
  /** Sets and publishes our status (one account or all); answers every account's own presence after it. */
  'presence.setStatus': { args: [request: SetOwnStatusRequest]; result: OwnPresenceDto[] };
  /** Who watches us, every account. */
  'presence.watchers': { args: []; result: WatcherDto[] };
  /** The window has shown the watchers: none is `isNew` any more. */
  'presence.watchersSeen': { args: []; result: null };
  /** Every contact, by name. */
  'contacts.list': { args: []; result: ContactDto[] };
  'contacts.create': { args: [input: ContactInput]; result: ContactDto };
  'contacts.update': { args: [id: string, input: ContactInput]; result: ContactDto };
  'contacts.delete': { args: [id: string]; result: null };
  /** Imports every card of a vCard 3.0 or 4.0 file (its text, at most VCARD_TEXT_MAX characters). */
  'contacts.importVcard': { args: [text: string]; result: VcardImportResult };
  /** The chosen contacts (null: all) as one vCard file's text. */
  'contacts.exportVcard': { args: [ids: string[] | null, version: VcardVersion]; result: string };
  /** Every conversation, newest first. */
  'messages.conversations': { args: []; result: ConversationDto[] };
  'messages.list': { args: [page: MessagePageRequest]; result: MessagePage };
  /** Stores the message and starts sending it; how it goes arrives as `message.changed`. */
  'messages.send': { args: [request: SendMessageRequest]; result: MessageDto };
  /** Sends a failed outgoing message again. */
  'messages.retry': { args: [messageId: string]; result: MessageDto };
  /** The conversation has been read: its unread count becomes 0. */
  'messages.markRead': { args: [conversationId: string]; result: null };
  /** Tells the peer we are typing or stopped (RFC 3994); the engine refreshes `active` itself while it lasts. */
  'messages.setComposing': { args: [request: ComposingRequest]; result: null };
  /** Full-text search over every stored message, best matches first. */
  'messages.search': { args: [request: MessageSearchRequest]; result: MessageSearchHitDto[] };
  'messages.deleteConversation': { args: [conversationId: string]; result: null };
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
  /** A watched contact's presence or subscription changed. */
  'buddy.changed': BuddyPresenceDto;
  /** A contact is no longer watched (deleted, or presence turned off for it). */
  'buddy.removed': { contactId: string };
  /** Our own presence on one account changed. */
  'presence.changed': OwnPresenceDto;
  /** The watcher list changed (every account's, whole). */
  'watchers.changed': WatcherDto[];
  'contacts.changed': ContactsChangeDto;
  /** A message was stored, or an outgoing one's delivery changed. */
  'message.changed': MessageDto;
  /** A conversation's last message, name or unread count changed. */
  'conversation.changed': ConversationDto;
  'conversation.removed': { id: string };
  /** The peer started or stopped typing (RFC 3994). */
  'message.composing': ComposingDto;
  /**
   * The desktop shell asks the window to show a conversation (a clicked new-message notification); null shows the
   * chat. Raised by the shell, never by the engine.
   */
  'chat.open': { conversationId: string | null };
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
