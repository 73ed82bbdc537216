import { afterEach, describe, expect, it } from 'vitest';
import { AudioStreamEndpoint } from '../../../main/media/session/audio-stream-endpoint';
import { type AudioClaimEnd, CallAudioClaims } from '../../../main/services/call-audio-claims';
import { EventHub } from '../../../main/services/event-hub';
import { call } from '../../support/fake-engine';
import { FakeCallAudio, frameOf } from '../../support/fake-call-audio';

const audios: FakeCallAudio[] = [];
afterEach(() => {
  for (const audio of audios.splice(0)) audio.close();
});

function setUp() {
  const events = new EventHub();
  const streams = new Map<string, FakeCallAudio>();
  const add = (id: string) => {
    const audio = new FakeCallAudio();
    audios.push(audio);
    streams.set(id, audio);
    return audio;
  };
  const claims = new CallAudioClaims({ events, audioPort: (id) => streams.get(id)?.endpoint });
  return { events, claims, add };
}

function consumer() {
  const frames: number[] = [];
  const closes: AudioClaimEnd[] = [];
  return {
    frames,
    closes,
    onFrame: (frame: Int16Array) => frames.push(frame[0] ?? NaN),
    onClose: (reason: AudioClaimEnd) => closes.push(reason),
  };
}

describe('CallAudioClaims', () => {
  it('has nothing to give for a call without audio, or an engine without calls', () => {
    const { claims } = setUp();
    expect(claims.claim('nope', consumer())).toBeNull();
    expect(new CallAudioClaims({ events: new EventHub() }).claim('c1', consumer())).toBeNull();
  });

  it('carries frames both ways while held and listens only then', async () => {
    const { claims, add } = setUp();
    const audio = add('c1');
    const first = consumer();
    const claim = claims.claim('c1', first);
    await audio.until(() => audio.listening);
    audio.speak(7);
    await expect.poll(() => first.frames).toEqual([7]);
    const bytes = new Uint8Array(frameOf(3).buffer);
    claim?.sendFrameBytes(bytes.subarray(0));
    claim?.sendFrame(frameOf(4));
    await audio.until(() => audio.received.length === 2);
    expect(audio.received.map((frame) => frame[0])).toEqual([3, 4]);
    claim?.release();
    await audio.until(() => !audio.listening);
    expect(claims.heldCount).toBe(0);
    expect(first.closes).toEqual([]);
  });

  it('gives the call to the newest consumer and tells the old one it was replaced', async () => {
    const { claims, add } = setUp();
    const audio = add('c1');
    const old = consumer();
    const oldClaim = claims.claim('c1', old);
    const fresh = consumer();
    claims.claim('c1', fresh);
    expect(old.closes).toEqual(['replaced']);
    expect(oldClaim?.held).toBe(false);
    // The worker writes speaker frames only once someone listens (a microtask after the claim).
    await audio.until(() => audio.listening);
    audio.speak(9);
    await expect.poll(() => fresh.frames).toEqual([9]);
    expect(old.frames).toEqual([]);
    // The old consumer's late release must not take the call from the new one.
    oldClaim?.release();
    oldClaim?.sendFrame(frameOf(1));
    expect(claims.heldCount).toBe(1);
    expect(audio.listening).toBe(true);
  });

  it('hands the speaker over without a gap when a new consumer takes the call in the same turn', async () => {
    const { claims, add } = setUp();
    const audio = add('c1');
    const old = consumer();
    claims.claim('c1', old);
    await audio.until(() => audio.listening);
    const fresh = consumer();
    claims.claim('c1', fresh);
    // The old listener left and the new one came before the speaker reader looked again: it never stopped
    // listening, so a frame the worker writes now is not thrown away as stale.
    audio.speak(5);
    await expect.poll(() => fresh.frames).toEqual([5]);
    expect(old.frames).toEqual([]);
    expect(audio.listening).toBe(true);
  });

  it('limits the window to one consumer, while another endpoint on the call (a recorder) hears every frame', async () => {
    const { claims, add } = setUp();
    const audio = add('c1');
    const recorded: number[] = [];
    const recorder = new AudioStreamEndpoint(audio.channel);
    recorder.onFrame((frame) => recorded.push(frame[0] ?? NaN));
    const first = consumer();
    claims.claim('c1', first);
    await audio.until(() => audio.listening);
    audio.speak(1);
    await expect.poll(() => first.frames).toEqual([1]);
    const second = consumer();
    claims.claim('c1', second);
    audio.speak(2);
    await expect.poll(() => second.frames).toEqual([2]);
    // The ring has one reader, shared by both endpoints: neither steals the other's frames.
    expect(recorded).toEqual([1, 2]);
    expect(first.frames).toEqual([1]);
    expect(first.closes).toEqual(['replaced']);
  });

  it('ends the claim when the call ends, and every claim on dispose', () => {
    const { claims, add, events } = setUp();
    add('c1');
    add('c2');
    const one = consumer();
    const two = consumer();
    claims.claim('c1', one);
    claims.claim('c2', two);
    events.emit('call.changed', call({ id: 'c1', state: 'connected' }));
    expect(one.closes).toEqual([]);
    events.emit('call.changed', call({ id: 'c1', state: 'ended' }));
    expect(one.closes).toEqual(['ended']);
    claims.dispose();
    expect(two.closes).toEqual(['disconnected']);
    expect(one.closes).toEqual(['ended']);
    expect(claims.heldCount).toBe(0);
  });
});
