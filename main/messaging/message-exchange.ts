// RFC 3428 §4: one page-mode MESSAGE, out of any dialog, and how it ended. The request comes from the sender's
// RequestFactory (our From, Contact-less, the account's route set), goes to the next hop the account's outbound
// proxy or the target names (RFC 3263 through resolveNextHop), and a 401/407 is answered with the account's
// credentials (RFC 3261 §22.2; §8.1.3.5 keeps the Call-ID and From tag and raises the CSeq). The authenticator
// decides whether a challenge deserves another try: a second one after our credentials is `auth-failed`, so a wrong
// password never loops. Every final status becomes an outcome (message-failure.ts); nothing here throws.
//
// Size (RFC 3428 §8): a request that will not fit 1,300 bytes goes over a congestion-controlled transport. The
// transport layer switches a large request from UDP to TCP by itself (RFC 3261 §18.1.1); a user agent that has no
// TCP refuses such a message as `too-large` instead of sending a datagram the network would fragment.
import type { MessageFailureDto } from '../contract/contract';
import type { Random } from '../platform/random';
import { DigestAuthenticator } from '../sip/auth/authenticator';
import type { SipResponse } from '../sip/message/message';
import { serializeMessage } from '../sip/message/serialize';
import { type SipUri, formatUri } from '../sip/message/uri';
import { isSynthesizedResponse } from '../sip/transaction/client-transaction';
import type { Destination, TransportProtocol } from '../sip/transport/types';
import { type NameResolver, resolveNextHop } from '../ua/next-hop';
import type { RequestFactory } from '../ua/request-factory';
import type { RequestSender } from '../ua/request-sender';
import { failureReasonOf, messageFailure } from './message-failure';

/** RFC 3428 §8: the size past which a MESSAGE must not go over UDP (the MTU less room for headers on the way). */
export const UDP_MESSAGE_LIMIT = 1_300;
/** What the Via the transaction layer adds will take, on top of the request as built here. */
const VIA_ALLOWANCE = 100;
/** A challenge, then a stale nonce or a second realm: more than this many tries means something is wrong. */
const MAX_ATTEMPTS = 3;

export type ExchangeOutcome =
  | { readonly ok: true; readonly status: number; readonly detail: string }
  | { readonly ok: false; readonly failure: MessageFailureDto };

/** Who sends: the identity's requests, and for an account its credentials, proxy and transport. */
export interface MessageSender {
  readonly requests: RequestFactory;
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly outboundProxy?: SipUri;
  readonly transport: TransportProtocol;
}

export interface ExchangeDeps {
  readonly sender: RequestSender;
  readonly random: Random;
  readonly resolver: NameResolver;
  /** Whether the transport can carry `protocol` (a large request needs TCP). */
  readonly carries: (protocol: TransportProtocol) => boolean;
}

export interface MessageRequestSpec {
  readonly target: SipUri;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

export async function exchangeMessage(
  deps: ExchangeDeps,
  from: MessageSender,
  spec: MessageRequestSpec,
): Promise<ExchangeOutcome> {
  let destination: Destination;
  try {
    destination = await resolveNextHop(spec.target, from.outboundProxy, from.transport, deps.resolver);
  } catch (error) {
    return failed('unreachable', null, `cannot resolve ${formatUri(spec.target)}: ${messageOf(error)}`);
  }
  const authenticator = from.credentials
    ? new DigestAuthenticator({ ...from.credentials, random: deps.random })
    : undefined;
  // One Call-ID and From tag for the first try and the ones with credentials (RFC 3261 §8.1.3.5).
  const sequence = from.requests.sequence();
  const fromTag = from.requests.newTag();
  for (let attempt = 1; ; attempt++) {
    const request = sequence.next(destination, {
      method: 'MESSAGE',
      requestUri: spec.target,
      fromTag,
      body: spec.body,
      contentType: spec.contentType,
      ...(spec.headers ? { headers: spec.headers } : {}),
    });
    for (const header of authenticator?.authorize({ method: 'MESSAGE', uri: formatUri(spec.target) }) ?? [])
      request.addHeader(header.name, header.value);
    if (
      destination.protocol === 'udp' &&
      !deps.carries('tcp') &&
      serializeMessage(request).length + VIA_ALLOWANCE > UDP_MESSAGE_LIMIT
    )
      return failed(
        'too-large',
        null,
        `the message needs TCP (over ${UDP_MESSAGE_LIMIT} bytes, RFC 3428 §8) and this user agent has none`,
      );
    const response = await send(deps.sender, request, destination);
    const where = address(destination);
    if (response === undefined) return failed('unreachable', null, `cannot send to ${where}`);
    const status = response.status;
    if (status >= 200 && status < 300)
      return { ok: true, status, detail: `${statusLine(response)} from ${where}` };
    if ((status === 401 || status === 407) && !isSynthesizedResponse(response)) {
      if (authenticator === undefined)
        return failed(
          'auth-failed',
          status,
          `${statusLine(response)} from ${where} (no credentials to answer it)`,
        );
      const challenges = status === 401 ? response.wwwAuthenticate : response.proxyAuthenticate;
      const outcome = authenticator.handleChallenge({ status, challenges });
      if (outcome.action === 'fail')
        return failed('auth-failed', status, `${statusLine(response)} from ${where}: ${outcome.detail}`);
      if (attempt >= MAX_ATTEMPTS)
        return failed('auth-failed', status, `${statusLine(response)} from ${where} after ${attempt} tries`);
      continue;
    }
    const synthesized = isSynthesizedResponse(response);
    const detail = synthesized
      ? `${statusLine(response)} (${status === 408 ? 'no answer from' : 'cannot reach'} ${where})`
      : `${statusLine(response)} from ${where}`;
    return failed(failureReasonOf(status, synthesized), status, detail);
  }
}

/** Sends one request and waits for its final response; undefined when it could not be handed to the transport. */
function send(
  sender: RequestSender,
  request: Parameters<RequestSender['sendRequest']>[0],
  destination: Destination,
): Promise<SipResponse | undefined> {
  return new Promise((resolve) => {
    try {
      sender.sendRequest(request, destination, { onFinal: resolve });
    } catch {
      resolve(undefined);
    }
  });
}

function failed(reason: MessageFailureDto['reason'], status: number | null, detail: string): ExchangeOutcome {
  return { ok: false, failure: messageFailure(reason, status, detail) };
}

function statusLine(response: SipResponse): string {
  return `${response.status} ${response.reason}`.trim();
}

function address(destination: Destination): string {
  const host = destination.address.includes(':') ? `[${destination.address}]` : destination.address;
  return `${host}:${destination.port}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
