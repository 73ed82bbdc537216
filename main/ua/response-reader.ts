// The client side's reader edge. Responses arrive with only the essential headers checked (RFC 3261 §8.1.1's
// mandatory set); a deeper typed view (Contact, Route, a From/To URI) is parsed when first read and throws
// MalformedHeaderError when the header is broken. A usage reading a response goes through here, so a malformed
// header becomes an outcome it can act on (a failure with a reason, then the backoff) instead of an exception that
// the transaction layer would log and swallow, leaving the usage waiting for ever.
import { MalformedHeaderError } from '../sip/message/message';
import { type Result, err, ok } from '../sip/message/result';

export interface UnreadableHeader {
  /** The header's wire name, e.g. "Contact". */
  readonly header: string;
  readonly reason: string;
}

/** Reads a typed view of a response; a malformed header comes back as data. Other errors are bugs and propagate. */
export function readHeader<T>(read: () => T): Result<T, UnreadableHeader> {
  try {
    return ok(read());
  } catch (error) {
    if (error instanceof MalformedHeaderError) return err({ header: error.header, reason: error.reason });
    throw error;
  }
}
