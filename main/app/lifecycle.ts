// How the app starts, hands over and stops: one instance only (a second launch focuses the first and passes on the
// sip:/tel: URI it was started with), sip:/tel: protocol registration, macOS open-url, and an ordered quit —
// unregister every account and close the store (bounded) before the process exits.
import type { App, BrowserWindow } from 'electron';
import type { Clock, TimerHandle } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { revealWindow } from './window';

export const protocolSchemes = ['sip', 'tel'] as const;

const uriPattern = /^(sip|sips|tel):[^\s\p{Cc}]+$/iu;

/** A URI we accept from the operating system: sip:, sips: or tel:, no whitespace or control characters, bounded. */
export function isProtocolUri(text: unknown): text is string {
  return typeof text === 'string' && text.length <= 2048 && uriPattern.test(text);
}

/** The first sip:/tel: URI on a command line (how Windows and Linux hand a clicked link to the app). */
export function findProtocolUri(argv: readonly string[]): string | null {
  return argv.find((arg) => isProtocolUri(arg)) ?? null;
}

/** Returns false when another instance already runs: this one must quit at once. */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock'>): boolean {
  return app.requestSingleInstanceLock();
}

export interface ProtocolRegistration {
  readonly packaged: boolean;
  readonly logger?: Logger;
}

/**
 * Makes the app the handler of sip: and tel: links. Only the packaged app does it: a development run would point
 * the system's handler at a bare Electron binary.
 */
export function registerProtocolClients(
  app: Pick<App, 'setAsDefaultProtocolClient' | 'isDefaultProtocolClient'>,
  registration: ProtocolRegistration,
): string[] {
  if (!registration.packaged) return [];
  const logger = registration.logger ?? silentLogger;
  const registered: string[] = [];
  for (const scheme of protocolSchemes) {
    if (app.isDefaultProtocolClient(scheme) || app.setAsDefaultProtocolClient(scheme))
      registered.push(scheme);
    else logger.log('info', `the system did not make this app the ${scheme}: handler`);
  }
  return registered;
}

/** The engine as the lifecycle sees it. */
export interface LifecycleEngine {
  openUri(uri: string): void;
  shutdown(timeoutMs?: number): Promise<void>;
}

export type LifecycleWindow = Pick<
  BrowserWindow,
  'on' | 'hide' | 'isDestroyed' | 'isMinimized' | 'restore' | 'isVisible' | 'show' | 'focus'
>;

export type LifecycleApp = Pick<App, 'on' | 'quit'>;

export interface LifecycleOptions {
  readonly app: LifecycleApp;
  readonly platform: NodeJS.Platform;
  readonly clock: Pick<Clock, 'setTimer' | 'clearTimer'>;
  /** Given to engine.shutdown: how long unregistering may take. */
  readonly shutdownTimeoutMs: number;
  /** Extra time after that before we stop waiting for the engine altogether. */
  readonly shutdownGraceMs?: number;
  readonly logger?: Logger;
}

type Phase = 'running' | 'stopping' | 'stopped';

export class AppLifecycle {
  #phase: Phase = 'running';
  #engine: LifecycleEngine | null = null;
  #window: LifecycleWindow | null = null;
  readonly #pendingUris: string[] = [];
  readonly #logger: Logger;

  constructor(private readonly options: LifecycleOptions) {
    this.#logger = options.logger ?? silentLogger;
    const { app } = options;
    // Registered before `ready`: macOS delivers the link that launched the app right away.
    app.on('open-url', (event, url) => {
      event.preventDefault();
      this.deliverUri(url);
    });
    app.on('second-instance', (_event, argv) => {
      if (this.#window) revealWindow(this.#window);
      const uri = findProtocolUri(argv);
      if (uri !== null) this.deliverUri(uri);
    });
    app.on('activate', () => {
      if (this.#window) revealWindow(this.#window);
    });
    app.on('before-quit', (event) => {
      if (this.#phase === 'stopped' || this.#engine === null) return;
      event.preventDefault();
      if (this.#phase === 'running') void this.#stop();
    });
    app.on('window-all-closed', () => {
      // macOS apps live on without windows (the dock brings the window back); elsewhere the last window is the app.
      if (options.platform !== 'darwin') app.quit();
    });
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** A URI from the OS; held until the engine and the page are ready for it. */
  deliverUri(uri: string): void {
    if (!isProtocolUri(uri)) {
      this.#logger.log('warn', 'ignored a link that is not a sip: or tel: URI', {
        uri: String(uri).slice(0, 100),
      });
      return;
    }
    if (this.#engine === null || this.#window === null) this.#pendingUris.push(uri);
    else this.#engine.openUri(uri);
    if (this.#window) revealWindow(this.#window);
  }

  /** Call as soon as the engine runs: from now on quitting stops it first. */
  attachEngine(engine: LifecycleEngine): void {
    this.#engine = engine;
  }

  /** Call once the page has loaded (and after attachEngine): queued URIs are delivered now. */
  attachWindow(window: LifecycleWindow): void {
    const engine = this.#engine;
    if (engine === null) throw new Error('attachEngine must come before attachWindow');
    this.#window = window;
    window.on('close', (event) => {
      // On macOS closing the window keeps the app (and its registrations) running, as Mac apps do.
      if (this.options.platform === 'darwin' && this.#phase === 'running') {
        event.preventDefault();
        window.hide();
      }
    });
    for (const uri of this.#pendingUris.splice(0)) engine.openUri(uri);
  }

  async #stop(): Promise<void> {
    this.#phase = 'stopping';
    const engine = this.#engine!;
    if (this.#window && !this.#window.isDestroyed()) this.#window.hide();
    const { clock, shutdownTimeoutMs } = this.options;
    let timer: TimerHandle | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimer(shutdownTimeoutMs + (this.options.shutdownGraceMs ?? 1000), () =>
        resolve('timeout'),
      );
    });
    try {
      const outcome = await Promise.race([
        engine.shutdown(shutdownTimeoutMs).then(() => 'done' as const),
        deadline,
      ]);
      if (outcome === 'timeout') this.#logger.log('warn', 'the engine did not stop in time; quitting anyway');
    } catch (error) {
      this.#logger.log('error', 'the engine failed to stop cleanly', {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      clock.clearTimer(timer);
    }
    this.#phase = 'stopped';
    this.options.app.quit();
  }
}
