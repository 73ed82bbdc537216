// A page that has not been clicked or typed into yet may not start audio (the browser's autoplay policy): its
// AudioContext stays suspended and resume() only waits. A call answered from the keyboard shortcut of a tab left
// alone, or audio reopened after a reload, would then stay silent. So a suspended context is resumed on the page's
// next pointer or key press, whatever it lands on; the Electron window allows audio without a gesture anyway.

/** What this needs of an AudioContext. */
export interface ResumableContext {
  /** 'suspended', 'running' or 'closed' (and 'interrupted' in some browsers). */
  readonly state: string;
  resume(): Promise<void>;
}

/** What this needs of the page (window in the product). */
export interface GestureTarget {
  addEventListener(
    type: 'pointerdown' | 'keydown',
    listener: () => void,
    options: { readonly capture: boolean; readonly signal: AbortSignal },
  ): void;
}

const gestures = ['pointerdown', 'keydown'] as const;

/**
 * Asks a suspended context to run now and again on the next gesture; the returned function stops listening (it
 * also stops by itself once the context runs or closes).
 */
export function resumeOnGesture(context: ResumableContext, target: GestureTarget): () => void {
  if (context.state !== 'suspended') return () => undefined;
  const listening = new AbortController();
  const stop = (): void => listening.abort();
  const onGesture = (): void => {
    if (context.state !== 'suspended') {
      stop();
      return;
    }
    void context.resume().then(() => {
      if (context.state !== 'suspended') stop();
    }, stop);
  };
  for (const name of gestures)
    target.addEventListener(name, onGesture, { capture: true, signal: listening.signal });
  void context.resume().catch(() => undefined);
  return stop;
}
