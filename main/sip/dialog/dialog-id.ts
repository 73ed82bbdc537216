// RFC 3261 §12: a dialog is identified by its Call-ID, local tag and remote tag. The local tag is the From tag of
// the requests we send in it and the To tag of those we receive; the remote tag the other way round. A peer that
// speaks RFC 2543 may send no From tag at all (§12.1.1: "the remote tag ... MUST be set to the null value"), which
// we keep as the empty string so the id stays a plain triple.

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/**
 * One string per dialog id, for the keys of a table. Tags and Call-IDs are tokens (§25.1 `token` / `word`), which
 * never hold a line feed, so the separator cannot be forged by a peer to alias another dialog.
 */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/** Call-ID and our tag: what every dialog forked from one INVITE shares (§12.1.2, §13.2.2.4). */
export function dialogSetKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}
