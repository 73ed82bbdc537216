// Which view is showing and which account the settings editor has open: view state only, nothing from the engine.
// A change that would close or replace an editor holding unsaved edits is held as a `leaveRequest` until the
// person confirms (discard) or backs out (keep editing); the dialog that asks lives in the app frame.

export const VIEWS = ['dialpad', 'contacts', 'buddies', 'chat', 'history', 'settings'] as const;
export type ViewName = (typeof VIEWS)[number];

/** The account being edited: an existing one by id, or a new one. */
export type EditTarget = { readonly kind: 'existing'; readonly id: string } | { readonly kind: 'new' };

/** Someone to chat with, asked for from another view (a contact, a buddy, a call in the history). */
export interface ChatRequest {
  readonly uri: string;
  readonly accountId: string | null;
}

/** A change held back because it would throw away unsaved edits. */
export interface LeaveRequest {
  /** Carries the change out, edits discarded. */
  readonly proceed: () => void;
}

export class Navigation {
  view = $state<ViewName>('dialpad');
  editing = $state<EditTarget | null>(null);
  /** A sip:/tel: URI the OS asked us to open; shown on the dialpad. */
  openedUri = $state<string | null>(null);
  /** The chat view opens (or starts) the conversation with this peer, then clears it. */
  chatWith = $state<ChatRequest | null>(null);
  /** Set while the person is being asked whether to discard unsaved edits. */
  leaveRequest = $state<LeaveRequest | null>(null);
  #hasUnsavedEdits: (() => boolean) | null = null;

  /**
   * Registers the open editor's "anything unsaved?" check; returns the function that removes it. While it answers
   * true, changes that would close the editor wait for the person's answer.
   */
  protectEdits(hasUnsavedEdits: () => boolean): () => void {
    this.#hasUnsavedEdits = hasUnsavedEdits;
    return () => {
      if (this.#hasUnsavedEdits === hasUnsavedEdits) this.#hasUnsavedEdits = null;
    };
  }

  /** Runs `change` now, or after the person agrees to discard the editor's unsaved edits. */
  leaveEditor(change: () => void): void {
    if (this.#hasUnsavedEdits?.()) this.leaveRequest = { proceed: change };
    else change();
  }

  discardAndLeave(): void {
    const request = this.leaveRequest;
    this.leaveRequest = null;
    this.#hasUnsavedEdits = null;
    request?.proceed();
  }

  keepEditing(): void {
    this.leaveRequest = null;
  }

  show(view: ViewName): void {
    if (view === this.view) return;
    // The editor lives on the settings view: leaving it unmounts the editor.
    if (this.view === 'settings' && this.editing) this.leaveEditor(() => (this.view = view));
    else this.view = view;
  }

  /** Shows the chat with this peer: their conversation on this account, or a new one. */
  openChat(uri: string, accountId: string | null): void {
    this.chatWith = { uri, accountId };
    this.show('chat');
  }

  editAccount(id: string): void {
    if (this.view === 'settings' && this.editing?.kind === 'existing' && this.editing.id === id) return;
    this.leaveEditor(() => {
      this.view = 'settings';
      this.editing = { kind: 'existing', id };
    });
  }

  addAccount(): void {
    if (this.view === 'settings' && this.editing?.kind === 'new') return;
    this.leaveEditor(() => {
      this.view = 'settings';
      this.editing = { kind: 'new' };
    });
  }

  /** Closes the editor at once: the editor itself asks first when it has unsaved edits. */
  closeEditor(): void {
    this.editing = null;
  }
}
