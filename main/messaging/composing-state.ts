// RFC 3994 §3: the is-composing state of one conversation, on each side, as pure machines. Time is an input.
//
// Our side (the composer), per peer:
//
//            typed: send active                      typed: remember when
//     idle ───────────────────────────► active ◄────────────────────────┐
//      ▲                                 │ │ └─────────────────────────┘
//      │  15 s without typed: send idle  │ │ refresh due while typing: send active again
//      ├─────────────────────────────────┘ │
//      │  stopped: send idle               │
//      ├───────────────────────────────────┘
//      └── message sent: nothing to send (§3.2: a message ends the active state at the receiver by itself)
//
// The active state is refreshed at 90 % of the refresh interval we advertise, so the renewal reaches the peer
// before its timer runs out (§3.2 has the receiver expire an unrenewed active state after `refresh`).
//
// Their side (the receiver), per peer:
//
//            active(refresh)                             active(refresh): expires later
//     idle ─────────────────────► active(expiresAt) ◄──────────────────┐
//      ▲        emit active         │    └─────────────────────────────┘
//      └────────────────────────────┘ idle, a text message from them, or expiresAt passed: emit idle
//
// A text message from the peer ends its active state (§3.3: the content message itself says composing stopped).

/** §3.2: an active state not renewed by typing within this long goes idle (the RFC's suggested 15 s). */
export const IDLE_TIMEOUT_MS = 15_000;
/** Renew our active state at this share of its refresh interval. */
const REFRESH_SHARE = 0.9;

export type ComposerState =
  | { readonly name: 'idle' }
  | { readonly name: 'active'; readonly lastTypedAt: number; readonly sentAt: number };

export type ComposerInput =
  | { readonly kind: 'typed'; readonly now: number }
  | { readonly kind: 'stopped'; readonly now: number }
  | { readonly kind: 'message-sent'; readonly now: number }
  | { readonly kind: 'tick'; readonly now: number };

export interface ComposerStep {
  readonly state: ComposerState;
  /** The indication to send now, if any. */
  readonly send?: 'active' | 'idle';
  /** When the next tick is due; undefined when none is (idle). */
  readonly wakeAt?: number;
}

export function stepComposer(state: ComposerState, input: ComposerInput, refreshMs: number): ComposerStep {
  const now = input.now;
  switch (input.kind) {
    case 'typed': {
      if (state.name === 'idle') {
        const next: ComposerState = { name: 'active', lastTypedAt: now, sentAt: now };
        return { state: next, send: 'active', wakeAt: composerWake(next, refreshMs) };
      }
      const next: ComposerState = { ...state, lastTypedAt: now };
      return { state: next, wakeAt: composerWake(next, refreshMs) };
    }
    case 'stopped':
      return state.name === 'active' ? { state: { name: 'idle' }, send: 'idle' } : { state };
    case 'message-sent':
      return { state: { name: 'idle' } };
    case 'tick': {
      if (state.name === 'idle') return { state };
      if (now >= state.lastTypedAt + IDLE_TIMEOUT_MS) return { state: { name: 'idle' }, send: 'idle' };
      if (now >= state.sentAt + refreshMs * REFRESH_SHARE) {
        const next: ComposerState = { ...state, sentAt: now };
        return { state: next, send: 'active', wakeAt: composerWake(next, refreshMs) };
      }
      return { state, wakeAt: composerWake(state, refreshMs) };
    }
  }
}

function composerWake(state: ComposerState & { name: 'active' }, refreshMs: number): number {
  return Math.min(state.lastTypedAt + IDLE_TIMEOUT_MS, state.sentAt + refreshMs * REFRESH_SHARE);
}

export type ReceiverState =
  { readonly name: 'idle' } | { readonly name: 'active'; readonly expiresAt: number };

export type ReceiverInput =
  | { readonly kind: 'active'; readonly refreshMs: number; readonly now: number }
  | { readonly kind: 'idle'; readonly now: number }
  | { readonly kind: 'message'; readonly now: number }
  | { readonly kind: 'tick'; readonly now: number };

export interface ReceiverStep {
  readonly state: ReceiverState;
  /** What to tell the person's side, when it changed. */
  readonly emit?: 'active' | 'idle';
  readonly wakeAt?: number;
}

export function stepReceiver(state: ReceiverState, input: ReceiverInput): ReceiverStep {
  switch (input.kind) {
    case 'active': {
      const expiresAt = input.now + input.refreshMs;
      const next: ReceiverState = { name: 'active', expiresAt };
      return state.name === 'idle'
        ? { state: next, emit: 'active', wakeAt: expiresAt }
        : { state: next, wakeAt: expiresAt };
    }
    case 'idle':
    case 'message':
      return state.name === 'active' ? { state: { name: 'idle' }, emit: 'idle' } : { state };
    case 'tick':
      if (state.name === 'active' && input.now >= state.expiresAt)
        return { state: { name: 'idle' }, emit: 'idle' };
      return state.name === 'active' ? { state, wakeAt: state.expiresAt } : { state };
  }
}
