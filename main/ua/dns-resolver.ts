// The system resolver behind NameResolver, for real use outside tests (tests always give IP addresses).
import { promises as dns } from 'node:dns';
import type { NameResolver } from './next-hop';

export class SystemNameResolver implements NameResolver {
  async resolveSrv(
    name: string,
  ): Promise<Array<{ name: string; port: number; priority: number; weight: number }>> {
    return dns.resolveSrv(name);
  }

  async lookup(host: string): Promise<string> {
    const result = await dns.lookup(host);
    return result.address;
  }
}
