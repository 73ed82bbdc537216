// RFC 3261 §20.10 and §25.1: ( name-addr / addr-spec ) *( SEMI param ) as used by From, To, Contact, Route,
// Record-Route, Refer-To. With an addr-spec (no angle brackets) every ';' parameter belongs to the header, not the URI,
// and the URI may not contain ',', ';' or '?'.
import { MalformedHeaderError, type ParseError, type Result, err, ok, parseError, preview } from './result';
import { type Params, formatParams, parseParams, quote, readQuoted } from './scan';
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

export function parseNameAddr(text: string): Result<NameAddr, ParseError> {
  const split = splitNameAddr(text.trim());
  if (!split.ok) return split;
  const uri = parseUri(split.value.uriText);
  if (!uri.ok) return uri;
  const nameAddr: NameAddr = {
    displayName: split.value.displayName,
    uri: uri.value,
    params: split.value.params,
  };
  return ok(nameAddr);
}

interface SplitNameAddr {
  readonly displayName: string | undefined;
  readonly uriText: string;
  readonly params: Params;
}

/** The display name, the URI text and the header parameters of a trimmed name-addr or addr-spec. */
function splitNameAddr(value: string): Result<SplitNameAddr, ParseError> {
  let displayName: string | undefined;
  let i = 0;
  if (value.startsWith('"')) {
    const quoted = readQuoted(value, 0);
    if (!quoted) return err(parseError(`unterminated quoted display name in ${preview(value)}`));
    displayName = quoted.value;
    i = quoted.end;
    while (value[i] === ' ' || value[i] === '\t') i++;
    if (value[i] !== '<') return err(parseError(`display name not followed by <URI> in ${preview(value)}`));
  }
  // A display name has no ':' (tokens and quoted strings only), so a ':' before any '<' means an addr-spec whose
  // header parameters may themselves hold a quoted '<'.
  let open = value.indexOf('<', i);
  if (open >= 0 && displayName === undefined) {
    const colon = value.indexOf(':', i);
    if (colon >= 0 && colon < open) open = -1;
  }
  if (open >= 0) {
    if (displayName === undefined && open > 0) {
      const tokens = value.slice(0, open).trim();
      if (tokens.length > 0) {
        if (!DISPLAY_TOKENS_RE.test(tokens))
          return err(parseError(`invalid display name in ${preview(value)}`));
        displayName = tokens;
      }
    }
    const close = value.indexOf('>', open);
    if (close < 0) return err(parseError(`unterminated <URI> in ${preview(value)}`));
    // RFC 3261 §25.1 name-addr has no LWS inside the angle brackets (RFC 4475 §3.1.2.14 badaspec).
    const first = value.charCodeAt(open + 1);
    const last = value.charCodeAt(close - 1);
    if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09)
      return err(parseError(`whitespace inside <URI> in ${preview(value)}`));
    const params = parseParams(close + 1 < value.length ? value.slice(close + 1) : '');
    if (!params) return err(parseError(`invalid header parameters in ${preview(value)}`));
    return ok({ displayName, uriText: value.slice(open + 1, close), params });
  }
  // addr-spec: the URI ends at the first ';' (RFC 3261 §20.10) and may not contain ',' or '?'.
  const semicolon = value.indexOf(';');
  const uriText = semicolon >= 0 ? value.slice(0, semicolon).trimEnd() : value;
  if (/[\s,?]/.test(uriText)) return err(parseError(`invalid addr-spec ${preview(value)}`));
  const params = parseParams(semicolon >= 0 ? value.slice(semicolon) : '');
  if (!params) return err(parseError(`invalid header parameters in ${preview(value)}`));
  return ok({ displayName: undefined, uriText, params });
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
 * From and To as the packet path reads them: structure, display name and tag now, the URI when first read (it
 * throws MalformedUriError then). Transactions and dialog matching need only the tags; peers' parsers leave these
 * URIs as text too. validate('full') reads the URI, so strict parsing still rejects a bad one.
 */
export function parseAddressHeaderDeferred(text: string, header: string): Result<AddressHeader, ParseError> {
  const value = text.trim();
  const split = splitNameAddr(value);
  if (!split.ok) return split;
  const { displayName, uriText, params } = split.value;
  // Cheap early sanity: a scheme before a colon. The full check waits until the URI is read.
  const colon = uriText.indexOf(':');
  if (colon <= 0 || /[\s<>"]/.test(uriText)) return err(parseError(`invalid URI in ${preview(value)}`));
  const tag = params.get('tag');
  return ok(
    new DeferredAddress(displayName, params, typeof tag === 'string' ? tag : undefined, uriText, header),
  );
}

/** An AddressHeader whose URI is parsed on first read; a class so the getter costs no closure per message. */
class DeferredAddress implements AddressHeader {
  readonly #uriText: string;
  readonly #header: string;
  #uri: Uri | undefined;

  constructor(
    readonly displayName: string | undefined,
    readonly params: Params,
    readonly tag: string | undefined,
    uriText: string,
    header: string,
  ) {
    this.#uriText = uriText;
    this.#header = header;
  }

  get uri(): Uri {
    if (this.#uri === undefined) {
      const parsed = parseUri(this.#uriText);
      if (!parsed.ok) throw new MalformedHeaderError(this.#header, parsed.error.reason);
      this.#uri = parsed.value;
    }
    return this.#uri;
  }
}

/** Always writes the name-addr form, so URI parameters can never be mistaken for header parameters. */
export function formatNameAddr(value: NameAddr): string {
  const name =
    value.displayName !== undefined && value.displayName.length > 0 ? `${quote(value.displayName)} ` : '';
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}
