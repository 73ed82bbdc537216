// Packet-loss concealment for G.711, in the spirit of ITU-T G.711 Appendix I but smaller: at 8 kHz, when a packet
// is missing, find the pitch period of the last 20 ms heard (normalised autocorrelation over lags of 5–15 ms),
// repeat the last period cyclically, hold the level for 10 ms and then fade linearly to silence at 60 ms (so the
// fade itself spans 50 ms: a long gap sounds like a gap, not a stuck buzz). When audio returns, the first 4 ms of
// it are cross-faded with the continuing repetition so the seam does not click.

const SAMPLE_RATE = 8000;
/** Pitch lags searched: 5–15 ms (200 Hz down to 66 Hz), as Appendix I does; a multiple of a higher voice's period is as good. */
const MIN_PITCH = 40;
const MAX_PITCH = 120;
/** The stretch of recent audio whose self-similarity picks the period: 20 ms. */
const CORRELATION_WINDOW = 160;
const HISTORY = MAX_PITCH + CORRELATION_WINDOW;
/** Full level for the first 10 ms of a loss, then a linear fade that reaches silence 50 ms later. */
const HOLD_SAMPLES = (10 * SAMPLE_RATE) / 1000;
const FADE_SAMPLES = (50 * SAMPLE_RATE) / 1000;
/** Cross-fade from the repetition into returning audio: 4 ms. */
const MERGE_SAMPLES = (4 * SAMPLE_RATE) / 1000;

export class G711Concealment {
  /** The last HISTORY samples heard, oldest first. */
  private readonly history = new Float64Array(HISTORY);
  private heard = 0;
  /** The waveform being repeated during a loss (null while nothing is lost). */
  private pattern: Float64Array | null = null;
  /** Samples concealed so far in the current loss: the position in the pattern and in the fade. */
  private concealed = 0;

  /** Whether the last output was concealment (the next heard audio will be merged). */
  get concealing(): boolean {
    return this.pattern !== null;
  }

  /** Records decoded audio (8 kHz) and, right after a loss, merges its start with the repetition in place. */
  heardAudio(samples: Int16Array): void {
    if (this.pattern !== null) {
      const merge = Math.min(MERGE_SAMPLES, samples.length);
      for (let i = 0; i < merge; i++) {
        const weight = (i + 1) / (merge + 1);
        const repeated = this.nextConcealedSample();
        samples[i] = Math.round(weight * samples[i]! + (1 - weight) * repeated);
      }
      this.pattern = null;
      this.concealed = 0;
    }
    this.remember(samples);
  }

  /** `count` samples (8 kHz) standing in for lost audio; silence when nothing has been heard yet. */
  conceal(count: number): Int16Array {
    const out = new Int16Array(count);
    if (this.heard === 0) return out;
    if (this.pattern === null) this.pattern = this.lastPeriod();
    for (let i = 0; i < count; i++) out[i] = Math.round(this.nextConcealedSample());
    return out;
  }

  private nextConcealedSample(): number {
    const pattern = this.pattern!;
    const position = this.concealed++;
    const faded = position - HOLD_SAMPLES;
    const gain = faded <= 0 ? 1 : Math.max(0, 1 - faded / FADE_SAMPLES);
    return gain === 0 ? 0 : gain * pattern[position % pattern.length]!;
  }

  private remember(samples: Int16Array): void {
    const keep = Math.min(samples.length, HISTORY);
    this.history.copyWithin(0, keep);
    for (let i = 0; i < keep; i++) this.history[HISTORY - keep + i] = samples[samples.length - keep + i]!;
    this.heard = Math.min(HISTORY, this.heard + samples.length);
  }

  /** The last pitch period heard: the lag whose shifted copy of the last 20 ms matches it best. */
  private lastPeriod(): Float64Array {
    const history = this.history;
    const windowStart = HISTORY - CORRELATION_WINDOW;
    let bestLag = MAX_PITCH;
    let bestScore = -Infinity;
    for (let lag = MIN_PITCH; lag <= MAX_PITCH; lag++) {
      let cross = 0;
      let energy = 0;
      for (let n = windowStart; n < HISTORY; n++) {
        const lagged = history[n - lag]!;
        cross += history[n]! * lagged;
        energy += lagged * lagged;
      }
      const score = energy > 0 ? cross / Math.sqrt(energy) : 0;
      if (score > bestScore) {
        bestScore = score;
        bestLag = lag;
      }
    }
    // Repetition continues from one period back: sample HISTORY − lag is what followed sample HISTORY − lag − 1,
    // so it is the natural successor of the last sample heard when the signal is periodic.
    return history.slice(HISTORY - bestLag);
  }
}
