// G.711 against code points derived from the standard's segment tables, a round trip over every code, monotonic
// companding over the whole 16-bit range, and the SNR of a -10 dBFS 1 kHz tone.
import { describe, expect, it } from 'vitest';
import {
  aLawToLinear,
  decodeALaw,
  decodeMuLaw,
  encodeALaw,
  encodeMuLaw,
  linearToALaw,
  linearToMuLaw,
  muLawToLinear,
} from '../../../main/media/codecs/g711';

const ALL_CODES = Array.from({ length: 256 }, (_, code) => code);

function sineAtMinus10Dbfs(sampleRate: number, frequency: number, count: number): Int16Array {
  const amplitude = 32767 * 10 ** (-10 / 20);
  return Int16Array.from({ length: count }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate)),
  );
}

function snrDb(reference: Int16Array, decoded: Int16Array): number {
  let signal = 0;
  let noise = 0;
  reference.forEach((value, i) => {
    signal += value * value;
    noise += (value - (decoded[i] ?? 0)) ** 2;
  });
  return 10 * Math.log10(signal / noise);
}

describe('G.711 μ-law', () => {
  it('decodes the known code points', () => {
    expect(muLawToLinear(0xff)).toBe(0);
    expect(muLawToLinear(0x7f)).toBe(0); // "negative zero"
    expect(muLawToLinear(0x00)).toBe(-32124);
    expect(muLawToLinear(0x80)).toBe(32124);
  });

  it('encodes the known code points, zero as positive zero and full scale clipped', () => {
    expect(linearToMuLaw(0)).toBe(0xff);
    expect(linearToMuLaw(-1)).toBe(0x7f);
    expect(linearToMuLaw(32124)).toBe(0x80);
    expect(linearToMuLaw(-32124)).toBe(0x00);
    expect(linearToMuLaw(32767)).toBe(0x80);
    expect(linearToMuLaw(-32768)).toBe(0x00);
  });

  it('gives back every code after decode then encode, except negative zero which becomes positive zero', () => {
    for (const code of ALL_CODES) {
      expect(linearToMuLaw(muLawToLinear(code))).toBe(code === 0x7f ? 0xff : code);
    }
  });

  it('is monotonic over the whole 16-bit range', () => {
    let previous = -Infinity;
    let decreases = 0;
    for (let sample = -32768; sample <= 32767; sample++) {
      const value = muLawToLinear(linearToMuLaw(sample));
      if (value < previous) decreases++;
      previous = value;
    }
    expect(decreases).toBe(0);
  });

  it('keeps a 1 kHz sine at -10 dBFS above 35 dB SNR', () => {
    const tone = sineAtMinus10Dbfs(8000, 1000, 8000);
    expect(snrDb(tone, decodeMuLaw(encodeMuLaw(tone)))).toBeGreaterThan(35);
  });
});

describe('G.711 A-law', () => {
  it('decodes the known code points', () => {
    expect(aLawToLinear(0xd5)).toBe(8);
    expect(aLawToLinear(0x55)).toBe(-8);
    expect(aLawToLinear(0x2a)).toBe(-32256);
    expect(aLawToLinear(0xaa)).toBe(32256);
  });

  it('encodes the known code points and the extremes', () => {
    expect(linearToALaw(0)).toBe(0xd5);
    expect(linearToALaw(-1)).toBe(0x55);
    expect(linearToALaw(32767)).toBe(0xaa);
    expect(linearToALaw(-32768)).toBe(0x2a);
  });

  it('gives back every code after decode then encode', () => {
    for (const code of ALL_CODES) expect(linearToALaw(aLawToLinear(code))).toBe(code);
  });

  it('is monotonic over the whole 16-bit range', () => {
    let previous = -Infinity;
    let decreases = 0;
    for (let sample = -32768; sample <= 32767; sample++) {
      const value = aLawToLinear(linearToALaw(sample));
      if (value < previous) decreases++;
      previous = value;
    }
    expect(decreases).toBe(0);
  });

  it('keeps a 1 kHz sine at -10 dBFS above 35 dB SNR', () => {
    const tone = sineAtMinus10Dbfs(8000, 1000, 8000);
    expect(snrDb(tone, decodeALaw(encodeALaw(tone)))).toBeGreaterThan(35);
  });
});

describe('G.711 single samples out of the 16-bit range', () => {
  it('clip to full scale instead of wrapping into the sign bit', () => {
    expect(linearToALaw(40_000)).toBe(0xaa);
    expect(linearToALaw(-40_000)).toBe(0x2a);
    expect(linearToMuLaw(40_000)).toBe(0x80);
    expect(linearToMuLaw(-40_000)).toBe(0x00);
  });
});

describe('G.711 frame helpers', () => {
  it('write into a caller-given buffer', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32124]);
    const codes = new Uint8Array(4);
    expect(encodeMuLaw(pcm, codes)).toBe(codes);
    const back = new Int16Array(4);
    expect(decodeMuLaw(codes, back)).toBe(back);
    expect(Array.from(back)).toEqual(Array.from(pcm, (s) => muLawToLinear(linearToMuLaw(s))));
  });
});
