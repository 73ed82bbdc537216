import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import { AudioStreamEndpoint } from '../../../../main/media/session/audio-stream-endpoint';
import {
  FRAME_BYTES,
  frameFromMessage,
  framePortOf,
  isListenMessage,
} from '../../../../main/media/session/frame-port';

function nextMessage(port: MessagePort): Promise<unknown> {
  return new Promise((resolve) => port.once('message', resolve));
}

describe('audio stream port', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const channel of channels.splice(0)) {
      channel.port1.close();
      channel.port2.close();
    }
  });

  function channel(): MessageChannel {
    const created = new MessageChannel();
    channels.push(created);
    return created;
  }

  it('sends a frame given as bytes at any offset, and refuses another length', async () => {
    const { port1: worker, port2: consumer } = channel();
    const endpoint = new AudioStreamEndpoint(consumer);
    // A received WebSocket frame: a 2-byte header, so the samples start at an odd offset of a larger buffer.
    const packet = new Uint8Array(1 + FRAME_BYTES + 1);
    new DataView(packet.buffer).setInt16(1, -2, true);
    const sent = nextMessage(worker);
    endpoint.sendFrameBytes(packet.subarray(1, 1 + FRAME_BYTES));
    const message = await sent;
    expect(message).toBeInstanceOf(ArrayBuffer);
    expect(new Int16Array(message as ArrayBuffer)[0]).toBe(-2);
    expect(() => endpoint.sendFrameBytes(new Uint8Array(FRAME_BYTES - 2))).toThrow(RangeError);
  });

  it('asks for speaker frames with the first listener and stops with the last', async () => {
    const { port1: worker, port2: consumer } = channel();
    const endpoint = new AudioStreamEndpoint(consumer);
    const first = endpoint.onFrame(() => undefined);
    expect(await nextMessage(worker)).toEqual({ type: 'listen', on: true });
    const second = endpoint.onFrame(() => undefined);
    first();
    first();
    second();
    expect(await nextMessage(worker)).toEqual({ type: 'listen', on: false });
  });

  it('carries frames both ways as transferred buffers, and ignores what is not a frame', async () => {
    const { port1, port2 } = channel();
    const endpoint = new AudioStreamEndpoint(port2);
    const worker = framePortOf(port1);
    const received: Int16Array[] = [];
    const heard = new Promise<void>((resolve) =>
      endpoint.onFrame((frame) => {
        received.push(frame);
        resolve();
      }),
    );
    const listen = await nextMessage(port1);
    expect(isListenMessage(listen)).toBe(true);
    port1.postMessage('noise');
    const speaker = new Int16Array(FRAME_SAMPLES).fill(42);
    worker.postFrame(speaker);
    // The worker keeps its own frame: what travelled was a copy.
    expect(speaker[0]).toBe(42);
    await heard;
    expect(received).toHaveLength(1);
    expect(received[0]![FRAME_SAMPLES - 1]).toBe(42);

    const microphone = new Int16Array(FRAME_SAMPLES).fill(-7);
    endpoint.sendFrame(microphone);
    const arrived = await nextMessage(port1);
    expect(arrived).toBeInstanceOf(ArrayBuffer);
    expect(frameFromMessage(arrived)?.[0]).toBe(-7);
    expect(() => endpoint.sendFrame(new Int16Array(10))).toThrow(RangeError);
  });

  it('takes only whole frames from the port', () => {
    expect(frameFromMessage(new ArrayBuffer(FRAME_BYTES))).toHaveLength(FRAME_SAMPLES);
    expect(frameFromMessage(new Int16Array(FRAME_SAMPLES))).toHaveLength(FRAME_SAMPLES);
    expect(frameFromMessage(new ArrayBuffer(FRAME_BYTES - 2))).toBeNull();
    expect(frameFromMessage(new Float32Array(FRAME_SAMPLES))).toBeNull();
    expect(frameFromMessage({ type: 'listen', on: true })).toBeNull();
    expect(isListenMessage({ type: 'listen', on: 'yes' })).toBe(false);
  });
});
