// The application window's options, loading and reveal, with a fake BrowserWindow class.
import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { BrowserWindowConstructor } from '../../../main/app/window';
import {
  createMainWindow,
  loadApp,
  mainWindowOptions,
  minimumWindowSize,
  revealWindow,
  windowBackground,
} from '../../../main/app/window';

function fakeWindowClass() {
  const created: FakeWindow[] = [];
  class FakeWindow {
    readonly onceListeners = new Map<string, () => void>();
    readonly show = vi.fn();
    constructor(readonly options: BrowserWindowConstructorOptions) {
      created.push(this);
    }
    once(name: string, listener: () => void) {
      this.onceListeners.set(name, listener);
      return this;
    }
  }
  return { Window: FakeWindow as unknown as BrowserWindowConstructor, created };
}

describe('mainWindowOptions', () => {
  const options = mainWindowOptions({ preloadPath: '/app/out/preload/index.cjs', darkBackground: false });
  const web = options.webPreferences!;

  it('isolates and sandboxes the page, with no Node anywhere', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.webviewTag).toBe(false);
  });

  it('lets the ringtone sound without a click first: a call can ring in a window nobody has touched', () => {
    expect(web.autoplayPolicy).toBe('no-user-gesture-required');
    // Hidden in the tray, the ringtone's scheduler and the call audio keep their timers.
    expect(web.backgroundThrottling).toBe(false);
  });

  it('keeps web security on and the rest tight', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.spellcheck).toBe(false);
  });

  it('loads our preload', () => {
    expect(web.preload).toBe('/app/out/preload/index.cjs');
  });

  it('is usable from 360×640 and waits to be shown', () => {
    expect(options.minWidth).toBe(minimumWindowSize.width);
    expect(options.minHeight).toBe(minimumWindowSize.height);
    expect(minimumWindowSize).toEqual({ width: 360, height: 640 });
    expect(options.width! >= 360 && options.height! >= 640).toBe(true);
    expect(options.show).toBe(false);
  });

  it('paints a background matching the system theme before the page does', () => {
    expect(options.backgroundColor).toBe(windowBackground.light);
    expect(mainWindowOptions({ preloadPath: 'p', darkBackground: true }).backgroundColor).toBe(
      windowBackground.dark,
    );
  });
});

describe('createMainWindow', () => {
  it('creates the window with those options and shows it once it is ready to show', () => {
    const { Window, created } = fakeWindowClass();
    createMainWindow(Window, { preloadPath: 'preload.cjs', darkBackground: true });
    expect(created).toHaveLength(1);
    const window = created[0]!;
    expect(window.options.webPreferences?.sandbox).toBe(true);
    expect(window.show).not.toHaveBeenCalled();
    window.onceListeners.get('ready-to-show')!();
    expect(window.show).toHaveBeenCalledTimes(1);
  });
});

describe('loadApp', () => {
  it('loads app://softphone/ for a build and the dev server in development, never a file:// URL', async () => {
    const window = { loadURL: vi.fn(async (_url: string) => undefined) };
    await loadApp(window, { url: 'app://softphone/index.html', servedByApp: true });
    expect(window.loadURL).toHaveBeenCalledWith('app://softphone/index.html');
    await loadApp(window, { url: 'http://localhost:5173/', servedByApp: false });
    expect(window.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
    expect(window.loadURL.mock.calls.some(([url]) => String(url).startsWith('file:'))).toBe(false);
  });
});

describe('revealWindow', () => {
  function fake(state: { minimized?: boolean; visible?: boolean; destroyed?: boolean }) {
    return {
      isDestroyed: () => state.destroyed ?? false,
      isMinimized: () => state.minimized ?? false,
      isVisible: () => state.visible ?? true,
      restore: vi.fn(),
      show: vi.fn(),
      focus: vi.fn(),
    } satisfies Partial<Record<keyof BrowserWindow, unknown>>;
  }

  it('restores a minimised window, shows a hidden one and focuses it', () => {
    const window = fake({ minimized: true, visible: false });
    revealWindow(window);
    expect(window.restore).toHaveBeenCalled();
    expect(window.show).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
  });

  it('does nothing to a destroyed window', () => {
    const window = fake({ destroyed: true });
    revealWindow(window);
    expect(window.focus).not.toHaveBeenCalled();
  });
});
