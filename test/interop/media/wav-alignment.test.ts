// `--play` and `--record` share a time origin (issue 7 §7): a WAV file played into a call and the recording of what
// comes back start at the same tick of the media worker, so a round trip through an echoing far end can be read off
// the two files. Here the far end is a UDP reflector on 127.0.0.1 that sends every RTP packet back where it came
// from; the played file is 44.1 kHz stereo, so the reader's downmix and the resampling run too.
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioStreamEndpoint } from '../../../main/media/session/audio-stream-endpoint';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import { createWavFileSink, readWavFile, readWavFileForCall } from '../../../main/media/wav/wav-files';
import { WavPlayer } from '../../../main/media/wav/wav-player';
import { WavRecorder } from '../../../main/media/wav/wav-recorder';
import { WavWriter } from '../../../main/media/wav/wav-writer';
import { pcmuTo, sleep, waitFor } from './support/media-test-kit';

const SOURCE_RATE = 44_100;
const CLICK_AT_MS = 300;

/** 16-bit stereo WAV at 44.1 kHz: silence, a 100 ms 1 kHz burst at 300 ms (left and right), silence to 1 s. */
function clickFile(): Uint8Array {
  const frames = SOURCE_RATE;
  const bytes = new Uint8Array(44 + frames * 4);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, value: string): void =>
    [...value].forEach((char, index) => view.setUint8(offset + index, char.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + frames * 4, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 2, true);
  view.setUint32(24, SOURCE_RATE, true);
  view.setUint32(28, SOURCE_RATE * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, frames * 4, true);
  const start = (CLICK_AT_MS * SOURCE_RATE) / 1000;
  for (let frame = start; frame < start + SOURCE_RATE / 10; frame++) {
    const value = Math.round(12_000 * Math.sin((2 * Math.PI * 1000 * (frame - start)) / SOURCE_RATE));
    view.setInt16(44 + frame * 4, value, true);
    view.setInt16(46 + frame * 4, value, true);
  }
  return bytes;
}

function onsetMs(samples: Int16Array, threshold = 2_000): number {
  const index = samples.findIndex((sample) => Math.abs(sample) > threshold);
  return index < 0 ? Number.NaN : index / 48;
}

describe('WAV play and record on one call', () => {
  let dir: string;
  let reflector: Socket;
  let reflectorPort: number;
  const host = new MediaWorkerHost();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wav-alignment-'));
    reflector = createSocket('udp4');
    reflector.on('message', (data, from) => reflector.send(data, from.port, from.address));
    await new Promise<void>((resolve) => reflector.bind(0, '127.0.0.1', resolve));
    reflectorPort = reflector.address().port;
  });

  afterAll(async () => {
    await host.close();
    await new Promise<void>((resolve) => reflector.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts both files at the same tick, so the echo delay reads off them', async () => {
    const playPath = join(dir, 'click.wav');
    const recordPath = join(dir, 'heard.wav');
    await writeFile(playPath, clickFile());
    const played = await readWavFileForCall(playPath);
    if (!played.ok) throw new Error(played.error.message);
    expect(onsetMs(played.value)).toBeCloseTo(CLICK_AT_MS, 0);

    const allocated = await host.allocate('call', '127.0.0.1');
    expect(allocated.ok).toBe(true);
    const stream = new AudioStreamEndpoint(host.audioPort('call')!);
    const sink = await createWavFileSink(recordPath);
    if (!sink.ok) throw new Error(sink.error);
    const recorder = new WavRecorder(stream, new WavWriter(sink.value));
    let ended = false;
    const player = new WavPlayer(stream, played.value, { onEnded: () => (ended = true) });
    // As the CLI does: both attached once the ports exist, before the stream starts at the call's connection.
    recorder.start();
    player.start();
    expect(await host.start('call', pcmuTo(reflectorPort))).toEqual({ ok: true, value: null });
    await waitFor(() => ended, 5_000);
    await sleep(300);
    expect((await recorder.stop()).ok).toBe(true);
    await host.stop('call');

    const heard = await readWavFile(recordPath);
    if (!heard.ok) throw new Error(heard.error.message);
    expect(heard.value.format).toMatchObject({ sampleRate: 48_000, channels: 1, bitsPerSample: 16 });
    // Silence until the echo came back, then the click.
    const delayMs = onsetMs(heard.value.samples) - onsetMs(played.value);
    console.info(`echo through a UDP reflector read off the --play/--record files: ${delayMs.toFixed(1)} ms`);
    // 20 ms of packetization plus the jitter buffer's delay; far below what a misaligned origin would add.
    expect(delayMs).toBeGreaterThanOrEqual(20);
    expect(delayMs).toBeLessThan(150);
    // The recording covers the played second and the 300 ms after it, one frame per tick.
    expect(heard.value.samples.length / 48).toBeGreaterThan(1_000);
  });
});
