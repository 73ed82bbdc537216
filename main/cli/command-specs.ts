// What the `softphone` command accepts, as data: one table drives the argument parser, the help texts and the
// "did you mean" suggestions, so they cannot disagree.
import { CALL_CODECS, DEFAULT_CODECS, REJECT_STATUSES } from '../contract/limits';

export interface OptionSpec {
  /** Long name without the dashes. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in help for a string option (`--aor URI`). */
  readonly value?: string;
  readonly description: string;
  readonly short?: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Positional arguments as shown in the usage line, e.g. `[FILE|-]`. */
  readonly operands?: string;
  readonly allowPositionals: boolean;
  /** Paragraphs after the option list. */
  readonly details: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
}

/** Accepted by every command. */
export const commonOptions: readonly OptionSpec[] = [
  { name: 'verbose', type: 'boolean', description: 'also log debug lines on stderr' },
  { name: 'help', type: 'boolean', short: 'h', description: 'show this help and exit' },
];

const trace: OptionSpec = {
  name: 'trace',
  type: 'boolean',
  description: 'print every SIP message sent and received on stderr',
};

/** `--bind` for the commands that open their socket towards the first hop unless told otherwise. */
const bindTowardsHop: OptionSpec = {
  name: 'bind',
  type: 'string',
  value: 'IP:PORT',
  description: 'local address (default: towards the first hop, any port)',
};

const noRegister: OptionSpec = {
  name: 'no-register',
  type: 'boolean',
  description: 'do not REGISTER the account (a proxy that knows us by address)',
};

const audioOptions: readonly OptionSpec[] = [
  {
    name: 'play',
    type: 'string',
    value: 'FILE.wav',
    description: 'what the far end hears: a WAV file, any rate, mono or stereo (default: silence)',
  },
  {
    name: 'record',
    type: 'string',
    value: 'FILE.wav',
    description: 'write what the far end sends to this WAV file (48 kHz mono)',
  },
];

const codecsOption: OptionSpec = {
  name: 'codecs',
  type: 'string',
  value: 'LIST',
  description: `codecs to offer, best first, from ${CALL_CODECS.join(',')} (default ${DEFAULT_CODECS.join(',')})`,
};

const controlDetails: readonly string[] = [
  'Lines on stdin control the current call: {"cmd":"hold"}, {"cmd":"resume"}, {"cmd":"mute"}, {"cmd":"unmute"},',
  '{"cmd":"dtmf","digits":"12#"}, {"cmd":"transfer","target":"sip:carol@example.com"} (blind), {"cmd":"hangup"},',
  'and "quit". A line it cannot use is answered with a "control-error" event naming what was wrong.',
  'Attended transfer: {"cmd":"call","target":"sip:carol@example.com"} holds the current call and calls carol (a',
  'second call; --play and --record stay with the first); {"cmd":"swap"} holds the current call and resumes the',
  'other; {"cmd":"transfer","replaces":true} then sends the other party to carol with Replaces (RFC 3891): both',
  'calls end "transferred", unless carol ends hers on taking the new call ("replaces" may also name the',
  'consultation by its "callId"). A "current" event says which call stdin acts on whenever that changes, and',
  'every event carries its "callId". To send the far end to a call another phone holds, give that dialog:',
  '{"cmd":"transfer","target":"sip:carol@example.com","replaces":"CALL-ID;to-tag=…;from-tag=…"}, the tags as',
  'carol sees them.',
];

/**
 * The account an invocation registers (`register`) or calls from (`call`, `answer`), but its address: `register`
 * requires `--aor`, the call commands run without an account when it is left out.
 */
export const accountOptions: readonly OptionSpec[] = [
  {
    name: 'password',
    type: 'string',
    value: 'PW',
    description: 'digest password (or SOFTPHONE_PASSWORD)',
  },
  {
    name: 'auth-user',
    type: 'string',
    value: 'USER',
    description: 'digest user name when it differs from the AoR',
  },
  { name: 'display-name', type: 'string', value: 'NAME', description: 'display name in From and To' },
  {
    name: 'proxy',
    type: 'string',
    value: 'URI',
    description: 'outbound proxy; the AoR domain is then never looked up',
  },
  {
    name: 'registrar',
    type: 'string',
    value: 'URI',
    description: 'registrar, when it is not the AoR domain',
  },
  {
    name: 'transport',
    type: 'string',
    value: 'udp|tcp',
    description: 'transport to the first hop (default udp)',
  },
  {
    name: 'expires',
    type: 'string',
    value: 'SECONDS',
    description: 'registration interval asked for (default 600)',
  },
  {
    name: 'keepalive',
    type: 'string',
    value: 'SECONDS',
    description: 'keep-alive interval, 0 for none (default 0)',
  },
  {
    name: 'keepalive-kind',
    type: 'string',
    value: 'crlf|options',
    description: 'keep-alive kind (default crlf)',
  },
  {
    name: 'retry-base',
    type: 'string',
    value: 'SECONDS',
    description: 'first retry delay after a failure (default 5)',
  },
  {
    name: 'retry-max',
    type: 'string',
    value: 'SECONDS',
    description: 'longest retry delay (default 300)',
  },
  {
    name: 'instance',
    type: 'string',
    value: 'URN',
    description: '+sip.instance (default: stable per host and AoR)',
  },
];

/** The account flags that matter to one MESSAGE: who sends, with what password, through which proxy and transport. */
export const messageAccountOptions: readonly OptionSpec[] = accountOptions.filter((option) =>
  ['password', 'auth-user', 'display-name', 'proxy', 'transport'].includes(option.name),
);

export const commandSpecs: readonly CommandSpec[] = [
  {
    name: 'register',
    summary: 'register an account and stay registered until Ctrl-C, SIGTERM or "quit" on stdin',
    allowPositionals: false,
    options: [
      {
        name: 'aor',
        type: 'string',
        value: 'URI',
        description: 'address of record, e.g. sip:alice@example.com (required)',
      },
      ...accountOptions,
      bindTowardsHop,
      trace,
    ],
    details: [
      'Prints one JSON object per line on stdout: "listening", then a "registration" event for every state change.',
      'On Ctrl-C, SIGTERM or "quit" it unregisters and exits 0. A registration the server refuses for good (wrong',
      'password, unknown user, forbidden) exits 1 after an event saying why; timeouts and server errors are retried',
      'with capped exponential backoff ("retryInMs" says when).',
    ],
    examples: [
      'softphone register --aor sip:alice@example.com --proxy sip:192.0.2.10:5060 --password secret',
      'SOFTPHONE_PASSWORD=secret softphone register --aor sip:alice@example.com --transport tcp --trace',
    ],
  },
  {
    name: 'call',
    summary: 'call a SIP URI, play and record audio files, hang up after a while or on "quit"',
    operands: 'URI',
    allowPositionals: true,
    options: [
      {
        name: 'aor',
        type: 'string',
        value: 'URI',
        description: 'call from this account (default: no account, straight to URI)',
      },
      ...accountOptions,
      noRegister,
      bindTowardsHop,
      ...audioOptions,
      {
        name: 'duration',
        type: 'string',
        value: 'SECONDS',
        description:
          'hang up this long after the answer (default: stay until "quit" or the far end hangs up)',
      },
      {
        name: 'dtmf',
        type: 'string',
        value: 'DIGITS',
        description: 'send these digits (0-9 * # A-D) once the call is answered',
      },
      codecsOption,
      trace,
    ],
    details: [
      'Prints one JSON object per line on stdout: "listening", the registration events when --aor registers, then a',
      '"call" event for every state of the call (dialing, ringing, early-media, connected, on-hold, …, ended with who',
      'ended it, the SIP status and a reason code) and a "quality" event every 2 s. Playing and recording start',
      'together when the call connects, so the two files share a time origin. Without --aor the call goes straight',
      'to URI (sip:bob@192.0.2.7:5060); with --no-register the account calls through its proxy without registering.',
      ...controlDetails,
      'Exits 0 when the call was answered and ended normally, 1 otherwise (after an event saying why), 2 on a usage',
      'error.',
    ],
    examples: [
      'softphone call sip:bob@192.0.2.7:5060 --play hello.wav --record heard.wav --duration 10',
      'softphone call sip:bob@example.com --aor sip:alice@example.com --password secret --codecs pcmu,pcma --dtmf 1234#',
    ],
  },
  {
    name: 'answer',
    summary: 'wait for calls and answer them, with audio files as microphone and recorder',
    allowPositionals: false,
    options: [
      {
        name: 'aor',
        type: 'string',
        value: 'URI',
        description: 'take calls for this account (default: no account, on --bind without registering)',
      },
      ...accountOptions,
      noRegister,
      {
        name: 'bind',
        type: 'string',
        value: 'IP:PORT',
        description: 'local address (default without --aor 127.0.0.1:5060; with it, towards the first hop)',
      },
      {
        name: 'answer-after',
        type: 'string',
        value: 'SECONDS|never',
        description: 'ring this long before answering; never only rings (default 0: at once)',
      },
      {
        name: 'reject',
        type: 'string',
        value: 'CODE',
        description: `refuse every call with this status (${REJECT_STATUSES.join(', ')})`,
      },
      ...audioOptions,
      codecsOption,
      trace,
    ],
    details: [
      'Prints "listening" (and the registration events when --aor registers), then the "call" and "quality" events',
      'of each call, until Ctrl-C, SIGTERM or "quit". Without --aor it answers on --bind like "listen", without',
      'registering.',
      ...controlDetails,
    ],
    examples: [
      'softphone answer --bind 127.0.0.1:5090 --play tone.wav --record heard.wav',
      'softphone answer --aor sip:bob@example.com --password secret --answer-after 3',
      'softphone answer --bind 127.0.0.1:5090 --reject 486',
    ],
  },
  {
    name: 'watch',
    summary: 'watch buddies\' presence and print each change until Ctrl-C, SIGTERM or "quit" on stdin',
    operands: 'URI...',
    allowPositionals: true,
    options: [
      {
        name: 'aor',
        type: 'string',
        value: 'URI',
        description: 'the account that watches, e.g. sip:alice@example.com (required)',
      },
      ...accountOptions,
      noRegister,
      bindTowardsHop,
      trace,
    ],
    details: [
      'Subscribes to the presence of each URI (RFC 3856) and prints one JSON object per line on stdout: "listening",',
      'the registration events, a "subscription" event per state change and a "presence" event per change of status',
      '(available, away, busy, do-not-disturb, offline or unknown, with the note and activities). On Ctrl-C, SIGTERM or',
      '"quit" it ends every subscription, unregisters and exits 0.',
    ],
    examples: [
      'softphone watch sip:bob@example.com sip:carol@example.com --aor sip:alice@example.com --password secret',
    ],
  },
  {
    name: 'publish',
    summary: 'publish our presence and keep it up until Ctrl-C, SIGTERM or "quit" on stdin',
    allowPositionals: false,
    options: [
      {
        name: 'aor',
        type: 'string',
        value: 'URI',
        description: 'the account whose presence this is, e.g. sip:alice@example.com (required)',
      },
      {
        name: 'status',
        type: 'string',
        value: 'STATUS',
        description: 'available, away, busy, dnd or offline (appear offline) (default available)',
      },
      { name: 'note', type: 'string', value: 'TEXT', description: 'a note shown with the status' },
      ...accountOptions,
      noRegister,
      bindTowardsHop,
      trace,
    ],
    details: [
      'Publishes the status (PUBLISH, RFC 3903) and refreshes it before it expires, printing a "publication" event per',
      'state change. On Ctrl-C, SIGTERM or "quit" it removes the publication, unregisters and exits 0. A server that',
      'takes no PUBLISH ("unsupported") or refuses it for good exits 1.',
    ],
    examples: [
      'softphone publish --status away --note "back at 3" --aor sip:alice@example.com --password secret',
    ],
  },
  {
    name: 'message',
    summary: 'send one instant message (SIP MESSAGE) and say whether it was taken',
    operands: 'URI TEXT',
    allowPositionals: true,
    options: [
      {
        name: 'aor',
        type: 'string',
        value: 'URI',
        description: 'send from this account (default: no account, straight to URI)',
      },
      ...messageAccountOptions,
      bindTowardsHop,
      trace,
    ],
    details: [
      'Sends TEXT as text/plain in UTF-8 (RFC 3428) and prints one JSON object per line on stdout: "listening", then',
      '"message-sent" with the status of the 2xx (200: the far end took it; 202: a server keeps it for later) and',
      'exits 0, or "message-failed" with a reason (not-found, unavailable, rejected, too-large, auth-failed, timeout,',
      "unreachable, server-error, failed), the status and the server's line, and exits 1. With --aor the message",
      "goes through the account's proxy and a 401/407 is answered with its password; the account does not register.",
      'A message over 1,300 bytes goes over TCP (RFC 3428 §8); the text may be at most 32,768 bytes of UTF-8.',
      'While "register", "answer", "call" and "watch" run, incoming messages print as "message" events (answered',
      '200 once printed) and typing indications (RFC 3994) as "composing" events.',
    ],
    examples: [
      'softphone message sip:bob@192.0.2.7:5060 "Hello Bob 👋"',
      'softphone message sip:bob@example.com "שלום" --aor sip:alice@example.com --proxy sip:192.0.2.10 --password secret',
    ],
  },
  {
    name: 'listen',
    summary: 'answer as a user agent without registering; print each incoming request',
    allowPositionals: false,
    options: [
      {
        name: 'bind',
        type: 'string',
        value: 'IP:PORT',
        description: 'local address (default 127.0.0.1:5060)',
      },
      trace,
    ],
    details: ['Prints "listening", then one "request" event per incoming request, until Ctrl-C or "quit".'],
    examples: ['softphone listen --bind 127.0.0.1:5086'],
  },
  {
    name: 'parse',
    summary: 'parse one SIP message and print it as JSON',
    operands: '[FILE|-]',
    allowPositionals: true,
    options: [],
    details: [
      'Reads FILE, or stdin when FILE is "-" or absent, checks it strictly and prints it as one JSON object.',
      'A malformed message exits 1 with {"error", "status"} on stderr.',
    ],
    examples: ['softphone parse message.sip', 'printf "OPTIONS sip:x SIP/2.0\\r\\n..." | softphone parse -'],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commandSpecs.find((spec) => spec.name === name);
}
