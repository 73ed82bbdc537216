// RFC 3261 §7: SIP requests and responses. Headers are kept in wire order as raw text (unknown ones included) and
// the typed views the stack reads are parsed on first access and cached until that header changes.
import { SINGLE_VALUE_BITS, headerBit, headerKey, isListHeader, wireName } from './header-names';
import { HeaderFieldList } from './header-field-list';
import type { HeaderField, HeaderLines } from './header-lines';
import type { HeaderSection } from './header-section';
import { type AddressHeader, type NameAddr, parseAddressHeaderDeferred, parseNameAddr } from './name-addr';
import { MalformedHeaderError, type ParseError, type Result, err, ok, parseError, preview } from './result';

export { MalformedHeaderError };
import { type ValueRef, pushListRefs, pushListValues, splitTopLevel } from './scan';
import {
  type CSeq,
  type EventHeader,
  type MediaType,
  type RetryAfter,
  type SubscriptionState,
  MAX_CONTENT_LENGTH,
  MAX_DELTA_SECONDS,
  MAX_MAX_FORWARDS,
  parseCSeq,
  parseContentType,
  parseDeltaSeconds,
  parseEvent,
  parseRetryAfter,
  parseScalarIn,
  parseSubscriptionState,
  parseTokenList,
} from './typed-headers';
import { type Uri, formatUri } from './uri';
import { type Via, parseVia } from './via';

export type { HeaderField };

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
// Slots of the typed-view cache, as numbers: the getters run per packet, and a Map from key to slot cost a lookup
// on every read. Each is the index of its key in TYPED_KEYS.
const VIA = 0;
const TOP_VIA = 1;
const FROM = 2;
const TO = 3;
const CALL_ID = 4;
const CSEQ = 5;
const CONTACT = 6;
const ROUTE = 7;
const RECORD_ROUTE = 8;
const MAX_FORWARDS = 9;
const EXPIRES = 10;
const CONTENT_LENGTH = 11;

/** Checked by validate() only when present, in this order. */
const OPTIONAL_TYPED: readonly number[] = [MAX_FORWARDS, CONTENT_LENGTH, EXPIRES];
/** Also checked, when present, by validate('full'): headers only particular usages read (dialogs, registration). */
const OPTIONAL_DEEP: readonly number[] = [CONTACT, ROUTE, RECORD_ROUTE];
/** headerBit of each slot's header. */
const SLOT_BITS: readonly number[] = TYPED_KEYS.map((key) => headerBit(key === 'top-via' ? 'via' : key));

const EMPTY_BODY = new Uint8Array(0);
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;
const HEADER_NAME_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

abstract class SipMessageBase {
  // A parsed message keeps its header section as offsets (HeaderSection) until the field list is read or edited,
  // then a HeaderFieldList: the packet path reads a few values and never needs a HeaderField per line. Everything
  // below reads lines through the HeaderLines interface, whichever store is current.
  #lines: HeaderLines;
  // Typed views by slot (VIA, FROM, ...): an array is cheaper per packet than a Map keyed by name.
  readonly #parsed = new Array<Result<unknown, ParseError> | undefined>(TYPED_KEYS.length);
  body: Uint8Array;

  /** `headers` is a field list, or the section parseMessage split off the wire. */
  protected constructor(headers: HeaderField[] | HeaderSection, body: Uint8Array) {
    this.#lines = Array.isArray(headers) ? new HeaderFieldList(headers) : headers;
    this.body = body;
  }

  /** The editable store, made from the parsed section on first use; every edit goes through it. */
  #editable(): HeaderFieldList {
    const lines = this.#lines;
    if (lines instanceof HeaderFieldList) return lines;
    const list = new HeaderFieldList(lines.fields());
    this.#lines = list;
    return list;
  }

  get headers(): readonly HeaderField[] {
    return this.#editable().all;
  }

  /** The first line's value of a header, by any spelling or compact form. */
  header(name: string): string | undefined {
    return this.#first(headerKey(name));
  }

  #first(key: string, bit = 0): string | undefined {
    const index = this.#lines.firstLine(key, bit);
    return index < 0 ? undefined : this.#lines.value(index);
  }

  /** Every line's value of a header, in order. */
  headerLines(name: string): string[] {
    return this.#allLines(headerKey(name));
  }

  #allLines(key: string): string[] {
    const out: string[] = [];
    const lines = this.#lines;
    const bit = headerBit(key);
    for (let i = lines.firstLine(key, bit); i >= 0; i = lines.nextLine(key, bit, i)) out.push(lines.value(i));
    return out;
  }

  /** Every value of a header: lines of list headers are split at top-level commas (RFC 3261 §7.3.1). */
  headerValues(name: string): string[] {
    const key = headerKey(name);
    return isListHeader(key) ? this.#listValues(key) : this.#allLines(key);
  }

  /** headerValues for a key known to be a list header. */
  #listValues(key: string): string[] {
    const out: string[] = [];
    const lines = this.#lines;
    const bit = headerBit(key);
    for (let i = lines.firstLine(key, bit); i >= 0; i = lines.nextLine(key, bit, i))
      pushListValues(lines.value(i), out);
    return out;
  }

  hasHeader(name: string): boolean {
    return this.header(name) !== undefined;
  }

  /** Replaces every line of a header with one line, kept where the first one stood. */
  setHeader(name: string, value: string): this {
    const key = headerKey(name);
    this.#editable().set(makeField(name, key, value));
    this.#invalidate(key);
    return this;
  }

  addHeader(name: string, value: string): this {
    const key = headerKey(name);
    this.#editable().add(makeField(name, key, value));
    this.#invalidate(key);
    return this;
  }

  /** Inserts a line before the first line of the same header, or at the top (a proxy's or UAC's new Via). */
  prependHeader(name: string, value: string): this {
    const key = headerKey(name);
    this.#editable().prepend(makeField(name, key, value));
    this.#invalidate(key);
    return this;
  }

  /** Replaces the value of the index-th line of a header, keeping its position and spelling. */
  replaceHeaderLine(name: string, index: number, value: string): this {
    const key = headerKey(name);
    const list = this.#editable();
    const line = list.nthLine(key, index);
    if (line < 0) throw new RangeError(`no ${name} header line ${index}`);
    list.replaceAt(line, makeField(list.all[line]!.name, key, value));
    this.#invalidate(key);
    return this;
  }

  removeHeader(name: string): this {
    const key = headerKey(name);
    this.#editable().remove(key);
    this.#invalidate(key);
    return this;
  }

  /** Forgets the typed views of a header that changed (both Via views come from the same lines). */
  #invalidate(key: string): void {
    const bit = headerBit(key);
    if (bit === 0) return;
    for (let slot = 0; slot < SLOT_BITS.length; slot++)
      if (SLOT_BITS[slot] === bit) this.#parsed[slot] = undefined;
  }

  /** Parses a typed header once and caches the outcome until the header changes. */
  #typed(slot: number): Result<unknown, ParseError> {
    let result = this.#parsed[slot];
    if (result === undefined) {
      result = this.#parseTyped(slot);
      this.#parsed[slot] = result;
    }
    return result;
  }

  // A switch rather than a parse callback per call: this runs per packet, and closures would allocate each time.
  #parseTyped(slot: number): Result<unknown, ParseError> {
    switch (slot) {
      case VIA:
        return this.parseVias();
      case TOP_VIA:
        return this.parseTopVia();
      case FROM:
        return this.parseAddress('from');
      case TO:
        return this.parseAddress('to');
      case CALL_ID:
        return this.parseCallId();
      case CSEQ:
        return this.parseCSeqHeader();
      case CONTACT:
        return this.parseContacts();
      case ROUTE:
        return this.parseNameAddrList(ROUTE);
      case RECORD_ROUTE:
        return this.parseNameAddrList(RECORD_ROUTE);
      case MAX_FORWARDS:
        return this.parseOptionalNumber(MAX_FORWARDS, MAX_MAX_FORWARDS);
      case EXPIRES:
        return this.parseOptionalNumber(EXPIRES, MAX_DELTA_SECONDS);
      default:
        return this.parseOptionalNumber(CONTENT_LENGTH, MAX_CONTENT_LENGTH);
    }
  }

  #required<T>(slot: number): T {
    const result = this.#typed(slot);
    if (!result.ok) throw malformed(slot, result.error);
    return result.value as T;
  }

  /** The typed view of a slot as a Result: what the getters return, or the error they would throw. */
  #attempt<T>(slot: number): Result<T, MalformedHeaderError> {
    const result = this.#typed(slot);
    return result.ok ? ok(result.value as T) : err(malformed(slot, result.error));
  }

  /** From or To with its deferred URI read too, so a value that comes back ok never throws later. */
  #attemptAddress(slot: number): Result<AddressHeader, MalformedHeaderError> {
    const result = this.#attempt<AddressHeader>(slot);
    if (!result.ok) return result;
    try {
      void result.value.uri;
    } catch (error) {
      if (error instanceof MalformedHeaderError) return err(error);
      throw error;
    }
    return result;
  }

  #failure(slot: number): ParseError | undefined {
    const result = this.#typed(slot);
    return result.ok ? undefined : result.error;
  }

  // ---- Typed views. Those checked by parseMessage (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact,
  // ---- Content-Length, Expires, Route, Record-Route) throw MalformedHeaderError only on messages built or
  // ---- edited by our own code; the rest return undefined when absent or malformed.

  get via(): Via[] {
    return this.#required<Via[]>(VIA);
  }

  /** The top Via alone: what transactions and response routing read, without parsing the Vias below it. */
  get topVia(): Via | undefined {
    return this.#required<Via>(TOP_VIA);
  }

  get from(): AddressHeader {
    return this.#required<AddressHeader>(FROM);
  }

  get to(): AddressHeader {
    return this.#required<AddressHeader>(TO);
  }

  get callId(): string {
    return this.#required<string>(CALL_ID);
  }

  get cseq(): CSeq {
    return this.#required<CSeq>(CSEQ);
  }

  get contact(): ContactValue[] {
    return this.#required<ContactValue[]>(CONTACT);
  }

  /** True when the Contact is the `*` wildcard of a remove-all REGISTER (RFC 3261 §10.2.2). */
  get contactWildcard(): boolean {
    return this.header('contact')?.trim() === '*';
  }

  get route(): NameAddr[] {
    return this.#required<NameAddr[]>(ROUTE);
  }

  get recordRoute(): NameAddr[] {
    return this.#required<NameAddr[]>(RECORD_ROUTE);
  }

  get maxForwards(): number | undefined {
    return this.#required<number | undefined>(MAX_FORWARDS);
  }

  get expires(): number | undefined {
    return this.#required<number | undefined>(EXPIRES);
  }

  get minExpires(): number | undefined {
    const value = this.header('min-expires');
    return value === undefined ? undefined : parseDeltaSeconds(value);
  }

  /** The Content-Length header's value, or the body's length when the header is absent. */
  get contentLength(): number {
    const value = this.#required<number | undefined>(CONTENT_LENGTH);
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

  // ---- The same views as Results, for code that must turn a malformed header into an outcome instead of an
  // ---- exception: a client reading a response (RFC 3261 §8.1.3.3), where the packet path checked little.

  tryVia(): Result<Via[], MalformedHeaderError> {
    return this.#attempt<Via[]>(VIA);
  }

  tryTopVia(): Result<Via, MalformedHeaderError> {
    return this.#attempt<Via>(TOP_VIA);
  }

  /** From with its URI parsed as well (the `from` getter defers the URI, which then throws on first read). */
  tryFrom(): Result<AddressHeader, MalformedHeaderError> {
    return this.#attemptAddress(FROM);
  }

  /** To with its URI parsed as well, like tryFrom. */
  tryTo(): Result<AddressHeader, MalformedHeaderError> {
    return this.#attemptAddress(TO);
  }

  tryCallId(): Result<string, MalformedHeaderError> {
    return this.#attempt<string>(CALL_ID);
  }

  tryCSeq(): Result<CSeq, MalformedHeaderError> {
    return this.#attempt<CSeq>(CSEQ);
  }

  /** Every Contact value; an empty list for none or for the `*` wildcard (see contactWildcard). */
  tryContact(): Result<ContactValue[], MalformedHeaderError> {
    return this.#attempt<ContactValue[]>(CONTACT);
  }

  tryRoute(): Result<NameAddr[], MalformedHeaderError> {
    return this.#attempt<NameAddr[]>(ROUTE);
  }

  tryRecordRoute(): Result<NameAddr[], MalformedHeaderError> {
    return this.#attempt<NameAddr[]>(RECORD_ROUTE);
  }

  /** Expires: undefined when absent. */
  tryExpires(): Result<number | undefined, MalformedHeaderError> {
    return this.#attempt<number | undefined>(EXPIRES);
  }

  /** Min-Expires (RFC 3261 §20.23): undefined when absent; unlike the getter, malformed is told from absent. */
  tryMinExpires(): Result<number | undefined, MalformedHeaderError> {
    const value = this.header('min-expires');
    if (value === undefined) return ok(undefined);
    const seconds = parseDeltaSeconds(value);
    if (seconds !== undefined) return ok(seconds);
    return err(new MalformedHeaderError('Min-Expires', `not delta-seconds: ${preview(value)}`));
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
    // A bit per header of interest (a parsed section noted them while splitting): repeated single-value headers
    // and the optional typed headers present.
    const { seen, repeated } = this.#lines;
    if ((repeated & SINGLE_VALUE_BITS) !== 0)
      return err(parseError(`more than one ${this.#firstRepeated()} header`));
    let failed: ParseError | undefined;
    failed ??= this.#failure(depth === 'full' ? VIA : TOP_VIA);
    failed ??= this.#failure(FROM);
    failed ??= this.#failure(TO);
    failed ??= this.#failure(CALL_ID);
    failed ??= this.#failure(CSEQ);
    for (const slot of OPTIONAL_TYPED) if ((seen & SLOT_BITS[slot]!) !== 0) failed ??= this.#failure(slot);
    if (depth === 'full') failed ??= this.#uriFailure(FROM) ?? this.#uriFailure(TO);
    if (depth === 'full')
      for (const slot of OPTIONAL_DEEP) if ((seen & SLOT_BITS[slot]!) !== 0) failed ??= this.#failure(slot);
    if (failed) return err(failed);
    return ok(this);
  }

  /** The wire name of the single-value header whose second line comes first (the error path of validate()). */
  #firstRepeated(): string {
    const lines = this.#lines;
    let seen = 0;
    for (let i = 0; i < lines.length; i++) {
      const key = lines.keyOf(i);
      const bit = headerBit(key) & SINGLE_VALUE_BITS;
      if ((seen & bit) !== 0) return wireName(key);
      seen |= bit;
    }
    return '';
  }

  /** Reads a deferred From/To URI so strict validation rejects a malformed one. */
  #uriFailure(slot: number): ParseError | undefined {
    const result = this.#typed(slot);
    if (!result.ok) return result.error;
    try {
      void (result.value as AddressHeader).uri;
      return undefined;
    } catch (error) {
      return parseError(error instanceof Error ? error.message : String(error));
    }
  }

  // The parsers below read a parsed message's values in place in its head (ValueRef), without slicing them.

  /** The first line's value of a header (by key and headerBit), to be read in place. */
  #firstRef(key: string, bit: number): ValueRef | undefined {
    const index = this.#lines.firstLine(key, bit);
    return index < 0 ? undefined : this.#lines.ref(index);
  }

  /** Every value of a list header (by key and headerBit), as headerValues splits them, to be read in place. */
  #listRefs(key: string, bit: number): ValueRef[] {
    const out: ValueRef[] = [];
    const lines = this.#lines;
    for (let i = lines.firstLine(key, bit); i >= 0; i = lines.nextLine(key, bit, i))
      pushListRefs(lines.textOf(i), lines.startOf(i), lines.endOf(i), out, lines.bytesOf(i));
    return out;
  }

  private parseTopVia(): Result<Via, ParseError> {
    const lines = this.#lines;
    const bit = SLOT_BITS[VIA]!;
    for (let i = lines.firstLine('via', bit); i >= 0; i = lines.nextLine('via', bit, i)) {
      const via = firstViaIn(lines.textOf(i), lines.startOf(i), lines.endOf(i), lines.bytesOf(i));
      if (via !== undefined) return via;
    }
    return err(parseError('missing Via header'));
  }

  private parseVias(): Result<Via[], ParseError> {
    const refs = this.#listRefs('via', SLOT_BITS[VIA]!);
    if (refs.length === 0) return err(parseError('missing Via header'));
    const vias: Via[] = [];
    for (const ref of refs) {
      const via = parseVia(ref.text, ref.start, ref.end, ref.bytes);
      if (!via.ok) return via;
      vias.push(via.value);
    }
    return ok(vias);
  }

  private parseAddress(key: 'from' | 'to'): Result<AddressHeader, ParseError> {
    const lines = this.#lines;
    const index = lines.firstLine(key, SLOT_BITS[key === 'from' ? FROM : TO]!);
    if (index < 0) return err(parseError(`missing ${wireName(key)} header`));
    const header = key === 'from' ? 'From' : 'To';
    const text = lines.textOf(index);
    return parseAddressHeaderDeferred(
      text,
      header,
      lines.startOf(index),
      lines.endOf(index),
      lines.bytesOf(index),
    );
  }

  private parseCallId(): Result<string, ParseError> {
    const value = this.#first('call-id', SLOT_BITS[CALL_ID]!);
    if (value === undefined || value.length === 0) return err(parseError('missing Call-ID header'));
    // RFC 3261 §25.1 callid = word [ "@" word ]: no whitespace inside.
    if (/[\s]/.test(value)) return err(parseError('invalid Call-ID header'));
    return ok(value);
  }

  private parseCSeqHeader(): Result<CSeq, ParseError> {
    const ref = this.#firstRef('cseq', SLOT_BITS[CSEQ]!);
    if (ref === undefined) return err(parseError('missing CSeq header'));
    const cseq = parseCSeq(ref.text, ref.start, ref.end);
    if (cseq) return ok(cseq);
    return err(parseError(`invalid CSeq header: ${ref.text.slice(ref.start, ref.end).slice(0, 60)}`));
  }

  private parseContacts(): Result<ContactValue[], ParseError> {
    const refs = this.#listRefs('contact', SLOT_BITS[CONTACT]!);
    // RFC 3261 §10.2.2 / §10.3 step 6: "*" stands alone; mixed with other values it is a 400.
    if (refs.some(isWildcard))
      return refs.length === 1 ? ok([]) : err(parseError('Contact * together with other Contact values'));
    const contacts: ContactValue[] = [];
    for (const ref of refs) {
      const parsed = parseNameAddr(ref.text, ref.start, ref.end, ref.bytes);
      if (!parsed.ok) return parsed;
      const expiresText = parsed.value.params.get('expires');
      const qText = parsed.value.params.get('q');
      let expires: number | undefined;
      let q: number | undefined;
      if (typeof expiresText === 'string') {
        expires = parseDeltaSeconds(expiresText);
        if (expires === undefined)
          return err(parseError(`invalid Contact expires parameter: ${expiresText}`));
      }
      if (typeof qText === 'string') {
        if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(qText))
          return err(parseError(`invalid Contact q: ${qText}`));
        q = Number(qText);
      }
      contacts.push(contactValue(parsed.value, expires, q));
    }
    return ok(contacts);
  }

  private parseNameAddrList(slot: number): Result<NameAddr[], ParseError> {
    const out: NameAddr[] = [];
    for (const ref of this.#listRefs(TYPED_KEYS[slot]!, SLOT_BITS[slot]!)) {
      const parsed = parseNameAddr(ref.text, ref.start, ref.end, ref.bytes);
      if (!parsed.ok) return parsed;
      out.push(parsed.value);
    }
    return ok(out);
  }

  /** A scalar header (Max-Forwards, Expires, Content-Length) of at most `max`, or undefined when absent. */
  private parseOptionalNumber(slot: number, max: number): Result<number | undefined, ParseError> {
    // parseMessage read Content-Length already, to frame the body.
    const framed = slot === CONTENT_LENGTH ? this.#lines.contentLength : undefined;
    if (framed !== undefined) return ok(framed);
    const key = TYPED_KEYS[slot]!;
    const ref = this.#firstRef(key, SLOT_BITS[slot]!);
    if (ref === undefined) return ok(undefined);
    const n = parseScalarIn(ref.text, ref.start, ref.end, max);
    if (n !== undefined) return ok(n);
    const value = ref.text.slice(ref.start, ref.end);
    return err(parseError(`invalid ${wireName(key)} header: ${value.slice(0, 60)}`));
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request';
  #requestUri: Uri;
  #requestUriText: string;

  constructor(
    readonly method: string,
    requestUri: Uri,
    headers: HeaderField[] | HeaderSection = [],
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
    headers: HeaderField[] | HeaderSection = [],
    body: Uint8Array = EMPTY_BODY,
  ) {
    super(headers, body);
  }
}

export type SipMessage = SipRequest | SipResponse;

/** A Contact with its expires and q; object literals rather than spreads, with the keys a spread would give. */
function contactValue(nameAddr: NameAddr, expires: number | undefined, q: number | undefined): ContactValue {
  if (expires === undefined && q === undefined) return nameAddr;
  const { displayName, uri, params } = nameAddr;
  if (q === undefined) return { displayName, uri, params, expires };
  if (expires === undefined) return { displayName, uri, params, q };
  return { displayName, uri, params, expires, q };
}

/**
 * The first non-empty Via value of the line text[start, end), parsed; undefined when the line holds only empty
 * values. Usually the line is one value, read whole in place; a comma outside quotes ends a value (RFC 3261 §7.3.1).
 */
function firstViaIn(
  text: string,
  start: number,
  end: number,
  bytes: Uint8Array | undefined,
): Result<Via, ParseError> | undefined {
  // A slice (a view, not a copy) bounds the comma search to the line.
  const line = start === 0 && end === text.length ? text : text.slice(start, end);
  if (!line.includes(',')) return line.length > 0 ? parseVia(text, start, end, bytes) : undefined;
  const first = splitTopLevel(line)?.find((part) => part.length > 0);
  if (first !== undefined) return parseVia(first);
  if (line.includes('"')) return err(parseError('invalid Via header'));
  return undefined;
}

/** The error a typed getter throws for a slot, named as the header is on the wire (the top Via is a Via). */
function malformed(slot: number, error: ParseError): MalformedHeaderError {
  const key = TYPED_KEYS[slot]!;
  return new MalformedHeaderError(wireName(key === 'top-via' ? 'via' : key), error.reason);
}

function isWildcard(ref: ValueRef): boolean {
  return ref.end - ref.start === 1 && ref.text.charCodeAt(ref.start) === 0x2a;
}

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
