// The calls under way as the engine last described them (`calls.list`, then `call.changed`), the one on screen, the
// quality of each, and the commands that drive them. Every action answers a Result and leaves a worded `error` when
// it failed; the engine's `call.changed` events stay the truth about state. A one-second tick runs only while a
// call is connected, so "Connected 01:23" counts up; `announcement` is what the live region reads out.
import type {
  CallDto,
  CallQualityDto,
  RejectStatus,
  Result,
  TransferRequest,
} from '../../../../main/contract/contract';
import { DEFAULT_REJECT_STATUS } from '../../../../main/contract/limits';
import type { Bridge } from '../bridge';
import {
  type CallAction,
  type CallErrorText,
  callErrorText,
  callStateWord,
  endText,
  peerTitle,
} from '../call-text';

/** Wall time for the talk-time counter: the engine's times are epoch milliseconds. */
export interface CallClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const browserCallClock: CallClock = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const handle = window.setInterval(tick, ms);
    return () => window.clearInterval(handle);
  },
};

export interface CallFailure extends CallErrorText {
  readonly action: CallAction;
}

const TICK_MS = 1_000;
/** States in which a call is talking (or about to), and so can be held, muted, sent tones or transferred. */
const ESTABLISHED = new Set<CallDto['state']>([
  'connecting',
  'connected',
  'on-hold',
  'held-by-remote',
  'transferring',
]);

export function isEstablished(call: CallDto): boolean {
  return ESTABLISHED.has(call.state);
}

export class CallsState {
  /** Calls not yet ended, oldest first. */
  list = $state<CallDto[]>([]);
  /** The call the call screen shows; null picks one (see `active`). */
  selectedId = $state<string | null>(null);
  /** The last call that ended, until another starts or the person dismisses it. */
  lastEnded = $state<CallDto | null>(null);
  error = $state<CallFailure | null>(null);
  /** The newest sentence for the screen reader's live region. */
  announcement = $state('');
  /** Wall time, refreshed every second while a call is connected. */
  now = $state(0);
  #quality = $state<Record<string, CallQualityDto>>({});
  /** Ids changed by events since the last load started: the list from that load is older than them. */
  #changedDuringLoad: Record<string, true> = {};
  /** Events seen per call (not reactive): a command's answer older than an event must not undo it. */
  #eventCounts: Record<string, number> = {};
  #stopTicking: (() => void) | null = null;
  #endedListeners: ((call: CallDto) => void)[] = [];

  constructor(
    private readonly bridge: Bridge,
    private readonly clock: CallClock = browserCallClock,
  ) {
    this.now = clock.now();
  }

  /** The first call ringing here and not answered yet. */
  get incoming(): CallDto | null {
    return this.list.find((call) => call.state === 'incoming') ?? null;
  }

  /** The calls past ringing here: what the call screen is about. */
  get established(): CallDto[] {
    return this.list.filter((call) => call.state !== 'incoming');
  }

  /** The call on screen: the one chosen, else the newest call that is not on hold, else the newest. */
  get active(): CallDto | null {
    const calls = this.established;
    const chosen = calls.find((call) => call.id === this.selectedId);
    if (chosen) return chosen;
    return calls.findLast((call) => call.state !== 'on-hold') ?? calls.at(-1) ?? null;
  }

  /** The established calls other than the active one (for swap and attended transfer). */
  get others(): CallDto[] {
    const active = this.active;
    return this.established.filter((call) => call.id !== active?.id);
  }

  quality(callId: string): CallQualityDto | null {
    return this.#quality[callId] ?? null;
  }

  /** Milliseconds since the answer; null before it. */
  talkTime(call: CallDto): number | null {
    return call.answeredAt === null ? null : Math.max(0, this.now - call.answeredAt);
  }

  /** Listens for calls that end (the history reloads on them); returns the function that stops listening. */
  onEnded(listener: (call: CallDto) => void): () => void {
    this.#endedListeners = [...this.#endedListeners, listener];
    return () => {
      this.#endedListeners = this.#endedListeners.filter((item) => item !== listener);
    };
  }

  async load(): Promise<void> {
    this.#changedDuringLoad = {};
    const result = await this.bridge.invoke('calls.list');
    if (!result.ok) return;
    const kept = this.list.filter((call) => call.id in this.#changedDuringLoad);
    const loaded = result.value.filter(
      (call) => call.state !== 'ended' && !(call.id in this.#changedDuringLoad),
    );
    this.list = [...loaded, ...kept].sort((a, b) => a.startedAt - b.startedAt);
    this.#syncTicking();
  }

  /** A `call.changed` event. */
  receive(call: CallDto): void {
    this.#changedDuringLoad[call.id] = true;
    this.#eventCounts[call.id] = (this.#eventCounts[call.id] ?? 0) + 1;
    this.#store(call);
  }

  #store(call: CallDto): void {
    const previous = this.list.find((item) => item.id === call.id);
    if (call.state === 'ended') {
      this.list = this.list.filter((item) => item.id !== call.id);
      const { [call.id]: _gone, ...rest } = this.#quality;
      this.#quality = rest;
      if (this.selectedId === call.id) this.selectedId = null;
      this.lastEnded = call;
      for (const listener of this.#endedListeners) listener(call);
    } else if (previous) {
      this.list = this.list.map((item) => (item.id === call.id ? call : item));
    } else {
      this.list = [...this.list, call];
      this.lastEnded = null;
    }
    if (!previous || previous.state !== call.state || previous.muted !== call.muted)
      this.#announce(call, previous);
    this.#syncTicking();
  }

  /** A `call.quality` event; reports for calls we do not know are dropped. */
  receiveQuality(report: CallQualityDto): void {
    if (!this.list.some((call) => call.id === report.callId)) return;
    this.#quality = { ...this.#quality, [report.callId]: report };
  }

  select(callId: string): void {
    this.selectedId = callId;
  }

  dismissEnded(): void {
    this.lastEnded = null;
  }

  clearError(): void {
    this.error = null;
  }

  async dial(target: string, accountId: string | null): Promise<Result<CallDto>> {
    const result = await this.#run('dial', () => this.bridge.invoke('calls.dial', { target, accountId }));
    if (result.ok) {
      if (!(result.value.id in this.#eventCounts)) this.#store(result.value);
      this.selectedId = result.value.id;
    }
    return result;
  }

  async answer(callId: string): Promise<Result<CallDto>> {
    const result = await this.#apply('answer', callId, () => this.bridge.invoke('calls.answer', callId));
    if (result.ok) this.selectedId = callId;
    return result;
  }

  /** Puts the call that is up on hold first, then answers: the person talks to one caller at a time. */
  async answerAndHoldOther(callId: string): Promise<Result<CallDto>> {
    const talking = this.established.filter((call) => call.state === 'connected');
    for (const call of talking) {
      const held = await this.hold(call.id);
      if (!held.ok) return held;
    }
    return this.answer(callId);
  }

  async reject(callId: string, status: RejectStatus = DEFAULT_REJECT_STATUS): Promise<Result<null>> {
    return this.#run('reject', () => this.bridge.invoke('calls.reject', callId, status));
  }

  async hangup(callId: string): Promise<Result<null>> {
    return this.#run('hangup', () => this.bridge.invoke('calls.hangup', callId));
  }

  async hold(callId: string): Promise<Result<CallDto>> {
    return this.#apply('hold', callId, () => this.bridge.invoke('calls.hold', callId));
  }

  async resume(callId: string): Promise<Result<CallDto>> {
    return this.#apply('resume', callId, () => this.bridge.invoke('calls.resume', callId));
  }

  async toggleHold(call: CallDto): Promise<Result<CallDto>> {
    return call.state === 'on-hold' ? this.resume(call.id) : this.hold(call.id);
  }

  async setMuted(callId: string, muted: boolean): Promise<Result<CallDto>> {
    return this.#apply('mute', callId, () => this.bridge.invoke('calls.mute', callId, muted));
  }

  async sendDtmf(callId: string, digits: string): Promise<Result<null>> {
    return this.#run('dtmf', () => this.bridge.invoke('calls.sendDtmf', callId, digits));
  }

  async transfer(callId: string, transfer: TransferRequest): Promise<Result<null>> {
    return this.#run('transfer', () => this.bridge.invoke('calls.transfer', callId, transfer));
  }

  /** Holds the active call and resumes (or shows) the other one. */
  async swap(toCallId: string): Promise<Result<CallDto | null>> {
    const active = this.active;
    if (active && active.id !== toCallId && active.state !== 'on-hold') {
      const held = await this.hold(active.id);
      if (!held.ok) return held;
    }
    this.selectedId = toCallId;
    const target = this.list.find((call) => call.id === toCallId);
    if (target?.state === 'on-hold') return this.resume(toCallId);
    return { ok: true, value: null };
  }

  /** Stops the tick (when the window goes away). */
  dispose(): void {
    this.#stopTicking?.();
    this.#stopTicking = null;
  }

  async #run<T>(action: CallAction, command: () => Promise<Result<T>>): Promise<Result<T>> {
    const result = await command();
    this.error = result.ok ? null : { action, ...callErrorText(action, result.error) };
    return result;
  }

  /**
   * Runs a command that answers the changed call, and shows that answer without waiting for the event, unless an
   * event about the call arrived meanwhile: that one is at least as new.
   */
  async #apply(
    action: CallAction,
    callId: string,
    command: () => Promise<Result<CallDto>>,
  ): Promise<Result<CallDto>> {
    const seen = this.#eventCounts[callId] ?? 0;
    const result = await this.#run(action, command);
    if (result.ok && (this.#eventCounts[callId] ?? 0) === seen) this.#store(result.value);
    return result;
  }

  #announce(call: CallDto, previous: CallDto | undefined): void {
    const who = peerTitle(call);
    if (call.state === 'ended' && call.end) {
      this.announcement = `${who}: ${endText(call.end, call.direction)}.`;
    } else if (call.state === 'incoming') {
      this.announcement = `Incoming call from ${who}.`;
    } else if (previous && previous.state === call.state) {
      this.announcement = call.muted ? 'Microphone muted.' : 'Microphone on.';
    } else {
      this.announcement = `${who}: ${callStateWord(call.state)}.`;
    }
  }

  /** Ticks only while some call is connected and counting its talk time. */
  #syncTicking(): void {
    const counting = this.list.some((call) => call.answeredAt !== null);
    this.now = this.clock.now();
    if (counting && !this.#stopTicking) {
      this.#stopTicking = this.clock.every(TICK_MS, () => {
        this.now = this.clock.now();
      });
    } else if (!counting && this.#stopTicking) {
      this.dispose();
    }
  }
}
