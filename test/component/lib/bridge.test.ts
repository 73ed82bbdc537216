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
  const location = { hash, host: '127.0.0.1:4173', protocol: 'http:', pathname: '/', search: '' };
  const hashListeners: (() => void)[] = [];
  /** What the next probes of the host's HTTP side say: true when the host answers at this address. */
  const probe = { answers: false, count: 0 };
  const env: BridgeEnvironment = {
    softphone: undefined,
    location,
    history: { replaceState },
    onHashChange: (listener) => void hashListeners.push(listener),
    probeHost: () => {
      probe.count += 1;
      return Promise.resolve(probe.answers);
    },
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
  /** The person pastes an address that differs only in its fragment: no reload, just a hashchange. */
  const paste = (newHash: string) => {
    location.hash = newHash;
    for (const listener of hashListeners) listener();
  };
  return { env, sockets, storage, replaceState, advance, paste, probe };
}

/** Lets the probes' promises settle. */
const probesSettle = () => new Promise((done) => setTimeout(done, 0));

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

const info: AppInfoDto = {
  version: '1',
  host: 'electron',
  storageError: null,
  passwordProtection: { kind: 'os-keychain', detail: 'windows-dpapi' },
};

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
    socket.receive({
      type: 'event',
      name: 'settings.changed',
      payload: { theme: 'dark', sipPort: 0, ringOnDefaultDevice: false },
    });
    socket.receive({ type: 'result', id: 1, result: { ok: true, value: info } });
    expect(await second).toEqual({ ok: false, error: { code: 'conflict', message: 'dup' } });
    expect(await first).toEqual({ ok: true, value: info });
    expect(events).toEqual([{ theme: 'dark', sipPort: 0, ringOnDefaultDevice: false }]);
    stop();
    socket.receive({
      type: 'event',
      name: 'settings.changed',
      payload: { theme: 'light', sipPort: 0, ringOnDefaultDevice: false },
    });
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
      result: { ok: true, value: { theme: 'system', sipPort: 0, ringOnDefaultDevice: false } },
    });
    expect(await queued).toEqual({
      ok: true,
      value: { theme: 'system', sipPort: 0, ringOnDefaultDevice: false },
    });
  });

  it('gives up on a command that cannot be sent within 10 seconds', async () => {
    const { env, advance } = page('#token=t');
    const bridge = createBridge(env);
    const waiting = bridge.invoke('app.info');
    advance(10_000);
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('takes a new token pasted into the address without a reload, and reconnects with it at once', async () => {
    const { env, sockets, storage, replaceState, paste } = page('#token=old');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    sockets[0]!.open();
    sockets[0]!.drop();
    replaceState.mockClear();

    paste('#token=new%2Bone');
    expect(storage.get('softphone.webHostToken')).toBe('new+one');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).toBe('ws://127.0.0.1:4173/ws?token=new%2Bone');
    expect(states.at(-1)).toEqual({ kind: 'connecting', attempt: 0 });
    sockets[1]!.open();
    expect(states.at(-1)).toEqual({ kind: 'open' });
  });

  it('ignores a fragment without a token, and the same token again while connected', () => {
    const { env, sockets, replaceState, paste } = page('#token=t');
    createBridge(env);
    sockets[0]!.open();
    replaceState.mockClear();
    paste('#settings');
    expect(sockets).toHaveLength(1);
    expect(replaceState).not.toHaveBeenCalled();
    paste('#token=t');
    // The token is hidden again, but the open socket is kept.
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(false);
  });

  it('drops the old socket and its pending retry when a new token arrives mid-reconnect', async () => {
    const { env, sockets, paste, advance } = page('#token=old');
    const bridge = createBridge(env);
    sockets[0]!.open();
    sockets[0]!.drop();
    paste('#token=new');
    expect(sockets).toHaveLength(2);
    // The retry planned for the old token does not fire a third socket.
    advance(10_000);
    expect(sockets).toHaveLength(2);
    const queued = bridge.invoke('settings.get');
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: 'command', id: 1, name: 'settings.get', args: [] }]);
    sockets[1]!.receive({
      type: 'result',
      id: 1,
      result: { ok: true, value: { theme: 'system', sipPort: 0, ringOnDefaultDevice: false } },
    });
    expect(await queued).toMatchObject({ ok: true });
  });

  it('connects a page opened without a token once one is pasted', async () => {
    const { env, sockets, paste } = page('');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    paste('#token=late');
    expect(sockets.map((s) => s.url)).toEqual(['ws://127.0.0.1:4173/ws?token=late']);
    expect(states).toEqual([{ kind: 'no-token' }, { kind: 'connecting', attempt: 0 }]);
    const answer = bridge.invoke('app.info');
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'result', id: 1, result: { ok: true, value: info } });
    expect(await answer).toEqual({ ok: true, value: info });
  });

  it('after repeated refused handshakes while the host answers, says the host restarted and stops retrying', async () => {
    const { env, sockets, advance, probe } = page('#token=old');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    sockets[0]!.open();
    // The host stops: the socket drops. That is a lost link, not a refusal, so no probe.
    sockets[0]!.drop();
    await probesSettle();
    expect(probe.count).toBe(0);

    // It is back with a new token: every handshake fails while its HTTP side answers.
    probe.answers = true;
    for (let attempt = 1; attempt <= 3; attempt++) {
      advance(10_000);
      expect(sockets).toHaveLength(attempt + 1);
      sockets[attempt]!.drop();
      await probesSettle();
    }
    expect(probe.count).toBe(3);
    expect(states.at(-1)).toEqual({ kind: 'refused' });
    advance(60_000);
    expect(sockets).toHaveLength(4);

    // Commands say why at once instead of waiting for a link that will not come.
    expect(await bridge.invoke('accounts.list')).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
  });

  it('keeps trying, without calling it a restart, while the host does not answer at all', async () => {
    const { env, sockets, advance, probe } = page('#token=t');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    probe.answers = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      sockets[attempt]!.drop();
      await probesSettle();
      advance(10_000);
    }
    expect(sockets).toHaveLength(6);
    expect(states.at(-1)).toEqual({ kind: 'connecting', attempt: 5 });
  });

  it('fails a command waiting in the queue as unauthorized when the token is refused', async () => {
    const { env, sockets, advance, probe } = page('#token=stale');
    const bridge = createBridge(env);
    const waiting = bridge.invoke('app.info');
    probe.answers = true;
    for (let attempt = 0; attempt < 3; attempt++) {
      sockets[attempt]!.drop();
      await probesSettle();
      if (attempt < 2) advance(2_000);
    }
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('recovers from the refused state when the new address is pasted', async () => {
    const { env, sockets, advance, probe, paste } = page('#token=stale');
    const bridge = createBridge(env);
    const states: ConnectionState[] = [];
    bridge.onConnection((state) => states.push(state));
    probe.answers = true;
    for (let attempt = 0; attempt < 3; attempt++) {
      sockets[attempt]!.drop();
      await probesSettle();
      if (attempt < 2) advance(2_000);
    }
    expect(states.at(-1)).toEqual({ kind: 'refused' });
    paste('#token=fresh');
    expect(sockets.at(-1)!.url).toBe('ws://127.0.0.1:4173/ws?token=fresh');
    sockets.at(-1)!.open();
    expect(states.at(-1)).toEqual({ kind: 'open' });
  });

  it('fails a command in flight on the old socket when a new token replaces it, and keeps queued ones for the new one', async () => {
    const { env, sockets, paste } = page('#token=first');
    const bridge = createBridge(env);
    sockets[0]!.open();
    const inFlight = bridge.invoke('accounts.list');
    paste('#token=second');
    expect(sockets[0]!.closed).toBe(true);
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const queued = bridge.invoke('settings.get');
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: 'command', id: 2, name: 'settings.get', args: [] }]);
    sockets[1]!.receive({
      type: 'result',
      id: 2,
      result: { ok: true, value: { theme: 'system', sipPort: 0, ringOnDefaultDevice: false } },
    });
    expect(await queued).toMatchObject({ ok: true });
  });
});
