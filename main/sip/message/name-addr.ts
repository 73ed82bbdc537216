// RFC 3261 §20.10 and §25.1: ( name-addr / addr-spec ) *( SEMI param ) as used by From, To, Contact, Route,
// Record-Route, Refer-To. With an addr-spec (no angle brackets) every ';' parameter belongs to the header, not the URI,
// and the URI may not contain ',', ';' or '?'.
import { MalformedHeaderError, type ParseError, type Result, err, ok, parseError, preview } from './result';
import {
  type Params,
  findParam,
  formatParams,
  parseParams,
  quote,
  readQuoted,
  trimEnd,
  trimStart,
} from './scan';
import { type Uri, formatUri, parseUri } from './uri';

export interface NameAddr {
  readonly displayName?: string | undefined;
  readonly uri: Uri;
  readonly params: Params;
}

/** From and To: a name-addr with its tag pulled out (RFC 3261 §19.3). */
export interface AddressHeader extends NameAddr {
  readonly tag?: string | undefined;
}

const DISPLAY_TOKENS_RE = /^[A-Za-z0-9\-.!%*_+`'~]+([ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*$/;

/**
 * Parses the name-addr or addr-spec in text[from, to) (offsets, so a header is read in place in the head); `bytes`,
 * when given, are text's bytes index for index (HeaderSection#bytes), for the parameter scan.
 */
export function parseNameAddr(
  text: string,
  from = 0,
  to = text.length,
  bytes?: Uint8Array,
): Result<NameAddr, ParseError> {
  const start = trimStart(text, from, to);
  const end = trimEnd(text, start, to);
  const split = splitNameAddr(text, start, end);
  if (!split.ok) return split;
  const params = parseParams(text, split.paramsStart, end, bytes);
  if (!params) return err(headerParamsError(text, start, end));
  const uri = parseUri(text, split.uriStart, split.uriEnd, bytes);
  if (!uri.ok) return uri;
  const nameAddr: NameAddr = { displayName: split.displayName, uri: uri.value, params };
  return ok(nameAddr);
}

/**
 * The display name, the URI's place and where the header parameters start in a trimmed name-addr or addr-spec
 * (they run to its end; the caller reads them). The success value carries `ok` itself, so the packet path
 * allocates one object rather than a value and its Result.
 */
type SplitNameAddr =
  | {
      readonly ok: true;
      readonly displayName: string | undefined;
      readonly uriStart: number;
      readonly uriEnd: number;
      readonly paramsStart: number;
    }
  | { readonly ok: false; readonly error: ParseError };

const QUOTE = 0x22;
const LESS = 0x3c;
const GREATER = 0x3e;
const SPACE = 0x20;

/** Splits the trimmed name-addr or addr-spec text[start, end). */
function splitNameAddr(text: string, start: number, end: number): SplitNameAddr {
  let displayName: string | undefined;
  let i = start;
  if (text.charCodeAt(start) === QUOTE) {
    const quoted = readQuoted(text, start, end);
    if (!quoted) return splitError('unterminated quoted display name in', text, start, end);
    displayName = quoted.value;
    i = quoted.end;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end || text.charCodeAt(i) !== LESS)
      return splitError('display name not followed by <URI> in', text, start, end);
  }
  // A display name has no ':' (tokens and quoted strings only), so a ':' before any '<' means an addr-spec whose
  // header parameters may themselves hold a quoted '<'.
  let open = text.indexOf('<', i);
  if (open >= end) open = -1;
  if (open >= 0 && displayName === undefined) {
    const colon = text.indexOf(':', i);
    if (colon >= 0 && colon < open) open = -1;
  }
  if (open >= 0) {
    if (displayName === undefined && open > start) {
      const tokens = text.slice(start, open).trim();
      if (tokens.length > 0) {
        if (!DISPLAY_TOKENS_RE.test(tokens)) return splitError('invalid display name in', text, start, end);
        displayName = tokens;
      }
    }
    const close = text.indexOf('>', open);
    if (close < 0 || close >= end) return splitError('unterminated <URI> in', text, start, end);
    // RFC 3261 §25.1 name-addr has no LWS inside the angle brackets (RFC 4475 §3.1.2.14 badaspec).
    if (isBlank(text.charCodeAt(open + 1)) || isBlank(text.charCodeAt(close - 1)))
      return splitError('whitespace inside <URI> in', text, start, end);
    return { ok: true, displayName, uriStart: open + 1, uriEnd: close, paramsStart: close + 1 };
  }
  // addr-spec: the URI ends at the first ';' (RFC 3261 §20.10) and may not contain ',' or '?'.
  let semicolon = text.indexOf(';', start);
  if (semicolon >= end) semicolon = -1;
  const uriEnd = semicolon >= 0 ? trimEnd(text, start, semicolon) : end;
  if (/[\s,?]/.test(text.slice(start, uriEnd))) return splitError('invalid addr-spec', text, start, end);
  return {
    ok: true,
    displayName: undefined,
    uriStart: start,
    uriEnd,
    paramsStart: semicolon >= 0 ? semicolon : end,
  };
}

function splitError(what: string, text: string, start: number, end: number): SplitNameAddr {
  return { ok: false, error: parseError(`${what} ${preview(text.slice(start, end))}`) };
}

function headerParamsError(text: string, start: number, end: number): ParseError {
  return parseError(`invalid header parameters in ${preview(text.slice(start, end))}`);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

export function parseAddressHeader(text: string): Result<AddressHeader, ParseError> {
  const parsed = parseNameAddr(text);
  if (!parsed.ok) return parsed;
  const { displayName, uri, params } = parsed.value;
  const tag = params.get('tag');
  // A literal rather than a spread: this runs for From and To of every message.
  const address: AddressHeader = { displayName, uri, params, tag: typeof tag === 'string' ? tag : undefined };
  return ok(address);
}

/**
 * From and To as the packet path reads them, from text[from, to): structure, display name and tag now, the URI
 * when first read (it throws MalformedHeaderError then). Transactions and dialog matching need only the tags;
 * peers' parsers leave these URIs as text too. validate('full') reads the URI, so strict parsing still rejects a
 * bad one. `bytes` as for parseNameAddr.
 */
export function parseAddressHeaderDeferred(
  text: string,
  header: string,
  from = 0,
  to = text.length,
  bytes?: Uint8Array,
): Result<AddressHeader, ParseError> {
  const start = trimStart(text, from, to);
  const end = trimEnd(text, start, to);
  const split = splitNameAddr(text, start, end);
  if (!split.ok) return split;
  const { displayName, uriStart, uriEnd, paramsStart } = split;
  // The parameters are checked now and the tag taken; the map is built if someone reads it.
  const tag = findParam(text, paramsStart, end, 'tag', bytes);
  if (tag === false) return err(headerParamsError(text, start, end));
  // Cheap early sanity: a scheme before a colon, no whitespace or delimiters. The full check waits until the URI
  // is read.
  const colon = text.indexOf(':', uriStart);
  if (colon <= uriStart || colon >= uriEnd || hasUriDelimiter(text, uriStart, uriEnd, bytes))
    return err(parseError(`invalid URI in ${preview(text.slice(start, end))}`));
  return ok(new DeferredAddress(displayName, tag, text, uriStart, uriEnd, paramsStart, end, header));
}

// Global so lastIndex can start the search in place; `\s` keeps the exact whitespace set of the string check.
const URI_DELIMITER_RE = /[\s<>"]/g;

/**
 * True when text[from, to) holds whitespace (what `\s` matches), '<', '>' or '"'. With the head's bytes a loop over
 * them costs less than starting the regular expression; on text alone the regular expression is the cheaper.
 */
function hasUriDelimiter(text: string, from: number, to: number, bytes: Uint8Array | undefined): boolean {
  if (bytes === undefined) {
    URI_DELIMITER_RE.lastIndex = from;
    return URI_DELIMITER_RE.test(text) && URI_DELIMITER_RE.lastIndex <= to;
  }
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    // The bytes of a head are ASCII, where `\s` is SP, HTAB, LF, VT, FF and CR.
    if (c === SPACE || (c >= 0x09 && c <= 0x0d) || c === LESS || c === GREATER || c === QUOTE) return true;
  }
  return false;
}

/**
 * An AddressHeader whose URI and parameter map are built on first read, in place in the text they came from
 * (both were checked when it was made); a class so the getters cost no closure per message.
 */
class DeferredAddress implements AddressHeader {
  readonly #text: string;
  readonly #uriStart: number;
  readonly #uriEnd: number;
  readonly #paramsStart: number;
  readonly #paramsEnd: number;
  readonly #header: string;
  #uri: Uri | undefined;
  #params: Params | undefined;

  constructor(
    readonly displayName: string | undefined,
    readonly tag: string | undefined,
    text: string,
    uriStart: number,
    uriEnd: number,
    paramsStart: number,
    paramsEnd: number,
    header: string,
  ) {
    this.#text = text;
    this.#uriStart = uriStart;
    this.#uriEnd = uriEnd;
    this.#paramsStart = paramsStart;
    this.#paramsEnd = paramsEnd;
    this.#header = header;
  }

  get uri(): Uri {
    if (this.#uri === undefined) {
      const parsed = parseUri(this.#text, this.#uriStart, this.#uriEnd);
      if (!parsed.ok) throw new MalformedHeaderError(this.#header, parsed.error.reason);
      this.#uri = parsed.value;
    }
    return this.#uri;
  }

  get params(): Params {
    this.#params ??= parseParams(this.#text, this.#paramsStart, this.#paramsEnd) ?? new Map();
    return this.#params;
  }
}

/** Always writes the name-addr form, so URI parameters can never be mistaken for header parameters. */
/** The address without its `tag` parameter: a dialog's local and remote URIs (RFC 3261 §12.1.1) and a caller shown. */
export function withoutTag(address: NameAddr): NameAddr {
  const params = new Map(address.params);
  params.delete('tag');
  return {
    uri: address.uri,
    params,
    ...(address.displayName !== undefined ? { displayName: address.displayName } : {}),
  };
}

export function formatNameAddr(value: NameAddr): string {
  const name =
    value.displayName !== undefined && value.displayName.length > 0 ? `${quote(value.displayName)} ` : '';
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}
