// The engine's media port: a call's MediaPort over the media worker (main/media/session). The factory binds the
// call's RTP and RTCP sockets in the worker first, so the SDP we write names ports that exist, then wraps ua/call's
// SdpMediaPort for the offer/answer half and maps its start/update/stop onto the worker's. ua/call never imports
// media/ (the lint layer map); this file, in services/, is where the two meet.
//
//   call ──createOffer/createAnswer/acceptAnswer──► SdpMediaPort (SDP text, o= versions, rollback)
//   call ──start/update/stop──► WorkerMediaPort ──start/update/stop(StreamParams)──► MediaWorkerHost ──► worker
//   worker ──quality / dtmf / inactive / error──► MediaWorkerHost ──► WorkerMediaPort.on(...) ──► CLI, engine
//
// The call's stream control is fire-and-forget (MediaPort's start/update/stop return nothing): the worker answers
// each with a Result, and a refusal becomes the port's `failed` event, which its owner turns into a hang-up.
import type { Result } from '../contract/result';
import type { DtmfDigit, StreamQuality } from '../media/media-seams';
import type { AudioStreamChannel } from '../media/session/audio-stream-channel';
import { AudioStreamEndpoint } from '../media/session/audio-stream-endpoint';
import type {
  AllocatedPorts,
  MediaEvent,
  MediaFailure,
  StreamCounters,
  StreamParams,
} from '../media/session/media-worker-protocol';
import { pickStreamParams } from '../media/session/media-worker-protocol';
import type { Logger } from '../platform/logger';
import type { Random } from '../platform/random';
import type { CodecName } from '../sdp/codecs';
import type { NegotiatedMedia } from '../sdp/negotiated-media';
import type { SdpError } from '../sdp/sdp-error';
import { Listeners } from '../ua/call/call-events';
import type {
  LocalAnswer,
  LocalMediaOptions,
  MediaPort,
  MediaPortFactory,
  MediaPortRequest,
} from '../ua/call/media-port';
import { SdpMediaPort } from '../ua/call/sdp-media-port';

/** What the port needs of the media worker's host; MediaWorkerHost fits, the unit tests pass a fake. */
export interface MediaWorker {
  allocate(callId: string, bindAddress: string): Promise<Result<AllocatedPorts, MediaFailure>>;
  audioPort(callId: string): AudioStreamChannel | undefined;
  start(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>>;
  update(callId: string, params: StreamParams): Promise<Result<null, MediaFailure>>;
  setMuted(callId: string, muted: boolean): Promise<Result<null, MediaFailure>>;
  sendDtmf(callId: string, digits: string): Promise<Result<null, MediaFailure>>;
  stop(callId: string): Promise<Result<null, MediaFailure>>;
  onEvent(listener: (event: MediaEvent) => void): () => void;
  /** Binds ports for calls on `bindAddress` ahead of the first one (MediaWorkerHost's port pool); optional. */
  prepare?(bindAddress: string): void;
}

/** A media worker its owner closes when done (MediaWorkerHost). */
export interface ClosableMediaWorker extends MediaWorker {
  close(): Promise<void> | void;
  /**
   * Starts the worker now if it has not started, and resolves once it has warmed its per-packet code up (or can
   * no longer). Optional: a worker without a warm-up has nothing to prepare.
   */
  warmedUp?(): Promise<void>;
}

/** What a call's media reports; payloads as the worker sends them. */
export interface WorkerMediaPortEvents {
  /** Every 2 s while the stream runs. */
  readonly quality: { readonly quality: StreamQuality; readonly counters: StreamCounters };
  /** An RFC 4733 digit the far end sent. */
  readonly dtmf: DtmfDigit;
  /** No RTP for the inactivity timeout while we expect some (once per silence). */
  readonly inactive: { readonly silentMs: number };
  /**
   * The call's media cannot go on: the worker refused a start or update, or the stream (or the whole worker)
   * failed. The port's sockets are gone; its owner should hang the call up.
   */
  readonly failed: MediaFailure;
}

export interface WorkerMediaPortOptions {
  readonly worker: MediaWorker;
  readonly random: Random;
  /** The IP literal the call's sockets bind to, which the SDP names (c=); per call, e.g. the account's address. */
  readonly bindAddress: (request: MediaPortRequest) => string;
  /** The codec order to offer and answer with; the SDP layer's default order when absent. */
  readonly codecs?: (request: MediaPortRequest) => readonly CodecName[] | undefined;
  /** No RTP for this long while receiving → `inactive`; the worker's default (30 s) when absent. */
  readonly inactivityTimeoutMs?: number;
  /**
   * Called with each new port after its sockets are bound and before the call can start its stream: the place to
   * attach a WAV player and recorder so they begin at the stream's first tick.
   */
  readonly onPort?: (port: WorkerMediaPort) => void;
  readonly logger?: Logger;
}

/**
 * One call's media in the worker. The SDP half is delegated to `SdpMediaPort`; the rest is the worker's stream,
 * its audio port and its events.
 */
export class WorkerMediaPort implements MediaPort {
  /** The call's own id (`Call.id`), also the key of its stream in the worker. */
  readonly id: string;
  readonly request: MediaPortRequest;
  readonly ports: AllocatedPorts;
  readonly #worker: MediaWorker;
  readonly #sdp: SdpMediaPort;
  readonly #listeners = new Listeners<WorkerMediaPortEvents>();
  readonly #inactivityTimeoutMs: number | undefined;
  readonly #logger: Logger | undefined;
  readonly #release: () => void;
  #stream: AudioStreamEndpoint | undefined;
  #started = false;
  #stopped = false;
  #failed = false;
  #muted = false;
  /** The hold wish of our offer in flight, until its answer or a rollback. */
  #offeredHold: boolean | undefined;
  /** We hold the call in the session as last agreed. */
  #localHold = false;

  constructor(init: {
    readonly request: MediaPortRequest;
    readonly ports: AllocatedPorts;
    readonly worker: MediaWorker;
    readonly sdp: (control: {
      start(m: NegotiatedMedia): void;
      update(m: NegotiatedMedia): void;
    }) => SdpMediaPort;
    readonly inactivityTimeoutMs: number | undefined;
    readonly logger: Logger | undefined;
    readonly release: () => void;
  }) {
    this.id = init.request.callRef;
    this.request = init.request;
    this.ports = init.ports;
    this.#worker = init.worker;
    this.#inactivityTimeoutMs = init.inactivityTimeoutMs;
    this.#logger = init.logger;
    this.#release = init.release;
    this.#sdp = init.sdp({
      start: (media) => this.#signal('start', media),
      update: (media) => this.#signal('update', media),
    });
  }

  /** The stream has been started (the first agreement reached the worker's side) and not stopped. */
  get started(): boolean {
    return this.#started && !this.#stopped;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get muted(): boolean {
    return this.#muted;
  }

  on<K extends keyof WorkerMediaPortEvents>(
    event: K,
    listener: (payload: WorkerMediaPortEvents[K]) => void,
  ): () => void {
    return this.#listeners.on(event, listener);
  }

  /**
   * The call's audio (20 ms frames at 48 kHz, both ways) from its sockets' binding until stop; undefined after.
   * The same endpoint every time, so several consumers (a player and a recorder) share it.
   */
  audioStream(): AudioStreamEndpoint | undefined {
    if (this.#stopped) return undefined;
    if (this.#stream === undefined) {
      const port = this.#worker.audioPort(this.id);
      if (port === undefined) return undefined;
      this.#stream = new AudioStreamEndpoint(port);
    }
    return this.#stream;
  }

  /** Mute sends encoded silence, so the far end's jitter buffer and NAT bindings stay warm. */
  async setMuted(muted: boolean): Promise<Result<null, MediaFailure>> {
    if (this.#stopped) return notRunning(this.id);
    const result = await this.#worker.setMuted(this.id, muted);
    if (result.ok) this.#muted = muted;
    return result;
  }

  /** RFC 4733 digits on the running stream (the telephone-event payload type agreed in SDP). */
  sendDtmf(digits: string): Promise<Result<null, MediaFailure>> {
    if (this.#stopped) return Promise.resolve(notRunning(this.id));
    return this.#worker.sendDtmf(this.id, digits);
  }

  createOffer(options: LocalMediaOptions): string {
    this.#offeredHold = options.hold;
    return this.#sdp.createOffer(options);
  }

  createAnswer(offer: string, options: LocalMediaOptions): Result<LocalAnswer, SdpError> {
    const answer = this.#sdp.createAnswer(offer, options);
    if (answer.ok) {
      this.#localHold = options.hold;
      this.#offeredHold = undefined;
    }
    return answer;
  }

  acceptAnswer(answer: string): Result<NegotiatedMedia, SdpError> {
    const media = this.#sdp.acceptAnswer(answer);
    // A later answer to the same offer (a 2xx after a 183) keeps the same wish, so it is not cleared here.
    if (media.ok && this.#offeredHold !== undefined) this.#localHold = this.#offeredHold;
    return media;
  }

  rollback(): void {
    this.#offeredHold = undefined;
    this.#sdp.rollback();
  }

  start(media: NegotiatedMedia): void {
    this.#sdp.start(media);
  }

  update(media: NegotiatedMedia): void {
    this.#sdp.update(media);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#release();
    void this.#worker.stop(this.id).then((result) => {
      // A stream the worker already dropped (its failure was reported) has nothing left to stop.
      if (!result.ok && result.error.code !== 'unknown-call')
        this.#logger?.log('debug', 'media stop refused', { call: this.id, ...result.error });
    });
  }

  /** An event the worker sent for this call. */
  receive(event: MediaEvent): void {
    if (this.#stopped) return;
    switch (event.type) {
      case 'quality':
        this.#listeners.emit('quality', { quality: event.quality, counters: event.counters });
        return;
      case 'dtmf':
        this.#listeners.emit('dtmf', event.digit);
        return;
      case 'inactive':
        this.#listeners.emit('inactive', { silentMs: event.silentMs });
        return;
      case 'error':
        this.#fail(event.failure);
        return;
    }
  }

  #signal(kind: 'start' | 'update', media: NegotiatedMedia): void {
    if (this.#stopped || this.#failed) return;
    // Only what the worker needs crosses the thread boundary (structured clone copies every field it is given).
    const params: StreamParams = {
      ...pickStreamParams(media),
      // RFC 3264 §8.4 lets the holder go on sending (sendonly: music on hold). We have nothing to play on hold, and
      // the held party must not go on hearing our microphone, so while we hold the stream sends nothing.
      send: media.send && !this.#localHold,
      ...(this.#inactivityTimeoutMs === undefined ? {} : { inactivityTimeoutMs: this.#inactivityTimeoutMs }),
    };
    // Early media started the stream already: the 2xx's agreement is an update of it, not a second start.
    const first = kind === 'start' && !this.#started;
    this.#started = true;
    const request = first ? this.#worker.start(this.id, params) : this.#worker.update(this.id, params);
    void request.then((result) => {
      if (!result.ok && !this.#stopped) this.#fail(result.error);
    });
  }

  #fail(failure: MediaFailure): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#logger?.log('warn', 'call media failed', { call: this.id, ...failure });
    this.#listeners.emit('failed', failure);
  }
}

function notRunning(id: string): Result<never, MediaFailure> {
  return { ok: false, error: { code: 'unknown-call', message: `the media of call ${id} has stopped` } };
}

/**
 * Ports over one media worker. `factory` is what `UserAgent.installCalls({ media })` takes; `port(callId)` finds
 * the port of a call by its `Call.id` while it lives.
 */
export class WorkerMediaPorts {
  readonly #options: WorkerMediaPortOptions;
  readonly #ports = new Map<string, WorkerMediaPort>();
  #unsubscribe: (() => void) | undefined;

  constructor(options: WorkerMediaPortOptions) {
    this.#options = options;
  }

  /** The live port of the call with this `Call.id`. */
  port(callId: string): WorkerMediaPort | undefined {
    return this.#ports.get(callId);
  }

  get size(): number {
    return this.#ports.size;
  }

  /** Binds the call's sockets in the worker, then hands back its port; a worker refusal rejects (the call ends). */
  readonly factory: MediaPortFactory = async (request) => {
    const options = this.#options;
    const address = options.bindAddress(request);
    const allocated = await options.worker.allocate(request.callRef, address);
    if (!allocated.ok) throw new Error(`${allocated.error.code}: ${allocated.error.message}`);
    this.#subscribe();
    const codecs = options.codecs?.(request);
    const port = new WorkerMediaPort({
      request,
      ports: allocated.value,
      worker: options.worker,
      sdp: (control) =>
        new SdpMediaPort(
          {
            address: { addressType: address.includes(':') ? 'IP6' : 'IP4', address },
            rtpPort: allocated.value.rtpPort,
            rtcpPort: allocated.value.rtcpPort,
            ...(codecs === undefined ? {} : { codecs }),
          },
          { ...control, stop: () => undefined },
          options.random,
        ),
      inactivityTimeoutMs: options.inactivityTimeoutMs,
      logger: options.logger,
      release: () => this.#forget(request.callRef),
    });
    this.#ports.set(request.callRef, port);
    try {
      options.onPort?.(port);
    } catch (error) {
      options.logger?.log('error', 'media port listener failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return port;
  };

  /** Stops listening to the worker (the ports still live are left to their calls). */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #subscribe(): void {
    if (this.#unsubscribe !== undefined) return;
    this.#unsubscribe = this.#options.worker.onEvent((event) =>
      this.#ports.get(event.callId)?.receive(event),
    );
  }

  #forget(callId: string): void {
    this.#ports.delete(callId);
  }
}
