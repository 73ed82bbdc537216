// Asks the browser to open sip: and tel: links in this page (`navigator.registerProtocolHandler`, both schemes are
// on the browsers' safelist). Only the web host needs it; the desktop app registers with the system. Browsers show
// their own confirmation, and some (Firefox on some systems, Safari) do not offer it at all.
import { dialHandlerUrl } from './dial-link';

export type LinkHandlerOutcome = 'asked' | 'unsupported' | 'refused';

export interface ProtocolRegistrar {
  registerProtocolHandler?(scheme: string, url: string): void;
}

export function registerLinkHandlers(
  navigator: ProtocolRegistrar,
  location: Pick<Location, 'href'>,
): LinkHandlerOutcome {
  if (typeof navigator.registerProtocolHandler !== 'function') return 'unsupported';
  const url = dialHandlerUrl(location);
  try {
    for (const scheme of ['sip', 'tel']) navigator.registerProtocolHandler(scheme, url);
    return 'asked';
  } catch {
    return 'refused';
  }
}
