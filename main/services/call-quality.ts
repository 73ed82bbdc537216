// Turns the media worker's running counters for one call into what the contract reports: each interval's
// `call.quality` (loss over that interval, an E-model MOS), and at the end the summary the history keeps (MOS and
// jitter averaged over the reports, loss over the whole call).
//
// The reported loss is the network's (RTP sequence gaps). The MOS is fed the loss the listener hears instead: what
// the jitter buffer had to conceal, i.e. packets that never came or came too late, less those rebuilt from the next
// packet's FEC (Opus). A frame rebuilt from FEC is heard as a slightly coarser frame, not as a gap, so counting it
// as lost would undersell Opus under loss; a late packet is heard as a gap although the network delivered it.
import type { CallCodec, CallQualityDto, CallQualitySummaryDto } from '../contract/contract';
import type { StreamQuality } from '../media/media-seams';
import { estimateMos } from './e-model';

export class CallQualityTracker {
  readonly #callId: string;
  #codec: CallCodec | null = null;
  #packets = 0;
  #lost = 0;
  #bufferLost = 0;
  #bufferRecovered = 0;
  #reports = 0;
  #jitterSum = 0;
  #mosSum = 0;
  #mosCount = 0;

  constructor(callId: string) {
    this.#callId = callId;
  }

  /** The codec of the last report; null before any. */
  get codec(): CallCodec | null {
    return this.#codec;
  }

  /** One report from the media worker → the `call.quality` payload. */
  report(quality: StreamQuality): CallQualityDto {
    const { received } = quality;
    // Loss over this interval from the cumulative counters: what went missing since the last report, of what was
    // expected (received + lost). RFC 3550's cumulative loss goes down with duplicates; a negative step counts as 0.
    const newPackets = Math.max(0, received.packets - this.#packets);
    const newLost = Math.max(0, received.cumulativeLost - this.#lost);
    const expected = newPackets + newLost;
    const lossPercent = expected > 0 ? round((newLost / expected) * 100, 2) : 0;
    const heardLossPercent = this.#heardLossPercent(quality, expected);
    this.#packets = Math.max(this.#packets, received.packets);
    this.#lost = Math.max(0, received.cumulativeLost);
    this.#codec = quality.codec;
    const jitterMs = finiteOrZero(received.jitterMs);
    const jitterBufferDelayMs = finiteOrZero(quality.jitterBuffer.delayMs);
    const roundTripMs =
      quality.roundTripMs === null || !Number.isFinite(quality.roundTripMs) ? null : quality.roundTripMs;
    const mos =
      received.packets > 0
        ? estimateMos({
            codec: quality.codec,
            lossPercent: heardLossPercent,
            roundTripMs,
            jitterBufferDelayMs,
          })
        : null;
    this.#reports++;
    this.#jitterSum += jitterMs;
    if (mos !== null) {
      this.#mosSum += mos;
      this.#mosCount++;
    }
    return {
      callId: this.#callId,
      codec: quality.codec,
      sendBitrate: Math.round(finiteOrZero(quality.sendBitrate)),
      receiveBitrate: Math.round(finiteOrZero(quality.receiveBitrate)),
      jitterMs: round(jitterMs, 1),
      lossPercent,
      roundTripMs: roundTripMs === null ? null : round(roundTripMs, 1),
      jitterBufferDelayMs: Math.round(jitterBufferDelayMs),
      jitterBufferTargetMs: Math.round(finiteOrZero(quality.jitterBuffer.targetDelayMs)),
      lateFrames: count(quality.jitterBuffer.late),
      concealedFrames: count(quality.jitterBuffer.concealed),
      recoveredFrames: count(quality.jitterBuffer.recovered),
      mos,
    };
  }

  /**
   * Of the `expected` packets of this interval, the share the listener heard as concealment: the jitter buffer's
   * new lost frames (missing or late) less its new FEC-recovered ones, percent, at most 100.
   */
  #heardLossPercent(quality: StreamQuality, expected: number): number {
    const lost = count(quality.jitterBuffer.lost);
    const recovered = count(quality.jitterBuffer.recovered);
    const newLost = Math.max(0, lost - this.#bufferLost);
    const newRecovered = Math.min(newLost, Math.max(0, recovered - this.#bufferRecovered));
    this.#bufferLost = Math.max(this.#bufferLost, lost);
    this.#bufferRecovered = Math.max(this.#bufferRecovered, recovered);
    if (expected <= 0) return 0;
    return Math.min(100, ((newLost - newRecovered) / expected) * 100);
  }

  /** The history's summary; null when no report came (a call that never had media). */
  summary(): CallQualitySummaryDto | null {
    if (this.#reports === 0) return null;
    const expected = this.#packets + this.#lost;
    return {
      mos: this.#mosCount > 0 ? round(this.#mosSum / this.#mosCount, 2) : null,
      lossPercent: expected > 0 ? round((this.#lost / expected) * 100, 2) : 0,
      jitterMs: round(this.#jitterSum / this.#reports, 2),
    };
  }
}

/** The worker's counters are whole and never negative; anything else is reported as 0 rather than passed on. */
function count(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
