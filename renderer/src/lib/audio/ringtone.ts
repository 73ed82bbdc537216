// The ringtone synthesizer: plays a cadence of ring-cadence.ts on one or more output devices with plain Web Audio
// oscillators, nothing downloaded or decoded. A lookahead scheduler (wake every TICK_MS, schedule the tones that
// start in the next LOOKAHEAD_S on the context's own clock) keeps the rhythm exact however late the timer fires,
// and bounds what is ever queued to a second or two of tones. The context and the timer are injected: the tests
// hand in fakes and read what was scheduled.
import { type RingPattern, type ScheduledTone, envelope, tonesBetween } from './ring-cadence';

/** The parts of an AudioContext used here. `setSinkId` is missing where the browser cannot pick an output. */
export interface RingContext {
  readonly currentTime: number;
  readonly state: AudioContextState;
  readonly destination: AudioNode;
  createOscillator(): OscillatorNode;
  createGain(): GainNode;
  resume(): Promise<void>;
  close(): Promise<void>;
  setSinkId?(sinkId: string): Promise<void>;
  addEventListener(type: 'statechange', listener: () => void): void;
}

export interface RingTimer {
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const browserRingTimer: RingTimer = {
  every: (ms, tick) => {
    const handle = window.setInterval(tick, ms);
    return () => window.clearInterval(handle);
  },
};

/** A new AudioContext, or null where the page has none (jsdom, a very old browser). */
export function browserRingContext(): RingContext | null {
  return typeof AudioContext === 'undefined' ? null : new AudioContext({ latencyHint: 'playback' });
}

/**
 * `playing` sound goes out; `blocked` the browser holds the context until the person interacts with the page
 * (autoplay policy); `unavailable` no Web Audio here; `stopped` nothing is playing.
 */
export type RingPlayback = 'playing' | 'blocked' | 'unavailable' | 'stopped';

export const TICK_MS = 250;
/** More than a second: a page in the background gets its timers clamped to once a second, and must not go silent. */
export const LOOKAHEAD_S = 1.5;
/** The first tone starts this long after play(): time for the output to open without cutting its start. */
const START_DELAY_S = 0.05;

interface Output {
  readonly context: RingContext;
  /** The pattern's start on this context's clock. */
  readonly origin: number;
  /** Tones starting before this are already scheduled. */
  scheduledUntil: number;
  readonly live: { readonly stop: number; readonly nodes: readonly AudioScheduledSourceNode[] }[];
}

export interface RingtonePlayerOptions {
  readonly createContext: () => RingContext | null;
  readonly timer: RingTimer;
  /** Told whenever the playback state changes (for the live region). */
  readonly onChange?: (playback: RingPlayback) => void;
}

export class RingtonePlayer {
  #outputs: Output[] = [];
  #stopTicking: (() => void) | null = null;
  /** Bumped by every play() and stop(): an older play() still waiting for setSinkId gives up. */
  #generation = 0;
  #playback: RingPlayback = 'stopped';

  constructor(private readonly options: RingtonePlayerOptions) {}

  get playback(): RingPlayback {
    return this.#playback;
  }

  /**
   * Plays `pattern` on each sink ('' is the system default) until stop(). A sink the browser refuses (unplugged,
   * not allowed) falls back to the default output, once.
   */
  async play(pattern: RingPattern, sinkIds: readonly string[]): Promise<RingPlayback> {
    this.stop();
    const generation = this.#generation;
    const outputs: Output[] = [];
    const wanted = [...new Set(sinkIds.length === 0 ? [''] : sinkIds)];
    for (const sinkId of wanted) {
      const context = this.options.createContext();
      if (context === null) break;
      if (!(await this.#route(context, sinkId, wanted))) {
        void context.close().catch(() => undefined);
        continue;
      }
      if (generation !== this.#generation) {
        void context.close().catch(() => undefined);
        for (const output of outputs) void output.context.close().catch(() => undefined);
        return this.#playback;
      }
      const origin = context.currentTime + START_DELAY_S;
      const output: Output = { context, origin, scheduledUntil: origin, live: [] };
      outputs.push(output);
      context.addEventListener('statechange', () => {
        if (this.#outputs.includes(output)) this.#set(this.#state());
      });
      // Without a gesture on the page the context starts suspended; resume() then waits for one.
      if (context.state === 'suspended') void context.resume().catch(() => undefined);
    }
    if (outputs.length === 0) {
      this.#set('unavailable');
      return this.#playback;
    }
    this.#outputs = outputs;
    const tick = (): void => {
      for (const output of this.#outputs) this.#schedule(output, pattern);
    };
    tick();
    this.#stopTicking = this.options.timer.every(TICK_MS, tick);
    this.#set(this.#state());
    return this.#playback;
  }

  stop(): void {
    this.#generation += 1;
    this.#stopTicking?.();
    this.#stopTicking = null;
    const outputs = this.#outputs;
    this.#outputs = [];
    for (const output of outputs) {
      for (const tone of output.live) for (const node of tone.nodes) silence(node);
      void output.context.close().catch(() => undefined);
    }
    if (outputs.length > 0 || this.#playback !== 'stopped') this.#set('stopped');
  }

  /** Sends the context to `sinkId`; false when that cannot be done and the default already rings. */
  async #route(context: RingContext, sinkId: string, wanted: readonly string[]): Promise<boolean> {
    if (sinkId === '') return true;
    if (typeof context.setSinkId !== 'function') return !wanted.includes('');
    try {
      await context.setSinkId(sinkId);
      return true;
    } catch {
      return !wanted.includes('');
    }
  }

  #state(): RingPlayback {
    if (this.#outputs.length === 0) return 'stopped';
    return this.#outputs.some((output) => output.context.state === 'running') ? 'playing' : 'blocked';
  }

  #set(playback: RingPlayback): void {
    if (playback === this.#playback) return;
    this.#playback = playback;
    this.options.onChange?.(playback);
  }

  #schedule(output: Output, pattern: RingPattern): void {
    const { context } = output;
    const now = context.currentTime;
    // Tones that have finished hold nothing any more.
    while (output.live.length > 0 && output.live[0]!.stop <= now) output.live.shift();
    // A context that was suspended (or a timer that slept) does not catch up on tones already in the past.
    const from = Math.max(output.scheduledUntil, now);
    const to = now + LOOKAHEAD_S;
    for (const tone of tonesBetween(pattern, output.origin, from, to)) output.live.push(sound(context, tone));
    output.scheduledUntil = Math.max(output.scheduledUntil, to);
  }
}

function sound(
  context: RingContext,
  tone: ScheduledTone,
): { readonly stop: number; readonly nodes: AudioScheduledSourceNode[] } {
  const gain = context.createGain();
  const [first, ...rest] = envelope(tone);
  // Ramps run from the previous event, so the envelope is anchored at its first point.
  if (first) gain.gain.setValueAtTime(first.gain, first.time);
  for (const point of rest) gain.gain.linearRampToValueAtTime(point.gain, point.time);
  gain.connect(context.destination);
  const nodes = tone.frequencies.map((frequency) => {
    const oscillator = context.createOscillator();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start(tone.start);
    oscillator.stop(tone.stop);
    return oscillator;
  });
  return { stop: tone.stop, nodes };
}

function silence(node: AudioScheduledSourceNode): void {
  try {
    node.stop();
  } catch {
    // never started, or stopped already
  }
  node.disconnect();
}
