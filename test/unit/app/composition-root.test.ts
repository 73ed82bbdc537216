// main/index.ts wired against a fake `electron` module and a fake engine: the single-instance lock, the window and
// its security, the IPC transport, the tray and the quit order — and, when the engine cannot start, a window that
// still opens and an `app.info` that carries the storage error.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../../main/contract/contract';
import {
  audioOpenChannel,
  audioPortChannel,
  commandChannel,
  eventChannel,
} from '../../../main/ipc/electron-channels';
import { FakeCallAudio } from '../../support/fake-call-audio';
import { FakeEngine, account, call, status } from '../../support/fake-engine';

type Handler = (event: unknown, ...args: unknown[]) => Promise<Result<unknown>>;

const fake = vi.hoisted(() => {
  const state = {
    lock: true,
    windows: [] as FakeWindowShape[],
    handlers: new Map<string, Handler>(),
    trays: [] as { tooltip: string; menu: { label?: string; click?: () => void }[] }[],
    notifications: [] as { title: string; body: string }[],
    /** What main/index.ts did with `protocol`, in order. */
    protocolCalls: [] as string[],
    protocolHandler: null as ((request: Request) => Promise<Response>) | null,
    createEngine: null as unknown as (options: unknown) => Promise<unknown>,
    app: null as unknown as AppShape,
  };
  interface FakeWindowShape {
    options: unknown;
    loaded: string | null;
    webContents: {
      mainFrame: { url: string; processId: number; frameToken: string; parent: null };
      send: (...args: unknown[]) => void;
      sent: unknown[][];
      posted: unknown[][];
      isDestroyed: () => boolean;
      on: () => void;
      setWindowOpenHandler: () => void;
    };
  }
  interface AppShape {
    emit(name: string, ...args: unknown[]): boolean;
    quitCalls: number;
    exited: number | null;
  }
  return { state };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeApp extends Emitter {
    quitCalls = 0;
    exited: number | null = null;
    isPackaged = false;
    requestSingleInstanceLock = () => fake.state.lock;
    enableSandbox = () => undefined;
    setAppUserModelId = () => undefined;
    whenReady = async () => {
      fake.state.protocolCalls.push('ready');
    };
    getPath = (name: string) => `/home/user/.config/Softphone/${name}`;
    getVersion = () => '9.9.9';
    isDefaultProtocolClient = () => false;
    setAsDefaultProtocolClient = () => true;
    exit = (code: number) => {
      this.exited = code;
    };
    quit = () => {
      this.quitCalls++;
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      this.emit('before-quit', event);
    };
  }
  const app = new FakeApp();
  fake.state.app = app;
  class BrowserWindow extends Emitter {
    loaded: string | null = null;
    readonly webContents;
    constructor(readonly options: unknown) {
      super();
      const sent: unknown[][] = [];
      const posted: unknown[][] = [];
      this.webContents = {
        mainFrame: { url: '', processId: 3, frameToken: 'main', parent: null },
        sent,
        send: (...args: unknown[]) => void sent.push(args),
        posted,
        postMessage: (...args: unknown[]) => void posted.push(args),
        isDestroyed: () => false,
        on: () => undefined,
        setWindowOpenHandler: () => undefined,
        session: {},
      };
      fake.state.windows.push(this as never);
    }
    loadFile = async (path: string) => {
      this.loaded = path;
      this.webContents.mainFrame.url = `file://${path}`;
    };
    loadURL = async (url: string) => {
      this.loaded = url;
      this.webContents.mainFrame.url = url;
    };
    show = () => undefined;
    hide = () => undefined;
    focus = () => undefined;
    restore = () => undefined;
    isDestroyed = () => false;
    isMinimized = () => false;
    isVisible = () => true;
    focused = false;
    isFocused = () => this.focused;
  }
  class Notification {
    static isSupported = () => true;
    constructor(readonly options: { title: string; body: string }) {}
    on() {
      return this;
    }
    show() {
      fake.state.notifications.push({ title: this.options.title, body: this.options.body });
    }
  }
  class Tray {
    tooltip = '';
    menu: { label?: string; click?: () => void }[] = [];
    constructor() {
      fake.state.trays.push(this);
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setContextMenu(menu: { template: { label?: string; click?: () => void }[] }) {
      this.menu = menu.template;
    }
    setImage() {}
    on() {
      return this;
    }
    destroy() {}
  }
  // MessageChannelMain over node's MessageChannel: its ports deliver `{ data }` events, as Electron's do.
  const { MessageChannel } = await import('node:worker_threads');
  class MessageChannelMain {
    readonly #channel = new MessageChannel();
    readonly port2 = this.#channel.port2;
    readonly port1 = {
      postMessage: (message: unknown) => this.#channel.port1.postMessage(message),
      on: (event: string, listener: (value?: unknown) => void) =>
        event === 'message'
          ? this.#channel.port1.on('message', (data: unknown) => listener({ data }))
          : this.#channel.port1.on('close', () => listener()),
      start: () => this.#channel.port1.start(),
      close: () => this.#channel.port1.close(),
    };
  }
  return {
    app,
    BrowserWindow,
    MessageChannelMain,
    Notification,
    Tray,
    ipcMain: {
      handle: (channel: string, handler: Handler) => void fake.state.handlers.set(channel, handler),
      removeHandler: (channel: string) => void fake.state.handlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: { scheme: string; privileges: Record<string, boolean> }[]) =>
        void fake.state.protocolCalls.push(
          `privileged ${schemes.map((s) => `${s.scheme}:${Object.keys(s.privileges).sort().join(',')}`).join(' ')}`,
        ),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        fake.state.protocolCalls.push(`handle ${scheme}`);
        fake.state.protocolHandler = handler;
      },
    },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }) },
    nativeImage: { createFromBuffer: () => ({ addRepresentation: () => undefined }) },
    nativeTheme: { shouldUseDarkColors: false },
    powerMonitor: { getSystemIdleTime: () => 42 },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (text: string) => Buffer.from(text),
      decryptString: (data: Buffer) => data.toString(),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        webRequest: { onHeadersReceived: () => undefined },
      },
    },
    shell: { openExternal: async () => undefined },
  };
});

// Only the engine is faked: the shell still uses the module's real error class and path helper.
vi.mock('../../../main/services/engine', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../main/services/engine')>()),
  createEngine: (options: unknown) => fake.state.createEngine(options),
}));

/** Three enabled accounts, two of them registered. */
function fakeEngine(): FakeEngine {
  return new FakeEngine({
    accounts: [account({ id: 'a' }), account({ id: 'b', order: 1 }), account({ id: 'c', order: 2 })],
    statuses: [
      status({ accountId: 'a', state: 'registered' }),
      status({ accountId: 'b', state: 'registered' }),
    ],
  });
}

async function boot(): Promise<void> {
  await import('../../../main/index');
}

function invokeFromPage(name: string, args: unknown[] = []): Promise<Result<unknown>> {
  const window = fake.state.windows[0]!;
  const handler = fake.state.handlers.get(commandChannel)!;
  return handler({ sender: window.webContents, senderFrame: window.webContents.mainFrame }, name, args);
}

beforeEach(() => {
  vi.resetModules();
  fake.state.lock = true;
  fake.state.windows.length = 0;
  fake.state.trays.length = 0;
  fake.state.notifications.length = 0;
  fake.state.handlers.clear();
  fake.state.protocolCalls.length = 0;
  fake.state.protocolHandler = null;
  // Each boot registers its listeners on the one fake app; forget the previous boot's.
  if (fake.state.app) {
    (fake.state.app as unknown as NodeJS.EventEmitter).removeAllListeners();
    fake.state.app.quitCalls = 0;
  }
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('main/index.ts', () => {
  it('quits at once when another instance holds the lock', async () => {
    fake.state.lock = false;
    fake.state.createEngine = vi.fn();
    await boot();
    await vi.waitFor(() => expect(fake.state.app.quitCalls).toBe(1));
    expect(fake.state.windows).toHaveLength(0);
    expect(fake.state.createEngine).not.toHaveBeenCalled();
  });

  it('starts the engine with the user data folder and safeStorage, then opens a sandboxed window on our page', async () => {
    const engine = fakeEngine();
    fake.state.createEngine = vi.fn(async () => engine);
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBe('app://softphone/index.html'));
    expect(fake.state.createEngine).toHaveBeenCalledWith(
      expect.objectContaining({
        dataDir: '/home/user/.config/Softphone/userData',
        host: 'electron',
        warmMediaAtStart: true,
      }),
    );
    const { secrets } = (fake.state.createEngine as ReturnType<typeof vi.fn>).mock.calls[0]![0] as {
      secrets: { available: boolean; description: string };
    };
    expect(secrets.available).toBe(true);
    // The OS's idle time reaches presence (away after idleAwayMinutes).
    const { idle } = (fake.state.createEngine as ReturnType<typeof vi.fn>).mock.calls[0]![0] as {
      idle: { idleSeconds(): number };
    };
    expect(idle.idleSeconds()).toBe(42);
    const options = fake.state.windows[0]!.options as { webPreferences: Record<string, unknown> };
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect(String(options.webPreferences['preload'])).toMatch(/preload[\\/]index\.cjs$/);
  });

  it('serves the window from app://softphone/, registered as privileged before ready, with the CSP header', async () => {
    fake.state.createEngine = async () => fakeEngine();
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBe('app://softphone/index.html'));
    expect(fake.state.protocolCalls).toEqual([
      'privileged app:secure,standard,stream,supportFetchAPI',
      'ready',
      'handle app',
    ]);
    // The handler is wired to the build output; a request outside it is refused and still carries the policy.
    const refused = await fake.state.protocolHandler!(new Request('app://softphone/../../etc/passwd'));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.headers.get('content-security-policy')).toContain("default-src 'none'");
    const stranger = await fake.state.protocolHandler!(new Request('app://elsewhere/index.html'));
    expect(stranger.status).toBe(404);
  });

  it('hands the window a port joined to the audio of a live call', async () => {
    const engine = fakeEngine();
    const audio = new FakeCallAudio();
    Object.assign(engine, { audioPort: (id: string) => (id === 'c1' ? audio.endpoint : undefined) });
    fake.state.createEngine = async () => engine;
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBeTruthy());
    const window = fake.state.windows[0]!;
    const open = fake.state.handlers.get(audioOpenChannel)!;
    const from = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    expect(await open(from, 'nope', 1)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await open(from, 'c1', 2)).toEqual({ ok: true, value: null });
    const [channel, message, ports] = window.webContents.posted[0] as [string, unknown, { close(): void }[]];
    expect([channel, message, ports.length]).toEqual([audioPortChannel, { callId: 'c1', request: 2 }, 1]);
    await audio.until(() => audio.listening);
    ports[0]!.close();
    await audio.until(() => !audio.listening);
    audio.close();
  });

  it('carries commands from our page to the engine and engine events to the page', async () => {
    const engine = fakeEngine();
    fake.state.createEngine = async () => engine;
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBeTruthy());
    expect(await invokeFromPage('accounts.list')).toEqual({ ok: true, value: engine.accounts });
    engine.emit('dialpad.open', { uri: 'sip:bob@example.com' });
    expect(fake.state.windows[0]!.webContents.sent).toEqual([
      [eventChannel, 'dialpad.open', { uri: 'sip:bob@example.com' }],
    ]);
  });

  it('shows the registration summary in the tray', async () => {
    fake.state.createEngine = async () => fakeEngine();
    await boot();
    await vi.waitFor(() =>
      expect(fake.state.trays[0]?.tooltip).toBe('Softphone — 2 of 3 accounts registered'),
    );
  });

  it('notifies a call ringing while the window is in the background, and answers it from the tray', async () => {
    const engine = fakeEngine();
    const ringing = call({ id: 'c1', direction: 'incoming', state: 'incoming', peerName: 'Bob' });
    engine.calls = [ringing];
    fake.state.createEngine = async () => engine;
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBeTruthy());
    engine.emit('call.changed', ringing);
    expect(fake.state.notifications).toEqual([{ title: 'Incoming call', body: 'Bob (c1@example.test)' }]);
    const tray = fake.state.trays[0]!;
    expect(tray.tooltip).toBe('Softphone — Incoming call from Bob');
    tray.menu.find((item) => item.label === 'Answer')!.click!();
    await vi.waitFor(() => expect(engine.calls[0]?.state).toBe('connected'));
  });

  it('stops the engine before quitting', async () => {
    const engine = fakeEngine();
    fake.state.createEngine = async () => engine;
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBeTruthy());
    fake.state.app.emit('window-all-closed');
    await vi.waitFor(() => expect(fake.state.app.quitCalls).toBe(2));
    expect(engine.shutdowns).toBe(1);
  });

  it('still opens the window when the engine cannot start, and app.info carries the storage error', async () => {
    fake.state.createEngine = async () => {
      throw new Error('The database file is damaged: file is not a database.');
    };
    await boot();
    await vi.waitFor(() => expect(fake.state.windows[0]?.loaded).toBeTruthy());
    const info = await invokeFromPage('app.info');
    expect(info).toMatchObject({
      ok: true,
      value: {
        host: 'electron',
        version: '9.9.9',
        storageError: {
          kind: 'unknown',
          path: '/home/user/.config/Softphone/userData/softphone.sqlite',
          detail: 'The database file is damaged: file is not a database.',
          holderPid: null,
        },
      },
    });
    expect(await invokeFromPage('accounts.list')).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(fake.state.trays[0]?.tooltip).toBe('Softphone — No accounts');
  });
});
