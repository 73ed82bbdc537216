// Renders one component with an AppState on a fake engine in its context, the way App would provide it.
import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { APP_STATE } from '../../../renderer/src/lib/context';
import { AppState } from '../../../renderer/src/lib/state/app-state.svelte';
import { FakeEngine, type FakeEngineOptions } from './fake-engine';

/** Builds the state on a fake engine, starts it and waits for the first load. */
export async function startApp(options: FakeEngineOptions = {}) {
  const engine = new FakeEngine(options);
  const app = new AppState(engine.bridge);
  const stop = app.start();
  await app.ready;
  return { engine, app, stop };
}

export async function renderWithApp<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: Props,
  options: FakeEngineOptions = {},
) {
  const { engine, app } = await startApp(options);
  // Widened for render()'s conditional options type, which cannot see through an unresolved Props.
  const view = render(component as Component<Record<string, unknown>>, {
    props,
    context: new Map([[APP_STATE, app]]),
  });
  return { ...view, engine, app, bridge: engine.bridge };
}
