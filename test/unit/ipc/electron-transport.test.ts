// The Electron transport with fakes standing in for ipcMain, the window's webContents and its frames: commands are
// dispatched only for our own main frame on our own page, and engine events reach the page on the event channel.
import { describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent, WebFrameMain } from 'electron';
import type {
  CommandDispatcher,
  EngineEventListener,
  EventName,
  Events,
  Result,
} from '../../../main/contract/contract';
import { commandChannel, eventChannel } from '../../../main/ipc/electron-channels';
import type { TransportWebContents } from '../../../main/ipc/electron-transport';
import { attachElectronTransport, isOwnMainFrame } from '../../../main/ipc/electron-transport';

const appUrl = 'file:///opt/Softphone/resources/app.asar/out/renderer/index.html';
const isAppUrl = (url: string) => url.split('#')[0] === appUrl;

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function fakeFrame(overrides: Partial<Record<keyof WebFrameMain, unknown>> = {}): WebFrameMain {
  return {
    url: `${appUrl}#/settings`,
    processId: 7,
    frameToken: 'main-token',
    parent: null,
    ...overrides,
  } as WebFrameMain;
}

function setup(options: { router?: CommandDispatcher } = {}) {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };
  const mainFrame = fakeFrame();
  let destroyed = false;
  const webContents = {
    mainFrame,
    send: vi.fn(),
    isDestroyed: () => destroyed,
  } as unknown as TransportWebContents;
  const listeners = new Set<EngineEventListener>();
  const events = {
    subscribe: vi.fn((listener: EngineEventListener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    }),
  };
  const emit = <E extends EventName>(name: E, payload: Events[E]) => {
    for (const listener of listeners) listener(name, payload);
  };
  const router: CommandDispatcher = options.router ?? {
    dispatch: vi.fn(async (name: unknown): Promise<Result<unknown>> => ({
      ok: true,
      value: `ran ${String(name)}`,
    })),
  };
  const detach = attachElectronTransport({
    ipcMain: ipcMain as never,
    webContents,
    router,
    events,
    isAppUrl,
  });
  const invoke = (event: Partial<IpcMainInvokeEvent>, name: unknown, args: unknown) => {
    const handler = handlers.get(commandChannel);
    if (!handler) throw new Error('no handler registered');
    return handler(event as IpcMainInvokeEvent, name, args) as Promise<Result<unknown>>;
  };
  return {
    ipcMain,
    webContents,
    mainFrame,
    router,
    listeners,
    emit,
    detach,
    invoke,
    handlers,
    destroy: () => {
      destroyed = true;
    },
  };
}

describe('command handling', () => {
  it('dispatches a command from our main frame and answers with the router result', async () => {
    const t = setup();
    const result = await t.invoke(
      { sender: t.webContents as never, senderFrame: t.mainFrame },
      'accounts.list',
      [],
    );
    expect(result).toEqual({ ok: true, value: 'ran accounts.list' });
    expect(t.router.dispatch).toHaveBeenCalledWith('accounts.list', []);
  });

  it('accepts the same frame seen through a different WebFrameMain object (same process and token)', async () => {
    const t = setup();
    const sameFrame = fakeFrame();
    const result = await t.invoke({ sender: t.webContents as never, senderFrame: sameFrame }, 'app.info', []);
    expect(result.ok).toBe(true);
  });

  it.each([
    ['a foreign frame URL', { url: 'https://evil.example/' }],
    ['another local file', { url: 'file:///tmp/evil.html' }],
    ['a subframe', { parent: fakeFrame(), frameToken: 'child' }],
    ['another frame token', { frameToken: 'other-token' }],
    ['another renderer process', { processId: 99 }],
  ])('refuses %s with unauthorized and never reaches the router', async (_what, overrides) => {
    const t = setup();
    const result = await t.invoke(
      { sender: t.webContents as never, senderFrame: fakeFrame(overrides) },
      'accounts.list',
      [],
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(t.router.dispatch).not.toHaveBeenCalled();
  });

  it('refuses a sender without a frame (navigated away or destroyed)', async () => {
    const t = setup();
    const result = await t.invoke({ sender: t.webContents as never, senderFrame: null }, 'app.info', []);
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('refuses another webContents even when its frame looks like ours', async () => {
    const t = setup();
    const otherContents = { mainFrame: t.mainFrame };
    const result = await t.invoke(
      { sender: otherContents as never, senderFrame: t.mainFrame },
      'app.info',
      [],
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('turns a throwing router into an internal error instead of an IPC exception', async () => {
    const t = setup({
      router: {
        dispatch: async () => {
          throw new Error('boom');
        },
      },
    });
    const result = await t.invoke(
      { sender: t.webContents as never, senderFrame: t.mainFrame },
      'app.info',
      [],
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('isOwnMainFrame is false when the main frame itself shows a foreign page', () => {
    const t = setup();
    const frame = fakeFrame({ url: 'https://evil.example/' });
    const contents = { ...t.webContents, mainFrame: frame } as TransportWebContents;
    expect(isOwnMainFrame({ sender: contents as never, senderFrame: frame }, contents, isAppUrl)).toBe(false);
  });
});

describe('events', () => {
  const status = {
    accountId: 'a1',
    state: 'registered',
    expires: 3600,
    failure: null,
    detail: null,
    status: 200,
    retryInMs: null,
    lastFailure: null,
    server: null,
  } as const;

  it('forwards engine events to the page on the event channel', () => {
    const t = setup();
    t.emit('registration.changed', status);
    t.emit('dialpad.open', { uri: 'sip:bob@example.com' });
    expect(t.webContents.send).toHaveBeenNthCalledWith(1, eventChannel, 'registration.changed', status);
    expect(t.webContents.send).toHaveBeenNthCalledWith(2, eventChannel, 'dialpad.open', {
      uri: 'sip:bob@example.com',
    });
  });

  it('does not send to a destroyed window', () => {
    const t = setup();
    t.destroy();
    t.emit('registration.changed', status);
    expect(t.webContents.send).not.toHaveBeenCalled();
  });

  it('does not send while the window shows anything but our page', () => {
    const t = setup();
    (t.mainFrame as { url: string }).url = 'https://evil.example/';
    t.emit('registration.changed', status);
    expect(t.webContents.send).not.toHaveBeenCalled();
  });

  it('detach removes the handler and stops forwarding', () => {
    const t = setup();
    t.detach();
    expect(t.ipcMain.removeHandler).toHaveBeenCalledWith(commandChannel);
    expect(t.handlers.size).toBe(0);
    expect(t.listeners.size).toBe(0);
  });
});
