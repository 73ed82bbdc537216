// The seam between the call service and whatever runs calls: the INVITE usage of ua/call and the media worker, which
// the engine's composition joins behind this interface. The service validates, keeps the history and words nothing;
// a CallEngine places and controls calls and reports what happens to them. Failures are Results with the contract's
// CommandError (`not-found` for an unknown call, `conflict` for an action its state does not allow, `unavailable`
// when calls cannot run), never throws.
import type {
  CallCodec,
  CallDto,
  DialRequest,
  RejectStatus,
  Result,
  TransferRequest,
} from '../contract/contract';
import type { StreamQuality } from '../media/media-seams';

/** A dial the service has checked: the target parses as a SIP URI and the account exists and is enabled. */
export interface DialOrder extends DialRequest {
  /** The account's codec preference, best first; the default order for a direct call. */
  readonly codecs: readonly CallCodec[];
}

/** What a call's media reported: the media worker's figures, every CALL_QUALITY_INTERVAL_MS while it runs. */
export interface CallMediaReport {
  readonly callId: string;
  readonly quality: StreamQuality;
}

export interface CallEngine {
  dial(order: DialOrder): Promise<Result<CallDto>>;
  answer(callId: string): Promise<Result<CallDto>>;
  reject(callId: string, status: RejectStatus): Promise<Result<null>>;
  hangup(callId: string): Promise<Result<null>>;
  hold(callId: string): Promise<Result<CallDto>>;
  resume(callId: string): Promise<Result<CallDto>>;
  mute(callId: string, muted: boolean): Promise<Result<CallDto>>;
  /** Digits already checked against DTMF_DIGITS_PATTERN, upper case. */
  sendDtmf(callId: string, digits: string): Promise<Result<null>>;
  transfer(callId: string, transfer: TransferRequest): Promise<Result<null>>;
  /** The calls not yet ended. */
  list(): CallDto[];
  /**
   * Every change of every call, incoming ones included, in order; a call's last is state `ended` with its `end`.
   * Returns the function that stops listening.
   */
  onCallChanged(listener: (call: CallDto) => void): () => void;
  onMediaReport(listener: (report: CallMediaReport) => void): () => void;
  /** Ends every call (bounded by timeoutMs), reporting each as ended, before the accounts stop. */
  shutdown(timeoutMs: number): Promise<void>;
}

/**
 * The stand-in until calls are wired into the engine (or when they cannot start): every action answers `unavailable`
 * with a technical reason, there are never any calls, and nothing is ever reported.
 */
export function unavailableCallEngine(reason = 'calls are not available in this engine'): CallEngine {
  const refuse = <T>(): Promise<Result<T>> =>
    Promise.resolve({ ok: false, error: { code: 'unavailable', message: reason } });
  return {
    dial: refuse,
    answer: refuse,
    reject: refuse,
    hangup: refuse,
    hold: refuse,
    resume: refuse,
    mute: refuse,
    sendDtmf: refuse,
    transfer: refuse,
    list: () => [],
    onCallChanged: () => () => undefined,
    onMediaReport: () => () => undefined,
    shutdown: () => Promise.resolve(),
  };
}
