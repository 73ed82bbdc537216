// What counts as "our page": the built renderer served at app://softphone/ (app-protocol.ts), or in development the
// electron-vite dev server on loopback. IPC sender checks, permission decisions and the CSP all ask this one place.
import { APP_ENTRY_URL, APP_HOST, APP_ORIGIN, APP_SCHEME } from './app-protocol';

export interface AppEntry {
  readonly url: string;
  /** Served by our app:// handler (true) or by the development server (false). */
  readonly servedByApp: boolean;
}

export interface AppOrigin {
  /** What the window loads. */
  readonly entry: AppEntry;
  /** True for our page (any hash or query), false for everything else, including other files of the build. */
  isAppUrl(url: string): boolean;
  /** True for the origin string Chromium reports for our page in permission checks. */
  isAppOrigin(origin: string): boolean;
}

export interface AppOriginOptions {
  /** electron-vite's dev server (ELECTRON_RENDERER_URL); honoured only when it is http on loopback. */
  readonly devServerUrl: string | null;
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
      entry: { url: dev, servedByApp: false },
      isAppUrl: (url) => parse(url)?.origin === origin,
      isAppOrigin: (candidate) => candidate === origin || candidate === `${origin}/`,
    };
  }
  return {
    entry: { url: APP_ENTRY_URL, servedByApp: true },
    // The page itself, not merely something from our scheme: only index.html (or the bare root) is the app.
    isAppUrl: (url) => {
      const parsed = parse(url);
      return (
        parsed !== null &&
        parsed.protocol === `${APP_SCHEME}:` &&
        parsed.host.toLowerCase() === APP_HOST &&
        parsed.username === '' &&
        parsed.password === '' &&
        (parsed.pathname === '/index.html' || parsed.pathname === '/')
      );
    },
    isAppOrigin: (candidate) => candidate === APP_ORIGIN || candidate === `${APP_ORIGIN}/`,
  };
}
