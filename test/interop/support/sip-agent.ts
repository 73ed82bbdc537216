// What the interop tests that drive a bare UserAgent (no engine) share: a parsed sip: URI, a poll for a value, and
// an agent on a free loopback UDP port with the real platform (sockets, clock, random; no name resolution).
import { SystemClock } from '../../../main/platform/clock';
import { NodeSocketFactory } from '../../../main/platform/node-sockets';
import { CryptoRandom } from '../../../main/platform/random';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { UserAgent, type UserAgentOptions } from '../../../main/ua/user-agent';

export { sipUri } from '../../support/subscriber-harness';

/** The first value `probe` gives (polled every 20 ms), or an error naming `what` after `timeoutMs`. */
export function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      const value = probe();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/** A UserAgent on 127.0.0.1, a free UDP port, with the real platform. */
export function startLoopbackAgent(extra: Pick<UserAgentOptions, 'userAgent'> = {}): Promise<UserAgent> {
  return UserAgent.start({
    sockets: new NodeSocketFactory(),
    clock: new SystemClock(),
    random: new CryptoRandom(),
    resolver: new NoNameResolver(),
    bindAddress: '127.0.0.1',
    port: 0,
    protocols: ['udp'],
    ...extra,
  });
}
