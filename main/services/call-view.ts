// How a call of ua/call looks in the contract's words: its state (dialing … ended, with hold folded in) and its end
// (the contract's end reasons, which the window and the CLI's events use). One mapping, so the engine's `call.changed`
// and the `softphone call` events never disagree. Pure functions of what the call exposes.
import type { CallEndDto, CallEndReason, CallStateName } from '../contract/contract';
import type { CallEnd, CallEndReason as UaEndReason, CallStateName as UaState } from '../ua/call/call-state';

/** What the mapping reads of a call (ua/call's `Call` fits). */
export interface CallStateSource {
  readonly state: UaState;
  readonly hold: { readonly local: boolean; readonly remote: boolean };
  /** Media agreed (early media before the answer). */
  readonly media: unknown;
}

/**
 * The contract's state. `ending` (our BYE or CANCEL in flight) shows as the state it left, which the caller passes
 * as `previous`; `transferring` while a REFER of ours is under way.
 */
export function callStateName(
  call: CallStateSource,
  options: { readonly transferring?: boolean; readonly previous?: CallStateName } = {},
): CallStateName {
  switch (call.state) {
    case 'idle':
    case 'calling':
      return 'dialing';
    case 'early':
      return call.media === undefined ? 'ringing' : 'early-media';
    case 'incoming':
    case 'ringing':
      return 'incoming';
    case 'connecting':
      return 'connecting';
    case 'connected':
      if (options.transferring) return 'transferring';
      if (call.hold.local) return 'on-hold';
      if (call.hold.remote) return 'held-by-remote';
      return 'connected';
    case 'ending':
      return options.previous ?? 'connected';
    case 'ended':
      return 'ended';
  }
}

/** Why the media side ended a call that SIP would call a plain hang-up. */
export type MediaEndCause = 'media-timeout' | 'engine-stopped' | 'internal';

const END_REASONS: Readonly<Record<UaEndReason, CallEndReason>> = {
  normal: 'hangup',
  transferred: 'transferred',
  cancelled: 'cancelled',
  'cancelled-by-caller': 'missed',
  rejected: 'rejected',
  'do-not-disturb': 'do-not-disturb',
  busy: 'busy',
  declined: 'declined',
  'not-found': 'not-found',
  unavailable: 'unavailable',
  'no-answer': 'no-answer',
  unreachable: 'unreachable',
  'media-refused': 'incompatible',
  'auth-failed': 'auth-failed',
  forbidden: 'forbidden',
  'redirect-loop': 'redirect-failed',
  'redirect-failed': 'redirect-failed',
  'no-ack': 'ack-timeout',
  'session-expired': 'session-expired',
  'session-interval-too-small': 'failed',
  'dialog-lost': 'failed',
  'server-error': 'server-error',
  failed: 'failed',
  'internal-error': 'internal',
  replaced: 'replaced',
  'media-timeout': 'media-timeout',
  // The engine's own bound on live calls: the call never started.
  'call-limit': 'failed',
};

/**
 * The contract's end. `media` names a cause on the media side (no RTP for too long, the media worker gone) that
 * made us hang up: the BYE itself would read as a plain local hang-up.
 */
export function callEndDto(
  end: CallEnd,
  media?: { readonly cause: MediaEndCause; readonly detail: string },
): CallEndDto {
  if (media !== undefined && end.by === 'local')
    return { by: 'error', reason: media.cause, status: null, detail: media.detail };
  return {
    by: end.by,
    reason: END_REASONS[end.reason],
    status: end.status ?? null,
    detail: end.detail ?? null,
  };
}

/** Answered and over without a fault: a BYE either way, or a transfer that went through. */
export function endedNormally(end: CallEndDto): boolean {
  return end.reason === 'hangup' || end.reason === 'transferred';
}
