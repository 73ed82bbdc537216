// Building our own messages: responses per RFC 3261 §8.2.6 (copy Via, From, To, Call-ID, CSeq; add a To tag) and
// requests per §8.1.1. Values come from typed inputs and are formatted here, so no caller assembles header text.
import { type HeaderField, SipRequest, SipResponse, field } from './message';
import { type NameAddr, formatNameAddr } from './name-addr';
import type { Params } from './scan';
import { formatParams } from './scan';
import type { Uri } from './uri';
import { BRANCH_MAGIC_COOKIE } from './via';

/** RFC 3261 §21 reason phrases for the codes we send. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'OK' : 'Error');
}

export interface ResponseOptions {
  readonly reason?: string;
  /** To tag to add when the request's To has none (RFC 3261 §8.2.6.2); not added to 100 Trying. */
  readonly toTag?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
}

/** A response to `request`: Via, From, To, Call-ID, CSeq copied as RFC 3261 §8.2.6.2 requires. */
export function createResponse(
  request: SipRequest,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const headers: HeaderField[] = [];
  for (const f of request.headers) {
    if (f.key === 'via' || f.key === 'from' || f.key === 'call-id' || f.key === 'cseq') headers.push(f);
    else if (f.key === 'to') {
      const needsTag = status > 100 && options.toTag !== undefined && !hasTag(request);
      headers.push(needsTag ? { ...f, value: `${f.value};tag=${options.toTag}` } : f);
    }
    // RFC 3261 §8.2.6.2: a 100 Trying copies the request's Timestamp header.
    else if (f.key === 'timestamp' && status === 100) headers.push(f);
  }
  for (const [name, value] of options.headers ?? []) headers.push(field(name, value));
  if (options.body && options.body.length > 0 && options.contentType)
    headers.push(field('content-type', options.contentType));
  return new SipResponse(status, options.reason ?? reasonPhrase(status), headers, options.body);
}

function hasTag(request: SipRequest): boolean {
  try {
    return request.to.tag !== undefined;
  } catch {
    return false;
  }
}

export interface RequestOptions {
  readonly method: string;
  readonly requestUri: Uri;
  readonly from: NameAddr & { readonly tag: string };
  readonly to: NameAddr & { readonly tag?: string };
  readonly callId: string;
  readonly cseq: number;
  readonly maxForwards?: number;
  readonly contact?: readonly NameAddr[];
  readonly route?: readonly NameAddr[];
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
}

/**
 * A request without its Via: the transport layer adds the top Via (sent-by, branch, rport) when it sends, because
 * only it knows the local address of the flow it uses (RFC 3261 §18.1.1).
 */
export function createRequest(options: RequestOptions): SipRequest {
  const headers: HeaderField[] = [];
  // field() refuses CR, LF and NUL, so a display name or tag can never inject a header line.
  const add = (key: string, value: string): void => {
    headers.push(field(key, value));
  };
  for (const route of options.route ?? []) add('route', formatNameAddr(route));
  add('max-forwards', String(options.maxForwards ?? 70));
  add('from', formatAddress(options.from, options.from.tag));
  add('to', formatAddress(options.to, options.to.tag));
  add('call-id', options.callId);
  add('cseq', `${options.cseq} ${options.method}`);
  for (const contact of options.contact ?? []) add('contact', formatNameAddr(contact));
  const request = new SipRequest(options.method, options.requestUri, headers, options.body);
  for (const [name, value] of options.headers ?? []) request.addHeader(name, value);
  if (options.body && options.body.length > 0 && options.contentType)
    request.setHeader('Content-Type', options.contentType);
  return request;
}

function formatAddress(address: NameAddr, tag: string | undefined): string {
  const params: Params = new Map(address.params);
  params.delete('tag');
  if (tag !== undefined) params.set('tag', tag);
  return formatNameAddr({ ...address, params });
}

/** A new RFC 3261 branch: magic cookie + random token (§8.1.1.7). */
export function newBranch(token: string): string {
  return `${BRANCH_MAGIC_COOKIE}${token}`;
}

/** Formats a Via value for the top Via we add when sending. */
export function formatViaValue(
  transport: string,
  sentBy: string,
  branch: string,
  params: Params = new Map(),
): string {
  const all: Params = new Map([['branch', branch], ...params]);
  return `SIP/2.0/${transport.toUpperCase()} ${sentBy}${formatParams(all)}`;
}
