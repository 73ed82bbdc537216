// RFC 3261 §10.2 registration, as the states a person sees. The Registerer drives transitions; this table refuses
// any transition not listed, so a bug shows up as an error instead of a confusing status.
//
//                 register()                    2xx
//   unregistered ──────────► registering ───────────────► registered ──┐ refresh timer
//        ▲                    │   ▲   ▲                     │   ▲      │ (stays "registered"
//        │                    │   │   └─────────────────────┘   └──────┘  while it refreshes)
//        │       final error, │   │ retry timer                  │
//        │       timeout      ▼   │                              │ refresh fails
//        │                  failed ◄─────────────────────────────┘
//        │                    │
//        │  2xx/any/timeout   │ unregister()  (also from registering and registered)
//        └──── unregistering ◄┘

export type RegistrationStateName =
  'unregistered' | 'registering' | 'registered' | 'failed' | 'unregistering';

/** Why a registration is not (or no longer) in place, in terms a person can act on. */
export type FailureReason =
  | 'bad-credentials'
  | 'forbidden'
  | 'not-found'
  | 'timeout'
  | 'unreachable'
  | 'server-error'
  | 'rejected'
  | 'interval-too-brief'
  | 'unsupported-challenge'
  | 'connection-lost';

export type RegistrationState =
  | { readonly name: 'unregistered' }
  | {
      readonly name: 'registering';
      readonly attempt: number;
      /** The last failure, while a retry after it is in flight. */
      readonly previous?: {
        readonly reason: FailureReason;
        readonly status?: number;
        readonly detail: string;
      };
    }
  | { readonly name: 'registered'; readonly expires: number; readonly contact: string }
  | {
      readonly name: 'failed';
      readonly reason: FailureReason;
      readonly status?: number;
      readonly detail: string;
      /** Milliseconds until the next automatic attempt; absent when only the person can fix it. */
      readonly retryInMs?: number;
    }
  | { readonly name: 'unregistering' };

const ALLOWED: Readonly<Record<RegistrationStateName, readonly RegistrationStateName[]>> = {
  unregistered: ['registering'],
  registering: ['registered', 'failed', 'unregistering', 'registering'],
  registered: ['registered', 'registering', 'failed', 'unregistering'],
  failed: ['registering', 'unregistering', 'unregistered', 'failed'],
  unregistering: ['unregistered'],
};

export function canTransition(from: RegistrationStateName, to: RegistrationStateName): boolean {
  return ALLOWED[from].includes(to);
}

/** Maps a final non-2xx REGISTER outcome to a reason (RFC 3261 §21) and whether retrying later can help. */
export function classifyFailure(status: number): { reason: FailureReason; retry: boolean } {
  if (status === 401 || status === 407) return { reason: 'bad-credentials', retry: false };
  if (status === 403) return { reason: 'forbidden', retry: false };
  if (status === 404 || status === 604) return { reason: 'not-found', retry: false };
  if (status === 408 || status === 504) return { reason: 'timeout', retry: true };
  if (status === 503) return { reason: 'unreachable', retry: true };
  if (status === 423) return { reason: 'interval-too-brief', retry: false };
  if (status >= 500) return { reason: 'server-error', retry: true };
  if (status === 480 || status === 486 || status === 600 || status === 603)
    return { reason: 'rejected', retry: true };
  return { reason: 'rejected', retry: false };
}
