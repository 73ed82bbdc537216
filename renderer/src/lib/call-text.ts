// Every sentence a person reads about calls. The engine sends codes (states, end reasons, numbers); the words are
// chosen here. Text that came from the far end (display names, URIs) is untrusted: `cleanPeerText` takes out what
// could reorder or hide the interface's own text before a view shows it (inside <bdi>, truncated by CSS).
import type {
  CallCodec,
  CallDirection,
  CallDto,
  CallEndDto,
  CallEndReason,
  CallStateName,
  CommandError,
  ErrorCode,
} from '../../../main/contract/contract';

export { PEER_TEXT_MAX, cleanPeerText, peerAddress, peerTitle } from '../../../main/contract/peer-text';

/** 83 000 ms → "01:23"; an hour or more → "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1_000));
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** A number and its unit, joined by a no-break space so a narrow line never wraps between them. */
const unit = (value: number, name: string) => `${value}\u00a0${name}`;

/** Talk time in words for screen readers and history: "1 min 23 s", "45 s", "2 h 5 min". */
export function spokenDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1_000));
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  if (hours > 0) return minutes > 0 ? `${unit(hours, 'h')} ${unit(minutes, 'min')}` : unit(hours, 'h');
  if (minutes > 0) {
    return seconds > 0 ? `${unit(minutes, 'min')} ${unit(seconds, 's')}` : unit(minutes, 'min');
  }
  return unit(seconds, 's');
}

const STATE_WORDS: Readonly<Record<CallStateName, string>> = {
  dialing: 'Calling…',
  ringing: 'Ringing',
  'early-media': 'Ringing',
  incoming: 'Incoming call',
  connecting: 'Connecting…',
  connected: 'Connected',
  'on-hold': 'On hold',
  'held-by-remote': 'Held by the other side',
  transferring: 'Transferring',
  ended: 'Call ended',
};

/** The call's state in words; a connected call carries its talk time ("Connected 01:23"). */
export function callStateText(call: CallDto, nowMs: number): string {
  if (call.state === 'connected' && call.answeredAt !== null) {
    return `Connected ${formatDuration(nowMs - call.answeredAt)}`;
  }
  if (call.state === 'ended' && call.end) return endText(call.end, call.direction);
  return STATE_WORDS[call.state];
}

/** The state without a timer, for announcements (a ticking clock must not be read out every second). */
export function callStateWord(state: CallStateName): string {
  return STATE_WORDS[state];
}

const END_WORDS: Readonly<Record<CallEndReason, string>> = {
  hangup: 'Call ended',
  cancelled: 'Call cancelled',
  missed: 'Missed call',
  'answered-elsewhere': 'Answered on another device',
  rejected: 'Call declined',
  'do-not-disturb': 'Refused: do not disturb is on',
  busy: 'Busy',
  declined: 'The other side declined the call',
  'not-found': 'Nobody with that address was found',
  unavailable: 'Not available right now',
  'no-answer': 'No answer',
  unreachable: 'The other side or the server cannot be reached',
  incompatible: 'The call could not agree on audio (no common codec)',
  'auth-failed': 'The server refused the account’s password',
  forbidden: 'The server did not allow this call',
  'redirect-failed': 'The call was redirected too often',
  transferred: 'Call transferred',
  replaced: 'Call replaced by another',
  'ack-timeout': 'The call was lost while connecting',
  'media-timeout': 'No audio arrived for too long; the call was ended',
  'session-expired': 'The call timed out',
  'server-error': 'The server had a problem with this call',
  failed: 'The call failed',
  'engine-stopped': 'The call ended because the softphone’s engine stopped',
  internal: 'The call ended because of an error in the app',
};

/** Why a call ended, in words. A hang-up says who hung up. */
export function endText(end: CallEndDto, direction: CallDirection): string {
  if (end.reason === 'hangup') return end.by === 'remote' ? 'The other side hung up' : 'Call ended';
  if (end.reason === 'rejected' && direction === 'incoming') return 'Call declined';
  return END_WORDS[end.reason];
}

export type HistoryKind = 'incoming' | 'outgoing' | 'missed';

/** Which of the three kinds a history entry is: an incoming call that was never answered here counts as missed. */
export function historyKind(entry: {
  readonly direction: CallDirection;
  readonly answeredAt: number | null;
  readonly end: CallEndDto;
}): HistoryKind {
  if (entry.direction === 'outgoing') return 'outgoing';
  return entry.end.reason === 'missed' ? 'missed' : 'incoming';
}

export const HISTORY_KIND_WORDS: Readonly<Record<HistoryKind, string>> = {
  incoming: 'Incoming',
  outgoing: 'Outgoing',
  missed: 'Missed',
};

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

/** MOS bands after ITU-T G.107 Annex B's user-satisfaction table: ≥ 4.0 satisfied, ≥ 3.6 some dissatisfied. */
export function qualityLevel(mos: number | null): QualityLevel {
  if (mos === null || !Number.isFinite(mos)) return 'unknown';
  if (mos >= 4) return 'good';
  if (mos >= 3.6) return 'fair';
  return 'poor';
}

export const QUALITY_WORDS: Readonly<Record<QualityLevel, string>> = {
  good: 'Good',
  fair: 'Fair',
  poor: 'Poor',
  unknown: 'Not measured yet',
};

export const CODEC_NAMES: Readonly<Record<CallCodec, string>> = {
  opus: 'Opus',
  pcmu: 'G.711 µ-law (PCMU)',
  pcma: 'G.711 A-law (PCMA)',
};

export function formatMs(ms: number | null): string {
  return ms === null ? 'not known yet' : `${Math.round(ms)} ms`;
}

/** The jitter buffer's delay beside the delay it aims for: "40 ms, aiming for 60 ms". */
export function formatBufferDelay(heldMs: number, targetMs: number): string {
  return `${formatMs(heldMs)}, aiming for ${formatMs(targetMs)}`;
}

/** A count of frames or packets since the call began, with thousands grouped. */
export function formatCount(count: number): string {
  return Number.isFinite(count) ? Math.round(count).toLocaleString('en-US') : '0';
}

export function formatPercent(percent: number): string {
  return `${percent < 10 && percent > 0 ? percent.toFixed(1) : Math.round(percent)} %`;
}

export function formatMos(mos: number | null): string {
  return mos === null ? 'not known yet' : mos.toFixed(1);
}

/** What each call action is called in an error sentence. */
export type CallAction =
  'dial' | 'answer' | 'reject' | 'hangup' | 'hold' | 'resume' | 'mute' | 'dtmf' | 'transfer' | 'history';

const ACTION_WORDS: Readonly<Record<CallAction, string>> = {
  dial: 'The call could not be placed',
  answer: 'The call could not be answered',
  reject: 'The call could not be declined',
  hangup: 'The call could not be ended',
  hold: 'The call could not be put on hold',
  resume: 'The call could not be resumed',
  mute: 'The microphone could not be switched',
  dtmf: 'The keypad tones could not be sent',
  transfer: 'The call could not be transferred',
  history: 'The call history could not be changed',
};

const CODE_REASONS: Readonly<Record<ErrorCode, string>> = {
  'invalid-argument': 'the app did not accept the value',
  'not-found': 'the call or account no longer exists',
  conflict: 'that cannot be done in the call’s current state',
  storage: 'the history could not be saved on this computer',
  unavailable: 'the engine cannot do it right now',
  unauthorized: 'this page may not talk to the softphone',
  internal: 'something went wrong inside the app',
};

export interface CallErrorText {
  readonly text: string;
  /** The engine's technical message; null when it adds nothing. */
  readonly detail: string | null;
}

/** A failed call command in words: what did not happen and why, with the engine's message as the detail. */
export function callErrorText(action: CallAction, error: CommandError): CallErrorText {
  const text = `${ACTION_WORDS[action]}: ${CODE_REASONS[error.code]}.`;
  const detail = error.message.trim();
  return { text, detail: detail === '' ? null : detail };
}
