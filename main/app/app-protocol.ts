// The window's page comes from a privileged custom scheme, app://softphone/, instead of file:// (Electron security
// checklist items 7 and 18): the page gets a real origin of its own, the Content-Security-Policy travels as a
// response header on every document for certain, and no other local file is reachable. The handler serves the
// built renderer only, with path confinement (shared with the web host's static files) and correct MIME types.
import { readFile, realpath } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { lookupStaticFile } from '../web/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'softphone';
/** Our page's origin, as Chromium reports it in permission checks. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before the app is ready. `standard` gives the scheme origins and relative URLs like https; `secure`
 * makes it a secure context (getUserMedia needs one); `supportFetchAPI` lets the page fetch its own assets (the
 * codec's WebAssembly). No `bypassCSP`, no `corsEnabled`: the scheme is for our page only.
 */
export const privilegedSchemes: readonly CustomScheme[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
];

export interface AppProtocolOptions {
  /** The built renderer folder (out/renderer). */
  readonly rendererRoot: string;
  /** The Content-Security-Policy header for every response. */
  readonly contentSecurityPolicy: string;
}

/** Answers one request to app://; a `protocol.handle` handler. Anything but a GET or HEAD of a file in the build is refused. */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  let realRoot: Promise<string> | null = null;
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'Content-Security-Policy': options.contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ...extra,
  });
  const refuse = (status: number): Response => new Response(null, { status, headers: headers() });

  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405, headers: headers({ Allow: 'GET, HEAD' }) });
    realRoot ??= realpath(options.rendererRoot);
    let root: string;
    try {
      root = await realRoot;
    } catch {
      realRoot = null;
      return refuse(404);
    }
    // The URL parser has already resolved dot segments; lookupStaticFile checks the raw path again regardless.
    const found = await lookupStaticFile(root, url.pathname);
    if (!found.ok) return refuse(found.status);
    let body: Buffer;
    try {
      body = await readFile(found.path);
    } catch {
      return refuse(404);
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: headers({ 'Content-Type': found.contentType, 'Content-Length': String(body.length) }),
    });
  };
}
