import { describe, expect, it, vi } from 'vitest';
import type { AccountInput, AppInfoDto, Result } from '../../../main/contract/contract';
import {
  createBridge,
  type BridgeEnvironment,
  type ConnectionState,
  type SocketLike,
} from '../../../renderer/src/lib/bridge';

class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;
  closed = false;

  constructor(readonly url: string) {}

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  drop() {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close'));
  }
  receive(frame: unknown) {
    this.onmessage?.(
      new MessageEvent('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) }),
    );
  }
}

/** A page environment with manual timers and a record of sockets opened. */
function page(hash: string, stored: Record<string, string> = {}) {
  const sockets: FakeSocket[] = [];
  const timers = new Map<number, { at: number; run: () => void }>();
  let now = 0;
  let nextTimer = 1;
  const storage = new Map(Object.entries(stored));
  const replaceState = vi.fn();
  const env: BridgeEnvironment = {
    softphone: undefined,
    location: { hash, host: '127.0.0.1:4173', protocol: 'http:', pathname: '/', search: '' },
    history: { replaceState },
    sessionStorage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
    },
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    setTimeout: (run, ms) => {
      timers.set(nextTimer, { at: now + ms, run });
      return nextTimer++;
    },
    clearTimeout: (id) => void timers.delete(id),
    random: () => 0.5,
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= now && timers.delete(id)) timer.run();
    }
  };
  return { env, sockets, storage, replaceState, advance };
}

const input: AccountInput = {
  displayName: 'Alice',
  aor: 'sip:alice@127.0.0.1',
  authUser: null,
  outboundProxy: null,
  registrar: null,
  transport: 'udp',
  expires: 600,
  keepAliveSeconds: 0,
  keepAliveKind: 'crlf',
  enabled: true,
};

const info: AppInfoDto = { version: '1', host: 'electron', storageError: null, passwordProtection: 'x' };

describe('bridge over window.softphone', () => {
  it('maps each command to its domain method and passes events and Results through', async () => {
    const create = vi.fn(async () => ({ ok: true, value: { id: 'x' } }));
    const appInfo = vi.fn(async () => ({ ok: true, value: info }));
    const unsubscribe = vi.fn();
    const on = vi.fn(() => unsubscribe);
    const { env, sockets } = page('');
    const bridge = createBridge({ ...env, softphone: { accounts: { create }, app: { info: appInfo }, on } });

    expect(bridge.kind).toBe('electron');
    expect(await bridge.invoke('accounts.create', input)).toEqual({ ok: true, value: { id: 'x' } });
    expect(create).toHaveBeenCalledWith(input);
    expect(await bridge.invoke('app.info')).toEqual({ ok: true, value: info });
    const listener = vi.fn();
    expect(bridge.on('accounts.changed', listener)).toBe(unsubscribe);
    expect(on).toHaveBeenCalledWith('accounts.changed', listener);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    expect(states).toEqual([{ kind: 'open' }]);
    expect(sockets).toEqual([]);
  });

  it('turns a missing or throwing method into a failed Result instead of a throw', async () => {
    const { env } = page('');
    const bridge = createBridge({
      ...env,
      softphone: { accounts: { delete: () => Promise.reject(new Error('boom')) }, on: () => () => {} },
    });
    expect(await bridge.invoke('accounts.delete', 'a')).toEqual({
      ok: false,
      error: { code: 'internal', message: 'boom' },
    });
    expect(await bridge.invoke('settings.get')).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('bridge over the web host socket', () => {
  it('takes the token from the address, hides it from the URL, keeps it for reloads and connects with it', () => {
    const { env, sockets, storage, replaceState } = page('#token=s3cr%2Bt');
    const bridge = createBridge(env);
    expect(bridge.kind).toBe('web');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
    expect(storage.get('softphone.webHostToken')).toBe('s3cr+t');
    expect(sockets.map((s) => s.url)).toEqual(['ws://127.0.0.1:4173/ws?token=s3cr%2Bt']);
  });

  it('reuses the stored token after a reload', () => {
    const { env, sockets, replaceState } = page('', { 'softphone.webHostToken': 'kept' });
    createBridge(env);
    expect(replaceState).not.toHaveBeenCalled();
    expect(sockets[0]?.url).toBe('ws://127.0.0.1:4173/ws?token=kept');
  });

  it('without a token, does not connect and answers unauthorized', async () => {
    const { env, sockets } = page('');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    expect(states).toEqual([{ kind: 'no-token' }]);
    expect(await bridge.invoke('app.info')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(sockets).toEqual([]);
  });

  it('holds commands until the socket opens, then matches results by id and delivers events', async () => {
    const { env, sockets } = page('#token=t');
    const bridge = createBridge(env);
    const socket = sockets[0]!;
    const first = bridge.invoke('app.info');
    const second = bridge.invoke('accounts.create', input);
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual([
      { type: 'command', id: 1, name: 'app.info', args: [] },
      { type: 'command', id: 2, name: 'accounts.create', args: [input] },
    ]);

    const events: unknown[] = [];
    const stop = bridge.on('settings.changed', (payload) => events.push(payload));
    socket.receive('not json');
    socket.receive({
      type: 'result',
      id: 2,
      result: { ok: false, error: { code: 'conflict', message: 'dup' } },
    });
    socket.receive({ type: 'event', name: 'settings.changed', payload: { theme: 'dark', sipPort: 0 } });
    socket.receive({ type: 'result', id: 1, result: { ok: true, value: info } });
    expect(await second).toEqual({ ok: false, error: { code: 'conflict', message: 'dup' } });
    expect(await first).toEqual({ ok: true, value: info });
    expect(events).toEqual([{ theme: 'dark', sipPort: 0 }]);
    stop();
    socket.receive({ type: 'event', name: 'settings.changed', payload: { theme: 'light', sipPort: 0 } });
    expect(events).toHaveLength(1);
  });

  it('fails commands in flight as unavailable when the socket drops, and reconnects with growing delays', async () => {
    const { env, sockets, advance } = page('#token=t');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    sockets[0]!.open();
    const inFlight: Promise<Result<unknown>> = bridge.invoke('accounts.list');
    sockets[0]!.drop();
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(states.at(-1)).toEqual({ kind: 'connecting', attempt: 1 });

    advance(249);
    expect(sockets).toHaveLength(1);
    advance(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.drop();
    advance(499);
    expect(sockets).toHaveLength(2);
    advance(1);
    expect(sockets).toHaveLength(3);
    expect(states.at(-1)).toEqual({ kind: 'connecting', attempt: 2 });

    const queued = bridge.invoke('settings.get');
    sockets[2]!.open();
    expect(states.at(-1)).toEqual({ kind: 'open' });
    expect(sockets[2]!.sent).toEqual([{ type: 'command', id: 2, name: 'settings.get', args: [] }]);
    sockets[2]!.receive({
      type: 'result',
      id: 2,
      result: { ok: true, value: { theme: 'system', sipPort: 0 } },
    });
    expect(await queued).toEqual({ ok: true, value: { theme: 'system', sipPort: 0 } });
  });

  it('gives up on a command that cannot be sent within 10 seconds', async () => {
    const { env, advance } = page('#token=t');
    const bridge = createBridge(env);
    const waiting = bridge.invoke('app.info');
    advance(10_000);
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
