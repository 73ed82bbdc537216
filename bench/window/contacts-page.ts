// The page side of the contacts bench (bench/contacts-render.ts): what runs inside Chromium to time the contacts
// view. Functions given to the page are serialised, so they use nothing from this module's scope; the DOM types are
// not in the Node project, hence the local shapes.
import type { Page } from 'playwright-core';

export interface Timing {
  /** Input to the DOM updated and laid out (a forced layout). */
  readonly layoutMs: number;
  /** Input to the next frame (after requestAnimationFrame, then a task). */
  readonly frameMs: number;
}

interface ElementLike {
  readonly textContent: string | null;
  readonly type?: string;
  click(): void;
  getBoundingClientRect(): unknown;
  querySelectorAll(selector: string): ArrayLike<ElementLike> & Iterable<ElementLike>;
}

interface DocumentLike {
  readonly body: { readonly offsetHeight: number };
  querySelector(selector: string): ElementLike | null;
  addEventListener(
    type: 'input',
    listener: (event: { readonly target: unknown }) => void,
    capture: boolean,
  ): void;
}

interface PageGlobals {
  readonly document: DocumentLike;
  addEventListener(type: 'input', listener: (event: { readonly target: unknown }) => void): void;
  requestAnimationFrame(callback: () => void): number;
  __contactsBench?: { keystrokes: Timing[] };
  __fakeSoftphoneEmit?: (event: string, payload: unknown) => void;
}

/**
 * Installed in the page before it loads: times each `input` event on the contacts search box. The clock starts when
 * the event is dispatched (a capture listener, before the view's own handler) and stops once the view has applied
 * it and the page is laid out: Svelte applies a change in a microtask queued by the handler, so a microtask queued
 * after the handler (a bubbling listener on the window, the last to run) sees the DOM up to date, and reading a
 * layout property then forces style and layout. No timer or frame wait is inside that span. `frameMs` goes on to the
 * next animation frame, which includes waiting for the display's next refresh.
 */
export function installKeystrokeTimer(): void {
  const page = globalThis as unknown as PageGlobals;
  const store: { keystrokes: Timing[] } = { keystrokes: [] };
  page.__contactsBench = store;
  let started = 0;
  const isSearch = (target: unknown) => (target as ElementLike | null)?.type === 'search';
  page.document.addEventListener(
    'input',
    (event) => {
      if (!isSearch(event.target)) return;
      started = performance.now();
      performance.mark(`keystroke-${store.keystrokes.length}`);
    },
    true,
  );
  page.addEventListener('input', (event) => {
    if (!isSearch(event.target)) return;
    const from = started;
    const index = store.keystrokes.length;
    queueMicrotask(() =>
      queueMicrotask(() => {
        page.document.querySelector('[role="listbox"]')?.getBoundingClientRect();
        void page.document.body.offsetHeight;
        const layoutMs = performance.now() - from;
        performance.measure(`keystroke-${index}`, `keystroke-${index}`);
        page.requestAnimationFrame(() =>
          setTimeout(() => store.keystrokes.push({ layoutMs, frameMs: performance.now() - from })),
        );
      }),
    );
  });
}

/** Forgets the keystrokes timed so far. */
export function clearKeystrokes(page: Page): Promise<void> {
  return page.evaluate(() => {
    const globals = globalThis as unknown as PageGlobals;
    if (globals.__contactsBench) globals.__contactsBench.keystrokes = [];
  });
}

export function keystrokes(page: Page): Promise<Timing[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__contactsBench?.keystrokes ?? []);
}

/** Shows the dialpad, then times the Contacts view from the click to its list box on screen. */
export function openContacts(page: Page): Promise<Timing> {
  return page.evaluate(async () => {
    const globals = globalThis as unknown as PageGlobals;
    const document = globals.document;
    const nav = document.querySelector('nav[aria-label="Views"]');
    const button = (name: string) =>
      [...(nav?.querySelectorAll('button') ?? [])].find((item) => item.textContent?.trim() === name);
    const settle = () =>
      new Promise<void>((done) => globals.requestAnimationFrame(() => setTimeout(done, 0)));
    button('Dialpad')?.click();
    await settle();
    await settle();
    performance.mark('contacts-open');
    const started = performance.now();
    button('Contacts')?.click();
    // The view mounts in the microtask Svelte queued during the click: wait microtasks only, never a timer.
    for (let turn = 0; turn < 10 && !document.querySelector('[role="listbox"]'); turn += 1)
      await Promise.resolve();
    const list = document.querySelector('[role="listbox"]');
    if (!list || list.querySelectorAll('[role="option"]').length === 0) throw new Error('no contact rows');
    list.getBoundingClientRect();
    void document.body.offsetHeight;
    const layoutMs = performance.now() - started;
    performance.measure('contacts-open', 'contacts-open');
    await settle();
    return { layoutMs, frameMs: performance.now() - started };
  });
}

/** One contact renamed through the stand-in engine's `contacts.changed`, timed to the list redrawn. */
export function changeOneContact(page: Page, round: number): Promise<Timing> {
  return page.evaluate(async (round) => {
    const globals = globalThis as unknown as PageGlobals;
    const emit = globals.__fakeSoftphoneEmit;
    if (!emit) throw new Error('the stand-in engine does not expose its events');
    const now = Date.now();
    const started = performance.now();
    emit('contacts.changed', {
      upserted: [
        {
          id: 'k0',
          name: `Aaron Renamed ${round}`,
          sipAddresses: [{ uri: 'sip:aaron@example.org', label: null }],
          phoneNumbers: [],
          note: '',
          favorite: false,
          watchPresence: false,
          accountId: null,
          createdAt: now,
          updatedAt: now,
        },
      ],
      deleted: [],
    });
    await Promise.resolve();
    await Promise.resolve();
    globals.document.querySelector('[role="listbox"]')?.getBoundingClientRect();
    void globals.document.body.offsetHeight;
    const layoutMs = performance.now() - started;
    await new Promise<void>((done) => globals.requestAnimationFrame(() => setTimeout(done, 0)));
    return { layoutMs, frameMs: performance.now() - started };
  }, round);
}
