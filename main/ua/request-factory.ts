// RFC 3261 §8.1.1: the header fields a UAC puts in every request it sends outside a dialog — Request-URI, To, From
// with a fresh tag (§8.1.1.3), Call-ID (§8.1.1.4), CSeq (§8.1.1.5), Max-Forwards (§8.1.1.6), a preloaded Route set
// for an outbound proxy (§8.1.2), Contact (§8.1.1.8) — plus what we advertise: Allow and Supported (§20.5, §20.37)
// from the UAS core's own list, and User-Agent. Registration, OPTIONS pings, and later INVITE, SUBSCRIBE, PUBLISH and
// MESSAGE all build their requests here; usages add only their own headers (Expires, Event, credentials, a body).
// The Via is not ours to add: the transaction layer stamps it with the transport's sent-by (§18.1.1).
import type { Random } from '../platform/random';
import { createRequest } from '../sip/message/builders';
import type { SipRequest } from '../sip/message/message';
import type { NameAddr } from '../sip/message/name-addr';
import { type SipUri, type Uri, isSipUri } from '../sip/message/uri';
import type { Destination } from '../sip/transport/types';

/** Who we are: the From of every request (and the To of a REGISTER). */
export interface LocalIdentity {
  readonly aor: SipUri;
  readonly displayName?: string;
}

/** What this UA takes and understands, read when each request is built so it follows the UAS core. */
export interface Capabilities {
  readonly allow: readonly string[];
  readonly supported: readonly string[];
}

export interface RequestFactoryOptions {
  readonly random: Random;
  readonly identity: LocalIdentity;
  /** Our Contact address for a destination: the transport's sent-by for the flow the request will use. */
  readonly contactAddress: (destination: Destination) => { readonly host: string; readonly port: number };
  readonly capabilities: () => Capabilities;
  /** Loose-route set preloaded for an outbound proxy (RFC 3261 §8.1.2); empty without one. */
  readonly routeSet?: readonly NameAddr[];
  /** A stable urn:uuid for the Contact's +sip.instance (RFC 5626 §4.1), when the device has one. */
  readonly instanceId?: string;
  readonly userAgent?: string;
  /** RFC 3261 §8.1.1.6 recommends 70. */
  readonly maxForwards?: number;
}

/** One out-of-dialog request: the method and target, and what only this usage knows. */
export interface OutOfDialogRequest {
  readonly method: string;
  readonly requestUri: Uri;
  /** The To header's address; the Request-URI (without its parameters) when omitted (§8.1.1.2). */
  readonly to?: NameAddr;
  /**
   * `true` adds our Contact for the destination (REGISTER, INVITE and SUBSCRIBE need one; optional elsewhere); a
   * usage that keeps the Contact it sent (a registration matching its binding) passes the one from contact().
   */
  readonly contact?: boolean | NameAddr;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  /**
   * The From tag, when the usage must keep one across requests: a SUBSCRIBE retried with credentials stays the same
   * would-be dialog (RFC 6665 §4.1.2.4 matches NOTIFYs by it). A fresh tag otherwise.
   */
  readonly fromTag?: string;
}

/** Token lengths: 20 of [0-9a-z] for a Call-ID (~103 bits, §8.1.1.4) and 10 for a tag (~51 bits, §19.3). */
const CALL_ID_LENGTH = 20;
const TAG_LENGTH = 10;
/** §8.1.1.5: the first CSeq of a sequence is arbitrary below 2^31; a random one keeps restarts apart. */
const CSEQ_START_RANGE = 10_000;

export class RequestFactory {
  readonly #options: RequestFactoryOptions;

  constructor(options: RequestFactoryOptions) {
    this.#options = options;
  }

  get identity(): LocalIdentity {
    return this.#options.identity;
  }

  /**
   * Requests that share one Call-ID with a CSeq that grows by one each time: registration refreshes (RFC 3261
   * §10.2.4), and later PUBLISH and out-of-dialog SUBSCRIBE refreshes.
   */
  sequence(): RequestSequence {
    const random = this.#options.random;
    const callId = random.token(CALL_ID_LENGTH);
    const firstCSeq = 1 + Math.floor(random.fraction() * CSEQ_START_RANGE);
    return new RequestSequence(this, callId, firstCSeq);
  }

  /** A fresh tag, for a usage that keeps its From tag across requests (see OutOfDialogRequest.fromTag). */
  newTag(): string {
    return this.#options.random.token(TAG_LENGTH);
  }

  /** A one-off request with a Call-ID of its own and CSeq 1 (an OPTIONS ping, a MESSAGE, an initial INVITE). */
  create(destination: Destination, spec: OutOfDialogRequest): SipRequest {
    return this.build(destination, spec, this.#options.random.token(CALL_ID_LENGTH), 1);
  }

  /** Our Contact for requests over `destination` (RFC 3261 §8.1.1.8): reachable at the flow's sent-by. */
  contact(destination: Destination): NameAddr {
    const options = this.#options;
    const address = options.contactAddress(destination);
    const uriParams = new Map<string, string | null>();
    // Over TCP the Contact says so, or requests to us would come over UDP (RFC 3261 §19.1.4 default).
    if (destination.protocol === 'tcp') uriParams.set('transport', 'tcp');
    const params = new Map<string, string | null>();
    if (options.instanceId) params.set('+sip.instance', `<${options.instanceId}>`);
    return {
      uri: {
        scheme: 'sip',
        user: options.identity.aor.user,
        host: address.host,
        port: address.port,
        params: uriParams,
        headers: new Map(),
      },
      params,
    };
  }

  /** Builds a request with the given Call-ID and CSeq; RequestSequence and create() are the ways in. */
  build(destination: Destination, spec: OutOfDialogRequest, callId: string, cseq: number): SipRequest {
    // ACK and CANCEL copy their INVITE's Call-ID, CSeq number, Route and Via (§17.1.1.3, §9.1): never built anew.
    if (spec.method === 'ACK' || spec.method === 'CANCEL')
      throw new TypeError(`${spec.method} is built from its INVITE, not by the request factory`);
    const options = this.#options;
    const identity = options.identity;
    const capabilities = options.capabilities();
    const headers: Array<readonly [string, string]> = [];
    if (capabilities.allow.length > 0) headers.push(['Allow', capabilities.allow.join(', ')]);
    if (capabilities.supported.length > 0) headers.push(['Supported', capabilities.supported.join(', ')]);
    if (options.userAgent) headers.push(['User-Agent', options.userAgent]);
    headers.push(...(spec.headers ?? []));
    return createRequest({
      method: spec.method,
      requestUri: spec.requestUri,
      from: {
        uri: identity.aor,
        params: new Map(),
        ...(identity.displayName ? { displayName: identity.displayName } : {}),
        tag: spec.fromTag ?? options.random.token(TAG_LENGTH),
      },
      to: spec.to ?? { uri: withoutParameters(spec.requestUri), params: new Map() },
      callId,
      cseq,
      ...(options.maxForwards !== undefined ? { maxForwards: options.maxForwards } : {}),
      ...(spec.contact === true ? { contact: [this.contact(destination)] } : {}),
      ...(typeof spec.contact === 'object' ? { contact: [spec.contact] } : {}),
      route: options.routeSet ?? [],
      headers,
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.contentType ? { contentType: spec.contentType } : {}),
    });
  }
}

/** One Call-ID and its CSeq counter (RFC 3261 §8.1.1.5: each new request in it takes the next number). */
export class RequestSequence {
  readonly #factory: RequestFactory;
  readonly callId: string;
  #nextCSeq: number;

  constructor(factory: RequestFactory, callId: string, firstCSeq: number) {
    this.#factory = factory;
    this.callId = callId;
    this.#nextCSeq = firstCSeq;
  }

  /** The CSeq the next request will carry. */
  get nextCSeq(): number {
    return this.#nextCSeq;
  }

  next(destination: Destination, spec: OutOfDialogRequest): SipRequest {
    return this.#factory.build(destination, spec, this.callId, this.#nextCSeq++);
  }
}

/** §8.1.1.2: the To of a request is its target's address, not the routing parameters of the Request-URI. */
function withoutParameters(uri: Uri): Uri {
  return isSipUri(uri) ? { ...uri, params: new Map(), headers: new Map() } : uri;
}
