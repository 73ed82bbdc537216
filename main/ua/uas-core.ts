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

/** The methods whose requests name an event package (RFC 6665 §8.2.1), routed by it through handleEvent(). */
type EventMethod = 'SUBSCRIBE' | 'NOTIFY';

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
  /** Event usages by method, then by lower-case package name (presence, presence.winfo, ...). */
  readonly #eventHandlers = new Map<EventMethod, Map<string, RequestHandler>>();
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

  /**
   * Takes SUBSCRIBE or NOTIFY requests for one event package from now on (RFC 6665), whatever handler the method
   * has: a NOTIFY for `refer` still goes to the call usage, one for `presence` comes here. The usage matches its own
   * requests to its subscriptions — a NOTIFY may arrive before the 2xx that would have created the dialog (§4.1.2.4),
   * so the core's 481 for an unknown dialog does not apply to it. A request whose package nobody takes is answered
   * 489 Bad Event with Allow-Events (§8.3.2) once any package is taken for its method, unless a handler for the
   * method itself takes it.
   */
  handleEvent(method: EventMethod, eventPackage: string, handler: RequestHandler): void {
    let handlers = this.#eventHandlers.get(method);
    if (!handlers) {
      handlers = new Map();
      this.#eventHandlers.set(method, handlers);
    }
    handlers.set(eventPackage.toLowerCase(), handler);
  }

  /** The event packages taken for NOTIFY or SUBSCRIBE, for Allow-Events (RFC 6665 §8.2.2). */
  allowEvents(method: EventMethod): string[] {
    return [...(this.#eventHandlers.get(method)?.keys() ?? [])];
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
    const methods = new Set(['ACK', 'CANCEL', ...this.#handlers.keys(), ...this.#eventHandlers.keys()]);
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
    const eventHandlers =
      method === 'SUBSCRIBE' || method === 'NOTIFY' ? this.#eventHandlers.get(method) : undefined;
    const eventHandler = eventHandlers ? this.#eventHandler(request, eventHandlers) : undefined;
    if (eventHandlers && !eventHandler && !this.#handlers.has(method)) {
      // RFC 6665 §8.3.2: a package we do not take (or no Event at all, §8.2.1) is 489 with the ones we do.
      transaction.respond(
        this.#response(request, 489, { headers: [['Allow-Events', [...eventHandlers.keys()].join(', ')]] }),
      );
      return;
    }
    // §12.2.2: a request with a To tag belongs to a dialog; one we do not know → 481. An event usage matches its own.
    if (
      !eventHandler &&
      request.to.tag !== undefined &&
      !this.#dialogExists(request) &&
      method !== 'CANCEL'
    ) {
      transaction.respond(this.#response(request, 481));
      return;
    }
    const handler = eventHandler ?? this.#handlers.get(method);
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

  #eventHandler(request: SipRequest, handlers: Map<string, RequestHandler>): RequestHandler | undefined {
    const event = request.header('event');
    if (event === undefined) return undefined;
    const name = event.split(';', 1)[0]!.trim().toLowerCase();
    return handlers.get(name);
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
