// What can stop a dialog from being created, moved or used: outcomes, never exceptions (network input is expected to
// be wrong sometimes, and our own misuse is reported the same way so a caller handles one shape).

export type DialogErrorCode =
  /** A Contact the dialog needs could not be parsed (RFC 3261 §12.1.1, §12.1.2, §12.2). */
  | 'malformed-contact'
  /** A Record-Route could not be parsed, so no route set can be formed (§12.1.1, §12.1.2). */
  | 'malformed-record-route'
  /** From, To, Call-ID or CSeq of the message could not be read. */
  | 'malformed-header'
  /** A 2xx that would create a dialog has no Contact, so there is no remote target (§12.1.2). */
  | 'missing-contact'
  /** Only a 101-199 or 2xx response with a To tag creates a dialog (§12.1). */
  | 'not-dialog-creating'
  /** The dialog is terminated: nothing more is sent in it. */
  | 'terminated'
  /** A target-refresh request (INVITE, UPDATE) must carry our Contact (§12.2.1.1). */
  | 'contact-required'
  /** An ACK for a 2xx reuses its INVITE's CSeq number, which the caller must give (§13.2.2.4). */
  | 'ack-needs-cseq'
  /** The local CSeq reached 2^32-1 (§8.1.1.5): the dialog cannot send another request. */
  | 'cseq-exhausted';

export interface DialogError {
  readonly code: DialogErrorCode;
  readonly reason: string;
}

export function dialogError(code: DialogErrorCode, reason: string): DialogError {
  return { code, reason };
}
