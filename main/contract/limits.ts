// Values both sides of the contract must agree on: the bounds the engine's schemas enforce and the window's forms
// check before sending, the enums they choose from, and the defaults a new account starts with. Plain constants with
// no imports, so the window may import them as values (it imports everything else of the contract as types only).

/** C0 controls (CR, LF, NUL, TAB, …) and DEL: none belongs in a name, a label, a user or a URI. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** What text that may span lines (a note, a message) may not hold: the C0 controls but TAB, LF and CR, and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const TEXT_CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** How an account reaches its server. */
export const TRANSPORTS = ['udp', 'tcp'] as const;

/** What a keep-alive sends on the flow towards the server: a CRLF ping (RFC 5626 §4.4.1) or an OPTIONS request. */
export const KEEP_ALIVE_KINDS = ['crlf', 'options'] as const;

export const THEMES = ['system', 'light', 'dark'] as const;

/** Registration lifetime the account asks for, in seconds (RFC 3261 §10.2.1.1 Expires). */
export const EXPIRES_MIN = 30;
export const EXPIRES_MAX = 86_400;
/**
 * Ten minutes: short enough that a registrar which restarted and lost its bindings is noticed within minutes, long
 * enough that a refresh is a rare event for the server.
 */
export const DEFAULT_EXPIRES = 600;

/** Seconds between keep-alives on the flow to the server; 0 means off, otherwise SHORTEST to MAX. */
export const KEEP_ALIVE_MIN = 0;
/** Shorter than this, keep-alives are traffic for nothing: NAT bindings last tens of seconds at the least. */
export const KEEP_ALIVE_SHORTEST = 10;
export const KEEP_ALIVE_MAX = 3_600;
export const DEFAULT_KEEP_ALIVE_SECONDS = 0;
export const DEFAULT_KEEP_ALIVE_KIND: (typeof KEEP_ALIVE_KINDS)[number] = 'crlf';

/** Longest values accepted in an account's text fields, in characters. */
export const DISPLAY_NAME_MAX = 100;
export const AUTH_USER_MAX = 128;
export const PASSWORD_MAX = 256;
export const SIP_URI_MAX = 512;

/** Longest account id accepted in a command; ids are UUIDs (36 characters). */
export const ACCOUNT_ID_MAX = 64;
/** Most ids one `accounts.reorder` may carry. */
export const REORDER_MAX = 100;

/** The web host's access token: this many random bytes, base64url (43 characters), new on every start. */
export const WEB_TOKEN_BYTES = 32;
/** What the web host accepts as a token (a fixed one in tests) and the window may check before using one. */
export const WEB_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,512}$/;

/**
 * An audio device id as the browser hands it out (Chromium: 64 hex digits, or `default` / `communications`;
 * Firefox: base64): printable ASCII without spaces, bounded. '' means the system's default device.
 */
export const AUDIO_DEVICE_ID_MAX = 256;
export const AUDIO_DEVICE_ID_PATTERN = /^[\x21-\x7e]*$/;

/** The local SIP port setting: 0 lets the system choose. */
export const SIP_PORT_MIN = 0;
export const SIP_PORT_MAX = 65_535;

/** The voice codecs an account may offer, in the names the engine uses (RFC 7587 Opus, RFC 3551 PCMU and PCMA). */
export const CALL_CODECS = ['opus', 'pcmu', 'pcma'] as const;
/** What a new account offers, best first: Opus for quality and loss resilience, then the G.711 pair. */
export const DEFAULT_CODECS: readonly (typeof CALL_CODECS)[number][] = ['opus', 'pcmu', 'pcma'];

/** Whether a new account registers: true; false is the "SIP trunk" style account that a proxy knows by address. */
export const DEFAULT_REGISTER = true;
/** Whether a new account sends 183 with early media for incoming calls (RFC 3960); off, as most phones do. */
export const DEFAULT_EARLY_MEDIA = false;
export const DEFAULT_DO_NOT_DISTURB = false;

/** Every reason a call can end for (`CallEndReason`, worded in contract.ts); the store reads unknown ones as `failed`. */
export const CALL_END_REASONS = [
  'hangup',
  'cancelled',
  'missed',
  'answered-elsewhere',
  'rejected',
  'do-not-disturb',
  'busy',
  'declined',
  'not-found',
  'unavailable',
  'no-answer',
  'unreachable',
  'incompatible',
  'auth-failed',
  'forbidden',
  'redirect-failed',
  'transferred',
  'replaced',
  'ack-timeout',
  'media-timeout',
  'session-expired',
  'server-error',
  'failed',
  'engine-stopped',
  'internal',
] as const;

/** Longest call or history id accepted in a command; the engine's ids are UUIDs (36 characters). */
export const CALL_ID_MAX = 64;

/** The digits a call may send as DTMF (RFC 4733 §3.2 events 0–15), upper case. */
export const DTMF_DIGITS_PATTERN = /^[0-9*#A-D]+$/;
/** Most digits one `calls.sendDtmf` (or `softphone call --dtmf`) may carry: a long PIN plus an extension. */
export const DTMF_DIGITS_MAX = 64;

/**
 * The final statuses a person (or `softphone answer --reject`) may refuse an incoming call with. Statuses that need
 * headers the refusal cannot supply (401/407 need a challenge, 405 an Allow, 415 an Accept, 420 an Unsupported) and
 * 487, which answers a CANCEL, are left out.
 */
export const REJECT_STATUSES = [403, 404, 480, 486, 488, 500, 503, 600, 603, 606] as const;
/** Busy Here (RFC 3261 §21.4.24): what "reject" means when nothing else is said. */
export const DEFAULT_REJECT_STATUS: (typeof REJECT_STATUSES)[number] = 486;

/** Call history: the most entries one `history.list` page may hold, and the page size when the window has no other. */
export const HISTORY_PAGE_MAX = 200;
export const DEFAULT_HISTORY_PAGE = 50;

/** How often a call's quality is reported (`call.quality`), in milliseconds. */
export const CALL_QUALITY_INTERVAL_MS = 2_000;

/** The statuses a person may choose for themselves (`offline` appears offline while still registered). */
export const OWN_STATUSES = ['available', 'away', 'busy', 'dnd', 'offline'] as const;

/** A buddy's merged status, as the window shows it (worded in contract.ts `Availability`). */
export const AVAILABILITIES = [
  'available',
  'on-the-phone',
  'busy',
  'do-not-disturb',
  'away',
  'offline',
  'unknown',
] as const;

/** Longest presence note we publish, in characters. */
export const PRESENCE_NOTE_MAX = 255;

/** Minutes of no input before `available` is published as `away`: 0 (off) to this; the default is 10. */
export const IDLE_AWAY_MINUTES_MAX = 240;
export const DEFAULT_IDLE_AWAY_MINUTES = 10;

/** Contacts: longest name, note, label and phone number in characters, and most addresses and numbers per contact. */
export const CONTACT_NAME_MAX = 200;
export const CONTACT_NOTE_MAX = 4_000;
export const CONTACT_LABEL_MAX = 40;
export const PHONE_NUMBER_MAX = 64;
/** A phone number as a contact holds it: digits, * and #, a leading +, and the separators ( ) . - / and space. */
export const PHONE_NUMBER_PATTERN = /^[+]?[0-9 ().\-/*#]*[0-9*#][0-9 ().\-/*#]*$/;
export const CONTACT_ADDRESSES_MAX = 20;
/** Most contacts the store keeps; an import beyond it is cut short and says so. */
export const CONTACTS_MAX = 50_000;
/** Longest vCard file `contacts.importVcard` takes, in characters (about 10,000 ordinary cards). */
export const VCARD_TEXT_MAX = 4_000_000;

/** Every reason sending a message can fail for (`MessageFailureReason`, worded in contract.ts). */
export const MESSAGE_FAILURE_REASONS = [
  'not-found',
  'unavailable',
  'rejected',
  'too-large',
  'auth-failed',
  'timeout',
  'unreachable',
  'server-error',
  'failed',
  'no-account',
] as const;

/** Longest message text a person may send, in characters; its UTF-8 must also fit MESSAGE_BODY_MAX_BYTES. */
export const MESSAGE_BODY_MAX = 10_000;
/** Longest MESSAGE body we send or accept, in bytes (over 1,300 on UDP goes over TCP, RFC 3428 §8). */
export const MESSAGE_BODY_MAX_BYTES = 32_768;
/** A thread page and a search answer: most messages, and the page size when the window has no other. */
export const MESSAGE_PAGE_MAX = 200;
export const DEFAULT_MESSAGE_PAGE = 50;
/** Longest search text, in characters. */
export const MESSAGE_SEARCH_MAX = 200;
