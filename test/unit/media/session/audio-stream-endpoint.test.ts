import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import { AudioStreamChannel } from '../../../../main/media/session/audio-stream-channel';
import { AudioStreamEndpoint } from '../../../../main/media/session/audio-stream-endpoint';
import { FRAME_BYTES, framePortOf } from '../../../../main/media/session/frame-port';
import { ManualClock } from '../../../support/manual-clock';

function frameOf(value: number): Int16Array {
  return new Int16Array(FRAME_SAMPLES).fill(value);
}

function setup(): {
  clock: ManualClock;
  channel: AudioStreamChannel;
  endpoint: AudioStreamEndpoint;
  worker: ReturnType<typeof framePortOf>;
} {
  const clock = new ManualClock();
  // The worker's side gets the buffers the way the worker does: through AudioStreamChannel.over.
  const channel = AudioStreamChannel.create();
  const workerChannel = AudioStreamChannel.over(channel.buffers)!;
  return {
    clock,
    channel,
    endpoint: new AudioStreamEndpoint(channel, { clock }),
    worker: framePortOf(workerChannel),
  };
}

describe('audio stream endpoint', () => {
  it('writes a frame given as bytes at any offset into the microphone ring, and refuses another length', () => {
    const { endpoint, worker } = setup();
    // A received WebSocket frame: a 2-byte header, so the samples start at an odd offset of a larger buffer.
    const packet = new Uint8Array(1 + FRAME_BYTES + 1);
    const view = new DataView(packet.buffer);
    view.setInt16(1, -2, true);
    view.setInt16(1 + FRAME_BYTES - 2, 300, true);
    endpoint.sendFrameBytes(packet.subarray(1, 1 + FRAME_BYTES));
    const taken = new Int16Array(FRAME_SAMPLES);
    expect(worker.takeFrame(taken)).toBe(true);
    expect(taken[0]).toBe(-2);
    expect(taken[FRAME_SAMPLES - 1]).toBe(300);
    expect(worker.takeFrame(taken)).toBe(false);
    expect(() => endpoint.sendFrameBytes(new Uint8Array(FRAME_BYTES - 2))).toThrow(RangeError);
  });

  it('drops a frame given as bytes once the stream is closed', () => {
    const { channel, endpoint, worker } = setup();
    channel.close();
    endpoint.sendFrameBytes(new Uint8Array(FRAME_BYTES));
    expect(worker.takeFrame(new Int16Array(FRAME_SAMPLES))).toBe(false);
  });

  it('listens from the first listener to the last, starting after the frames sent in the same turn', async () => {
    const { endpoint, worker } = setup();
    const first = endpoint.onFrame(() => undefined);
    endpoint.sendFrame(frameOf(1));
    // Not yet: a worker tick now would take the frame above and be heard, but nothing is listening this turn.
    expect(worker.listening).toBe(false);
    await Promise.resolve();
    expect(worker.listening).toBe(true);
    const second = endpoint.onFrame(() => undefined);
    first();
    first();
    await Promise.resolve();
    expect(worker.listening).toBe(true);
    second();
    await Promise.resolve();
    expect(worker.listening).toBe(false);
  });

  it('hands every speaker frame to every listener in order, each in a buffer of its own', async () => {
    const { clock, endpoint, worker } = setup();
    const a: Int16Array[] = [];
    const b: Int16Array[] = [];
    endpoint.onFrame((frame) => a.push(frame));
    endpoint.onFrame((frame) => b.push(frame));
    await Promise.resolve();
    const speaker = frameOf(5);
    worker.putFrame(speaker);
    speaker.fill(6);
    worker.putFrame(speaker);
    expect(a).toHaveLength(0);
    clock.advance(20);
    expect(a.map((frame) => frame[0])).toEqual([5, 6]);
    expect(b.map((frame) => frame[FRAME_SAMPLES - 1])).toEqual([5, 6]);
    expect(a[0]).toBe(b[0]);
    expect(a[0]!.buffer).not.toBe(a[1]!.buffer);
    worker.putFrame(frameOf(7));
    clock.advance(20);
    expect(a.map((frame) => frame[0])).toEqual([5, 6, 7]);
  });

  it('hands a frame to the listeners there when its delivery began: one added meanwhile hears from the next', async () => {
    const { clock, endpoint, worker } = setup();
    const heard: string[] = [];
    endpoint.onFrame((frame) => {
      heard.push(`first ${frame[0]}`);
      if (frame[0] === 1) endpoint.onFrame((later) => heard.push(`added ${later[0]}`));
    });
    await Promise.resolve();
    worker.putFrame(frameOf(1));
    worker.putFrame(frameOf(2));
    clock.advance(20);
    // Frame 2 came in the same poll as frame 1, after the listener was added: it hears it.
    expect(heard).toEqual(['first 1', 'first 2', 'added 2']);
  });

  it('still hands the frame being delivered to a listener stopped meanwhile, and nothing after', async () => {
    const { clock, endpoint, worker } = setup();
    const heard: string[] = [];
    let stopSecond = (): void => undefined;
    endpoint.onFrame((frame) => {
      heard.push(`first ${frame[0]}`);
      if (frame[0] === 1) stopSecond();
    });
    stopSecond = endpoint.onFrame((frame) => heard.push(`second ${frame[0]}`));
    const stopThird = endpoint.onFrame((frame) => {
      heard.push(`third ${frame[0]}`);
      stopThird();
    });
    await Promise.resolve();
    worker.putFrame(frameOf(1));
    worker.putFrame(frameOf(2));
    clock.advance(20);
    expect(heard).toEqual(['first 1', 'second 1', 'third 1', 'first 2']);
  });

  it('lets a listener added twice hear every frame twice, until each of its stops is called', async () => {
    const { clock, endpoint, worker } = setup();
    const heard: number[] = [];
    const listener = (frame: Int16Array): void => void heard.push(frame[0]!);
    const stopOne = endpoint.onFrame(listener);
    const stopOther = endpoint.onFrame(listener);
    await Promise.resolve();
    worker.putFrame(frameOf(1));
    clock.advance(20);
    expect(heard).toEqual([1, 1]);
    // One stop, called twice, ends one subscription only.
    stopOne();
    stopOne();
    await Promise.resolve();
    worker.putFrame(frameOf(2));
    clock.advance(20);
    expect(heard).toEqual([1, 1, 2]);
    expect(worker.listening).toBe(true);
    stopOther();
    await Promise.resolve();
    expect(worker.listening).toBe(false);
  });

  it('lets two endpoints on one call both hear every frame (the ring has one reader, shared)', async () => {
    const { clock, channel, endpoint, worker } = setup();
    const other = new AudioStreamEndpoint(channel, { clock });
    const first: number[] = [];
    const second: number[] = [];
    endpoint.onFrame((frame) => first.push(frame[0]!));
    other.onFrame((frame) => second.push(frame[0]!));
    await Promise.resolve();
    for (let index = 0; index < 4; index++) {
      worker.putFrame(frameOf(index));
      clock.advance(20);
    }
    expect(first).toEqual([0, 1, 2, 3]);
    expect(second).toEqual([0, 1, 2, 3]);
  });

  it('stops polling when nobody listens, and a new listener hears only what comes after it', async () => {
    const { clock, endpoint, worker } = setup();
    const heard: number[] = [];
    const stop = endpoint.onFrame((frame) => heard.push(frame[0]!));
    await Promise.resolve();
    worker.putFrame(frameOf(1));
    stop();
    await Promise.resolve();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(100);
    expect(heard).toEqual([]);
    endpoint.onFrame((frame) => heard.push(frame[0]!));
    await Promise.resolve();
    worker.putFrame(frameOf(2));
    clock.advance(20);
    expect(heard).toEqual([2]);
  });

  it('sends microphone frames through the ring, copied, and refuses partial frames', () => {
    const { endpoint, worker } = setup();
    const microphone = frameOf(-7);
    endpoint.sendFrame(microphone);
    microphone.fill(9);
    const taken = new Int16Array(FRAME_SAMPLES);
    expect(worker.takeFrame(taken)).toBe(true);
    expect(taken[0]).toBe(-7);
    expect(worker.takeFrame(taken)).toBe(false);
    expect(() => endpoint.sendFrame(new Int16Array(10))).toThrow(RangeError);
  });

  it('counts frames dropped each way when a side falls behind', async () => {
    const { clock, endpoint, worker } = setup();
    for (let index = 0; index < 30; index++) endpoint.sendFrame(frameOf(index));
    expect(worker.inputDropped).toBe(5);
    const heard: number[] = [];
    endpoint.onFrame((frame) => heard.push(frame[0]!));
    await Promise.resolve();
    // The main thread stalls: the worker puts 27 frames before the next poll, the ring holds 25.
    for (let index = 0; index < 27; index++) worker.putFrame(frameOf(index));
    clock.advance(20);
    expect(heard).toEqual(Array.from({ length: 25 }, (_, index) => index + 2));
    expect(endpoint.droppedFrames).toEqual({ microphone: 5, speaker: 2 });
  });

  it('stops for good once the call has ended, and ignores microphone frames after it', async () => {
    const { clock, channel, endpoint, worker } = setup();
    const heard: number[] = [];
    endpoint.onFrame((frame) => heard.push(frame[0]!));
    await Promise.resolve();
    worker.putFrame(frameOf(3));
    worker.close();
    clock.advance(20);
    expect(heard).toEqual([3]);
    expect(channel.closed).toBe(true);
    clock.advance(100);
    endpoint.sendFrame(frameOf(4));
    expect(channel.microphone.available).toBe(0);
    endpoint.onFrame(() => undefined);
    await Promise.resolve();
    expect(worker.listening).toBe(true);
    expect(clock.advance(100)).toBe(0);
  });
});
