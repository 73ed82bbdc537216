// What a MESSAGE body says, read without ever throwing (RFC 3428 §9: the body is a MIME body of any type the
// recipient accepts). We take text/plain in any charset the runtime knows (UTF-8 when none is named, RFC 3428 §9
// and RFC 3261 §7.4.1), message/cpim (RFC 3862) when what it wraps is simple text, and is-composing documents
// (RFC 3994) for the composing tracker; anything else is answered 415 with what we accept (RFC 3261 §21.4.13).
// Bytes that are not valid in their charset become U+FFFD: a message with one bad byte is still a message.
import { parseContentType, type MediaType } from '../sip/message/typed-headers';

export const TEXT_PLAIN = 'text/plain';
export const MESSAGE_CPIM = 'message/cpim';
export const IS_COMPOSING = 'application/im-iscomposing+xml';
/** What we accept in a MESSAGE, for the Accept header of a 415 (RFC 3261 §20.1). */
export const ACCEPTED_MESSAGE_TYPES: readonly string[] = [TEXT_PLAIN, MESSAGE_CPIM, IS_COMPOSING];

export type ReadBody =
  | { readonly kind: 'text'; readonly text: string; readonly dateTime?: number }
  | { readonly kind: 'composing'; readonly bytes: Uint8Array }
  | { readonly kind: 'unsupported'; readonly detail: string };

/** Reads a MESSAGE body by its Content-Type (the header's raw value; undefined when absent). */
export function readMessageBody(contentType: string | undefined, body: Uint8Array): ReadBody {
  // RFC 3261 §7.4.1: a body without a Content-Type cannot be interpreted; an empty one is empty text.
  if (contentType === undefined)
    return body.length === 0 ? { kind: 'text', text: '' } : unsupported('a body without Content-Type');
  const type = parseContentType(contentType);
  if (type === undefined) return unsupported('an unreadable Content-Type');
  if (type.type === TEXT_PLAIN) return decodedText(type, body);
  if (type.type === IS_COMPOSING) return { kind: 'composing', bytes: body };
  if (type.type === MESSAGE_CPIM) return readCpim(body);
  return unsupported(`${type.type} is not taken here`);
}

/** text/plain in its charset, or unsupported when the charset is one we cannot decode. */
function decodedText(type: MediaType, body: Uint8Array): ReadBody {
  const text = decode(body, charsetOf(type));
  return text === undefined
    ? unsupported(`charset ${charsetOf(type)} is not known here`)
    : { kind: 'text', text };
}

function charsetOf(type: MediaType): string {
  const value = type.params.get('charset');
  if (value === undefined || value === null) return 'utf-8';
  return unquote(value).trim().toLowerCase() || 'utf-8';
}

/** Decodes `bytes` in `charset`, invalid sequences replaced by U+FFFD; undefined for a charset nobody knows. */
function decode(bytes: Uint8Array, charset: string): string | undefined {
  try {
    return new TextDecoder(charset, { fatal: false }).decode(bytes);
  } catch {
    // An encoding label the runtime does not know (TextDecoder throws a RangeError for it).
    return undefined;
  }
}

/**
 * RFC 3862 §3: message headers, a blank line, the encapsulated MIME headers, a blank line, the content. Only a
 * text/plain content is read (a simple wrapper, as gateways send); DateTime (RFC 3339) gives the sending time.
 */
function readCpim(body: Uint8Array): ReadBody {
  const latin = new TextDecoder('latin1').decode(body);
  const first = blankLine(latin, 0);
  if (first === undefined) return unsupported('message/cpim without its headers');
  const second = blankLine(latin, first.end);
  if (second === undefined) return unsupported('message/cpim without MIME headers');
  const messageHeaders = headerLines(latin.slice(0, first.start));
  const mimeHeaders = headerLines(latin.slice(first.end, second.start));
  const innerType = mimeHeaders.get('content-type');
  const type = innerType === undefined ? undefined : parseContentType(innerType);
  if (type === undefined || type.type !== TEXT_PLAIN)
    return unsupported(`message/cpim carrying ${type?.type ?? 'no Content-Type'}`);
  const transferEncoding = mimeHeaders.get('content-transfer-encoding')?.trim().toLowerCase();
  if (transferEncoding !== undefined && !['7bit', '8bit', 'binary'].includes(transferEncoding))
    return unsupported(`message/cpim in ${transferEncoding}`);
  // The content's bytes, by the offset the latin1 view (one character per byte) gives.
  const read = decodedText(type, body.subarray(second.end));
  if (read.kind !== 'text') return read;
  const dateTime = parseRfc3339(messageHeaders.get('datetime'));
  return dateTime === undefined ? read : { ...read, dateTime };
}

function blankLine(text: string, from: number): { start: number; end: number } | undefined {
  const crlf = text.indexOf('\r\n\r\n', from);
  const lf = text.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { start: crlf, end: crlf + 4 };
  if (lf >= 0) return { start: lf, end: lf + 2 };
  return undefined;
}

/** `Name: value` lines, names lower-cased, the first of each kept (CPIM namespaces `NS.Name` kept as written). */
function headerLines(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time → ms since the epoch; undefined when it is not one. */
function parseRfc3339(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = RFC3339.exec(value.trim());
  if (!match) return undefined;
  const time = Date.parse(value.trim().replace(' ', 'T'));
  return Number.isFinite(time) ? time : undefined;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function unsupported(detail: string): ReadBody {
  return { kind: 'unsupported', detail };
}
