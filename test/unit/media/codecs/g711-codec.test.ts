// PCMU and PCMA through their 48 kHz adapters: a tone comes back at its frequency and level, out-of-band energy
// does not alias into the call, the payload is plain G.711 of the filtered signal, and concealment repeats the
// voice, fades to silence and merges back without a click.
import { describe, expect, it } from 'vitest';
import { decodeMuLaw } from '../../../../main/media/codecs/g711';
import { PcmaDecoder, PcmaEncoder, PcmuDecoder, PcmuEncoder } from '../../../../main/media/codecs/g711-codec';
import type { VoiceDecoder, VoiceEncoder } from '../../../../main/media/media-seams';
import { bandEnergyShare, concat, rms, sine, toneAmplitude, voiced } from './signal-analysis';

const FRAME = 960;

function through(encoder: VoiceEncoder, decoder: VoiceDecoder, input: Int16Array): Int16Array {
  const out: Int16Array[] = [];
  for (let offset = 0; offset < input.length; offset += FRAME) {
    out.push(decoder.decode(encoder.encode(input.subarray(offset, offset + FRAME))));
  }
  return concat(out);
}

const laws = [
  { name: 'PCMU', encoder: () => new PcmuEncoder(), decoder: () => new PcmuDecoder(), codec: 'pcmu' },
  { name: 'PCMA', encoder: () => new PcmaEncoder(), decoder: () => new PcmaDecoder(), codec: 'pcma' },
] as const;

for (const law of laws) {
  describe(`${law.name} adapter`, () => {
    it('says what it is: 8000 Hz RTP clock, 160 bytes per 20 ms', () => {
      const encoder = law.encoder();
      expect(encoder.codec).toBe(law.codec);
      expect(encoder.clockRate).toBe(8000);
      expect(law.decoder().clockRate).toBe(8000);
      expect(encoder.encode(new Int16Array(FRAME)).length).toBe(160);
      expect(encoder.encode(new Int16Array(FRAME * 2)).length).toBe(320);
    });

    for (const frequency of [300, 1000, 3000]) {
      it(`carries a ${frequency} Hz tone at its level, ≥ 99 % of the energy within ±10 %`, () => {
        const output = through(law.encoder(), law.decoder(), sine(frequency, 48_000, FRAME * 15, 10_000));
        const steady = output.subarray(FRAME * 5);
        expect(bandEnergyShare(steady, 48_000, frequency * 0.9, frequency * 1.1)).toBeGreaterThan(0.99);
        expect(Math.abs(20 * Math.log10(toneAmplitude(steady, 48_000, frequency) / 10_000))).toBeLessThan(
          0.5,
        );
      });
    }

    it('keeps a 5 kHz tone out instead of folding it to 3 kHz', () => {
      const output = through(law.encoder(), law.decoder(), sine(5000, 48_000, FRAME * 10, 20_000));
      expect(rms(output.subarray(FRAME * 3))).toBeLessThan(20_000 * 10 ** (-60 / 20) * 4);
    });

    it('refuses a frame that is not a whole number of 8 kHz samples', () => {
      expect(() => law.encoder().encode(new Int16Array(961))).toThrow(RangeError);
    });
  });
}

it('PCMU payload is the μ-law of the band-limited signal', () => {
  const encoder = new PcmuEncoder();
  const frames = Array.from({ length: 5 }, (_, i) =>
    encoder.encode(sine(1000, 48_000, FRAME, 8000, i * FRAME)).slice(),
  );
  const decoded = decodeMuLaw(frames[4]!);
  // 160 samples at 8 kHz of a 1 kHz tone: its level survives companding within G.711's quantisation.
  expect(toneAmplitude(decoded, 8000, 1000)).toBeGreaterThan(8000 * 0.95);
  expect(toneAmplitude(decoded, 8000, 1000)).toBeLessThan(8000 * 1.05);
});

describe('G.711 concealment', () => {
  /** A decoder that has heard 200 ms of a voiced signal. */
  function primed(): { decoder: PcmuDecoder; heard: Int16Array } {
    const encoder = new PcmuEncoder();
    const decoder = new PcmuDecoder();
    const heard = through(encoder, decoder, voiced(48_000, FRAME * 10, 12_000));
    return { decoder, heard };
  }

  it('is silence before anything was heard, at exactly the asked length', () => {
    const decoder = new PcmuDecoder();
    for (const samples of [960, 100, 961, 0]) {
      const concealed = decoder.conceal(samples);
      expect(concealed.length).toBe(samples);
      expect(concealed.every((value) => value === 0)).toBe(true);
    }
  });

  it('continues the voice at its pitch and level for the first 10 ms', () => {
    const { decoder, heard } = primed();
    const first = decoder.conceal(FRAME);
    expect(first.length).toBe(FRAME);
    const lastHeard = heard.subarray(heard.length - FRAME);
    expect(rms(first.subarray(0, 480)) / rms(lastHeard)).toBeGreaterThan(0.7);
    // The 200 Hz fundamental (and its harmonics) carry on: most energy stays in the voiced band.
    expect(bandEnergyShare(first.subarray(0, 480), 48_000, 150, 3500)).toBeGreaterThan(0.9);
    expect(toneAmplitude(first.subarray(0, 480), 48_000, 200)).toBeGreaterThan(
      toneAmplitude(lastHeard, 48_000, 200) * 0.5,
    );
  });

  it('fades over consecutive losses and is silent from 60 ms on', () => {
    const { decoder } = primed();
    const levels = Array.from({ length: 5 }, () => rms(decoder.conceal(FRAME)));
    expect(levels[1]!).toBeLessThan(levels[0]!);
    expect(levels[2]!).toBeLessThan(levels[1]!);
    // Only the interpolator's 3.6 ms tail reaches past 60 ms.
    expect(levels[3]!).toBeLessThan(levels[0]! * 0.05);
    expect(levels[4]).toBe(0);
  });

  it('plays exactly the received audio again once a loss and its merge are past (seam: g711-concealment.test)', () => {
    const encoder = new PcmuEncoder();
    const decoder = new PcmuDecoder();
    const reference = new PcmuDecoder();
    const signal = voiced(48_000, FRAME * 20, 12_000);
    const out: Int16Array[] = [];
    const clean: Int16Array[] = [];
    for (let i = 0; i < 20; i++) {
      const payload = encoder.encode(signal.subarray(i * FRAME, (i + 1) * FRAME));
      clean.push(reference.decode(payload));
      out.push(i === 10 || i === 11 ? decoder.conceal(FRAME) : decoder.decode(payload));
    }
    const output = concat(out);
    // Once the 4 ms merge and the filter's memory of the loss are past, it plays exactly what it receives.
    expect(output.subarray(FRAME * 13)).toEqual(concat(clean).subarray(FRAME * 13));
  });
});
