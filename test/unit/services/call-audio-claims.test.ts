import { afterEach, describe, expect, it } from 'vitest';
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
