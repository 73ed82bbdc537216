// The receiving half of one RTP stream: which packets are believed and what they are numbered. Pure: the caller
// passes each parsed packet with its arrival time and gets a verdict back.
//
// - Only the negotiated payload types pass (the audio codec and telephone-event).
// - One source at a time. A packet with a new SSRC means the far end restarted its stream (a re-INVITE to another
//   media server, a transfer): sequence tracking (RFC 3550 A.1) and the jitter estimate (A.8) start over for it.
// - Sequence numbers are extended past the 16-bit wrap, and the numbers handed on keep counting up across a new
//   source or a restarted numbering, so the jitter buffer sees one ordered stream; the first packet of such a
//   change is marked as the start of a talk spurt so the buffer may re-anchor its playout there.
// - Packets on probation (the first of a source, A.1) are delivered: the first 20 ms of a call should play. A jump
//   the tracker calls 'bad' is not.
import { JitterEstimator, SequenceTracker, type LossReport } from './sequence';
import type { RtpPacket } from './rtp-packet';

export type RtpReceiveVerdict =
  | {
      readonly kind: 'audio' | 'event';
      /** Extended, and counting on across a new source or a restarted numbering. */
      readonly sequence: number;
      /** Start of a talk spurt: the packet's marker bit, or the first packet of a new numbering. */
      readonly marker: boolean;
      /** The far end's SSRC differs from the one it used before (never set for the very first packet). */
      readonly ssrcChanged: boolean;
    }
  | { readonly kind: 'discarded'; readonly reason: 'payload-type' | 'sequence-jump' };

export interface RtpReceiverOptions {
  readonly audioPayloadType: number;
  readonly audioClockRate: number;
  readonly telephoneEventPayloadType?: number;
}

/** Signed difference of two 16-bit sequence numbers, in [-32768, 32767]. */
function sequenceDelta(sequence: number, reference: number): number {
  return (((sequence - reference) & 0xffff) << 16) >> 16;
}

export class RtpReceiver {
  readonly #audioPayloadType: number;
  readonly #audioClockRate: number;
  readonly #eventPayloadType: number | undefined;
  #ssrc: number | undefined;
  #tracker: SequenceTracker | undefined;
  readonly #jitter = new JitterEstimator();
  /** Highest extended sequence of the current numbering, in the source's own count. */
  #highest = 0;
  /** Added to the source's extended numbers so what we hand on keeps counting up. */
  #offset = 0;
  #lastDelivered: number | undefined;
  #packets = 0;
  #bytes = 0;
  #sourceChanges = 0;
  #lastReport: LossReport | undefined;

  constructor(options: RtpReceiverOptions) {
    this.#audioPayloadType = options.audioPayloadType;
    this.#audioClockRate = options.audioClockRate;
    this.#eventPayloadType = options.telephoneEventPayloadType;
  }

  /** The far end's SSRC, once a packet has come. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  get packets(): number {
    return this.#packets;
  }

  /** Payload octets received. */
  get bytes(): number {
    return this.#bytes;
  }

  /** How often the far end's SSRC changed after its first packet. */
  get sourceChanges(): number {
    return this.#sourceChanges;
  }

  /** Interarrival jitter (A.8) in the audio clock's units. */
  get jitter(): JitterEstimator {
    return this.#jitter;
  }

  /** The sequence tracker of the current source (for report blocks), once a packet has come. */
  get tracker(): SequenceTracker | undefined {
    return this.#tracker;
  }

  /** The loss figures of the last report block we built, for `fractionLost` between reports. */
  get lastReport(): LossReport | undefined {
    return this.#lastReport;
  }

  /** A.3 figures for a report block; starts a new fraction-lost interval. */
  takeReport(): LossReport | undefined {
    const report = this.#tracker?.takeReport();
    if (report !== undefined) this.#lastReport = report;
    return report;
  }

  receive(packet: RtpPacket, arrivalMs: number): RtpReceiveVerdict {
    const isAudio = packet.payloadType === this.#audioPayloadType;
    if (!isAudio && packet.payloadType !== this.#eventPayloadType) {
      return { kind: 'discarded', reason: 'payload-type' };
    }
    let newSource = false;
    let ssrcChanged = false;
    if (this.#tracker === undefined || packet.ssrc !== this.#ssrc) {
      ssrcChanged = this.#ssrc !== undefined;
      if (ssrcChanged) this.#sourceChanges++;
      this.#ssrc = packet.ssrc;
      this.#tracker = new SequenceTracker(packet.sequenceNumber);
      this.#jitter.reset();
      this.#lastReport = undefined;
      this.#renumber(packet.sequenceNumber);
      newSource = true;
    }
    const verdict = this.#tracker.update(packet.sequenceNumber);
    if (verdict === 'bad') return { kind: 'discarded', reason: 'sequence-jump' };
    if (verdict === 'restarted') {
      this.#renumber(packet.sequenceNumber);
      newSource = true;
    }

    const extended = this.#highest + sequenceDelta(packet.sequenceNumber, this.#highest & 0xffff);
    if (extended > this.#highest) this.#highest = extended;
    const sequence = extended + this.#offset;
    this.#lastDelivered = Math.max(this.#lastDelivered ?? sequence, sequence);
    this.#packets++;
    this.#bytes += packet.payload.length;
    const marker = packet.marker || newSource;
    if (!isAudio) return { kind: 'event', sequence, marker, ssrcChanged };
    // A.8 over audio only: every packet of a telephone event repeats one timestamp, which is not jitter.
    this.#jitter.update((arrivalMs * this.#audioClockRate) / 1000, packet.timestamp);
    return { kind: 'audio', sequence, marker, ssrcChanged };
  }

  /** A new numbering begins at `first`: carry on one past the last number handed on. */
  #renumber(first: number): void {
    this.#highest = first;
    this.#offset = this.#lastDelivered === undefined ? 0 : this.#lastDelivered + 1 - first;
  }
}
