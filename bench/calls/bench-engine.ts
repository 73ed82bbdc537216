// Our call engine, in-process, as the call benchmarks drive it: the real user agent on loopback UDP, the call
// usage over the media worker's ports (WorkerMediaPorts on a MediaWorkerHost), the system clock. It is built the
// way `softphone call` builds its own (main/cli/system-call-runner.ts) minus the CLI: run in-process, a measurement
// is of the engine and not of Node's start-up or of tsx compiling the sources.
//
// The worker is started before the first call, so its thread can be told apart from the process's other threads
// (the ones that appear while it starts) and its CPU read alone from /proc.
import { readFile } from 'node:fs/promises';
import { SystemClock } from '../../main/platform/clock';
import { silentLogger } from '../../main/platform/logger';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import type { DatagramSocket, SocketFactory } from '../../main/platform/sockets';
import { CryptoRandom } from '../../main/platform/random';
import { MediaWorkerHost } from '../../main/media/session/media-worker-host';
import { DEFAULT_WARM_UP_TICKS } from '../../main/media/session/warm-up';
import { WavPlayer } from '../../main/media/wav/wav-player';
import type { StreamQuality } from '../../main/media/media-seams';
import type { CodecName } from '../../main/sdp/codecs';
import { WorkerMediaPorts } from '../../main/services/worker-media-port';
import { isSipUri, parseUri, type SipUri } from '../../main/sip/message/uri';
import type { Call } from '../../main/ua/call/call';
import type { CallEnd } from '../../main/ua/call/call-state';
import type { CallUsage } from '../../main/ua/call/call-usage';
import { SystemNameResolver } from '../../main/ua/dns-resolver';
import { UserAgent } from '../../main/ua/user-agent';
import { ownThreadIds } from './proc-stat';
import { okCallId, requestCallId } from './sip-trace';

const LOOPBACK = '127.0.0.1';

interface TracedTimes {
  invite?: number;
  ok?: number;
  ack?: number;
  ackOut?: number;
}

/**
 * A datagram seen on the way, with the moment: read later, so the measured path pays only for a push (no text
 * decoding or matching while the call is being set up). `given`/`received` come from the transport's trace hook,
 * `left` from the socket once send() returned.
 */
interface RawTrace {
  readonly step: 'given' | 'received' | 'left';
  readonly at: number;
  readonly bytes: Uint8Array;
}
/** How long a benchmark waits for a call to connect or to end before it gives up on the run. */
const CALL_TIMEOUT_MS = 10_000;

export interface BenchEngineOptions {
  /** The codecs offered, in order (the SDP layer's default order when absent). */
  readonly codecs?: readonly CodecName[];
  /** Record when each INVITE, 2xx and ACK passes the transport (the setup benchmark); off by default. */
  readonly traceTimes?: boolean;
  /** The media worker's start-up warm-up (0: none); default DEFAULT_WARM_UP_TICKS, as the benchmarks measure. */
  readonly warmUpTicks?: number;
}

/** One connected call of the engine. */
export interface BenchCall {
  readonly call: Call;
  /** performance.now() when dial() was called. */
  readonly dialedAt: number;
  /** Wall-clock ms (epoch, µs fraction) when dial() was called, to compare with a peer's log. */
  readonly dialedAtWallMs: number;
  /** performance.now() when the transport was given the INVITE and the ACK (only with `traceTimes`). */
  readonly inviteSentAt: number | undefined;
  readonly ackSentAt: number | undefined;
  /** performance.now() when the UDP socket's send() of the ACK returned: the datagram is with the kernel. */
  readonly ackOutAt: number | undefined;
  /** performance.now() when the transport handed up the 2xx to the INVITE (only with `traceTimes`). */
  readonly okReceivedAt: number | undefined;
  /** The stream's latest quality report (the worker sends one every 2 s), undefined before the first. */
  quality(): StreamQuality | undefined;
  /** Plays `samples` (48 kHz mono) as the call's microphone, paced by the worker's tick; false if no stream. */
  play(samples: Int16Array): boolean;
  /** Hangs up (BYE) and resolves when the call has ended. */
  hangup(): Promise<CallEnd>;
}

/** Wall-clock milliseconds since the epoch, with the monotonic clock's sub-millisecond fraction. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok || !isSipUri(parsed.value)) throw new Error(`not a SIP URI: ${text}`);
  return parsed.value;
}

/**
 * Node's sockets, with a hook told when each datagram's send() has returned: the adapter hands the datagram to the
 * kernel inside send(), so that is when it leaves.
 */
class SendTimedSockets implements SocketFactory {
  readonly #inner = new NodeSocketFactory();
  readonly #onSent: (data: Uint8Array, at: number) => void;

  constructor(onSent: (data: Uint8Array, at: number) => void) {
    this.#onSent = onSent;
  }

  async bindDatagram(address: string, port: number): Promise<DatagramSocket> {
    const socket = await this.#inner.bindDatagram(address, port);
    const onSent = this.#onSent;
    return {
      local: socket.local,
      send(data, toPort, toAddress) {
        socket.send(data, toPort, toAddress);
        onSent(data, performance.now());
      },
      onMessage: (handler) => socket.onMessage(handler),
      onError: (handler) => socket.onError(handler),
      close: () => socket.close(),
    };
  }

  listenStream: SocketFactory['listenStream'] = (address, port) => this.#inner.listenStream(address, port);
  connectStream: SocketFactory['connectStream'] = (address, port, localAddress) =>
    this.#inner.connectStream(address, port, localAddress);
}

export class BenchEngine {
  readonly #ua: UserAgent;
  readonly #usage: CallUsage;
  readonly #worker: MediaWorkerHost;
  readonly #ports: WorkerMediaPorts;
  readonly #workerThreads: readonly number[];
  readonly #traced = new Map<string, TracedTimes>();
  readonly #log: RawTrace[];
  #tracing = false;

  private constructor(init: {
    ua: UserAgent;
    usage: CallUsage;
    worker: MediaWorkerHost;
    ports: WorkerMediaPorts;
    workerThreads: readonly number[];
    log: RawTrace[];
  }) {
    this.#log = init.log;
    this.#ua = init.ua;
    this.#usage = init.usage;
    this.#worker = init.worker;
    this.#ports = init.ports;
    this.#workerThreads = init.workerThreads;
  }

  static async start(options: BenchEngineOptions = {}): Promise<BenchEngine> {
    // libuv's thread pool starts on its first file access: make that happen before the worker's thread is sought.
    await readFile(import.meta.filename);
    const before = new Set(ownThreadIds());
    const worker = new MediaWorkerHost({
      logger: silentLogger,
      warmUpTicks: options.warmUpTicks ?? DEFAULT_WARM_UP_TICKS,
    });
    await worker.restart();
    // What is measured is a call's steady state: the worker's start-up warm-up (when on) has finished.
    await worker.warmedUp();
    const workerThreads = ownThreadIds().filter((tid) => !before.has(tid));
    if (workerThreads.length === 0) throw new Error('the media worker started no thread of its own');
    const clock = new SystemClock();
    const log: RawTrace[] = [];
    const sockets =
      options.traceTimes === true
        ? new SendTimedSockets((bytes, at) => log.push({ step: 'left', at, bytes }))
        : new NodeSocketFactory();
    const ua = await UserAgent.start({
      sockets,
      clock,
      random: new CryptoRandom(),
      logger: silentLogger,
      bindAddress: LOOPBACK,
      port: 0,
      userAgent: 'softphone-bench',
      resolver: new SystemNameResolver(),
    });
    const codecs = options.codecs;
    const ports = new WorkerMediaPorts({
      worker,
      random: new CryptoRandom(),
      bindAddress: () => LOOPBACK,
      codecs: () => codecs,
      logger: silentLogger,
    });
    const usage = ua.installCalls({ media: ports.factory });
    const engine = new BenchEngine({ ua, usage, worker, ports, workerThreads, log });
    if (options.traceTimes === true) engine.#traceTimes();
    return engine;
  }

  /** The media worker's thread ids (one with Node 20; every thread that appeared while the worker started). */
  get workerThreadIds(): readonly number[] {
    return this.#workerThreads;
  }

  #traceTimes(): void {
    this.#tracing = true;
    this.#ua.onTrace((event) => {
      this.#log.push({
        step: event.direction === 'received' ? 'received' : 'given',
        at: performance.now(),
        bytes: event.bytes,
      });
    });
  }

  /** Reads the datagrams logged so far into each call's times, and empties the log. */
  #readLog(): void {
    for (const { step, at, bytes } of this.#log.splice(0)) {
      let key: keyof TracedTimes;
      let callId: string | undefined;
      if (step === 'received') {
        key = 'ok';
        callId = okCallId(bytes);
      } else if (step === 'left') {
        key = 'ackOut';
        callId = requestCallId(bytes, 'ACK');
      } else {
        key = 'invite';
        callId = requestCallId(bytes, 'INVITE');
        if (callId === undefined) {
          key = 'ack';
          callId = requestCallId(bytes, 'ACK');
        }
      }
      if (callId === undefined) continue;
      const times = this.#traced.get(callId) ?? {};
      times[key] ??= at;
      this.#traced.set(callId, times);
    }
  }

  /** Dials `target` and resolves once the call is connected and its ACK has gone out. */
  async dial(target: string): Promise<BenchCall> {
    const uri = sipUri(target);
    const dialedAtWallMs = wallClockMs();
    const dialedAt = performance.now();
    const call = this.#usage.dial(uri);
    const ended = new Promise<CallEnd>((resolve) => call.on('ended', resolve));
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        if (call.state === 'connected') resolve();
        call.on('state', ({ to }) => {
          if (to === 'connected') resolve();
        });
        void ended.then((end) => reject(new Error(`the call to ${target} ended: ${end.reason}`)));
      }),
      `no answer from ${target}`,
    );
    // The ACK of a 2xx is the TU's to send (RFC 3261 §13.2.2.4) and may leave just after the call reports connected.
    const deadline = performance.now() + 1_000;
    while (this.#tracing && call.callId !== undefined) {
      this.#readLog();
      if (this.#traced.get(call.callId)?.ackOut !== undefined) break;
      if (performance.now() > deadline) throw new Error(`no ACK was sent for the call to ${target}`);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    const times = call.callId === undefined ? undefined : this.#traced.get(call.callId);
    if (call.callId !== undefined) this.#traced.delete(call.callId);
    const ports = this.#ports;
    let latest: StreamQuality | undefined;
    ports.port(call.id)?.on('quality', ({ quality }) => (latest = quality));
    return {
      call,
      dialedAt,
      dialedAtWallMs,
      inviteSentAt: times?.invite,
      ackSentAt: times?.ack,
      okReceivedAt: times?.ok,
      ackOutAt: times?.ackOut,
      quality: () => latest,
      play(samples) {
        const stream = ports.port(call.id)?.audioStream();
        if (stream === undefined) return false;
        new WavPlayer(stream, samples).start();
        return true;
      },
      async hangup() {
        call.hangup();
        return withTimeout(ended, `the call to ${target} did not end`);
      },
    };
  }

  async close(): Promise<void> {
    this.#ua.onTrace(undefined);
    await this.#ua.shutdown(2_000);
    this.#ports.close();
    await this.#worker.close();
  }
}
