// The main thread's side of the media worker: the API the engine signals media through (allocate ports, start with
// the negotiated media, update on re-INVITE, mute, DTMF, stop) and the events it hears back (quality every 2 s, DTMF
// received, RTP inactivity, a call's media failing). One worker serves every call and is started on first use.
//
// If the worker dies (an uncaught error, an out-of-memory kill), every call it carried gets an `error` event with
// `worker-crashed`, every request in flight is answered with the same failure, and the next `allocate` starts a
// fresh worker; `restart()` does so at once. A single call's failure is reported for that call only (the worker
// keeps running the others).
//
// Replies are Results: nothing here throws at the caller for a media failure.
//
// Port pool: binding a call's sockets costs a round trip to the worker thread before the SDP can be written, which
// was most of the time from dial to INVITE. So the host keeps a few pairs bound ahead in the worker, per bind
// address (port-pool.ts keeps the book), each with its call's audio stream (two shared-memory rings) already handed
// over: `allocate` takes one and answers its ports at once. The worker hears of it (`claim`) with the call's first
// command (its `start`, as a rule; the worker's messages are handled in order) or as soon as someone takes the call's
// audio stream (`audioPort`), so as a rule no thread wakes for the pool while the call is on its way to the ACK; a
// call that ends before either releases the pair instead. The fresh pair that replaces it is asked for once the
// call's setup is over (its stream starts or it ends), at once only when no pair is left. With no pair ready (the
// first call on an address, or calls faster than the refill) `allocate` binds as before. Pairs are bound fresh for
// each call and close with it; the pool is emptied on close and on a crash.
import { existsSync } from 'node:fs';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { err, type Result } from '../../contract/result';
import { SystemClock, type Clock, type TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { AudioStreamChannel } from './audio-stream-channel';
import { PortPool } from './port-pool';
import {
  MAX_DTMF_DIGITS,
  parseWorkerMessage,
  pickStreamParams,
  type AllocatedPorts,
  type HostMessage,
  type MediaEvent,
  type MediaFailure,
  type MediaWorkerData,
  type ReplyValue,
  type StreamParams,
} from './media-worker-protocol';

/** What the host needs of a worker thread; node's Worker fits, tests pass a fake. */
export interface WorkerLike {
  postMessage(message: HostMessage, transfer?: readonly TransferListItem[]): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  terminate(): Promise<number>;
}

export interface MediaWorkerHostOptions {
  /** Where the worker's module is; default `defaultMediaWorkerUrl()`. */
  readonly workerUrl?: URL;
  /**
   * Maps the worker module's URL before a worker starts on it. A packaged Electron app passes `asarUnpackedUrl`:
   * the module sits in app.asar, and node's worker_threads start a worker from the unpacked copy beside it.
   */
  readonly resolveWorkerUrl?: (url: URL) => URL;
  /** How a worker is made; default a node Worker on `workerUrl` (after `resolveWorkerUrl`). */
  readonly createWorker?: () => WorkerLike;
  readonly logger?: Logger;
  /** For the shutdown grace period only; default the system clock. */
  readonly clock?: Clock;
  /** Port pairs kept bound ahead of calls per bind address; default 2, 0 turns the pool off, at most 8. */
  readonly portPoolSize?: number;
  /**
   * Ticks of the synthetic call each new worker runs to warm its per-packet code (warm-up.ts; DEFAULT_WARM_UP_TICKS
   * is the measured choice, and what the engine and the CLI ask for). Default 0: off, as tests of other things want.
   */
  readonly warmUpTicks?: number;
  /** How long after its start a worker begins the warm-up; default the worker's WARM_UP_DELAY_MS (tests: 0). */
  readonly warmUpDelayMs?: number;
}

const DEFAULT_PORT_POOL_SIZE = 2;
const MAX_PORT_POOL_SIZE = 8;
/** Bind addresses pooled at once (an account's address, a direct call's, IPv4 and IPv6). */
const POOLED_ADDRESSES = 2;

/**
 * How long ending a worker (close, restart) waits for it to answer `shutdown`, which it does once its calls have
 * stopped and every socket is closed, before terminating it regardless.
 */
export const SHUTDOWN_GRACE_MS = 1_000;

/** Why a request in flight failed when the worker went away. */
type Pending = (result: Result<ReplyValue, MediaFailure>) => void;

interface HostedCall {
  /** The call's audio stream in shared memory. */
  readonly audio: AudioStreamChannel;
  readonly worker: WorkerLike;
  /** The bind address whose pool this call took a pair from and has not refilled yet (see `#setUpDone`). */
  refill?: string;
  /** The pooled pair the worker has not been told is this call's yet (see `#claimPending`). */
  claim?: number;
}

/**
 * The worker module for this build. From TypeScript sources (vitest, tsx) this module's URL ends in `.ts` and the
 * bootstrap beside it registers tsx in the worker. In a bundle (electron-vite's main build, the compiled CLI) the
 * worker is the `media-worker` entry at the top of the output folder, and this code sits in that folder's entry
 * file or one level down in a shared chunk.
 */
export function defaultMediaWorkerUrl(moduleUrl: string = import.meta.url): URL {
  if (moduleUrl.endsWith('.ts')) return new URL('./media-worker-bootstrap.mjs', moduleUrl);
  const candidates = ['./media-worker.mjs', './media-worker.js', '../media-worker.mjs', '../media-worker.js'];
  for (const candidate of candidates) {
    const url = new URL(candidate, moduleUrl);
    if (existsSync(url)) return url;
  }
  return new URL(candidates[0]!, moduleUrl);
}

/**
 * The same file in the folder electron-builder unpacks an asar archive's `asarUnpack` files to: the first path
 * segment that names an archive (`…/resources/app.asar/out/main/media-worker.js`) gets `.unpacked` appended. Electron
 * serves files inside app.asar to its own patched fs, but a worker thread's module and everything the worker
 * resolves from it (its chunks, the Opus package's wasm) must be real files, so they are unpacked at packaging time
 * (electron-builder.config.ts). A URL with no archive segment comes back unchanged.
 */
export function asarUnpackedUrl(url: URL): URL {
  if (url.protocol !== 'file:') return url;
  const segments = url.pathname.split('/');
  const archive = segments.findIndex((segment) => segment.toLowerCase().endsWith('.asar'));
  if (archive < 0) return url;
  segments[archive] = `${segments[archive]!}.unpacked`;
  const unpacked = new URL(url.href);
  unpacked.pathname = segments.join('/');
  return unpacked;
}

function failure(code: MediaFailure['code'], message: string): Result<never, MediaFailure> {
  return err({ code, message });
}

export class MediaWorkerHost {
  readonly #createWorker: () => WorkerLike;
  readonly #workerUrl: URL;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  readonly #calls = new Map<string, HostedCall>();
  readonly #pending = new Map<number, { readonly worker: WorkerLike; readonly settle: Pending }>();
  readonly #listeners = new Set<(event: MediaEvent) => void>();
  #worker: WorkerLike | undefined;
  readonly #pool: PortPool;
  /** Each pooled pair's audio stream, by reservation, from `reserve` until claimed or dropped. */
  readonly #pooledAudio = new Map<number, AudioStreamChannel>();
  /** Waiting for the current worker's start-up warm-up (see `warmedUp`), and whether it has finished. */
  #warmWaiters: (() => void)[] = [];
  #warm = false;
  #nextId = 1;
  #nextReservation = 1;
  #closed = false;
  #crashes = 0;
  /** Workers whose thread has exited (nothing left to shut down). */
  readonly #exited = new WeakSet<WorkerLike>();
  /** Workers being ended: the id of the `shutdown` they were sent, and what their answer (or exit) lets go. */
  readonly #stopping = new Map<WorkerLike, { readonly id: number; readonly answered: () => void }>();
  /** Threads being ended, for `close()` to wait on. */
  readonly #ending = new Set<Promise<void>>();

  constructor(options: MediaWorkerHostOptions = {}) {
    const located = options.workerUrl ?? defaultMediaWorkerUrl();
    const url = options.resolveWorkerUrl ? options.resolveWorkerUrl(located) : located;
    this.#workerUrl = url;
    const workerData: MediaWorkerData = {
      warmUpTicks: Math.max(0, Math.floor(options.warmUpTicks ?? 0)),
      ...(options.warmUpDelayMs === undefined
        ? {}
        : { warmUpDelayMs: Math.max(0, Math.floor(options.warmUpDelayMs)) }),
    };
    this.#createWorker = options.createWorker ?? (() => new Worker(url, { workerData }));
    this.#logger = options.logger;
    this.#clock = options.clock ?? new SystemClock();
    const size = Math.min(options.portPoolSize ?? DEFAULT_PORT_POOL_SIZE, MAX_PORT_POOL_SIZE);
    this.#pool = new PortPool({ size, maxAddresses: POOLED_ADDRESSES });
  }

  /** The module a default worker starts on: `workerUrl` after `resolveWorkerUrl`. */
  get workerUrl(): URL {
    return this.#workerUrl;
  }

  /** How many times a worker has died under this host. */
  get crashes(): number {
    return this.#crashes;
  }

  /** Calls the host is carrying media for. */
  get callIds(): readonly string[] {
    return [...this.#calls.keys()];
  }

  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Binds the call's RTP and RTCP sockets on `bindAddress` (an IP literal) in the worker and creates its audio
   * stream port; answers the ports to write into the SDP. A pair from the port pool is answered without waiting for
   * the worker.
   */
  async allocate(callId: string, bindAddress: string): Promise<Result<AllocatedPorts, MediaFailure>> {
    if (this.#closed) return failure('worker-closed', 'the media worker host is closed');
    if (this.#calls.has(callId)) return failure('duplicate-call', `call ${callId} already has media`);
    const worker = this.#ensureWorker();
    const pooled = this.#pool.take(bindAddress);
    if (pooled !== undefined) {
      const audio = this.#pooledAudio.get(pooled.reservation);
      this.#pooledAudio.delete(pooled.reservation);
      if (audio !== undefined) {
        const call: HostedCall = { audio, worker, claim: pooled.reservation };
        this.#calls.set(callId, call);
        if (this.#pool.readyCount(bindAddress) === 0) this.#refill(bindAddress);
        else call.refill = bindAddress;
        return { ok: true, value: pooled.ports };
      }
      this.#release(worker, pooled.reservation);
    }
    const audio = AudioStreamChannel.create();
    this.#calls.set(callId, { audio, worker });
    // Shared memory is shared by postMessage, not copied or transferred. The refill is asked for after the allocate,
    // so the worker binds this call's pair first.
    const allocating = this.#request(worker, (id) => ({
      type: 'allocate',
      id,
      callId,
      bindAddress,
      audio: audio.buffers,
    }));
    this.#refill(bindAddress);
    const result = await allocating;
    if (!result.ok) {
      this.#forget(callId);
      return result;
    }
    if (result.value === null) return failure('stream-failed', 'the worker answered no ports');
    return { ok: true, value: result.value };
  }

  /**
   * Fills the port pool for `bindAddress` ahead of the first call there (each call refills it anyway); nothing
   * when the pool is off or the host closed.
   */
  prepare(bindAddress: string): void {
    if (this.#closed || !this.#pool.enabled) return;
    this.#ensureWorker();
    this.#refill(bindAddress);
  }

  /** Pairs of the port pool ready for `bindAddress` now, and being bound. */
  pooledPorts(bindAddress: string): { readonly ready: number; readonly binding: number } {
    return { ready: this.#pool.readyCount(bindAddress), binding: this.#pool.bindingCount(bindAddress) };
  }

  /**
   * The call's audio stream (audio-stream-channel.ts; read and written through one AudioStreamEndpoint), from
   * allocate until stop. It closes when the call's media stops, fails or loses its worker.
   */
  audioPort(callId: string): AudioStreamChannel | undefined {
    const call = this.#calls.get(callId);
    // Someone means to use the call's audio now, so the worker hears that a pooled pair is this call's (it would with
    // the call's first command anyway); frames written meanwhile wait in the bounded rings either way.
    if (call !== undefined) this.#claimPending(callId, call);
    return call?.audio;
  }

  start(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>> {
    const started = this.#callRequest(callId, (id) => ({
      type: 'start',
      id,
      callId,
      params: pickStreamParams(params),
    }));
    this.#setUpDone(this.#calls.get(callId));
    return started;
  }

  update(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>> {
    return this.#callRequest(callId, (id) => ({
      type: 'update',
      id,
      callId,
      params: pickStreamParams(params),
    }));
  }

  setMuted(callId: string, muted: boolean): Promise<Result<null, MediaFailure>> {
    return this.#callRequest(callId, (id) => ({ type: 'mute', id, callId, muted }));
  }

  sendDtmf(callId: string, digits: string): Promise<Result<null, MediaFailure>> {
    if (digits.length > MAX_DTMF_DIGITS) {
      return Promise.resolve(failure('invalid-params', `at most ${MAX_DTMF_DIGITS} DTMF digits at once`));
    }
    return this.#callRequest(callId, (id) => ({ type: 'dtmf', id, callId, digits }));
  }

  /** Stops the call's media and releases its ports; its audio stream closes. */
  async stop(callId: string): Promise<Result<null, MediaFailure>> {
    const call = this.#calls.get(callId);
    if (call === undefined) return failure('unknown-call', `no media for call ${callId}`);
    const unclaimed = call.claim;
    call.claim = undefined;
    this.#forget(callId);
    if (unclaimed !== undefined) {
      // The worker never made a stream of the pooled pair: it only has to close it.
      this.#release(call.worker, unclaimed);
      return { ok: true, value: null };
    }
    return this.#toNull(await this.#request(call.worker, (id) => ({ type: 'stop', id, callId })));
  }

  /**
   * Ends the current worker (its calls get `worker-closed` errors) and starts a fresh one; resolves once the old
   * thread has ended (see `#endThread`).
   */
  async restart(): Promise<void> {
    const worker = this.#worker;
    const ending =
      worker === undefined
        ? undefined
        : this.#retire(worker, 'worker-closed', 'the media worker was restarted');
    if (!this.#closed) this.#ensureWorker();
    await ending;
  }

  /** Stops every call and the worker; resolves once every thread this host started has ended. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (worker !== undefined) await this.#retire(worker, 'worker-closed', 'the media worker host was closed');
    // Workers a restart was still ending.
    await Promise.all([...this.#ending]);
  }

  /**
   * Tells the worker the call's pooled pair is the call's, before the call's first command. A refusal (the pair
   * went away) ends the call's media like any failure.
   */
  #claimPending(callId: string, call: HostedCall): void {
    const reservation = call.claim;
    if (reservation === undefined) return;
    call.claim = undefined;
    const worker = call.worker;
    void this.#request(worker, (id) => ({ type: 'claim', id, callId, reservation })).then((result) => {
      if (result.ok || this.#calls.get(callId)?.worker !== worker) return;
      this.#forget(callId);
      this.#emit({ type: 'error', callId, failure: result.error });
    });
  }

  /** Asks the worker for the pairs `bindAddress` lacks, and releases those of an address the pool gave up. */
  #refill(bindAddress: string): void {
    const worker = this.#worker;
    if (worker === undefined || this.#closed) return;
    const plan = this.#pool.plan(bindAddress, () => this.#nextReservation++);
    for (const reservation of plan.release) this.#release(worker, reservation);
    for (const reservation of plan.reserve) {
      const audio = AudioStreamChannel.create();
      this.#pooledAudio.set(reservation, audio);
      void this.#request(worker, (id) => ({
        type: 'reserve',
        id,
        reservation,
        bindAddress,
        audio: audio.buffers,
      })).then((result) => {
        // A pair of a worker that is gone died with it; the book was cleared then.
        if (worker !== this.#worker) return;
        const ports = result.ok && result.value !== null ? result.value : undefined;
        if (!result.ok) {
          this.#logger?.log('debug', 'media port pool: no pair bound', { bindAddress, ...result.error });
        }
        const settled = this.#pool.settled(bindAddress, reservation, ports);
        if (settled === 'none') this.#dropPooledAudio(reservation);
        else if (settled === 'release' || this.#closed) this.#release(worker, reservation);
      });
    }
  }

  #release(worker: WorkerLike, reservation: number): void {
    this.#dropPooledAudio(reservation);
    void this.#request(worker, (id) => ({ type: 'release', id, reservation }));
  }

  #dropPooledAudio(reservation: number): void {
    this.#pooledAudio.get(reservation)?.close();
    this.#pooledAudio.delete(reservation);
  }

  /**
   * Resolves once the current worker (started now if there is none) has finished its start-up warm-up, or when it
   * goes away first. Calls need not wait for it: the warm-up runs between their ticks. Benchmarks wait, so that
   * what they measure is a call's steady state.
   */
  warmedUp(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#ensureWorker();
    if (this.#warm) return Promise.resolve();
    return new Promise((resolve) => this.#warmWaiters.push(resolve));
  }

  #settleWarm(): void {
    this.#warm = true;
    const waiters = this.#warmWaiters;
    this.#warmWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #ensureWorker(): WorkerLike {
    if (this.#worker !== undefined) return this.#worker;
    const worker = this.#createWorker();
    this.#worker = worker;
    this.#warm = false;
    let lastError: Error | undefined;
    worker.on('message', (raw) => this.#receive(worker, raw));
    worker.on('error', (error) => {
      lastError = error;
      this.#logger?.log('error', 'media worker failed', { error: error.message });
    });
    worker.on('exit', (code) => {
      this.#exited.add(worker);
      this.#stopping.get(worker)?.answered();
      if (this.#worker !== worker) return;
      this.#crashes++;
      const reason = lastError?.message ?? `exit code ${code}`;
      void this.#retire(worker, 'worker-crashed', `the media worker stopped: ${reason}`);
    });
    return worker;
  }

  /** Forgets `worker`: its requests fail, its calls get an error event and lose their ports. */
  async #retire(
    worker: WorkerLike,
    code: 'worker-crashed' | 'worker-closed',
    message: string,
  ): Promise<void> {
    if (this.#worker === worker) {
      this.#worker = undefined;
      // The pooled pairs were that worker's sockets, and their audio streams were shared with it.
      this.#pool.clear();
      for (const audio of this.#pooledAudio.values()) audio.close();
      this.#pooledAudio.clear();
      // Whoever waits for its warm-up waits no more: it will never come from this worker.
      this.#settleWarm();
    }
    for (const [id, pending] of [...this.#pending]) {
      if (pending.worker !== worker) continue;
      this.#pending.delete(id);
      pending.settle(failure(code, message));
    }
    for (const [callId, call] of [...this.#calls]) {
      if (call.worker !== worker) continue;
      this.#forget(callId);
      this.#emit({ type: 'error', callId, failure: { code, message } });
    }
    const ending = this.#endThread(worker);
    this.#ending.add(ending);
    await ending;
    this.#ending.delete(ending);
  }

  /**
   * Ends `worker`'s thread, the one way every path (close, restart, a crash) does it. Node aborts the whole process
   * when a datagram reaches a socket of a worker being terminated (socket-ledger.ts says how), so a live worker is
   * first sent `shutdown`: it stops its calls and the warm-up and answers once every socket it had is closed. It is
   * terminated on that answer, or after SHUTDOWN_GRACE_MS if it does not answer (a thread stuck in a loop receives
   * nothing while stuck), or at once when its thread has exited already.
   */
  async #endThread(worker: WorkerLike): Promise<void> {
    if (!this.#exited.has(worker)) {
      const id = this.#nextId++;
      let timer: TimerHandle | undefined;
      const outcome = await new Promise<'answered' | 'timed-out'>((settle) => {
        this.#stopping.set(worker, { id, answered: () => settle('answered') });
        timer = this.#clock.setTimer(SHUTDOWN_GRACE_MS, () => settle('timed-out'));
        try {
          worker.postMessage({ type: 'shutdown', id });
        } catch {
          settle('answered');
        }
      });
      this.#clock.clearTimer(timer);
      this.#stopping.delete(worker);
      if (outcome === 'timed-out') {
        // Terminated with its sockets possibly open: the one case left where a datagram could abort the process.
        this.#logger?.log('warn', 'media worker did not answer the shutdown in time: terminated', {
          graceMs: SHUTDOWN_GRACE_MS,
        });
      }
    }
    await worker.terminate().catch(() => undefined);
  }

  #forget(callId: string): void {
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    this.#calls.delete(callId);
    call.audio.close();
    this.#setUpDone(call);
  }

  /** The call's setup is over (its stream starts, or it ends): the pool gets back the pair the call took. */
  #setUpDone(call: HostedCall | undefined): void {
    const address = call?.refill;
    if (call === undefined || address === undefined) return;
    call.refill = undefined;
    this.#refill(address);
  }

  async #callRequest(
    callId: string,
    build: (id: number) => HostMessage,
  ): Promise<Result<null, MediaFailure>> {
    const call = this.#calls.get(callId);
    if (call === undefined) return failure('unknown-call', `no media for call ${callId}`);
    this.#claimPending(callId, call);
    return this.#toNull(await this.#request(call.worker, build));
  }

  #toNull(result: Result<ReplyValue, MediaFailure>): Result<null, MediaFailure> {
    return result.ok ? { ok: true, value: null } : result;
  }

  #request(
    worker: WorkerLike,
    build: (id: number) => HostMessage,
    transfer: readonly TransferListItem[] = [],
  ): Promise<Result<ReplyValue, MediaFailure>> {
    if (worker !== this.#worker)
      return Promise.resolve(failure('worker-crashed', 'the media worker is gone'));
    const id = this.#nextId++;
    return new Promise((settle) => {
      this.#pending.set(id, { worker, settle });
      try {
        worker.postMessage(build(id), transfer);
      } catch (error) {
        this.#pending.delete(id);
        settle(failure('worker-crashed', error instanceof Error ? error.message : String(error)));
      }
    });
  }

  #receive(worker: WorkerLike, raw: unknown): void {
    const stopping = this.#stopping.get(worker);
    if (stopping !== undefined) {
      const answer = parseWorkerMessage(raw);
      if (answer?.type === 'reply' && answer.id === stopping.id) stopping.answered();
      return;
    }
    if (worker !== this.#worker) return;
    const message = parseWorkerMessage(raw);
    if (message === null) {
      this.#logger?.log('warn', 'media worker sent a message outside the protocol');
      return;
    }
    if (message.type === 'warmed') {
      // An early end (no loopback UDP, the budget spent) costs nothing but a colder first call: debug, not a warning.
      if (message.failure === undefined) {
        this.#logger?.log('debug', 'media worker warmed up', { ticks: message.ticks });
      } else {
        this.#logger?.log('debug', 'media worker warm-up ended early', {
          ticks: message.ticks,
          failure: message.failure,
        });
      }
      this.#settleWarm();
      return;
    }
    if (message.type === 'reply') {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      pending.settle(message.result);
      return;
    }
    if (message.type === 'event') {
      const event = message.event;
      if (!this.#calls.has(event.callId)) return;
      // A call's media that failed in the worker is gone there: its port goes too.
      if (event.type === 'error') this.#forget(event.callId);
      this.#emit(event);
    }
  }

  #emit(event: MediaEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#logger?.log('error', 'media event listener failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
