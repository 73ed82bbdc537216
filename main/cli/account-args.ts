// The account flags shared by `register`, `call` and `answer` (command-specs.ts `accountOptions`), read into one
// checked value. `register` always has an account; the call commands have one only when --aor is given, and refuse
// account flags without it rather than ignore them.
import type { SipUri } from '../sip/message/uri';
import { type ParsedOptions, UsageError, choiceArg, intArg, sipUriArg } from './args';
import { accountOptions } from './command-specs';

export interface AccountArgs {
  readonly aor: SipUri;
  /** Undefined only for an account that does not register and was given no password. */
  readonly password: string | undefined;
  readonly authUser: string | undefined;
  readonly displayName: string | undefined;
  readonly proxy: SipUri | undefined;
  readonly registrar: SipUri | undefined;
  readonly transport: 'udp' | 'tcp';
  readonly expires: number;
  /** 0: none. */
  readonly keepAliveSeconds: number;
  readonly keepAliveKind: 'crlf' | 'options';
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  readonly instance: string | undefined;
  /** False with --no-register: the account places and takes calls without a REGISTER. */
  readonly register: boolean;
}

/** Reads the account flags of a command that needs an account (`register`): --aor and a password are required. */
export function requiredAccountArgs(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
): AccountArgs {
  return readAccount(options, env, true);
}

/**
 * Reads the account flags of a call command: null without --aor (then every other account flag, and
 * --no-register, is a mistake). With --aor a password is required unless the account does not register.
 */
export function optionalAccountArgs(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
): AccountArgs | null {
  if (options.string('aor') !== undefined) return readAccount(options, env, !options.flag('no-register'));
  const stray = [...accountOptions.map((option) => option.name), 'no-register'].find(
    (name) => options.string(name) !== undefined || options.flag(name),
  );
  if (stray !== undefined)
    throw new UsageError(`--${stray} needs --aor: without an account the call goes straight to the address`);
  return null;
}

function readAccount(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
  passwordRequired: boolean,
): AccountArgs {
  const aor = sipUriArg('aor', options.string('aor'));
  const password = options.string('password') ?? env['SOFTPHONE_PASSWORD'];
  if (password === undefined && passwordRequired)
    throw new UsageError('--password (or SOFTPHONE_PASSWORD) is required');
  // Checked in the order the help lists them, so the first mistake is the one reported.
  const proxy = options.string('proxy');
  const registrar = options.string('registrar');
  const checked = {
    proxy: proxy !== undefined ? sipUriArg('proxy', proxy) : undefined,
    registrar: registrar !== undefined ? sipUriArg('registrar', registrar) : undefined,
    transport: choiceArg('transport', options.string('transport'), ['udp', 'tcp'] as const, 'udp'),
    expires: intArg('expires', options.string('expires'), 600, 1, 0xffff_ffff),
    keepAliveSeconds: intArg('keepalive', options.string('keepalive'), 0, 0, 86_400),
    keepAliveKind: choiceArg(
      'keepalive-kind',
      options.string('keepalive-kind'),
      ['crlf', 'options'] as const,
      'crlf',
    ),
  };
  const retryBaseSeconds = intArg('retry-base', options.string('retry-base'), 5, 1, 3_600);
  return {
    aor,
    password,
    authUser: options.string('auth-user') || undefined,
    displayName: options.string('display-name') || undefined,
    ...checked,
    retryBaseSeconds,
    retryMaxSeconds: intArg('retry-max', options.string('retry-max'), 300, retryBaseSeconds, 86_400),
    instance: options.string('instance'),
    register: !options.flag('no-register'),
  };
}
