// Which view is showing and which account the settings editor has open: view state only, nothing from the engine.
// A change that would close or replace an editor holding unsaved edits is held as a `leaveRequest` until the
// person confirms (discard) or backs out (keep editing); the dialog that asks lives in the app frame.

export const VIEWS = ['dialpad', 'contacts', 'buddies', 'chat', 'history', 'settings'] as const;
export type ViewName = (typeof VIEWS)[number];

/** The account being edited: an existing one by id, or a new one. */
export type EditTarget = { readonly kind: 'existing'; readonly id: string } | { readonly kind: 'new' };

/** Whom the chat view is asked to open a conversation with. */
export interface ChatTarget {
  readonly uri: string;
  /** The account to chat through; null for the contact's or the first enabled one. */
  readonly accountId: string | null;
}

/** What the contacts view is asked to show: a new contact's editor (prefilled), or one contact. */
export type ContactRequest =
  | { readonly kind: 'new'; readonly uri: string | null; readonly name: string | null }
  | { readonly kind: 'show'; readonly id: string };

/** A change held back because it would throw away unsaved edits. */
export interface LeaveRequest {
  /** What is being edited, for the question ("account", "contact"). */
  readonly subject: string;
  /** Carries the change out, edits discarded. */
  readonly proceed: () => void;
}

export class Navigation {
  view = $state<ViewName>('dialpad');
  editing = $state<EditTarget | null>(null);
  /** A sip:/tel: URI the OS asked us to open; shown on the dialpad. */
  openedUri = $state<string | null>(null);
  /** Set by `openChat`; the chat view opens (or starts) that conversation and clears it. */
  chatWith = $state<ChatTarget | null>(null);
  /** Set while the person is being asked whether to discard unsaved edits. */
  leaveRequest = $state<LeaveRequest | null>(null);
  /** Set by `addContact`/`showContact`; the contacts view carries it out and clears it. */
  contactRequest = $state<ContactRequest | null>(null);
  #hasUnsavedEdits: (() => boolean) | null = null;
  #editSubject = 'account';

  /**
   * Registers the open editor's "anything unsaved?" check; returns the function that removes it. While it answers
   * true, changes that would close the editor wait for the person's answer.
   */
  protectEdits(hasUnsavedEdits: () => boolean, subject = 'account'): () => void {
    this.#hasUnsavedEdits = hasUnsavedEdits;
    this.#editSubject = subject;
    return () => {
      if (this.#hasUnsavedEdits === hasUnsavedEdits) this.#hasUnsavedEdits = null;
    };
  }

  /** Runs `change` now, or after the person agrees to discard the editor's unsaved edits. */
  leaveEditor(change: () => void): void {
    if (this.#hasUnsavedEdits?.()) this.leaveRequest = { subject: this.#editSubject, proceed: change };
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
    // The account editor lives on the settings view, the contact editor on the contacts view: leaving the view
    // unmounts the editor.
    if ((this.view === 'settings' && this.editing) || this.view === 'contacts')
      this.leaveEditor(() => (this.view = view));
    else this.view = view;
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

  /** Shows the chat view with the conversation with `uri` (from a contact, a buddy or a watcher). */
  openChat(uri: string, accountId: string | null): void {
    this.leaveEditor(() => {
      this.chatWith = { uri, accountId };
      this.view = 'chat';
    });
  }

  /** Opens a new contact's editor, filled with this address and name (from history, a chat or a watcher). */
  addContact(uri: string | null, name: string | null): void {
    this.leaveEditor(() => {
      this.contactRequest = { kind: 'new', uri, name };
      this.view = 'contacts';
    });
  }

  /** Shows one contact's details. */
  showContact(id: string): void {
    this.leaveEditor(() => {
      this.contactRequest = { kind: 'show', id };
      this.view = 'contacts';
    });
  }

  /** Closes the editor at once: the editor itself asks first when it has unsaved edits. */
  closeEditor(): void {
    this.editing = null;
  }
}
