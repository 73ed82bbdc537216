// One user agent per local address: an account's SIP traffic leaves from the address the OS routes towards its
// first hop, so a VPN account and a LAN account on the same machine each get a Via and Contact that reach them.
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Random } from '../platform/random';
import type { SocketFactory } from '../platform/sockets';
import type { NameResolver } from '../ua/next-hop';
import { UserAgent } from '../ua/user-agent';

export interface UserAgentPoolOptions {
  readonly sockets: SocketFactory;
  readonly clock: Clock;
  readonly random: Random;
  readonly resolver: NameResolver;
  readonly logger: Logger;
  readonly userAgent: string;
  /** Preferred local SIP port (0 = any). Taken by the first user agent; others get any free port. */
  readonly port: number;
}

export class UserAgentPool {
  readonly #agents = new Map<string, Promise<UserAgent>>();

  constructor(private readonly options: UserAgentPoolOptions) {}

  get(localAddress: string): Promise<UserAgent> {
    let agent = this.#agents.get(localAddress);
    if (!agent) {
      const port = this.#agents.size === 0 ? this.options.port : 0;
      agent = UserAgent.start({
        sockets: this.options.sockets,
        clock: this.options.clock,
        random: this.options.random,
        logger: this.options.logger,
        resolver: this.options.resolver,
        userAgent: this.options.userAgent,
        bindAddress: localAddress,
        port,
      }).catch((error: unknown) => {
        this.#agents.delete(localAddress);
        throw error;
      });
      this.#agents.set(localAddress, agent);
    }
    return agent;
  }

  async shutdown(timeoutMs: number): Promise<void> {
    const agents = await Promise.allSettled([...this.#agents.values()]);
    this.#agents.clear();
    await Promise.all(
      agents.map((settled) =>
        settled.status === 'fulfilled' ? settled.value.shutdown(timeoutMs) : Promise.resolve(),
      ),
    );
  }
}
