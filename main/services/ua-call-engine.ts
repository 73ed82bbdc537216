// The engine's CallEngine: ua/call's CallUsage on every user agent of the pool, each call's media in the media
// worker (WorkerMediaPorts), and the contract's view of every call (call-view.ts). CallService sits above it (checks,
// history, MOS); the user agents and the worker below. It holds no timer of its own: the calls' timers are the user
// agents', the quality reports the worker's.
//
//   calls.dial ─► UaCallEngine.dial ─► CallUsage.dial (account's identity and proxy, or straight to sip:user@IP:port)
//   INVITE ─► CallUsage ─► onIncoming ─► tracked as `incoming` (or 486 while the account is do-not-disturb)
//   Call events (state, hold, transfer, ended) ─► CallDto ─► onCallChanged ─► CallService ─► call.changed + history
//   worker quality / inactive / failed ─► WorkerMediaPort ─► onMediaReport, or a hang-up with the media's reason
//
// Which account a call belongs to: the one it was dialled from, or for an incoming call the running account whose
// request factory the usage picked for it (by the Request-URI's user); null for a direct call.
import type {
  CallDto,
  CallEndDto,
  CallStateName,
  RejectStatus,
  Result,
  TransferRequest,
} from '../contract/contract';
import { DEFAULT_CODECS } from '../contract/limits';
import type { AudioStreamEndpoint } from '../media/session/audio-stream-endpoint';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Random } from '../platform/random';
import type { CodecName } from '../sdp/codecs';
import { type SipUri, formatUri, isSipUri, parseUri } from '../sip/message/uri';
import type { Call } from '../ua/call/call';
import type { AutoRejected, CallAccount, CallUsage, CallUsageOptions } from '../ua/call/call-usage';
import type { CallEnd } from '../ua/call/call-state';
import { type NameResolver, resolveNextHop } from '../ua/next-hop';
import type { RequestFactory } from '../ua/request-factory';
import type { Account } from '../ua/user-agent';
import type { AgentHost, AgentPool } from './account-service';
import type { CallEngine, CallMediaReport, DialOrder } from './call-engine';
import { type MediaEndCause, callEndDto, callStateName } from './call-view';
import { type MediaWorker, type WorkerMediaPort, WorkerMediaPorts } from './worker-media-port';

/**
 * The far end's address as the window and the history show it: without the password of its userinfo, which RFC
 * 3261 §19.1.1 advises against and which must never be stored or shown.
 */
function shownAddress(uri: Parameters<typeof formatUri>[0]): string {
  return formatUri(isSipUri(uri) && uri.password !== undefined ? { ...uri, password: undefined } : uri);
}

/** A user agent that can carry calls (UserAgent fits); agents without `installCalls` (test doubles) carry none. */
export interface CallAgent extends AgentHost {
  installCalls(options: CallUsageOptions): CallUsage;
  /** Its accounts: an incoming call is for the one whose request factory the usage picked (`Call.requests`). */
  readonly accounts: readonly Account[];
}

/** An account's call settings, as stored. */
export interface CallSettings {
  /** Incoming calls are refused with 486. */
  readonly doNotDisturb: boolean;
  /** Incoming calls ring with 183 and our SDP (early media) instead of a bare 180. */
  readonly earlyMedia: boolean;
  /** Offered and answered in this order. */
  readonly codecs: readonly CodecName[];
}

/** The engine's user agents: one per local address, all closed at the end. */
export type ShutdownAgentPool = AgentPool & { shutdown(timeoutMs: number): Promise<void> };

/** What the engine needs of the accounts (AccountService and the store fit). */
export interface CallAccounts {
  /** The running account with this id and the agent it runs on; undefined when it is not running. */
  live(id: string): { readonly account: CallAccount; readonly ua: AgentHost } | undefined;
  /** The id of a running account, by its account on the user agent. */
  idOf(account: Account): string | undefined;
  /** The account's stored call settings; undefined once it is gone. */
  settings(id: string): CallSettings | undefined;
}

export interface UaCallEngineDeps {
  readonly worker: MediaWorker;
  readonly accounts: CallAccounts;
  readonly clock: Clock;
  readonly random: Random;
  readonly resolver: NameResolver;
  /** The local address the OS uses towards a remote one (a direct call's user agent). */
  readonly localAddressFor: (remote: string) => Promise<string>;
  readonly logger: Logger;
  /** No RTP for this long ends a call (media-timeout); the worker's default (30 s) when absent. */
  readonly inactivityTimeoutMs?: number;
  /** Live calls per user agent at most; the usage's default when absent. */
  readonly maxCalls?: number;
}

/** INFO DTMF: how long each digit is said to last (RFC 4733 §2.5.1.3 suggests 40 ms or more). */
const INFO_DIGIT_MS = 160;

/** One call as the engine follows it. */
interface Tracked {
  readonly call: Call;
  readonly accountId: string | null;
  readonly startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  end: CallEndDto | null;
  state: CallStateName;
  transferring: boolean;
  /** What ended it on the media side (no RTP, the worker gone), which the BYE alone would not say. */
  mediaEnd: { readonly cause: MediaEndCause; readonly detail: string } | undefined;
  readonly detach: Array<() => void>;
}

type Listener<T> = (value: T) => void;

export class UaCallEngine implements CallEngine {
  readonly #deps: UaCallEngineDeps;
  readonly #usages = new WeakMap<AgentHost, CallUsage>();
  readonly #ports: WorkerMediaPorts[] = [];
  readonly #calls = new Map<string, Tracked>();
  /** The codec order a dial asked for, by Call.id, read when the call's port is made (just after dial returns). */
  readonly #codecs = new Map<string, readonly CodecName[]>();
  readonly #changed = new Set<Listener<CallDto>>();
  readonly #reports = new Set<Listener<CallMediaReport>>();
  #stopping = false;
  /** The wrapped pool's `get`: a direct call needs the agent on the address towards its target. */
  #agentsAt: ((localAddress: string) => Promise<AgentHost>) | undefined;

  constructor(deps: UaCallEngineDeps) {
    this.#deps = deps;
  }

  /**
   * The pool the accounts should use: the same agents, each with the call usage installed the first time it is
   * handed out (and its media ports bound to that agent's address).
   */
  pool(inner: ShutdownAgentPool): ShutdownAgentPool {
    const get = async (localAddress: string): Promise<AgentHost> => {
      const agent = await inner.get(localAddress);
      this.#install(agent, localAddress);
      return agent;
    };
    this.#agentsAt = get;
    return { get, shutdown: (timeoutMs) => inner.shutdown(timeoutMs) };
  }

  // ── CallEngine ───────────────────────────────────────────────────────────────────────────────────────────────

  async dial(order: DialOrder): Promise<Result<CallDto>> {
    if (this.#stopping) return refuse('unavailable', 'the engine is stopping');
    const parsed = parseUri(order.target);
    if (!parsed.ok || !isSipUri(parsed.value))
      return refuse('invalid-argument', `${order.target} is not a SIP URI`, 'target');
    const target = parsed.value;
    let usage: CallUsage | undefined;
    let account: CallAccount | undefined;
    if (order.accountId !== null) {
      const live = this.#deps.accounts.live(order.accountId);
      if (live === undefined)
        return refuse('unavailable', 'the account is not running (its start failed)', 'accountId');
      account = live.account;
      usage = this.#usages.get(live.ua);
    } else {
      const agent = await this.#directAgent(target);
      if (!agent.ok) return agent;
      usage = agent.value;
    }
    if (usage === undefined) return refuse('unavailable', 'calls are not available on this user agent');
    const call = usage.dial(target, account ? { account } : {});
    // The port is made after the worker bound its sockets, which is after this returns: the order is in time.
    this.#codecs.set(call.id, order.codecs);
    const tracked = this.#track(call, order.accountId);
    return { ok: true, value: this.#dto(tracked) };
  }

  answer(callId: string): Promise<Result<CallDto>> {
    return this.#act(callId, 'answer', (tracked) => tracked.call.answer());
  }

  async reject(callId: string, status: RejectStatus): Promise<Result<null>> {
    return nothing(await this.#act(callId, 'reject', (tracked) => tracked.call.reject(status)));
  }

  async hangup(callId: string): Promise<Result<null>> {
    return nothing(
      await this.#act(callId, 'hang up', (tracked) => {
        const call = tracked.call;
        if (call.state === 'ending') return true;
        // A call that only rings here is declined, as the window's red button means.
        if (call.state === 'incoming' || call.state === 'ringing') return call.reject(603);
        return call.hangup();
      }),
    );
  }

  hold(callId: string): Promise<Result<CallDto>> {
    return this.#act(callId, 'hold', (tracked) => tracked.call.holdCall());
  }

  resume(callId: string): Promise<Result<CallDto>> {
    return this.#act(callId, 'resume', (tracked) => tracked.call.resume());
  }

  async mute(callId: string, muted: boolean): Promise<Result<CallDto>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return unknownCall(callId);
    const port = this.#portOf(callId);
    if (port === undefined || !port.started) return refuse('conflict', 'the call has no media yet');
    const result = await port.setMuted(muted);
    if (!result.ok) return refuse('conflict', `${result.error.code}: ${result.error.message}`);
    this.#emit(tracked, true);
    return { ok: true, value: this.#dto(tracked) };
  }

  async sendDtmf(callId: string, digits: string): Promise<Result<null>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return unknownCall(callId);
    const call = tracked.call;
    if (call.state !== 'connected') return refuse('conflict', `the call is ${call.state}`);
    // RFC 4733 on the stream when a telephone-event payload was agreed.
    if (call.media?.telephoneEvent !== undefined) {
      const port = this.#portOf(callId);
      if (port === undefined) return refuse('conflict', 'the call has no media');
      const sent = await port.sendDtmf(digits);
      if (sent.ok) return { ok: true, value: null };
      if (sent.error.code !== 'no-telephone-event')
        return refuse('conflict', `${sent.error.code}: ${sent.error.message}`);
    }
    // Otherwise SIP INFO (application/dtmf-relay), one request per digit.
    for (const digit of digits)
      if (!call.sendInfoDtmf(digit, INFO_DIGIT_MS))
        return refuse('conflict', `INFO for ${digit} could not be sent`);
    return { ok: true, value: null };
  }

  async transfer(callId: string, transfer: TransferRequest): Promise<Result<null>> {
    if (transfer.kind === 'blind') {
      const parsed = parseUri(transfer.target);
      if (!parsed.ok || !isSipUri(parsed.value))
        return refuse('invalid-argument', `${transfer.target} is not a SIP URI`, 'target');
      const target: SipUri = parsed.value;
      return nothing(await this.#act(callId, 'transfer', (tracked) => tracked.call.transfer(target)));
    }
    const other = this.#calls.get(transfer.callId);
    if (other === undefined) return unknownCall(transfer.callId, 'callId');
    return nothing(await this.#act(callId, 'transfer', (tracked) => tracked.call.transferTo(other.call)));
  }

  list(): CallDto[] {
    return [...this.#calls.values()].map((tracked) => this.#dto(tracked));
  }

  onCallChanged(listener: (call: CallDto) => void): () => void {
    this.#changed.add(listener);
    return () => this.#changed.delete(listener);
  }

  onMediaReport(listener: (report: CallMediaReport) => void): () => void {
    this.#reports.add(listener);
    return () => this.#reports.delete(listener);
  }

  /**
   * The call's audio stream (20 ms PCM frames at 48 kHz mono, both ways) while its media lives; for the window's
   * microphone and speaker.
   */
  audioPort(callId: string): AudioStreamEndpoint | undefined {
    return this.#portOf(callId)?.audioStream();
  }

  /**
   * Hangs every call up (BYE, CANCEL, or 480 to one ringing here) and waits for their ends, at most `timeoutMs`; a
   * call still not over then is reported ended with `engine-stopped`. No call is placed or taken afterwards.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    const live = [...this.#calls.values()];
    if (live.length > 0) {
      const ended = live.map(
        (tracked) =>
          new Promise<void>((resolve) => {
            if (tracked.end !== null) resolve();
            else tracked.detach.push(tracked.call.on('ended', () => resolve()));
          }),
      );
      for (const tracked of live) {
        const call = tracked.call;
        // A call still ringing here is not declined by anyone: we are going away (RFC 3261 §21.4.18).
        if (call.state === 'incoming' || call.state === 'ringing') call.reject(480);
        else void this.hangup(call.id);
      }
      let timer: ReturnType<Clock['setTimer']> | undefined;
      await Promise.race([
        Promise.all(ended),
        new Promise<void>((resolve) => {
          timer = this.#deps.clock.setTimer(timeoutMs, resolve);
        }),
      ]);
      this.#deps.clock.clearTimer(timer);
    }
    for (const tracked of [...this.#calls.values()])
      this.#finish(tracked, {
        by: 'error',
        reason: 'engine-stopped',
        status: null,
        detail: 'the engine stopped before the call ended',
      });
    for (const ports of this.#ports) ports.close();
  }

  // ── inside ─────────────────────────────────────────────────────────────────────────────────────────────────

  #install(agent: AgentHost, localAddress: string): void {
    if (this.#usages.has(agent) || !isCallAgent(agent)) return;
    const ports = new WorkerMediaPorts({
      worker: this.#deps.worker,
      random: this.#deps.random,
      bindAddress: () => localAddress,
      codecs: (request) => this.#codecsFor(request.callRef),
      ...(this.#deps.inactivityTimeoutMs === undefined
        ? {}
        : { inactivityTimeoutMs: this.#deps.inactivityTimeoutMs }),
      onPort: (port) => this.#attachPort(port),
      logger: this.#deps.logger,
    });
    this.#ports.push(ports);
    const usage = agent.installCalls({
      media: ports.factory,
      // Both per account: the usage asks with the identity an INVITE is for (Call.requests).
      doNotDisturbFor: (requests) => this.#settingsOf(agent, requests)?.doNotDisturb ?? false,
      earlyMedia: (requests) => this.#settingsOf(agent, requests)?.earlyMedia ?? false,
      ...(this.#deps.maxCalls === undefined ? {} : { maxCalls: this.#deps.maxCalls }),
    });
    this.#usages.set(agent, usage);
    usage.onIncoming((call) => this.#incoming(call, this.#accountIdOf(agent, call.requests)));
    usage.onAutoRejected((rejected) => this.#autoRejected(agent, rejected));
  }

  async #directAgent(target: SipUri): Promise<Result<CallUsage>> {
    let localAddress: string;
    try {
      const hop = await resolveNextHop(target, undefined, 'udp', this.#deps.resolver);
      localAddress = await this.#deps.localAddressFor(hop.address);
    } catch (error) {
      return refuse('unavailable', `cannot reach ${formatUri(target)}: ${messageOf(error)}`, 'target');
    }
    const usage = await this.#usageAt(localAddress);
    return usage ?? refuse('unavailable', `calls cannot run on ${localAddress}`);
  }

  async #usageAt(localAddress: string): Promise<Result<CallUsage> | undefined> {
    if (this.#agentsAt === undefined) return undefined;
    try {
      const agent = await this.#agentsAt(localAddress);
      const usage = this.#usages.get(agent);
      return usage === undefined ? undefined : { ok: true, value: usage };
    } catch (error) {
      return refuse('unavailable', `cannot open a SIP socket on ${localAddress}: ${messageOf(error)}`);
    }
  }

  #incoming(call: Call, accountId: string | null): void {
    if (this.#stopping) {
      call.reject(480);
      return;
    }
    this.#track(call, accountId);
  }

  /**
   * An INVITE the usage refused at once. One refused for its account's do-not-disturb is shown (and kept in the
   * history) as an incoming call that ended so; one refused for the call limit was never ours to show.
   */
  #autoRejected(agent: CallAgent, rejected: AutoRejected): void {
    if (rejected.requests === undefined) return;
    const now = this.#deps.clock.wallTime();
    this.#announce({
      id: `call-${this.#deps.random.token(12)}`,
      accountId: this.#accountIdOf(agent, rejected.requests),
      direction: 'incoming',
      peerUri: shownAddress(rejected.from.uri),
      peerName: rejected.from.displayName ?? null,
      state: 'ended',
      muted: false,
      startedAt: now,
      answeredAt: null,
      endedAt: now,
      end: { by: 'local', reason: 'do-not-disturb', status: rejected.status, detail: null },
    });
  }

  /** The running account an incoming call is for: the agent's account whose request factory the usage picked. */
  #accountIdOf(agent: CallAgent, requests: RequestFactory): string | null {
    const account = agent.accounts.find((candidate) => candidate.requests === requests);
    return account === undefined ? null : (this.#deps.accounts.idOf(account) ?? null);
  }

  #settingsOf(agent: CallAgent, requests: RequestFactory): CallSettings | undefined {
    const accountId = this.#accountIdOf(agent, requests);
    return accountId === null ? undefined : this.#deps.accounts.settings(accountId);
  }

  #codecsFor(callId: string): readonly CodecName[] | undefined {
    const order = this.#codecs.get(callId);
    if (order !== undefined) return order;
    // An incoming call (or one a REFER made): its account's order, read from the store at the time.
    const accountId = this.#calls.get(callId)?.accountId;
    return (accountId ? this.#deps.accounts.settings(accountId)?.codecs : undefined) ?? DEFAULT_CODECS;
  }

  #portOf(callId: string): WorkerMediaPort | undefined {
    for (const ports of this.#ports) {
      const port = ports.port(callId);
      if (port !== undefined) return port;
    }
    return undefined;
  }

  #attachPort(port: WorkerMediaPort): void {
    const id = port.id;
    port.on('quality', ({ quality }) => {
      if (!this.#calls.has(id)) return;
      for (const listener of [...this.#reports]) listener({ callId: id, quality });
    });
    port.on('inactive', ({ silentMs }) => {
      const tracked = this.#calls.get(id);
      if (tracked === undefined) return;
      // A call that is up sends its BYE with reason media-timeout itself; otherwise it is hung up here.
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
    void this.hangup(tracked.call.id);
  }

  #track(call: Call, accountId: string | null): Tracked {
    const existing = this.#calls.get(call.id);
    if (existing !== undefined) return existing;
    const tracked: Tracked = {
      call,
      accountId,
      startedAt: this.#deps.clock.wallTime(),
      answeredAt: null,
      endedAt: null,
      end: null,
      state: callStateName(call),
      transferring: false,
      mediaEnd: undefined,
      detach: [],
    };
    this.#calls.set(call.id, tracked);
    tracked.detach.push(
      call.on('state', () => this.#emit(tracked)),
      call.on('hold', () => this.#emit(tracked)),
      call.on('transfer', (event) => {
        if (event.role === 'transferee') {
          // The far end asked us to call someone: that call is ours to show, on the same account.
          this.#track(event.call, accountId);
          return;
        }
        // A transfer that got through ends the call at once (our BYE follows the final NOTIFY): it stays
        // `transferring` until `ended` rather than showing connected or on hold in between. Only a failure gives
        // the call back.
        tracked.transferring = event.state !== 'failed';
        this.#emit(tracked);
      }),
      call.on('replaced', (next) => {
        // RFC 3891: the call that takes this one's place is answered at once and never rings here.
        this.#track(next, accountId);
      }),
      call.on('ended', (end) => this.#ended(tracked, end)),
    );
    if (call.state === 'ended' && call.end !== undefined) {
      // dial() past the call limit hands back a call that never started.
      this.#emit(tracked, true);
      this.#ended(tracked, call.end);
    } else this.#emit(tracked, true);
    return tracked;
  }

  #ended(tracked: Tracked, end: CallEnd): void {
    this.#finish(tracked, callEndDto(end, tracked.mediaEnd));
  }

  #finish(tracked: Tracked, end: CallEndDto): void {
    if (tracked.end !== null) return;
    tracked.end = end;
    tracked.endedAt = this.#deps.clock.wallTime();
    tracked.state = 'ended';
    for (const detach of tracked.detach.splice(0)) detach();
    this.#calls.delete(tracked.call.id);
    this.#codecs.delete(tracked.call.id);
    this.#announce(this.#dto(tracked));
  }

  /** Announces the call when what the contract shows of it changed (or always, when `force`). */
  #emit(tracked: Tracked, force = false): void {
    if (tracked.end !== null || tracked.call.state === 'ended') return;
    const state = callStateName(tracked.call, {
      transferring: tracked.transferring,
      previous: tracked.state,
    });
    if (tracked.answeredAt === null && tracked.call.state === 'connected')
      tracked.answeredAt = this.#deps.clock.wallTime();
    if (state === tracked.state && !force) return;
    tracked.state = state;
    this.#announce(this.#dto(tracked));
  }

  #announce(dto: CallDto): void {
    for (const listener of [...this.#changed]) {
      try {
        listener(dto);
      } catch (error) {
        this.#deps.logger.log('error', 'a call listener failed', { error: messageOf(error) });
      }
    }
  }

  #dto(tracked: Tracked): CallDto {
    const call = tracked.call;
    return {
      id: call.id,
      accountId: tracked.accountId,
      direction: call.direction,
      peerUri: shownAddress(call.remote.uri),
      peerName: call.remote.displayName ?? null,
      state: tracked.state,
      muted: this.#portOf(call.id)?.muted ?? false,
      startedAt: tracked.startedAt,
      answeredAt: tracked.answeredAt,
      endedAt: tracked.endedAt,
      end: tracked.end,
    };
  }

  async #act(callId: string, action: string, run: (tracked: Tracked) => boolean): Promise<Result<CallDto>> {
    const tracked = this.#calls.get(callId);
    if (tracked === undefined) return unknownCall(callId);
    if (!run(tracked)) return refuse('conflict', `cannot ${action} while the call is ${tracked.call.state}`);
    // Let the call's synchronous consequences (a state change, a hold wish) show in the answer.
    await Promise.resolve();
    return { ok: true, value: this.#dto(tracked) };
  }
}

function isCallAgent(agent: AgentHost): agent is CallAgent {
  return typeof (agent as Partial<CallAgent>).installCalls === 'function';
}

function refuse<T>(
  code: 'not-found' | 'conflict' | 'unavailable' | 'invalid-argument',
  message: string,
  field?: string,
): Result<T> {
  return { ok: false, error: { code, message, ...(field === undefined ? {} : { field }) } };
}

function unknownCall<T>(callId: string, field?: string): Result<T> {
  return refuse('not-found', `no call ${callId}`, field);
}

function nothing(result: Result<CallDto>): Result<null> {
  return result.ok ? { ok: true, value: null } : result;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
