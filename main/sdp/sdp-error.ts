// What went wrong with an SDP body and how the SIP layer should answer it. The status is chosen here, next to the
// reason, so the call usage only copies it into a response (see README.md for the table).

/** A Warning header value (RFC 3261 §20.43): a three-digit code and its text. */
export interface SdpWarning {
  readonly code: 300 | 301 | 302 | 303 | 304 | 305 | 306 | 307 | 399;
  readonly text: string;
}

export interface SdpError {
  /** What was wrong, for logs and for the ended-call reason. */
  readonly reason: string;
  /** 400 for a body that is not SDP as RFC 8866 writes it; 488 for well-formed SDP we cannot accept. */
  readonly status: 400 | 488;
  readonly warning?: SdpWarning;
}

export function malformed(reason: string): SdpError {
  return { reason, status: 400 };
}

export function notAcceptable(reason: string, warning?: SdpWarning): SdpError {
  return warning === undefined ? { reason, status: 488 } : { reason, status: 488, warning };
}
