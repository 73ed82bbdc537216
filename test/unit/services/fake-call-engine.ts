// A CallEngine for the call service's tests: it records every action, answers each with a Result the test may set,
// and lets the test report call changes and media figures as the real engine would.
import type { CallDto, Result } from '../../../main/contract/contract';
import type { CallEngine, CallMediaReport, DialOrder } from '../../../main/services/call-engine';
import type { StreamQuality } from '../../../main/media/media-seams';
import { call } from '../../support/fake-engine';

type Action = Exclude<keyof CallEngine, 'list' | 'onCallChanged' | 'onMediaReport' | 'shutdown'>;

export class FakeCallEngine implements CallEngine {
  /** Every action asked of it, in order, with its arguments. */
  readonly actions: { name: Action; args: unknown[] }[] = [];
  readonly #answers = new Map<Action, Result<unknown>>();
  readonly #callListeners = new Set<(call: CallDto) => void>();
  readonly #reportListeners = new Set<(report: CallMediaReport) => void>();
  calls: CallDto[] = [];
  shutdowns: number[] = [];
  /** Run when shutdown is called, before it resolves (to report calls ending, say). */
  onShutdown: () => void = () => undefined;

  /** The next calls of `name` answer `result` instead of the default. */
  answerWith(name: Action, result: Result<unknown>): this {
    this.#answers.set(name, result);
    return this;
  }

  /** Reports a change of a call, as the engine does for each one. */
  change(dto: CallDto): void {
    for (const listener of [...this.#callListeners]) listener(dto);
  }

  report(callId: string, quality: StreamQuality): void {
    for (const listener of [...this.#reportListeners]) listener({ callId, quality });
  }

  listenerCount(): number {
    return this.#callListeners.size + this.#reportListeners.size;
  }

  dial(order: DialOrder) {
    return this.#act<CallDto>(
      'dial',
      [order],
      call({ id: 'c1', peerUri: order.target, accountId: order.accountId }),
    );
  }
  answer(callId: string) {
    return this.#act<CallDto>('answer', [callId], call({ id: callId, state: 'connecting' }));
  }
  reject(callId: string, status: number) {
    return this.#act<null>('reject', [callId, status], null);
  }
  hangup(callId: string) {
    return this.#act<null>('hangup', [callId], null);
  }
  hold(callId: string) {
    return this.#act<CallDto>('hold', [callId], call({ id: callId, state: 'on-hold' }));
  }
  resume(callId: string) {
    return this.#act<CallDto>('resume', [callId], call({ id: callId, state: 'connected' }));
  }
  mute(callId: string, muted: boolean) {
    return this.#act<CallDto>('mute', [callId, muted], call({ id: callId, muted }));
  }
  sendDtmf(callId: string, digits: string) {
    return this.#act<null>('sendDtmf', [callId, digits], null);
  }
  transfer(callId: string, transfer: unknown) {
    return this.#act<null>('transfer', [callId, transfer], null);
  }

  list(): CallDto[] {
    return this.calls;
  }

  onCallChanged(listener: (dto: CallDto) => void): () => void {
    this.#callListeners.add(listener);
    return () => void this.#callListeners.delete(listener);
  }

  onMediaReport(listener: (report: CallMediaReport) => void): () => void {
    this.#reportListeners.add(listener);
    return () => void this.#reportListeners.delete(listener);
  }

  async shutdown(timeoutMs: number): Promise<void> {
    this.shutdowns.push(timeoutMs);
    this.onShutdown();
  }

  #act<T>(name: Action, args: unknown[], fallback: T): Promise<Result<T>> {
    this.actions.push({ name, args });
    const answer = this.#answers.get(name);
    return Promise.resolve((answer ?? { ok: true, value: fallback }) as Result<T>);
  }
}

/** The media worker's figures for a call, as cumulative counters. */
export function quality(
  overrides: {
    packets?: number;
    cumulativeLost?: number;
    jitterMs?: number;
    roundTripMs?: number | null;
    delayMs?: number;
    /** The jitter buffer's lost frames; default the network's cumulative loss. */
    bufferLost?: number;
    late?: number;
    recovered?: number;
  } = {},
): StreamQuality {
  return {
    codec: 'opus',
    sendBitrate: 36_000,
    receiveBitrate: 35_500,
    sent: { packets: 100, bytes: 9_000 },
    received: {
      packets: overrides.packets ?? 100,
      bytes: 9_000,
      discarded: 0,
      cumulativeLost: overrides.cumulativeLost ?? 0,
      fractionLost: 0,
      jitterMs: overrides.jitterMs ?? 2,
    },
    roundTripMs: overrides.roundTripMs === undefined ? 40 : overrides.roundTripMs,
    jitterBuffer: {
      delayMs: overrides.delayMs ?? 40,
      targetDelayMs: 40,
      received: 100,
      duplicates: 0,
      late: overrides.late ?? 0,
      lost: overrides.bufferLost ?? overrides.cumulativeLost ?? 0,
      concealed: 0,
      recovered: overrides.recovered ?? 0,
    },
  };
}
