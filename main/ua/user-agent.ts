// The user agent: one transport (UDP + TCP on one local address), one transaction layer, the UAS core, and the
// accounts registered through them. This is the composition the CLI, the web host and Electron's main all use.
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { Random } from '../platform/random';
import type { SocketFactory } from '../platform/sockets';
import { DialogSet } from '../sip/dialog/dialog-set';
import { createResponse, reasonPhrase } from '../sip/message/builders';
import { printable } from '../sip/message/result';
import type { SipUri } from '../sip/message/uri';
import { TransactionLayer } from '../sip/transaction/transaction-layer';
import type { TimerSettings } from '../sip/transaction/timers';
import { type InvalidMessage, type TraceEvent, TransportLayer } from '../sip/transport/transport-layer';
import type { Destination, TransportProtocol } from '../sip/transport/types';
import type { BackoffPolicy } from './backoff';
import { FlowTable, type KeepAlivePolicy } from './flow-keep-alive';
import { type NameResolver, NoNameResolver, resolveNextHop } from './next-hop';
import { CallUsage, type CallUsageOptions } from './call/call-usage';
import { Registerer, registrarOf } from './registration/registerer';
import { type LocalIdentity, RequestFactory } from './request-factory';
import { UasCore } from './uas-core';

/** Without these a response cannot be built or matched by the peer (RFC 3261 §8.2.6.2). */
const RESPONSE_ROUTING_HEADERS = ['via', 'from', 'to', 'call-id', 'cseq'];

export interface UserAgentOptions {
  readonly sockets: SocketFactory;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger?: Logger;
  /** Local IP address to bind; what our Via and Contact carry. */
  readonly bindAddress: string;
  readonly port?: number;
  readonly protocols?: readonly TransportProtocol[];
  /** User-Agent / Server header value. */
  readonly userAgent?: string;
  /** Name lookups for accounts without an outbound proxy; none by default. */
  readonly resolver?: NameResolver;
  readonly timers?: Partial<TimerSettings>;
}

export interface AccountConfig {
  readonly aor: SipUri;
  readonly password: string;
  readonly authUser?: string;
  readonly displayName?: string;
  /** Every request goes here first (RFC 3261 §8.1.2); the AoR's domain is then never resolved. */
  readonly outboundProxy?: SipUri;
  readonly registrar?: SipUri;
  readonly transport: TransportProtocol;
  readonly expires: number;
  readonly instanceId?: string;
  readonly keepAlive?: KeepAlivePolicy;
  readonly backoff?: BackoffPolicy;
}

export interface Account {
  readonly id: string;
  readonly config: AccountConfig;
  readonly registerer: Registerer;
  /** Builds this account's requests outside dialogs. */
  readonly requests: RequestFactory;
}

export class UserAgent {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly core: UasCore;
  /** Every dialog this agent holds; the UAS core asks it whether a request with a To tag has one (else 481). */
  readonly dialogs = new DialogSet();
  /** The flows our registrations use: their keep-alives, and who to tell when one breaks. */
  readonly flows: FlowTable;
  readonly #options: UserAgentOptions;
  readonly #logger: Logger;
  readonly #accounts = new Map<string, Account>();
  #nextAccount = 1;
  #calls: CallUsage | undefined;

  private constructor(options: UserAgentOptions, transport: TransportLayer) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.transport = transport;
    this.flows = new FlowTable({
      clock: options.clock,
      sendCrlf: (destination) => transport.sendKeepAlive(destination),
      logger: this.#logger,
    });
    this.core = new UasCore({
      newTag: () => options.random.token(10),
      logger: this.#logger,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
    this.core.setDialogLookup(this.dialogs.hasDialogFor);
    this.transactions = new TransactionLayer({
      clock: options.clock,
      random: options.random,
      transport,
      logger: this.#logger,
      ...(options.timers ? { timers: options.timers } : {}),
      user: {
        onRequest: (request, transaction) => this.core.receive(request, transaction),
        onAck: (ack) => this.#calls?.receiveAck(ack),
        onStray2xx: (response) => {
          if (this.#calls?.receiveStray2xx(response)) return;
          this.#logger.log('debug', 'stray 2xx to INVITE with no call to take it', {
            callId: response.callId,
          });
        },
        onCancel: (_cancel, invite) => {
          if (this.#calls?.receiveCancel(invite)) return;
          // No call takes this INVITE; one that is still pending ends with 487 (RFC 3261 §9.2).
          invite.respond(createResponse(invite.request, 487, { toTag: options.random.token(10) }));
        },
      },
    });
    transport.onMessage((incoming) => this.transactions.receive(incoming));
    transport.onInvalid((invalid) => this.#answerInvalid(invalid));
    transport.onConnectionClosed((destination) => this.flows.closed(destination));
    transport.onPong((destination) => this.flows.pong(destination));
  }

  static async start(options: UserAgentOptions): Promise<UserAgent> {
    const transport = await TransportLayer.start({
      sockets: options.sockets,
      bindAddress: options.bindAddress,
      clock: options.clock,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.protocols ? { protocols: options.protocols } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return new UserAgent(options, transport);
  }

  /**
   * The time, randomness, name lookups and logger this agent runs on, for usages composed beside it (presence,
   * messages) so that they share its clock: one ManualClock drives them all in tests.
   */
  get seams(): { clock: Clock; random: Random; resolver: NameResolver; logger: Logger } {
    const options = this.#options;
    return {
      clock: options.clock,
      random: options.random,
      resolver: options.resolver ?? new NoNameResolver(),
      logger: this.#logger,
    };
  }

  /** The call usage, once installed. */
  get calls(): CallUsage | undefined {
    return this.#calls;
  }

  /**
   * Installs the call usage: from now on INVITEs are taken (instead of the UAS core's 480) and calls can be dialled.
   * Installing twice returns the first usage.
   */
  installCalls(options: CallUsageOptions): CallUsage {
    if (this.#calls) return this.#calls;
    const agent = this.#options;
    this.#calls = new CallUsage(
      {
        clock: agent.clock,
        random: agent.random,
        logger: this.#logger,
        timers: this.transactions.timers,
        core: this.core,
        transactions: this.transactions,
        dialogs: this.dialogs,
        resolver: agent.resolver ?? new NoNameResolver(),
        accounts: () => this.accounts,
        directRequests: (identity) => this.#identityRequests(identity, undefined),
        localAddress: () => {
          const sentBy = this.transport.sentBy({ protocol: 'udp', address: agent.bindAddress, port: 5060 });
          return { host: sentBy.host, port: sentBy.port };
        },
      },
      options,
    );
    return this.#calls;
  }

  onTrace(handler: ((event: TraceEvent) => void) | undefined): void {
    this.transport.onTrace(handler);
  }

  get accounts(): Account[] {
    return [...this.#accounts.values()];
  }

  addAccount(config: AccountConfig): Account {
    const id = `account-${this.#nextAccount++}`;
    const resolver = this.#options.resolver ?? new NoNameResolver();
    const proxy = config.outboundProxy;
    const registrar = config.registrar ?? registrarOf(config.aor);
    const requests = this.#requestFactory(config);
    const keepAlive = config.keepAlive;
    const registerer = new Registerer(
      {
        password: config.password,
        expires: config.expires,
        ...(config.authUser ? { authUser: config.authUser } : {}),
        ...(config.registrar ? { registrar: config.registrar } : {}),
      },
      {
        clock: this.#options.clock,
        random: this.#options.random,
        sender: this.transactions,
        requests,
        resolveDestination: () => resolveNextHop(registrar, proxy, config.transport, resolver),
        watchFlow: (destination, onFailed) =>
          this.flows.watch(destination, {
            ...(keepAlive ? { keepAlive } : {}),
            // The OPTIONS ping goes where the REGISTERs go, so it proves the same path (RFC 3261 §11).
            ping: (target) => this.#ping(requests, registrar, target),
            onFailed,
          }),
        logger: this.#logger,
        ...(config.backoff ? { backoff: config.backoff } : {}),
      },
    );
    const account: Account = { id, config, registerer, requests };
    this.#accounts.set(id, account);
    return account;
  }

  /** Sends an OPTIONS ping; true when anything answered (only silence or a transport error means the flow is gone). */
  #ping(requests: RequestFactory, target: SipUri, destination: Destination): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const ping = requests.create(destination, { method: 'OPTIONS', requestUri: target });
      this.transactions.sendRequest(ping, destination, {
        onFinal: (response) => resolve(response.status !== 408 && response.status !== 503),
      });
    });
  }

  /** The factory for an account's out-of-dialog requests (REGISTER now; OPTIONS, MESSAGE, INVITE, ... later). */
  #requestFactory(config: AccountConfig): RequestFactory {
    return this.#identityRequests(
      { aor: config.aor, ...(config.displayName ? { displayName: config.displayName } : {}) },
      config.outboundProxy,
      config.instanceId,
    );
  }

  #identityRequests(identity: LocalIdentity, proxy: SipUri | undefined, instanceId?: string): RequestFactory {
    return new RequestFactory({
      random: this.#options.random,
      identity,
      contactAddress: (destination) => {
        const sentBy = this.transport.sentBy(destination);
        return { host: sentBy.host, port: sentBy.port };
      },
      // What we advertise is what the UAS core takes, read when each request is built.
      capabilities: () => ({ allow: this.core.allow, supported: this.core.supported }),
      routeSet: proxy ? [{ uri: looseRoute(proxy), params: new Map() }] : [],
      ...(instanceId ? { instanceId } : {}),
      ...(this.#options.userAgent ? { userAgent: this.#options.userAgent } : {}),
    });
  }

  /**
   * Out-of-dialog requests for an identity that is no account of ours (a message or call sent straight to an
   * address): our Contact, Allow, Supported and User-Agent, no route set.
   */
  requestsFor(identity: LocalIdentity): RequestFactory {
    return this.#identityRequests(identity, undefined);
  }

  /** Unregisters (bounded) and forgets an account. */
  async removeAccount(id: string, timeoutMs = 4_000): Promise<void> {
    const account = this.#accounts.get(id);
    if (!account) return;
    try {
      await account.registerer.unregister(timeoutMs);
    } finally {
      // Removing an account always completes, even when its un-REGISTER could not be sent.
      account.registerer.dispose();
      this.#accounts.delete(id);
    }
  }

  /** Unregisters every account in parallel, waiting at most `timeoutMs`, then closes the sockets. */
  async shutdown(timeoutMs = 4_000): Promise<void> {
    this.#calls?.hangupAll();
    await Promise.all(this.accounts.map((account) => account.registerer.unregister(timeoutMs)));
    for (const account of this.accounts) account.registerer.dispose();
    this.flows.dispose();
    this.transactions.shutdown();
    this.transport.close();
  }

  /** RFC 3261 §8.2 / §21.4.1: answer a malformed request with 400 when enough of it survives to route a response. */
  #answerInvalid(invalid: InvalidMessage): void {
    const partial = invalid.partial;
    this.#logger.log('debug', 'malformed message', {
      reason: invalid.error.reason,
      from: invalid.source.address,
    });
    if (!partial || partial.kind !== 'request' || partial.method === 'ACK') return;
    if (!RESPONSE_ROUTING_HEADERS.every((name) => partial.hasHeader(name))) return;
    try {
      const { status, reason } = invalid.error;
      const response = createResponse(partial, status, {
        // The parser's reason may quote the sender's text: control bytes (a NUL, a line break) go no further.
        reason: `${reasonPhrase(status)} (${printable(reason).slice(0, 100)})`,
        toTag: this.#options.random.token(10),
      });
      // The response must be routable: its top Via has to parse.
      if (!response.topVia) return;
      void this.transport.sendResponse(response, invalid.source).catch(() => undefined);
    } catch {
      // Too broken to answer (no usable Via, From, To, Call-ID or CSeq): drop it, as §18.3 allows.
    }
  }
}

/** An outbound proxy as a loose route (RFC 3261 §8.1.2, §16.12): its URI with `lr`. */
function looseRoute(proxy: SipUri): SipUri {
  const params = new Map(proxy.params);
  params.set('lr', null);
  return { ...proxy, params };
}
