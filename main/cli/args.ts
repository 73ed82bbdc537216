// Shared argument parsing for the CLI's commands: SIP URIs and host:port pairs checked up front, so a typo is a
// clear message instead of a failure deep in the stack.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { type SipUri, isSipUri, parseUri } from '../sip/message/uri';
import { type CommandSpec, commonOptions } from './command-specs';
import { closestName } from './suggest';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedOptions {
  string(name: string): string | undefined;
  flag(name: string): boolean;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments against its spec. An unknown option, a missing value or a stray operand is a
 * UsageError that names the closest known option when there is one.
 */
export function parseCommandOptions(spec: CommandSpec, args: readonly string[]): ParsedOptions {
  const specs = [...spec.options, ...commonOptions];
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const option of specs)
    options[option.name] = { type: option.type, ...(option.short ? { short: option.short } : {}) };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: spec.allowPositionals });
  } catch (error) {
    throw usageErrorFrom(
      error,
      spec,
      specs.map((option) => option.name),
    );
  }
  const { values, positionals } = parsed;
  return {
    string: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => values[name] === true,
    positionals,
  };
}

function usageErrorFrom(error: unknown, spec: CommandSpec, known: readonly string[]): UsageError {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const seeHelp = `see "softphone ${spec.name} --help"`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    const suggestion = closestName(option.replace(/^-+/, '').split('=')[0]!, known);
    return new UsageError(
      `unknown option ${option}${suggestion ? `; did you mean --${suggestion}?` : ''} (${seeHelp})`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(message)?.[1] ?? 'an option';
    return new UsageError(
      `${option} needs a value (one that starts with a dash is written ${option}=VALUE; ${seeHelp})`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const operand = /'([^']*)'/.exec(message)?.[1] ?? '';
    return new UsageError(`unexpected argument "${operand}" (${seeHelp})`);
  }
  return new UsageError(`${message} (${seeHelp})`);
}

export function sipUriArg(name: string, value: string | undefined): SipUri {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return sipUri(value, `--${name}`);
}

/** A URI given as an operand, named by what the command does with it: `the URI to ${purpose} must be …`. */
export function sipUriOperand(purpose: string, value: string): SipUri {
  return sipUri(value, `the URI to ${purpose}`);
}

function sipUri(value: string, what: string): SipUri {
  const parsed = parseUri(value);
  if (!parsed.ok || !isSipUri(parsed.value))
    throw new UsageError(`${what} must be a sip: or sips: URI, got ${value}`);
  return parsed.value;
}

export function bindArg(value: string): { address: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value) ?? /^\[?([^\]]+?)\]?$/.exec(value);
  const address = match?.[1];
  const port = match?.[2] !== undefined ? Number(match[2]) : 0;
  if (!address || !isIP(address) || port > 65535)
    throw new UsageError(
      `--bind takes an IP address and optional port (127.0.0.1:5060, [::1]:0), got ${value}`,
    );
  return { address, port };
}

export function intArg(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return Number(value);
}

export function choiceArg<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${value}`);
  return value as T;
}
