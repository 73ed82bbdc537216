// Who may talk to the web host. Any page in the user's browser can send requests to 127.0.0.1, so three checks
// stand between it and the engine: the Host header (a DNS-rebound name would carry its own host name), the Origin
// of the WebSocket handshake (browsers set it and pages cannot forge it), and the per-start token that only the
// person who read the printed URL has.
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostOrigin } from './security-headers';

export const SOCKET_PATH = '/ws';

export interface UpgradeRequest {
  /** The request target, e.g. `/ws?token=...`. */
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly origin: string | undefined;
}

export type GuardDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403 | 404 | 421; readonly reason: string };

export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}`;
}

/** Compares in time that does not depend on where the strings differ, nor on their lengths (both are hashed). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function checkUpgrade(
  request: UpgradeRequest,
  expected: { readonly port: number; readonly token: string },
): GuardDecision {
  if (!hostAllowed(request.host, expected.port))
    return { ok: false, status: 421, reason: 'unexpected Host header' };
  const target = request.url ?? '';
  if (!target.startsWith('/')) return { ok: false, status: 404, reason: 'not the socket path' };
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path !== SOCKET_PATH) return { ok: false, status: 404, reason: 'not the socket path' };
  if (request.origin !== hostOrigin(expected.port))
    return { ok: false, status: 403, reason: 'unexpected Origin' };
  const tokens = new URLSearchParams(query === -1 ? '' : target.slice(query + 1)).getAll('token');
  const [token] = tokens;
  if (tokens.length !== 1 || token === undefined || !tokensEqual(token, expected.token))
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  return { ok: true };
}
