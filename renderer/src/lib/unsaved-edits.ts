// An open editor's unsaved edits, guarded in both places they could be lost: a change inside the window (another
// view, another item) waits for the person's answer (`Navigation.protectEdits`), and in a browser tab closing or
// reloading the tab gets the browser's own question. (Electron would silently keep the window open instead of
// asking, so only the web host's page does the second.)
import type { Bridge } from './bridge';
import type { Navigation } from './state/navigation.svelte';

/** Guards the editor's edits while `hasUnsavedEdits` answers true; returns the function that stops guarding. */
export function guardUnsavedEdits(
  app: { readonly navigation: Navigation; readonly bridge: Pick<Bridge, 'kind'> },
  hasUnsavedEdits: () => boolean,
  subject?: string,
): () => void {
  const release = app.navigation.protectEdits(hasUnsavedEdits, subject);
  if (app.bridge.kind !== 'web') return release;
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (hasUnsavedEdits()) event.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  return () => {
    release();
    window.removeEventListener('beforeunload', beforeUnload);
  };
}
