// The adaptive jitter buffer, one behaviour at a time: ordering, duplicates, late packets, loss with concealment
// and FEC, packet durations, talk spurts, wrap-around and restarts. Longer simulations are in
// jitter-simulation.test.ts.
import { describe, expect, it } from 'vitest';
import { AdaptiveJitterBuffer } from '../../../../main/media/jitter/jitter-buffer';
import { FRAME_SAMPLES, type ReceivedAudioPacket } from '../../../../main/media/media-seams';
import { CONCEALED, FakeVoiceDecoder, RECOVERED, SPEECH } from './fake-voice-decoder';
import { playOut, send, transmit } from './stream-simulation';

function setUp(options: { fec?: boolean; clockRate?: number } = {}) {
  const decoder = new FakeVoiceDecoder(options);
  return { decoder, buffer: new AdaptiveJitterBuffer({ decoder }) };
}

/** Arrivals with a fixed 30 ms delay, with `change` applied to the list first. */
function steady(
  count: number,
  change: (arrivals: ReceivedAudioPacket[]) => ReceivedAudioPacket[] = (a) => a,
) {
  return change(transmit(send({ count })));
}

function isFilledWith(frame: Int16Array, value: number): boolean {
  return frame.every((sample) => sample === value);
}

describe('AdaptiveJitterBuffer', () => {
  it('hands out silence, one frame at a time, before the first packet', () => {
    const { buffer } = setUp();
    const frame = buffer.pull(0);
    expect(frame.length).toBe(FRAME_SAMPLES);
    expect(isFilledWith(frame, 0)).toBe(true);
    expect(buffer.stats()).toMatchObject({ received: 0, delayMs: 0, lost: 0 });
  });

  it('plays an even stream in order after one frame of delay, without loss or concealment', () => {
    const { buffer, decoder } = setUp();
    const frames = playOut(buffer, steady(100), 2_200);
    expect(decoder.decoded).toEqual(Array.from({ length: 100 }, (_, index) => index));
    // Packet 0 arrives at 30 ms; the first pull at least one frame (the minimum target) later is at 60 ms.
    expect(frames.findIndex((frame) => isFilledWith(frame, SPEECH))).toBe(3);
    expect(frames.every((frame) => frame.length === FRAME_SAMPLES)).toBe(true);
    expect(buffer.stats()).toMatchObject({
      targetDelayMs: 20,
      lost: 0,
      late: 0,
      concealed: 0,
      duplicates: 0,
    });
  });

  it('puts reordered packets back in order', () => {
    const { buffer, decoder } = setUp();
    const arrivals = steady(50, (list) => {
      // 11 overtakes 10 by 5 ms; both are in time.
      const swapped = [...list];
      const [ten, eleven] = [swapped[10], swapped[11]];
      if (ten === undefined || eleven === undefined) throw new Error('short list');
      swapped[10] = { ...eleven, arrivalMs: ten.arrivalMs - 5 };
      swapped[11] = ten;
      return swapped;
    });
    playOut(buffer, arrivals, 1_200);
    expect(decoder.decoded).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(buffer.stats()).toMatchObject({ lost: 0, late: 0, concealed: 0 });
  });

  it('drops and counts duplicates, whether still buffered or already played', () => {
    const { buffer, decoder } = setUp();
    const arrivals = steady(50, (list) => {
      const copies = [...list];
      const five = list[5];
      const twenty = list[20];
      if (five === undefined || twenty === undefined) throw new Error('short list');
      copies.splice(6, 0, { ...five, arrivalMs: five.arrivalMs + 1 });
      copies.splice(40, 0, { ...twenty, arrivalMs: (list[38]?.arrivalMs ?? 0) + 1 });
      return copies;
    });
    playOut(buffer, arrivals, 1_200);
    expect(decoder.decoded).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(buffer.stats()).toMatchObject({ received: 52, duplicates: 2, late: 0, lost: 0 });
  });

  it('conceals a packet that comes after its turn, then drops it as late and counts it lost', () => {
    const { buffer, decoder } = setUp();
    const arrivals = steady(60, (list) =>
      list.map((packet, index) => (index === 30 ? { ...packet, arrivalMs: packet.arrivalMs + 200 } : packet)),
    );
    // Packet 30's turn is the pull at 660 ms; it arrives at 830 ms.
    const frames = playOut(buffer, arrivals, 1_600);
    expect(isFilledWith(frames[33] ?? new Int16Array(0), CONCEALED)).toBe(true);
    expect(decoder.decoded).toEqual(Array.from({ length: 60 }, (_, index) => index).filter((i) => i !== 30));
    expect(buffer.stats()).toMatchObject({ late: 1, lost: 1, concealed: 1 });
    // The 170 ms it was late by raised the target at once, and the buffer grew toward it.
    expect(buffer.stats().targetDelayMs).toBeGreaterThan(170);
    expect(buffer.stats().inserted).toBeGreaterThan(0);
  });

  it('counts the silence that stood in for a late packet in quiet audio as concealment of that loss', () => {
    const { buffer, decoder } = setUp();
    // Quiet audio (a pause in speech, sent, not suppressed): its concealment is silence, but it is still the frame
    // that filled the loss, so `concealed` covers `lost` as it does in speech.
    // Packet 30 comes 200 ms late, and 31 just after 30's turn: that turn finds nothing buffered (an underrun).
    const extraMs = new Map([
      [30, 200],
      [31, 25],
    ]);
    const arrivals = transmit(send({ count: 60, speech: () => false })).map((packet, index) => ({
      ...packet,
      arrivalMs: packet.arrivalMs + (extraMs.get(index) ?? 0),
    }));
    const frames = playOut(buffer, arrivals, 1_600);
    expect(frames.every((frame) => isFilledWith(frame, 0))).toBe(true);
    expect(decoder.concealCalls).toEqual([]);
    expect(buffer.stats()).toMatchObject({ late: 1, lost: 1, concealed: 1 });
  });

  it('conceals consecutive losses with consecutive calls, so the decoder fades', () => {
    const { buffer, decoder } = setUp();
    const arrivals = steady(60).filter((packet) => ![20, 21, 22].includes(packet.sequence - 1_000));
    // Until the last packet has played: after that the stream has stopped, which is not loss.
    const frames = playOut(buffer, arrivals, 1_260);
    expect(decoder.concealCalls).toEqual([FRAME_SAMPLES, FRAME_SAMPLES, FRAME_SAMPLES]);
    expect(frames.filter((frame) => isFilledWith(frame, CONCEALED))).toHaveLength(3);
    expect(buffer.stats()).toMatchObject({ lost: 3, concealed: 3, recovered: 0, late: 0 });
  });

  it('rebuilds the last lost packet from the next one when the decoder has FEC, and conceals the rest', () => {
    const { buffer, decoder } = setUp({ fec: true });
    const arrivals = steady(60).filter((packet) => ![20, 21].includes(packet.sequence - 1_000));
    const frames = playOut(buffer, arrivals, 1_260);
    expect(decoder.recoveredFrom).toEqual([22]);
    expect(decoder.concealCalls).toEqual([FRAME_SAMPLES]);
    expect(frames.filter((frame) => isFilledWith(frame, RECOVERED))).toHaveLength(1);
    expect(buffer.stats()).toMatchObject({ lost: 2, concealed: 1, recovered: 1 });
  });

  it.each([10, 30, 60])('plays %i ms packets seamlessly', (ptimeMs) => {
    const { buffer, decoder } = setUp();
    const count = 1_200 / ptimeMs;
    const arrivals = transmit(send({ count, ptimeMs }));
    const frames = playOut(buffer, arrivals, 1_400);
    expect(decoder.decoded).toHaveLength(count);
    const speech = frames.filter((frame) => isFilledWith(frame, SPEECH));
    expect(speech).toHaveLength(1_200 / 20);
    expect(buffer.stats()).toMatchObject({ lost: 0, concealed: 0, late: 0 });
  });

  it('plays 8 kHz timestamps (G.711) at 48 kHz positions', () => {
    const { buffer, decoder } = setUp({ clockRate: 8_000 });
    playOut(buffer, transmit(send({ count: 50, ptimeMs: 30, clockRate: 8_000 })), 1_700);
    expect(decoder.decoded).toHaveLength(50);
    expect(buffer.stats()).toMatchObject({ lost: 0, concealed: 0 });
  });

  it('plays the silence between talk spurts without counting loss or concealment', () => {
    const { buffer, decoder } = setUp();
    // 1 s of speech, 0.6 s unsent, repeated; each spurt starts with the marker bit.
    const speech = (index: number) => index % 80 < 50;
    const sent = send({ count: 400, speech, suppressSilence: true });
    const frames = playOut(buffer, transmit(sent), 8_200);
    expect(decoder.decoded).toHaveLength(sent.length);
    expect(frames.filter((frame) => isFilledWith(frame, SPEECH))).toHaveLength(sent.length);
    // Each spurt stops abruptly, so its end is faded out by concealment for at most 200 ms (10 frames) of each
    // 600 ms pause; the rest of the pause is silence. None of it is counted as concealment of a loss.
    expect(frames.filter((frame) => isFilledWith(frame, CONCEALED)).length).toBeLessThanOrEqual(5 * 10);
    expect(frames.filter((frame) => isFilledWith(frame, 0)).length).toBeGreaterThanOrEqual(5 * 20);
    expect(buffer.stats()).toMatchObject({ lost: 0, concealed: 0, late: 0 });
  });

  it('keeps time when a packet decodes to nothing', () => {
    const { buffer, decoder } = setUp();
    const arrivals = steady(60).map((packet) =>
      packet.sequence === 1_010 ? { ...packet, payload: new Uint8Array(0) } : packet,
    );
    const frames = playOut(buffer, arrivals, 1_260);
    expect(decoder.decoded).toHaveLength(60);
    // The empty packet's 20 ms are one frame of silence; every other packet is one frame of speech, on time.
    const firstSpeech = frames.findIndex((frame) => isFilledWith(frame, SPEECH));
    const between = frames.slice(firstSpeech, firstSpeech + 60);
    expect(between.filter((frame) => isFilledWith(frame, 0))).toHaveLength(1);
    expect(between.filter((frame) => isFilledWith(frame, SPEECH))).toHaveLength(59);
  });

  it('copies what a decoder hands out, so a decoder may reuse one output buffer', () => {
    // 30 ms packets, so a frame often ends inside one; packet 20 comes 120 ms late, and the buffer then stretches
    // speech (`conceal` calls) while the second half of a packet is still queued.
    const arrivals = transmit(send({ count: 40, ptimeMs: 30 })).map((packet, index) =>
      index === 20 ? { ...packet, arrivalMs: packet.arrivalMs + 120 } : packet,
    );
    const run = (reuseBuffer: boolean) => {
      const inner = new FakeVoiceDecoder();
      const shared = new Int16Array(2_880);
      const output = (samples: Int16Array): Int16Array => {
        if (!reuseBuffer) return samples;
        shared.set(samples);
        return shared.subarray(0, samples.length);
      };
      const buffer = new AdaptiveJitterBuffer({
        decoder: {
          codec: inner.codec,
          clockRate: inner.clockRate,
          decode: (payload) => output(inner.decode(payload)),
          conceal: (samples) => output(inner.conceal(samples)),
          dispose: () => {},
        },
      });
      const frames = playOut(buffer, arrivals, 1_600);
      return { frames, stats: buffer.stats() };
    };
    const fresh = run(false);
    const reused = run(true);
    expect(fresh.stats.inserted).toBeGreaterThan(0);
    expect(reused.frames).toEqual(fresh.frames);
  });

  it('takes a sequence gap before a talk spurt (the marker bit) for a pause, not for loss', () => {
    const { buffer, decoder } = setUp();
    // Between the spurts the sender used three sequence numbers for packets the RTP session does not hand to the
    // buffer (comfort noise, RFC 4733 events), and its timestamps moved on by the 500 ms pause.
    const first = transmit(send({ count: 25 }));
    const second = transmit(send({ count: 25, firstSequence: 1_028, firstTimestamp: 960 * 50 })).map(
      (packet) => ({
        ...packet,
        arrivalMs: packet.arrivalMs + 1_000,
      }),
    );
    const frames = playOut(buffer, [...first, ...second], 1_560);
    expect(decoder.decoded).toHaveLength(50);
    expect(frames.filter((frame) => isFilledWith(frame, SPEECH))).toHaveLength(50);
    expect(buffer.stats()).toMatchObject({ lost: 0, concealed: 0, late: 0 });
  });

  it('follows the sequence number past 65535 and the timestamp past 2^32', () => {
    const { buffer, decoder } = setUp();
    const sent = send({ count: 100, firstSequence: 65_500, firstTimestamp: 2 ** 32 - 960 * 40 });
    const arrivals = transmit(sent).filter((packet) => packet.sequence !== 2);
    playOut(buffer, arrivals, 2_200);
    const expected = Array.from({ length: 100 }, (_, index) => index).filter((index) => index !== 38);
    expect(decoder.decoded).toEqual(expected);
    expect(buffer.stats()).toMatchObject({ lost: 1, concealed: 1, late: 0 });
  });

  it('accepts extended sequence numbers as well as raw ones', () => {
    const { buffer, decoder } = setUp();
    const arrivals = transmit(send({ count: 100, firstSequence: 65_500 })).map((packet) => ({
      ...packet,
      sequence: packet.sequence < 65_500 ? packet.sequence + 65_536 : packet.sequence,
    }));
    playOut(buffer, arrivals, 2_200);
    expect(decoder.decoded).toHaveLength(100);
    expect(buffer.stats()).toMatchObject({ lost: 0, late: 0 });
  });

  it('restarts on a new sequence and timestamp base once two packets agree on it', () => {
    const { buffer, decoder } = setUp();
    const first = transmit(send({ count: 50 }));
    const second = transmit(send({ count: 50, firstSequence: 40_000, firstTimestamp: 3_000_000_000 })).map(
      (packet) => ({ ...packet, arrivalMs: packet.arrivalMs + 1_000 }),
    );
    playOut(buffer, [...first, ...second], 2_400);
    // The new stream's first packet was thrown away before the second confirmed the restart.
    expect(decoder.decoded).toEqual([
      ...Array.from({ length: 50 }, (_, index) => index),
      ...Array.from({ length: 49 }, (_, index) => index + 1),
    ]);
    expect(buffer.stats()).toMatchObject({ restarts: 1, discarded: 1, lost: 0 });
  });

  it('restarts when told the source changed, keeping its counters', () => {
    const { buffer, decoder } = setUp();
    playOut(buffer, transmit(send({ count: 10 })), 400);
    buffer.restart();
    const second = transmit(send({ count: 10, firstSequence: 7, firstTimestamp: 5 })).map((packet) => ({
      ...packet,
      arrivalMs: packet.arrivalMs + 400,
    }));
    playOut(buffer, second, 400, undefined, 400);
    expect(decoder.decoded).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i),
      ...Array.from({ length: 10 }, (_, i) => i),
    ]);
    expect(buffer.stats()).toMatchObject({ restarts: 1, received: 20, lost: 0 });
  });
});
