// RFC 3261 §20.42 Via, §18.2.1 received, RFC 3581 §4 rport, §8.1.1.7 branch magic cookie.
import { type ParseError, type Result, err, ok, parseError, preview } from './result';
import { type Params, formatParams, parseParams } from './scan';
import { parseHostPort } from './uri';

export interface Via {
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS, WSS or anything else a peer sent. */
  readonly transport: string;
  /** sent-by host; IPv6 in brackets. */
  readonly host: string;
  readonly port?: number | undefined;
  readonly branch?: string | undefined;
  readonly received?: string | undefined;
  /** `true` when rport is present without a value (a request asking for it), a number once filled in. */
  readonly rport?: number | true | undefined;
  readonly params: Params;
}

export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const SENT_PROTOCOL_RE = /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t\r\n]+/i;

export function parseVia(text: string): Result<Via, ParseError> {
  const value = text.trim();
  // Fast path for the spelling everyone sends; the regular expression handles LWS around the slashes.
  let transport: string;
  let restStart: number;
  const space = value.indexOf(' ', 8);
  if (value.startsWith('SIP/2.0/') && space > 8 && isTransportToken(value, 8, space)) {
    transport = value.slice(8, space).toUpperCase();
    restStart = space + 1;
    while (value.charCodeAt(restStart) === 0x20 || value.charCodeAt(restStart) === 0x09) restStart++;
  } else {
    const protocol = SENT_PROTOCOL_RE.exec(value);
    if (!protocol) return err(parseError(`invalid Via sent-protocol in ${preview(value)}`));
    transport = protocol[1]!.toUpperCase();
    restStart = protocol[0].length;
  }
  const semicolon = value.indexOf(';', restStart);
  const sentBy = semicolon >= 0 ? value.slice(restStart, semicolon) : value.slice(restStart);
  const hostPort = parseHostPort(sentByText(sentBy));
  if (!hostPort) return err(parseError(`invalid Via sent-by in ${preview(value)}`));
  const params = parseParams(semicolon >= 0 ? value.slice(semicolon) : '');
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
  // One object literal with every field (absent ones undefined): spreads here cost more than the whole parse.
  const via: Via = {
    transport,
    host: hostPort.host,
    port: hostPort.port,
    branch: typeof branch === 'string' ? branch : undefined,
    received: typeof received === 'string' ? received : undefined,
    rport,
    params,
  };
  return ok(via);
}

function isTransportToken(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum && c !== 0x2d && c !== 0x2e) return false;
  }
  return true;
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
