// The messages between the engine's main thread and the media worker (node:worker_threads). Structured clone carries
// them, so they are plain data; each side still checks what it receives with the parsers below, because a message
// that does not fit is a bug to log and drop, not something to trust and crash on. Audio never travels here: each
// call has its own audio stream in shared memory (audio-stream-channel.ts), whose buffers `allocate` (or `reserve`) hands over.
//
//   main thread                               worker
//   allocate(callId, bindAddress, audio) ──►  binds RTP + RTCP sockets, keeps the call's audio stream
//        ◄── reply { rtpPort, rtcpPort }
//   reserve(reservation, bindAddress, audio) ► binds a pair ahead of any call and holds it with an audio stream (the
//        ◄── reply { rtpPort, rtcpPort }        host's port pool)
//   claim(callId, reservation)         ──►   the held pair and stream become the call's: no round trip before the SDP
//   release(reservation)               ──►   closes a held pair no call will take
//   start / update(callId, params)     ──►   codec, jitter buffer, RTP session; 20 ms ticks run
//   mute / dtmf / stop                 ──►
//        ◄── reply (ok or a MediaFailure), matched by id
//        ◄── event: quality every 2 s, dtmf received, inactive, error (the call's media stopped)
import { isIP } from 'node:net';
import type { Result } from '../../contract/result';
import type { CodecName } from '../../sdp/codecs';
import { AudioStreamChannel, type AudioStreamBuffers } from './audio-stream-channel';
import type { NegotiatedMedia } from '../../sdp/negotiated-media';
import type { DtmfDigit, StreamQuality } from '../media-seams';

/** What `start` and `update` need of the negotiated media: `NegotiatedMedia` itself fits. */
export type StreamParams = Pick<
  NegotiatedMedia,
  'codec' | 'telephoneEvent' | 'remoteRtp' | 'remoteRtcp' | 'rtcpMux' | 'ptime' | 'send' | 'receive'
> & {
  /** No RTP for this long while receiving → an `inactive` event (the call decides to hang up). Default 30 s. */
  readonly inactivityTimeoutMs?: number;
};

export type MediaFailureCode =
  | 'unknown-call'
  | 'duplicate-call'
  | 'bind-failed'
  | 'invalid-params'
  | 'codec-unavailable'
  | 'not-started'
  | 'already-started'
  | 'no-telephone-event'
  | 'stream-failed'
  | 'worker-crashed'
  | 'worker-closed'
  /** A `reserve` beyond the worker's bound on held pairs (MAX_RESERVED_PAIRS). */
  | 'pool-full'
  /** A `claim` or `release` of a pair the worker does not hold. */
  | 'unknown-reservation';

export interface MediaFailure {
  readonly code: MediaFailureCode;
  readonly message: string;
}

export interface AllocatedPorts {
  readonly rtpPort: number;
  readonly rtcpPort: number;
}

/** Counters of the stream itself, beside the RTP/jitter figures of StreamQuality. */
export interface StreamCounters {
  /** Microphone frames sent while the stream's ring was full (the oldest dropped). */
  readonly inputDropped: number;
  /** Microphone frames of the wrong size, ignored: always 0 since frames travel through shared memory, which
   *  takes whole frames only (kept so the counters' readers need no change). */
  readonly inputMalformed: number;
  /** Ticks that found no microphone frame and sent silence. */
  readonly inputUnderruns: number;
  /** Ticks the worker ran a whole period late, and ticks given up after a long stall. */
  readonly lateTicks: number;
  readonly skippedTicks: number;
}

export type MediaEvent =
  | {
      readonly type: 'quality';
      readonly callId: string;
      readonly quality: StreamQuality;
      readonly counters: StreamCounters;
    }
  | { readonly type: 'dtmf'; readonly callId: string; readonly digit: DtmfDigit }
  | { readonly type: 'inactive'; readonly callId: string; readonly silentMs: number }
  /** The call's media has stopped for good; its ports are released. Other calls are not affected. */
  | { readonly type: 'error'; readonly callId: string; readonly failure: MediaFailure };

export type HostMessage =
  | {
      readonly type: 'allocate';
      readonly id: number;
      readonly callId: string;
      readonly bindAddress: string;
      readonly audio: AudioStreamBuffers;
    }
  | {
      readonly type: 'reserve';
      readonly id: number;
      readonly reservation: number;
      readonly bindAddress: string;
      /** The audio stream of the call that will claim the pair, made ahead too (it costs two rings). */
      readonly audio: AudioStreamBuffers;
    }
  | { readonly type: 'claim'; readonly id: number; readonly callId: string; readonly reservation: number }
  | { readonly type: 'release'; readonly id: number; readonly reservation: number }
  | { readonly type: 'start'; readonly id: number; readonly callId: string; readonly params: StreamParams }
  | { readonly type: 'update'; readonly id: number; readonly callId: string; readonly params: StreamParams }
  | { readonly type: 'mute'; readonly id: number; readonly callId: string; readonly muted: boolean }
  | { readonly type: 'dtmf'; readonly id: number; readonly callId: string; readonly digits: string }
  | { readonly type: 'stop'; readonly id: number; readonly callId: string }
  | { readonly type: 'shutdown'; readonly id: number };

export type ReplyValue = AllocatedPorts | null;

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly id: number; readonly result: Result<ReplyValue, MediaFailure> }
  | { readonly type: 'event'; readonly event: MediaEvent }
  /** The start-up warm-up (warm-up.ts) has finished: its ticks, and why it stopped early if it did. */
  | { readonly type: 'warmed'; readonly ticks: number; readonly failure?: string };

/** RFC 4733 §3.2 events 0-15: the digits a call can send or report. */
export const DTMF_DIGITS = /^[0-9*#A-D]+$/;
export const MAX_DTMF_DIGITS = 64;
/** Port pairs a worker holds bound ahead of calls at most, whatever its host asks (habit 11). */
export const MAX_RESERVED_PAIRS = 16;
const MAX_CALL_ID_LENGTH = 256;
const CODEC_NAMES: readonly CodecName[] = ['opus', 'pcmu', 'pcma'];
const FRAME_MS = 20;
const MAX_PTIME = 120;

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCallId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CALL_ID_LENGTH;
}

function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffff;
}

function isPayloadType(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 127;
}

function isClockRate(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 8000 && value <= 192_000;
}

function isTransportAddress(value: unknown): boolean {
  return (
    isRecord(value) && typeof value.address === 'string' && isIP(value.address) !== 0 && isPort(value.port)
  );
}

/** Why `params` cannot drive a stream, or null when it can. */
export function streamParamsProblem(params: unknown): string | null {
  if (!isRecord(params)) return 'params must be an object';
  const codec = params.codec;
  if (!isRecord(codec)) return 'codec missing';
  if (!isPayloadType(codec.payloadType)) return 'codec payload type must be 0-127';
  if (typeof codec.name !== 'string' || !CODEC_NAMES.includes(codec.name as CodecName)) {
    return `codec ${String(codec.name)} is not one of ${CODEC_NAMES.join(', ')}`;
  }
  if (!isClockRate(codec.clockRate)) return 'codec clock rate out of range';
  if (codec.fmtp !== undefined && typeof codec.fmtp !== 'string') return 'codec fmtp must be text';
  const events = params.telephoneEvent;
  if (events !== undefined) {
    if (!isRecord(events) || !isPayloadType(events.payloadType) || !isClockRate(events.clockRate)) {
      return 'telephone-event needs a payload type and a clock rate';
    }
    if (events.payloadType === codec.payloadType) return 'telephone-event shares the codec payload type';
  }
  if (!isTransportAddress(params.remoteRtp)) return 'remote RTP address must be an IP literal and a port';
  if (!isTransportAddress(params.remoteRtcp)) return 'remote RTCP address must be an IP literal and a port';
  if (typeof params.rtcpMux !== 'boolean') return 'rtcpMux must be a boolean';
  const ptime = params.ptime;
  if (typeof ptime !== 'number' || !Number.isInteger(ptime) || ptime < FRAME_MS || ptime > MAX_PTIME) {
    return `ptime must be ${FRAME_MS}-${MAX_PTIME} ms`;
  }
  if (ptime % FRAME_MS !== 0) return `ptime must be a multiple of ${FRAME_MS} ms`;
  if (typeof params.send !== 'boolean' || typeof params.receive !== 'boolean') {
    return 'send and receive must be booleans';
  }
  const inactivity = params.inactivityTimeoutMs;
  if (inactivity !== undefined && !(typeof inactivity === 'number' && inactivity > 0)) {
    return 'inactivityTimeoutMs must be positive';
  }
  return null;
}

/**
 * Only the fields the worker uses, so a caller passing a whole NegotiatedMedia does not clone the rest (and the
 * worker never sees fields it does not check).
 */
export function pickStreamParams(params: StreamParams): StreamParams {
  const { codec, telephoneEvent, remoteRtp, remoteRtcp, rtcpMux, ptime, send, receive, inactivityTimeoutMs } =
    params;
  return {
    codec: {
      payloadType: codec.payloadType,
      name: codec.name,
      encodingName: codec.encodingName,
      clockRate: codec.clockRate,
      channels: codec.channels,
      ...(codec.fmtp === undefined ? {} : { fmtp: codec.fmtp }),
    },
    ...(telephoneEvent === undefined
      ? {}
      : { telephoneEvent: { payloadType: telephoneEvent.payloadType, clockRate: telephoneEvent.clockRate } }),
    remoteRtp: { address: remoteRtp.address, port: remoteRtp.port },
    remoteRtcp: { address: remoteRtcp.address, port: remoteRtcp.port },
    rtcpMux,
    ptime,
    send,
    receive,
    ...(inactivityTimeoutMs === undefined ? {} : { inactivityTimeoutMs }),
  };
}

/** A message from the main thread, or null when it does not fit the protocol. */
export function parseHostMessage(value: unknown): HostMessage | null {
  if (!isRecord(value) || !isRequestId(value.id)) return null;
  const id = value.id;
  if (value.type === 'shutdown') return { type: 'shutdown', id };
  if (value.type === 'reserve' || value.type === 'release') {
    const reservation = value.reservation;
    if (!isRequestId(reservation)) return null;
    if (value.type === 'release') return { type: 'release', id, reservation };
    if (typeof value.bindAddress !== 'string' || AudioStreamChannel.over(value.audio) === null) return null;
    return {
      type: 'reserve',
      id,
      reservation,
      bindAddress: value.bindAddress,
      audio: value.audio as AudioStreamBuffers,
    };
  }
  const callId = value.callId;
  if (!isCallId(callId)) return null;
  switch (value.type) {
    case 'allocate':
      if (typeof value.bindAddress !== 'string' || AudioStreamChannel.over(value.audio) === null) return null;
      return {
        type: 'allocate',
        id,
        callId,
        bindAddress: value.bindAddress,
        audio: value.audio as AudioStreamBuffers,
      };
    case 'claim':
      if (!isRequestId(value.reservation)) return null;
      return { type: 'claim', id, callId, reservation: value.reservation };
    case 'start':
    case 'update':
      // The params are checked by the worker, which answers a precise `invalid-params` instead of dropping.
      if (!isRecord(value.params)) return null;
      return { type: value.type, id, callId, params: value.params as unknown as StreamParams };
    case 'mute':
      if (typeof value.muted !== 'boolean') return null;
      return { type: 'mute', id, callId, muted: value.muted };
    case 'dtmf':
      if (typeof value.digits !== 'string') return null;
      return { type: 'dtmf', id, callId, digits: value.digits };
    case 'stop':
      return { type: 'stop', id, callId };
    default:
      return null;
  }
}

function isFailure(value: unknown): value is MediaFailure {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

function isReplyResult(value: unknown): value is Result<ReplyValue, MediaFailure> {
  if (!isRecord(value)) return false;
  if (value.ok === false) return isFailure(value.error);
  if (value.ok !== true) return false;
  const reply = value.value;
  return reply === null || (isRecord(reply) && isPort(reply.rtpPort) && isPort(reply.rtcpPort));
}

function isEvent(value: unknown): value is MediaEvent {
  if (!isRecord(value) || !isCallId(value.callId)) return false;
  switch (value.type) {
    case 'quality':
      return isRecord(value.quality) && isRecord(value.counters);
    case 'dtmf':
      return isRecord(value.digit) && typeof value.digit.digit === 'string';
    case 'inactive':
      return typeof value.silentMs === 'number';
    case 'error':
      return isFailure(value.failure);
    default:
      return false;
  }
}

/** A message from the worker, or null when it does not fit the protocol. */
export function parseWorkerMessage(value: unknown): WorkerMessage | null {
  if (!isRecord(value)) return null;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'reply':
      return isRequestId(value.id) && isReplyResult(value.result)
        ? { type: 'reply', id: value.id, result: value.result }
        : null;
    case 'event':
      return isEvent(value.event) ? { type: 'event', event: value.event } : null;
    case 'warmed':
      if (typeof value.ticks !== 'number' || !Number.isInteger(value.ticks) || value.ticks < 0) return null;
      return typeof value.failure === 'string'
        ? { type: 'warmed', ticks: value.ticks, failure: value.failure }
        : { type: 'warmed', ticks: value.ticks };
    default:
      return null;
  }
}

/**
 * Ticks of the start-up warm-up's G.711 round (warm-up.ts says what was measured). Here rather than in warm-up.ts so
 * that the engine can ask for it without loading the warm-up's code into the main thread.
 */
export const DEFAULT_WARM_UP_TICKS = 1500;

/** What the host hands a new worker at its start (`workerData`). */
export interface MediaWorkerData {
  /** Ticks per codec of the start-up warm-up (warm-up.ts); absent or 0: none. */
  readonly warmUpTicks?: number;
  /** How long after `ready` the warm-up starts; absent: WARM_UP_DELAY_MS (tests start it at once). */
  readonly warmUpDelayMs?: number;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** The worker's start data as it arrived; anything unexpected is ignored (the defaults apply). */
export function parseWorkerData(raw: unknown): MediaWorkerData {
  if (typeof raw !== 'object' || raw === null) return {};
  const { warmUpTicks, warmUpDelayMs } = raw as { warmUpTicks?: unknown; warmUpDelayMs?: unknown };
  return {
    ...(isCount(warmUpTicks) ? { warmUpTicks } : {}),
    ...(isCount(warmUpDelayMs) ? { warmUpDelayMs } : {}),
  };
}
