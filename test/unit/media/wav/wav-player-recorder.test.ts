import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../../../../main/media/media-seams';
import type { AudioStream } from '../../../../main/media/session/audio-stream-endpoint';
import { resampleTo48k } from '../../../../main/media/wav/resample';
import { WavPlayer } from '../../../../main/media/wav/wav-player';
import { parseWav } from '../../../../main/media/wav/wav-reader';
import { WavRecorder } from '../../../../main/media/wav/wav-recorder';
import { WavWriter, type WavSink } from '../../../../main/media/wav/wav-writer';

/** The worker's side played by the test: `tick()` consumes one queued frame and posts one speaker frame. */
class FakeStream implements AudioStream {
  readonly queue: Int16Array[] = [];
  readonly sent: Int16Array[] = [];
  readonly #handlers = new Set<(frame: Int16Array) => void>();

  onFrame(handler: (frame: Int16Array) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  sendFrame(frame: Int16Array): void {
    this.queue.push(frame);
  }

  get listeners(): number {
    return this.#handlers.size;
  }

  tick(speaker: Int16Array = new Int16Array(FRAME_SAMPLES)): void {
    const frame = this.queue.shift();
    if (frame !== undefined) this.sent.push(frame);
    this.deliverSpeaker(speaker);
  }

  deliverSpeaker(speaker: Int16Array = new Int16Array(FRAME_SAMPLES)): void {
    for (const handler of [...this.#handlers]) handler(speaker);
  }
}

function numbered(frames: number): Int16Array {
  // Every sample of frame n is n + 1, so frames can be told apart after the trip.
  return Int16Array.from(
    { length: frames * FRAME_SAMPLES },
    (_, index) => Math.floor(index / FRAME_SAMPLES) + 1,
  );
}

describe('WavPlayer', () => {
  it('queues a lead at once, then one frame per worker tick, then ends', () => {
    const stream = new FakeStream();
    let ended = 0;
    const player = new WavPlayer(stream, numbered(25), { leadFrames: 10, onEnded: () => ended++ });
    player.start();
    expect(stream.queue).toHaveLength(10);
    for (let tick = 0; tick < 40; tick++) {
      stream.tick();
      if (tick < 15) expect(stream.queue).toHaveLength(10);
    }
    expect(stream.sent.map((frame) => frame[0])).toEqual([...Array(25).keys()].map((index) => index + 1));
    expect(ended).toBe(1);
    expect(player.ended).toBe(true);
    expect(stream.listeners).toBe(0);
  });

  it('refills after a stall without losing its place', () => {
    const stream = new FakeStream();
    const player = new WavPlayer(stream, numbered(40), { leadFrames: 10 });
    player.start();
    // The worker runs 8 ticks while the main thread is busy: it takes 8 frames of the lead, and its 8 speaker
    // frames wait in the port.
    for (let tick = 0; tick < 8; tick++) stream.sent.push(stream.queue.shift()!);
    expect(stream.queue).toHaveLength(2);
    // The main thread is back: the 8 speaker frames arrive together and the lead is whole again.
    for (let tick = 0; tick < 8; tick++) stream.deliverSpeaker();
    expect(stream.queue).toHaveLength(10);
    for (let tick = 0; tick < 10; tick++) stream.tick();
    expect(stream.sent.map((frame) => frame[0])).toEqual([...Array(18).keys()].map((index) => index + 1));
  });

  it('pads the last frame with silence', () => {
    const stream = new FakeStream();
    new WavPlayer(stream, new Int16Array(FRAME_SAMPLES + 10).fill(5), { leadFrames: 5 }).start();
    expect(stream.queue).toHaveLength(2);
    expect(stream.queue[1]![9]).toBe(5);
    expect(stream.queue[1]![10]).toBe(0);
  });
});

describe('WavRecorder', () => {
  it('writes every speaker frame from its first, silence included, and finishes the file', async () => {
    const stream = new FakeStream();
    const chunks = new Map<number, Uint8Array>();
    const recordingSink: WavSink = {
      write: (data, position) => {
        chunks.set(position, data.slice());
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    const recorder = new WavRecorder(stream, new WavWriter(recordingSink));
    recorder.start();
    stream.tick();
    stream.tick(new Int16Array(FRAME_SAMPLES).fill(1234));
    expect(recorder.frames).toBe(2);
    expect(await recorder.stop()).toEqual({ ok: true, value: { samples: 2 * FRAME_SAMPLES } });
    expect(stream.listeners).toBe(0);
    const file = new Uint8Array(44 + 4 * FRAME_SAMPLES);
    for (const [position, data] of chunks) file.set(data, position);
    const read = parseWav(file);
    expect(read.ok && [read.value.samples[0], read.value.samples[FRAME_SAMPLES]]).toEqual([0, 1234]);
  });
});

/** Share of the energy at `hz` in a 48 kHz signal (Goertzel); 1 for a pure tone. */
function share(samples: Int16Array, hz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / 48_000);
  let previous = 0;
  let beforePrevious = 0;
  let total = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
    total += sample * sample;
  }
  const power =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return (2 * power) / (samples.length * total);
}

function sine(rate: number, hz: number, seconds: number): Int16Array {
  return Int16Array.from({ length: rate * seconds }, (_, index) =>
    Math.round(10_000 * Math.sin((2 * Math.PI * hz * index) / rate)),
  );
}

describe('resampleTo48k', () => {
  it('keeps 48 kHz as it is and scales the length of other rates', () => {
    const samples = Int16Array.from({ length: 441 }, (_, index) => index);
    expect(resampleTo48k(samples, 48_000)).toBe(samples);
    expect(resampleTo48k(samples, 44_100)).toHaveLength(480);
    expect(resampleTo48k(new Int16Array(80), 8000)).toHaveLength(480);
    expect(resampleTo48k(new Int16Array(0), 8000)).toHaveLength(0);
  });

  it.each([8000, 16_000, 22_050, 44_100, 96_000])('keeps a 1 kHz tone a 1 kHz tone from %i Hz', (rate) => {
    const out = resampleTo48k(sine(rate, 1000, 0.5), rate);
    // Away from the filter's start-up at the edges.
    expect(share(out.subarray(2400, out.length - 2400), 1000)).toBeGreaterThan(0.95);
  });
});
