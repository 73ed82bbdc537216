// A listening post inside the page, for tests and benchmarks of the window's audio: it records what the call's
// microphone source delivers and what the playback worklet plays, side by side on the same AudioContext, so the two
// share one clock (sample i of one channel happened at the same time as sample i of the other).
//
// Installed before the page's own scripts run (page.addInitScript), it wraps AudioNode.prototype.connect and
// notices two connections the window's audio graph makes (renderer/src/lib/audio/web-audio-session.ts):
//   - a MediaStreamAudioSourceNode connecting to anything: the microphone;
//   - an AudioWorkletNode without inputs connecting to the context's destination: the playback worklet.
// Each of those is also connected into a two-channel merger (0 = microphone, 1 = speaker) that a ScriptProcessor
// reads. The product is not changed and does not know; the tap adds nothing to what the call hears.
//
// The tap also counts the web host socket's binary frames each way (the call's 20 ms frames), so a long call can
// show how many frames the window sent and received.
import type { Page } from 'playwright-core';
import type { PcmAudio } from '../../support/audio/wav';

export type TapChannel = 'microphone' | 'speaker';

export interface TapCounters {
  /** Binary frames the page sent on its web host sockets, and received. */
  readonly framesSent: number;
  readonly framesReceived: number;
  /** Sample frames the tap has recorded since start(). */
  readonly recordedFrames: number;
  /** Whether the tap has seen each end of the call's graph on the newest context. */
  readonly microphoneSeen: boolean;
  readonly speakerSeen: boolean;
  /** The newest context's sample rate, 0 before there is one. */
  readonly sampleRate: number;
  /** Contexts the window has built so far (one per attached call). */
  readonly contexts: number;
}

/** What the playback worklet reports when asked (renderer/src/lib/audio/worklet-scope.ts's PlaybackStats). */
export type PlaybackReport = Record<string, unknown>;

// The page side. It is serialised into the page, so it must not use anything from this module's scope; the DOM
// types are not in the Node test project, hence the local shapes.
function pageTap(): void {
  interface NodeLike {
    readonly context: ContextLike;
    readonly numberOfInputs: number;
    connect(destination: unknown, output?: number, input?: number): unknown;
  }
  interface ContextLike {
    readonly sampleRate: number;
    readonly destination: unknown;
    createChannelMerger(inputs: number): NodeLike;
    createScriptProcessor(
      size: number,
      inputs: number,
      outputs: number,
    ): NodeLike & {
      onaudioprocess:
        ((event: { inputBuffer: { getChannelData(channel: number): Float32Array } }) => void) | null;
    };
    createGain(): NodeLike & { gain: { value: number } };
  }
  interface PortLike {
    postMessage(message: unknown): void;
    addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
    removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
    start(): void;
  }
  interface PageScope {
    AudioNode: { prototype: NodeLike };
    MediaStreamAudioSourceNode: abstract new (...args: never[]) => NodeLike;
    AudioWorkletNode: abstract new (...args: never[]) => NodeLike & { port: PortLike };
    WebSocket: {
      prototype: {
        send(this: object, data: unknown): void;
        addEventListener(this: object, type: string, listener: (event: { data: unknown }) => void): void;
      };
    };
    __audioTap?: unknown;
  }
  const scope = globalThis as unknown as PageScope;
  if (scope.__audioTap !== undefined) return;

  interface Tap {
    readonly context: ContextLike;
    readonly merger: NodeLike;
    microphone: boolean;
    speaker: (NodeLike & { port: PortLike }) | null;
  }
  const taps = new Map<ContextLike, Tap>();
  let current: Tap | null = null;
  let recording = false;
  let recordedFrames = 0;
  const chunks: [Float32Array, Float32Array][] = [];
  let framesSent = 0;
  let framesReceived = 0;
  const connect = scope.AudioNode.prototype.connect;

  function tapFor(context: ContextLike): Tap {
    const existing = taps.get(context);
    if (existing) return existing;
    const merger = context.createChannelMerger(2);
    const reader = context.createScriptProcessor(4096, 2, 1);
    const mute = context.createGain();
    mute.gain.value = 0;
    connect.call(merger, reader);
    connect.call(reader, mute);
    // A ScriptProcessor runs only while its output is pulled: lead it, silenced, to the destination.
    connect.call(mute, context.destination);
    const tap: Tap = { context, merger, microphone: false, speaker: null };
    reader.onaudioprocess = (event) => {
      if (!recording || current !== tap) return;
      const microphone = event.inputBuffer.getChannelData(0).slice();
      const speaker = event.inputBuffer.getChannelData(1).slice();
      chunks.push([microphone, speaker]);
      recordedFrames += microphone.length;
    };
    taps.set(context, tap);
    return tap;
  }

  scope.AudioNode.prototype.connect = function (this: NodeLike, destination: unknown, ...rest: number[]) {
    const result = connect.call(this, destination, ...rest);
    // Seen as any object, so each check below narrows it on its own.
    const node = this as object;
    try {
      if (node instanceof scope.MediaStreamAudioSourceNode) {
        const tap = tapFor(node.context);
        connect.call(node, tap.merger, 0, 0);
        tap.microphone = true;
        current = tap;
      }
      if (
        node instanceof scope.AudioWorkletNode &&
        node.numberOfInputs === 0 &&
        destination === node.context.destination
      ) {
        const tap = tapFor(node.context);
        connect.call(node, tap.merger, 0, 1);
        tap.speaker = node;
        current = tap;
      }
    } catch {
      // The tap must never break the window's own graph.
    }
    return result;
  } as typeof connect;

  // Counted from the first send of each socket on (the window opens a call's audio with a command first), with a
  // listener of the tap's own, whichever way the window listens.
  const counted = new WeakSet<object>();
  const send = scope.WebSocket.prototype.send;
  const listen = scope.WebSocket.prototype.addEventListener;
  scope.WebSocket.prototype.send = function (this: object, data: unknown) {
    if (!counted.has(this)) {
      counted.add(this);
      listen.call(this, 'message', (event) => {
        if (typeof event.data !== 'string') framesReceived++;
      });
    }
    if (typeof data !== 'string') framesSent++;
    send.call(this, data);
  };

  /** Base64 of the little-endian 16-bit samples of one channel, from sample `from` on. */
  function encode(channel: 0 | 1, from: number): string {
    const total = chunks.reduce((sum, chunk) => sum + chunk[channel].length, 0);
    const pcm = new Int16Array(Math.max(0, total - from));
    let at = 0;
    let skipped = 0;
    for (const chunk of chunks) {
      const data = chunk[channel];
      for (let index = 0; index < data.length; index++, skipped++) {
        if (skipped < from) continue;
        pcm[at++] = Math.max(-32768, Math.min(32767, Math.round(data[index]! * 32767)));
      }
    }
    const bytes = new Uint8Array(pcm.buffer);
    let text = '';
    for (let index = 0; index < bytes.length; index += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
    }
    return btoa(text);
  }

  scope.__audioTap = {
    start(): void {
      chunks.length = 0;
      recordedFrames = 0;
      recording = true;
    },
    stop(): void {
      recording = false;
    },
    take(channel: 0 | 1, from: number): string {
      return encode(channel, from);
    },
    counters() {
      return {
        framesSent,
        framesReceived,
        recordedFrames,
        microphoneSeen: current?.microphone ?? false,
        speakerSeen: current?.speaker != null,
        sampleRate: current?.context.sampleRate ?? 0,
        contexts: taps.size,
      };
    },
    playbackStats(): Promise<unknown> {
      const node = current?.speaker;
      if (!node) return Promise.resolve(null);
      return new Promise((resolve) => {
        // A worklet that does not answer (a closed context) must not hang the caller.
        const timer = setTimeout(() => resolve(null), 2_000);
        const listener = (event: { data: unknown }) => {
          const data = event.data as { type?: string } | null;
          if (data?.type !== 'stats') return;
          node.port.removeEventListener('message', listener);
          clearTimeout(timer);
          resolve(data);
        };
        node.port.addEventListener('message', listener);
        node.port.start();
        node.port.postMessage({ type: 'stats' });
      });
    },
  };
}

interface TapApi {
  start(): void;
  stop(): void;
  take(channel: 0 | 1, from: number): string;
  counters(): TapCounters;
  playbackStats(): Promise<PlaybackReport | null>;
}

/** The page's view of the tap; install() must run before the page loads the window. */
export class AudioTap {
  constructor(private readonly page: Page) {}

  /** Adds the tap to every document this page loads from now on (reloads too). */
  async install(): Promise<void> {
    // As source text with a stand-in for `__name`: a bundler that keeps function names (tsx does, for the
    // benchmarks) wraps named functions in calls to a helper the page does not have.
    await this.page.addInitScript({
      content: `{ const __name = (target) => target; (${String(pageTap)})(); }`,
    });
  }

  /** Forgets what was recorded and records from now on (on the newest context). */
  start(): Promise<void> {
    return this.page.evaluate(() => (globalThis as unknown as { __audioTap: TapApi }).__audioTap.start());
  }

  stop(): Promise<void> {
    return this.page.evaluate(() => (globalThis as unknown as { __audioTap: TapApi }).__audioTap.stop());
  }

  counters(): Promise<TapCounters> {
    return this.page.evaluate(() => (globalThis as unknown as { __audioTap: TapApi }).__audioTap.counters());
  }

  playbackStats(): Promise<PlaybackReport | null> {
    return this.page.evaluate(() =>
      (globalThis as unknown as { __audioTap: TapApi }).__audioTap.playbackStats(),
    );
  }

  /** One channel of what was recorded since start(), from sample `from` on, as 16-bit mono. */
  async take(channel: TapChannel, from = 0): Promise<PcmAudio> {
    const index = channel === 'microphone' ? 0 : 1;
    const [text, sampleRate] = await this.page.evaluate(
      ({ index, from }) => {
        const tap = (globalThis as unknown as { __audioTap: TapApi }).__audioTap;
        return [tap.take(index, from), tap.counters().sampleRate] as const;
      },
      { index: index as 0 | 1, from },
    );
    const bytes = Buffer.from(text, 'base64');
    const samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2).slice();
    return { sampleRate, channels: 1, samples };
  }

  /** Waits until the tap has recorded `seconds` since start(). */
  async waitForRecorded(seconds: number, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const counters = await this.counters();
      if (counters.sampleRate > 0 && counters.recordedFrames >= seconds * counters.sampleRate) return;
      if (performance.now() > deadline) {
        throw new Error(`the page's audio tap recorded too little: ${JSON.stringify(counters)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
