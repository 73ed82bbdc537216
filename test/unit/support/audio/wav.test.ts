import { describe, expect, it } from 'vitest';
import { durationOf, monoFloat, parseWav, serializeWav, WavFormatError } from '../../../support/audio/wav';
import { tone } from '../../../support/audio/signals';

describe('WAV reader and writer', () => {
  it('round-trips 16-bit PCM, mono and stereo', () => {
    for (const channels of [1, 2]) {
      const audio = tone({ frequencyHz: 440, durationS: 0.1, sampleRate: 8000, channels });
      const back = parseWav(serializeWav(audio));
      expect(back.sampleRate).toBe(8000);
      expect(back.channels).toBe(channels);
      expect(Array.from(back.samples)).toEqual(Array.from(audio.samples));
      expect(durationOf(back)).toBeCloseTo(0.1, 6);
    }
  });

  it('reads a file whose recorder has not written the data size yet', () => {
    const audio = tone({ frequencyHz: 1000, durationS: 0.05, sampleRate: 48000 });
    const bytes = serializeWav(audio);
    new DataView(bytes.buffer).setUint32(40, 0, true);
    expect(parseWav(bytes).samples).toHaveLength(audio.samples.length);
    // A size larger than the file (killed mid-write): the bytes present, cut to whole frames.
    const cut = serializeWav(tone({ frequencyHz: 1000, durationS: 0.05, sampleRate: 48000, channels: 2 }));
    new DataView(cut.buffer).setUint32(40, 0x7fffffff, true);
    expect(parseWav(cut.subarray(0, cut.length - 3)).samples.length % 2).toBe(0);
  });

  it('skips unknown chunks, including odd-sized ones with their pad byte', () => {
    const audio = tone({ frequencyHz: 1000, durationS: 0.01, sampleRate: 8000 });
    const plain = serializeWav(audio);
    const extra = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]); // "LIST", 3 bytes + pad
    const bytes = new Uint8Array(plain.length + extra.length);
    bytes.set(plain.subarray(0, 36));
    bytes.set(extra, 36);
    bytes.set(plain.subarray(36), 36 + extra.length);
    expect(Array.from(parseWav(bytes).samples)).toEqual(Array.from(audio.samples));
  });

  it('refuses what it cannot read', () => {
    expect(() => parseWav(new Uint8Array(8))).toThrow(WavFormatError);
    const float = serializeWav(tone({ frequencyHz: 1000, durationS: 0.01, sampleRate: 8000 }));
    new DataView(float.buffer).setUint16(20, 3, true); // IEEE float
    expect(() => parseWav(float)).toThrow(/16-bit PCM/);
    const headerOnly = serializeWav(tone({ frequencyHz: 1000, durationS: 0, sampleRate: 8000 })).subarray(
      0,
      36,
    );
    expect(() => parseWav(headerOnly)).toThrow(/no data chunk/);
  });

  it('mixes channels down to one float signal', () => {
    const mono = monoFloat({
      sampleRate: 8000,
      channels: 2,
      samples: Int16Array.from([16384, 0, -32768, -32768]),
    });
    expect(Array.from(mono)).toEqual([0.25, -1]);
  });
});
