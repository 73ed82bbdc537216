// Shared bits of the real-worker media tests: G.711 stream params between two local ports, tone frames, and a
// measure of how much of a signal is one tone.
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import type { StreamParams } from '../../../../main/media/session/media-worker-protocol';

export function pcmuTo(port: number, overrides: Partial<StreamParams> = {}): StreamParams {
  return {
    codec: { payloadType: 0, name: 'pcmu', encodingName: 'PCMU', clockRate: 8000, channels: 1 },
    telephoneEvent: { payloadType: 101, clockRate: 8000 },
    remoteRtp: { address: '127.0.0.1', port },
    remoteRtcp: { address: '127.0.0.1', port: port + 1 },
    rtcpMux: false,
    ptime: 20,
    send: true,
    receive: true,
    ...overrides,
  };
}

export function tone(samples: number, hz: number, amplitude: number, offset = 0): Int16Array {
  const out = new Int16Array(samples);
  for (let index = 0; index < samples; index++) {
    out[index] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (offset + index)) / 48_000));
  }
  return out;
}

export function frameOfTone(index: number, hz = 1000): Int16Array {
  return tone(FRAME_SAMPLES, hz, 8000, index * FRAME_SAMPLES);
}

export { toneShare } from '../../../support/audio/tone-share';

export function concat(frames: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every 10 ms, for at most `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
