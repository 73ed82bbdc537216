// Calls for the command router: checks what the schemas cannot (a target that parses by the SIP grammar, an account
// that exists and is enabled), hands the action to the CallEngine, and turns what the engine reports into the
// contract's events: `call.changed` for every change, `call.quality` with an E-model MOS for every media report. It
// keeps the call history: a row when a call first appears, completed when it ends, written before the event goes
// out so a window that re-reads the history on `ended` finds the call there. A history write the disk refuses is
// logged and never stops a call or its events.
import type {
  CallDto,
  DialRequest,
  HistoryPage,
  HistoryPageRequest,
  RejectStatus,
  Result,
  TransferRequest,
} from '../contract/contract';
import { DEFAULT_CODECS } from '../contract/limits';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { isSipUri, parseUri } from '../sip/message/uri';
import type { AccountsRepository } from '../store/accounts-repository';
import type { CallHistoryRepository } from '../store/call-history-repository';
import type { CallEngine, CallMediaReport } from './call-engine';
import { CallQualityTracker } from './call-quality';
import type { EventHub } from './event-hub';
import { ServiceError } from './service-error';

/** What the service needs of the store. */
export type CallHistoryStore = Pick<
  CallHistoryRepository,
  'start' | 'answered' | 'finish' | 'list' | 'delete' | 'clear' | 'closeUnfinished'
>;
export type CallAccountStore = Pick<AccountsRepository, 'get'>;

export interface CallServiceDeps {
  readonly engine: CallEngine;
  readonly history: CallHistoryStore;
  readonly accounts: CallAccountStore;
  readonly events: EventHub;
  /** Wall time for closing the calls a stopped engine left open. */
  readonly clock: Pick<Clock, 'wallTime'>;
  readonly logger: Logger;
}

const ENDED_REMEMBERED = 256;

export class CallService {
  readonly #deps: CallServiceDeps;
  /** Calls seen and not yet ended: their quality so far, and whether their answer is in the history yet. */
  readonly #live = new Map<string, { readonly quality: CallQualityTracker; answerRecorded: boolean }>();
  /** The latest ended calls, so a repeated `ended` cannot overwrite a history row with empty figures. */
  readonly #ended = new Set<string>();
  readonly #detach: (() => void)[] = [];

  constructor(deps: CallServiceDeps) {
    this.#deps = deps;
  }

  /** Closes what a stopped engine left open in the history and starts listening to the engine. */
  start(): void {
    const closed = this.#store(() => this.#deps.history.closeUnfinished(this.#deps.clock.wallTime()));
    if (closed) this.#deps.logger.log('info', 'closed calls the last run left open', { count: closed });
    this.#detach.push(
      this.#deps.engine.onCallChanged((call) => this.#changed(call)),
      this.#deps.engine.onMediaReport((report) => this.#mediaReport(report)),
    );
  }

  /** Ends every call (bounded) and stops listening; the history has each call's end once this resolves. */
  async stop(timeoutMs: number): Promise<void> {
    try {
      await this.#deps.engine.shutdown(timeoutMs);
    } catch (error) {
      this.#deps.logger.log('warn', 'ending the calls failed', { error: messageOf(error) });
    } finally {
      for (const detach of this.#detach.splice(0)) detach();
    }
  }

  async dial(request: DialRequest): Promise<CallDto> {
    checkSipUri(request.target, 'target');
    let codecs = DEFAULT_CODECS;
    if (request.accountId !== null) {
      const account = this.#deps.accounts.get(request.accountId);
      if (!account)
        throw new ServiceError('not-found', 'That account no longer exists.', { field: 'accountId' });
      if (!account.enabled)
        throw new ServiceError('conflict', 'Enable the account first.', { field: 'accountId' });
      codecs = account.codecs;
    }
    return valueOf(await this.#deps.engine.dial({ ...request, codecs: [...codecs] }));
  }

  async answer(callId: string): Promise<CallDto> {
    return valueOf(await this.#deps.engine.answer(callId));
  }

  async reject(callId: string, status: RejectStatus): Promise<null> {
    return valueOf(await this.#deps.engine.reject(callId, status));
  }

  async hangup(callId: string): Promise<null> {
    return valueOf(await this.#deps.engine.hangup(callId));
  }

  async hold(callId: string): Promise<CallDto> {
    return valueOf(await this.#deps.engine.hold(callId));
  }

  async resume(callId: string): Promise<CallDto> {
    return valueOf(await this.#deps.engine.resume(callId));
  }

  async mute(callId: string, muted: boolean): Promise<CallDto> {
    return valueOf(await this.#deps.engine.mute(callId, muted));
  }

  async sendDtmf(callId: string, digits: string): Promise<null> {
    return valueOf(await this.#deps.engine.sendDtmf(callId, digits));
  }

  async transfer(callId: string, transfer: TransferRequest): Promise<null> {
    if (transfer.kind === 'blind') checkSipUri(transfer.target, 'target');
    else if (transfer.callId === callId)
      throw new ServiceError('invalid-argument', 'A call cannot be transferred to itself.', {
        field: 'callId',
      });
    return valueOf(await this.#deps.engine.transfer(callId, transfer));
  }

  list(): CallDto[] {
    return this.#deps.engine.list();
  }

  history(page: HistoryPageRequest): HistoryPage {
    return this.#deps.history.list(page);
  }

  deleteHistory(id: string): null {
    if (!this.#deps.history.delete(id))
      throw new ServiceError('not-found', 'That call is not in the history.');
    return null;
  }

  clearHistory(): null {
    this.#deps.history.clear();
    return null;
  }

  #changed(call: CallDto): void {
    if (this.#ended.has(call.id)) {
      // `ended` is a call's last word (the contract says so to the window): anything after it is the engine's slip.
      this.#deps.logger.log('debug', 'change reported for a call already ended; ignored', {
        call: call.id,
        state: call.state,
      });
      return;
    }
    // The contract promises an `end` (and an end time) with every ended call; a slip of the engine is filled in.
    const announced =
      call.state === 'ended' && (call.end === null || call.endedAt === null)
        ? {
            ...call,
            end: call.end ?? {
              by: 'error',
              reason: 'internal',
              status: null,
              detail: 'ended without a reason',
            },
            endedAt: call.endedAt ?? this.#deps.clock.wallTime(),
          }
        : call;
    this.#record(announced);
    this.#deps.events.emit('call.changed', announced);
  }

  /** Writes what the history needs to know of this change (see the class comment). */
  #record(call: CallDto): void {
    let live = this.#live.get(call.id);
    if (!live) {
      live = { quality: new CallQualityTracker(call.id), answerRecorded: false };
      this.#live.set(call.id, live);
      this.#store(() =>
        this.#deps.history.start({
          id: call.id,
          accountId: call.accountId,
          direction: call.direction,
          peerUri: call.peerUri,
          peerName: call.peerName,
          startedAt: call.startedAt,
        }),
      );
    }
    const answeredAt = call.answeredAt;
    if (answeredAt !== null && !live.answerRecorded && call.state !== 'ended') {
      live.answerRecorded = true;
      this.#store(() => this.#deps.history.answered(call.id, answeredAt));
    }
    if (call.state === 'ended') {
      const tracker = live.quality;
      this.#live.delete(call.id);
      this.#ended.add(call.id);
      // Repeats come right after the end; remembering the latest few hundred is plenty and bounds the set.
      if (this.#ended.size > ENDED_REMEMBERED) this.#ended.delete(this.#ended.values().next().value!);
      const { end, endedAt } = call;
      if (end === null || endedAt === null) return;
      this.#store(() =>
        this.#deps.history.finish(call.id, {
          answeredAt: call.answeredAt,
          endedAt,
          end,
          codec: tracker.codec,
          quality: tracker.summary(),
        }),
      );
    }
  }

  #mediaReport(report: CallMediaReport): void {
    const live = this.#live.get(report.callId);
    // A report racing the call's end (or for a call never announced) has nowhere to go.
    if (!live) return;
    this.#deps.events.emit('call.quality', live.quality.report(report.quality));
  }

  /** Runs a history write; a refusal (full disk, read-only file) is logged, and the call goes on. */
  #store<T>(write: () => T): T | undefined {
    try {
      return write();
    } catch (error) {
      this.#deps.logger.log('warn', 'the call history could not be written', { error: messageOf(error) });
      return undefined;
    }
  }
}

/** A result from the engine as the router expects it: the value, or a ServiceError carrying its code and status. */
function valueOf<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const { code, message, field, status } = result.error;
  throw new ServiceError(code, message, {
    ...(field !== undefined ? { field } : {}),
    ...(status !== undefined ? { status } : {}),
  });
}

/** The schema checked the shape; the SIP grammar is checked here, below the contract. */
function checkSipUri(text: string, field: string): void {
  const parsed = parseUri(text);
  if (!parsed.ok || !isSipUri(parsed.value))
    throw new ServiceError('invalid-argument', `${text} is not a SIP URI`, { field });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
