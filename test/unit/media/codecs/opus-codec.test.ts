// The Opus adapters on the seams: RFC 7587's clock, the far end's fmtp applied to our encoder, a tone through,
// concealment and FEC recovery as the jitter buffer will call them, and bad payloads concealed, never thrown.
import { describe, expect, it } from 'vitest';
import { OpusDecoder, OpusEncoder } from '../../../../main/media/codecs/opus-codec';
import { OpusBandwidth } from '../../../../native/opus/opus-defines';
import { SeededRandom } from '../../../support/seeded-random';
import { bandEnergyShare, concat, errorDb, toneAmplitude, voiced, sine } from './signal-analysis';

const FRAME = 960;

describe('OpusEncoder', () => {
  it('uses the RTP clock of RFC 7587 and a mono voice encoder with our defaults', () => {
    const encoder = new OpusEncoder();
    expect(encoder.codec).toBe('opus');
    expect(encoder.clockRate).toBe(48_000);
    expect(encoder.settings()).toMatchObject({
      bitrate: 32_000,
      complexity: 5,
      inbandFec: false,
      expectedLossPercent: 0,
      dtx: false,
      maxBandwidth: OpusBandwidth.fullband,
    });
    encoder.dispose();
  });

  it("follows the far end's fmtp: its bitrate ceiling, FEC, DTX and playback rate", () => {
    const encoder = new OpusEncoder({
      fmtp: 'maxaveragebitrate=20000;useinbandfec=1;usedtx=1;maxplaybackrate=16000;stereo=0',
    });
    expect(encoder.settings()).toMatchObject({
      bitrate: 20_000,
      inbandFec: true,
      // FEC is on, and spends nothing until the far end reports loss (the call's stream then raises this).
      expectedLossPercent: 0,
      dtx: true,
      maxBandwidth: OpusBandwidth.wideband,
    });
    encoder.setBitrate(64_000);
    expect(encoder.settings().bitrate).toBe(20_000);
    encoder.setBitrate(12_000);
    expect(encoder.settings().bitrate).toBe(12_000);
    encoder.setExpectedLossPercent(25);
    expect(encoder.settings().expectedLossPercent).toBe(25);
    encoder.dispose();
  });

  it('does not spend bits on FEC the far end cannot use', () => {
    const encoder = new OpusEncoder({ fmtp: 'useinbandfec=0' });
    encoder.setExpectedLossPercent(30);
    expect(encoder.settings()).toMatchObject({ inbandFec: false, expectedLossPercent: 0 });
    encoder.dispose();
  });

  it('encodes 20, 40 and 60 ms frames and refuses lengths off the 20 ms grid', () => {
    const encoder = new OpusEncoder();
    for (const frames of [1, 2, 3])
      expect(encoder.encode(new Int16Array(FRAME * frames)).length).toBeGreaterThan(0);
    for (const samples of [0, 480, 1000, FRAME * 7]) {
      expect(() => encoder.encode(new Int16Array(samples))).toThrow(RangeError);
    }
    encoder.dispose();
  });
});

describe('OpusDecoder', () => {
  it('carries a 1 kHz tone: ≥ 95 % of the energy within ±10 %, level within 1 dB', () => {
    const encoder = new OpusEncoder();
    const decoder = new OpusDecoder();
    const input = sine(1000, 48_000, FRAME * 25, 10_000);
    const output = concat(
      Array.from({ length: 25 }, (_, i) =>
        decoder.decode(encoder.encode(input.subarray(i * FRAME, (i + 1) * FRAME))),
      ),
    );
    const steady = output.subarray(FRAME * 5);
    expect(bandEnergyShare(steady, 48_000, 900, 1100)).toBeGreaterThan(0.95);
    expect(Math.abs(20 * Math.log10(toneAmplitude(steady, 48_000, 1000) / 10_000))).toBeLessThan(1);
    encoder.dispose();
    decoder.dispose();
  });

  it('conceals a refused payload for the last packet length instead of throwing, and counts it', () => {
    const random = new SeededRandom(3);
    const encoder = new OpusEncoder();
    const decoder = new OpusDecoder();
    decoder.decode(encoder.encode(new Int16Array(FRAME * 2)));
    expect(decoder.decode(new Uint8Array(0)).length).toBe(FRAME * 2);
    expect(decoder.decode(Uint8Array.of(0xff, 0xff, 0xff)).length).toBe(FRAME * 2);
    for (let i = 0; i < 500; i++) {
      const length = decoder.decode(random.bytes(random.integer(0, 1600))).length;
      expect(length).toBeGreaterThanOrEqual(0);
      expect(length).toBeLessThanOrEqual(5760);
    }
    expect(decoder.rejectedPayloads).toBeGreaterThanOrEqual(2);
    expect(decoder.conceal(FRAME).length).toBe(FRAME);
    encoder.dispose();
    decoder.dispose();
  });

  it('recovers a lost packet from the next one with FEC, closer to the original than concealment', () => {
    const encoder = new OpusEncoder({ fmtp: 'useinbandfec=1', expectedLossPercent: 20 });
    const packets = Array.from({ length: 30 }, (_, i) =>
      encoder.encode(voiced(48_000, FRAME, 12_000, i * FRAME)).slice(),
    );
    const lost = 15;
    const play = (useFec: boolean): { lostFrame: Int16Array; recovered: boolean } => {
      const decoder = new OpusDecoder();
      let lostFrame: Int16Array = new Int16Array(0);
      let recovered = false;
      for (let i = 0; i < packets.length; i++) {
        if (i !== lost) {
          decoder.decode(packets[i]!);
          continue;
        }
        const rebuilt = useFec ? decoder.recoverFromNext(packets[i + 1]!, FRAME) : null;
        recovered = rebuilt !== null;
        lostFrame = rebuilt ?? decoder.conceal(FRAME);
      }
      decoder.dispose();
      return { lostFrame, recovered };
    };
    const reference = new OpusDecoder();
    const clean = packets.map((packet) => reference.decode(packet))[lost]!;
    const fec = play(true);
    const plc = play(false);
    expect(fec.recovered).toBe(true);
    expect(fec.lostFrame.length).toBe(FRAME);
    expect(errorDb(clean, fec.lostFrame)).toBeLessThan(errorDb(clean, plc.lostFrame) - 3);
    encoder.dispose();
    reference.dispose();
  });

  it('answers null when the next packet carries no FEC or the length is not a 2.5 ms multiple', () => {
    const encoder = new OpusEncoder();
    const decoder = new OpusDecoder();
    const packet = encoder.encode(voiced(48_000, FRAME, 12_000)).slice();
    expect(decoder.recoverFromNext(packet, FRAME)).toBeNull();
    const protectedEncoder = new OpusEncoder({ fmtp: 'useinbandfec=1' });
    const fecPackets = Array.from({ length: 5 }, (_, i) =>
      protectedEncoder.encode(voiced(48_000, FRAME, 12_000, i * FRAME)).slice(),
    );
    expect(decoder.recoverFromNext(fecPackets[4]!, 1000)).toBeNull();
    expect(decoder.recoverFromNext(new Uint8Array(0), FRAME)).toBeNull();
    encoder.dispose();
    protectedEncoder.dispose();
    decoder.dispose();
  });
});
