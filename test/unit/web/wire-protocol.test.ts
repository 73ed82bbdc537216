import { describe, expect, it } from 'vitest';
import { AUDIO_PACKET_BYTES } from '../../../main/contract/audio-stream';
import {
  audioClosedFrame,
  audioPacket,
  eventFrame,
  parseAudioPacket,
  parseClientFrame,
  resultFrame,
} from '../../../main/web/wire-protocol';

describe('parseClientFrame', () => {
  it('reads a command frame', () => {
    expect(parseClientFrame('{"type":"command","id":3,"name":"accounts.delete","args":["a1"]}')).toEqual({
      kind: 'command',
      id: 3,
      name: 'accounts.delete',
      args: ['a1'],
    });
  });

  it('treats absent args as none', () => {
    expect(parseClientFrame('{"type":"command","id":0,"name":"app.info"}')).toMatchObject({
      kind: 'command',
      args: [],
    });
  });

  it.each([
    ['not JSON', '{"type":'],
    ['an array', '[1,2]'],
    ['a string', '"command"'],
    ['null', 'null'],
    ['no id', '{"type":"command","name":"app.info","args":[]}'],
    ['a string id', '{"type":"command","id":"1","name":"app.info","args":[]}'],
    ['a negative id', '{"type":"command","id":-1,"name":"app.info","args":[]}'],
    ['a fractional id', '{"type":"command","id":1.5,"name":"app.info","args":[]}'],
    ['an unsafe id', '{"type":"command","id":9007199254740993,"name":"app.info","args":[]}'],
  ])('closes on %s', (_what, text) => {
    expect(parseClientFrame(text)).toMatchObject({ kind: 'close', code: 1008 });
  });

  it.each([
    ['another type', '{"type":"event","id":1,"name":"app.info","args":[]}', 'type'],
    ['a numeric name', '{"type":"command","id":1,"name":5,"args":[]}', 'name'],
    ['object args', '{"type":"command","id":1,"name":"app.info","args":{}}', 'args'],
  ])('answers an error for %s when the id is usable', (_what, text, word) => {
    const parsed = parseClientFrame(text);
    expect(parsed).toMatchObject({ kind: 'reject', id: 1, error: { code: 'invalid-argument' } });
    if (parsed.kind === 'reject') expect(parsed.error.message).toContain(word);
  });

  it('ignores a __proto__ key rather than polluting anything', () => {
    const parsed = parseClientFrame(
      '{"type":"command","id":1,"name":"app.info","args":[],"__proto__":{"x":1}}',
    );
    expect(parsed.kind).toBe('command');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('server frames', () => {
  it('shapes results and events', () => {
    expect(resultFrame(2, { ok: true, value: null })).toEqual({
      type: 'result',
      id: 2,
      result: { ok: true, value: null },
    });
    expect(eventFrame('dialpad.open', { uri: 'sip:bob@example.com' })).toEqual({
      type: 'event',
      name: 'dialpad.open',
      payload: { uri: 'sip:bob@example.com' },
    });
  });
});

describe('audio frames', () => {
  it('parses audio.open and audio.close, rejecting bad call ids and stream numbers', () => {
    expect(parseClientFrame('{"type":"audio.open","id":3,"callId":"c1"}')).toEqual({
      kind: 'audio-open',
      id: 3,
      callId: 'c1',
    });
    expect(parseClientFrame('{"type":"audio.close","id":4,"stream":65535}')).toEqual({
      kind: 'audio-close',
      id: 4,
      stream: 65535,
    });
    for (const bad of [
      '{"type":"audio.open","id":5}',
      '{"type":"audio.open","id":5,"callId":""}',
      '{"type":"audio.open","id":5,"callId":7}',
      `{"type":"audio.open","id":5,"callId":"${'x'.repeat(1000)}"}`,
      '{"type":"audio.close","id":5,"stream":0}',
      '{"type":"audio.close","id":5,"stream":65536}',
      '{"type":"audio.close","id":5,"stream":1.5}',
      '{"type":"audio.close","id":5,"stream":"1"}',
    ])
      expect(parseClientFrame(bad)).toMatchObject({
        kind: 'reject',
        id: 5,
        error: { code: 'invalid-argument' },
      });
  });

  it('lays a frame out as a little-endian stream number and samples, and reads it back in place', () => {
    const frame = new Int16Array(960).fill(-2);
    frame[959] = 0x1234;
    const packet = audioPacket(0x0102, frame);
    expect(packet.byteLength).toBe(AUDIO_PACKET_BYTES);
    expect([...packet.subarray(0, 4)]).toEqual([0x02, 0x01, 0xfe, 0xff]);
    const parsed = parseAudioPacket(packet);
    expect(parsed?.stream).toBe(0x0102);
    expect(parsed?.payload.byteOffset).toBe(packet.byteOffset + 2);
    expect(parsed?.payload.byteLength).toBe(1920);
    expect([...(parsed?.payload.subarray(1918) ?? [])]).toEqual([0x34, 0x12]);
  });

  it('refuses a frame of another length or for stream 0', () => {
    expect(parseAudioPacket(new Uint8Array(AUDIO_PACKET_BYTES - 1))).toBeNull();
    expect(parseAudioPacket(new Uint8Array(AUDIO_PACKET_BYTES + 1))).toBeNull();
    expect(parseAudioPacket(new Uint8Array(0))).toBeNull();
    expect(parseAudioPacket(new Uint8Array(AUDIO_PACKET_BYTES))).toBeNull();
    expect(audioClosedFrame(3, 'ended')).toEqual({ type: 'audio.closed', stream: 3, reason: 'ended' });
  });
});
