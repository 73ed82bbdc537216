// The real CallRunner of `softphone call` and `softphone answer`: a user agent built as `register` and `listen`
// build theirs, the account (registered unless --no-register; none for a direct call), the call usage over the
// engine's media port (WorkerMediaPorts on a media worker), and one CallSession per call for its events, WAV files
// and controls. Time, the user agent and the media worker are injected, so the unit tests run it on the loopback
// network with a manual clock and a fake worker.
//
//   softphone call URI   listening → [registration …] → call dialing → ringing → connected … → call ended → exit
//   softphone answer     listening → [registration …] → per call: incoming → connected … → ended; until quit
//
// stdin acts on the current call. {"cmd":"call","target":…} places a consultation call from the same account: the
// current call goes on hold and the new one becomes current; {"cmd":"swap"} holds the current call and resumes the
// other; when the current call ends the other becomes current (still held). {"cmd":"transfer","replaces":true}
// transfers the other call to the consultation's far end (RFC 3891 Replaces); it ends `transferred`, and so does
// the consultation unless the target ended it on taking the transfer. A "current" event names the call stdin acts
// on whenever that moves while another call is up. At most two calls are up at once; the --play and --record files
// stay with the first (the run's) call.
import { open } from 'node:fs/promises';
import type { Clock } from '../platform/clock';
import { SystemClock } from '../platform/clock';
import { CryptoRandom, type Random } from '../platform/random';
import { readWavFileForCall } from '../media/wav/wav-files';
import { WavWriter, type WavSink } from '../media/wav/wav-writer';
import { ENGINE_SAMPLE_RATE } from '../media/media-seams';
import { MediaWorkerHost } from '../media/session/media-worker-host';
import { DEFAULT_WARM_UP_TICKS } from '../media/session/media-worker-protocol';
import { type ClosableMediaWorker, WorkerMediaPorts } from '../services/worker-media-port';
import { formatUri, isSipUri, parseUri } from '../sip/message/uri';
import type { Call } from '../ua/call/call';
import type { MessagingUsage } from '../messaging/messaging-usage';
import type { CallUsage } from '../ua/call/call-usage';
import type { Account, UserAgent } from '../ua/user-agent';
import type { AccountArgs } from './account-args';
import type { AnswerArgs, AudioArgs, CallArgs } from './call-args';
import { readControlLines, type CallControl } from './call-control';
import type { CallRunner, CallRunnerIo } from './call-runner';
import { CallSession } from './call-session';
import { printIncomingMessages } from './incoming-messages';
import type { Output } from './output';
import { accountConfig, registrationEvent } from './register-command';
import type { StartUserAgent } from './user-agent-factory';

export interface SystemCallRunnerDeps {
  readonly startUserAgent: StartUserAgent;
  /** Default: a MediaWorkerHost (a worker thread) logging to the command's stderr. */
  readonly createMediaWorker?: (output: Output) => ClosableMediaWorker;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** For SDP session ids; default crypto randomness. */
  readonly random?: Random;
  /** SIGINT/SIGTERM; default the process's. Returns the function that stops listening. */
  readonly onSignal?: (handler: () => void) => () => void;
  /** Where --record writes; default a file opened (and truncated) on the first write. */
  readonly openRecording?: (path: string) => WavSink;
}

/** How long the end of a run waits for its call to finish hanging up before the agent shuts down anyway. */
const HANGUP_GRACE_MS = 5_000;
/** The agent's own shutdown (unREGISTER) bound. */
const SHUTDOWN_MS = 2_000;
/** A call and one consultation call: what a person juggles on one line, and what stdin can tell apart. */
const MAX_LIVE_CALLS = 2;

export function systemCallRunner(deps: SystemCallRunnerDeps): CallRunner {
  return {
    call: (args, io) => new CallRun(deps, io).call(args),
    answer: (args, io) => new CallRun(deps, io).answer(args),
  };
}

function processSignals(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** A file sink that opens (replacing the file) at once and writes in the order it is given. */
export function fileRecording(path: string): WavSink {
  const handle = open(path, 'w');
  // The open's own failure surfaces at the first write, which the WavWriter keeps for close().
  handle.catch(() => undefined);
  return {
    async write(bytes, position) {
      await (await handle).write(bytes, 0, bytes.length, position);
    },
    async close() {
      await (await handle).close();
    },
  };
}

/** One invocation of `call` or `answer`. */
class CallRun {
  readonly #deps: SystemCallRunnerDeps;
  readonly #io: CallRunnerIo;
  readonly #output: Output;
  readonly #clock: Clock;
  readonly #sessions = new Map<string, CallSession>();
  #ua: UserAgent | undefined;
  #worker: ClosableMediaWorker | undefined;
  #ports: WorkerMediaPorts | undefined;
  #current: CallSession | undefined;
  /** The run's own call (or the call a transfer of it made): its end decides `call`'s exit code. */
  #primary: CallSession | undefined;
  /** Sessions placed with {"cmd":"call"}. */
  readonly #consultations = new Set<string>();
  /** What consultation calls are placed with: the run's call usage and the account (null: direct). */
  #usage: CallUsage | undefined;
  /** Incoming MESSAGEs print as events while the command runs. */
  #messages: MessagingUsage | undefined;
  /** The run's account (null: direct), set once added; consultation calls are placed from it, with its id. */
  #callingAccount: Account | null = null;
  #codecsArgs: AudioArgs | undefined;
  #stopControl: (() => void) | undefined;
  #stopSignals: (() => void) | undefined;
  #recording: WavWriter | undefined;

  constructor(deps: SystemCallRunnerDeps, io: CallRunnerIo) {
    this.#deps = deps;
    this.#io = io;
    this.#output = io.output;
    this.#clock = deps.clock ?? new SystemClock();
  }

  async call(args: CallArgs): Promise<number> {
    const play = await this.#readPlay(args);
    if (play === null) return 1;
    const account = args.account;
    const started = await this.#start(args, {
      bind: args.bind,
      firstHop: account ? (account.proxy ?? account.registrar ?? account.aor) : args.target,
      trace: args.trace,
    });
    if (started === null) return 1;
    const { usage } = started;
    try {
      // Ctrl-C and `quit` work from the start: before the call (a registration still retrying) they end the run.
      let quit = false;
      let quitBeforeCall!: () => void;
      const quitEarly = new Promise<false>((resolve) => (quitBeforeCall = () => resolve(false)));
      this.#listenForControl(() => {
        quit = true;
        quitBeforeCall();
        for (const session of this.#sessions.values()) session.hangup();
      });
      let fromAccount: Account | null = null;
      if (account) {
        const added = this.#addAccount(account);
        if (!(await Promise.race([added.registered, quitEarly]))) {
          if (quit)
            this.#output.event({
              event: 'error',
              reason: 'quit',
              detail: 'stopped before the call was placed',
            });
          return 1;
        }
        fromAccount = added.account;
      }
      if (quit) return 1;
      const call = usage.dial(args.target, fromAccount ? { account: fromAccount } : {});
      this.#primary = this.#session(call, args, play, fromAccount?.id ?? null, args.durationMs, args.dtmf);
      // A transfer the far end asks for (REFER) makes a new call that takes the primary's place; a consultation
      // call runs beside it. The run lasts until every call has ended.
      await this.#allEnded();
      return this.#primary.endedNormally ? 0 : 1;
    } finally {
      await this.#shutdown();
    }
  }

  async answer(args: AnswerArgs): Promise<number> {
    const play = await this.#readPlay(args);
    if (play === null) return 1;
    const account = args.account;
    const started = await this.#start(args, {
      bind: args.bind,
      firstHop: account ? (account.proxy ?? account.registrar ?? account.aor) : undefined,
      trace: args.trace,
    });
    if (started === null) return 1;
    const { usage } = started;
    try {
      let stopRequested!: () => void;
      const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
      let refused = false;
      let accountId: string | null = null;
      if (account) {
        const added = this.#addAccount(account);
        accountId = added.account.id;
        // Calls may arrive while the registration is on its way; one refused for good ends the run.
        void added.registered.then((registered) => {
          if (registered) return;
          refused = true;
          stopRequested();
        });
      }
      usage.onIncoming((call) => this.#incoming(call, args, play, accountId));
      this.#listenForControl(() => stopRequested());
      await stopped;
      await this.#hangupAll();
      return refused ? 1 : 0;
    } finally {
      await this.#shutdown();
    }
  }

  #incoming(call: Call, args: AnswerArgs, play: Int16Array | undefined, accountId: string | null): void {
    if ([...this.#sessions.values()].some((session) => session.call.state !== 'ended')) {
      // One incoming call at a time (a consultation call may join it from stdin): stdin controls "the current call".
      this.#output.event({ event: 'call-refused', from: formatUri(call.remote.uri), status: 486 });
      call.reject(486);
      return;
    }
    const session = this.#session(call, args, play, accountId, null, null);
    if (args.reject !== null) {
      call.reject(args.reject);
      return;
    }
    if (args.answerAfterMs === 'never') return;
    if (args.answerAfterMs === 0) call.answer();
    else
      this.#clock.setTimer(args.answerAfterMs, () => {
        if (session.call.state === 'ringing' || session.call.state === 'incoming') call.answer();
      });
  }

  #session(
    call: Call,
    audio: AudioArgs,
    play: Int16Array | undefined,
    accountId: string | null,
    durationMs: number | null,
    dtmf: string | null,
    consultation = false,
  ): CallSession {
    const session: CallSession = new CallSession(call, {
      output: this.#output,
      clock: this.#clock,
      // A consultation call runs beside the run's call, whose files they are.
      play: consultation ? undefined : play,
      recording: consultation ? undefined : this.#recordingFor(audio),
      durationMs,
      dtmf,
      accountId,
      // The new call plays and records like the one it replaces (the recording starts again with it).
      onTransferred: (next) => {
        const replacement = this.#session(next, audio, play, accountId, durationMs, null, consultation);
        if (this.#primary === session) this.#primary = replacement;
      },
    });
    const previous = this.#current;
    this.#sessions.set(call.id, session);
    if (consultation) this.#consultations.add(call.id);
    this.#makeCurrent(session, previous !== undefined && previous.call.state !== 'ended');
    void session.ended.then(() => {
      this.#sessions.delete(call.id);
      this.#consultations.delete(call.id);
      // The other call, still held, is what stdin acts on now.
      const other = [...this.#sessions.values()].at(-1);
      if (this.#current === session && other !== undefined) this.#makeCurrent(other, true);
    });
    // The port exists already for an incoming call (it is made before the call rings); an outgoing call's comes
    // later, through onPort.
    const port = this.#ports?.port(call.id);
    if (port !== undefined) session.attachPort(port);
    return session;
  }

  /** The run's --record file, opened (replacing it) when the first call needs it. */
  #recordingFor(audio: AudioArgs): WavWriter | undefined {
    if (audio.record === undefined) return undefined;
    this.#recording ??= new WavWriter((this.#deps.openRecording ?? fileRecording)(audio.record));
    return this.#recording;
  }

  async #start(
    audio: AudioArgs,
    agent: Parameters<StartUserAgent>[0],
  ): Promise<{ readonly usage: CallUsage } | null> {
    let ua: UserAgent;
    try {
      ua = await this.#deps.startUserAgent(agent, this.#output);
    } catch (error) {
      this.#output.event({ event: 'error', reason: 'bind-failed', detail: messageOf(error) });
      return null;
    }
    this.#ua = ua;
    this.#codecsArgs = audio;
    this.#output.event({
      event: 'listening',
      address: ua.transport.localAddress,
      port: ua.transport.localPort,
    });
    // The worker starts here (the pool below) and warms up 2 s later, or after the call if one has come by then.
    const worker =
      this.#deps.createMediaWorker?.(this.#output) ??
      new MediaWorkerHost({ logger: this.#output.logger, warmUpTicks: DEFAULT_WARM_UP_TICKS });
    this.#worker = worker;
    const address = ua.transport.localAddress;
    this.#ports = new WorkerMediaPorts({
      worker,
      random: this.#deps.random ?? new CryptoRandom(),
      // The media binds where SIP does: the address the far end already reaches us on.
      bindAddress: () => address,
      codecs: () => audio.codecs,
      logger: this.#output.logger,
      onPort: (port) => this.#sessions.get(port.id)?.attachPort(port),
    });
    // The first call then finds its RTP/RTCP ports bound already (no wait for the worker before its SDP).
    worker.prepare?.(address);
    this.#usage = ua.installCalls({ media: this.#ports.factory });
    this.#messages = printIncomingMessages(ua, this.#output);
    return { usage: this.#usage };
  }

  /** Adds the account; `registered` resolves true once registered (at once with --no-register), false if refused. */
  #addAccount(args: AccountArgs): { readonly account: Account; readonly registered: Promise<boolean> } {
    const account = this.#ua!.addAccount(accountConfig(args));
    this.#callingAccount = account;
    const aor = formatUri(args.aor);
    if (!args.register) {
      this.#output.event({ event: 'registration', aor, state: 'not-registering' });
      return { account, registered: Promise.resolve(true) };
    }
    const registered = new Promise<boolean>((resolve) => {
      account.registerer.onStateChanged((state) => {
        this.#output.event(registrationEvent(aor, state));
        if (state.name === 'registered') resolve(true);
        if (state.name === 'failed' && state.retryInMs === undefined) {
          this.#output.event({ event: 'error', reason: 'registration-failed', aor, detail: state.detail });
          resolve(false);
        }
      });
    });
    account.registerer.register();
    return { account, registered };
  }

  async #readPlay(audio: AudioArgs): Promise<Int16Array | undefined | null> {
    if (audio.play === undefined) return undefined;
    const read = await readWavFileForCall(audio.play);
    if (read.ok) return read.value;
    this.#output.event({ event: 'error', reason: 'play-file', file: audio.play, detail: read.error.message });
    return null;
  }

  /** stdin control lines act on the current call; `quit` and the signals call `onQuit`. */
  #listenForControl(onQuit: () => void): void {
    this.#stopControl = readControlLines(this.#io.stdin, this.#output, {
      onControl: (control) => {
        const current = this.#current;
        if (current === undefined || current.call.state === 'ended') {
          this.#refused(control.cmd, 'no call in progress');
          return;
        }
        if (control.cmd === 'call') this.#consult(current, control.target);
        else if (control.cmd === 'swap') this.#swap(current);
        else if (control.cmd === 'transfer' && control.replaces?.kind === 'consultation')
          this.#transferToConsultation(control.replaces.callId);
        else current.control(control);
      },
      onQuit,
    });
    this.#stopSignals = (this.#deps.onSignal ?? processSignals)(onQuit);
  }

  /** {"cmd":"call"}: holds the current call and calls `targetText` from the same account; the new call is current. */
  #consult(current: CallSession, targetText: string): void {
    if (this.#sessions.size >= MAX_LIVE_CALLS) {
      this.#refused('call', `${MAX_LIVE_CALLS} calls are up already: hang one up or transfer first`);
      return;
    }
    const parsed = parseUri(targetText);
    if (!parsed.ok || !isSipUri(parsed.value)) {
      this.#refused('call', 'the target is not a SIP URI');
      return;
    }
    if (this.#usage === undefined || !current.holdForSwitch()) {
      this.#refused(
        'call',
        `the current call is ${current.call.state}: a consultation starts from a call that is up`,
      );
      return;
    }
    const account = this.#callingAccount;
    const call = this.#usage.dial(parsed.value, account ? { account } : {});
    this.#session(call, this.#codecsArgs!, undefined, account?.id ?? null, null, null, true);
  }

  /** {"cmd":"swap"}: holds the current call, resumes the other, which becomes current. */
  #swap(current: CallSession): void {
    const other = [...this.#sessions.values()].find((session) => session !== current);
    if (other === undefined) {
      this.#refused('swap', 'there is no other call');
      return;
    }
    if (other.call.state !== 'connected') {
      this.#refused('swap', `the other call is ${other.call.state}`);
      return;
    }
    current.holdForSwitch();
    other.resumeForSwitch();
    this.#makeCurrent(other, true);
  }

  /**
   * {"cmd":"transfer","replaces":true|"call-…"}: the consultation call (the one named, or the one placed from stdin)
   * stays; the other call is transferred to its far end with Replaces naming it.
   */
  #transferToConsultation(callId: string | null): void {
    const id = callId ?? [...this.#consultations].at(-1);
    const consultation = id === undefined ? undefined : this.#sessions.get(id);
    if (consultation === undefined) {
      this.#refused(
        'transfer',
        callId === null
          ? 'there is no consultation call: place one with {"cmd":"call"}'
          : `no call ${callId}`,
      );
      return;
    }
    const transferred = [...this.#sessions.values()].find((session) => session !== consultation);
    if (transferred === undefined) {
      this.#refused('transfer', 'there is no other call to transfer to it');
      return;
    }
    transferred.transferTo(consultation);
  }

  /** `announce`: another call is (or was just) up, so say which one stdin acts on now. */
  #makeCurrent(session: CallSession, announce: boolean): void {
    if (this.#current === session) return;
    this.#current = session;
    if (announce) this.#output.event({ event: 'current', callId: session.id });
  }

  #refused(cmd: CallControl['cmd'], detail: string): void {
    this.#output.event({ event: 'control-refused', cmd, detail });
  }

  /** Resolves once no call of the run is left (a transfer's new call counts as soon as it exists). */
  async #allEnded(): Promise<void> {
    for (let live = [...this.#sessions.values()]; live.length > 0; live = [...this.#sessions.values()])
      await Promise.race(live.map((session) => session.ended));
  }

  async #hangupAll(): Promise<void> {
    const live = [...this.#sessions.values()].filter((session) => session.call.state !== 'ended');
    for (const session of live) session.hangup();
    await this.#bounded(Promise.all(live.map((session) => session.ended)), HANGUP_GRACE_MS);
  }

  async #shutdown(): Promise<void> {
    this.#stopControl?.();
    this.#stopSignals?.();
    await this.#hangupAll();
    if (this.#recording !== undefined) {
      const closed = await this.#recording.close();
      this.#output.event(
        closed.ok
          ? {
              event: 'recorded',
              samples: closed.value.samples,
              seconds: closed.value.samples / ENGINE_SAMPLE_RATE,
            }
          : { event: 'error', reason: 'record-failed', detail: closed.error },
      );
    }
    this.#messages?.dispose();
    await this.#ua?.shutdown(SHUTDOWN_MS);
    this.#ports?.close();
    await this.#worker?.close();
  }

  /** Waits for `promise`, at most `ms` on the injected clock. */
  async #bounded(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: ReturnType<Clock['setTimer']> | undefined;
    await Promise.race([
      promise,
      new Promise<void>((resolve) => (timer = this.#clock.setTimer(ms, resolve))),
    ]);
    this.#clock.clearTimer(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
