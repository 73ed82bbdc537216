// RFC 3261 §20.42 Via, §18.2.1 received, RFC 3581 §4 rport, §8.1.1.7 branch magic cookie.
import { type ParseError, type Result, err, ok, parseError, preview } from './result';
import { type Params, formatParams, parseParams } from './scan';
import { parseHostPort } from './uri';

export interface Via {
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS, WSS or anything else a peer sent. */
  readonly transport: string;
  /** sent-by host; IPv6 in brackets. */
  readonly host: string;
  readonly port?: number;
  readonly branch?: string;
  readonly received?: string;
  /** `true` when rport is present without a value (a request asking for it), a number once filled in. */
  readonly rport?: number | true;
  readonly params: Params;
}

export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const SENT_PROTOCOL_RE = /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t\r\n]+/i;

export function parseVia(text: string): Result<Via, ParseError> {
  const value = text.trim();
  const protocol = SENT_PROTOCOL_RE.exec(value);
  if (!protocol) return err(parseError(`invalid Via sent-protocol in ${preview(value)}`));
  const rest = value.slice(protocol[0].length);
  const semicolon = rest.indexOf(';');
  const hostPort = parseHostPort(sentByText(semicolon >= 0 ? rest.slice(0, semicolon) : rest));
  if (!hostPort) return err(parseError(`invalid Via sent-by in ${preview(value)}`));
  const params = parseParams(semicolon >= 0 ? rest.slice(semicolon) : '');
  if (!params) return err(parseError(`invalid Via parameters in ${preview(value)}`));
  const branch = params.get('branch');
  const received = params.get('received');
  const rportText = params.get('rport');
  let rport: number | true | undefined;
  if (rportText === null) rport = true;
  else if (rportText !== undefined) {
    if (!/^\d{1,5}$/.test(rportText) || Number(rportText) > 65535)
      return err(parseError(`invalid Via rport in ${preview(value)}`));
    rport = Number(rportText);
  }
  return ok({
    transport: protocol[1]!.toUpperCase(),
    host: hostPort.host,
    ...(hostPort.port !== undefined ? { port: hostPort.port } : {}),
    ...(typeof branch === 'string' ? { branch } : {}),
    ...(typeof received === 'string' ? { received } : {}),
    ...(rport !== undefined ? { rport } : {}),
    params,
  });
}

/**
 * sent-by = host [ COLON port ], where COLON = SWS ":" SWS: whitespace may surround the colon and end the value,
 * nothing else. Whitespace anywhere else would join two words into one host, so it is left in for
 * parseHostPort to refuse.
 */
function sentByText(text: string): string {
  const trimmed = text.trim();
  const close = trimmed.lastIndexOf(']');
  const colon = trimmed.indexOf(':', close + 1);
  if (colon < 0) return trimmed;
  return `${trimmed.slice(0, colon).trimEnd()}:${trimmed.slice(colon + 1).trimStart()}`;
}

export function formatVia(via: Via): string {
  const port = via.port !== undefined ? `:${via.port}` : '';
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
