// Headers sent with every web-host response. The page is the same renderer Electron loads, so the policy mirrors
// renderer/index.html's CSP and adds what only a browser tab needs: the socket origin, framing and referrer rules.

/** The loopback origin the host serves, e.g. `http://127.0.0.1:5173`; the only origin allowed to open the socket. */
export function hostOrigin(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte's transitions and style: directives write inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // Only our own socket; a page that reached another host could leak commands' results.
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    // Calls will need the microphone; nothing else is ever requested.
    'Permissions-Policy': 'microphone=(self), camera=(), geolocation=(), payment=(), usb=()',
    // The token travels in the URL fragment and the page's state is live: never serve a stale copy.
    'Cache-Control': 'no-store',
  };
}
