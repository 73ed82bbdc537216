// What the `softphone` command accepts, as data: one table drives the argument parser, the help texts and the
// "did you mean" suggestions, so they cannot disagree.

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
        name: 'bind',
        type: 'string',
        value: 'IP:PORT',
        description: 'local address (default: towards the first hop, any port)',
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
