// The engine's CallEngine: the INVITE usage of every user agent (ua/call) joined to the media worker through the
// engine's media ports (WorkerMediaPorts). It places calls from an account's user agent (or, for a direct call, from
// the agent on the address that reaches the target), takes every agent's incoming calls, and reports each change as
// a CallDto in the contract's words (call-view.ts) and each media report as it comes. The CallService above it
// checks arguments and keeps the history; this class never throws across its interface: failures are Results.
import type {
  CallCodec,
  CallDto,
  CommandError,
  RejectStatus,
  Result,
  TransferRequest,
} from '../contract/contract';
import type { Clock, TimerHandle } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Random } from '../platform/random';
import { type SipUri, formatUri, isSipUri, parseUri } from '../sip/message/uri';
import type { Call } from '../ua/call/call';
import type { CallUsage } from '../ua/call/call-usage';
import { Listeners } from '../ua/call/call-events';
import type { Account, UserAgent } from '../ua/user-agent';
import type { CallEngine, CallMediaReport, DialOrder } from './call-engine';
import { type MediaEndCause, callEndDto, callStateName } from './call-view';
import { type MediaWorker, type WorkerMediaPort, WorkerMediaPorts } from './worker-media-port';

/** An enabled account as calls need it: its user agent and its account there. */
export interface LiveCallAccount {
  readonly ua: UserAgent;
  readonly account: Account;
  /** The account's codec order for its incoming calls; the default order when absent. */
  readonly codecs?: readonly CallCodec[];
}

export interface EngineCallsDeps {
  readonly worker: MediaWorker;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** The live account with this (store) id, undefined when it is disabled, unknown or not started. */
  readonly account: (accountId: string) => LiveCallAccount | undefined;
  /** The (store) id of the live account behind a user agent's account, for incoming calls. */
  readonly accountIdOf: (account: Account) => string | undefined;
  /** The user agent a direct call to `target` leaves from. */
  readonly directAgent: (target: SipUri) => Promise<UserAgent>;
}

interface Tracked {
  readonly call: Call;
  readonly accountId: string | null;
  readonly startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  transferring: boolean;
  state: CallDto['state'] | undefined;
  mediaEnd: { readonly cause: MediaEndCause; readonly detail: string } | undefined;
  dto: CallDto;
}

interface EngineEvents {
  readonly changed: CallDto;
  readonly media: CallMediaReport;
}

function failure<T>(code: CommandError['code'], message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export class EngineCalls implements CallEngine {
  readonly #deps: EngineCallsDeps;
  /** Per user agent: its calls' media binds where its SIP socket is, the address the far end reaches us on. */
  readonly #usages = new Map<UserAgent, { readonly usage: CallUsage; readonly ports: WorkerMediaPorts }>();
  readonly #calls = new Map<string, Tracked>();
  /** The codec order of each outgoing call, read when its port is made (just after dial). */
  readonly #codecs = new Map<string, readonly CallCodec[]>();
  readonly #events = new Listeners<EngineEvents>();

  constructor(deps: EngineCallsDeps) {
    this.#deps = deps;
  }

  /** Takes this user agent's calls (idempotent): every agent of the pool is attached as it is made. */
  attach(ua: UserAgent, codecs?: () => readonly CallCodec[] | undefined): CallUsage {
    const existing = this.#usages.get(ua);
    if (existing !== undefined) return existing.usage;
    const address = ua.transport.localAddress;
    const ports = new WorkerMediaPorts({
      worker: this.#deps.worker,
      random: this.#deps.random,
      bindAddress: () => address,
      // An outgoing call's order is the dial's; an incoming call's port is made before it rings: the agent's.
      codecs: (request) =>
        this.#codecs.get(request.callRef) ?? (request.direction === 'incoming' ? codecs?.() : undefined),
      logger: this.#deps.logger,
      onPort: (port) => this.#portMade(port),
    });
    const usage = ua.installCalls({ media: ports.factory, holdOthersOnAnswer: true });
    this.#usages.set(ua, { usage, ports });
    usage.onIncoming((call) => {
      const accounts = ua.accounts;
      const accountId = accounts.length > 0 ? (this.#deps.accountIdOf(accounts[0]!) ?? null) : null;
      this.#track(call, accountId);
    });
    return usage;
  }

  async dial(order: DialOrder): Promise<Result<CallDto>> {
    const target = parseUri(order.target);
    if (!target.ok || !isSipUri(target.value))
      return failure('invalid-argument', 'the target is not a SIP URI');
    let ua: UserAgent;
    let account: Account | undefined;
    if (order.accountId !== null) {
      const live = this.#deps.account(order.accountId);
      if (live === undefined) return failure('unavailable', `account ${order.accountId} is not running`);
      ua = live.ua;
      account = live.account;
    } else {
      try {
        ua = await this.#deps.directAgent(target.value);
      } catch (error) {
        return failure('unavailable', `no SIP socket for a direct call: ${messageOf(error)}`);
      }
    }
    const usage = this.attach(ua);
    const call = usage.dial(target.value, account === undefined ? {} : { account });
    this.#codecs.set(call.id, order.codecs);
    const tracked = this.#track(call, order.accountId);
    return ok(tracked.dto);
  }

  answer(callId: string): Promise<Result<CallDto>> {
    return this.#act(callId, (call) => call.answer());
  }

  async reject(callId: string, status: RejectStatus): Promise<Result<null>> {
    const done = await this.#act(callId, (call) => call.reject(status));
    return done.ok ? ok(null) : done;
  }

  async hangup(callId: string): Promise<Result<null>> {
    const done = await this.#act(callId, (call) =>
      call.state === 'incoming' || call.state === 'ringing' ? call.reject(603) : call.hangup(),
    );
    return done.ok ? ok(null) : done;
  }

  hold(callId: string): Promise<Result<CallDto>> {
    return this.#act(callId, (call) => call.holdCall());
  }

  resume(callId: string): Promise<Result<CallDto>> {
    return this.#act(callId, (call) => call.resume());
  }

  async mute(callId: string, muted: boolean): Promise<Result<CallDto>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return failure('not-found', `no call ${callId}`);
    const port = this.#port(callId);
    if (port === undefined || !port.started) return failure('conflict', 'the call has no media yet');
    const result = await port.setMuted(muted);
    if (!result.ok) return failure('conflict', `${result.error.code}: ${result.error.message}`);
    return ok(this.#refresh(tracked));
  }

  async sendDtmf(callId: string, digits: string): Promise<Result<null>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return failure('not-found', `no call ${callId}`);
    const call = tracked.call;
    if (call.state !== 'connected') return failure('conflict', `the call is ${call.state}`);
    const port = this.#port(callId);
    if (port !== undefined && call.media?.telephoneEvent !== undefined) {
      const sent = await port.sendDtmf(digits);
      if (sent.ok) return ok(null);
      if (sent.error.code !== 'no-telephone-event')
        return failure('conflict', `${sent.error.code}: ${sent.error.message}`);
    }
    // No telephone-event agreed: SIP INFO, one request per digit.
    for (const digit of digits)
      if (!call.sendInfoDtmf(digit, 160)) return failure('conflict', 'the INFO could not be sent');
    return ok(null);
  }

  async transfer(callId: string, transfer: TransferRequest): Promise<Result<null>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return failure('not-found', `no call ${callId}`);
    if (transfer.kind === 'attended') {
      const other = this.#calls.get(transfer.callId);
      if (other === undefined) return failure('not-found', `no call ${transfer.callId}`);
      return tracked.call.transferTo(other.call) ? ok(null) : failure('conflict', 'both calls must be up');
    }
    const target = parseUri(transfer.target);
    if (!target.ok || !isSipUri(target.value))
      return failure('invalid-argument', 'the target is not a SIP URI');
    return tracked.call.transfer(target.value)
      ? ok(null)
      : failure('conflict', `the call is ${tracked.call.state}`);
  }

  list(): CallDto[] {
    return [...this.#calls.values()].map((tracked) => tracked.dto);
  }

  onCallChanged(listener: (call: CallDto) => void): () => void {
    return this.#events.on('changed', listener);
  }

  onMediaReport(listener: (report: CallMediaReport) => void): () => void {
    return this.#events.on('media', listener);
  }

  async shutdown(timeoutMs: number): Promise<void> {
    const live = [...this.#calls.values()].filter((tracked) => tracked.call.state !== 'ended');
    const ended = live.map(
      (tracked) =>
        new Promise<void>((resolve) => {
          if (tracked.call.state === 'ended') resolve();
          else tracked.call.on('ended', () => resolve());
        }),
    );
    for (const tracked of live) {
      const call = tracked.call;
      if (call.state === 'incoming' || call.state === 'ringing') call.reject(603);
      else call.hangup();
    }
    let timer: TimerHandle | undefined;
    await Promise.race([
      Promise.all(ended),
      new Promise<void>((resolve) => (timer = this.#deps.clock.setTimer(timeoutMs, resolve))),
    ]);
    this.#deps.clock.clearTimer(timer);
    for (const { ports } of this.#usages.values()) ports.close();
  }

  #track(call: Call, accountId: string | null): Tracked {
    const tracked: Tracked = {
      call,
      accountId,
      startedAt: this.#deps.clock.wallTime(),
      answeredAt: null,
      endedAt: null,
      transferring: false,
      state: undefined,
      mediaEnd: undefined,
      dto: undefined as unknown as CallDto,
    };
    tracked.dto = this.#dto(tracked);
    this.#calls.set(call.id, tracked);
    call.on('state', ({ to }) => {
      if (to === 'connected' && tracked.answeredAt === null) tracked.answeredAt = this.#deps.clock.wallTime();
      // The call's end is set before it moves to ended: this change is its last, with the end in it.
      if (to === 'ended') tracked.endedAt = this.#deps.clock.wallTime();
      this.#changed(tracked);
    });
    call.on('hold', () => this.#changed(tracked));
    call.on('media', () => this.#changed(tracked));
    call.on('transfer', (event) => {
      if (event.role === 'transferee') {
        // The far end asked us to call someone: that call is ours to report like any other.
        this.#track(event.call, accountId);
        return;
      }
      tracked.transferring = event.state === 'accepted' || event.state === 'progress';
      this.#changed(tracked);
    });
    call.on('replaced', (replacement) => this.#track(replacement, accountId));
    call.on('ended', () => {
      this.#calls.delete(call.id);
      this.#codecs.delete(call.id);
    });
    this.#events.emit('changed', tracked.dto);
    return tracked;
  }

  #portMade(port: WorkerMediaPort): void {
    const id = port.id;
    port.on('quality', ({ quality }) => this.#events.emit('media', { callId: id, quality }));
    port.on('inactive', ({ silentMs }) => {
      const tracked = this.#calls.get(id);
      if (tracked === undefined) return;
      if (!tracked.call.mediaLost())
        this.#hangupForMedia(tracked, 'media-timeout', `no RTP for ${Math.round(silentMs / 1000)} s`);
    });
    port.on('failed', (failure) => {
      const tracked = this.#calls.get(id);
      if (tracked === undefined) return;
      const cause =
        failure.code === 'worker-crashed' || failure.code === 'worker-closed' ? 'engine-stopped' : 'internal';
      this.#hangupForMedia(tracked, cause, `${failure.code}: ${failure.message}`);
    });
  }

  #hangupForMedia(tracked: Tracked, cause: MediaEndCause, detail: string): void {
    tracked.mediaEnd ??= { cause, detail };
    const call = tracked.call;
    if (call.state === 'incoming' || call.state === 'ringing') call.reject(500);
    else call.hangup();
  }

  async #act(callId: string, action: (call: Call) => boolean): Promise<Result<CallDto>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return failure('not-found', `no call ${callId}`);
    if (!action(tracked.call))
      return failure('conflict', `not possible while the call is ${tracked.call.state}`);
    return Promise.resolve(ok(this.#refresh(tracked)));
  }

  #changed(tracked: Tracked): void {
    const before = tracked.dto;
    const after = this.#refresh(tracked);
    if (
      before.state === after.state &&
      before.muted === after.muted &&
      before.answeredAt === after.answeredAt &&
      after.state !== 'ended'
    )
      return;
    if (before.state === 'ended') return;
    this.#events.emit('changed', after);
  }

  #refresh(tracked: Tracked): CallDto {
    tracked.dto = this.#dto(tracked);
    return tracked.dto;
  }

  #dto(tracked: Tracked): CallDto {
    const call = tracked.call;
    const state = callStateName(call, {
      transferring: tracked.transferring,
      ...(tracked.state === undefined ? {} : { previous: tracked.state }),
    });
    tracked.state = state;
    const end = call.end;
    return {
      id: call.id,
      accountId: tracked.accountId,
      direction: call.direction,
      peerUri: formatUri(call.remote.uri),
      peerName: call.remote.displayName ?? null,
      state,
      muted: this.#port(call.id)?.muted ?? false,
      startedAt: tracked.startedAt,
      answeredAt: tracked.answeredAt,
      endedAt: tracked.endedAt,
      end: end === undefined ? null : callEndDto(end, tracked.mediaEnd),
    };
  }

  #port(callId: string): WorkerMediaPort | undefined {
    for (const { ports } of this.#usages.values()) {
      const port = ports.port(callId);
      if (port !== undefined) return port;
    }
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
