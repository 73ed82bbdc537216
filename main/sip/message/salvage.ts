// RFC 3261 §8.2 and §21.4.1, RFC 4475 §3.1.2: a request that fails to parse is still answered (400, or 505 for an
// unsupported version) when a response can be built and routed: the top Via routes it (§18.2.2, RFC 3581 §4), and
// From, To, Call-ID and CSeq are copied into it (§8.2.6.2). This reads just those lines from what parseMessage
// refused (a bad start line, a Content-Length past the datagram's end, an unparseable or oversized header line)
// and makes a request of them; whatever cannot be read is left out, and the caller drops what it cannot answer.
// Only called for a message that failed, so it favours plain code over speed, but stays within MESSAGE_LIMITS.
import { findHeadEnd } from './parse';
import { headerKey, isToken } from './header-names';
import type { HeaderField } from './header-lines';
import { MESSAGE_LIMITS } from './limits';
import { SipRequest, makeField } from './message';
import { parseNameAddr } from './name-addr';
import { type Params, parseParams, splitTopLevel } from './scan';
import { type OpaqueUri, type Uri, parseHostPort, parseUri } from './uri';
import { formatVia, parseVia } from './via';

/** The Request-URI of a salvaged request whose start line and To URI are both unreadable. */
export const UNREADABLE_URI: OpaqueUri = { scheme: 'x-unreadable', raw: 'x-unreadable:' };

/** The headers a response copies from its request (RFC 3261 §8.2.6.2), Timestamp aside. */
const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);
// The parts of a Via value (RFC 3261 §20.42) read leniently: any version in sent-protocol, as in RFC 4475's badvers.
const LENIENT_VIA_RE =
  /^SIP[ \t]*\/[ \t]*[0-9.]+[ \t]*\/[ \t]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t]+([^;]*)(;.*)?$/i;

/**
 * The request in `data` as far as a response to it needs: method, Request-URI, and its Via, From, To, Call-ID and
 * CSeq lines. Undefined for a response, when no method can be read, or when none of those lines is there. A Via
 * that parseVia refuses is rewritten from what can be read of it (sent-protocol, sent-by, and the parameters that
 * parse one by one), so a response can reach the sender; Via lines are dropped altogether if one holds a NUL or a
 * bare CR. NUL bytes are removed from the other copied values: they are never echoed back.
 */
export function salvageRequest(data: Uint8Array | string): SipRequest | undefined {
  const buf =
    typeof data === 'string'
      ? Buffer.from(data, 'utf8')
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const end = Math.min(findHeadEnd(buf, start)?.headEnd ?? buf.length, start + MESSAGE_LIMITS.maxHeaderBytes);
  const head = buf.toString('utf8', start, end);
  const lines = unfoldedLines(head);
  const startLine = lines.shift();
  if (startLine === undefined || /^sip\//i.test(startLine)) return undefined;

  const fields: HeaderField[] = [];
  const vias: HeaderField[] = [];
  let viaUnusable = false;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (!isToken(name)) continue;
    const key = headerKey(name);
    if (!COPIED.has(key)) continue;
    const tooLong = line.length > MESSAGE_LIMITS.maxHeaderLineLength;
    const raw = tooLong ? '' : line.slice(colon + 1).trim();
    if (key === 'via') {
      // A Via line left out would make the next one the top Via and route the answer elsewhere: none, then.
      if (tooLong || breaksLine(raw)) viaUnusable = true;
      else vias.push({ name, key, value: raw });
      continue;
    }
    // One line each of the single-value headers: the first.
    if (tooLong || fields.some((field) => field.key === key)) continue;
    const value = raw.replace(/\0/g, '');
    if (value.length === 0 || breaksLine(value)) continue;
    fields.push({ name, key, value });
  }
  // Not a SIP request at all, or nothing of one that an answer could use.
  if (fields.length === 0 && vias.length === 0) return undefined;
  const topVia = viaUnusable ? undefined : routableTopVia(vias);
  const cseqMethod = fields.find((field) => field.key === 'cseq')?.value.match(/^\d+[ \t]+(\S+)$/)?.[1];
  const words = startLine.split(/[ \t]+/);
  // The start line's method, else CSeq's; an ACK by either never gets an answer (RFC 3261 §17.2.1), so it wins.
  let method = isToken(words[0] ?? '') ? words[0] : undefined;
  if (cseqMethod !== undefined && isToken(cseqMethod) && (method === undefined || cseqMethod === 'ACK'))
    method = cseqMethod;
  if (method === undefined) return undefined;

  const headers: HeaderField[] = [];
  if (topVia !== undefined) headers.push(...topVia);
  for (const field of fields) headers.push(makeField(field.name, field.key, field.value));
  return new SipRequest(method, requestUri(words[1], fields), headers);
}

/** A bare CR (a line break for some parsers) or a NUL: what makeField refuses, and what we never echo. */
function breaksLine(value: string): boolean {
  return value.includes('\r') || value.includes('\0');
}

/**
 * The lines of a head, each without its line break, continuation lines joined to theirs (RFC 3261 §7.3.1); at
 * most MESSAGE_LIMITS.maxHeaderLines header lines after the start line.
 */
function unfoldedLines(head: string): string[] {
  const lines: string[] = [];
  // Line by line rather than one split: a head of thousands of lines is read no further than the limit.
  for (let pos = 0; pos < head.length;) {
    let lineEnd = head.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = head.length;
    const end = lineEnd > pos && head.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
    if (end === pos) break;
    const first = head.charCodeAt(pos);
    if ((first === 0x20 || first === 0x09) && lines.length > 1) {
      const last = lines.length - 1;
      if (lines[last]!.length <= MESSAGE_LIMITS.maxHeaderLineLength)
        lines[last] += ` ${head.slice(pos, end).trim()}`;
    } else if (lines.length > MESSAGE_LIMITS.maxHeaderLines) break;
    else lines.push(head.slice(pos, end));
    pos = lineEnd + 1;
  }
  return lines;
}

/**
 * The Via lines with the top value made readable for routing, or undefined when there is none or its sent-by
 * cannot be read.
 */
function routableTopVia(vias: readonly HeaderField[]): HeaderField[] | undefined {
  const first = vias[0];
  if (first === undefined) return undefined;
  const values = splitTopLevel(first.value) ?? first.value.split(',');
  const index = values.findIndex((value) => value.length > 0);
  if (index < 0) return undefined;
  const top = values[index]!;
  let rewritten: string | undefined;
  if (!parseVia(top).ok) {
    const match = LENIENT_VIA_RE.exec(top);
    const hostPort = match ? parseHostPort(match[2]!.trim()) : undefined;
    if (!match || !hostPort) return undefined;
    const params = readableParams(match[3] ?? '');
    rewritten = formatVia({
      transport: match[1]!.toUpperCase(),
      host: hostPort.host,
      port: hostPort.port,
      params,
    });
    if (!parseVia(rewritten).ok)
      rewritten = formatVia({
        transport: match[1]!.toUpperCase(),
        host: hostPort.host,
        port: hostPort.port,
        params: new Map(),
      });
  }
  const out: HeaderField[] = [];
  vias.forEach((via, line) => {
    let value = via.value;
    if (line === 0 && rewritten !== undefined) {
      const rest = values.slice(index + 1).filter((part) => part.length > 0);
      value = [rewritten, ...rest].join(', ');
    }
    out.push(makeField(via.name, via.key, value));
  });
  return out;
}

/**
 * The parameters of `;a;b=1;;c` that parse one by one (an empty one, as in RFC 4475 badinv01, is skipped), so a
 * readable `rport` survives its broken neighbours. A quoted value holding ';' is lost: this is the lenient path.
 */
function readableParams(text: string): Params {
  const params: Params = new Map();
  for (const piece of text.split(';')) {
    const one = piece.trim().length > 0 ? parseParams(`;${piece}`) : undefined;
    if (one) for (const [name, value] of one) params.set(name, value);
  }
  return params;
}

/** The start line's Request-URI when it parses, else the To URI's, else UNREADABLE_URI. */
function requestUri(word: string | undefined, fields: readonly HeaderField[]): Uri {
  const fromLine = word === undefined ? undefined : parseUri(word);
  if (fromLine?.ok) return fromLine.value;
  const to = fields.find((field) => field.key === 'to');
  const toUri = to === undefined ? undefined : parseNameAddr(to.value);
  return toUri?.ok ? toUri.value.uri : UNREADABLE_URI;
}
