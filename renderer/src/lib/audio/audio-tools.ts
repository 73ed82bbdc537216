// The settings' two checks: a live microphone level meter and a speaker test tone. Each runs on its own short-lived
// AudioContext, apart from any call's session, and is handed to the view as an AudioTools so tests can fake it.
import { applySinkId } from './web-audio-session';
import {
  type GetUserMedia,
  type MicrophoneChoice,
  type MicrophoneOutcome,
  openMicrophone,
} from './microphone';

/** The quietest level the meter shows above zero: −60 dBFS. */
export const METER_FLOOR_DB = -60;

/** A block's loudness for the meter: RMS in dBFS, mapped from −60..0 dB onto 0..1. */
export function meterLevel(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let energy = 0;
  for (const sample of samples) energy += sample * sample;
  const rms = Math.sqrt(energy / samples.length);
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));
}

export interface Stoppable {
  stop(): void;
}

export interface AudioTools {
  /** Opens the microphone and reports its level (0..1) about 20 times a second until stopped. */
  meter(
    choice: MicrophoneChoice,
    onLevel: (level: number) => void,
  ): Promise<{ readonly outcome: MicrophoneOutcome; readonly meter: Stoppable | null }>;
  /** Plays a one-second 440 Hz tone on the output ('' = default); false when that output could not be used. */
  testTone(sinkId: string): Promise<boolean>;
}

const METER_INTERVAL_MS = 50;
const TEST_TONE_HZ = 440;
const TEST_TONE_S = 1;

export function webAudioTools(getUserMedia: GetUserMedia | null): AudioTools {
  return {
    async meter(choice, onLevel) {
      const outcome = await openMicrophone(getUserMedia, choice);
      if (outcome.kind !== 'open') return { outcome, meter: null };
      const context = new AudioContext();
      const analyser = new AnalyserNode(context, { fftSize: 2048 });
      context.createMediaStreamSource(outcome.stream).connect(analyser);
      const block = new Float32Array(analyser.fftSize);
      const timer = setInterval(() => {
        analyser.getFloatTimeDomainData(block);
        onLevel(meterLevel(block));
      }, METER_INTERVAL_MS);
      const meter: Stoppable = {
        stop() {
          clearInterval(timer);
          for (const track of outcome.stream.getTracks()) track.stop();
          void context.close().catch(() => undefined);
        },
      };
      return { outcome, meter };
    },

    async testTone(sinkId) {
      const context = new AudioContext();
      try {
        const applied = sinkId === '' || (await applySinkId(context, sinkId));
        const oscillator = new OscillatorNode(context, { frequency: TEST_TONE_HZ });
        const gain = new GainNode(context, { gain: 0 });
        // A short fade in and out: a tone that starts and stops at full level clicks.
        const start = context.currentTime + 0.05;
        gain.gain.setValueAtTime(0, start);
        gain.gain.linearRampToValueAtTime(0.3, start + 0.05);
        gain.gain.setValueAtTime(0.3, start + TEST_TONE_S - 0.05);
        gain.gain.linearRampToValueAtTime(0, start + TEST_TONE_S);
        oscillator.connect(gain).connect(context.destination);
        await context.resume();
        await new Promise<void>((done) => {
          oscillator.onended = () => done();
          oscillator.start(start);
          oscillator.stop(start + TEST_TONE_S);
        });
        return applied;
      } finally {
        void context.close().catch(() => undefined);
      }
    },
  };
}
