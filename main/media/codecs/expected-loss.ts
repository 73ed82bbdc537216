// How much loss the Opus encoder protects against with in-band FEC, from what the far end reports losing of our
// stream (RTCP report blocks, RFC 3550 §6.4.1: the fraction lost over each reporting interval, about 5 s).
//
// FEC is not free: at 10 % expected loss libopus spends a tenth more bits and about a quarter more encoding time
// on the LBRR copy of each frame, and at 0 % it spends nothing. So a call starts at 0 % and follows the reports.
// Loss comes in bursts and one report covers only its own interval: following the latest report alone would drop
// the protection the moment a bad spell pauses. The figure is therefore the highest of the last few reports,
// rising at once and falling only as the lossy ones leave the window, rounded up to a whole percent (a report of
// one packet in 256 still asks for some protection) and capped where FEC stops helping: beyond a few tens of
// percent most of the copies are lost with the packets that carry them.

/** Reports remembered: with RTCP's 5 s interval, about 20 s of history. */
export const LOSS_WINDOW_REPORTS = 4;
/** The most loss the encoder is told to expect, %. */
export const MAX_EXPECTED_LOSS_PERCENT = 25;

export class ExpectedLoss {
  readonly #recent: number[] = [];
  #percent = 0;

  /** The loss to protect against now, in whole percent (0 before any report). */
  get percent(): number {
    return this.#percent;
  }

  /**
   * Takes one report's fraction lost (0–1; anything else, such as a NaN from a broken report, counts as 0) and
   * returns the new expected loss in percent.
   */
  report(fractionLost: number): number {
    const fraction = Number.isFinite(fractionLost) ? Math.min(1, Math.max(0, fractionLost)) : 0;
    this.#recent.push(fraction);
    if (this.#recent.length > LOSS_WINDOW_REPORTS) this.#recent.shift();
    const worst = Math.max(...this.#recent);
    this.#percent = Math.min(MAX_EXPECTED_LOSS_PERCENT, Math.ceil(worst * 100));
    return this.#percent;
  }
}
