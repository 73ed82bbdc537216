// The engine's MessagingEngine: main/messaging's MessagingUsage on every user agent of the pool, as ua-call-engine.ts
// does for calls. The message service sits above it (stores, numbers, words); the usages below it (SIP). It maps
// the service's account ids to the user agents' accounts and back, and keeps no timer of its own: composing timers
// are the usages', on the agents' clock.
//
//   send(accountId, to, body) ─► the running account's agent ─► MessagingUsage.send ─► SendOutcome
//   send(null, to, body) ─► the agent on the local address towards `to` ─► straight to it, without an account
//   MESSAGE ─► MessagingUsage ─► IncomingMessage (account id by the account it came to) ─► the service's verdict
//   is-composing ─► MessagingUsage ─► ComposingIndication ─► onComposing
//
// Bounds are not counted twice. What is being sent is bounded above this seam, by the message service (its
// SENDING_MAX; the service is the only caller of `send`, once per message), and below it by each usage (MESSAGEs
// waiting for a final response on that user agent, and the composing conversations it follows each way).
import type { Logger } from '../platform/logger';
import { type SipUri, formatUri, isSipUri, parseUri } from '../sip/message/uri';
import {
  type MessagingLimits,
  MessagingUsage,
  type ReceivedVerdict,
  messagingHostOf,
} from '../messaging/messaging-usage';
import { messageFailure } from '../messaging/message-failure';
import { type NameResolver, resolveNextHop } from '../ua/next-hop';
import type { Account, UserAgent } from '../ua/user-agent';
import type { AgentHost } from './account-service';
import type {
  ComposingIndication,
  IncomingMessage,
  IncomingVerdict,
  MessagingEngine,
  OutgoingMessage,
  SendOutcome,
} from './messaging-engine';
import type { ShutdownAgentPool } from './ua-call-engine';

/** What the engine needs of the accounts (AccountService fits). */
export interface MessagingAccounts {
  live(id: string): { readonly account: Account; readonly ua: AgentHost } | undefined;
  idOf(account: Account): string | undefined;
}

export interface UaMessagingEngineDeps {
  readonly accounts: MessagingAccounts;
  readonly resolver: NameResolver;
  /** The local address the OS uses towards a remote one (a direct message's user agent). */
  readonly localAddressFor: (remote: string) => Promise<string>;
  readonly logger: Logger;
  readonly limits?: Partial<MessagingLimits>;
}

/** A user agent that can carry messages (UserAgent fits; test doubles without a UAS core carry none). */
type MessagingAgent = AgentHost & UserAgent;

export class UaMessagingEngine implements MessagingEngine {
  readonly #deps: UaMessagingEngineDeps;
  readonly #usages = new WeakMap<AgentHost, MessagingUsage>();
  readonly #all = new Set<MessagingUsage>();
  readonly #composing = new Set<(indication: ComposingIndication) => void>();
  #handler: ((message: IncomingMessage) => IncomingVerdict) | undefined;
  #agentsAt: ((localAddress: string) => Promise<AgentHost>) | undefined;
  #stopped = false;

  constructor(deps: UaMessagingEngineDeps) {
    this.#deps = deps;
  }

  /** The pool the accounts should use: the same agents, each taking MESSAGE from the first time it is handed out. */
  pool(inner: ShutdownAgentPool): ShutdownAgentPool {
    const get = async (localAddress: string): Promise<AgentHost> => {
      const agent = await inner.get(localAddress);
      this.#install(agent);
      return agent;
    };
    this.#agentsAt = get;
    return { get, shutdown: (timeoutMs) => inner.shutdown(timeoutMs) };
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    if (this.#stopped) return failure('failed', 'the engine is stopping');
    const target = sipTarget(message.to);
    if (target === undefined) return failure('failed', `${message.to.slice(0, 200)} is not a SIP URI`);
    const found = await this.#usageFor(message.accountId, target);
    if (!found.ok) return found.outcome;
    return found.usage.send(found.account, target, message.body);
  }

  setComposing(accountId: string | null, to: string, state: 'active' | 'idle'): void {
    if (this.#stopped) return;
    const target = sipTarget(to);
    if (target === undefined) return;
    void this.#usageFor(accountId, target).then((found) => {
      if (found.ok && !this.#stopped) found.usage.setComposing(found.account, target, state);
    });
  }

  setIncomingHandler(handler: (message: IncomingMessage) => IncomingVerdict): void {
    this.#handler = handler;
  }

  onComposing(listener: (indication: ComposingIndication) => void): () => void {
    this.#composing.add(listener);
    return () => this.#composing.delete(listener);
  }

  shutdown(): void {
    this.#stopped = true;
    for (const usage of this.#all) usage.dispose();
  }

  // ── inside ─────────────────────────────────────────────────────────────────────────────────────────────────

  #install(agent: AgentHost): void {
    if (this.#usages.has(agent) || !isMessagingAgent(agent)) return;
    const usage = new MessagingUsage(messagingHostOf(agent), this.#deps.limits);
    this.#usages.set(agent, usage);
    this.#all.add(usage);
    usage.setIncomingHandler((received): ReceivedVerdict => {
      const handler = this.#handler;
      // Nobody keeps messages yet: a server holding them (msilo) keeps them until someone does.
      if (handler === undefined || this.#stopped)
        return { kind: 'refused', status: 480, reason: 'Temporarily Unavailable' };
      return handler({
        accountId: this.#idOf(received.account),
        from: received.from,
        fromName: received.fromName,
        body: received.body,
        date: received.date,
        receivedAt: received.receivedAt,
        dedupeKey: received.dedupeKey,
      });
    });
    usage.onComposing((indication) => {
      const dto: ComposingIndication = {
        accountId: this.#idOf(indication.account),
        from: indication.from,
        state: indication.state,
      };
      for (const listener of [...this.#composing]) {
        try {
          listener(dto);
        } catch (error) {
          this.#deps.logger.log('error', 'a composing listener failed', { error: messageOf(error) });
        }
      }
    });
  }

  #idOf(account: Account | undefined): string | null {
    return account === undefined ? null : (this.#deps.accounts.idOf(account) ?? null);
  }

  async #usageFor(
    accountId: string | null,
    target: SipUri,
  ): Promise<
    | { readonly ok: true; readonly usage: MessagingUsage; readonly account: Account | undefined }
    | { readonly ok: false; readonly outcome: SendOutcome }
  > {
    if (accountId !== null) {
      const live = this.#deps.accounts.live(accountId);
      if (live === undefined)
        return { ok: false, outcome: failure('no-account', 'the account is not running') };
      const usage = this.#usages.get(live.ua);
      if (usage === undefined)
        return { ok: false, outcome: failure('no-account', 'messages are not available on this user agent') };
      return { ok: true, usage, account: live.account };
    }
    let localAddress: string;
    try {
      const hop = await resolveNextHop(target, undefined, 'udp', this.#deps.resolver);
      localAddress = await this.#deps.localAddressFor(hop.address);
    } catch (error) {
      return {
        ok: false,
        outcome: failure('unreachable', `cannot reach ${formatUri(target)}: ${messageOf(error)}`),
      };
    }
    if (this.#agentsAt === undefined)
      return { ok: false, outcome: failure('no-account', 'no user agent carries messages') };
    try {
      const agent = await this.#agentsAt(localAddress);
      const usage = this.#usages.get(agent);
      if (usage === undefined)
        return { ok: false, outcome: failure('no-account', `messages cannot run on ${localAddress}`) };
      return { ok: true, usage, account: undefined };
    } catch (error) {
      return {
        ok: false,
        outcome: failure('unreachable', `cannot open a SIP socket on ${localAddress}: ${messageOf(error)}`),
      };
    }
  }
}

function isMessagingAgent(agent: AgentHost): agent is MessagingAgent {
  const candidate = agent as Partial<UserAgent>;
  return (
    typeof candidate.requestsFor === 'function' &&
    candidate.core !== undefined &&
    candidate.transport !== undefined
  );
}

function sipTarget(text: string): SipUri | undefined {
  const parsed = parseUri(text);
  return parsed.ok && isSipUri(parsed.value) ? parsed.value : undefined;
}

function failure(reason: 'failed' | 'no-account' | 'unreachable', detail: string): SendOutcome {
  return { ok: false, failure: messageFailure(reason, null, detail) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
