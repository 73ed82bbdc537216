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
import { existsSync } from 'node:fs';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { err, type Result } from '../../contract/result';
import { SystemClock, type Clock, type TimerHandle } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { AudioStreamChannel } from './audio-stream-channel';
import {
  MAX_DTMF_DIGITS,
  parseWorkerMessage,
  pickStreamParams,
  type AllocatedPorts,
  type HostMessage,
  type MediaEvent,
  type MediaFailure,
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
  /** How a worker is made; default a node Worker on `workerUrl`. */
  readonly createWorker?: () => WorkerLike;
  readonly logger?: Logger;
  /** For the shutdown grace period only; default the system clock. */
  readonly clock?: Clock;
}

/** How long `close()` waits for the worker to stop its calls before terminating it. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Why a request in flight failed when the worker went away. */
type Pending = (result: Result<ReplyValue, MediaFailure>) => void;

interface HostedCall {
  /** The call's audio stream in shared memory. */
  readonly audio: AudioStreamChannel;
  readonly worker: WorkerLike;
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

function failure(code: MediaFailure['code'], message: string): Result<never, MediaFailure> {
  return err({ code, message });
}

export class MediaWorkerHost {
  readonly #createWorker: () => WorkerLike;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  readonly #calls = new Map<string, HostedCall>();
  readonly #pending = new Map<number, { readonly worker: WorkerLike; readonly settle: Pending }>();
  readonly #listeners = new Set<(event: MediaEvent) => void>();
  #worker: WorkerLike | undefined;
  #nextId = 1;
  #closed = false;
  #crashes = 0;

  constructor(options: MediaWorkerHostOptions = {}) {
    const url = options.workerUrl ?? defaultMediaWorkerUrl();
    this.#createWorker = options.createWorker ?? (() => new Worker(url));
    this.#logger = options.logger;
    this.#clock = options.clock ?? new SystemClock();
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
   * stream; answers the ports to write into the SDP.
   */
  async allocate(callId: string, bindAddress: string): Promise<Result<AllocatedPorts, MediaFailure>> {
    if (this.#closed) return failure('worker-closed', 'the media worker host is closed');
    if (this.#calls.has(callId)) return failure('duplicate-call', `call ${callId} already has media`);
    const worker = this.#ensureWorker();
    const audio = AudioStreamChannel.create();
    this.#calls.set(callId, { audio, worker });
    // Shared memory is shared by postMessage, not copied or transferred.
    const result = await this.#request(worker, (id) => ({
      type: 'allocate',
      id,
      callId,
      bindAddress,
      audio: audio.buffers,
    }));
    if (!result.ok) {
      this.#forget(callId);
      return result;
    }
    if (result.value === null) return failure('stream-failed', 'the worker answered no ports');
    return { ok: true, value: result.value };
  }

  /**
   * The call's audio stream (audio-stream-channel.ts; read and written through one AudioStreamEndpoint), from
   * allocate until stop. It closes when the call's media stops, fails or loses its worker.
   */
  audioPort(callId: string): AudioStreamChannel | undefined {
    return this.#calls.get(callId)?.audio;
  }

  start(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>> {
    return this.#callRequest(callId, (id) => ({
      type: 'start',
      id,
      callId,
      params: pickStreamParams(params),
    }));
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
    this.#forget(callId);
    return this.#toNull(await this.#request(call.worker, (id) => ({ type: 'stop', id, callId })));
  }

  /** Ends the current worker (its calls get `worker-closed` errors) and starts a fresh one. */
  async restart(): Promise<void> {
    const worker = this.#worker;
    if (worker !== undefined) await this.#retire(worker, 'worker-closed', 'the media worker was restarted');
    if (!this.#closed) this.#ensureWorker();
  }

  /** Stops every call and the worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    // A graceful stop first, so the calls send what they must on the way out; a worker that does not answer in
    // time is terminated anyway.
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.#request(worker, (id) => ({ type: 'shutdown', id })),
      new Promise<void>((resolve) => {
        timer = this.#clock.setTimer(SHUTDOWN_GRACE_MS, resolve);
      }),
    ]);
    this.#clock.clearTimer(timer);
    await this.#retire(worker, 'worker-closed', 'the media worker host was closed');
  }

  #ensureWorker(): WorkerLike {
    if (this.#worker !== undefined) return this.#worker;
    const worker = this.#createWorker();
    this.#worker = worker;
    let lastError: Error | undefined;
    worker.on('message', (raw) => this.#receive(worker, raw));
    worker.on('error', (error) => {
      lastError = error;
      this.#logger?.log('error', 'media worker failed', { error: error.message });
    });
    worker.on('exit', (code) => {
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
    if (this.#worker === worker) this.#worker = undefined;
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
    await worker.terminate().catch(() => undefined);
  }

  #forget(callId: string): void {
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    this.#calls.delete(callId);
    call.audio.close();
  }

  async #callRequest(
    callId: string,
    build: (id: number) => HostMessage,
  ): Promise<Result<null, MediaFailure>> {
    const call = this.#calls.get(callId);
    if (call === undefined) return failure('unknown-call', `no media for call ${callId}`);
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
    if (worker !== this.#worker) return;
    const message = parseWorkerMessage(raw);
    if (message === null) {
      this.#logger?.log('warn', 'media worker sent a message outside the protocol');
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
