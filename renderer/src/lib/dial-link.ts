// The web host's way in for links: `?dial=sip:bob@example.com` (or a tel: number) on the page's address, as a
// browser's registered sip:/tel: handler opens it (`?dial=%s`). Read once at start and taken off the address, so a
// reload does not fill the dialpad again; the access token in the fragment stays. The dialpad checks the link.

/** Longer than any link the dialpad accepts; anything beyond is cut so the notice can say it was refused. */
const DIAL_PARAM_MAX = 4096;

export const DIAL_PARAM = 'dial';

export function takeDialLink(
  location: Pick<Location, 'href'>,
  history: Pick<History, 'replaceState' | 'state'> | null,
): string | null {
  let url: URL;
  try {
    url = new URL(location.href);
  } catch {
    return null;
  }
  const link = url.searchParams.get(DIAL_PARAM);
  if (link === null) return null;
  url.searchParams.delete(DIAL_PARAM);
  history?.replaceState(history.state, '', url.href);
  return link.trim() === '' ? null : link.slice(0, DIAL_PARAM_MAX);
}

/** The handler address a browser is given for sip: and tel: links: this page with `?dial=%s`, token kept. */
export function dialHandlerUrl(location: Pick<Location, 'href'>): string {
  const url = new URL(location.href);
  url.search = '';
  // `%s` must stay literal: the browser replaces it with the escaped link.
  return `${url.origin}${url.pathname}?${DIAL_PARAM}=%s${url.hash}`;
}
