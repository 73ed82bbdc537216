// What counts as "our page": the packaged renderer file, or in development the electron-vite dev server on loopback.
// IPC sender checks, permission decisions and the CSP all ask this one place.
import { pathToFileURL } from 'node:url';

export type AppEntry =
  { readonly kind: 'file'; readonly path: string } | { readonly kind: 'url'; readonly url: string };

export interface AppOrigin {
  /** What the window loads. */
  readonly entry: AppEntry;
  /** True for our page (any hash or query), false for everything else, including other local files. */
  isAppUrl(url: string): boolean;
  /** True for the origin string Chromium reports for our page in permission checks. */
  isAppOrigin(origin: string): boolean;
}

export interface AppOriginOptions {
  readonly rendererIndexFile: string;
  /** electron-vite's dev server (ELECTRON_RENDERER_URL); honoured only when it is http on loopback. */
  readonly devServerUrl: string | null;
  readonly platform: NodeJS.Platform;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function isLoopbackHttpUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === 'http:' && loopbackHosts.has(parsed.hostname);
}

export function createAppOrigin(options: AppOriginOptions): AppOrigin {
  const dev =
    options.devServerUrl !== null && isLoopbackHttpUrl(options.devServerUrl) ? options.devServerUrl : null;
  if (dev !== null) {
    const origin = new URL(dev).origin;
    return {
      entry: { kind: 'url', url: dev },
      isAppUrl: (url) => parse(url)?.origin === origin,
      isAppOrigin: (candidate) => candidate === origin || candidate === `${origin}/`,
    };
  }
  // Windows paths are case-insensitive and Chromium may spell the drive letter differently from Node.
  const normalise = (pathname: string): string => {
    const decoded = safeDecode(pathname);
    return options.platform === 'win32' ? decoded.toLowerCase() : decoded;
  };
  const expected = normalise(pathToFileURL(options.rendererIndexFile).pathname);
  return {
    entry: { kind: 'file', path: options.rendererIndexFile },
    isAppUrl: (url) => {
      const parsed = parse(url);
      return (
        parsed !== null &&
        parsed.protocol === 'file:' &&
        parsed.host === '' &&
        normalise(parsed.pathname) === expected
      );
    },
    // Chromium reports file pages with an opaque "file://" origin; the page itself is pinned by isAppUrl and by
    // denying every navigation, so no other file can be the one asking.
    isAppOrigin: (candidate) => candidate === 'file://' || candidate === 'file:///',
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
