// resumeOnGesture: a suspended AudioContext is asked to run at once and again on the page's next pointer or key
// press, and the listeners go once it runs; a running context is left alone.
import { describe, expect, it } from 'vitest';
import {
  type GestureTarget,
  type ResumableContext,
  resumeOnGesture,
} from '../../../../renderer/src/lib/audio/resume-on-gesture';

/** A context that stays suspended until `allow()` (a gesture reached the page), as the autoplay policy does. */
class PolicyContext implements ResumableContext {
  state = 'suspended';
  resumeCalls = 0;
  #allowed = false;

  allow(): void {
    this.#allowed = true;
  }

  resume(): Promise<void> {
    this.resumeCalls += 1;
    if (this.#allowed) this.state = 'running';
    return Promise.resolve();
  }
}

/** A page whose gesture listeners go when the signal they were added with aborts. */
class FakePage implements GestureTarget {
  readonly #listeners = new Map<string, () => void>();

  get listeners(): number {
    return this.#listeners.size;
  }

  addEventListener(type: string, listener: () => void, options: { readonly signal: AbortSignal }): void {
    this.#listeners.set(type, listener);
    options.signal.addEventListener('abort', () => this.#listeners.delete(type));
  }

  press(type: 'pointerdown' | 'keydown'): void {
    this.#listeners.get(type)?.();
  }
}

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('resumeOnGesture', () => {
  it('resumes a suspended context on the next gesture, then stops listening', async () => {
    const context = new PolicyContext();
    const page = new FakePage();
    resumeOnGesture(context, page);
    expect(context.resumeCalls).toBe(1);
    expect(context.state).toBe('suspended');
    expect(page.listeners).toBe(2);

    context.allow();
    page.press('keydown');
    await settle();
    expect(context.state).toBe('running');
    expect(page.listeners).toBe(0);

    page.press('pointerdown');
    expect(context.resumeCalls).toBe(2);
  });

  it('leaves a running context alone', () => {
    const context = new PolicyContext();
    context.state = 'running';
    const page = new FakePage();
    resumeOnGesture(context, page)();
    expect(context.resumeCalls).toBe(0);
    expect(page.listeners).toBe(0);
  });

  it('stops listening when the session closes first', () => {
    const context = new PolicyContext();
    const page = new FakePage();
    const stop = resumeOnGesture(context, page);
    stop();
    expect(page.listeners).toBe(0);
    page.press('pointerdown');
    expect(context.resumeCalls).toBe(1);
  });
});
