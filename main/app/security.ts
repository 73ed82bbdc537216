// The shell's security policy (Electron security checklist): a strict Content-Security-Policy, the microphone and the
// choice of speaker as the only permissions and only for our own page, no navigation, no new windows, no webviews, and external links handed
// to the system browser only after validation.
import type { HandlerDetails, Session, WebContents, WindowOpenHandlerResponse } from 'electron';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { AppOrigin } from './app-origin';

/** The policy for our page. `devServerOrigin` adds the dev server's hot-reload socket in development only. */
export function contentSecurityPolicy(devServerOrigin: string | null = null): string {
  const hotReload = devServerOrigin === null ? '' : ` ${devServerOrigin.replace(/^http/, 'ws')}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Svelte transitions and the style: directive write inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${hotReload}`,
    "media-src 'self' blob:",
    "worker-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Whether a link may be opened in the system browser: http(s), a host, no embedded credentials, sane length. */
export function isSafeExternalUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

export interface PermissionRequestFacts {
  readonly fromOurWindow: boolean;
  readonly permission: string;
  readonly isMainFrame: boolean;
  readonly requestingUrl: string;
  /** For 'media' requests: which devices; absent or empty means Chromium did not say. */
  readonly mediaTypes: readonly string[] | undefined;
}

/**
 * Only the microphone (audio without video) and the choice of speaker (Settings › Audio plays calls and the ring
 * on the chosen output), only for our page's main frame.
 */
export function decidePermissionRequest(facts: PermissionRequestFacts, origin: AppOrigin): boolean {
  if (!facts.fromOurWindow || !facts.isMainFrame || !origin.isAppUrl(facts.requestingUrl)) return false;
  if (facts.permission === 'speaker-selection') return true;
  return (
    facts.permission === 'media' &&
    facts.mediaTypes !== undefined &&
    facts.mediaTypes.length > 0 &&
    facts.mediaTypes.every((type) => type === 'audio')
  );
}

export interface PermissionCheckFacts {
  readonly fromOurWindow: boolean;
  readonly permission: string;
  readonly requestingOrigin: string;
  readonly requestingUrl: string | undefined;
  readonly mediaType: string | undefined;
}

/** The synchronous "is it already granted?" question Chromium asks; answered like requests. */
export function decidePermissionCheck(facts: PermissionCheckFacts, origin: AppOrigin): boolean {
  const ours =
    facts.requestingUrl !== undefined && facts.requestingUrl !== ''
      ? origin.isAppUrl(facts.requestingUrl)
      : origin.isAppOrigin(facts.requestingOrigin);
  if (!facts.fromOurWindow || !ours) return false;
  return (
    facts.permission === 'speaker-selection' || (facts.permission === 'media' && facts.mediaType === 'audio')
  );
}

export type SecuredSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  readonly webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
} & Partial<Pick<Session, 'setDevicePermissionHandler'>>;

export interface SessionSecurityOptions {
  readonly origin: AppOrigin;
  /** Whether a WebContents is our application window's. */
  readonly isOurWebContents: (contents: WebContents | null) => boolean;
  readonly devServerOrigin: string | null;
  readonly logger?: Logger;
}

export function applySessionSecurity(session: SecuredSession, options: SessionSecurityOptions): void {
  const { origin, isOurWebContents } = options;
  const logger = options.logger ?? silentLogger;
  const policy = contentSecurityPolicy(options.devServerOrigin);

  session.webRequest.onHeadersReceived((details, callback) => {
    if (!origin.isAppUrl(details.url)) {
      callback({});
      return;
    }
    // Replace whatever policy the server sent (the dev server sends none) with ours.
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });

  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const granted = decidePermissionRequest(
      {
        fromOurWindow: isOurWebContents(contents),
        permission,
        isMainFrame: details.isMainFrame,
        requestingUrl: details.requestingUrl,
        mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
      },
      origin,
    );
    if (!granted)
      logger.log('info', 'denied a permission request', { permission, url: details.requestingUrl });
    callback(granted);
  });

  session.setPermissionCheckHandler((contents, permission, requestingOrigin, details) =>
    decidePermissionCheck(
      {
        fromOurWindow: isOurWebContents(contents),
        permission,
        requestingOrigin,
        requestingUrl: details.requestingUrl,
        mediaType: details.mediaType,
      },
      origin,
    ),
  );

  // USB, HID, serial and the like: never.
  session.setDevicePermissionHandler?.(() => false);
}

export type GuardedWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export interface NavigationGuardOptions {
  /** shell.openExternal. */
  readonly openExternal: (url: string) => Promise<void>;
  readonly logger?: Logger;
}

/** Decides a window.open / target=_blank: never a new window; a safe web link goes to the system browser. */
export function handleWindowOpen(
  details: Pick<HandlerDetails, 'url'>,
  options: NavigationGuardOptions,
): WindowOpenHandlerResponse {
  const logger = options.logger ?? silentLogger;
  if (isSafeExternalUrl(details.url)) {
    // The normalised form, not the raw text, is what leaves the app.
    const url = new URL(details.url).href;
    options.openExternal(url).catch((error: unknown) => {
      logger.log('warn', 'could not open a link in the browser', { url, error: String(error) });
    });
  } else {
    logger.log('warn', 'refused to open a window', { url: details.url.slice(0, 200) });
  }
  return { action: 'deny' };
}

export function guardWebContents(contents: GuardedWebContents, options: NavigationGuardOptions): void {
  const logger = options.logger ?? silentLogger;
  const refuse = (what: string) => (event: { preventDefault(): void }, url?: unknown) => {
    event.preventDefault();
    logger.log('warn', `refused ${what}`, { url: typeof url === 'string' ? url.slice(0, 200) : null });
  };
  // Our page is a single page: it never navigates, so any navigation is either a stray link or an attack.
  contents.on('will-navigate', refuse('a navigation'));
  contents.on('will-frame-navigate', (event) => {
    event.preventDefault();
    logger.log('warn', 'refused a frame navigation', { url: event.url.slice(0, 200) });
  });
  contents.on('will-redirect', refuse('a redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.log('warn', 'refused a webview');
  });
  contents.setWindowOpenHandler((details) => handleWindowOpen(details, options));
}
