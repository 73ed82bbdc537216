// The arguments of `softphone call` and `softphone answer`, checked up front into one value each, so a typo is a
// usage error naming the flag (exit 2) and never a failure halfway into a call. The limits are the contract's
// (codec names, DTMF digits, reject statuses), the same the window and the engine's schemas use.
import { extname, resolve } from 'node:path';
import type { CallCodec, RejectStatus } from '../contract/contract';
import {
  CALL_CODECS,
  DEFAULT_CODECS,
  DTMF_DIGITS_MAX,
  DTMF_DIGITS_PATTERN,
  REJECT_STATUSES,
} from '../contract/limits';
import type { SipUri } from '../sip/message/uri';
import { type AccountArgs, optionalAccountArgs } from './account-args';
import { type ParsedOptions, UsageError, bindArg, sipUriOperand } from './args';

/** The longest --duration or --answer-after: a day, far beyond any test call, short of a typo's billions. */
const MAX_SECONDS = 86_400;

export interface AudioArgs {
  /** The WAV file the far end hears; undefined: silence. */
  readonly play: string | undefined;
  /** The WAV file what we hear is written to; undefined: nothing is written. */
  readonly record: string | undefined;
  /** Offered best first. */
  readonly codecs: readonly CallCodec[];
}

export interface CallArgs extends AudioArgs {
  /** Whom to call. */
  readonly target: SipUri;
  /** Null: a direct call, from no account, straight to the target's address. */
  readonly account: AccountArgs | null;
  readonly bind: { readonly address: string; readonly port: number } | undefined;
  /** Hang up this long after the answer; null: stay until `quit` or the far end hangs up. */
  readonly durationMs: number | null;
  /** Sent once the call is answered; upper case. */
  readonly dtmf: string | null;
  readonly trace: boolean;
}

export interface AnswerArgs extends AudioArgs {
  /** Null: no account, answering on `bind` without registering (like `listen`). */
  readonly account: AccountArgs | null;
  /** Where to listen; without an account 127.0.0.1:5060 unless given. */
  readonly bind: { readonly address: string; readonly port: number } | undefined;
  /** How long to ring before answering; 'never' only rings. Ignored when `reject` is set. */
  readonly answerAfterMs: number | 'never';
  /** Refuse every call with this status instead of answering. */
  readonly reject: RejectStatus | null;
  readonly trace: boolean;
}

export function callArgs(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
): CallArgs {
  const [uri, ...extra] = options.positionals;
  if (uri === undefined)
    throw new UsageError('the URI to call is required, as in softphone call sip:bob@example.com');
  if (extra.length > 0) throw new UsageError(`one URI to call, got also "${extra[0]}"`);
  const target = sipUriOperand('call', uri);
  const account = optionalAccountArgs(options, env);
  const bind = options.string('bind');
  const duration = options.string('duration');
  const dtmf = options.string('dtmf');
  return {
    target,
    account,
    bind: bind !== undefined ? bindArg(bind) : undefined,
    ...audioArgs(options),
    durationMs: duration !== undefined ? secondsArg('duration', duration, { zero: false }) : null,
    dtmf: dtmf !== undefined ? dtmfArg(dtmf) : null,
    trace: options.flag('trace'),
  };
}

export function answerArgs(
  options: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
): AnswerArgs {
  const account = optionalAccountArgs(options, env);
  const bind = options.string('bind');
  const answerAfter = options.string('answer-after');
  const reject = options.string('reject');
  if (answerAfter !== undefined && reject !== undefined)
    throw new UsageError('--answer-after and --reject exclude each other: a rejected call is never answered');
  return {
    account,
    bind: bind !== undefined ? bindArg(bind) : account === null ? bindArg('127.0.0.1:5060') : undefined,
    ...audioArgs(options),
    answerAfterMs:
      answerAfter === undefined
        ? 0
        : answerAfter === 'never'
          ? 'never'
          : secondsArg('answer-after', answerAfter, { zero: true, alternative: 'never' }),
    reject: reject !== undefined ? rejectArg(reject) : null,
    trace: options.flag('trace'),
  };
}

function audioArgs(options: ParsedOptions): AudioArgs {
  const play = options.string('play');
  const record = options.string('record');
  const codecs = options.string('codecs');
  const playPath = play !== undefined ? wavArg('play', play) : undefined;
  const recordPath = record !== undefined ? wavArg('record', record) : undefined;
  // Recording over the file being played would destroy it while it is read.
  if (playPath !== undefined && recordPath !== undefined && resolve(playPath) === resolve(recordPath))
    throw new UsageError('--play and --record name the same file');
  return {
    play: playPath,
    record: recordPath,
    codecs: codecs !== undefined ? codecsArg(codecs) : DEFAULT_CODECS,
  };
}

/** Seconds as a decimal number (2, 0.5), above 0 (or from 0 with `zero`), at most a day; returned in ms. */
export function secondsArg(
  name: string,
  value: string,
  options: { zero: boolean; alternative?: string },
): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  // A millisecond is the finest a timer takes; less than that rounds to "at once", which --duration is not.
  const low = options.zero ? 0 : 0.001;
  if (!(seconds >= low && seconds <= MAX_SECONDS)) {
    const range = options.zero ? `from 0 to ${MAX_SECONDS}` : `above 0, at most ${MAX_SECONDS}`;
    const or = options.alternative ? ` or "${options.alternative}"` : '';
    throw new UsageError(`--${name} must be a number of seconds ${range}${or}, got ${value}`);
  }
  return Math.round(seconds * 1000);
}

/** A comma-separated codec list, best first: known names, each once, at least one; case does not matter. */
export function codecsArg(value: string): CallCodec[] {
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  const known = CALL_CODECS as readonly string[];
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined)
    throw new UsageError(
      `--codecs takes a comma-separated list of ${CALL_CODECS.join(', ')}, got ${unknown === '' ? 'an empty name' : `"${unknown}"`} in ${value}`,
    );
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new UsageError(`--codecs lists ${repeated} twice`);
  return names as CallCodec[];
}

/** DTMF digits: 0-9 * # A-D (a-d accepted), at most DTMF_DIGITS_MAX. */
export function dtmfArg(value: string): string {
  const digits = value.toUpperCase();
  if (digits.length === 0 || digits.length > DTMF_DIGITS_MAX || !DTMF_DIGITS_PATTERN.test(digits))
    throw new UsageError(`--dtmf takes 1 to ${DTMF_DIGITS_MAX} of the digits 0-9 * # A-D, got ${value}`);
  return digits;
}

export function rejectArg(value: string): RejectStatus {
  const status = /^\d{3}$/.test(value) ? Number(value) : Number.NaN;
  const allowed = REJECT_STATUSES as readonly number[];
  if (!allowed.includes(status))
    throw new UsageError(`--reject must be one of ${REJECT_STATUSES.join(', ')}, got ${value}`);
  return status as RejectStatus;
}

/** A WAV file name: the audio files are WAV only, so another extension is most likely a slip. */
function wavArg(name: string, value: string): string {
  if (value.trim() === '' || extname(value).toLowerCase() !== '.wav')
    throw new UsageError(`--${name} takes a .wav file, got ${value === '' ? 'nothing' : value}`);
  return value;
}
