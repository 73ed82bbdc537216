// Builds the real user agent for a CLI command: system clock, crypto randomness, node sockets, and the bind address
// the person gave (or the one the OS routes through towards the first hop).
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { SystemClock } from '../platform/clock';
import { NodeSocketFactory } from '../platform/node-sockets';
import { CryptoRandom } from '../platform/random';
import { localAddressFor } from '../platform/route-probe';
import type { SipUri } from '../sip/message/uri';
import { bareHost } from '../sip/message/uri';
import type { TransportProtocol } from '../sip/transport/types';
import { SystemNameResolver } from '../ua/dns-resolver';
import { UserAgent } from '../ua/user-agent';
import { type ParsedOptions, bindArg } from './args';
import type { Output } from './output';

export const USER_AGENT = 'softphone/0.1';

export interface UserAgentArgs {
  readonly bind: { address: string; port: number } | undefined;
  /** A host we will talk to, used to pick the local address when --bind is not given. */
  readonly firstHop: SipUri | undefined;
  readonly protocols?: readonly TransportProtocol[];
  readonly trace: boolean;
}

/** Builds and starts the user agent a command runs on; injected so tests run commands on an in-memory network. */
export type StartUserAgent = (args: UserAgentArgs, output: Output) => Promise<UserAgent>;

export const startSystemUserAgent: StartUserAgent = async (args, output) => {
  let bind = args.bind;
  if (!bind) {
    const hop = args.firstHop ? bareHost(args.firstHop.host) : '127.0.0.1';
    const address = /^[\d.]+$|:/.test(hop)
      ? await localAddressFor(hop, args.firstHop?.port ?? 5060)
      : '0.0.0.0';
    bind = { address: address === '0.0.0.0' ? '127.0.0.1' : address, port: 0 };
  }
  const ua = await UserAgent.start({
    sockets: new NodeSocketFactory(),
    clock: new SystemClock(),
    random: new CryptoRandom(),
    logger: output.logger,
    bindAddress: bind.address,
    port: bind.port,
    userAgent: USER_AGENT,
    resolver: new SystemNameResolver(),
    ...(args.protocols ? { protocols: args.protocols } : {}),
  });
  if (args.trace) ua.onTrace((event) => output.trace(event));
  return ua;
};

/**
 * Starts the agent a one-account command runs on, with its `--bind` (default: towards `firstHop`) and `--trace`
 * flags, and prints "listening" with the address and port it got.
 */
export async function startCommandAgent(
  options: ParsedOptions,
  firstHop: SipUri | undefined,
  output: Output,
  start: StartUserAgent,
): Promise<UserAgent> {
  const bindText = options.string('bind');
  const bind = bindText !== undefined ? bindArg(bindText) : undefined;
  const ua = await start({ bind, firstHop, trace: options.flag('trace') }, output);
  output.event({ event: 'listening', address: ua.transport.localAddress, port: ua.transport.localPort });
  return ua;
}

/**
 * A stable +sip.instance for this AoR on this machine (RFC 5626 §4.1 wants it to survive restarts): a name-based
 * UUID (version 5 layout) over the host name and the AoR.
 */
export function stableInstanceId(aor: string): string {
  const hash = createHash('sha1').update(`softphone:${hostname()}:${aor}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
