// Start, hand-over and quit with a fake `app`: the engine is shut down (and awaited, within a bound) before the app
// really quits; a second launch focuses the window and hands over its sip:/tel: URI; macOS open-url does the same.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { LifecycleApp, LifecycleEngine, LifecycleWindow } from '../../../main/app/lifecycle';
import {
  AppLifecycle,
  claimSingleInstance,
  findProtocolUri,
  isProtocolUri,
  registerProtocolClients,
} from '../../../main/app/lifecycle';
import { ManualClock } from '../../support/manual-clock';
import { settle } from '../../support/settle';

class FakeApp extends EventEmitter {
  constructor(private readonly order: string[] = []) {
    super();
  }
  readonly quit = vi.fn(() => {
    this.order.push('quit requested');
    // Like Electron: quitting emits before-quit, and only goes ahead when nobody prevented it.
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitted = true;
  });
  quitted = false;
}

function fakeWindow() {
  const emitter = new EventEmitter();
  const window = {
    on: (name: string, listener: (...args: unknown[]) => void) => {
      emitter.on(name, listener);
      return window;
    },
    hide: vi.fn(),
    isDestroyed: () => false,
    isMinimized: () => false,
    restore: vi.fn(),
    isVisible: () => true,
    show: vi.fn(),
    focus: vi.fn(),
    /** What the user closing the window does; returns whether the close went ahead. */
    close: () => {
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      emitter.emit('close', event);
      return !event.defaultPrevented;
    },
  };
  return window;
}

function setup(options: { platform?: NodeJS.Platform; shutdown?: () => Promise<void> } = {}) {
  const order: string[] = [];
  const app = new FakeApp(order);
  const clock = new ManualClock();
  const log = vi.fn();
  const lifecycle = new AppLifecycle({
    app: app as unknown as LifecycleApp,
    platform: options.platform ?? 'linux',
    clock,
    shutdownTimeoutMs: 3000,
    shutdownGraceMs: 1000,
    logger: { log },
  });
  const engine = {
    openUri: vi.fn<(uri: string) => void>(),
    shutdown: vi.fn<(timeoutMs?: number) => Promise<void>>(
      options.shutdown ??
        (async () => {
          order.push('shutdown started');
          await Promise.resolve();
          order.push('shutdown finished');
        }),
    ),
  } satisfies LifecycleEngine;
  const window = fakeWindow();
  return { app, clock, lifecycle, engine, window, order, log };
}

const asWindow = (window: ReturnType<typeof fakeWindow>) => window as unknown as LifecycleWindow;

describe('quit order', () => {
  it('stops the engine first, waits for it, then quits for real', async () => {
    const t = setup();
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    t.app.quit();
    expect(t.app.quitted).toBe(false);
    expect(t.engine.shutdown).toHaveBeenCalledWith(3000);
    expect(t.lifecycle.phase).toBe('stopping');
    expect(t.window.hide).toHaveBeenCalled();
    await settle(t.clock);
    expect(t.order).toEqual(['quit requested', 'shutdown started', 'shutdown finished', 'quit requested']);
    expect(t.app.quit).toHaveBeenCalledTimes(2);
    expect(t.app.quitted).toBe(true);
    expect(t.lifecycle.phase).toBe('stopped');
  });

  it('asks the engine to stop only once however often quit is requested', async () => {
    const t = setup();
    t.lifecycle.attachEngine(t.engine);
    t.app.quit();
    t.app.quit();
    t.app.quit();
    await settle(t.clock);
    expect(t.engine.shutdown).toHaveBeenCalledTimes(1);
    expect(t.app.quitted).toBe(true);
  });

  it('gives up waiting for a hung engine after the timeout and the grace period', async () => {
    const t = setup({ shutdown: () => new Promise<void>(() => undefined) });
    t.lifecycle.attachEngine(t.engine);
    t.app.quit();
    await settle(t.clock);
    t.clock.advance(3999);
    await settle(t.clock);
    expect(t.app.quitted).toBe(false);
    t.clock.advance(1);
    await settle(t.clock);
    expect(t.app.quitted).toBe(true);
    expect(t.log).toHaveBeenCalledWith('warn', expect.stringContaining('did not stop in time'));
  });

  it('quits even when the engine fails to stop', async () => {
    const t = setup({ shutdown: async () => Promise.reject(new Error('store close failed')) });
    t.lifecycle.attachEngine(t.engine);
    t.app.quit();
    await settle(t.clock);
    expect(t.app.quitted).toBe(true);
    expect(t.log).toHaveBeenCalledWith('error', expect.any(String), { error: 'store close failed' });
  });

  it('quits at once while no engine runs yet', () => {
    const t = setup();
    t.app.quit();
    expect(t.app.quitted).toBe(true);
  });
});

describe('windows', () => {
  it('quits when the last window closes, except on macOS', () => {
    const linux = setup({ platform: 'linux' });
    linux.app.emit('window-all-closed');
    expect(linux.app.quit).toHaveBeenCalled();
    const mac = setup({ platform: 'darwin' });
    mac.app.emit('window-all-closed');
    expect(mac.app.quit).not.toHaveBeenCalled();
  });

  it('on macOS closing the window hides it while running, and closes it once quitting', async () => {
    const t = setup({ platform: 'darwin' });
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    expect(t.window.close()).toBe(false);
    expect(t.window.hide).toHaveBeenCalled();
    t.app.quit();
    await settle(t.clock);
    expect(t.window.close()).toBe(true);
  });

  it('elsewhere closing the window closes it', () => {
    const t = setup({ platform: 'win32' });
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    expect(t.window.close()).toBe(true);
  });

  it('the dock (activate) brings the window back', () => {
    const t = setup({ platform: 'darwin' });
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    t.app.emit('activate');
    expect(t.window.focus).toHaveBeenCalled();
  });
});

describe('links from the operating system', () => {
  it('a second launch focuses the window and hands its URI to the engine', () => {
    const t = setup();
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    t.app.emit(
      'second-instance',
      {},
      ['/opt/Softphone/softphone', '--no-sandbox', 'sip:bob@example.com'],
      '/home/a',
    );
    expect(t.window.focus).toHaveBeenCalled();
    expect(t.engine.openUri).toHaveBeenCalledWith('sip:bob@example.com');
  });

  it('a second launch without a URI only focuses the window', () => {
    const t = setup();
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    t.app.emit('second-instance', {}, ['/opt/Softphone/softphone'], '/home/a');
    expect(t.window.focus).toHaveBeenCalled();
    expect(t.engine.openUri).not.toHaveBeenCalled();
  });

  it('holds URIs that arrive before the page is ready and delivers them in order once it is', () => {
    const t = setup();
    t.lifecycle.deliverUri('tel:+15551234');
    t.app.emit('second-instance', {}, ['softphone', 'sip:carol@example.com'], '/');
    t.lifecycle.attachEngine(t.engine);
    expect(t.engine.openUri).not.toHaveBeenCalled();
    t.lifecycle.attachWindow(asWindow(t.window));
    expect(t.engine.openUri.mock.calls).toEqual([['tel:+15551234'], ['sip:carol@example.com']]);
  });

  it('macOS open-url is taken over and delivered', () => {
    const t = setup({ platform: 'darwin' });
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    const event = { preventDefault: vi.fn() };
    t.app.emit('open-url', event, 'sip:dave@example.com');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(t.engine.openUri).toHaveBeenCalledWith('sip:dave@example.com');
  });

  it('ignores anything that is not a sip:/tel: URI', () => {
    const t = setup({ platform: 'darwin' });
    t.lifecycle.attachEngine(t.engine);
    t.lifecycle.attachWindow(asWindow(t.window));
    t.app.emit('open-url', { preventDefault: vi.fn() }, 'https://example.com/');
    t.lifecycle.deliverUri('javascript:alert(1)');
    expect(t.engine.openUri).not.toHaveBeenCalled();
  });

  it.each([
    ['sip:bob@example.com', true],
    ['SIP:bob@example.com;transport=tcp', true],
    ['sips:bob@example.com', true],
    ['tel:+1-555-1234', true],
    ['sip:', false],
    ['sip:bob@example.com\nInjected: header', false],
    ['sip:bob @example.com', false],
    ['http://example.com', false],
    [`sip:${'a'.repeat(2050)}@example.com`, false],
  ])('isProtocolUri(%j) is %s', (text, expected) => {
    expect(isProtocolUri(text)).toBe(expected);
  });

  it('finds the URI on a command line', () => {
    expect(findProtocolUri(['electron', '.', '--flag', 'tel:123'])).toBe('tel:123');
    expect(findProtocolUri(['electron', '.'])).toBeNull();
  });
});

describe('single instance and protocol registration', () => {
  it('claimSingleInstance reports whether this is the first instance', () => {
    expect(claimSingleInstance({ requestSingleInstanceLock: () => true })).toBe(true);
    expect(claimSingleInstance({ requestSingleInstanceLock: () => false })).toBe(false);
  });

  it('the packaged app registers itself for sip: and tel:', () => {
    const app = {
      isDefaultProtocolClient: vi.fn(() => false),
      setAsDefaultProtocolClient: vi.fn(() => true),
    };
    expect(registerProtocolClients(app, { packaged: true })).toEqual(['sip', 'tel']);
    expect(app.setAsDefaultProtocolClient.mock.calls).toEqual([['sip'], ['tel']]);
  });

  it('does not register again when already the handler', () => {
    const app = { isDefaultProtocolClient: vi.fn(() => true), setAsDefaultProtocolClient: vi.fn(() => true) };
    expect(registerProtocolClients(app, { packaged: true })).toEqual(['sip', 'tel']);
    expect(app.setAsDefaultProtocolClient).not.toHaveBeenCalled();
  });

  it('a development run leaves the system handlers alone', () => {
    const app = {
      isDefaultProtocolClient: vi.fn(() => false),
      setAsDefaultProtocolClient: vi.fn(() => true),
    };
    expect(registerProtocolClients(app, { packaged: false })).toEqual([]);
    expect(app.setAsDefaultProtocolClient).not.toHaveBeenCalled();
  });
});
