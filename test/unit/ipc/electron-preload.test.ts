// The preload with a fake `electron` module: it exposes exactly the contract's commands as domain methods on
// `window.softphone`, carries them over one invoke channel, and lets the page listen only to the contract's events —
// never handing out ipcRenderer or the IPC event object.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandName } from '../../../main/contract/contract';
import {
  audioOpenChannel,
  audioPortChannel,
  commandChannel,
  eventChannel,
} from '../../../main/ipc/electron-channels';
import { forwardAudioPorts, type RendererPort } from '../../../main/ipc/electron-preload-api';
import { commandSchemas } from '../../../main/contract/schemas';
import type { SoftphoneApi } from '../../../main/contract/softphone-api';
import { commandNames, eventNames } from '../../../main/contract/softphone-api';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

const fake = vi.hoisted(() => {
  const ipcListeners = new Map<string, IpcListener[]>();
  return {
    ipcListeners,
    exposeInMainWorld: vi.fn(),
    invoke: vi.fn(),
    on: vi.fn((channel: string, listener: IpcListener) => {
      ipcListeners.set(channel, [...(ipcListeners.get(channel) ?? []), listener]);
    }),
  };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: fake.exposeInMainWorld },
  ipcRenderer: { invoke: fake.invoke, on: fake.on },
}));

let softphone: SoftphoneApi;

/** What main would do: webContents.send(eventChannel, name, payload). */
function pushFromMain(name: string, payload: unknown): void {
  const ipcEvent = { sender: 'ipcRenderer itself, must never reach the page' };
  for (const listener of fake.ipcListeners.get(eventChannel) ?? []) listener(ipcEvent, name, payload);
}

beforeAll(async () => {
  await import('../../../main/preload/index');
  expect(fake.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [key, api] = fake.exposeInMainWorld.mock.calls[0] as [string, SoftphoneApi];
  expect(key).toBe('softphone');
  softphone = api;
});

beforeEach(() => {
  fake.invoke.mockReset();
});

function exposedCommandNames(api: object): string[] {
  const names: string[] = [];
  for (const [domain, methods] of Object.entries(api)) {
    if (typeof methods === 'function') continue;
    for (const [method, fn] of Object.entries(methods as object)) {
      expect(typeof fn).toBe('function');
      names.push(`${domain}.${method}`);
    }
  }
  return names.sort();
}

describe('window.softphone', () => {
  it('has one domain method per command of the contract, and nothing else but `on` and `openAudio`', () => {
    const contractCommands = Object.keys(commandSchemas).sort();
    expect(exposedCommandNames(softphone)).toEqual(contractCommands);
    expect([...commandNames].sort()).toEqual(contractCommands);
    const functionsAtTop = Object.entries(softphone).filter(([, value]) => typeof value === 'function');
    expect(functionsAtTop.map(([key]) => key)).toEqual(['on', 'openAudio']);
  });

  it('does not expose ipcRenderer or any raw channel', () => {
    const text = JSON.stringify(Object.keys(softphone));
    for (const forbidden of ['ipcRenderer', 'invoke', 'send', 'sendSync', 'postMessage']) {
      expect(text).not.toContain(forbidden);
    }
    expect(Object.values(softphone)).not.toContain(fake.invoke);
  });

  it('is frozen, as are its domains', () => {
    expect(Object.isFrozen(softphone)).toBe(true);
    expect(Object.isFrozen(softphone.accounts)).toBe(true);
  });

  it('lists every event of the contract', () => {
    expect([...eventNames].sort()).toEqual(
      [
        'accounts.changed',
        'buddy.changed',
        'buddy.removed',
        'call.changed',
        'call.quality',
        'contacts.changed',
        'conversation.changed',
        'conversation.removed',
        'dialpad.open',
        'message.changed',
        'message.composing',
        'presence.changed',
        'registration.changed',
        'settings.changed',
        'watchers.changed',
        'chat.open',
      ].sort(),
    );
  });
});

describe('commands', () => {
  it('carries a domain call as invoke(commandChannel, name, args)', async () => {
    fake.invoke.mockResolvedValue({ ok: true, value: { id: 'a1' } });
    const input = {
      displayName: 'Alice',
      aor: 'sip:alice@example.com',
      authUser: null,
      outboundProxy: null,
      registrar: null,
      transport: 'udp',
      expires: 600,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
    } as const;
    const result = await softphone.accounts.create(input);
    expect(result).toEqual({ ok: true, value: { id: 'a1' } });
    expect(fake.invoke).toHaveBeenCalledWith(commandChannel, 'accounts.create', [input]);
  });

  it.each(commandNames.map((name) => [name]))('%s goes out under its own name', async (name: CommandName) => {
    fake.invoke.mockResolvedValue({ ok: true, value: null });
    const [domain, method] = name.split('.') as [string, string];
    const api = softphone as unknown as Record<
      string,
      Record<string, (...args: unknown[]) => Promise<unknown>>
    >;
    await api[domain]![method]!('x');
    expect(fake.invoke).toHaveBeenCalledWith(commandChannel, name, ['x']);
  });

  it('answers with an internal error Result when the invoke itself fails', async () => {
    fake.invoke.mockRejectedValue(new Error('Error invoking remote method: no handler'));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await softphone.app.info();
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    errors.mockRestore();
  });
});

describe('events', () => {
  it('rejects event names that are not in the contract', () => {
    expect(() => softphone.on('ipc.raw' as never, () => undefined)).toThrow(TypeError);
    expect(() => softphone.on('__proto__' as never, () => undefined)).toThrow(TypeError);
  });

  it('rejects a listener that is not a function', () => {
    expect(() => softphone.on('dialpad.open', 'nope' as never)).toThrow(TypeError);
  });

  it('delivers the payload only (not the IPC event) to listeners of that event', () => {
    const dialpad = vi.fn();
    const settings = vi.fn();
    const stopDialpad = softphone.on('dialpad.open', dialpad);
    const stopSettings = softphone.on('settings.changed', settings);
    pushFromMain('dialpad.open', { uri: 'sip:bob@example.com' });
    expect(dialpad).toHaveBeenCalledTimes(1);
    expect(dialpad).toHaveBeenCalledWith({ uri: 'sip:bob@example.com' });
    expect(settings).not.toHaveBeenCalled();
    stopDialpad();
    stopSettings();
  });

  it('drops events main names that are not in the contract', () => {
    const listener = vi.fn();
    const stop = softphone.on('dialpad.open', listener);
    pushFromMain('something.else', { uri: 'x' });
    expect(listener).not.toHaveBeenCalled();
    stop();
  });

  it('stops delivering after unsubscribe, and one throwing listener does not silence the others', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const thrower = vi.fn(() => {
      throw new Error('listener bug');
    });
    const steady = vi.fn();
    const stopThrower = softphone.on('accounts.changed', thrower);
    const stopSteady = softphone.on('accounts.changed', steady);
    pushFromMain('accounts.changed', []);
    expect(steady).toHaveBeenCalledTimes(1);
    stopSteady();
    pushFromMain('accounts.changed', []);
    expect(steady).toHaveBeenCalledTimes(1);
    expect(thrower).toHaveBeenCalledTimes(2);
    stopThrower();
    errors.mockRestore();
  });

  it('listens on exactly two IPC channels: events and call audio ports', () => {
    expect([...fake.ipcListeners.keys()]).toEqual([eventChannel, audioPortChannel]);
  });
});

describe('call audio in the preload', () => {
  it('asks main for a call port with invoke(audioOpenChannel, callId, request)', async () => {
    fake.invoke.mockResolvedValueOnce({ ok: true, value: null });
    expect(await softphone.openAudio?.('c1', 3)).toEqual({ ok: true, value: null });
    expect(fake.invoke).toHaveBeenCalledWith(audioOpenChannel, 'c1', 3);
    fake.invoke.mockRejectedValueOnce(new Error('gone'));
    expect(await softphone.openAudio?.('c1', 4)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('forwards each port to the page with only the call id and request, and closes malformed ones', () => {
    let listener: ((event: unknown, data: unknown) => void) | undefined;
    const ipc = { on: (_channel: string, handler: typeof listener) => void (listener = handler) };
    const posted: unknown[][] = [];
    forwardAudioPorts(ipc as never, (message, port) => void posted.push([message, port]));
    const port = () => ({ close: vi.fn() }) as unknown as RendererPort & { close: ReturnType<typeof vi.fn> };
    const good = port();
    listener?.({ ports: [good], sender: 'ipcRenderer' }, { callId: 'c1', request: 2, extra: 'dropped' });
    expect(posted).toEqual([[{ type: 'softphone:audio-port', callId: 'c1', request: 2 }, good]]);
    const extra = [port(), port()];
    listener?.({ ports: extra }, { callId: 'c1', request: 2 });
    const badData = port();
    listener?.({ ports: [badData] }, { callId: 7, request: 2 });
    listener?.({ ports: [] }, { callId: 'c1', request: 2 });
    expect(posted).toHaveLength(1);
    for (const closed of [...extra, badData]) expect(closed.close).toHaveBeenCalled();
    expect(good.close).not.toHaveBeenCalled();
    expect(audioPortChannel).toBe('softphone:audio-port');
  });
});
