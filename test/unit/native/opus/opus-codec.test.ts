// The encoder and decoder wrappers over the raw libopus API: controls read back, a tone survives the round trip,
// DTX, concealment lengths, FEC from the next packet, bad packets as results, dispose, and memory that does not
// grow when encoders and decoders come and go.
import { describe, expect, it } from 'vitest';
import { OPUS_INVALID_PACKET, OpusBandwidth } from '../../../../native/opus/opus-defines';
import { WasmOpusDecoder } from '../../../../native/opus/opus-decoder';
import { WasmOpusEncoder } from '../../../../native/opus/opus-encoder';
import { opusPacketHasFec, parseOpusToc } from '../../../../native/opus/opus-packet';
import { OpusRuntime, loadOpus } from '../../../../native/opus/opus-wasm';
import { SeededRandom } from '../../../support/seeded-random';
import { concat, errorDb, sine, toneAmplitude, voiced } from '../../media/codecs/signal-analysis';

const FRAME = 960;

function frames(signal: Int16Array): Int16Array[] {
  return Array.from({ length: signal.length / FRAME }, (_, i) => signal.subarray(i * FRAME, (i + 1) * FRAME));
}

describe('WasmOpusEncoder', () => {
  it('applies and reads back every control, clamping out-of-range values', () => {
    const encoder = new WasmOpusEncoder({
      bitrate: 24_000,
      complexity: 5,
      inbandFec: true,
      expectedLossPercent: 12,
      dtx: true,
      maxBandwidth: OpusBandwidth.wideband,
    });
    expect(encoder.bitrate).toBe(24_000);
    expect(encoder.complexity).toBe(5);
    expect(encoder.inbandFec).toBe(true);
    expect(encoder.expectedLossPercent).toBe(12);
    expect(encoder.dtx).toBe(true);
    expect(encoder.maxBandwidth).toBe(OpusBandwidth.wideband);
    encoder.configure({ bitrate: 10_000_000, complexity: 42, expectedLossPercent: -3, inbandFec: false });
    // We clamp to 512 kb/s; libopus itself holds a mono stream to 300 kb/s.
    expect(encoder.bitrate).toBe(300_000);
    expect(encoder.complexity).toBe(10);
    expect(encoder.expectedLossPercent).toBe(0);
    expect(encoder.inbandFec).toBe(false);
    encoder.dispose();
  });

  it('sends packets of at most 2 bytes in silence when DTX is on, and full ones when it is off', () => {
    const silence = new Int16Array(FRAME);
    const withDtx = new WasmOpusEncoder({ dtx: true });
    const without = new WasmOpusEncoder({ dtx: false });
    const dtxSizes = Array.from({ length: 30 }, () => withDtx.encode(silence).length);
    const plainSizes = Array.from({ length: 30 }, () => without.encode(silence).length);
    expect(dtxSizes.slice(-10).every((size) => size <= 2)).toBe(true);
    expect(plainSizes.slice(-10).every((size) => size > 2)).toBe(true);
    withDtx.dispose();
    without.dispose();
  });

  it('refuses a frame length libopus cannot encode with an OpusError', () => {
    const encoder = new WasmOpusEncoder();
    expect(() => encoder.encode(new Int16Array(1000))).toThrow(/bad-argument/);
    expect(() => encoder.encode(new Int16Array(20_000))).toThrow(/bad-argument/);
    expect(encoder.encode(new Int16Array(FRAME)).length).toBeGreaterThan(0);
    encoder.dispose();
  });
});

describe('WasmOpusDecoder', () => {
  it('carries a 1 kHz tone through at its level, after the codec delay', () => {
    const encoder = new WasmOpusEncoder({ bitrate: 32_000 });
    const decoder = new WasmOpusDecoder();
    const input = sine(1000, 48_000, FRAME * 25, 8000);
    const output = concat(
      frames(input).map((frame) => {
        const decoded = decoder.decode(encoder.encode(frame));
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.pcm.slice();
      }),
    );
    const steady = output.subarray(FRAME * 5);
    expect(toneAmplitude(steady, 48_000, 1000)).toBeGreaterThan(8000 * 0.85);
    expect(toneAmplitude(steady, 48_000, 1000)).toBeLessThan(8000 * 1.15);
    encoder.dispose();
    decoder.dispose();
  });

  it('conceals exactly the asked length, also off the 2.5 ms grid and beyond 120 ms', () => {
    const decoder = new WasmOpusDecoder();
    for (const samples of [960, 120, 100, 1000, 5760, 7000, 0]) {
      expect(decoder.conceal(samples).length).toBe(samples);
    }
    decoder.dispose();
  });

  it('answers empty, oversized and corrupt packets with a failure and keeps decoding afterwards', () => {
    const random = new SeededRandom(7);
    const encoder = new WasmOpusEncoder();
    const decoder = new WasmOpusDecoder();
    expect(decoder.decode(new Uint8Array(0))).toMatchObject({ ok: false, code: OPUS_INVALID_PACKET });
    expect(decoder.decode(new Uint8Array(9000))).toMatchObject({ ok: false, code: OPUS_INVALID_PACKET });
    expect(decoder.decode(Uint8Array.of(0xff, 0xff, 0xff))).toMatchObject({
      ok: false,
      reason: 'invalid-packet',
    });
    let failures = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: random.integer(1, 300) }, () => random.integer(0, 255));
      const result = decoder.decode(bytes);
      if (result.ok) expect(result.pcm.length).toBeLessThanOrEqual(5760);
      else failures++;
    }
    expect(failures).toBeGreaterThan(0);
    const good = decoder.decode(encoder.encode(sine(440, 48_000, FRAME, 5000)));
    expect(good.ok && good.pcm.length).toBe(FRAME);
    encoder.dispose();
    decoder.dispose();
  });

  it('rebuilds a lost packet from the next one closer to the original than plain concealment', () => {
    const encoder = new WasmOpusEncoder({ bitrate: 32_000, inbandFec: true, expectedLossPercent: 20 });
    const input = voiced(48_000, FRAME * 30, 12_000);
    const packets = frames(input).map((frame) => encoder.encode(frame).slice());
    const lost = 20;
    expect(opusPacketHasFec(packets[lost + 1]!)).toBe(true);

    const run = (recover: boolean): Int16Array => {
      const decoder = new WasmOpusDecoder();
      const out: Int16Array[] = [];
      for (let i = 0; i < packets.length; i++) {
        if (i === lost) {
          const rebuilt = recover ? decoder.decodeFec(packets[i + 1]!, FRAME) : null;
          out.push(rebuilt?.ok ? rebuilt.pcm.slice() : decoder.conceal(FRAME));
          continue;
        }
        const decoded = decoder.decode(packets[i]!);
        out.push(decoded.ok ? decoded.pcm.slice() : new Int16Array(FRAME));
      }
      decoder.dispose();
      return concat(out);
    };
    // Compare against a decode with no loss, so the codec's own delay and coloration cancel out.
    const clean = concat(
      (() => {
        const decoder = new WasmOpusDecoder();
        const out = packets.map((packet) => {
          const decoded = decoder.decode(packet);
          return decoded.ok ? decoded.pcm.slice() : new Int16Array(FRAME);
        });
        decoder.dispose();
        return out;
      })(),
    );
    const span = (signal: Int16Array) => signal.subarray(lost * FRAME, (lost + 1) * FRAME);
    const withFec = errorDb(span(clean), span(run(true)));
    const withPlc = errorDb(span(clean), span(run(false)));
    expect(withFec).toBeLessThan(withPlc - 3);
    encoder.dispose();
  });

  it('reports the last packet duration', () => {
    const encoder = new WasmOpusEncoder();
    const decoder = new WasmOpusDecoder();
    decoder.decode(encoder.encode(new Int16Array(FRAME * 2)));
    expect(decoder.lastPacketSamples()).toBe(FRAME * 2);
    encoder.dispose();
    decoder.dispose();
  });
});

describe('opusPacketHasFec', () => {
  it('is false without FEC, true with it on voiced speech, false for CELT and junk', () => {
    const input = frames(voiced(48_000, FRAME * 10, 12_000));
    const plain = new WasmOpusEncoder({ inbandFec: false });
    const protectedEncoder = new WasmOpusEncoder({
      bitrate: 32_000,
      inbandFec: true,
      expectedLossPercent: 20,
    });
    const plainPackets = input.map((frame) => plain.encode(frame).slice());
    const fecPackets = input.map((frame) => protectedEncoder.encode(frame).slice());
    expect(plainPackets.some(opusPacketHasFec)).toBe(false);
    expect(fecPackets.slice(2).every(opusPacketHasFec)).toBe(true);
    expect(parseOpusToc(fecPackets[5]!)?.mode).not.toBe('celt');
    // TOC config 31 is CELT fullband 20 ms.
    expect(opusPacketHasFec(Uint8Array.of(31 << 3, 0xff, 0xff))).toBe(false);
    expect(opusPacketHasFec(new Uint8Array(0))).toBe(false);
    expect(opusPacketHasFec(Uint8Array.of(0x0b))).toBe(false);
    expect(opusPacketHasFec(Uint8Array.of(0x0b | 3, 0))).toBe(false);
    plain.dispose();
    protectedEncoder.dispose();
  });

  it('finds the first frame behind every frame-count code (RFC 6716 §3.2)', () => {
    const encoder = new WasmOpusEncoder({ bitrate: 32_000, inbandFec: true, expectedLossPercent: 20 });
    const input = frames(voiced(48_000, FRAME * 6, 12_000));
    const packet = input.map((frame) => encoder.encode(frame).slice())[5]!;
    encoder.dispose();
    expect(packet[0]! & 3).toBe(0);
    expect(opusPacketHasFec(packet)).toBe(true);
    const toc = packet[0]! & ~3;
    const frame = packet.subarray(1);
    expect(frame.length).toBeLessThan(252);
    const variants = {
      'code 1 (two equal frames)': [toc | 1, ...frame, ...frame],
      'code 2 (lengths differ)': [toc | 2, frame.length, ...frame, ...frame],
      'code 3, CBR': [toc | 3, 0x02, ...frame, ...frame],
      'code 3, VBR': [toc | 3, 0x82, frame.length, ...frame, ...frame],
      'code 3, padded': [toc | 3, 0x42, 255, 1, ...frame, ...frame, ...new Array<number>(255).fill(0)],
    };
    for (const [name, bytes] of Object.entries(variants)) {
      expect({ name, fec: opusPacketHasFec(Uint8Array.from(bytes)) }).toEqual({ name, fec: true });
    }
    // The same layouts around a frame whose header says "no LBRR" stay false.
    const silent = Uint8Array.from([toc | 3, 0x82, 1, 0x00, 0x00]);
    expect(opusPacketHasFec(silent)).toBe(false);
    expect(opusPacketHasFec(Uint8Array.of(toc | 3, 0x00))).toBe(false);
    expect(opusPacketHasFec(Uint8Array.of(toc | 3, 0x42, 255))).toBe(false);
  });

  it('reads the TOC of each mode', () => {
    expect(parseOpusToc(Uint8Array.of((1 << 3) | 0))).toEqual({
      mode: 'silk',
      frameSamples: 960,
      stereo: false,
      code: 0,
    });
    expect(parseOpusToc(Uint8Array.of((13 << 3) | 4 | 1))).toEqual({
      mode: 'hybrid',
      frameSamples: 960,
      stereo: true,
      code: 1,
    });
    expect(parseOpusToc(Uint8Array.of((16 << 3) | 3))).toEqual({
      mode: 'celt',
      frameSamples: 120,
      stereo: false,
      code: 3,
    });
    expect(parseOpusToc(new Uint8Array(0))).toBeNull();
  });
});

describe('lifetime', () => {
  it('dispose twice is harmless, use after dispose throws instead of touching freed memory', () => {
    const encoder = new WasmOpusEncoder();
    const decoder = new WasmOpusDecoder();
    encoder.dispose();
    encoder.dispose();
    decoder.dispose();
    decoder.dispose();
    expect(encoder.disposed && decoder.disposed).toBe(true);
    expect(() => encoder.encode(new Int16Array(FRAME))).toThrow(/after dispose/);
    expect(() => decoder.decode(Uint8Array.of(8))).toThrow(/after dispose/);
    expect(() => decoder.conceal(FRAME)).toThrow(/after dispose/);
  });

  it('frees the blocks already taken when a later allocation of a constructor fails', () => {
    const real = loadOpus();
    const freed: number[] = [];
    const taken: number[] = [];
    let calls = 0;
    const flaky = new OpusRuntime(
      {
        ...real.exports,
        malloc: (bytes: number) => {
          if (++calls === 3) return 0;
          const pointer = real.exports.malloc(bytes);
          taken.push(pointer);
          return pointer;
        },
        free: (pointer: number) => {
          freed.push(pointer);
          real.exports.free(pointer);
        },
      },
      'baseline',
    );
    expect(() => new WasmOpusDecoder(flaky)).toThrow(/malloc/);
    expect(taken).toHaveLength(2);
    expect(freed).toEqual(taken);
  });

  it('frees what it allocates: a thousand encoders and decoders later the wasm memory has not grown', () => {
    const runtime = loadOpus();
    const cycle = (): void => {
      const pairs = Array.from(
        { length: 50 },
        () => [new WasmOpusEncoder({}, runtime), new WasmOpusDecoder(runtime)] as const,
      );
      for (const [encoder, decoder] of pairs) {
        decoder.decode(encoder.encode(new Int16Array(FRAME)));
        encoder.dispose();
        decoder.dispose();
      }
    };
    cycle();
    const before = runtime.memoryBytes();
    for (let round = 0; round < 20; round++) cycle();
    expect(runtime.memoryBytes()).toBe(before);
  });
});
