// RFC 6665 on the user agent: the subscriber side of every event package we watch. It takes NOTIFYs for its
// packages from the UAS core (UasCore.handleEvent), finds the subscription by Call-ID and To tag — the tag of our
// SUBSCRIBE, which a NOTIFY carries whether or not the dialog exists yet (§4.1.2.4) — and answers 481 for one that
// matches none (§4.1.3). It creates subscriptions for an account and bounds how many exist, since each holds
// dialogs and timers.
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { Random } from '../platform/random';
import { DigestAuthenticator } from '../sip/auth/authenticator';
import { dialogSetKey } from '../sip/dialog/dialog-id';
import type { DialogSet } from '../sip/dialog/dialog-set';
import { createResponse } from '../sip/message/builders';
import type { SipRequest } from '../sip/message/message';
import { type Result, err, ok } from '../sip/message/result';
import { type SipUri, isSipUri } from '../sip/message/uri';
import type { TransportProtocol } from '../sip/transport/types';
import type { BackoffPolicy } from '../ua/backoff';
import { type NameResolver, resolveNextHop } from '../ua/next-hop';
import type { RequestFactory } from '../ua/request-factory';
import type { RequestSender } from '../ua/request-sender';
import type { ServerTransactionHandle, UasCore } from '../ua/uas-core';
import type { Account } from '../ua/user-agent';
import { Subscription, type SubscriptionSpec } from './subscription';

export interface SubscriptionHost {
  readonly core: UasCore;
  readonly dialogs: DialogSet;
  readonly sender: RequestSender;
  readonly clock: Clock;
  readonly random: Random;
  readonly resolver: NameResolver;
  readonly logger?: Logger;
}

/** The account a subscription belongs to: who we are, how to authenticate, where requests go first. */
export interface SubscriberAccount {
  readonly requests: RequestFactory;
  readonly password: string;
  readonly authUser?: string;
  readonly outboundProxy?: SipUri;
  readonly transport: TransportProtocol;
  readonly backoff?: BackoffPolicy;
}

/** What a subscription or publication needs of one of the user agent's accounts. */
export function subscriberOf(account: Account): SubscriberAccount {
  const config = account.config;
  return {
    requests: account.requests,
    password: config.password,
    transport: config.transport,
    ...(config.authUser !== undefined ? { authUser: config.authUser } : {}),
    ...(config.outboundProxy !== undefined ? { outboundProxy: config.outboundProxy } : {}),
    ...(config.backoff !== undefined ? { backoff: config.backoff } : {}),
  };
}

/** Answers the account's digest challenges: its auth user, else the user part of its address-of-record. */
export function authenticatorOf(account: SubscriberAccount, random: Random): DigestAuthenticator {
  return new DigestAuthenticator({
    username: account.authUser ?? account.requests.identity.aor.user ?? '',
    password: account.password,
    random,
  });
}

/** The host a user agent offers: its UAS core, dialogs and transaction layer. */
export function hostOf(agent: {
  readonly core: UasCore;
  readonly dialogs: DialogSet;
  readonly transactions: RequestSender;
  readonly seams: Omit<SubscriptionHost, 'core' | 'dialogs' | 'sender'>;
}): SubscriptionHost {
  return { core: agent.core, dialogs: agent.dialogs, sender: agent.transactions, ...agent.seams };
}

export interface SubscriptionLimits {
  /** Subscriptions alive at once across all accounts (a buddy list of 500 fits with room to spare). */
  readonly maxSubscriptions: number;
  /** Forked dialogs per subscription. */
  readonly maxDialogsPerSubscription: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  maxSubscriptions: 2_000,
  maxDialogsPerSubscription: 4,
};

export interface SubscribeError {
  readonly code: 'limit';
  readonly message: string;
}

export class SubscriptionUsage {
  readonly #host: SubscriptionHost;
  readonly #limits: SubscriptionLimits;
  /** Subscriptions by the Call-ID and From tag of their current SUBSCRIBE. */
  readonly #routes = new Map<string, Subscription>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #packages = new Set<string>();

  constructor(host: SubscriptionHost, limits: Partial<SubscriptionLimits> = {}) {
    this.#host = host;
    this.#limits = { ...DEFAULT_SUBSCRIPTION_LIMITS, ...limits };
  }

  /** Subscriptions that exist (whatever their state) until disposed. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** Takes NOTIFYs of `eventPackage` from the UAS core from now on (the first subscription to it does this). */
  takePackage(eventPackage: string): void {
    const name = eventPackage.toLowerCase();
    if (this.#packages.has(name)) return;
    this.#packages.add(name);
    this.#host.core.handleEvent('NOTIFY', name, (request, transaction) =>
      this.#receiveNotify(request, transaction),
    );
  }

  /** A subscription for `account` (not yet started: call subscribe() on it once listeners are in place). */
  create(account: SubscriberAccount, spec: SubscriptionSpec): Result<Subscription, SubscribeError> {
    if (this.#subscriptions.size >= this.#limits.maxSubscriptions)
      return err({ code: 'limit', message: `${this.#limits.maxSubscriptions} subscriptions exist already` });
    this.takePackage(spec.event);
    const host = this.#host;
    // What a subscription asks for we must take in its NOTIFYs' Require (eventlist, RFC 4662 §4.1); the agent then
    // advertises it in Supported, so the initial SUBSCRIBE carries it from the request factory.
    for (const tag of spec.supported ?? []) host.core.support(tag);
    const transport = account.transport;
    const requests = account.requests;
    const subscription = new Subscription(spec, {
      clock: host.clock,
      random: host.random,
      sender: host.sender,
      requests,
      dialogs: host.dialogs,
      authenticator: authenticatorOf(account, host.random),
      resolveDestination: () => resolveNextHop(spec.target, account.outboundProxy, transport, host.resolver),
      resolveDialogDestination: (dialog) => {
        const hop = dialog.routeSet[0]?.uri ?? dialog.remoteTarget;
        if (!isSipUri(hop)) return Promise.reject(new Error('the dialog target is not a SIP URI'));
        return resolveNextHop(hop, undefined, transport, host.resolver);
      },
      claim: (callId, localTag) => {
        const key = dialogSetKey(callId, localTag);
        this.#routes.set(key, subscription);
        return () => {
          if (this.#routes.get(key) === subscription) this.#routes.delete(key);
        };
      },
      maxDialogs: this.#limits.maxDialogsPerSubscription,
      ...(account.backoff ? { backoff: account.backoff } : {}),
      ...(host.logger ? { logger: host.logger } : {}),
    });
    this.#subscriptions.add(subscription);
    return ok(subscription);
  }

  /** Unsubscribes and forgets one subscription. */
  async remove(subscription: Subscription, timeoutMs = 4_000): Promise<void> {
    try {
      await subscription.unsubscribe(timeoutMs);
    } finally {
      subscription.dispose();
      this.#subscriptions.delete(subscription);
    }
  }

  /** Unsubscribes everything in parallel (account removal, exit), waiting at most `timeoutMs`. */
  async removeAll(timeoutMs = 4_000): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => this.remove(subscription, timeoutMs)));
  }

  /** Every subscription subscribes afresh (the server restarted, or the account registered again). */
  resubscribeAll(): void {
    for (const subscription of this.#subscriptions) {
      const name = subscription.state.name;
      if (name !== 'idle' && name !== 'unsubscribing') subscription.subscribe();
    }
  }

  #receiveNotify(request: SipRequest, transaction: ServerTransactionHandle): void {
    const to = request.tryTo();
    const callId = request.tryCallId();
    const subscription =
      to.ok && callId.ok && to.value.tag !== undefined
        ? this.#routes.get(dialogSetKey(callId.value, to.value.tag))
        : undefined;
    if (!subscription) {
      // §4.1.3: a NOTIFY that matches no subscription of ours; the notifier ends its side on this answer.
      (this.#host.logger ?? silentLogger).log('debug', 'NOTIFY for no subscription', {
        callId: callId.ok ? callId.value : undefined,
      });
      transaction.respond(createResponse(request, 481));
      return;
    }
    subscription.receiveNotify(request, transaction);
  }
}
