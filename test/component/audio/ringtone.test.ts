// The RingtonePlayer on a fake AudioContext and a manual timer: what it schedules on the context's clock, that it
// schedules only a bounded lookahead, that it rings on each requested output (falling back to the default), reports
// a context the browser holds back, and stops every oscillator and closes every context on stop().
import { describe, expect, it } from 'vitest';
import {
  type RingContext,
  type RingTimer,
  LOOKAHEAD_S,
  RingtonePlayer,
} from '../../../renderer/src/lib/audio/ringtone';
import type { RingPlayback } from '../../../renderer/src/lib/audio/ringtone';

interface FakeOscillator {
  frequency: number;
  start: number | null;
  stop: number | null;
  stoppedNow: boolean;
  disconnected: boolean;
}

class FakeContext {
  currentTime = 100;
  state: AudioContextState;
  sinkId = '';
  closed = false;
  resumes = 0;
  readonly oscillators: FakeOscillator[] = [];
  readonly gains: { events: [string, number, number][] }[] = [];
  readonly destination = {} as AudioNode;
  #listeners: (() => void)[] = [];

  constructor(
    state: AudioContextState = 'running',
    readonly refuseSink = false,
  ) {
    this.state = state;
  }

  createOscillator(): OscillatorNode {
    const record: FakeOscillator = {
      frequency: 0,
      start: null,
      stop: null,
      stoppedNow: false,
      disconnected: false,
    };
    this.oscillators.push(record);
    const node = {
      type: 'sine',
      frequency: {
        set value(v: number) {
          record.frequency = v;
        },
      },
      connect: () => undefined,
      disconnect: () => {
        record.disconnected = true;
      },
      start: (when: number) => {
        record.start = when;
      },
      stop: (when?: number) => {
        if (when === undefined) record.stoppedNow = true;
        else record.stop = when;
      },
    };
    return node as unknown as OscillatorNode;
  }

  createGain(): GainNode {
    const record = { events: [] as [string, number, number][] };
    this.gains.push(record);
    const node = {
      gain: {
        setValueAtTime: (value: number, time: number) => record.events.push(['set', value, time]),
        linearRampToValueAtTime: (value: number, time: number) => record.events.push(['ramp', value, time]),
      },
      connect: () => undefined,
      disconnect: () => undefined,
    };
    return node as unknown as GainNode;
  }

  resume(): Promise<void> {
    this.resumes += 1;
    return new Promise(() => undefined); // held until a gesture, as Chromium does
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  setSinkId(sinkId: string): Promise<void> {
    if (this.refuseSink) return Promise.reject(new DOMException('gone', 'NotFoundError'));
    this.sinkId = sinkId;
    return Promise.resolve();
  }

  addEventListener(_type: 'statechange', listener: () => void): void {
    this.#listeners.push(listener);
  }

  becomeRunning(): void {
    this.state = 'running';
    for (const listener of this.#listeners) listener();
  }
}

class ManualTimer implements RingTimer {
  ticks: (() => void)[] = [];
  every(_ms: number, tick: () => void): () => void {
    this.ticks.push(tick);
    return () => {
      this.ticks = this.ticks.filter((other) => other !== tick);
    };
  }
  fire(): void {
    for (const tick of [...this.ticks]) tick();
  }
}

function setup(make: (index: number) => FakeContext | null = () => new FakeContext()) {
  const contexts: FakeContext[] = [];
  const timer = new ManualTimer();
  const changes: RingPlayback[] = [];
  const player = new RingtonePlayer({
    createContext: () => {
      const context = make(contexts.length);
      if (context) contexts.push(context);
      return context as unknown as RingContext | null;
    },
    timer,
    onChange: (playback) => changes.push(playback),
  });
  return { player, contexts, timer, changes };
}

describe('RingtonePlayer', () => {
  it('schedules the first ring at once on the context clock, two notes per burst', async () => {
    const { player, contexts } = setup();
    expect(await player.play('ring', [''])).toBe('playing');
    const [context] = contexts;
    // Lookahead of one second from t=100: the first burst (100.05) and the second (100.65).
    expect(context!.oscillators.map((osc) => [osc.frequency, osc.start!.toFixed(2)])).toEqual([
      [659.25, '100.05'],
      [830.61, '100.05'],
      [659.25, '100.65'],
      [830.61, '100.65'],
    ]);
    expect(context!.oscillators[0]!.stop).toBeCloseTo(100.45);
    expect(context!.gains[0]!.events[0]?.slice(0, 2)).toEqual(['set', 0]);
  });

  it('adds tones as the clock moves, never more than the lookahead ahead and never twice', async () => {
    const { player, contexts, timer } = setup();
    await player.play('ringback', ['']);
    const context = contexts[0]!;
    const starts = () => context.oscillators.map((osc) => osc.start);
    for (let step = 0; step < 60; step += 1) {
      context.currentTime += 0.25;
      timer.fire();
      const latest = Math.max(...starts().map(Number));
      expect(latest).toBeLessThan(context.currentTime + LOOKAHEAD_S);
    }
    // 15 s of ring-back from 100.05: tones at 100.05, 105.05, 110.05 and the one starting at 115.05.
    expect(starts().map((start) => start!.toFixed(2))).toEqual(['100.05', '105.05', '110.05', '115.05']);
  });

  it('does not catch up on tones missed while the timer slept', async () => {
    const { player, contexts, timer } = setup();
    await player.play('ring', ['']);
    const context = contexts[0]!;
    context.currentTime = 130.2;
    timer.fire();
    const late = context.oscillators.filter((osc) => osc.start! > 101);
    expect(late.map((osc) => osc.start!.toFixed(2))).toEqual(['130.65', '130.65']);
  });

  it('stops every oscillator, closes the context and stops ticking', async () => {
    const { player, contexts, timer, changes } = setup();
    await player.play('ring', ['']);
    player.stop();
    const context = contexts[0]!;
    expect(context.closed).toBe(true);
    expect(context.oscillators.every((osc) => osc.stoppedNow && osc.disconnected)).toBe(true);
    expect(timer.ticks).toHaveLength(0);
    expect(player.playback).toBe('stopped');
    expect(changes).toEqual(['playing', 'stopped']);
  });

  it('rings on the chosen device and on the default one, each with its own context', async () => {
    const { player, contexts } = setup();
    await player.play('ring', ['usb-headset', '']);
    expect(contexts.map((context) => context.sinkId)).toEqual(['usb-headset', '']);
    expect(contexts.every((context) => context.oscillators.length === 4)).toBe(true);
  });

  it('falls back to the default output when the chosen one is refused', async () => {
    const { player, contexts } = setup(() => new FakeContext('running', true));
    expect(await player.play('ring', ['unplugged'])).toBe('playing');
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.closed).toBe(false);
    expect(contexts[0]!.oscillators).toHaveLength(4);
  });

  it('does not ring twice on the default when the chosen device is refused and the default rings anyway', async () => {
    const { player, contexts } = setup((index) => new FakeContext('running', index === 0));
    await player.play('ring', ['unplugged', '']);
    expect(contexts[0]!.closed).toBe(true);
    expect(contexts[1]!.closed).toBe(false);
  });

  it('says it is blocked while the browser holds the context, and playing once it runs', async () => {
    const { player, contexts, changes } = setup(() => new FakeContext('suspended'));
    expect(await player.play('ring', [''])).toBe('blocked');
    expect(contexts[0]!.resumes).toBe(1);
    contexts[0]!.becomeRunning();
    expect(player.playback).toBe('playing');
    expect(changes).toEqual(['blocked', 'playing']);
  });

  it('says it is unavailable where there is no Web Audio', async () => {
    const { player } = setup(() => null);
    expect(await player.play('ring', [''])).toBe('unavailable');
  });

  it('gives up a play() overtaken by stop() while it waited for the output', async () => {
    const { player, contexts } = setup();
    const pending = player.play('ring', ['usb-headset']);
    player.stop();
    await pending;
    expect(contexts[0]!.closed).toBe(true);
    expect(contexts[0]!.oscillators).toHaveLength(0);
    expect(player.playback).toBe('stopped');
  });

  it('replaces one pattern by another without leaving the first one sounding', async () => {
    const { player, contexts } = setup();
    await player.play('ring', ['']);
    await player.play('call-waiting', ['']);
    expect(contexts[0]!.closed).toBe(true);
    expect(contexts[1]!.oscillators.map((osc) => osc.frequency)).toEqual([440, 440]);
  });
});
