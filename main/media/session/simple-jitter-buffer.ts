// STAND-IN until the adaptive jitter buffer of main/media/jitter/ is merged: a fixed playout delay (two frames after
// the first packet), packets ordered by RTP timestamp, late ones dropped, a missing one concealed by the decoder,
// an empty buffer answered with silence. Bounded to one second of packets. Only stand-in-pieces.ts uses it.
import {
  ENGINE_SAMPLE_RATE,
  FRAME_MS,
  FRAME_SAMPLES,
  type JitterBuffer,
  type JitterBufferStats,
  type ReceivedAudioPacket,
  type VoiceDecoder,
} from '../media-seams';

const FIXED_DELAY_MS = 2 * FRAME_MS;
const MAX_PACKETS = 50;

/** a − b for RTP timestamps, which wrap at 2^32. */
function timestampDelta(a: number, b: number): number {
  return (a - b) | 0;
}

export class SimpleJitterBuffer implements JitterBuffer {
  readonly #decoder: VoiceDecoder;
  /** RTP clock ticks per 48 kHz sample. */
  readonly #ticksPerSample: number;
  readonly #packets: ReceivedAudioPacket[] = [];
  #pending: Int16Array = new Int16Array(0);
  #nextTimestamp: number | undefined;
  #playFromMs: number | undefined;
  #received = 0;
  #duplicates = 0;
  #late = 0;
  #lost = 0;
  #concealed = 0;

  constructor(decoder: VoiceDecoder) {
    this.#decoder = decoder;
    this.#ticksPerSample = decoder.clockRate / ENGINE_SAMPLE_RATE;
  }

  push(packet: ReceivedAudioPacket): void {
    if (this.#playFromMs === undefined) {
      this.#playFromMs = packet.arrivalMs + FIXED_DELAY_MS;
      this.#nextTimestamp = packet.timestamp;
    }
    if (this.#nextTimestamp !== undefined && timestampDelta(packet.timestamp, this.#nextTimestamp) < 0) {
      this.#late++;
      return;
    }
    if (this.#packets.some((held) => held.timestamp === packet.timestamp)) {
      this.#duplicates++;
      return;
    }
    this.#received++;
    if (this.#packets.length >= MAX_PACKETS) this.#packets.shift();
    this.#packets.push(packet);
    this.#packets.sort((a, b) => timestampDelta(a.timestamp, b.timestamp));
  }

  pull(nowMs: number): Int16Array {
    const out = new Int16Array(FRAME_SAMPLES);
    if (this.#playFromMs === undefined || nowMs < this.#playFromMs) return out;
    let filled = 0;
    while (filled < FRAME_SAMPLES) {
      if (this.#pending.length === 0 && !this.#refill()) break;
      const take = Math.min(FRAME_SAMPLES - filled, this.#pending.length);
      out.set(this.#pending.subarray(0, take), filled);
      this.#pending = this.#pending.subarray(take);
      filled += take;
    }
    return out;
  }

  stats(): JitterBufferStats {
    const heldSamples =
      this.#pending.length +
      this.#packets.reduce((sum, packet, index, all) => {
        const next = all[index + 1];
        return (
          sum +
          (next === undefined
            ? FRAME_SAMPLES
            : timestampDelta(next.timestamp, packet.timestamp) / this.#ticksPerSample)
        );
      }, 0);
    return {
      delayMs: (heldSamples * 1000) / ENGINE_SAMPLE_RATE,
      targetDelayMs: FIXED_DELAY_MS,
      received: this.#received,
      duplicates: this.#duplicates,
      late: this.#late,
      lost: this.#lost,
      concealed: this.#concealed,
      recovered: 0,
    };
  }

  /** Decodes the next packet in timestamp order into #pending, or conceals the gap before it. */
  #refill(): boolean {
    const next = this.#packets[0];
    const expected = this.#nextTimestamp;
    if (next === undefined || expected === undefined) return false;
    if (timestampDelta(next.timestamp, expected) > 0) {
      this.#lost++;
      this.#concealed++;
      this.#pending = this.#decoder.conceal(FRAME_SAMPLES);
      this.#nextTimestamp = (expected + Math.round(FRAME_SAMPLES * this.#ticksPerSample)) >>> 0;
      return true;
    }
    this.#packets.shift();
    this.#pending = this.#decoder.decode(next.payload);
    this.#nextTimestamp = (next.timestamp + Math.round(this.#pending.length * this.#ticksPerSample)) >>> 0;
    return this.#pending.length > 0;
  }
}
