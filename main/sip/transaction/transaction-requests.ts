// Requests the transaction layer builds itself: the ACK for a non-2xx final response to an INVITE (RFC 3261
// §17.1.1.3) and the CANCEL for a pending INVITE (§9.1). Both reuse the INVITE's top Via, so they travel in (or
// match) the INVITE's transaction rather than starting a new one.
import { type HeaderField, SipRequest, type SipResponse, field } from '../message/message';

/**
 * ACK for a 300-699 response: Request-URI, Call-ID and From of the INVITE, To of the response (it carries the tag),
 * the INVITE's top Via alone, the INVITE's CSeq number with method ACK, and the INVITE's Route set.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const to = response.header('to') ?? invite.header('to') ?? '';
  return new SipRequest(
    'ACK',
    invite.requestUri,
    sameHopHeaders(invite, 'ACK', to),
    undefined,
    invite.requestUriText,
  );
}

/** CANCEL for `invite`: identical Request-URI, Call-ID, From, To (tags included) and CSeq number, same top Via. */
export function buildCancel(invite: SipRequest): SipRequest {
  return new SipRequest(
    'CANCEL',
    invite.requestUri,
    sameHopHeaders(invite, 'CANCEL', invite.header('to') ?? ''),
    undefined,
    invite.requestUriText,
  );
}

/** The header fields that identify a request's transaction and route its responses (RFC 3261 §8.2.6.2, §17.2.3). */
const TRANSACTION_HEADERS = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * A copy of `request` that keeps its start line and the headers identifying its transaction, and drops the rest
 * (body included): what a server transaction still needs once its final response is out, at a fraction of the
 * memory of the parsed message.
 */
export function transactionCopy(request: SipRequest): SipRequest {
  const headers = request.headers.filter((f) => TRANSACTION_HEADERS.has(f.key));
  return new SipRequest(request.method, request.requestUri, headers, undefined, request.requestUriText);
}

function sameHopHeaders(invite: SipRequest, method: string, to: string): HeaderField[] {
  const headers: HeaderField[] = [];
  const topVia = invite.headerValues('via')[0];
  if (topVia !== undefined) headers.push(field('via', topVia));
  for (const route of invite.headerLines('route')) headers.push(field('route', route));
  headers.push(field('max-forwards', invite.header('max-forwards') ?? '70'));
  headers.push(field('from', invite.header('from') ?? ''));
  headers.push(field('to', to));
  headers.push(field('call-id', invite.header('call-id') ?? ''));
  headers.push(field('cseq', `${invite.cseq.seq} ${method}`));
  return headers;
}
