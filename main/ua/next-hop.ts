// RFC 3263 §4 (simplified): where to send a request for a SIP URI. An IP literal is used as it is; a name is looked
// up as SRV (_sip._udp / _sip._tcp) then A/AAAA through an injected resolver. With an outbound proxy the request
// goes to the proxy, and the target's domain is never resolved — tests and trunk setups rely on that.
import { isIP } from 'node:net';
import type { SipUri } from '../sip/message/uri';
import { bareHost } from '../sip/message/uri';
import type { Destination, TransportProtocol } from '../sip/transport/types';

export interface NameResolver {
  resolveSrv(name: string): Promise<Array<{ name: string; port: number; priority: number; weight: number }>>;
  lookup(host: string): Promise<string>;
}

export class NoNameResolver implements NameResolver {
  resolveSrv(name: string): Promise<never> {
    return Promise.reject(new Error(`name resolution is disabled (asked for ${name})`));
  }

  lookup(host: string): Promise<never> {
    return Promise.reject(new Error(`name resolution is disabled (asked for ${host}); give an IP address`));
  }
}

/** The transport a URI asks for: its transport parameter, else the account's choice (sips implies TLS, unsupported). */
export function transportFor(uri: SipUri, fallback: TransportProtocol): TransportProtocol {
  const param = uri.params.get('transport')?.toLowerCase();
  if (param === 'tcp') return 'tcp';
  if (param === 'udp') return 'udp';
  return fallback;
}

export async function resolveNextHop(
  target: SipUri,
  outboundProxy: SipUri | undefined,
  fallbackTransport: TransportProtocol,
  resolver: NameResolver,
): Promise<Destination> {
  const hop = outboundProxy ?? target;
  const protocol = transportFor(hop, fallbackTransport);
  const host = bareHost(hop.host);
  if (isIP(host)) return { protocol, address: host, port: hop.port ?? 5060 };
  if (hop.port === undefined) {
    try {
      const records = await resolver.resolveSrv(`_sip._${protocol}.${host}`);
      const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
      if (best) return { protocol, address: await resolver.lookup(best.name), port: best.port };
    } catch {
      // No SRV records: RFC 3263 §4.2 falls back to the A/AAAA records of the host itself.
    }
  }
  return { protocol, address: await resolver.lookup(host), port: hop.port ?? 5060 };
}
