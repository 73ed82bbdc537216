// RFC 3261 §7: SIP requests and responses. Headers are kept in wire order as raw text (unknown ones included) and
// the typed views the stack reads are parsed on first access and cached until that header changes.
import { SINGLE_VALUE_HEADERS, headerKey, isListHeader, wireName } from './header-names';
import { type AddressHeader, type NameAddr, parseAddressHeaderDeferred, parseNameAddr } from './name-addr';
import { MalformedHeaderError, type ParseError, type Result, err, ok, parseError } from './result';

export { MalformedHeaderError };
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

/** The headers with typed views that validate() checks (and throw MalformedHeaderError when malformed). */
type TypedKey =
  | 'via'
  | 'top-via'
  | 'from'
  | 'to'
  | 'call-id'
  | 'cseq'
  | 'contact'
  | 'route'
  | 'record-route'
  | 'max-forwards'
  | 'expires'
  | 'content-length';

const TYPED_KEYS: readonly TypedKey[] = [
  'via',
  'top-via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'route',
  'record-route',
  'max-forwards',
  'expires',
  'content-length',
];
const TYPED_INDEX = new Map<string, number>(TYPED_KEYS.map((key, index) => [key, index]));

/** Checked by validate() only when present, in this order. */
const OPTIONAL_TYPED: readonly TypedKey[] = ['max-forwards', 'content-length', 'expires'];
/** Also checked, when present, by validate('full'): headers only particular usages read (dialogs, registration). */
const OPTIONAL_DEEP: readonly TypedKey[] = ['contact', 'route', 'record-route'];

// Bits for validate()'s single pass: every single-value header and every optional typed header has one.
const HEADER_BITS = new Map<string, number>();
for (const key of [...SINGLE_VALUE_HEADERS, ...OPTIONAL_TYPED, ...OPTIONAL_DEEP])
  if (!HEADER_BITS.has(key)) HEADER_BITS.set(key, 1 << HEADER_BITS.size);
let singleValueBits = 0;
for (const key of SINGLE_VALUE_HEADERS) singleValueBits |= HEADER_BITS.get(key)!;
const SINGLE_VALUE_BITS = singleValueBits;

const EMPTY_BODY = new Uint8Array(0);
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;
const HEADER_NAME_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

abstract class SipMessageBase {
  #headers: HeaderField[];
  // Typed views by TYPED_INDEX slot: an array is cheaper per packet than a Map keyed by name.
  readonly #parsed: Array<Result<unknown, ParseError> | undefined> = [];
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
    this.#invalidate(key);
    return this;
  }

  addHeader(name: string, value: string): this {
    const key = headerKey(name);
    this.#headers.push(makeField(name, key, value));
    this.#invalidate(key);
    return this;
  }

  /** Inserts a line before the first line of the same header, or at the top (a proxy's or UAC's new Via). */
  prependHeader(name: string, value: string): this {
    const key = headerKey(name);
    const index = this.#headers.findIndex((f) => f.key === key);
    this.#headers.splice(index >= 0 ? index : 0, 0, makeField(name, key, value));
    this.#invalidate(key);
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
        this.#invalidate(key);
        return this;
      }
    }
    throw new RangeError(`no ${name} header line ${index}`);
  }

  removeHeader(name: string): this {
    const key = headerKey(name);
    this.#headers = this.#headers.filter((f) => f.key !== key);
    this.#invalidate(key);
    return this;
  }

  /** Forgets the typed views of a header that changed (both Via views come from the same lines). */
  #invalidate(key: string): void {
    const index = TYPED_INDEX.get(key);
    if (index !== undefined) this.#parsed[index] = undefined;
    if (key === 'via') this.#parsed[TYPED_INDEX.get('top-via')!] = undefined;
  }

  /** Parses a typed header once and caches the outcome until the header changes. */
  #typed(key: TypedKey): Result<unknown, ParseError> {
    const index = TYPED_INDEX.get(key)!;
    let result = this.#parsed[index];
    if (result === undefined) {
      result = this.#parseTyped(key);
      this.#parsed[index] = result;
    }
    return result;
  }

  // A switch rather than a parse callback per call: this runs per packet, and closures would allocate each time.
  #parseTyped(key: TypedKey): Result<unknown, ParseError> {
    switch (key) {
      case 'via':
        return this.parseVias();
      case 'top-via':
        return this.parseTopVia();
      case 'from':
      case 'to':
        return this.parseAddress(key);
      case 'call-id':
        return this.parseCallId();
      case 'cseq':
        return this.parseCSeqHeader();
      case 'contact':
        return this.parseContacts();
      case 'route':
      case 'record-route':
        return this.parseNameAddrList(key);
      case 'max-forwards':
        return this.parseOptionalNumber(key, parseMaxForwards);
      case 'expires':
        return this.parseOptionalNumber(key, parseDeltaSeconds);
      case 'content-length':
        return this.parseOptionalNumber(key, parseContentLength);
    }
  }

  #required<T>(key: TypedKey): T {
    const result = this.#typed(key);
    if (!result.ok) throw new MalformedHeaderError(wireName(key), result.error.reason);
    return result.value as T;
  }

  #failure(key: TypedKey): ParseError | undefined {
    const result = this.#typed(key);
    return result.ok ? undefined : result.error;
  }

  // ---- Typed views. Those checked by parseMessage (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact,
  // ---- Content-Length, Expires, Route, Record-Route) throw MalformedHeaderError only on messages built or
  // ---- edited by our own code; the rest return undefined when absent or malformed.

  get via(): Via[] {
    return this.#required<Via[]>('via');
  }

  /** The top Via alone: what transactions and response routing read, without parsing the Vias below it. */
  get topVia(): Via | undefined {
    return this.#required<Via>('top-via');
  }

  get from(): AddressHeader {
    return this.#required<AddressHeader>('from');
  }

  get to(): AddressHeader {
    return this.#required<AddressHeader>('to');
  }

  get callId(): string {
    return this.#required<string>('call-id');
  }

  get cseq(): CSeq {
    return this.#required<CSeq>('cseq');
  }

  get contact(): ContactValue[] {
    return this.#required<ContactValue[]>('contact');
  }

  /** True when the Contact is the `*` wildcard of a remove-all REGISTER (RFC 3261 §10.2.2). */
  get contactWildcard(): boolean {
    return this.header('contact')?.trim() === '*';
  }

  get route(): NameAddr[] {
    return this.#required<NameAddr[]>('route');
  }

  get recordRoute(): NameAddr[] {
    return this.#required<NameAddr[]>('record-route');
  }

  get maxForwards(): number | undefined {
    return this.#required<number | undefined>('max-forwards');
  }

  get expires(): number | undefined {
    return this.#required<number | undefined>('expires');
  }

  get minExpires(): number | undefined {
    const value = this.header('min-expires');
    return value === undefined ? undefined : parseDeltaSeconds(value);
  }

  /** The Content-Length header's value, or the body's length when the header is absent. */
  get contentLength(): number {
    const value = this.#required<number | undefined>('content-length');
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
   * Checks the headers the stack relies on for every message (RFC 3261 §8.1.1 mandatory set with the top Via,
   * scalar ranges, single-instance headers), parsing and caching them; 'full' also checks every Via, Contact,
   * Route and Record-Route. parseMessage uses 'essential' on the packet path: the usages that read the deeper
   * headers get a MalformedHeaderError from the getter, and a UAS answers 400 for it.
   */
  validate(depth: 'essential' | 'full' = 'essential'): Result<this, ParseError> {
    // One pass: a bit per header of interest, to find repeated single-value headers and the optional ones present.
    let seen = 0;
    for (const field of this.#headers) {
      const bit = HEADER_BITS.get(field.key);
      if (bit === undefined) continue;
      if ((seen & bit) !== 0 && (bit & SINGLE_VALUE_BITS) !== 0)
        return err(parseError(`more than one ${wireName(field.key)} header`));
      seen |= bit;
    }
    let failed: ParseError | undefined;
    failed ??= this.#failure(depth === 'full' ? 'via' : 'top-via');
    failed ??= this.#failure('from');
    failed ??= this.#failure('to');
    failed ??= this.#failure('call-id');
    failed ??= this.#failure('cseq');
    for (const key of OPTIONAL_TYPED) if ((seen & HEADER_BITS.get(key)!) !== 0) failed ??= this.#failure(key);
    if (depth === 'full') failed ??= this.#uriFailure('from') ?? this.#uriFailure('to');
    if (depth === 'full')
      for (const key of OPTIONAL_DEEP)
        if ((seen & HEADER_BITS.get(key)!) !== 0) failed ??= this.#failure(key);
    if (failed) return err(failed);
    return ok(this);
  }

  /** Reads a deferred From/To URI so strict validation rejects a malformed one. */
  #uriFailure(key: 'from' | 'to'): ParseError | undefined {
    const result = this.#typed(key);
    if (!result.ok) return result.error;
    try {
      void (result.value as AddressHeader).uri;
      return undefined;
    } catch (error) {
      return parseError(error instanceof Error ? error.message : String(error));
    }
  }

  private parseTopVia(): Result<Via, ParseError> {
    // The first non-empty value: usually the first line, whole; a comma outside quotes ends a value (§7.3.1).
    for (const field of this.#headers) {
      if (field.key !== 'via') continue;
      const line = field.value;
      const first = line.includes(',') ? splitTopLevel(line)?.find((part) => part.length > 0) : line;
      if (first !== undefined && first.length > 0) return parseVia(first);
      if (first === undefined && line.includes('"')) return err(parseError('invalid Via header'));
    }
    return err(parseError('missing Via header'));
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
    return parseAddressHeaderDeferred(value, key === 'from' ? 'From' : 'To');
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
