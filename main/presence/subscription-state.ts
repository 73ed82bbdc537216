// RFC 6665 §4.1: the life of one subscription as a subscriber sees it, and what a "terminated" NOTIFY asks of us
// (§4.1.3). The transitions are a guarded table (Subscription checks every move against it); the reaction to a
// termination reason is a pure function so each row of §4.1.3 has its own test.
//
//            subscribe()                 NOTIFY active/pending
//   idle ─────────────► subscribing ───────────────────────────► pending ◄──► active
//                         │   ▲  │ failure worth a retry            │  terminated: resubscribe │
//                         │   │  └──────────► waiting ◄─────────────┴──────────────────────────┘
//                         │   └── timer ─────────┘  (retry-after, backoff)
//                         │ rejected, 489, bad credentials, noresource...       unsubscribe()
//                         └────────────────────────────────► terminated ◄── unsubscribing ◄── (any live state)
//
// `terminated` may start again (subscribe() once more); `unsubscribing` ends only in `terminated`.

export type SubscriptionStateName =
  'idle' | 'subscribing' | 'pending' | 'active' | 'waiting' | 'unsubscribing' | 'terminated';

/** Why a subscription ended for good; each is final until someone subscribes again. */
export type TerminatedReason =
  /** We unsubscribed. */
  | 'unsubscribed'
  /** The notifier refused (a 403/404/603..., or Subscription-State reason=rejected). */
  | 'rejected'
  /** The resource does not exist (reason=noresource). */
  | 'noresource'
  /** The resource will never be available to this subscription (reason=invariant). */
  | 'invariant'
  /** 489 Bad Event: the server does not offer this package (a later piece may switch to peer-to-peer). */
  | 'bad-event'
  | 'bad-credentials'
  | 'unsupported-challenge'
  /** 423 without a Min-Expires we could meet. */
  | 'interval-too-brief';

export type SubscriptionState =
  | { readonly name: 'idle' }
  | { readonly name: 'subscribing'; readonly attempt: number }
  | { readonly name: 'pending' }
  | { readonly name: 'active' }
  | {
      readonly name: 'waiting';
      readonly retryInMs: number;
      /** What happened: a status line, or the Subscription-State reason. */
      readonly detail: string;
      readonly status?: number;
    }
  | { readonly name: 'unsubscribing' }
  | {
      readonly name: 'terminated';
      readonly reason: TerminatedReason;
      readonly detail: string;
      readonly status?: number;
    };

const LIVE: readonly SubscriptionStateName[] = ['subscribing', 'pending', 'active', 'waiting'];

/** The moves allowed: from each state, where it may go. */
export const SUBSCRIPTION_TRANSITIONS: Readonly<
  Record<SubscriptionStateName, readonly SubscriptionStateName[]>
> = {
  idle: ['subscribing', 'terminated'],
  subscribing: ['subscribing', 'pending', 'active', 'waiting', 'unsubscribing', 'terminated'],
  pending: ['subscribing', 'pending', 'active', 'waiting', 'unsubscribing', 'terminated'],
  active: ['subscribing', 'pending', 'active', 'waiting', 'unsubscribing', 'terminated'],
  waiting: ['subscribing', 'unsubscribing', 'terminated'],
  unsubscribing: ['terminated'],
  terminated: ['subscribing'],
};

export function canTransition(from: SubscriptionStateName, to: SubscriptionStateName): boolean {
  return SUBSCRIPTION_TRANSITIONS[from].includes(to);
}

export function isLive(name: SubscriptionStateName): boolean {
  return LIVE.includes(name);
}

export type AfterTermination =
  | { readonly kind: 'resubscribe-now' }
  | { readonly kind: 'resubscribe-after'; readonly seconds: number }
  | { readonly kind: 'stop'; readonly reason: TerminatedReason };

/** Waiting this long when probation or giveup names no retry-after (§4.1.3 leaves "later" to us). */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
/** A retry-after beyond a day is a server error or a trick; we come back after a day at the latest. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * RFC 6665 §4.1.3: what a subscriber does once a subscription is terminated with `reason` (lower case) and maybe
 * `retry-after`: deactivated and timeout → subscribe again at once; probation and giveup → again after retry-after;
 * rejected, noresource and invariant → stop. No reason, or one we do not know, allows a new subscription at any
 * time, after retry-after if one is given.
 */
export function afterTermination(
  reason: string | undefined,
  retryAfter: number | undefined,
): AfterTermination {
  const capped = retryAfter === undefined ? undefined : Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS);
  switch (reason) {
    case 'deactivated':
    case 'timeout':
      return { kind: 'resubscribe-now' };
    case 'probation':
    case 'giveup':
      return { kind: 'resubscribe-after', seconds: capped ?? DEFAULT_RETRY_AFTER_SECONDS };
    case 'rejected':
    case 'noresource':
    case 'invariant':
      return { kind: 'stop', reason };
    default:
      return capped !== undefined && capped > 0
        ? { kind: 'resubscribe-after', seconds: capped }
        : { kind: 'resubscribe-now' };
  }
}
