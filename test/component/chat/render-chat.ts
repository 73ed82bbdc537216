// Renders a chat component with an AppState on the in-memory engine whose window is in front of the person (or
// not), and whose typing indicators run on a clock the test moves.
import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { APP_STATE } from '../../../renderer/src/lib/context';
import { AppState } from '../../../renderer/src/lib/state/app-state.svelte';
import type { ChatClock } from '../../../renderer/src/lib/state/messages.svelte';
import { FakeEngine, type FakeEngineOptions } from '../support/fake-engine';

/** A clock the test moves by hand. */
export class HandClock implements ChatClock {
  time = 0;
  #timers: { at: number; run: () => void; live: boolean }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): () => void {
    const timer = { at: this.time + ms, run, live: true };
    this.#timers.push(timer);
    return () => void (timer.live = false);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.#timers.filter((item) => item.live && item.at <= this.time)) {
      timer.live = false;
      timer.run();
    }
  }
}

export async function renderChat<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: Props,
  options: FakeEngineOptions = {},
  window: { inView: boolean } = { inView: true },
) {
  const engine = new FakeEngine(options);
  const clock = new HandClock();
  const presence = { isInView: () => window.inView, focus: () => undefined };
  const app = new AppState(engine.bridge, {
    presence,
    chatClock: clock,
    notifications: null,
    audioDevice: null,
    media: null,
  });
  const stop = app.start();
  await app.ready;
  const view = render(component as Component<Record<string, unknown>>, {
    props,
    context: new Map([[APP_STATE, app]]),
  });
  return { ...view, engine, app, bridge: engine.bridge, clock, stop };
}
