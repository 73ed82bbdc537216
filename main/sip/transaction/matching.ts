// Transaction matching: responses to client transactions by branch and CSeq method (RFC 3261 §17.1.3); requests to
// server transactions by branch, sent-by and method (§17.2.3), with ACK matching its INVITE. Requests whose branch
// lacks the z9hG4bK cookie come from RFC 2543 elements and are matched on Request-URI, tags, Call-ID, CSeq and the
// whole top Via instead (§17.2.3, second half); the To tag is checked apart, because an ACK carries the tag of our
// response rather than that of the INVITE.
import type { SipRequest, SipResponse } from '../message/message';
import { BRANCH_MAGIC_COOKIE, formatVia } from '../message/via';

/** A client transaction's key: its branch and its request method (a CANCEL shares the INVITE's branch). */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch} ${method}`;
}

/** The client transaction a response belongs to, or undefined when it carries no usable branch or CSeq. */
export function responseTransactionKey(response: SipResponse): string | undefined {
  return attempt(() => {
    const branch = response.topVia?.branch;
    return branch === undefined || branch.length === 0
      ? undefined
      : clientTransactionKey(branch, response.cseq.method);
  });
}

export interface ServerTransactionKey {
  readonly key: string;
  /** No magic cookie: the To tag must be compared as well (see `rfc2543ToTagMatches`). */
  readonly rfc2543: boolean;
}

/**
 * The server transaction `request` belongs to. An ACK looks for its INVITE; pass `method` to look for another
 * method's transaction with the same identifiers (a CANCEL looks for the INVITE it cancels, §9.2).
 */
export function serverTransactionKey(request: SipRequest, method?: string): ServerTransactionKey | undefined {
  return attempt(() => {
    const via = request.topVia;
    if (!via) return undefined;
    const target = method ?? (request.method === 'ACK' ? 'INVITE' : request.method);
    const branch = via.branch;
    if (
      branch !== undefined &&
      branch.startsWith(BRANCH_MAGIC_COOKIE) &&
      branch.length > BRANCH_MAGIC_COOKIE.length
    ) {
      const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
      return { key: `${branch} ${sentBy} ${target}`, rfc2543: false };
    }
    const parts = [
      'rfc2543',
      request.requestUriText,
      request.from.tag ?? '',
      request.callId,
      String(request.cseq.seq),
      target,
      formatVia(via),
    ];
    return { key: parts.join('\n'), rfc2543: true };
  });
}

/**
 * RFC 2543 matching of the To tag: an ACK must carry the tag of the response it acknowledges; any other request the
 * tag of the request that created the transaction.
 */
export function rfc2543ToTagMatches(
  request: SipRequest,
  original: SipRequest,
  lastResponse: SipResponse | undefined,
): boolean {
  return (
    attempt(() => {
      if (request.method === 'ACK')
        return request.to.tag === (lastResponse ? lastResponse.to.tag : undefined);
      return request.to.tag === original.to.tag;
    }) ?? false
  );
}

/** Typed getters throw on headers our own code broke; matching treats that as "no match". */
function attempt<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
