// Which view is showing and which account the settings editor has open: view state only, nothing from the engine.

export const VIEWS = ['dialpad', 'contacts', 'buddies', 'chat', 'history', 'settings'] as const;
export type ViewName = (typeof VIEWS)[number];

/** The account being edited: an existing one by id, or a new one. */
export type EditTarget = { readonly kind: 'existing'; readonly id: string } | { readonly kind: 'new' };

export class Navigation {
  view = $state<ViewName>('dialpad');
  editing = $state<EditTarget | null>(null);
  /** A sip:/tel: URI the OS asked us to open; shown on the dialpad. */
  openedUri = $state<string | null>(null);

  show(view: ViewName): void {
    this.view = view;
  }

  editAccount(id: string): void {
    this.view = 'settings';
    this.editing = { kind: 'existing', id };
  }

  addAccount(): void {
    this.view = 'settings';
    this.editing = { kind: 'new' };
  }

  closeEditor(): void {
    this.editing = null;
  }
}
