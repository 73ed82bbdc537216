// RFC 3261 §8.2: what a UAS must answer before any usage sees a request — 416 for a Request-URI scheme it cannot
// handle (§8.2.2.1), 420 with Unsupported for an unknown Require (§8.2.2.3), 481 for a request inside a dialog that
// does not exist (§12.2.2), 405/501 with Allow for methods it does not take (§8.2.1), and OPTIONS (§11.2). Requests
// that pass go to the handler registered for their method.
//
// What we advertise is what we do: Allow (in OPTIONS answers, 405/501 and our own REGISTERs, through `allow`) is
// derived from the handlers registered here, so it can never list a method this core would refuse.
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { type ResponseOptions, createResponse } from '../sip/message/builders';
import { KNOWN_METHODS } from '../sip/message/parse';
import { MalformedHeaderError, type SipRequest, type SipResponse } from '../sip/message/message';
import type { MessageSource } from '../sip/transport/types';

export interface ServerTransactionHandle {
  respond(response: SipResponse): void;
  /** Where the request came from (the transaction layer always says; stubs in tests may not). */
  readonly source?: MessageSource;
}

export type RequestHandler = (request: SipRequest, transaction: ServerTransactionHandle) => void;

export interface UasCoreOptions {
  readonly logger?: Logger;
  readonly userAgent?: string;
  /** Option tags we implement (RFC 3261 §19.2), advertised in Supported and accepted in Require. */
  readonly supported?: readonly string[];
  /** Body types we accept, advertised in Accept for OPTIONS. */
  readonly accept?: readonly string[];
  /** Generates To tags for our responses. */
  readonly newTag: () => string;
}

/** How long a caller is told to wait (Retry-After, RFC 3261 §20.33) while no call usage takes INVITEs. */
export const NO_CALLS_RETRY_AFTER_SECONDS = 300;

/** RFC 3261's customary Allow order (§20.5 examples); methods not listed follow in the order they were taken. */
const ALLOW_ORDER = [
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'PRACK',
  'UPDATE',
  'INFO',
  'REFER',
  'NOTIFY',
  'SUBSCRIBE',
  'PUBLISH',
  'MESSAGE',
  'REGISTER',
];

export class UasCore {
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #options: UasCoreOptions;
  readonly #logger: Logger;
  /** Dialog lookup (the UserAgent plugs in its DialogSet): true when a request belongs to a known dialog. */
  #dialogExists: (request: SipRequest) => boolean = () => false;
  #observer: ((request: SipRequest) => void) | undefined;
  /** Option tags we implement: the options' own, plus those usages installed later add (session timers). */
  readonly #supported: string[];

  constructor(options: UasCoreOptions) {
    this.#options = options;
    this.#supported = [...(options.supported ?? [])];
    this.#logger = options.logger ?? silentLogger;
    this.#handlers.set('OPTIONS', (request, transaction) =>
      transaction.respond(this.#optionsResponse(request)),
    );
    // Until a call usage exists, INVITE is understood but nobody can take the call: 480 with Retry-After (§21.4.18)
    // says "try later", where a 405 would tell the caller's proxy never to try INVITE here. The server transaction
    // absorbs the ACK for this non-2xx final response (§17.2.1).
    this.#handlers.set('INVITE', (request, transaction) =>
      transaction.respond(
        this.#response(request, 480, {
          headers: [['Retry-After', String(NO_CALLS_RETRY_AFTER_SECONDS)]],
        }),
      ),
    );
  }

  /** Takes requests of `method` from now on; OPTIONS and INVITE have built-in answers a handler may replace. */
  handle(method: string, handler: RequestHandler): void {
    this.#handlers.set(method, handler);
  }

  /** Implements `tag` from now on: accepted in Require and advertised in Supported (RFC 3261 §19.2). */
  support(tag: string): void {
    if (!this.#supported.includes(tag)) this.#supported.push(tag);
  }

  setDialogLookup(lookup: (request: SipRequest) => boolean): void {
    this.#dialogExists = lookup;
  }

  /** Sees every request that reaches the core, before it is answered (the CLI prints them). */
  observe(observer: ((request: SipRequest) => void) | undefined): void {
    this.#observer = observer;
  }

  /**
   * The methods this core takes: every method with a handler, plus ACK and CANCEL, which the transaction layer
   * always handles (§17.2.3, §9.2). The one list behind every Allow we send.
   */
  get allow(): string[] {
    const methods = new Set(['ACK', 'CANCEL', ...this.#handlers.keys()]);
    const rank = (method: string): number => {
      const index = ALLOW_ORDER.indexOf(method);
      return index < 0 ? ALLOW_ORDER.length : index;
    };
    // Array.prototype.sort is stable, so unlisted methods keep the order they were taken in.
    return [...methods].sort((a, b) => rank(a) - rank(b));
  }

  /** Option tags we implement, for the Supported header of our requests and OPTIONS answers. */
  get supported(): string[] {
    return [...this.#supported];
  }

  receive(request: SipRequest, transaction: ServerTransactionHandle): void {
    this.#observer?.(request);
    const method = request.method;
    // ACK has no response (§17.1.1.3); one that matches nothing is simply absorbed.
    if (method === 'ACK') return;

    // §8.2.2.1: a Request-URI scheme we do not understand → 416.
    const scheme = request.requestUri.scheme;
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
      transaction.respond(this.#response(request, 416));
      return;
    }
    // §8.2.2.3: Require with option tags we lack → 420 listing them (never for CANCEL; ACK returned above).
    if (method !== 'CANCEL') {
      const supported = new Set(this.#supported.map((tag) => tag.toLowerCase()));
      const unsupported = request.require.filter((tag) => !supported.has(tag));
      if (unsupported.length > 0) {
        transaction.respond(
          this.#response(request, 420, { headers: [['Unsupported', unsupported.join(', ')]] }),
        );
        return;
      }
    }
    // §12.2.2: a request with a To tag belongs to a dialog; one we do not know → 481.
    if (request.to.tag !== undefined && !this.#dialogExists(request) && method !== 'CANCEL') {
      transaction.respond(this.#response(request, 481));
      return;
    }
    const handler = this.#handlers.get(method);
    if (handler) {
      try {
        handler(request, transaction);
      } catch (error) {
        // A header only this usage reads turned out malformed (the packet path checks just the essentials).
        if (error instanceof MalformedHeaderError) {
          transaction.respond(
            this.#response(request, 400, { reason: `Bad Request (${error.message.slice(0, 100)})` }),
          );
          return;
        }
        this.#logger.log('error', 'request handler failed', {
          method,
          error: error instanceof Error ? error.stack : String(error),
        });
        transaction.respond(this.#response(request, 500));
      }
      return;
    }
    // §8.2.1: 405 for a method we know but do not take, 501 for one we have never heard of; both carry Allow.
    const status = KNOWN_METHODS.has(method) ? 405 : 501;
    transaction.respond(this.#response(request, status, { headers: [['Allow', this.allow.join(', ')]] }));
  }

  /** §11.2: OPTIONS is answered as an INVITE would be, with our capabilities. */
  #optionsResponse(request: SipRequest): SipResponse {
    const headers: Array<readonly [string, string]> = [
      ['Allow', this.allow.join(', ')],
      ['Accept', (this.#options.accept ?? ['application/sdp']).join(', ')],
      ['Accept-Encoding', 'identity'],
      ['Accept-Language', 'en'],
    ];
    if (this.#supported.length > 0) headers.push(['Supported', this.#supported.join(', ')]);
    return this.#response(request, 200, { headers });
  }

  #response(request: SipRequest, status: number, options: Omit<ResponseOptions, 'toTag'> = {}): SipResponse {
    const headers = [...(options.headers ?? [])];
    if (this.#options.userAgent) headers.push(['Server', this.#options.userAgent]);
    return createResponse(request, status, { ...options, headers, toTag: this.#options.newTag() });
  }
}
