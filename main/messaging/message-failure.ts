// RFC 3428 §7: a 2xx to MESSAGE says only that the next hop took it; every other final status is a failure the
// window words from one reason code (MessageFailureReason in the contract). This is the one table from a final
// status, or from an outcome the transaction layer made up itself, to that code.
import type { MessageFailureDto, MessageFailureReason } from '../contract/contract';

/** The reason code for a final non-2xx status that is not a challenge (401/407 end as `auth-failed` elsewhere). */
export function failureReasonOf(status: number, synthesized: boolean): MessageFailureReason {
  // The transaction layer's own 408 is Timer F (nobody answered); its 503 is a transport that could not send.
  if (synthesized) return status === 408 ? 'timeout' : 'unreachable';
  switch (status) {
    case 404:
    case 604:
      return 'not-found';
    case 480:
      return 'unavailable';
    case 403:
    case 415:
    case 488:
    case 603:
      return 'rejected';
    // 413 Request Entity Too Large and 513 Message Too Large (RFC 3261 §21.4.11, §21.5.7).
    case 413:
    case 513:
      return 'too-large';
    case 401:
    case 407:
      return 'auth-failed';
    case 408:
    case 504:
      return 'timeout';
    case 503:
      return 'unreachable';
    default:
      return status >= 500 && status < 600 ? 'server-error' : 'failed';
  }
}

export function messageFailure(
  reason: MessageFailureReason,
  status: number | null,
  detail: string | null,
): MessageFailureDto {
  return { reason, status, detail };
}
