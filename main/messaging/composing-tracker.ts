// The adapters that run composing-state.ts's machines on the injected clock, one machine per conversation (keyed by
// our identity and the peer's key, peer-key.ts, so one peer is one machine however its host is cased), each with at
// most one timer. Both are bounded: past `maxPeers` conversations the one touched longest ago is dropped (a
// receiver's dropped active state is reported idle first), so a stranger writing from ten thousand addresses holds
// at most `maxPeers` small entries here.
import type { Clock, TimerHandle } from '../platform/clock';
import { DEFAULT_REFRESH_SECONDS } from './is-composing-document';
import {
  type ComposerInput,
  type ComposerState,
  type ReceiverInput,
  type ReceiverState,
  stepComposer,
  stepReceiver,
} from './composing-state';

export const DEFAULT_MAX_COMPOSING_PEERS = 256;

interface Entry<S, P> {
  state: S;
  readonly peer: P;
  timer: TimerHandle | undefined;
}

/** A bounded map of machines, touched entries moved to the end (Map keeps insertion order). */
class Machines<S, P> {
  readonly #entries = new Map<string, Entry<S, P>>();
  readonly #clock: Clock;
  readonly #max: number;
  readonly #evicted: (entry: Entry<S, P>) => void;

  constructor(clock: Clock, max: number, evicted: (entry: Entry<S, P>) => void) {
    this.#clock = clock;
    this.#max = Math.max(1, max);
    this.#evicted = evicted;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Entry<S, P> | undefined {
    return this.#entries.get(key);
  }

  touch(key: string, make: () => Entry<S, P>): Entry<S, P> {
    let entry = this.#entries.get(key);
    if (entry) this.#entries.delete(key);
    else {
      while (this.#entries.size >= this.#max) {
        const [oldestKey, oldest] = this.#entries.entries().next().value as [string, Entry<S, P>];
        this.#entries.delete(oldestKey);
        this.#clock.clearTimer(oldest.timer);
        this.#evicted(oldest);
      }
      entry = make();
    }
    this.#entries.set(key, entry);
    return entry;
  }

  forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#clock.clearTimer(entry.timer);
    this.#entries.delete(key);
  }

  schedule(key: string, entry: Entry<S, P>, wakeAt: number | undefined, tick: () => void): void {
    this.#clock.clearTimer(entry.timer);
    entry.timer = undefined;
    if (wakeAt === undefined) return;
    entry.timer = this.#clock.setTimer(Math.max(0, wakeAt - this.#clock.now()), () => {
      if (this.#entries.get(key) === entry) tick();
    });
  }

  clear(): void {
    for (const entry of this.#entries.values()) this.#clock.clearTimer(entry.timer);
    this.#entries.clear();
  }
}

export interface ComposerTrackerOptions<P> {
  readonly clock: Clock;
  /** Sends our indication to the peer. */
  readonly send: (peer: P, state: 'active' | 'idle', refreshSeconds: number) => void;
  readonly refreshSeconds?: number;
  readonly maxPeers?: number;
}

/** Our typing state towards each peer: what to send and when. */
export class ComposerTracker<P> {
  readonly #options: ComposerTrackerOptions<P>;
  readonly #machines: Machines<ComposerState, P>;
  readonly #refreshSeconds: number;

  constructor(options: ComposerTrackerOptions<P>) {
    this.#options = options;
    this.#refreshSeconds = options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
    // A dropped conversation sends nothing more: its peer's own timer ends the active state it last heard.
    this.#machines = new Machines(
      options.clock,
      options.maxPeers ?? DEFAULT_MAX_COMPOSING_PEERS,
      () => undefined,
    );
  }

  get size(): number {
    return this.#machines.size;
  }

  /** The person is typing (`active`) or stopped (`idle`) in the conversation with `peer`. */
  set(key: string, peer: P, state: 'active' | 'idle'): void {
    const now = this.#options.clock.now();
    if (state === 'idle' && !this.#machines.get(key)) return;
    this.#input(key, peer, state === 'active' ? { kind: 'typed', now } : { kind: 'stopped', now });
  }

  /** A text message went to the peer: the active state ends without an idle indication (RFC 3994 §3.2). */
  messageSent(key: string): void {
    const entry = this.#machines.get(key);
    if (entry) this.#input(key, entry.peer, { kind: 'message-sent', now: this.#options.clock.now() });
  }

  /** Drops the conversation without sending anything more (the peer's own timer ends what it last heard). */
  forget(key: string): void {
    this.#machines.forget(key);
  }

  dispose(): void {
    this.#machines.clear();
  }

  #input(key: string, peer: P, input: ComposerInput): void {
    const entry = this.#machines.touch(key, () => ({ state: { name: 'idle' }, peer, timer: undefined }));
    const step = stepComposer(entry.state, input, this.#refreshSeconds * 1000);
    entry.state = step.state;
    if (step.state.name === 'idle') this.#machines.forget(key);
    else
      this.#machines.schedule(key, entry, step.wakeAt, () =>
        this.#input(key, entry.peer, { kind: 'tick', now: this.#options.clock.now() }),
      );
    if (step.send) this.#options.send(entry.peer, step.send, this.#refreshSeconds);
  }
}

export interface ReceiverTrackerOptions<P> {
  readonly clock: Clock;
  /** The peer started or stopped composing (or its active state ran out). */
  readonly emit: (peer: P, state: 'active' | 'idle') => void;
  readonly maxPeers?: number;
}

/** Each peer's typing state as their indications (and messages) tell it. */
export class ReceiverTracker<P> {
  readonly #options: ReceiverTrackerOptions<P>;
  readonly #machines: Machines<ReceiverState, P>;

  constructor(options: ReceiverTrackerOptions<P>) {
    this.#options = options;
    this.#machines = new Machines(options.clock, options.maxPeers ?? DEFAULT_MAX_COMPOSING_PEERS, (entry) => {
      if (entry.state.name === 'active') options.emit(entry.peer, 'idle');
    });
  }

  get size(): number {
    return this.#machines.size;
  }

  indication(key: string, peer: P, state: 'active' | 'idle', refreshSeconds: number): void {
    const now = this.#options.clock.now();
    if (state === 'idle' && !this.#machines.get(key)) return;
    this.#input(
      key,
      peer,
      state === 'active' ? { kind: 'active', refreshMs: refreshSeconds * 1000, now } : { kind: 'idle', now },
    );
  }

  /** A text message from the peer. */
  message(key: string): void {
    const entry = this.#machines.get(key);
    if (entry) this.#input(key, entry.peer, { kind: 'message', now: this.#options.clock.now() });
  }

  dispose(): void {
    this.#machines.clear();
  }

  #input(key: string, peer: P, input: ReceiverInput): void {
    const entry = this.#machines.touch(key, () => ({ state: { name: 'idle' }, peer, timer: undefined }));
    const step = stepReceiver(entry.state, input);
    entry.state = step.state;
    if (step.state.name === 'idle') this.#machines.forget(key);
    else
      this.#machines.schedule(key, entry, step.wakeAt, () =>
        this.#input(key, entry.peer, { kind: 'tick', now: this.#options.clock.now() }),
      );
    if (step.emit) this.#options.emit(entry.peer, step.emit);
  }
}
