// How much delay the jitter buffer needs, from what the network did to recent packets.
//
// Each packet's "relative delay" is how much later it arrived than the fastest recent packet would have had it
// carry the same media time: r = (arrival − media time) − min over the last BASELINE_WINDOW_MS of (arrival − media
// time). A packet with r ms must wait at most r ms less than the fastest one, so a buffer that holds the fastest
// packet for max(r) plus one pull period (a packet can land just after the pull that needed it) never drops one
// for lateness. The baseline is a short sliding minimum rather than the minimum since the call began, so a sender
// whose clock runs fast or slow (drift) moves the baseline with it instead of looking like ever-growing jitter.
//
// The target is the largest r seen in the last PEAK_WINDOW_MS, kept as one maximum per one-second bucket: it
// follows a burst of jitter at once and forgets it only after the whole window has passed without one. This is
// the peak-hold idea of WebRTC NetEQ's delay peak detector (which keeps the target at the recent peak height while
// peaks recur) taken on its own, instead of the high percentile of NetEQ's inter-arrival histogram: a percentile
// lets the top few per cent of packets arrive late by design, and once adapted no packet should be lost to
// lateness.
//
//   arrival − media (ms)
//      │        •            •           ← the largest rise above the baseline in the peak window sets the target
//      │  •  •    •  •    •     •  •
//      │ ───────────────────────────── ← baseline: sliding minimum (drifts with the sender's clock)
//      └──────────────────────────────► arrival time
import { FRAME_MS } from '../media-seams';

/** The sliding minimum behind the relative delay: short, so 0.5 % drift moves it by at most 10 ms. */
export const BASELINE_WINDOW_MS = 2_000;
/** How long a jitter peak holds the target up. */
export const PEAK_WINDOW_MS = 10_000;
const BUCKET_MS = 1_000;

export interface DelayLimits {
  /** Never aim lower than this (at least one frame: a packet may arrive just after the pull that wanted it). */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Added to the peak so a peak a little higher than the last one is still on time: as much as the peak itself,
   * up to this, so a network without jitter keeps the minimum delay.
   */
  readonly safetyMs: number;
}

export const DEFAULT_DELAY_LIMITS: DelayLimits = { minDelayMs: FRAME_MS, maxDelayMs: 300, safetyMs: 10 };

interface Bucket {
  readonly index: number;
  /** Smallest arrival − media time seen in this second. */
  minimumOffsetMs: number;
  /** Largest relative delay seen in this second. */
  peakMs: number;
}

export class DelayEstimator {
  readonly #limits: DelayLimits;
  /** Oldest first; at most PEAK_WINDOW_MS / BUCKET_MS + 1 of them. */
  #buckets: Bucket[] = [];

  constructor(limits: DelayLimits = DEFAULT_DELAY_LIMITS) {
    this.#limits = limits;
  }

  /** Records one packet; returns its relative delay (ms, ≥ 0). */
  observe(arrivalMs: number, mediaMs: number): number {
    const offset = arrivalMs - mediaMs;
    const index = Math.floor(arrivalMs / BUCKET_MS);
    let current = this.#buckets.at(-1);
    if (current === undefined || current.index < index) {
      current = { index, minimumOffsetMs: offset, peakMs: 0 };
      this.#buckets.push(current);
    } else {
      current.minimumOffsetMs = Math.min(current.minimumOffsetMs, offset);
    }
    const oldestKept = index - PEAK_WINDOW_MS / BUCKET_MS;
    while ((this.#buckets[0]?.index ?? index) < oldestKept) this.#buckets.shift();
    // Rounded to microseconds so floating-point dust in the arrival times does not show up as jitter.
    const relative = Math.max(0, Math.round((offset - (this.baselineMs ?? offset)) * 1_000) / 1_000);
    current.peakMs = Math.max(current.peakMs, relative);
    return relative;
  }

  /** min(arrival − media time) over the baseline window, or null before the first packet (of this base). */
  get baselineMs(): number | null {
    const newest = this.#buckets.at(-1);
    if (newest === undefined) return null;
    const from = newest.index - BASELINE_WINDOW_MS / BUCKET_MS + 1;
    let baseline = Number.POSITIVE_INFINITY;
    for (const bucket of this.#buckets) {
      if (bucket.index >= from) baseline = Math.min(baseline, bucket.minimumOffsetMs);
    }
    // Infinite when every offset in the window came from before a restart of the timestamp base.
    return Number.isFinite(baseline) ? baseline : null;
  }

  /** Largest relative delay in the peak window. */
  get peakMs(): number {
    return this.#buckets.reduce((peak, bucket) => Math.max(peak, bucket.peakMs), 0);
  }

  /** The delay to aim for: the peak, one pull period and the safety margin, within the limits. */
  get targetMs(): number {
    const peak = this.peakMs;
    const wanted = peak + FRAME_MS + Math.min(peak, this.#limits.safetyMs);
    return Math.min(this.#limits.maxDelayMs, Math.max(this.#limits.minDelayMs, wanted));
  }

  /**
   * The sender restarted its timestamps: old offsets mean nothing against the new base, but the jitter the
   * network showed is still the network's, so the peaks are kept.
   */
  restartBase(): void {
    for (const bucket of this.#buckets) bucket.minimumOffsetMs = Number.POSITIVE_INFINITY;
  }
}
