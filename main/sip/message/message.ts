// RFC 3261 §7: SIP requests and responses. Headers are kept in wire order as raw text (unknown ones included) and
// the typed views the stack reads are parsed on first access and cached until that header changes.
import { SINGLE_VALUE_HEADERS, headerKey, isListHeader, wireName } from './header-names';
import { type AddressHeader, type NameAddr, parseAddressHeader, parseNameAddr } from './name-addr';
import { type ParseError, type Result, err, ok, parseError } from './result';
import { splitTopLevel } from './scan';
import {
  type CSeq,
  type EventHeader,
  type MediaType,
  type RetryAfter,
  type SubscriptionState,
  parseCSeq,
  parseContentLength,
  parseContentType,
  parseDeltaSeconds,
  parseEvent,
  parseMaxForwards,
  parseRetryAfter,
  parseSubscriptionState,
  parseTokenList,
} from './typed-headers';
import { type Uri, formatUri } from './uri';
import { type Via, parseVia } from './via';

export interface HeaderField {
  /** The name as it appeared on the wire or was set (kept for faithful re-serialisation). */
  readonly name: string;
  /** Lower-case long-form name: compact forms are expanded (`v` → `via`). */
  readonly key: string;
  readonly value: string;
}

/** A Contact value: `*` (only in REGISTER, RFC 3261 §10.2.2) or a name-addr with its expires/q parameters. */
export interface ContactValue extends NameAddr {
  readonly expires?: number;
  readonly q?: number;
}

export class MalformedHeaderError extends Error {
  constructor(
    readonly header: string,
    readonly reason: string,
  ) {
    super(`malformed ${header} header: ${reason}`);
    this.name = 'MalformedHeaderError';
  }
}

const EMPTY_BODY = new Uint8Array(0);
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;
const HEADER_NAME_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

abstract class SipMessageBase {
  #headers: HeaderField[];
  readonly #parsed = new Map<string, Result<unknown, ParseError>>();
  body: Uint8Array;

  protected constructor(headers: HeaderField[], body: Uint8Array) {
    this.#headers = headers;
    this.body = body;
  }

  get headers(): readonly HeaderField[] {
    return this.#headers;
  }

  /** The first line's value of a header, by any spelling or compact form. */
  header(name: string): string | undefined {
    const key = headerKey(name);
    for (const field of this.#headers) if (field.key === key) return field.value;
    return undefined;
  }

  /** Every line's value of a header, in order. */
  headerLines(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const field of this.#headers) if (field.key === key) out.push(field.value);
    return out;
  }

  /** Every value of a header: lines of list headers are split at top-level commas (RFC 3261 §7.3.1). */
  headerValues(name: string): string[] {
    const key = headerKey(name);
    const lines = this.headerLines(key);
    if (!isListHeader(key)) return lines;
    const out: string[] = [];
    for (const line of lines) {
      const parts = splitTopLevel(line);
      if (parts) for (const part of parts) if (part.length > 0) out.push(part);
    }
    return out;
  }

  hasHeader(name: string): boolean {
    return this.header(name) !== undefined;
  }

  /** Replaces every line of a header with one line, kept where the first one stood. */
  setHeader(name: string, value: string): this {
    const key = headerKey(name);
    const field = makeField(name, key, value);
    const index = this.#headers.findIndex((f) => f.key === key);
    this.#headers = this.#headers.filter((f) => f.key !== key);
    this.#headers.splice(index >= 0 ? index : this.#headers.length, 0, field);
    this.#parsed.delete(key);
    return this;
  }

  addHeader(name: string, value: string): this {
    const key = headerKey(name);
    this.#headers.push(makeField(name, key, value));
    this.#parsed.delete(key);
    return this;
  }

  /** Inserts a line before the first line of the same header, or at the top (a proxy's or UAC's new Via). */
  prependHeader(name: string, value: string): this {
    const key = headerKey(name);
    const index = this.#headers.findIndex((f) => f.key === key);
    this.#headers.splice(index >= 0 ? index : 0, 0, makeField(name, key, value));
    this.#parsed.delete(key);
    return this;
  }

  /** Replaces the value of the index-th line of a header, keeping its position and spelling. */
  replaceHeaderLine(name: string, index: number, value: string): this {
    const key = headerKey(name);
    let seen = 0;
    for (let i = 0; i < this.#headers.length; i++) {
      const current = this.#headers[i]!;
      if (current.key !== key) continue;
      if (seen++ === index) {
        this.#headers[i] = makeField(current.name, key, value);
        this.#parsed.delete(key);
        return this;
      }
    }
    throw new RangeError(`no ${name} header line ${index}`);
  }

  removeHeader(name: string): this {
    const key = headerKey(name);
    this.#headers = this.#headers.filter((f) => f.key !== key);
    this.#parsed.delete(key);
    return this;
  }

  /** Parses a header once and caches the outcome until the header changes. */
  protected parsed<T>(key: string, parse: () => Result<T, ParseError>): Result<T, ParseError> {
    let result = this.#parsed.get(key) as Result<T, ParseError> | undefined;
    if (!result) {
      result = parse();
      this.#parsed.set(key, result);
    }
    return result;
  }

  protected required<T>(key: string, parse: () => Result<T, ParseError>): T {
    const result = this.parsed(key, parse);
    if (!result.ok) throw new MalformedHeaderError(wireName(key), result.error.reason);
    return result.value;
  }

  // ---- Typed views. Those checked by parseMessage (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact,
  // ---- Content-Length, Expires, Route, Record-Route) throw MalformedHeaderError only on messages built or
  // ---- edited by our own code; the rest return undefined when absent or malformed.

  get via(): Via[] {
    return this.required('via', () => this.parseVias());
  }

  get topVia(): Via | undefined {
    return this.via[0];
  }

  get from(): AddressHeader {
    return this.required('from', () => this.parseAddress('from'));
  }

  get to(): AddressHeader {
    return this.required('to', () => this.parseAddress('to'));
  }

  get callId(): string {
    return this.required('call-id', () => this.parseCallId());
  }

  get cseq(): CSeq {
    return this.required('cseq', () => this.parseCSeqHeader());
  }

  get contact(): ContactValue[] {
    return this.required('contact', () => this.parseContacts());
  }

  /** True when the Contact is the `*` wildcard of a remove-all REGISTER (RFC 3261 §10.2.2). */
  get contactWildcard(): boolean {
    return this.header('contact')?.trim() === '*';
  }

  get route(): NameAddr[] {
    return this.required('route', () => this.parseNameAddrList('route'));
  }

  get recordRoute(): NameAddr[] {
    return this.required('record-route', () => this.parseNameAddrList('record-route'));
  }

  get maxForwards(): number | undefined {
    return this.required('max-forwards', () => this.parseOptionalNumber('max-forwards', parseMaxForwards));
  }

  get expires(): number | undefined {
    return this.required('expires', () => this.parseOptionalNumber('expires', parseDeltaSeconds));
  }

  get minExpires(): number | undefined {
    const value = this.header('min-expires');
    return value === undefined ? undefined : parseDeltaSeconds(value);
  }

  /** The Content-Length header's value, or the body's length when the header is absent. */
  get contentLength(): number {
    const value = this.required('content-length', () =>
      this.parseOptionalNumber('content-length', parseContentLength),
    );
    return value ?? this.body.length;
  }

  get contentType(): MediaType | undefined {
    const value = this.header('content-type');
    return value === undefined ? undefined : parseContentType(value);
  }

  get event(): EventHeader | undefined {
    const value = this.header('event');
    return value === undefined ? undefined : parseEvent(value);
  }

  get subscriptionState(): SubscriptionState | undefined {
    const value = this.header('subscription-state');
    return value === undefined ? undefined : parseSubscriptionState(value);
  }

  get retryAfter(): RetryAfter | undefined {
    const value = this.header('retry-after');
    return value === undefined ? undefined : parseRetryAfter(value);
  }

  /** Methods are case-sensitive (RFC 3261 §7.1), so Allow keeps its case. */
  get allow(): string[] {
    return parseTokenList(this.headerLines('allow'), false);
  }

  get allowEvents(): string[] {
    return parseTokenList(this.headerLines('allow-events'), true);
  }

  get supported(): string[] {
    return parseTokenList(this.headerLines('supported'), true);
  }

  get require(): string[] {
    return parseTokenList(this.headerLines('require'), true);
  }

  get proxyRequire(): string[] {
    return parseTokenList(this.headerLines('proxy-require'), true);
  }

  get unsupported(): string[] {
    return parseTokenList(this.headerLines('unsupported'), true);
  }

  get wwwAuthenticate(): string[] {
    return this.headerLines('www-authenticate');
  }

  get proxyAuthenticate(): string[] {
    return this.headerLines('proxy-authenticate');
  }

  get authorization(): string[] {
    return this.headerLines('authorization');
  }

  get proxyAuthorization(): string[] {
    return this.headerLines('proxy-authorization');
  }

  /** Body as UTF-8 text. */
  get bodyText(): string {
    return Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString('utf8');
  }

  /**
   * Checks the headers the stack relies on (RFC 3261 §8.1.1 mandatory set, scalar ranges, single-instance
   * headers), parsing and caching them. Used by parseMessage; also useful after building a message by hand.
   */
  validate(): Result<this, ParseError> {
    const seen = new Set<string>();
    for (const field of this.#headers) {
      if (!SINGLE_VALUE_HEADERS.has(field.key)) continue;
      if (seen.has(field.key)) return err(parseError(`more than one ${wireName(field.key)} header`));
      seen.add(field.key);
    }
    // Sequential rather than table-driven: this runs per packet and closures would allocate on every call.
    let failed: ParseError | undefined;
    failed ??= this.check('via', () => this.parseVias());
    failed ??= this.check('from', () => this.parseAddress('from'));
    failed ??= this.check('to', () => this.parseAddress('to'));
    failed ??= this.check('call-id', () => this.parseCallId());
    failed ??= this.check('cseq', () => this.parseCSeqHeader());
    if (this.#has('max-forwards'))
      failed ??= this.check('max-forwards', () => this.parseOptionalNumber('max-forwards', parseMaxForwards));
    if (this.#has('content-length'))
      failed ??= this.check('content-length', () =>
        this.parseOptionalNumber('content-length', parseContentLength),
      );
    if (this.#has('expires'))
      failed ??= this.check('expires', () => this.parseOptionalNumber('expires', parseDeltaSeconds));
    if (this.#has('contact')) failed ??= this.check('contact', () => this.parseContacts());
    if (this.#has('route')) failed ??= this.check('route', () => this.parseNameAddrList('route'));
    if (this.#has('record-route'))
      failed ??= this.check('record-route', () => this.parseNameAddrList('record-route'));
    if (failed) return err(failed);
    return ok(this);
  }

  #has(key: string): boolean {
    for (const field of this.#headers) if (field.key === key) return true;
    return false;
  }

  private check<T>(key: string, parse: () => Result<T, ParseError>): ParseError | undefined {
    const result = this.parsed(key, parse);
    return result.ok ? undefined : result.error;
  }

  private parseVias(): Result<Via[], ParseError> {
    const values = this.headerValues('via');
    if (values.length === 0) return err(parseError('missing Via header'));
    const vias: Via[] = [];
    for (const value of values) {
      const via = parseVia(value);
      if (!via.ok) return via;
      vias.push(via.value);
    }
    return ok(vias);
  }

  private parseAddress(key: 'from' | 'to'): Result<AddressHeader, ParseError> {
    const value = this.header(key);
    if (value === undefined) return err(parseError(`missing ${wireName(key)} header`));
    return parseAddressHeader(value);
  }

  private parseCallId(): Result<string, ParseError> {
    const value = this.header('call-id');
    if (value === undefined || value.length === 0) return err(parseError('missing Call-ID header'));
    // RFC 3261 §25.1 callid = word [ "@" word ]: no whitespace inside.
    if (/[\s]/.test(value)) return err(parseError('invalid Call-ID header'));
    return ok(value);
  }

  private parseCSeqHeader(): Result<CSeq, ParseError> {
    const value = this.header('cseq');
    if (value === undefined) return err(parseError('missing CSeq header'));
    const cseq = parseCSeq(value);
    return cseq ? ok(cseq) : err(parseError(`invalid CSeq header: ${value.slice(0, 60)}`));
  }

  private parseContacts(): Result<ContactValue[], ParseError> {
    const values = this.headerValues('contact');
    // RFC 3261 §10.2.2 / §10.3 step 6: "*" stands alone; mixed with other values it is a 400.
    if (values.includes('*'))
      return values.length === 1 ? ok([]) : err(parseError('Contact * together with other Contact values'));
    const contacts: ContactValue[] = [];
    for (const value of values) {
      const parsed = parseNameAddr(value);
      if (!parsed.ok) return parsed;
      const expiresText = parsed.value.params.get('expires');
      const qText = parsed.value.params.get('q');
      let contact: ContactValue = parsed.value;
      if (typeof expiresText === 'string') {
        const expires = parseDeltaSeconds(expiresText);
        if (expires === undefined)
          return err(parseError(`invalid Contact expires parameter: ${expiresText}`));
        contact = { ...contact, expires };
      }
      if (typeof qText === 'string') {
        if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(qText))
          return err(parseError(`invalid Contact q: ${qText}`));
        contact = { ...contact, q: Number(qText) };
      }
      contacts.push(contact);
    }
    return ok(contacts);
  }

  private parseNameAddrList(key: string): Result<NameAddr[], ParseError> {
    const out: NameAddr[] = [];
    for (const value of this.headerValues(key)) {
      const parsed = parseNameAddr(value);
      if (!parsed.ok) return parsed;
      out.push(parsed.value);
    }
    return ok(out);
  }

  private parseOptionalNumber(
    key: string,
    parse: (value: string) => number | undefined,
  ): Result<number | undefined, ParseError> {
    const value = this.header(key);
    if (value === undefined) return ok(undefined);
    const n = parse(value);
    return n === undefined
      ? err(parseError(`invalid ${wireName(key)} header: ${value.slice(0, 60)}`))
      : ok(n);
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request';
  #requestUri: Uri;
  #requestUriText: string;

  constructor(
    readonly method: string,
    requestUri: Uri,
    headers: HeaderField[] = [],
    body: Uint8Array = EMPTY_BODY,
    /** The Request-URI's exact spelling when parsed from the wire. */
    requestUriText?: string,
  ) {
    super(headers, body);
    this.#requestUri = requestUri;
    this.#requestUriText = requestUriText ?? formatUri(requestUri);
  }

  get requestUri(): Uri {
    return this.#requestUri;
  }

  set requestUri(uri: Uri) {
    this.#requestUri = uri;
    this.#requestUriText = formatUri(uri);
  }

  /** The Request-URI as it goes on the wire. */
  get requestUriText(): string {
    return this.#requestUriText;
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response';

  constructor(
    readonly status: number,
    readonly reason: string,
    headers: HeaderField[] = [],
    body: Uint8Array = EMPTY_BODY,
  ) {
    super(headers, body);
  }
}

export type SipMessage = SipRequest | SipResponse;

/** Builds a header field for our own messages; refuses CR, LF and NUL so no value can inject a header. */
export function makeField(name: string, key: string, value: string): HeaderField {
  if (!HEADER_NAME_RE.test(name)) throw new TypeError(`invalid header name: ${JSON.stringify(name)}`);
  if (FORBIDDEN_IN_VALUE.test(value)) throw new TypeError(`header ${name} value contains CR, LF or NUL`);
  return { name, key, value };
}

/** Conventional wire spelling for a header key, for code that builds messages. */
export function field(key: string, value: string): HeaderField {
  return makeField(wireName(headerKey(key)), headerKey(key), value);
}
