// Text that came from the far end (display names, URIs) is untrusted wherever it is shown: the window's views, the
// system notifications and the tray. One cleaning for all of them: control characters and bidirectional formatting
// out, whitespace collapsed, the length bounded. Plain functions without imports, so the window may bundle them.

/** Longest peer text shown; the window's CSS truncates to the space available, this bounds what anything holds. */
export const PEER_TEXT_MAX = 200;

/**
 * C0/C1 controls, and the bidirectional formatting characters (LRM/RLM, ALM, embeddings and overrides U+202A–202E,
 * isolates U+2066–2069) that would let a caller's name flip the order of the text around it (Unicode TR 9 §2).
 * Zero-width joiners stay: scripts and emoji need them.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/** A far end's text with controls and bidi formatting removed, whitespace collapsed, and its length bounded. */
export function cleanPeerText(text: string, max: number = PEER_TEXT_MAX): string {
  const cleaned = text.replace(UNSAFE_CHARACTERS, ' ').replace(/\s+/gu, ' ').trim();
  const characters = [...cleaned];
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : cleaned;
}

/** What to call the far end: its display name when it sent a usable one, else its address. */
export function peerTitle(peer: { readonly peerName: string | null; readonly peerUri: string }): string {
  const name = peer.peerName === null ? '' : cleanPeerText(peer.peerName);
  return name !== '' ? name : peerAddress(peer);
}

/** The far end's address without the `sip:` scheme, cleaned like a name. */
export function peerAddress(peer: { readonly peerUri: string }): string {
  return cleanPeerText(peer.peerUri.replace(/^sips?:/iu, ''));
}
