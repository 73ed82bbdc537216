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
  bufferedAmount = 0;
  binaryType: BinaryType = 'blob';
  readonly sent: unknown[] = [];
  /** Binary frames sent (call audio), apart from the JSON ones. */
  readonly binary: ArrayBuffer[] = [];
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;
  closed = false;

  constructor(readonly url: string) {}

  send(data: string | ArrayBuffer) {
    if (typeof data === 'string') this.sent.push(JSON.parse(data));
    else this.binary.push(data);
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
    const data = typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame);
    this.onmessage?.(new MessageEvent('message', { data }));
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

/** A binary audio frame as the web host sends it: [stream uint16 LE][960 samples all `value`]. */
function audioPacket(stream: number, value: number, bytes = 1922): ArrayBuffer {
  const packet = new ArrayBuffer(bytes);
  const view = new DataView(packet);
  view.setUint16(0, stream, true);
  for (let offset = 2; offset + 1 < bytes; offset += 2) view.setInt16(offset, value, true);
  return packet;
}

describe('call audio over the web host socket', () => {
  async function openedChannel() {
    const setup = page('#token=t');
    const bridge = createBridge(setup.env);
    const socket = setup.sockets[0]!;
    socket.open();
    expect(socket.binaryType).toBe('arraybuffer');
    const opening = bridge.openAudio('c1');
    expect(socket.sent).toEqual([{ type: 'audio.open', id: 1, callId: 'c1' }]);
    socket.receive({ type: 'result', id: 1, result: { ok: true, value: { stream: 3 } } });
    const result = await opening;
    if (!result.ok) throw new Error('audio.open failed');
    return { ...setup, bridge, socket, channel: result.value };
  }

  it('opens a stream and carries frames both ways, each as one binary frame', async () => {
    const { socket, channel } = await openedChannel();
    expect(channel.callId).toBe('c1');
    const heard: Int16Array[] = [];
    channel.onFrame((frame) => heard.push(frame));
    socket.receive(audioPacket(3, -7));
    socket.receive(audioPacket(4, 1));
    socket.receive(audioPacket(3, 1, 1000));
    expect(heard).toHaveLength(1);
    expect(heard[0]?.length).toBe(960);
    expect(heard[0]?.every((sample) => sample === -7)).toBe(true);

    channel.send(new Int16Array(960).fill(0x0102));
    const [packet] = socket.binary;
    expect(packet?.byteLength).toBe(1922);
    expect([...new Uint8Array(packet!).subarray(0, 4)]).toEqual([3, 0, 0x02, 0x01]);
    expect(channel.droppedFrames).toBe(0);
  });

  it('hands each frame to the listeners there when its delivery began, each subscription once', async () => {
    const { socket, channel } = await openedChannel();
    const heard: string[] = [];
    const twice = (frame: Int16Array): void => void heard.push(`twice ${frame[0]}`);
    let stopSecond = (): void => undefined;
    channel.onFrame((frame) => {
      heard.push(`first ${frame[0]}`);
      if (frame[0] !== 1) return;
      // Added while frame 1 is delivered: hears from frame 2. Stopped while it is: still gets frame 1.
      channel.onFrame((later) => heard.push(`added ${later[0]}`));
      stopSecond();
    });
    stopSecond = channel.onFrame((frame) => heard.push(`second ${frame[0]}`));
    const stopTwice = channel.onFrame(twice);
    channel.onFrame(twice);
    socket.receive(audioPacket(3, 1));
    expect(heard).toEqual(['first 1', 'second 1', 'twice 1', 'twice 1']);
    heard.length = 0;
    // One stop, called twice, ends one of the two subscriptions only.
    stopTwice();
    stopTwice();
    socket.receive(audioPacket(3, 2));
    expect(heard).toEqual(['first 2', 'twice 2', 'added 2']);
  });

  it('drops frames of the wrong length and frames that would queue behind a stalled socket', async () => {
    const { socket, channel } = await openedChannel();
    channel.send(new Int16Array(959));
    socket.bufferedAmount = 1_000_000;
    channel.send(new Int16Array(960));
    expect(socket.binary).toEqual([]);
    expect(channel.droppedFrames).toBe(2);
    socket.bufferedAmount = 0;
    channel.send(new Int16Array(960));
    expect(socket.binary).toHaveLength(1);
  });

  it('closes with the reason the host gives, and stops delivering frames', async () => {
    const { socket, channel } = await openedChannel();
    const reasons: string[] = [];
    const heard: Int16Array[] = [];
    channel.onClose((reason) => reasons.push(reason));
    channel.onFrame((frame) => heard.push(frame));
    socket.receive({ type: 'audio.closed', stream: 9, reason: 'replaced' });
    expect(reasons).toEqual([]);
    socket.receive({ type: 'audio.closed', stream: 3, reason: 'replaced' });
    socket.receive(audioPacket(3, 5));
    channel.send(new Int16Array(960));
    expect(reasons).toEqual(['replaced']);
    expect(heard).toEqual([]);
    expect(socket.binary).toEqual([]);
    expect(channel.droppedFrames).toBe(1);
  });

  it('closes every channel as disconnected when the socket drops, and opens again on the new socket', async () => {
    const { socket, channel, bridge, sockets, advance } = await openedChannel();
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));
    const states: string[] = [];
    bridge.onConnection((state) => states.push(`${state.kind}:${reasons.join(',')}`));
    socket.drop();
    // The channel is closed before the connection is reported down, so a listener can reopen when it is back.
    expect(states).toEqual(['open:', 'connecting:disconnected']);
    advance(10_000);
    const next = sockets[1]!;
    next.open();
    const again = bridge.openAudio('c1');
    next.receive({ type: 'result', id: 2, result: { ok: true, value: { stream: 1 } } });
    expect(await again).toMatchObject({ ok: true, value: { callId: 'c1' } });
  });

  it('tells the host when the window closes a channel, once', async () => {
    const { socket, channel } = await openedChannel();
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));
    channel.close();
    channel.close();
    expect(reasons).toEqual(['ended']);
    expect(socket.sent.slice(1)).toEqual([{ type: 'audio.close', id: 2, stream: 3 }]);
  });

  it('passes a refusal through, and refuses an answer without a stream', async () => {
    const { env, sockets } = page('#token=t');
    const bridge = createBridge(env);
    const socket = sockets[0]!;
    socket.open();
    const missing = bridge.openAudio('gone');
    socket.receive({
      type: 'result',
      id: 1,
      result: { ok: false, error: { code: 'not-found', message: 'x' } },
    });
    expect(await missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const odd = bridge.openAudio('c1');
    socket.receive({ type: 'result', id: 2, result: { ok: true, value: {} } });
    expect(await odd).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

/** A page-side MessagePort as the preload hands it over; records what the bridge posts. */
function fakePort() {
  const port = {
    onmessage: null as ((event: MessageEvent) => void) | null,
    posted: [] as { data: unknown; transfer: unknown[] }[],
    closed: false,
    started: false,
    postMessage(data: unknown, transfer: unknown[] = []) {
      port.posted.push({ data, transfer });
    },
    start() {
      port.started = true;
    },
    close() {
      port.closed = true;
    },
    /** main posts to the page. */
    deliver(data: unknown) {
      port.onmessage?.(new MessageEvent('message', { data }));
    },
  };
  return port;
}

describe('call audio over window.softphone', () => {
  function electron(openAudio: (callId: string, request: number) => Promise<Result<null>>) {
    const setup = page('');
    let portListener: ((data: unknown, port: MessagePort | undefined) => void) | undefined;
    const bridge = createBridge({
      ...setup.env,
      softphone: { on: vi.fn(), openAudio },
      onWindowPort: (listener) => void (portListener = listener),
    });
    const post = (data: unknown, port: ReturnType<typeof fakePort> | undefined) =>
      portListener?.(data, port as unknown as MessagePort | undefined);
    return { ...setup, bridge, post };
  }

  it('pairs the port the preload posts with the request, and carries frames as transferred buffers', async () => {
    const port = fakePort();
    const stray = fakePort();
    const duplicate = fakePort();
    let post: ReturnType<typeof electron>['post'] = () => undefined;
    const opened = electron(async (callId, request) => {
      expect(callId).toBe('c1');
      post({ type: 'softphone:audio-port', callId, request: request + 1 }, stray);
      post({ type: 'softphone:audio-port', callId, request }, port);
      post({ type: 'softphone:audio-port', callId, request }, duplicate);
      return { ok: true, value: null };
    });
    post = opened.post;
    const result = await opened.bridge.openAudio('c1');
    if (!result.ok) throw new Error('openAudio failed');
    const channel = result.value;
    expect(duplicate.closed).toBe(true);
    expect(port.closed).toBe(false);
    expect(stray.closed).toBe(true);
    expect(port.started).toBe(true);

    const heard: number[] = [];
    channel.onFrame((frame) => heard.push(frame[0]!));
    port.deliver(new Int16Array(960).fill(4).buffer);
    port.deliver(new ArrayBuffer(10));
    port.deliver('{"type":"closed"}');
    expect(heard).toEqual([4]);

    const frame = new Int16Array(960).fill(9);
    channel.send(frame);
    expect(port.posted).toHaveLength(1);
    expect(port.posted[0]?.transfer).toEqual([frame.buffer]);
    // A view into a larger buffer is copied, so the caller's other data is never transferred away.
    const big = new Int16Array(2000);
    channel.send(big.subarray(0, 960));
    expect(port.posted[1]?.transfer[0]).not.toBe(big.buffer);
    channel.send(new Int16Array(3));
    expect(channel.droppedFrames).toBe(1);

    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));
    port.deliver({ type: 'closed', reason: 'replaced' });
    expect(reasons).toEqual(['replaced']);
    expect(port.closed).toBe(true);
  });

  it('fails when main refuses, when no port arrives in time, or when the app has no audio', async () => {
    const refused = electron(async () => ({ ok: false, error: { code: 'not-found', message: 'no call' } }));
    expect(await refused.bridge.openAudio('c1')).toMatchObject({ ok: false, error: { code: 'not-found' } });

    const late = electron(async () => ({ ok: true, value: null }));
    const waiting = late.bridge.openAudio('c1');
    await Promise.resolve();
    await Promise.resolve();
    late.advance(5_000);
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    // A port that turns up afterwards is closed, not leaked.
    const port = fakePort();
    late.post({ type: 'softphone:audio-port', callId: 'c1', request: 1 }, port);
    expect(port.closed).toBe(true);

    const { env } = page('');
    const old = createBridge({ ...env, softphone: { on: vi.fn() } });
    expect(await old.openAudio('c1')).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('closes the port and says ended when the window closes the channel', async () => {
    const port = fakePort();
    let post: ReturnType<typeof electron>['post'] = () => undefined;
    const opened = electron(async (callId, request) => {
      post({ type: 'softphone:audio-port', callId, request }, port);
      return { ok: true, value: null };
    });
    post = opened.post;
    const result = await opened.bridge.openAudio('c1');
    if (!result.ok) throw new Error('openAudio failed');
    const reasons: string[] = [];
    result.value.onClose((reason) => reasons.push(reason));
    result.value.close();
    expect(port.closed).toBe(true);
    expect(reasons).toEqual(['ended']);
  });
});
