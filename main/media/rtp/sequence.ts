// Receiver-side bookkeeping for one RTP source, after RFC 3550 Appendix A: the sequence-number validity check
// (A.1), the loss figures of a reception report (A.3) and the interarrival jitter estimate (A.8). Pure state
// machines: the caller hands in sequence numbers and arrival times, nothing here reads a clock.
//
//   first packet ──► probation (MIN_SEQUENTIAL in-order packets needed) ──► valid
//   valid: delta < MAX_DROPOUT ahead      → accept (a wrap past 65535 adds a cycle)
//          delta ≥ 65536 - MAX_MISORDER   → accept (a late or duplicate packet; counted as received)
//          otherwise (a big jump)         → 'bad', unless the very next packet follows it: then the source is
//                                           taken to have restarted and the tracker starts over from there.

const SEQUENCE_MODULO = 1 << 16;
/** A.1: packets in sequence before a new source is believed. */
export const MIN_SEQUENTIAL = 2;
/** A.1: the largest forward jump still taken as loss rather than a restart. */
export const MAX_DROPOUT = 3000;
/** A.1: how far behind the highest sequence a packet may be and still be a late arrival. */
export const MAX_MISORDER = 100;

export type SequenceVerdict = 'accepted' | 'probation' | 'bad' | 'restarted';

/** A.3's figures for one reception report block (§6.4.1). */
export interface LossReport {
  /** Extended highest sequence number received: cycles in the top 16 bits. */
  readonly extendedHighestSequence: number;
  /** Packets expected since the start, minus those received; negative with duplicates, clamped to 24 bits. */
  readonly cumulativeLost: number;
  /** Loss over the interval since the previous report, in 1/256ths (0 when nothing or less than nothing). */
  readonly fractionLost: number;
  readonly expected: number;
  readonly received: number;
}

const MAX_CUMULATIVE_LOST = 0x7fffff;
const MIN_CUMULATIVE_LOST = -0x800000;

export class SequenceTracker {
  #maxSequence: number;
  /** Wraps counted so far, times 65536 (A.1 keeps it shifted). */
  #cycles = 0;
  #baseSequence: number;
  /** One past the sequence of the last 'bad' packet: if the next packet is this, the source restarted. */
  #badSequence = SEQUENCE_MODULO + 1;
  #probation: number;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;

  /**
   * Starts tracking at the first packet seen from a source (A.1 init_seq). Feed that packet to `update` as well:
   * it is the first of the MIN_SEQUENTIAL packets probation needs.
   */
  constructor(firstSequence: number) {
    this.#maxSequence = firstSequence - 1;
    this.#baseSequence = firstSequence;
    this.#probation = MIN_SEQUENTIAL;
  }

  /** Whether the source has passed probation and its packets should be played. */
  get valid(): boolean {
    return this.#probation === 0;
  }

  get received(): number {
    return this.#received;
  }

  get extendedHighestSequence(): number {
    return this.#cycles + this.#maxSequence;
  }

  /** Feeds one received sequence number (A.1 update_seq). */
  update(sequence: number): SequenceVerdict {
    const delta = (sequence - this.#maxSequence + SEQUENCE_MODULO) % SEQUENCE_MODULO;

    if (this.#probation > 0) {
      if (sequence === (this.#maxSequence + 1) % SEQUENCE_MODULO) {
        this.#probation--;
        this.#maxSequence = sequence;
        if (this.#probation === 0) {
          this.#restart(sequence);
          this.#received++;
          return 'accepted';
        }
      } else {
        // Out of order while on probation: begin the count again from this packet.
        this.#probation = MIN_SEQUENTIAL - 1;
        this.#maxSequence = sequence;
      }
      return 'probation';
    }

    if (delta < MAX_DROPOUT) {
      // In order, possibly with a gap. A sequence number below the previous maximum here means it wrapped.
      if (sequence < this.#maxSequence) this.#cycles += SEQUENCE_MODULO;
      this.#maxSequence = sequence;
    } else if (delta <= SEQUENCE_MODULO - MAX_MISORDER) {
      // A jump too large to be loss. Two in a row (this and the one after) mean the sender restarted its
      // numbering, e.g. after a reboot, without changing SSRC; one alone is dropped.
      if (sequence === this.#badSequence) {
        this.#restart(sequence);
        this.#received++;
        return 'restarted';
      }
      this.#badSequence = (sequence + 1) % SEQUENCE_MODULO;
      return 'bad';
    }
    // Otherwise a duplicate or a reordered packet: counted, the maximum stays.
    this.#received++;
    return 'accepted';
  }

  /** The figures `takeReport` would give now, without starting a new fraction-lost interval (for live stats). */
  peekReport(): LossReport {
    const expectedPrior = this.#expectedPrior;
    const receivedPrior = this.#receivedPrior;
    const report = this.takeReport();
    this.#expectedPrior = expectedPrior;
    this.#receivedPrior = receivedPrior;
    return report;
  }

  /**
   * A.3: the loss figures for a report block, taken now; the "fraction lost" interval starts again from here, so
   * call this once per report sent.
   */
  takeReport(): LossReport {
    const extendedHighestSequence = this.extendedHighestSequence;
    const expected = extendedHighestSequence - this.#baseSequence + 1;
    const lost = expected - this.#received;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return {
      extendedHighestSequence: extendedHighestSequence >>> 0,
      cumulativeLost: Math.min(MAX_CUMULATIVE_LOST, Math.max(MIN_CUMULATIVE_LOST, lost)),
      fractionLost: Math.min(255, fractionLost),
      expected,
      received: this.#received,
    };
  }

  #restart(sequence: number): void {
    this.#baseSequence = sequence;
    this.#maxSequence = sequence;
    this.#badSequence = SEQUENCE_MODULO + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#expectedPrior = 0;
    this.#receivedPrior = 0;
  }
}

/**
 * A.8 / §6.4.1: interarrival jitter, the smoothed mean deviation (gain 1/16) of the difference in transit time
 * between consecutive packets, in timestamp units. Arrival times must be in the same units as the RTP timestamp
 * (the payload's clock rate); both are taken modulo 2^32 so a timestamp wrap does not look like a huge jump.
 */
export class JitterEstimator {
  #jitter = 0;
  #lastTransit: number | undefined;

  /** Feeds one packet: its arrival time in timestamp units and its RTP timestamp. */
  update(arrival: number, rtpTimestamp: number): void {
    const transit = (Math.floor(arrival) - rtpTimestamp) >>> 0;
    if (this.#lastTransit !== undefined) {
      // Signed 32-bit difference of two modular values.
      const difference = Math.abs((transit - this.#lastTransit) | 0);
      this.#jitter += (difference - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  /** The current estimate in timestamp units. */
  get jitter(): number {
    return this.#jitter;
  }

  /** The value for a report block's jitter field: an unsigned 32-bit integer (§6.4.1). */
  get reportValue(): number {
    return Math.min(0xffffffff, Math.floor(this.#jitter));
  }

  /** Forgets the history, e.g. when the source's SSRC changes and its clock is a different one. */
  reset(): void {
    this.#jitter = 0;
    this.#lastTransit = undefined;
  }
}
