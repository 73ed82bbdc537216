// The shell's security policy with fake session and webContents objects: CSP on our page, the microphone as the only
// grantable permission (our page only, audio without video), no navigation, no new windows, and external links only
// after validation.
import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { createAppOrigin } from '../../../main/app/app-origin';
import type { GuardedWebContents, SecuredSession } from '../../../main/app/security';
import {
  applySessionSecurity,
  contentSecurityPolicy,
  guardWebContents,
  handleWindowOpen,
  isSafeExternalUrl,
} from '../../../main/app/security';

const appUrl = 'app://softphone/index.html';
const origin = createAppOrigin({ devServerUrl: null });

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0] & {};
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0] & {};
type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

function securedSession() {
  const ours = { id: 1 } as unknown as WebContents;
  const stranger = { id: 2 } as unknown as WebContents;
  let request: RequestHandler | null = null;
  let check: CheckHandler | null = null;
  let headers: HeadersListener | null = null;
  const devicePermission = vi.fn();
  const session = {
    setPermissionRequestHandler: (handler: RequestHandler | null) => void (request = handler),
    setPermissionCheckHandler: (handler: CheckHandler | null) => void (check = handler),
    setDevicePermissionHandler: devicePermission,
    webRequest: { onHeadersReceived: (listener: HeadersListener) => void (headers = listener) },
  } as unknown as SecuredSession;
  applySessionSecurity(session, {
    origin,
    isOurWebContents: (contents) => contents === ours,
    devServerOrigin: null,
  });

  const requestPermission = (
    permission: string,
    details: { requestingUrl?: string; mediaTypes?: string[]; isMainFrame?: boolean } = {},
    contents: WebContents = ours,
  ): boolean => {
    let granted: boolean | undefined;
    request!(
      contents,
      permission as never,
      (answer) => {
        granted = answer;
      },
      { requestingUrl: appUrl, isMainFrame: true, ...details } as never,
    );
    if (granted === undefined) throw new Error('the handler did not answer synchronously');
    return granted;
  };
  const checkPermission = (
    permission: string,
    details: { requestingUrl?: string; mediaType?: string; requestingOrigin?: string } = {},
    contents: WebContents | null = ours,
  ): boolean =>
    check!(contents, permission as never, details.requestingOrigin ?? 'app://softphone', {
      isMainFrame: true,
      requestingUrl: details.requestingUrl ?? appUrl,
      mediaType: details.mediaType as never,
    });
  const headersFor = (url: string, responseHeaders?: Record<string, string[]>) => {
    let answer: { responseHeaders?: Record<string, string[]> } | undefined;
    headers!({ url, ...(responseHeaders ? { responseHeaders } : {}) }, (response) => {
      answer = response;
    });
    return answer;
  };
  return { ours, stranger, requestPermission, checkPermission, headersFor, devicePermission };
}

describe('permission requests', () => {
  it('grants the microphone to our page', () => {
    const s = securedSession();
    expect(s.requestPermission('media', { mediaTypes: ['audio'] })).toBe(true);
  });

  it.each([
    ['the camera', { mediaTypes: ['video'] }],
    ['camera and microphone together', { mediaTypes: ['audio', 'video'] }],
    ['media without saying which', { mediaTypes: [] }],
    ['media with no mediaTypes at all', {}],
    ['another origin', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' }],
    ['another local file', { mediaTypes: ['audio'], requestingUrl: 'file:///tmp/evil.html' }],
    ['a subframe of our page', { mediaTypes: ['audio'], isMainFrame: false }],
  ])('denies %s', (_what, details) => {
    const s = securedSession();
    expect(s.requestPermission('media', details)).toBe(false);
  });

  it('grants the choice of speaker to our page only', () => {
    const s = securedSession();
    expect(s.requestPermission('speaker-selection', {})).toBe(true);
    expect(s.requestPermission('speaker-selection', { requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(s.requestPermission('speaker-selection', { isMainFrame: false })).toBe(false);
    expect(s.requestPermission('speaker-selection', {}, s.stranger)).toBe(false);
  });

  it('denies the microphone to another webContents even on our URL', () => {
    const s = securedSession();
    expect(s.requestPermission('media', { mediaTypes: ['audio'] }, s.stranger)).toBe(false);
  });

  it.each([
    'notifications',
    'geolocation',
    'clipboard-read',
    'display-capture',
    'openExternal',
    'midi',
    'hid',
  ])('denies %s', (permission) => {
    const s = securedSession();
    expect(s.requestPermission(permission, { mediaTypes: ['audio'] })).toBe(false);
  });

  it('denies every device permission (USB, HID, serial)', () => {
    const s = securedSession();
    const handler = s.devicePermission.mock.calls[0]![0] as () => boolean;
    expect(handler()).toBe(false);
  });
});

describe('permission checks', () => {
  it('answers yes for the microphone on our page only', () => {
    const s = securedSession();
    expect(s.checkPermission('media', { mediaType: 'audio' })).toBe(true);
    expect(s.checkPermission('media', { mediaType: 'video' })).toBe(false);
    expect(s.checkPermission('media', { mediaType: 'unknown' })).toBe(false);
    expect(s.checkPermission('media', { mediaType: 'audio', requestingUrl: 'https://evil.example/' })).toBe(
      false,
    );
    expect(s.checkPermission('media', { mediaType: 'audio' }, s.stranger)).toBe(false);
    expect(s.checkPermission('media', { mediaType: 'audio' }, null)).toBe(false);
    expect(s.checkPermission('notifications', { mediaType: 'audio' })).toBe(false);
  });

  it('answers yes for the choice of speaker on our page only', () => {
    const s = securedSession();
    expect(s.checkPermission('speaker-selection', {})).toBe(true);
    expect(s.checkPermission('speaker-selection', { requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(s.checkPermission('speaker-selection', {}, s.stranger)).toBe(false);
  });

  it('falls back to the origin when Chromium gives no URL', () => {
    const s = securedSession();
    expect(
      s.checkPermission('media', {
        mediaType: 'audio',
        requestingUrl: '',
        requestingOrigin: 'app://softphone',
      }),
    ).toBe(true);
    // The page no longer comes from file://, so that origin is a stranger's.
    expect(
      s.checkPermission('media', { mediaType: 'audio', requestingUrl: '', requestingOrigin: 'file://' }),
    ).toBe(false);
    expect(
      s.checkPermission('media', {
        mediaType: 'audio',
        requestingUrl: '',
        requestingOrigin: 'https://evil.example',
      }),
    ).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  it('is strict: nothing by default, scripts from our own files only, no eval, no framing', () => {
    const policy = contentSecurityPolicy();
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/unsafe-eval/);
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("base-uri 'none'");
  });

  it('allows the dev server hot-reload socket only when given one', () => {
    expect(contentSecurityPolicy('http://localhost:5173')).toContain(
      "connect-src 'self' ws://localhost:5173",
    );
    expect(contentSecurityPolicy()).toContain("connect-src 'self';");
  });

  it('is set on our page, replacing any policy the server sent', () => {
    const s = securedSession();
    const answer = s.headersFor(appUrl, {
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
    });
    expect(answer?.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [contentSecurityPolicy()],
    });
  });

  it('leaves other responses untouched', () => {
    const s = securedSession();
    expect(s.headersFor('https://example.com/')).toEqual({});
  });
});

describe('navigation and new windows', () => {
  function guarded() {
    const listeners = new Map<
      string,
      (event: { preventDefault(): void; url?: string }, url?: string) => void
    >();
    let openHandler: ((details: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, listener: (event: { preventDefault(): void }, url?: string) => void) => {
        listeners.set(name, listener);
        return contents;
      },
      setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
        openHandler = handler;
      },
    } as unknown as GuardedWebContents;
    const openExternal = vi.fn(async (_url: string) => undefined);
    guardWebContents(contents, { openExternal });
    const fire = (name: string, url: string) => {
      const event = { preventDefault: vi.fn(), url };
      listeners.get(name)!(event, url);
      return event.preventDefault;
    };
    return { fire, open: (url: string) => openHandler!({ url }), openExternal };
  }

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])('%s is always prevented', (name) => {
    const g = guarded();
    expect(g.fire(name, 'https://example.com/')).toHaveBeenCalled();
    expect(g.fire(name, appUrl)).toHaveBeenCalled();
  });

  it('webviews are never attached', () => {
    const g = guarded();
    expect(g.fire('will-attach-webview', 'about:blank')).toHaveBeenCalled();
  });

  it('window.open never opens a window; a safe web link goes to the system browser', () => {
    const g = guarded();
    expect(g.open('https://example.com/help?topic=sip')).toEqual({ action: 'deny' });
    expect(g.openExternal).toHaveBeenCalledWith('https://example.com/help?topic=sip');
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'https://user:secret@example.com/',
    'https://user@example.com/',
    'smb://server/share',
    'sip:bob@example.com',
    'about:blank',
    'not a url',
  ])('window.open(%s) opens nothing at all', (url) => {
    const g = guarded();
    expect(g.open(url)).toEqual({ action: 'deny' });
    expect(g.openExternal).not.toHaveBeenCalled();
  });

  it('a failing openExternal is logged, not thrown', async () => {
    const log = vi.fn();
    const openExternal = vi.fn(async () => {
      throw new Error('no browser');
    });
    expect(handleWindowOpen({ url: 'https://example.com/' }, { openExternal, logger: { log } })).toEqual({
      action: 'deny',
    });
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith('warn', expect.any(String), expect.any(Object)));
  });
});

describe('isSafeExternalUrl', () => {
  it.each([
    ['https://example.com/', true],
    ['http://example.com/page', true],
    ['HTTPS://EXAMPLE.COM/', true],
    ['https://', false],
    ['javascript://example.com/%0Aalert(1)', false],
    ['https://a:b@example.com', false],
    [`https://example.com/${'x'.repeat(2100)}`, false],
    ['mailto:alice@example.com', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isSafeExternalUrl(url)).toBe(expected);
  });
});
