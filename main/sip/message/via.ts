// RFC 3261 §20.42 Via, §18.2.1 received, RFC 3581 §4 rport, §8.1.1.7 branch magic cookie.
import { type ParseError, type Result, err, ok, parseError, preview } from './result';
import { type Params, formatParams, parseParams, trimEnd, trimStart } from './scan';
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

/**
 * Parses the Via value in text[from, to) (offsets, so a message's Via is read in place in its head); `bytes`, when
 * given, are text's bytes index for index (HeaderSection#bytes), for the parameter scan.
 */
export function parseVia(
  text: string,
  from = 0,
  to = text.length,
  bytes?: Uint8Array,
): Result<Via, ParseError> {
  const start = trimStart(text, from, to);
  const end = trimEnd(text, start, to);
  // Fast path for the spelling everyone sends; the regular expression handles LWS around the slashes.
  let transport: string;
  let restStart: number;
  const space = text.indexOf(' ', start + 8);
  if (
    text.startsWith('SIP/2.0/', start) &&
    space > start + 8 &&
    space < end &&
    isTransportToken(text, start + 8, space)
  ) {
    transport = transportName(text, start + 8, space);
    restStart = space + 1;
    while (text.charCodeAt(restStart) === 0x20 || text.charCodeAt(restStart) === 0x09) restStart++;
  } else {
    const protocol = SENT_PROTOCOL_RE.exec(text.slice(start, end));
    if (!protocol) return err(viaError('sent-protocol', text, start, end));
    transport = protocol[1]!.toUpperCase();
    restStart = start + protocol[0].length;
  }
  let semicolon = text.indexOf(';', restStart);
  if (semicolon >= end) semicolon = -1;
  const sentByEnd = semicolon >= 0 ? semicolon : end;
  // A sent-by without LWS (what everyone sends) is read in place; one with LWS is normalised first. In-place
  // success implies there was no LWS, so both ways accept exactly the same values.
  const hostPort =
    parseHostPort(text, restStart, sentByEnd, bytes) ??
    parseHostPort(sentByText(text.slice(restStart, sentByEnd)));
  if (!hostPort) return err(viaError('sent-by', text, start, end));
  const params = semicolon >= 0 ? parseParams(text, semicolon, end, bytes) : new Map<string, string | null>();
  if (!params) return err(viaError('parameters', text, start, end));
  const branch = params.get('branch');
  const received = params.get('received');
  const rportText = params.get('rport');
  let rport: number | true | undefined;
  if (rportText === null) rport = true;
  else if (rportText !== undefined) {
    const port = portNumber(rportText);
    if (port === undefined) return err(viaError('rport', text, start, end));
    rport = port;
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

function viaError(part: string, text: string, start: number, end: number): ParseError {
  return parseError(`invalid Via ${part} in ${preview(text.slice(start, end))}`);
}

/** The upper-case transport of text[from, to): the usual ones as constants, without a slice or case change. */
function transportName(text: string, from: number, to: number): string {
  if (to - from === 3) {
    if (text.startsWith('UDP', from)) return 'UDP';
    if (text.startsWith('TCP', from)) return 'TCP';
    if (text.startsWith('TLS', from)) return 'TLS';
  }
  return text.slice(from, to).toUpperCase();
}

/** 1 to 5 digits, at most 65535. */
function portNumber(text: string): number | undefined {
  if (text.length < 1 || text.length > 5) return undefined;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535 ? port : undefined;
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
