// What an AudioWorkletGlobalScope offers a processor module. TypeScript's DOM library describes the page, not the
// worklet, so the worklets reach these through this one typed view of globalThis instead of ambient declarations
// that would leak into the page's types.
import type { PlaybackRingCounters } from './playback-ring';

export interface AudioWorkletProcessorBase {
  readonly port: MessagePort;
}

export interface AudioWorkletScope {
  readonly AudioWorkletProcessor: new () => AudioWorkletProcessorBase;
  registerProcessor(name: string, processor: new (options: AudioWorkletNodeOptions) => unknown): void;
  /** The context's rate: 48 kHz when it granted what we asked for. */
  readonly sampleRate: number;
}

export function workletScope(): AudioWorkletScope {
  return globalThis as unknown as AudioWorkletScope;
}

export const CAPTURE_PROCESSOR = 'softphone-capture';
export const PLAYBACK_PROCESSOR = 'softphone-playback';

/** Options the playback node is built with (processorOptions). */
export interface PlaybackProcessorOptions {
  /** The cushion the ring fills before it plays. */
  readonly targetMs: number;
  /** The most it holds; past this it drops the oldest. */
  readonly capacityMs: number;
}

/** The playback worklet's answer to a `stats` request. */
export interface PlaybackStats extends PlaybackRingCounters {
  readonly type: 'stats';
  /** Samples held right now, at the context's rate. */
  readonly fill: number;
  readonly sampleRate: number;
}

/** Messages the page sends the playback worklet: a speaker frame, or a request for its counters. */
export type PlaybackMessage = Int16Array | { readonly type: 'stats' } | { readonly type: 'clear' };
