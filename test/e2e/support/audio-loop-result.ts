// What the audio loop page (audio-loop-page/main.ts, which runs in Chromium) hands back to the test.
export interface LoopResult {
  readonly microphone: string;
  readonly contextRate: number;
  readonly frames: number;
  readonly wrongLength: number;
  /** The last second sent to the channel (48 kHz Int16). */
  readonly captured: number[];
  /** The last 32768 samples the playback node put out (context rate, float). */
  readonly played: number[];
  /** The playback worklet's counters (underruns, overruns, samples received and held). */
  readonly stats: unknown;
}

export interface LagResult {
  readonly contextRate: number;
  /** The context's own processing delay, as it reports it (seconds). */
  readonly baseLatency: number;
  /** The microphone's signal and the playback node's output over the same 32768 render frames. */
  readonly input: number[];
  readonly played: number[];
}
