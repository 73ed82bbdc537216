// The round trip of the window's audio, read off two recordings on one clock: the click track as the microphone
// delivered it and as the speaker played it back after the far end reflected it. Each click is a short tone burst
// (it survives G.711 and Chromium's capture processing, where a one-sample impulse would not); its onset is where
// the burst's envelope first reaches half of its peak, and the round trip of one click is the speaker onset minus
// the microphone onset.
import type { PcmAudio } from '../../test/support/audio/wav';

export interface ClickTrackOptions {
  /** Seconds between clicks; must exceed the longest round trip expected. Default 1. */
  readonly periodS?: number;
  /** Length of the file; Chromium loops a fake microphone file, so keep it a whole number of periods. */
  readonly durationS: number;
  readonly sampleRate?: number;
  /** The burst: a tone of this frequency, this long, under a Hann envelope. Defaults 1 kHz, 10 ms. */
  readonly toneHz?: number;
  readonly burstS?: number;
  /** Peak, fraction of full scale. Default 0.5. */
  readonly amplitude?: number;
}

export function clickTrack(options: ClickTrackOptions): PcmAudio {
  const rate = options.sampleRate ?? 48_000;
  const period = Math.round((options.periodS ?? 1) * rate);
  const burst = Math.round((options.burstS ?? 0.01) * rate);
  const toneHz = options.toneHz ?? 1_000;
  const peak = (options.amplitude ?? 0.5) * 32767;
  const samples = new Int16Array(Math.round(options.durationS * rate));
  for (let start = 0; start + burst <= samples.length; start += period) {
    for (let index = 0; index < burst; index++) {
      const envelope = 0.5 - 0.5 * Math.cos((2 * Math.PI * index) / (burst - 1));
      samples[start + index] = Math.round(peak * envelope * Math.sin((2 * Math.PI * toneHz * index) / rate));
    }
  }
  return { sampleRate: rate, channels: 1, samples };
}

/** The envelope: the largest magnitude in each block of `block` samples. */
function envelope(samples: Int16Array, block: number): Float32Array {
  const out = new Float32Array(Math.floor(samples.length / block));
  for (let index = 0; index < out.length; index++) {
    let peak = 0;
    for (let at = index * block; at < (index + 1) * block; at++)
      peak = Math.max(peak, Math.abs(samples[at]!));
    out[index] = peak / 32768;
  }
  return out;
}

export interface OnsetOptions {
  /** A burst quieter than this peak (full scale = 1) is not a click. Default 0.02. */
  readonly minPeak?: number;
  /** After an onset, no other for this long (the burst and its ringing). Default 0.3 s. */
  readonly holdOffS?: number;
}

/**
 * Click onsets in seconds from the recording's start, to 0.25 ms: the first envelope block that reaches half of
 * the loudest block within the next 30 ms.
 */
export function clickOnsets(audio: PcmAudio, options: OnsetOptions = {}): number[] {
  if (audio.channels !== 1) throw new Error('clickOnsets reads mono audio');
  const block = Math.max(1, Math.round(audio.sampleRate / 4_000));
  const env = envelope(audio.samples, block);
  const blockS = block / audio.sampleRate;
  const minPeak = options.minPeak ?? 0.02;
  const holdOff = Math.round((options.holdOffS ?? 0.3) / blockS);
  const lookAhead = Math.round(0.03 / blockS);
  const onsets: number[] = [];
  for (let index = 0; index < env.length; index++) {
    if (env[index]! < minPeak / 2) continue;
    let peak = 0;
    for (let at = index; at < Math.min(env.length, index + lookAhead); at++) peak = Math.max(peak, env[at]!);
    if (peak < minPeak) continue;
    let onset = index;
    while (env[onset]! < peak / 2) onset++;
    onsets.push(onset * blockS);
    index = onset + holdOff;
  }
  return onsets;
}

export interface RoundTrip {
  /** One delay per click heard back, seconds. */
  readonly delaysS: readonly number[];
  /** Microphone clicks with no speaker click within `maxS` after them. */
  readonly unanswered: number;
}

/** Pairs each microphone click with the first speaker click after it, within `maxS`. */
export function roundTrips(microphone: readonly number[], speaker: readonly number[], maxS = 0.5): RoundTrip {
  const delaysS: number[] = [];
  let unanswered = 0;
  let next = 0;
  for (const sent of microphone) {
    while (next < speaker.length && speaker[next]! < sent) next++;
    const heard = speaker[next];
    if (heard === undefined || heard - sent > maxS) {
      unanswered++;
      continue;
    }
    delaysS.push(heard - sent);
    next++;
  }
  return { delaysS, unanswered };
}
