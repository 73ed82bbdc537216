// RFC 3261 §12.1.1, §12.1.2 and §12.2.1.1: the route set of a dialog and how an in-dialog request follows it.
// Each record-routing proxy puts its entry on top as the request passes (§16.6 step 4), so the top entry is the proxy
// nearest the UAS. The UAS therefore takes the request's Record-Route in order (its first hop first); the UAC takes the
// same list, copied into the response (§16.7), in reverse.
import type { MalformedHeaderError, SipRequest, SipResponse } from '../message/message';
import type { NameAddr } from '../message/name-addr';
import { type Result, err, ok } from '../message/result';
import { type Uri, isSipUri } from '../message/uri';

/** Route set of a dialog we answered (UAS, §12.1.1): the request's Record-Route values as they came. */
export function uasRouteSet(request: SipRequest): Result<readonly NameAddr[], MalformedHeaderError> {
  const recordRoute = request.tryRecordRoute();
  return recordRoute.ok ? ok(recordRoute.value.map(withoutHeaderParams)) : err(recordRoute.error);
}

/** Route set of a dialog we started (UAC, §12.1.2): the response's Record-Route values in reverse order. */
export function uacRouteSet(response: SipResponse): Result<readonly NameAddr[], MalformedHeaderError> {
  const recordRoute = response.tryRecordRoute();
  return recordRoute.ok ? ok(recordRoute.value.map(withoutHeaderParams).reverse()) : err(recordRoute.error);
}

/**
 * §12.1.1: "the URIs in the Record-Route header field ... including all URI parameters" form the route set; header
 * parameters of a Record-Route value (after the `>`) are the proxy's business and do not go back into our Route.
 */
function withoutHeaderParams(value: NameAddr): NameAddr {
  return { uri: value.uri, params: new Map() };
}

/** A route set entry names a loose router when its URI carries `lr` (RFC 3261 §19.1.1, §16.12.1.1). */
export function isLooseRoute(route: NameAddr): boolean {
  return isSipUri(route.uri) && route.uri.params.has('lr');
}

export interface Routing {
  readonly requestUri: Uri;
  readonly route: readonly NameAddr[];
}

/**
 * §12.2.1.1: where an in-dialog request goes. No route set: straight to the remote target. A loose router first:
 * Request-URI = remote target, Route = the route set. A strict router first (an RFC 2543 proxy): it expects to find
 * itself in the Request-URI, so Request-URI = the first route (without the parts a Request-URI may not carry) and
 * Route = the other routes followed by the remote target, which the last proxy puts back into the Request-URI.
 */
export function routeInDialog(remoteTarget: Uri, routeSet: readonly NameAddr[]): Routing {
  const first = routeSet[0];
  if (first === undefined) return { requestUri: remoteTarget, route: [] };
  if (isLooseRoute(first)) return { requestUri: remoteTarget, route: routeSet };
  return {
    requestUri: asRequestUri(first.uri),
    route: [...routeSet.slice(1), { uri: remoteTarget, params: new Map() }],
  };
}

/** §19.1.1 table: URI headers (`?...`) are not allowed in a Request-URI; its parameters are. */
function asRequestUri(uri: Uri): Uri {
  return isSipUri(uri) ? { ...uri, headers: new Map() } : uri;
}
