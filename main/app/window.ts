// The one application window: sandboxed, context-isolated, no Node in the page, and shown only once it has painted
// so the user never sees a white flash.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { AppEntry } from './app-origin';

/** Painted before the page loads; close to the interface's own light and dark backgrounds. */
export const windowBackground = { light: '#f6f7f9', dark: '#16181d' } as const;

export const minimumWindowSize = { width: 360, height: 640 } as const;

export interface MainWindowSettings {
  readonly preloadPath: string;
  readonly darkBackground: boolean;
}

export function mainWindowOptions(settings: MainWindowSettings): BrowserWindowConstructorOptions {
  return {
    title: 'Softphone',
    width: 420,
    height: 720,
    minWidth: minimumWindowSize.width,
    minHeight: minimumWindowSize.height,
    show: false,
    backgroundColor: settings.darkBackground ? windowBackground.dark : windowBackground.light,
    autoHideMenuBar: true,
    webPreferences: {
      preload: settings.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // An incoming call must ring in a window the person has not clicked since it opened (it may sit in the tray).
      autoplayPolicy: 'no-user-gesture-required',
      // A window hidden in the tray still rings and plays calls: its timers must not be throttled to once a minute.
      backgroundThrottling: false,
    },
  };
}

export type BrowserWindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export function createMainWindow(
  Window: BrowserWindowConstructor,
  settings: MainWindowSettings,
): BrowserWindow {
  const window = new Window(mainWindowOptions(settings));
  window.once('ready-to-show', () => window.show());
  return window;
}

/** Loads our page: the built renderer through app://softphone/, or the development server. Never a file:// URL. */
export async function loadApp(window: Pick<BrowserWindow, 'loadURL'>, entry: AppEntry): Promise<void> {
  await window.loadURL(entry.url);
}

/** Brings the window to the front, whatever state it is in. */
export function revealWindow(
  window: Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'isVisible' | 'show' | 'focus'>,
): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
}
