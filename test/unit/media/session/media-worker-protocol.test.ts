import { describe, expect, it } from 'vitest';
import { AudioStreamChannel } from '../../../../main/media/session/audio-stream-channel';
import {
  parseHostMessage,
  parseWorkerData,
  parseWorkerMessage,
  pickStreamParams,
  streamParamsProblem,
  type StreamParams,
} from '../../../../main/media/session/media-worker-protocol';

const params: StreamParams = {
  codec: { payloadType: 0, name: 'pcmu', encodingName: 'PCMU', clockRate: 8000, channels: 1 },
  telephoneEvent: { payloadType: 101, clockRate: 8000 },
  remoteRtp: { address: '127.0.0.1', port: 4000 },
  remoteRtcp: { address: '127.0.0.1', port: 4001 },
  rtcpMux: false,
  ptime: 20,
  send: true,
  receive: true,
};

describe('media worker protocol', () => {
  it('reads every host message it defines', () => {
    const allocate = {
      type: 'allocate',
      id: 1,
      callId: 'c',
      bindAddress: '127.0.0.1',
      audio: AudioStreamChannel.create().buffers,
    };
    expect(parseHostMessage(allocate)).toEqual(allocate);
    // The audio stream must be two distinct rings.
    const ring = allocate.audio.speaker;
    expect(parseHostMessage({ ...allocate, audio: { microphone: ring, speaker: ring } })).toBeNull();
    expect(parseHostMessage({ ...allocate, audio: { microphone: ring } })).toBeNull();
    expect(
      parseHostMessage({ ...allocate, audio: { microphone: new ArrayBuffer(8), speaker: ring } }),
    ).toBeNull();
    expect(parseHostMessage({ type: 'start', id: 2, callId: 'c', params })).toEqual({
      type: 'start',
      id: 2,
      callId: 'c',
      params,
    });
    expect(parseHostMessage({ type: 'update', id: 3, callId: 'c', params })?.type).toBe('update');
    expect(parseHostMessage({ type: 'mute', id: 4, callId: 'c', muted: true })).toEqual({
      type: 'mute',
      id: 4,
      callId: 'c',
      muted: true,
    });
    expect(parseHostMessage({ type: 'dtmf', id: 5, callId: 'c', digits: '12#' })?.type).toBe('dtmf');
    expect(parseHostMessage({ type: 'stop', id: 6, callId: 'c' })).toEqual({
      type: 'stop',
      id: 6,
      callId: 'c',
    });
    expect(parseHostMessage({ type: 'shutdown', id: 7 })).toEqual({ type: 'shutdown', id: 7 });
    const reserve = {
      type: 'reserve',
      id: 8,
      reservation: 3,
      bindAddress: '::1',
      audio: AudioStreamChannel.create().buffers,
    };
    expect(parseHostMessage(reserve)).toEqual(reserve);
    // A reservation's audio stream is checked as allocate's is.
    expect(parseHostMessage({ ...reserve, audio: { microphone: ring, speaker: ring } })).toBeNull();
    const claim = { type: 'claim', id: 9, callId: 'c', reservation: 3 };
    expect(parseHostMessage(claim)).toEqual(claim);
    expect(parseHostMessage({ type: 'release', id: 10, reservation: 3 })).toEqual({
      type: 'release',
      id: 10,
      reservation: 3,
    });
  });

  it.each([
    ['not an object', 'start'],
    ['no id', { type: 'stop', callId: 'c' }],
    ['a fractional id', { type: 'stop', id: 1.5, callId: 'c' }],
    ['an empty call id', { type: 'stop', id: 1, callId: '' }],
    ['a huge call id', { type: 'stop', id: 1, callId: 'x'.repeat(257) }],
    ['an unknown type', { type: 'explode', id: 1, callId: 'c' }],
    ['allocate without an audio stream', { type: 'allocate', id: 1, callId: 'c', bindAddress: '127.0.0.1' }],
    ['start without params', { type: 'start', id: 1, callId: 'c' }],
    ['mute with a string', { type: 'mute', id: 1, callId: 'c', muted: 'yes' }],
    ['dtmf without digits', { type: 'dtmf', id: 1, callId: 'c' }],
    ['reserve without an address', { type: 'reserve', id: 1, reservation: 1, audio: {} }],
    ['reserve without an audio stream', { type: 'reserve', id: 1, reservation: 1, bindAddress: '::1' }],
    [
      'reserve with a MessagePort for audio (the old design)',
      { type: 'reserve', id: 1, reservation: 1, bindAddress: '::1', audioPort: {} },
    ],
    ['reserve with a negative reservation', { type: 'reserve', id: 1, reservation: -1, bindAddress: '::1' }],
    ['release without a reservation', { type: 'release', id: 1 }],
    ['claim without a reservation', { type: 'claim', id: 1, callId: 'c' }],
    ['claim without a call', { type: 'claim', id: 1, reservation: 1 }],
  ])('drops a host message with %s', (_name, message) => {
    expect(parseHostMessage(message)).toBeNull();
  });

  it('reads worker replies and events, and drops what does not fit', () => {
    expect(parseWorkerMessage({ type: 'ready' })).toEqual({ type: 'ready' });
    const allocated = {
      type: 'reply',
      id: 1,
      result: { ok: true, value: { rtpPort: 5000, rtcpPort: 5001 } },
    };
    expect(parseWorkerMessage(allocated)).toEqual(allocated);
    const failed = {
      type: 'reply',
      id: 2,
      result: { ok: false, error: { code: 'unknown-call', message: 'no' } },
    };
    expect(parseWorkerMessage(failed)).toEqual(failed);
    const dtmf = {
      type: 'event',
      event: { type: 'dtmf', callId: 'c', digit: { digit: '5', durationMs: 100 } },
    };
    expect(parseWorkerMessage(dtmf)).toEqual(dtmf);
    expect(
      parseWorkerMessage({ type: 'reply', id: 3, result: { ok: true, value: { rtpPort: 0, rtcpPort: 1 } } }),
    ).toBeNull();
    expect(parseWorkerMessage({ type: 'reply', id: 3, result: { ok: false } })).toBeNull();
    expect(parseWorkerMessage({ type: 'event', event: { type: 'error', callId: 'c' } })).toBeNull();
    expect(parseWorkerMessage({ type: 'event', event: { type: 'other', callId: 'c' } })).toBeNull();
    expect(parseWorkerMessage(null)).toBeNull();
  });

  it('reads the end of the warm-up and the start data that tunes it', () => {
    expect(parseWorkerMessage({ type: 'warmed', ticks: 1800 })).toEqual({ type: 'warmed', ticks: 1800 });
    expect(parseWorkerMessage({ type: 'warmed', ticks: 4, failure: 'no socket' })).toEqual({
      type: 'warmed',
      ticks: 4,
      failure: 'no socket',
    });
    expect(parseWorkerMessage({ type: 'warmed', ticks: -1 })).toBeNull();
    expect(parseWorkerMessage({ type: 'warmed', ticks: 1.5 })).toBeNull();
    expect(parseWorkerMessage({ type: 'warmed' })).toBeNull();
    expect(parseWorkerData({ warmUpTicks: 0 })).toEqual({ warmUpTicks: 0 });
    expect(parseWorkerData({ warmUpTicks: 300 })).toEqual({ warmUpTicks: 300 });
    expect(parseWorkerData({ warmUpTicks: -5 })).toEqual({});
    expect(parseWorkerData({ warmUpTicks: '300' })).toEqual({});
    expect(parseWorkerData(undefined)).toEqual({});
    expect(parseWorkerData({ warmUpTicks: 300, warmUpDelayMs: 0 })).toEqual({
      warmUpTicks: 300,
      warmUpDelayMs: 0,
    });
    expect(parseWorkerData({ warmUpDelayMs: -1 })).toEqual({});
    expect(parseWorkerData({ warmUpDelayMs: 2.5 })).toEqual({});
  });

  it('accepts negotiated media as stream params and says what is wrong with bad ones', () => {
    expect(streamParamsProblem(params)).toBeNull();
    expect(streamParamsProblem({ ...params, ptime: 30 })).toBe('ptime must be a multiple of 20 ms');
    expect(streamParamsProblem({ ...params, ptime: 140 })).toBe('ptime must be 20-120 ms');
    expect(streamParamsProblem({ ...params, remoteRtp: { address: 'example.com', port: 4000 } })).toBe(
      'remote RTP address must be an IP literal and a port',
    );
    expect(streamParamsProblem({ ...params, remoteRtcp: { address: '::1', port: 70_000 } })).toBe(
      'remote RTCP address must be an IP literal and a port',
    );
    expect(streamParamsProblem({ ...params, codec: { ...params.codec, name: 'g729' } })).toBe(
      'codec g729 is not one of opus, pcmu, pcma',
    );
    expect(streamParamsProblem({ ...params, codec: { ...params.codec, payloadType: 128 } })).toBe(
      'codec payload type must be 0-127',
    );
    expect(streamParamsProblem({ ...params, telephoneEvent: { payloadType: 0, clockRate: 8000 } })).toBe(
      'telephone-event shares the codec payload type',
    );
    expect(streamParamsProblem({ ...params, send: 'yes' })).toBe('send and receive must be booleans');
    expect(streamParamsProblem({ ...params, inactivityTimeoutMs: 0 })).toBe(
      'inactivityTimeoutMs must be positive',
    );
    expect(streamParamsProblem(null)).toBe('params must be an object');
  });

  it('copies only the fields the worker uses', () => {
    const negotiated = { ...params, mediaIndex: 0, heldByRemote: false, extra: () => undefined };
    const picked = pickStreamParams(negotiated);
    expect(picked).toEqual(params);
    expect(Object.keys(picked)).not.toContain('mediaIndex');
    // Structured clone would refuse a function: the picked object crosses the thread boundary.
    expect(structuredClone(picked)).toEqual(params);
  });
});
