// Shared argument parsing for the CLI's commands: SIP URIs and host:port pairs checked up front, so a typo is a
// clear message instead of a failure deep in the stack.
import { isIP } from 'node:net';
import { type SipUri, isSipUri, parseUri } from '../sip/message/uri';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function sipUriArg(name: string, value: string | undefined): SipUri {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  const parsed = parseUri(value);
  if (!parsed.ok || !isSipUri(parsed.value))
    throw new UsageError(`--${name} must be a sip: or sips: URI, got ${value}`);
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
