// The jitter-buffer tests' own doubles: the sender and network model, and the fake decoder.
import { describe, expect, it } from 'vitest';
import {
  CONCEALED,
  FakeVoiceDecoder,
  RECOVERED,
  SPEECH,
  fakePayload,
  payloadIndex,
} from './fake-voice-decoder';
import { send, transmit } from './stream-simulation';

describe('stream simulation', () => {
  it('sends one packet per ptime with sequence and timestamp wrapping like RTP', () => {
    const sent = send({
      count: 4,
      ptimeMs: 30,
      clockRate: 8_000,
      firstSequence: 65_534,
      firstTimestamp: 2 ** 32 - 240,
    });
    expect(sent.map(({ packet }) => packet.sequence)).toEqual([65_534, 65_535, 0, 1]);
    expect(sent.map(({ packet }) => packet.timestamp)).toEqual([2 ** 32 - 240, 0, 240, 480]);
    expect(sent.map(({ sentMs }) => sentMs)).toEqual([0, 30, 60, 90]);
    expect(sent.map(({ packet }) => payloadIndex(packet.payload))).toEqual([0, 1, 2, 3]);
  });

  it('marks the first packet of each talk spurt and leaves pauses out when suppressing silence', () => {
    const sent = send({ count: 6, speech: (index) => index !== 2 && index !== 3, suppressSilence: true });
    expect(sent.map(({ index }) => index)).toEqual([0, 1, 4, 5]);
    expect(sent.map(({ packet }) => packet.marker)).toEqual([true, false, true, false]);
    // Sequence numbers stay unbroken across the pause; timestamps jump over it.
    expect(sent.map(({ packet }) => packet.sequence)).toEqual([1_000, 1_001, 1_002, 1_003]);
    expect(sent[2]?.packet.timestamp).toBe(4 * 960);
  });

  it("runs a fast sender's clock ahead of the receiver's", () => {
    const sent = send({ count: 2, drift: 0.25 });
    expect(sent[1]?.sentMs).toBe(16);
  });

  it('is the same network for the same seed, and loses, duplicates and reorders as told', () => {
    const sent = send({ count: 2_000 });
    const options = { seed: 3, jitterMs: 60, lossRate: 0.1, duplicateRate: 0.1 };
    const arrivals = transmit(sent, options);
    expect(transmit(sent, options)).toEqual(arrivals);
    const distinct = new Set(arrivals.map((packet) => packet.sequence)).size;
    expect(distinct).toBeGreaterThan(1_700);
    expect(distinct).toBeLessThan(1_900);
    expect(arrivals.length - distinct).toBeGreaterThan(100);
    const arrivalTimes = arrivals.map((packet) => packet.arrivalMs);
    expect(arrivalTimes).toEqual([...arrivalTimes].sort((a, b) => a - b));
    const reordered = arrivals.some(
      (packet, index) => packet.sequence < (arrivals[index - 1]?.sequence ?? 0),
    );
    expect(reordered).toBe(true);
  });

  it('keeps losses together once a burst starts', () => {
    const sent = send({ count: 5_000 });
    const arrivals = transmit(sent, { seed: 1, lossRate: 0.02, burstContinueRate: 0.9 });
    const received = new Set(arrivals.map((packet) => packet.sequence));
    let longest = 0;
    let run = 0;
    for (const { packet } of sent) {
      run = received.has(packet.sequence) ? 0 : run + 1;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeGreaterThanOrEqual(10);
  });
});

describe('FakeVoiceDecoder', () => {
  it("decodes speech and silence to the payload's length and logs the index", () => {
    const decoder = new FakeVoiceDecoder();
    expect(decoder.decode(fakePayload(7, true, 480))).toEqual(new Int16Array(480).fill(SPEECH));
    expect(decoder.decode(fakePayload(8, false, 960))).toEqual(new Int16Array(960));
    expect(decoder.decode(new Uint8Array(2))).toHaveLength(0);
    expect(decoder.decoded).toEqual([7, 8, -1]);
  });

  it('marks concealment, and recovers only when built with FEC', () => {
    const plain = new FakeVoiceDecoder();
    expect(plain.conceal(960)).toEqual(new Int16Array(960).fill(CONCEALED));
    expect(plain.recoverFromNext).toBeUndefined();
    const withFec = new FakeVoiceDecoder({ fec: true });
    expect(withFec.recoverFromNext?.(fakePayload(5, true, 960), 960)).toEqual(
      new Int16Array(960).fill(RECOVERED),
    );
    expect(withFec.recoveredFrom).toEqual([5]);
  });
});
