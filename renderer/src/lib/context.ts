// Components reach the app state through Svelte context, never through globals, so tests can hand them a state
// built on a fake bridge.
import { getContext, setContext } from 'svelte';
import type { AppState } from './state/app-state.svelte';

/** The context key; tests use it to pass an AppState to a component rendered on its own. */
export const APP_STATE = Symbol('app-state');

export function provideAppState(app: AppState): AppState {
  return setContext(APP_STATE, app);
}

export function useAppState(): AppState {
  const app = getContext<AppState | undefined>(APP_STATE);
  if (!app)
    throw new Error('useAppState() called outside the App (or a test without an AppState in context)');
  return app;
}
