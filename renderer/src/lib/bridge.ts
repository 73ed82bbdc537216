// The one door between the interface and the engine. In Electron the preload exposes `window.softphone`; in a plain
// browser the web host carries the same contract over a WebSocket. Nothing else in the renderer knows which: every
// component talks to a Bridge, and nothing here throws across the boundary — failures come back as Results.
// A call's audio goes beside the commands, binary all the way: a MessagePort per call in Electron, binary frames on
// the same socket on the web host (main/contract/audio-stream.ts has both layouts).
import {
  AUDIO_HEADER_BYTES,
  AUDIO_PACKET_BYTES,
  AUDIO_PAYLOAD_BYTES,
  AUDIO_PORT_MESSAGE,
} from '../../../main/contract/audio-stream';
import type {
  CommandArgs,
  CommandError,
  CommandName,
  CommandResult,
  EventName,
  Result,
} from '../../../main/contract/contract';
import type { EventListener, SoftphoneApi } from '../../../main/contract/softphone-api';
import type {
  AudioCloseFrame,
  AudioClosedFrame,
  AudioOpenFrame,
  AudioOpened,
  CommandFrame,
  EventFrame,
  ResultFrame,
} from '../../../main/contract/wire-frames';
import { AUDIO_FRAME_SAMPLES, type AudioChannel, type AudioChannelCloseReason } from './audio-channel';

export type { EventListener, SoftphoneApi };

/** The link to the engine. Electron's is always open; the web host's socket can drop and come back. */
export type ConnectionState =
  | { readonly kind: 'open' }
  /** `attempt` counts failed tries since the link was last open (0 while the first try is under way). */
  | { readonly kind: 'connecting'; readonly attempt: number }
  /** The page was opened without the web host's access token, so it cannot connect at all. */
  | { readonly kind: 'no-token' }
  /**
   * The web host answers at this address but keeps refusing the socket: it was restarted, and every start has a
   * new token. Nothing is retried until the new address (with its `#token=…`) is pasted into this tab.
   */
  | { readonly kind: 'refused' };

export interface Bridge {
  readonly kind: 'electron' | 'web';
  invoke<C extends CommandName>(name: C, ...args: CommandArgs<C>): Promise<Result<CommandResult<C>>>;
  on<E extends EventName>(event: E, listener: EventListener<E>): () => void;
  /** Calls the listener with the current state at once, then on every change. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /**
   * Opens a live call's audio. One window hears a call at a time: opening it takes it from any other window
   * (whose channel closes with `replaced`). Fails when the call has no audio or the engine cannot be reached.
   */
  openAudio(callId: string): Promise<Result<AudioChannel>>;
}

/** The subset of the browser's WebSocket the bridge uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  /** Bytes queued and not yet sent; microphone frames are dropped rather than queued behind a stalled socket. */
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** Everything the bridge needs from the page; `browserEnvironment()` is the real one. */
export interface BridgeEnvironment {
  readonly softphone: unknown;
  readonly location: Pick<Location, 'hash' | 'host' | 'protocol' | 'pathname' | 'search'>;
  readonly history: Pick<History, 'replaceState'>;
  /** Calls the listener when the address's fragment changes (a pasted address that differs only after `#`). */
  readonly onHashChange: (listener: () => void) => void;
  /**
   * Whether the web host's HTTP side answers at this page's address. A browser hides why a WebSocket handshake
   * failed; a host that serves pages but refuses the socket is refusing our token.
   */
  readonly probeHost: () => Promise<boolean>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
  readonly openSocket: (url: string) => SocketLike;
  readonly setTimeout: (callback: () => void, ms: number) => number;
  readonly clearTimeout: (handle: number) => void;
  /** 0 ≤ n < 1, spreads reconnect attempts of several tabs apart. */
  readonly random: () => number;
  /**
   * Electron: calls the listener with each window message the preload posted to this page (its source is this
   * window and its origin ours), with the port it carries. Other messages never reach the listener.
   */
  readonly onWindowPort?: (listener: (data: unknown, port: MessagePort | undefined) => void) => void;
}

export function browserEnvironment(): BridgeEnvironment {
  return {
    softphone: (window as { softphone?: unknown }).softphone,
    location: window.location,
    history: window.history,
    onHashChange: (listener) => window.addEventListener('hashchange', listener),
    probeHost: () =>
      fetch(`${window.location.protocol}//${window.location.host}/`, {
        method: 'HEAD',
        cache: 'no-store',
      }).then(
        (response) => response.ok,
        () => false,
      ),
    sessionStorage: window.sessionStorage,
    openSocket: (url) => new WebSocket(url),
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle),
    random: Math.random,
    onWindowPort: (listener) =>
      window.addEventListener('message', (event) => {
        if (event.source !== window || event.origin !== window.location.origin) return;
        listener(event.data, event.ports[0]);
      }),
  };
}

/** Picks `window.softphone` when the preload provided it, else the web host's socket. */
export function createBridge(env: BridgeEnvironment = browserEnvironment()): Bridge {
  return isSoftphoneApi(env.softphone) ? electronBridge(env.softphone, env) : webSocketBridge(env);
}

function isSoftphoneApi(value: unknown): value is SoftphoneApi {
  return typeof value === 'object' && value !== null && typeof (value as { on?: unknown }).on === 'function';
}

function failure(code: CommandError['code'], message: string): { ok: false; error: CommandError } {
  return { ok: false, error: { code, message } };
}

type AnyMethod = (...args: unknown[]) => Promise<Result<unknown>>;

/** How long an opened call's port may take to arrive after main said yes. */
const PORT_WAIT_MS = 5_000;

export function electronBridge(
  api: SoftphoneApi,
  env: Pick<BridgeEnvironment, 'onWindowPort' | 'setTimeout' | 'clearTimeout'> = browserEnvironment(),
): Bridge {
  const domains = api as unknown as Record<string, Record<string, AnyMethod> | undefined>;
  const waiting = new Map<number, (port: MessagePort) => void>();
  let nextRequest = 1;
  env.onWindowPort?.((data, port) => {
    if (port === undefined) return;
    const message = data as { type?: unknown; request?: unknown } | null;
    const request =
      typeof message === 'object' && message?.type === AUDIO_PORT_MESSAGE ? message.request : null;
    const wake = waiting.get(request as number);
    // One port per request: a second one for the same request, or one nobody waits for, is closed, not leaked.
    waiting.delete(request as number);
    if (wake) wake(port);
    else port.close();
  });
  return {
    kind: 'electron',
    async invoke<C extends CommandName>(name: C, ...args: CommandArgs<C>) {
      const dot = name.indexOf('.');
      const method = domains[name.slice(0, dot)]?.[name.slice(dot + 1)];
      if (typeof method !== 'function') return failure('internal', `The app does not offer ${name}.`);
      try {
        return (await method(...args)) as Result<CommandResult<C>>;
      } catch (error) {
        return failure('internal', error instanceof Error ? error.message : String(error));
      }
    },
    on(event, listener) {
      return api.on(event, listener);
    },
    onConnection(listener) {
      listener({ kind: 'open' });
      return () => {};
    },
    async openAudio(callId) {
      if (typeof api.openAudio !== 'function' || env.onWindowPort === undefined)
        return failure('unavailable', 'This app carries no call audio.');
      const request = nextRequest++;
      let timer = 0;
      const arrived = new Promise<MessagePort | null>((resolve) => {
        waiting.set(request, resolve);
        timer = env.setTimeout(() => resolve(null), PORT_WAIT_MS);
      });
      const finish = () => {
        waiting.delete(request);
        env.clearTimeout(timer);
      };
      let result: Result<null>;
      try {
        result = await api.openAudio(callId, request);
      } catch (error) {
        result = failure('internal', error instanceof Error ? error.message : String(error));
      }
      if (!result.ok) {
        finish();
        return result;
      }
      const port = await arrived;
      finish();
      if (port === null) return failure('unavailable', 'The call’s audio did not arrive in time.');
      return { ok: true, value: new PortAudioChannel(callId, port) };
    },
  };
}

/** What both transports' channels share: listeners, the drop count and closing once. */
abstract class BaseAudioChannel implements AudioChannel {
  droppedFrames = 0;
  #closed = false;
  /**
   * Never changed in place: a subscription or a stop makes a new array, so a frame (50 a second) goes to exactly the
   * listeners there when its delivery began without a copy of the list per frame. Each subscription is a wrapper
   * of its own, so a listener added twice hears every frame twice and one stop ends one subscription.
   */
  #frameListeners: readonly ((frame: Int16Array) => void)[] = [];
  readonly #closeListeners = new Set<(reason: AudioChannelCloseReason) => void>();

  constructor(readonly callId: string) {}

  get closed(): boolean {
    return this.#closed;
  }

  abstract send(frame: Int16Array): void;
  abstract close(): void;

  onFrame(listener: (frame: Int16Array) => void): () => void {
    const subscription = (frame: Int16Array) => listener(frame);
    this.#frameListeners = [...this.#frameListeners, subscription];
    return () => {
      this.#frameListeners = this.#frameListeners.filter((other) => other !== subscription);
    };
  }

  onClose(listener: (reason: AudioChannelCloseReason) => void): () => void {
    const subscription = (reason: AudioChannelCloseReason) => listener(reason);
    this.#closeListeners.add(subscription);
    return () => void this.#closeListeners.delete(subscription);
  }

  /** Whether `frame` may go out; counts it as dropped when not. */
  protected accept(frame: Int16Array): boolean {
    if (this.#closed || frame.length !== AUDIO_FRAME_SAMPLES) {
      this.droppedFrames += 1;
      return false;
    }
    return true;
  }

  deliver(frame: Int16Array): void {
    if (this.#closed) return;
    const listeners = this.#frameListeners;
    for (let index = 0; index < listeners.length; index++) {
      try {
        listeners[index]!(frame);
      } catch (error) {
        console.error('an audio frame listener failed', error);
      }
    }
  }

  /** Closes once, telling every close listener why. */
  finish(reason: AudioChannelCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#frameListeners = [];
    for (const listener of [...this.#closeListeners]) {
      try {
        listener(reason);
      } catch (error) {
        console.error('an audio close listener failed', error);
      }
    }
    this.#closeListeners.clear();
  }
}

/** Electron: one MessagePort per call; frames are transferred ArrayBuffers of exactly one frame. */
class PortAudioChannel extends BaseAudioChannel {
  readonly #port: MessagePort;

  constructor(callId: string, port: MessagePort) {
    super(callId);
    this.#port = port;
    port.onmessage = (event: MessageEvent) => this.#receive(event.data);
    port.start();
  }

  send(frame: Int16Array): void {
    if (!this.accept(frame)) return;
    // Transfer the caller's buffer when it is exactly this frame (the channel's contract allows it), else a copy.
    const buffer =
      frame.byteOffset === 0 &&
      frame.buffer.byteLength === AUDIO_PAYLOAD_BYTES &&
      frame.buffer instanceof ArrayBuffer
        ? frame.buffer
        : frame.slice().buffer;
    this.#port.postMessage(buffer, [buffer]);
  }

  close(): void {
    if (this.closed) return;
    this.#port.close();
    this.finish('ended');
  }

  #receive(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      if (data.byteLength === AUDIO_PAYLOAD_BYTES) this.deliver(new Int16Array(data));
      return;
    }
    const control = data as { type?: unknown; reason?: unknown } | null;
    if (control?.type === 'closed' && (control.reason === 'ended' || control.reason === 'replaced')) {
      this.#port.close();
      this.finish(control.reason);
    }
  }
}

/** Web host: binary frames on the command socket, [stream: uint16 LE][samples]. */
class SocketAudioChannel extends BaseAudioChannel {
  constructor(
    callId: string,
    readonly stream: number,
    private readonly transmit: (packet: ArrayBuffer) => boolean,
    private readonly release: () => void,
  ) {
    super(callId);
  }

  send(frame: Int16Array): void {
    if (!this.accept(frame)) return;
    const packet = new ArrayBuffer(AUDIO_PACKET_BYTES);
    new DataView(packet).setUint16(0, this.stream, true);
    new Int16Array(packet, AUDIO_HEADER_BYTES, AUDIO_FRAME_SAMPLES).set(frame);
    if (!this.transmit(packet)) this.droppedFrames += 1;
  }

  close(): void {
    if (this.closed) return;
    this.release();
    this.finish('ended');
  }
}

const TOKEN_KEY = 'softphone.webHostToken';
/** A command waits this long for a connection before it fails as unavailable. */
const QUEUE_WAIT_MS = 10_000;
/** A sent command with no answer after this long fails, so no caller waits forever on a hung engine. */
const ANSWER_WAIT_MS = 30_000;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 8_000;
/**
 * Refused handshakes in a row (each with the host's HTTP side answering) before the tab says the host restarted.
 * One could be a host still starting up; three, about two seconds apart at most, are not.
 */
const REFUSALS_BEFORE_GIVING_UP = 3;
const OPEN = 1;
/** Unsent bytes past which a microphone frame is dropped instead of queued (about 100 ms of audio). */
const MIC_BACKLOG_BYTES = 5 * AUDIO_PACKET_BYTES;

interface Pending {
  readonly resolve: (result: Result<unknown>) => void;
  readonly frame: string;
  timer: number;
  sent: boolean;
}

/**
 * The web host's socket: `ws(s)://<host>/ws?token=…`. The token arrives in the page's `#token=…` fragment; it is
 * moved to sessionStorage and erased from the address bar, so a reload still works and the token is not left in
 * the visible URL or the history. A restarted host has a new token: pasting its address into the tab changes only
 * the fragment (no reload), so the bridge watches for that and reconnects with the new token at once.
 */
export function webSocketBridge(env: BridgeEnvironment): Bridge {
  let token = takeToken(env);
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: ConnectionState = token ? { kind: 'connecting', attempt: 0 } : { kind: 'no-token' };
  let failures = 0;
  /** Handshakes refused in a row while the host's HTTP side answered. */
  let refusals = 0;
  let retryTimer: number | null = null;
  /** Counts tokens taken from the address, so a probe answer for an older token is ignored. */
  let generation = 0;
  /** Audio streams open on the current socket, by the host's stream number. */
  const streams = new Map<number, SocketAudioChannel>();

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const settle = (id: number, result: Result<unknown>) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    env.clearTimeout(entry.timer);
    entry.resolve(result);
  };

  const send = (id: number, entry: Pending) => {
    if (!socket || socket.readyState !== OPEN) return;
    socket.send(entry.frame);
    entry.sent = true;
    env.clearTimeout(entry.timer);
    entry.timer = env.setTimeout(
      () => settle(id, failure('unavailable', 'The engine did not answer in time.')),
      ANSWER_WAIT_MS,
    );
  };

  const dispatch = (data: unknown) => {
    if (data instanceof ArrayBuffer) {
      receiveAudio(data);
      return;
    }
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    // Untrusted until checked: every field of either server frame may be missing or of another type.
    const message = frame as { [K in keyof ResultFrame | keyof EventFrame]?: unknown };
    if (message.type === 'result' && typeof message.id === 'number' && isResult(message.result)) {
      settle(message.id, message.result);
    } else if ((message as { type?: unknown }).type === 'audio.closed') {
      const closed = frame as Partial<AudioClosedFrame>;
      const channel = streams.get(closed.stream ?? 0);
      if (channel && (closed.reason === 'ended' || closed.reason === 'replaced')) {
        streams.delete(channel.stream);
        channel.finish(closed.reason);
      }
    } else if (message.type === 'event' && typeof message.name === 'string') {
      for (const listener of listeners.get(message.name as EventName) ?? []) {
        // One faulty listener must not keep the event from the others.
        try {
          listener(message.payload);
        } catch (error) {
          console.error(`listener for ${message.name} failed`, error);
        }
      }
    }
  };

  const receiveAudio = (data: ArrayBuffer) => {
    if (data.byteLength !== AUDIO_PACKET_BYTES) return;
    const channel = streams.get(new DataView(data).getUint16(0, true));
    // In place: the samples start 2 bytes in, so they are aligned for an Int16Array view.
    channel?.deliver(new Int16Array(data, AUDIO_HEADER_BYTES, AUDIO_FRAME_SAMPLES));
  };

  /** The socket went away, and with it every stream on it. */
  const closeStreams = () => {
    const open = [...streams.values()];
    streams.clear();
    for (const channel of open) channel.finish('disconnected');
  };

  const transmit = (packet: ArrayBuffer): boolean => {
    if (!socket || socket.readyState !== OPEN || socket.bufferedAmount > MIC_BACKLOG_BYTES) return false;
    socket.send(packet);
    return true;
  };

  /** Sends a frame that is not a command (audio.open/close) and waits for its result like one. */
  const request = (build: (id: number) => string): Promise<Result<unknown>> => {
    if (!token) {
      return Promise.resolve(
        failure('unauthorized', 'This page was opened without the access token the web host printed.'),
      );
    }
    if (state.kind === 'refused') return Promise.resolve(refusedFailure());
    return new Promise((resolve) => {
      const id = nextId++;
      const entry: Pending = {
        resolve,
        frame: build(id),
        sent: false,
        timer: env.setTimeout(
          () => settle(id, failure('unavailable', 'The engine cannot be reached.')),
          QUEUE_WAIT_MS,
        ),
      };
      pending.set(id, entry);
      send(id, entry);
    });
  };

  const cancelRetry = () => {
    if (retryTimer !== null) env.clearTimeout(retryTimer);
    retryTimer = null;
  };

  /** A command that went out may or may not have been carried out; the caller reloads what it shows. */
  const failSent = () => {
    for (const [id, entry] of pending) {
      if (entry.sent) settle(id, failure('unavailable', 'The connection to the engine was lost.'));
    }
  };

  /** Forgets the current socket without reacting to its close; its answers will never come. */
  const dropSocket = () => {
    const current = socket;
    socket = null;
    if (current) {
      current.onopen = current.onclose = current.onerror = current.onmessage = null;
      current.close();
      failSent();
      closeStreams();
    }
  };

  const giveUp = () => {
    cancelRetry();
    dropSocket();
    setState({ kind: 'refused' });
    for (const id of [...pending.keys()]) settle(id, refusedFailure());
  };

  // Runs after a handshake failed: a host that serves its page but refused the socket refused our token.
  const checkRefusal = () => {
    const asked = generation;
    void env.probeHost().then((answers) => {
      // A new token arrived or a socket opened meanwhile: this answer is about the past.
      if (asked !== generation || state.kind !== 'connecting') return;
      refusals = answers ? refusals + 1 : 0;
      if (refusals >= REFUSALS_BEFORE_GIVING_UP) giveUp();
    });
  };

  const connect = () => {
    retryTimer = null;
    if (!token) return;
    const scheme = env.location.protocol === 'https:' ? 'wss' : 'ws';
    const current = env.openSocket(`${scheme}://${env.location.host}/ws?token=${encodeURIComponent(token)}`);
    current.binaryType = 'arraybuffer';
    socket = current;
    let opened = false;
    current.onopen = () => {
      opened = true;
      failures = 0;
      refusals = 0;
      setState({ kind: 'open' });
      for (const [id, entry] of pending) if (!entry.sent) send(id, entry);
    };
    current.onmessage = (event) => dispatch(event.data);
    current.onerror = () => {};
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failSent();
      closeStreams();
      failures += 1;
      setState({ kind: 'connecting', attempt: failures });
      if (!opened) checkRefusal();
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1));
      retryTimer = env.setTimeout(connect, ceiling * (0.8 + 0.4 * env.random()));
    };
  };

  // A new address pasted into the tab: take its token and start over with it.
  env.onHashChange(() => {
    const fresh = tokenFromAddress(env);
    if (!fresh) return;
    if (fresh === token && state.kind === 'open') return;
    token = fresh;
    generation += 1;
    cancelRetry();
    dropSocket();
    failures = 0;
    refusals = 0;
    setState({ kind: 'connecting', attempt: 0 });
    connect();
  });

  connect();

  return {
    kind: 'web',
    invoke<C extends CommandName>(name: C, ...args: CommandArgs<C>): Promise<Result<CommandResult<C>>> {
      return request((id) =>
        JSON.stringify({ type: 'command', id, name, args } satisfies CommandFrame<C>),
      ) as Promise<Result<CommandResult<C>>>;
    },
    async openAudio(callId) {
      const result = await request((id) =>
        JSON.stringify({ type: 'audio.open', id, callId } satisfies AudioOpenFrame),
      );
      if (!result.ok) return result;
      const stream = (result.value as Partial<AudioOpened> | null)?.stream;
      if (typeof stream !== 'number' || !Number.isInteger(stream))
        return failure('internal', 'The web host answered audio.open without a stream.');
      const channel = new SocketAudioChannel(callId, stream, transmit, () => {
        if (streams.get(stream) !== channel) return;
        streams.delete(stream);
        // The answer is not awaited: whatever it says, this side is done with the stream.
        if (socket && socket.readyState === OPEN)
          socket.send(
            JSON.stringify({ type: 'audio.close', id: nextId++, stream } satisfies AudioCloseFrame),
          );
      });
      // An older channel on the same stream number cannot exist: the host never reuses an open number.
      streams.set(stream, channel);
      return { ok: true, value: channel };
    },
    on<E extends EventName>(event: E, listener: EventListener<E>) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => {
        connectionListeners.delete(listener);
      };
    },
  };
}

function refusedFailure(): { ok: false; error: CommandError } {
  return failure(
    'unauthorized',
    'The web host refused this page’s access token: it was restarted, and each start has a new token.',
  );
}

/** The token in the address's `#token=…`, moved to sessionStorage and erased from the address bar. */
function tokenFromAddress(env: BridgeEnvironment): string | null {
  const fragment = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token');
  if (!fromUrl) return null;
  env.sessionStorage.setItem(TOKEN_KEY, fromUrl);
  env.history.replaceState(null, '', `${env.location.pathname}${env.location.search}`);
  return fromUrl;
}

function takeToken(env: BridgeEnvironment): string | null {
  return tokenFromAddress(env) ?? env.sessionStorage.getItem(TOKEN_KEY);
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as { ok?: unknown; error?: unknown };
  if (result.ok === true) return true;
  return result.ok === false && typeof result.error === 'object' && result.error !== null;
}
