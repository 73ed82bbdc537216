import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWav } from '../../../../main/media/wav/wav-reader';
import { fmtChunk, int16Data, wavFile } from './wav-builder';

function samplesOf(bytes: Uint8Array): number[] {
  const result = parseWav(bytes);
  if (!result.ok) throw new Error(result.error.message);
  return [...result.value.samples];
}

describe('parseWav', () => {
  it('reads 16-bit mono PCM as it is', () => {
    const result = parseWav(
      wavFile([fmtChunk({ sampleRate: 44_100 }), int16Data([0, 1000, -1000, 32767, -32768])]),
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        format: { encoding: 'pcm', channels: 1, sampleRate: 44_100, bitsPerSample: 16 },
        truncated: false,
      },
    });
    expect(result.ok && [...result.value.samples]).toEqual([0, 1000, -1000, 32767, -32768]);
  });

  it('averages stereo down to mono', () => {
    expect(
      samplesOf(wavFile([fmtChunk({ channels: 2 }), int16Data([1000, 3000, -2000, 0, 32767, 32767])])),
    ).toEqual([2000, -1000, 32767]);
  });

  it('reads unsigned 8-bit, 24-bit and 32-bit integer samples', () => {
    const eight = wavFile([fmtChunk({ bitsPerSample: 8 }), { id: 'data', body: Uint8Array.of(128, 255, 0) }]);
    expect(samplesOf(eight)).toEqual([0, 32512, -32768]);
    const twentyFour = wavFile([
      fmtChunk({ bitsPerSample: 24 }),
      // 0x7FFFFF (full scale), 0x800000 (negative full scale), 0x000100 (256 → 1 in 16 bits)
      { id: 'data', body: Uint8Array.of(0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x00, 0x01, 0x00) },
    ]);
    expect(samplesOf(twentyFour)).toEqual([32767, -32768, 1]);
    const thirtyTwo = new Uint8Array(8);
    new DataView(thirtyTwo.buffer).setInt32(0, 0x40000000, true);
    new DataView(thirtyTwo.buffer).setInt32(4, -0x80000000, true);
    expect(samplesOf(wavFile([fmtChunk({ bitsPerSample: 32 }), { id: 'data', body: thirtyTwo }]))).toEqual([
      16384, -32768,
    ]);
  });

  it('reads 32- and 64-bit float, clipping beyond full scale and taking NaN as silence', () => {
    const floats = new Uint8Array(16);
    const view = new DataView(floats.buffer);
    [0.5, -1, 2, Number.NaN].forEach((value, index) => view.setFloat32(index * 4, value, true));
    expect(
      samplesOf(wavFile([fmtChunk({ tag: 3, bitsPerSample: 32 }), { id: 'data', body: floats }])),
    ).toEqual([16384, -32768, 32767, 0]);
    const doubles = new Uint8Array(8);
    new DataView(doubles.buffer).setFloat64(0, -0.25, true);
    expect(
      samplesOf(wavFile([fmtChunk({ tag: 3, bitsPerSample: 64 }), { id: 'data', body: doubles }])),
    ).toEqual([-8192]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a PCM or float sub-format', () => {
    expect(samplesOf(wavFile([fmtChunk({ extensibleOf: 1, channels: 2 }), int16Data([100, 300])]))).toEqual([
      200,
    ]);
    const unknown = fmtChunk({ extensibleOf: 1 });
    unknown.body[30] = 0x99;
    expect(parseWav(wavFile([unknown, int16Data([1])]))).toMatchObject({
      ok: false,
      error: { reason: 'unsupported-encoding' },
    });
  });

  it('skips unknown chunks, odd-sized ones with their pad byte, and chunks in any order', () => {
    const list = { id: 'LIST', body: Uint8Array.of(1, 2, 3) };
    expect(
      samplesOf(wavFile([list, fmtChunk(), { id: 'fact', body: new Uint8Array(4) }, int16Data([5, 6])])),
    ).toEqual([5, 6]);
    expect(samplesOf(wavFile([int16Data([7]), fmtChunk()]))).toEqual([7]);
  });

  it('ignores a RIFF size that disagrees with the file', () => {
    expect(samplesOf(wavFile([fmtChunk(), int16Data([1, 2])], 12))).toEqual([1, 2]);
  });

  it('reads what a truncated file holds and says it was truncated', () => {
    const full = wavFile([fmtChunk(), int16Data([1, 2, 3, 4])]);
    const cut = full.subarray(0, full.length - 3);
    const result = parseWav(cut);
    expect(result).toMatchObject({ ok: true, value: { truncated: true } });
    expect(result.ok && [...result.value.samples]).toEqual([1, 2]);
  });

  it('takes a data size of 0xFFFFFFFF (a streaming writer) as "to the end" without allocating it', () => {
    const result = parseWav(wavFile([fmtChunk(), { ...int16Data([9, 8, 7]), declaredSize: 0xffffffff }]));
    expect(result).toMatchObject({ ok: true, value: { truncated: false } });
    expect(result.ok && [...result.value.samples]).toEqual([9, 8, 7]);
  });

  it('survives huge declared sizes on chunks before the data', () => {
    const liar = { id: 'junk', body: new Uint8Array(4), declaredSize: 0x7fffffff };
    expect(parseWav(wavFile([fmtChunk(), liar, int16Data([1])]))).toMatchObject({
      ok: false,
      error: { reason: 'no-data' },
    });
  });

  it.each([
    ['an empty file', new Uint8Array(0), 'not-riff'],
    ['an RF64 file', Uint8Array.of(0x52, 0x46, 0x36, 0x34, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45), 'not-riff'],
    [
      'a RIFF that is not WAVE',
      Uint8Array.of(0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x41, 0x56, 0x49, 0x20),
      'not-wave',
    ],
    ['no fmt chunk', wavFile([int16Data([1])]), 'no-format'],
    ['no data chunk', wavFile([fmtChunk()]), 'no-data'],
    ['a short fmt chunk', wavFile([{ id: 'fmt ', body: new Uint8Array(10) }, int16Data([1])]), 'bad-format'],
    [
      'a block align that contradicts the channels',
      wavFile([fmtChunk({ channels: 2, blockAlign: 2 }), int16Data([1])]),
      'bad-format',
    ],
    ['zero channels', wavFile([fmtChunk({ channels: 0, blockAlign: 0 }), int16Data([1])]), 'bad-format'],
    ['a sample rate of 0', wavFile([fmtChunk({ sampleRate: 0 }), int16Data([1])]), 'bad-format'],
    [
      'ADPCM',
      wavFile([fmtChunk({ tag: 2, bitsPerSample: 4, blockAlign: 1 }), int16Data([1])]),
      'unsupported-encoding',
    ],
    [
      '12-bit PCM',
      wavFile([fmtChunk({ bitsPerSample: 12, blockAlign: 2 }), int16Data([1])]),
      'unsupported-encoding',
    ],
  ])('refuses %s with a reason', (_name, bytes, reason) => {
    expect(parseWav(bytes)).toMatchObject({ ok: false, error: { reason } });
  });

  it('drops a trailing partial frame and says the data was cut', () => {
    const result = parseWav(wavFile([fmtChunk({ channels: 2 }), int16Data([10, 20, 30])]));
    expect(result).toMatchObject({ ok: true, value: { truncated: true } });
    expect(result.ok && [...result.value.samples]).toEqual([15]);
  });

  it('never throws on random or mutated bytes', () => {
    const valid = wavFile([
      fmtChunk({ channels: 2 }),
      { id: 'LIST', body: Uint8Array.of(1) },
      int16Data([1, 2, 3, 4]),
    ]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length))
            .map(([at, value, cut]) => {
              const copy = valid.slice(0, Math.max(at + 1, cut));
              copy[at] = value;
              return copy;
            }),
        ),
        (bytes) => {
          const result = parseWav(bytes);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { seed: 7, numRuns: 2_000 },
    );
  });
});
