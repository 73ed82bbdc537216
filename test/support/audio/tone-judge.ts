// Judges a recording that should carry a known tone: how loud it is (RMS), how much of its energy sits in a band
// of ±10 % around the tone in 0.5 s windows (a received tone scores 0.84–1.00 there, speech 0.06–0.5, silence 0),
// and when the tone starts, to ±1 ms, so that a recording and the file played can be aligned.
//
// Band energy comes from the DFT bins of a Hann-windowed frame (Goertzel per bin); the frame's total energy from
// Parseval (Σ|X_k|² = N·Σ(w·x)²), so the share needs no full FFT.
import { monoFloat, type PcmAudio } from './wav';

export interface ToneJudgeOptions {
  readonly toneHz: number;
  /** Analysis window, seconds. Default 0.5. */
  readonly windowS?: number;
  /** Half-width of the band as a fraction of the tone. Default 0.1 (±10 %). */
  readonly bandFraction?: number;
  /** A window below this RMS (full scale = 1) is silent and has no share. Default 0.01. */
  readonly silenceRms?: number;
  /** An active window with at least this share counts as a tone window. Default 0.8. */
  readonly minToneShare?: number;
}

export interface WindowReport {
  readonly startS: number;
  readonly rms: number;
  /** Energy in the band over all energy, 0 for silent windows. */
  readonly toneShare: number;
}

export interface ToneReport {
  readonly durationS: number;
  /** RMS of the whole recording (full scale = 1). */
  readonly rms: number;
  readonly windows: readonly WindowReport[];
  /** Windows louder than `silenceRms`. */
  readonly activeWindows: number;
  /** Active windows whose share reaches `minToneShare`. */
  readonly toneWindows: number;
  /** Lowest share among the active windows; NaN when none is active. */
  readonly minActiveShare: number;
  /** RMS over the tone windows only, the level to compare with the source's; NaN without tone windows. */
  readonly toneRms: number;
  /** When the tone starts, seconds from the start of the recording; null when it never does. */
  readonly toneStartS: number | null;
}

export function analyzeTone(audio: PcmAudio, options: ToneJudgeOptions): ToneReport {
  const signal = monoFloat(audio);
  const rate = audio.sampleRate;
  const windowLength = Math.max(1, Math.round((options.windowS ?? 0.5) * rate));
  const band = options.bandFraction ?? 0.1;
  const silenceRms = options.silenceRms ?? 0.01;
  const minShare = options.minToneShare ?? 0.8;

  const windows: WindowReport[] = [];
  let toneEnergy = 0;
  let toneSamples = 0;
  for (let start = 0; start + windowLength <= signal.length; start += windowLength) {
    const frame = signal.subarray(start, start + windowLength);
    const rms = rmsOf(frame);
    const toneShare = rms < silenceRms ? 0 : bandShare(frame, rate, options.toneHz, band);
    windows.push({ startS: start / rate, rms, toneShare });
    if (rms >= silenceRms && toneShare >= minShare) {
      toneEnergy += rms * rms * windowLength;
      toneSamples += windowLength;
    }
  }
  const active = windows.filter((window) => window.rms >= silenceRms);
  return {
    durationS: signal.length / rate,
    rms: rmsOf(signal),
    windows,
    activeWindows: active.length,
    toneWindows: active.filter((window) => window.toneShare >= minShare).length,
    minActiveShare: active.length === 0 ? Number.NaN : Math.min(...active.map((window) => window.toneShare)),
    toneRms: toneSamples === 0 ? Number.NaN : Math.sqrt(toneEnergy / toneSamples),
    toneStartS: toneOnsetS(signal, rate, options.toneHz, silenceRms),
  };
}

/** 20·log10 of an RMS (full scale = 1): dBFS for a full-scale square wave reference. */
export function decibels(rms: number): number {
  return 20 * Math.log10(rms);
}

export function rmsOf(signal: Float32Array): number {
  if (signal.length === 0) return 0;
  let sum = 0;
  for (const sample of signal) sum += sample * sample;
  return Math.sqrt(sum / signal.length);
}

/** Share of a frame's energy in the DFT bins within ±`band`·tone of the tone (Hann window). */
export function bandShare(frame: Float32Array, rate: number, toneHz: number, band: number): number {
  const length = frame.length;
  const windowed = new Float64Array(length);
  let total = 0;
  for (let index = 0; index < length; index++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * index) / length);
    windowed[index] = frame[index]! * hann;
    total += windowed[index]! * windowed[index]!;
  }
  if (total === 0) return 0;
  const nyquistBin = Math.floor(length / 2);
  const lowBin = Math.max(1, Math.ceil((toneHz * (1 - band) * length) / rate));
  const highBin = Math.min(nyquistBin, Math.floor((toneHz * (1 + band) * length) / rate));
  let inBand = 0;
  for (let bin = lowBin; bin <= highBin; bin++) {
    // Bins k and N−k carry the same energy for a real signal (except Nyquist itself).
    const twice = bin === nyquistBin && length % 2 === 0 ? 1 : 2;
    inBand += twice * goertzelPower(windowed, (2 * Math.PI * bin) / length);
  }
  return Math.min(1, inBand / (length * total));
}

/** |X(ω)|² of `samples` at angular frequency ω (radians per sample). */
function goertzelPower(samples: Float64Array | Float32Array, omega: number): number {
  const coefficient = 2 * Math.cos(omega);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
}

const ONSET_WINDOW_S = 0.01;
const ONSET_HOP_S = 0.001;

/**
 * Where the tone starts: the tone's amplitude is measured in 10 ms windows every 1 ms; a step onset at t puts the
 * window reaching half the steady amplitude centred on t (half the window then holds tone); a tone already
 * playing when the recording begins starts at 0.
 */
function toneOnsetS(signal: Float32Array, rate: number, toneHz: number, silenceRms: number): number | null {
  const length = Math.round(ONSET_WINDOW_S * rate);
  const hop = Math.max(1, Math.round(ONSET_HOP_S * rate));
  const omega = (2 * Math.PI * toneHz) / rate;
  const amplitudes: number[] = [];
  for (let start = 0; start + length <= signal.length; start += hop) {
    // A sinusoid of amplitude A over N samples gives |X| ≈ A·N/2.
    amplitudes.push((2 * Math.sqrt(goertzelPower(signal.subarray(start, start + length), omega))) / length);
  }
  if (amplitudes.length === 0) return null;
  // The steady level: the 90th percentile, so a few codec spikes do not set it.
  const sorted = [...amplitudes].sort((a, b) => a - b);
  const steady = sorted[Math.floor(0.9 * (sorted.length - 1))]!;
  // A tone at the silence threshold's RMS has amplitude √2 times it.
  if (steady < silenceRms * Math.SQRT2) return null;
  const half = steady / 2;
  const first = amplitudes.findIndex((amplitude) => amplitude >= half);
  // Already half there in the first window: the tone was playing when the recording began.
  if (first === 0) return 0;
  // The amplitude grows linearly with the overlap, so interpolate between the two windows around the crossing.
  const before = amplitudes[first - 1]!;
  const after = amplitudes[first]!;
  const crossing = (first - 1 + (half - before) / (after - before)) * hop;
  return (crossing + length / 2) / rate;
}
