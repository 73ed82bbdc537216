// Real-looking messages for the dialog tests: an INVITE from us through a Kamailio-like record-routing proxy, the
// responses it brings back, and requests from the far end.
import type { SipRequest, SipResponse } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';

export function parseRequest(lines: readonly string[]): SipRequest {
  const parsed = parseMessage(`${lines.join('\r\n')}\r\n\r\n`);
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

export function parseResponse(lines: readonly string[]): SipResponse {
  const parsed = parseMessage(`${lines.join('\r\n')}\r\n\r\n`);
  if (!parsed.ok || parsed.message.kind !== 'response') throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

export const CALL_ID = 'f81d4fae7dec11d0a76500a0c91e6bf6';

/** The INVITE alice sends (as the transaction layer would have it, Via stamped). */
export function outgoingInvite(cseq = 314): SipRequest {
  return parseRequest([
    'INVITE sip:bob@example.test SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKinv1;rport',
    'Route: <sip:192.0.2.1:5060;lr>',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@example.test>;tag=alice1',
    'To: <sip:bob@example.test>',
    `Call-ID: ${CALL_ID}`,
    `CSeq: ${cseq} INVITE`,
    'Contact: <sip:alice@192.0.2.10:5062>',
    'Content-Length: 0',
  ]);
}

/**
 * A response to outgoingInvite() through two record-routing proxies: the edge proxy nearest alice (192.0.2.1) and
 * the one nearest bob (198.51.100.1), which put its entry on top.
 */
export function inviteResponse(
  status: number,
  options: { toTag?: string; contact?: string | null; recordRoute?: readonly string[]; cseq?: number } = {},
): SipResponse {
  const recordRoute = options.recordRoute ?? [
    '<sip:198.51.100.1;lr;ftag=alice1>',
    '<sip:192.0.2.1:5060;lr;did=abc>',
  ];
  const contact = options.contact === undefined ? '<sip:bob@203.0.113.5:5070>' : options.contact;
  return parseResponse([
    `SIP/2.0 ${status} ${status < 200 ? 'Ringing' : status < 300 ? 'OK' : 'Busy Here'}`,
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKinv1;rport=5062',
    ...recordRoute.map((value) => `Record-Route: ${value}`),
    'From: "Alice" <sip:alice@example.test>;tag=alice1',
    `To: <sip:bob@example.test>${options.toTag === undefined ? ';tag=bob1' : options.toTag === '' ? '' : `;tag=${options.toTag}`}`,
    `Call-ID: ${CALL_ID}`,
    `CSeq: ${options.cseq ?? 314} INVITE`,
    ...(contact === null ? [] : [`Contact: ${contact}`]),
    'Content-Length: 0',
  ]);
}

/** A response to a request we sent in the dialog (re-INVITE, UPDATE, BYE, ...). */
export function inDialogResponse(
  status: number,
  method: string,
  cseq: number,
  options: { contact?: string; remoteTag?: string } = {},
): SipResponse {
  return parseResponse([
    `SIP/2.0 ${status} Whatever`,
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKin2;rport=5062',
    'From: "Alice" <sip:alice@example.test>;tag=alice1',
    `To: <sip:bob@example.test>;tag=${options.remoteTag ?? 'bob1'}`,
    `Call-ID: ${CALL_ID}`,
    `CSeq: ${cseq} ${method}`,
    ...(options.contact ? [`Contact: ${options.contact}`] : []),
    'Content-Length: 0',
  ]);
}

/** An INVITE bob sends to us through the same two proxies (the one nearest us on top). */
export function incomingInvite(
  options: { recordRoute?: readonly string[]; contact?: string } = {},
): SipRequest {
  const recordRoute = options.recordRoute ?? ['<sip:192.0.2.1:5060;lr;did=xyz>', '<sip:198.51.100.1;lr>'];
  return parseRequest([
    'INVITE sip:alice@192.0.2.10:5062 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKp2',
    'Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKp1',
    'Via: SIP/2.0/UDP 203.0.113.5:5070;branch=z9hG4bKb1',
    ...recordRoute.map((value) => `Record-Route: ${value}`),
    'Max-Forwards: 68',
    'From: "Bob" <sip:bob@example.test>;tag=bob9',
    'To: <sip:alice@example.test>',
    'Call-ID: incoming-1',
    'CSeq: 7 INVITE',
    `Contact: ${options.contact ?? '<sip:bob@203.0.113.5:5070;transport=udp>'}`,
    'Content-Length: 0',
  ]);
}

/** A request from the far end inside a dialog. */
export function incomingInDialog(
  method: string,
  cseq: number,
  options: { callId?: string; localTag?: string; remoteTag?: string; contact?: string } = {},
): SipRequest {
  return parseRequest([
    `${method} sip:alice@192.0.2.10:5062 SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKq1',
    'Max-Forwards: 69',
    `From: <sip:bob@example.test>;tag=${options.remoteTag ?? 'bob9'}`,
    `To: <sip:alice@example.test>;tag=${options.localTag ?? 'ours1'}`,
    `Call-ID: ${options.callId ?? 'incoming-1'}`,
    `CSeq: ${cseq} ${method}`,
    ...(options.contact ? [`Contact: ${options.contact}`] : []),
    'Content-Length: 0',
  ]);
}
