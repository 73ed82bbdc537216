// RFC 3994 §4: the application/im-iscomposing+xml document. We read `state` (active or idle), `refresh` (seconds
// the active state lasts unless renewed, §3.2) and `contenttype`; `lastactive` is read but not needed. The body is
// hostile input like any XML from the network, so it goes through the one XML parser under its limits (no DOCTYPE,
// bounded size and depth) and every failure is a Result error, never a throw.
import { escapeXml } from '../presence/pidf-builder';
import { type XmlElement, type XmlLimits, parseXml } from '../presence/xml-document';
import { type Result, err, ok } from '../sip/message/result';

export const IS_COMPOSING_NAMESPACE = 'urn:ietf:params:xml:ns:im-iscomposing';

/** RFC 3994 §3.2: an active state without a refresh lasts 120 s. */
export const DEFAULT_REFRESH_SECONDS = 120;
/** §3.2 asks senders for a refresh of at least 60 s; we accept any positive one but cap it at an hour. */
const MAX_REFRESH_SECONDS = 3_600;

/** An is-composing document is a handful of elements: anything bigger is refused before it costs anything. */
const COMPOSING_XML_LIMITS: XmlLimits = {
  maxBytes: 4_096,
  maxDepth: 4,
  maxElements: 16,
  maxAttributes: 8,
  maxAttributeLength: 256,
  maxTextLength: 1_024,
};

export interface IsComposing {
  readonly state: 'active' | 'idle';
  /** Seconds; the default when the document gives none. */
  readonly refreshSeconds: number;
  readonly contentType?: string;
}

export interface IsComposingError {
  readonly code: string;
  readonly message: string;
}

export function parseIsComposing(body: Uint8Array | string): Result<IsComposing, IsComposingError> {
  const parsed = parseXml(body, COMPOSING_XML_LIMITS);
  if (!parsed.ok) return err({ code: parsed.error.code, message: parsed.error.message });
  const root = parsed.value;
  if (root.ns !== IS_COMPOSING_NAMESPACE || root.name !== 'isComposing')
    return err({ code: 'not-is-composing', message: `the root is ${root.name}, not isComposing` });
  const stateText = child(root, 'state')?.text.trim().toLowerCase();
  // §4: state is "active" or "idle"; RFC 3994 lets other values through for extensions, which mean idle to us.
  if (stateText === undefined) return err({ code: 'no-state', message: 'isComposing without a state' });
  const state = stateText === 'active' ? 'active' : 'idle';
  const refreshText = child(root, 'refresh')?.text.trim();
  let refreshSeconds = DEFAULT_REFRESH_SECONDS;
  if (refreshText !== undefined) {
    if (!/^\d{1,9}$/.test(refreshText))
      return err({ code: 'bad-refresh', message: `refresh ${refreshText.slice(0, 20)} is not a number` });
    const value = Number(refreshText);
    if (value > 0) refreshSeconds = Math.min(value, MAX_REFRESH_SECONDS);
  }
  const contentType = child(root, 'contenttype')?.text.trim();
  return ok({ state, refreshSeconds, ...(contentType ? { contentType } : {}) });
}

/** Our document: `active` names its refresh and text/plain, `idle` just the state (§4). */
export function buildIsComposing(state: 'active' | 'idle', refreshSeconds = DEFAULT_REFRESH_SECONDS): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<isComposing xmlns="${IS_COMPOSING_NAMESPACE}">`,
    `<state>${escapeXml(state)}</state>`,
  ];
  if (state === 'active') {
    lines.push('<contenttype>text/plain</contenttype>');
    lines.push(`<refresh>${Math.max(1, Math.round(refreshSeconds))}</refresh>`);
  }
  lines.push('</isComposing>', '');
  return lines.join('\n');
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find(
    (candidate) => candidate.ns === IS_COMPOSING_NAMESPACE && candidate.name === name,
  );
}
