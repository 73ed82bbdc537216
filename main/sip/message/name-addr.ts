// RFC 3261 §20.10 and §25.1: ( name-addr / addr-spec ) *( SEMI param ) as used by From, To, Contact, Route,
// Record-Route, Refer-To. With an addr-spec (no angle brackets) every ';' parameter belongs to the header, not the URI,
// and the URI may not contain ',', ';' or '?'.
import { type ParseError, type Result, err, ok, parseError, preview } from './result';
import { type Params, formatParams, parseParams, quote, readQuoted } from './scan';
import { type Uri, formatUri, parseUri } from './uri';

export interface NameAddr {
  readonly displayName?: string;
  readonly uri: Uri;
  readonly params: Params;
}

/** From and To: a name-addr with its tag pulled out (RFC 3261 §19.3). */
export interface AddressHeader extends NameAddr {
  readonly tag?: string;
}

const DISPLAY_TOKENS_RE = /^[A-Za-z0-9\-.!%*_+`'~]+([ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*$/;

export function parseNameAddr(text: string): Result<NameAddr, ParseError> {
  const value = text.trim();
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
    if (displayName === undefined) {
      const tokens = value.slice(0, open).trim();
      if (tokens.length > 0) {
        if (!DISPLAY_TOKENS_RE.test(tokens))
          return err(parseError(`invalid display name in ${preview(value)}`));
        displayName = tokens;
      }
    }
    const close = value.indexOf('>', open);
    if (close < 0) return err(parseError(`unterminated <URI> in ${preview(value)}`));
    const uriText = value.slice(open + 1, close);
    // RFC 3261 §25.1 name-addr has no LWS inside the angle brackets (RFC 4475 §3.1.2.14 badaspec).
    if (uriText !== uriText.trim()) return err(parseError(`whitespace inside <URI> in ${preview(value)}`));
    const uri = parseUri(uriText);
    if (!uri.ok) return uri;
    const params = parseParams(value.slice(close + 1));
    if (!params) return err(parseError(`invalid header parameters in ${preview(value)}`));
    return ok(
      displayName !== undefined ? { displayName, uri: uri.value, params } : { uri: uri.value, params },
    );
  }
  // addr-spec: the URI ends at the first ';' (RFC 3261 §20.10) and may not contain ',' or '?'.
  const semicolon = value.indexOf(';');
  const uriText = semicolon >= 0 ? value.slice(0, semicolon).trimEnd() : value;
  if (/[\s,?]/.test(uriText)) return err(parseError(`invalid addr-spec ${preview(value)}`));
  const uri = parseUri(uriText);
  if (!uri.ok) return uri;
  const params = parseParams(semicolon >= 0 ? value.slice(semicolon) : '');
  if (!params) return err(parseError(`invalid header parameters in ${preview(value)}`));
  return ok({ uri: uri.value, params });
}

export function parseAddressHeader(text: string): Result<AddressHeader, ParseError> {
  const parsed = parseNameAddr(text);
  if (!parsed.ok) return parsed;
  const tag = parsed.value.params.get('tag');
  return ok(typeof tag === 'string' ? { ...parsed.value, tag } : parsed.value);
}

/** Always writes the name-addr form, so URI parameters can never be mistaken for header parameters. */
export function formatNameAddr(value: NameAddr): string {
  const name =
    value.displayName !== undefined && value.displayName.length > 0 ? `${quote(value.displayName)} ` : '';
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}
