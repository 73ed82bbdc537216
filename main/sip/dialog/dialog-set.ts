// The dialogs a user agent holds, keyed by dialog id (RFC 3261 §12), and how a message finds its dialog: a request
// we receive by its Call-ID, To tag (ours) and From tag (theirs) (§12.2.2); a response by its Call-ID, From tag
// (ours) and To tag (theirs) (§12.1.2). One INVITE can fork into several early dialogs that share Call-ID and local
// tag and differ in the remote tag (§13.2.2.4); `forked` lists them, so the first 2xx can be kept and the others
// ended. The table holds pure DialogStates; the usage that steps one puts the new state back with `update`.
import type { SipRequest, SipResponse } from '../message/message';
import type { DialogState } from './dialog';
import { type DialogId, dialogKey, dialogSetKey } from './dialog-id';

/** Bound on the early dialogs one INVITE may fork into; a proxy forking further adds nothing a user can answer. */
export const MAX_FORKED_DIALOGS = 16;

export class DialogSet {
  readonly #dialogs = new Map<string, DialogState>();
  /** Dialog keys by Call-ID + local tag, for the forks of one INVITE. */
  readonly #forks = new Map<string, Set<string>>();

  get size(): number {
    return this.#dialogs.size;
  }

  /**
   * Adds a dialog, or replaces the state kept under its id. A terminated state removes it. Returns false (and keeps
   * nothing) when the INVITE already has MAX_FORKED_DIALOGS dialogs.
   */
  update(state: DialogState): boolean {
    const key = dialogKey(state.id);
    if (state.name === 'terminated') {
      this.remove(state.id);
      return true;
    }
    const setKey = dialogSetKey(state.id.callId, state.id.localTag);
    let forks = this.#forks.get(setKey);
    if (!forks?.has(key)) {
      if (forks && forks.size >= MAX_FORKED_DIALOGS) return false;
      if (!forks) {
        forks = new Set();
        this.#forks.set(setKey, forks);
      }
      forks.add(key);
    }
    this.#dialogs.set(key, state);
    return true;
  }

  remove(id: DialogId): void {
    const key = dialogKey(id);
    if (!this.#dialogs.delete(key)) return;
    const setKey = dialogSetKey(id.callId, id.localTag);
    const forks = this.#forks.get(setKey);
    forks?.delete(key);
    if (forks?.size === 0) this.#forks.delete(setKey);
  }

  get(id: DialogId): DialogState | undefined {
    return this.#dialogs.get(dialogKey(id));
  }

  /** The dialog an incoming request belongs to (§12.2.2); undefined for a request outside any dialog we hold. */
  findForRequest(request: SipRequest): DialogState | undefined {
    const to = request.tryTo();
    const from = request.tryFrom();
    const callId = request.tryCallId();
    if (!to.ok || !from.ok || !callId.ok || to.value.tag === undefined) return undefined;
    return this.get({ callId: callId.value, localTag: to.value.tag, remoteTag: from.value.tag ?? '' });
  }

  /** The dialog a response to one of our requests belongs to; undefined for a new fork or a response without tag. */
  findForResponse(response: SipResponse): DialogState | undefined {
    const to = response.tryTo();
    const from = response.tryFrom();
    const callId = response.tryCallId();
    if (!to.ok || !from.ok || !callId.ok || to.value.tag === undefined || from.value.tag === undefined)
      return undefined;
    return this.get({ callId: callId.value, localTag: from.value.tag, remoteTag: to.value.tag });
  }

  /** Every dialog (early or confirmed) created by responses to one INVITE: its forks (§13.2.2.4). */
  forked(callId: string, localTag: string): DialogState[] {
    const keys = this.#forks.get(dialogSetKey(callId, localTag));
    const out: DialogState[] = [];
    for (const key of keys ?? []) {
      const state = this.#dialogs.get(key);
      if (state) out.push(state);
    }
    return out;
  }

  /** The lookup UasCore.setDialogLookup takes: true when a request with a To tag belongs to a dialog we hold. */
  readonly hasDialogFor = (request: SipRequest): boolean => this.findForRequest(request) !== undefined;
}
