import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWavFileSink, readWavFile, readWavFileForCall } from '../../../../main/media/wav/wav-files';
import { parseWav } from '../../../../main/media/wav/wav-reader';
import { WavWriter, wavHeader, type WavSink } from '../../../../main/media/wav/wav-writer';
import { fmtChunk, int16Data, wavFile } from './wav-builder';

/** A file in memory: what a crash would leave is `bytes` at any moment. */
class MemorySink implements WavSink {
  bytes = new Uint8Array(0);
  closed = false;
  failAfter = Infinity;
  writes = 0;

  write(data: Uint8Array, position: number): Promise<void> {
    if (++this.writes > this.failAfter) return Promise.reject(new Error('ENOSPC: no space left on device'));
    if (position + data.length > this.bytes.length) {
      const grown = new Uint8Array(position + data.length);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(data, position);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function ramp(length: number, start = 0): Int16Array {
  return Int16Array.from({ length }, (_, index) => ((start + index) % 2000) - 1000);
}

describe('WavWriter', () => {
  it('writes a 16-bit mono 48 kHz file whose header is exact after close', async () => {
    const sink = new MemorySink();
    const writer = new WavWriter(sink);
    writer.append(ramp(960));
    writer.append(ramp(960, 960));
    expect(await writer.close()).toEqual({ ok: true, value: { samples: 1920 } });
    expect(sink.closed).toBe(true);
    expect(sink.bytes.length).toBe(44 + 3840);
    const view = new DataView(sink.bytes.buffer);
    expect(view.getUint32(4, true)).toBe(36 + 3840);
    expect(view.getUint32(40, true)).toBe(3840);
    const read = parseWav(sink.bytes);
    expect(read).toMatchObject({
      ok: true,
      value: { format: { sampleRate: 48_000, channels: 1 }, truncated: false },
    });
    expect(read.ok && [...read.value.samples]).toEqual([...ramp(1920)]);
  });

  it('leaves a readable file at every moment: open sizes first, exact ones every second', async () => {
    const sink = new MemorySink();
    const writer = new WavWriter(sink, { headerEverySamples: 4800 });
    writer.append(ramp(960));
    await settle();
    // "Died" before the first update: the open sizes let a reader take everything there is.
    expect(new DataView(sink.bytes.buffer).getUint32(40, true)).toBe(0xffffffff);
    expect(parseWav(sink.bytes)).toMatchObject({
      ok: true,
      value: { truncated: false, samples: { length: 960 } },
    });
    for (let frame = 1; frame < 7; frame++) writer.append(ramp(960, frame * 960));
    await settle();
    // After 5 frames (4800 samples) the header was made exact; the 2 frames after it are beyond what it declares.
    expect(new DataView(sink.bytes.buffer).getUint32(40, true)).toBe(4800 * 2);
    const strict = parseWav(sink.bytes);
    expect(strict.ok && strict.value.samples.length).toBe(4800);
    await writer.close();
  });

  it('reports a failing sink on close and ignores later appends, never throwing', async () => {
    const sink = new MemorySink();
    sink.failAfter = 2;
    const writer = new WavWriter(sink);
    writer.append(ramp(960));
    writer.append(ramp(960));
    await settle();
    expect(writer.failure).toBe('ENOSPC: no space left on device');
    writer.append(ramp(960));
    expect(await writer.close()).toEqual({ ok: false, error: 'ENOSPC: no space left on device' });
    expect(sink.closed).toBe(true);
  });

  it('closes once, however often asked', async () => {
    const writer = new WavWriter(new MemorySink());
    const first = writer.close();
    expect(writer.close()).toBe(first);
    writer.append(ramp(10));
    expect(await first).toEqual({ ok: true, value: { samples: 0 } });
  });

  it('writes the canonical header', () => {
    const header = wavHeader(100);
    expect(
      String.fromCharCode(...header.subarray(0, 4), ...header.subarray(8, 16), ...header.subarray(36, 40)),
    ).toBe('RIFFWAVEfmt data');
    const view = new DataView(header.buffer);
    expect([
      view.getUint16(20, true),
      view.getUint16(22, true),
      view.getUint32(24, true),
      view.getUint16(34, true),
    ]).toEqual([1, 1, 48_000, 16]);
  });
});

describe('WAV files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('round-trips through a real file, and reads a file for a call at 48 kHz', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wav-'));
    const path = join(dir, 'out.wav');
    const sink = await createWavFileSink(path);
    if (!sink.ok) throw new Error(sink.error);
    const writer = new WavWriter(sink.value);
    writer.append(ramp(4800));
    expect(await writer.close()).toEqual({ ok: true, value: { samples: 4800 } });
    expect(readFileSync(path).length).toBe(44 + 9600);
    const read = await readWavFile(path);
    expect(read.ok && [...read.value.samples]).toEqual([...ramp(4800)]);
    const forCall = await readWavFileForCall(path);
    expect(forCall.ok && forCall.value.length).toBe(4800);
  });

  it('answers a missing file, a directory, a file over the limit and an unwritable path as errors', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wav-'));
    expect(await readWavFile(join(dir, 'missing.wav'))).toMatchObject({
      ok: false,
      error: { reason: 'unreadable' },
    });
    expect(await readWavFile(dir)).toMatchObject({ ok: false, error: { reason: 'unreadable' } });
    const path = join(dir, 'big.wav');
    const sink = await createWavFileSink(path);
    if (!sink.ok) throw new Error(sink.error);
    await sink.value.write(wavFile([fmtChunk(), int16Data([1, 2, 3])]), 0);
    await sink.value.close();
    expect(await readWavFile(path, 10)).toMatchObject({ ok: false, error: { reason: 'too-large' } });
    expect(await createWavFileSink(join(dir, 'no', 'such', 'dir.wav'))).toMatchObject({ ok: false });
  });
});
