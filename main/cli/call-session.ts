// One call as `softphone call` and `softphone answer` run it: its JSON events (every state in the contract's words,
// the media agreed, quality every 2 s, DTMF heard, the end with who ended it, the SIP status and a reason code), the
// WAV files on its audio port, the digits sent once it connects, the --duration hang-up, the stdin controls, and the
// hang-up the media side asks for (no RTP for too long, the media worker gone).
//
// Audio: the player and the recording are attached to the call's audio port as soon as both the port and this
// session exist, which is always before the stream's first tick (an outgoing call's stream starts at the 2xx, an
// incoming one's at our answer). Both therefore begin at that tick: the two files share a time origin.
import type { CallEndDto, CallStateName } from '../contract/contract';
import type { Clock, TimerHandle } from '../platform/clock';
import { CallQualityTracker } from '../services/call-quality';
import { type MediaEndCause, callEndDto, callStateName, endedNormally } from '../services/call-view';
import type { WorkerMediaPort } from '../services/worker-media-port';
import { formatUri, parseUri, isSipUri, type SipUri } from '../sip/message/uri';
import type { Call } from '../ua/call/call';
import type { CallControl, TransferReplaces } from './call-control';
import type { Output } from './output';
import { WavPlayer } from '../media/wav/wav-player';
import type { WavWriter } from '../media/wav/wav-writer';

/** What a session needs besides its call. */
export interface CallSessionOptions {
  readonly output: Output;
  readonly clock: Clock;
  /** The --play file, mono 16-bit at 48 kHz; undefined: silence. */
  readonly play: Int16Array | undefined;
  /**
   * The --record file of the whole run, which the runner closes; undefined: nothing is recorded. Calls append to
   * it one after another (a transfer's new call after the one it replaced).
   */
  readonly recording: Pick<WavWriter, 'append'> | undefined;
  /** Hang up this long after the answer. */
  readonly durationMs: number | null;
  /** Sent once the call connects (RFC 4733, or SIP INFO when no telephone-event was agreed). */
  readonly dtmf: string | null;
  /** The account the call runs on, null for a direct call (for the events). */
  readonly accountId: string | null;
  /**
   * The far end transferred us (RFC 3515), or an INVITE with Replaces took this call's place (RFC 3891): `call` is
   * the new call, which takes this one's place.
   */
  readonly onTransferred?: (call: Call) => void;
}

/** INFO DTMF: how long each digit is said to last (RFC 4733 §2.5.1.3 suggests 40 ms or more; phones use 100-250). */
const INFO_DIGIT_MS = 160;

export class CallSession {
  readonly call: Call;
  readonly #options: CallSessionOptions;
  readonly #quality: CallQualityTracker;
  readonly #ended: Promise<CallEndDto>;
  #resolveEnded!: (end: CallEndDto) => void;
  #port: WorkerMediaPort | undefined;
  #player: WavPlayer | undefined;
  #stopRecording: (() => void) | undefined;
  #lastState: CallStateName | undefined;
  #answered = false;
  #transferring = false;
  /** The consultation call this one is being transferred to (attended), until the transfer ends. */
  #attendedTo: CallSession | undefined;
  #durationTimer: TimerHandle | undefined;
  #mediaEnd: { readonly cause: MediaEndCause; readonly detail: string } | undefined;
  #end: CallEndDto | undefined;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(call: Call, options: CallSessionOptions) {
    this.call = call;
    this.#options = options;
    this.#quality = new CallQualityTracker(call.id);
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    call.on('state', () => this.#stateChanged());
    call.on('hold', () => this.#emitState());
    call.on('media', (media) =>
      this.#event({
        event: 'media',
        codec: media.codec.name,
        payloadType: media.codec.payloadType,
        clockRate: media.codec.clockRate,
        remote: `${media.remoteRtp.address}:${media.remoteRtp.port}`,
        telephoneEvent: media.telephoneEvent?.payloadType ?? null,
        send: media.send,
        receive: media.receive,
      }),
    );
    call.on('progress', ({ status, reason }) => this.#event({ event: 'progress', status, reason }));
    call.on('dtmf', (digit) => this.#event({ event: 'dtmf', via: 'info', ...digit }));
    call.on('transfer', (transfer) => {
      if (transfer.role === 'transferee') {
        this.#event({
          event: 'transfer',
          role: 'transferee',
          target: formatUri(transfer.call.remote.uri),
          newCallId: transfer.call.id,
        });
        // This call ends once the new one is up; from now on the recording is the new call's.
        this.#stopRecording?.();
        this.#options.onTransferred?.(transfer.call);
        return;
      }
      this.#transferring = transfer.state === 'accepted' || transfer.state === 'progress';
      const consultation = this.#attendedTo;
      this.#event({
        event: 'transfer',
        role: 'transferor',
        state: transfer.state,
        status: transfer.status ?? null,
        ...(consultation ? { consultationCallId: consultation.id } : {}),
      });
      if (transfer.state === 'succeeded' || transfer.state === 'failed') this.#attendedTo = undefined;
      // Our two parties now talk to each other: the consultation call ends too, unless the target has already
      // ended it on taking the INVITE with Replaces (RFC 3891 §3).
      if (transfer.state === 'succeeded') consultation?.call.endTransferred();
      this.#emitState();
    });
    call.on('replaced', (next) => {
      // An INVITE with Replaces took this call's place (RFC 3891, the target of an attended transfer): the run
      // follows the new call as it follows a transfer's.
      this.#event({ event: 'replaced', newCallId: next.id, peer: formatUri(next.remote.uri) });
      this.#stopRecording?.();
      this.#options.onTransferred?.(next);
    });
    call.on('ended', (end) => void this.#finish(end));
    this.#emitState();
  }

  get id(): string {
    return this.call.id;
  }

  /** Resolves with the contract's end once the call is over. */
  get ended(): Promise<CallEndDto> {
    return this.#ended;
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** Answered and ended by a BYE (either way) or a completed transfer. */
  get endedNormally(): boolean {
    return this.#answered && this.#end !== undefined && endedNormally(this.#end);
  }

  /** The call's media port: WAV files and media events are attached here (before its stream starts). */
  attachPort(port: WorkerMediaPort): void {
    if (this.#port !== undefined) return;
    this.#port = port;
    this.#unsubscribe.push(
      port.on('quality', ({ quality }) =>
        this.#event({ event: 'quality', ...this.#quality.report(quality) }),
      ),
      port.on('dtmf', (digit) => this.#event({ event: 'dtmf', via: 'rfc4733', ...digit })),
      port.on('inactive', ({ silentMs }) => {
        // The far end has vanished: the call sends its BYE with reason media-timeout itself when it is up.
        if (!this.call.mediaLost())
          this.#hangupForMedia('media-timeout', `no RTP for ${Math.round(silentMs / 1000)} s`);
      }),
      port.on('failed', (failure) =>
        this.#hangupForMedia(
          failure.code === 'worker-crashed' || failure.code === 'worker-closed'
            ? 'engine-stopped'
            : 'internal',
          `${failure.code}: ${failure.message}`,
        ),
      ),
    );
    const stream = port.audioStream();
    if (stream === undefined) return;
    const { play, recording } = this.#options;
    // Every speaker frame from the stream's first tick (silence until audio arrives), like WavRecorder, into the
    // run's one file.
    if (recording !== undefined) this.#stopRecording = stream.onFrame((frame) => recording.append(frame));
    if (play !== undefined) {
      this.#player = new WavPlayer(stream, play, { onEnded: () => this.#event({ event: 'play-ended' }) });
      this.#player.start();
    }
  }

  /** One stdin control line. */
  control(control: CallControl): void {
    const call = this.call;
    switch (control.cmd) {
      case 'hangup':
        this.hangup();
        return;
      case 'hold':
        this.#acted(control.cmd, call.state === 'connected' && call.holdCall());
        return;
      case 'resume':
        this.#acted(control.cmd, call.state === 'connected' && call.resume());
        return;
      case 'mute':
      case 'unmute':
        void this.#mute(control.cmd === 'mute');
        return;
      case 'dtmf':
        void this.#sendDigits(control.digits);
        return;
      case 'transfer':
        this.#transfer(control.target, control.replaces);
        return;
      case 'call':
      case 'swap':
        // Commands about two calls are the run's (system-call-runner.ts), never one session's.
        this.#refused(control.cmd, 'not a command for one call');
        return;
    }
  }

  /**
   * Attended transfer (RFC 3891, RFC 5589 §7): asks this call's far end to call `consultation`'s far end with
   * Replaces naming the consultation dialog. When it succeeds this call ends `transferred`, and so does the
   * consultation if the target has not already ended it.
   */
  transferTo(consultation: CallSession): void {
    const done = this.call.transferTo(consultation.call);
    if (done) this.#attendedTo = consultation;
    this.#acted('transfer', done);
  }

  /** Puts the call on hold unless it is already (for a consultation call or a swap); false when it is not up. */
  holdForSwitch(): boolean {
    if (this.call.state !== 'connected') return false;
    return this.call.hold.local || this.call.holdCall();
  }

  /** Takes the call off our hold (a swap back to it); false when it is not up. */
  resumeForSwitch(): boolean {
    if (this.call.state !== 'connected') return false;
    return !this.call.hold.local || this.call.resume();
  }

  /** Ends the call whatever its state: BYE, CANCEL, or 603 when it only rings here (as calls.hangup does). */
  hangup(): void {
    const call = this.call;
    if (call.state === 'ended' || call.state === 'ending') return;
    if (call.state === 'incoming' || call.state === 'ringing') {
      call.reject(603);
      return;
    }
    call.hangup();
  }

  #stateChanged(): void {
    if (this.call.state === 'connected' && !this.#answered) {
      this.#answered = true;
      this.#connected();
    }
    this.#emitState();
  }

  #connected(): void {
    const { durationMs, dtmf, clock } = this.#options;
    if (durationMs !== null) this.#durationTimer = clock.setTimer(durationMs, () => this.hangup());
    // The state changes before the call applies the media of its 2xx or ACK: send once that has run.
    if (dtmf !== null) void Promise.resolve().then(() => this.#sendDigits(dtmf));
  }

  #emitState(): void {
    if (this.call.state === 'ended') return;
    const state = callStateName(this.call, {
      transferring: this.#transferring,
      ...(this.#lastState === undefined ? {} : { previous: this.#lastState }),
    });
    if (state === this.#lastState) return;
    this.#lastState = state;
    this.#event({
      event: 'call',
      state,
      direction: this.call.direction,
      peer: formatUri(this.call.remote.uri),
      accountId: this.#options.accountId,
      sipCallId: this.call.callId ?? null,
    });
  }

  async #sendDigits(digits: string): Promise<void> {
    const port = this.#port;
    if (this.call.state !== 'connected' || port === undefined) {
      this.#refused('dtmf', `the call is ${this.call.state}`);
      return;
    }
    if (this.call.media?.telephoneEvent !== undefined) {
      const sent = await port.sendDtmf(digits);
      if (sent.ok) {
        this.#event({ event: 'dtmf-sent', via: 'rfc4733', digits });
        return;
      }
      if (sent.error.code !== 'no-telephone-event') {
        this.#refused('dtmf', `${sent.error.code}: ${sent.error.message}`);
        return;
      }
    }
    // No telephone-event agreed: SIP INFO (application/dtmf-relay), one request per digit.
    for (const digit of digits) {
      if (!this.call.sendInfoDtmf(digit, INFO_DIGIT_MS)) {
        this.#refused('dtmf', `INFO for ${digit} could not be sent`);
        return;
      }
    }
    this.#event({ event: 'dtmf-sent', via: 'info', digits });
  }

  async #mute(muted: boolean): Promise<void> {
    const port = this.#port;
    const command = muted ? 'mute' : 'unmute';
    if (port === undefined || !port.started) {
      this.#refused(command, 'the call has no media yet');
      return;
    }
    const result = await port.setMuted(muted);
    if (!result.ok) {
      this.#refused(command, `${result.error.code}: ${result.error.message}`);
      return;
    }
    this.#event({ event: 'muted', muted });
  }

  /** Blind, or attended to a dialog another UA holds (`replaces` as RFC 3891 §6.1 writes it). */
  #transfer(targetText: string | null, replaces: TransferReplaces | null): void {
    if (replaces?.kind === 'consultation' || targetText === null) {
      // A consultation call is another session: the run pairs the two (transferTo).
      this.#refused('transfer', 'a transfer to a consultation call needs the run');
      return;
    }
    const parsed = parseUri(targetText);
    if (!parsed.ok || !isSipUri(parsed.value)) {
      this.#refused('transfer', 'the target is not a SIP URI');
      return;
    }
    const target: SipUri = parsed.value;
    this.#acted('transfer', this.call.transfer(target, replaces?.value));
  }

  #hangupForMedia(cause: MediaEndCause, detail: string): void {
    if (this.call.state === 'ended') return;
    this.#mediaEnd ??= { cause, detail };
    this.hangup();
  }

  async #finish(end: Parameters<typeof callEndDto>[0]): Promise<void> {
    this.#options.clock.clearTimer(this.#durationTimer);
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#player?.stop();
    this.#stopRecording?.();
    const dto = callEndDto(end, this.#mediaEnd);
    this.#end = dto;
    this.#event({
      event: 'call',
      state: 'ended',
      direction: this.call.direction,
      peer: formatUri(this.call.remote.uri),
      accountId: this.#options.accountId,
      sipCallId: this.call.callId ?? null,
      answered: this.#answered,
      end: dto,
    });
    this.#resolveEnded(dto);
  }

  #acted(command: string, done: boolean): void {
    if (!done) this.#refused(command, `not possible while the call is ${this.call.state}`);
  }

  #refused(command: string, detail: string): void {
    this.#event({ event: 'control-refused', cmd: command, detail });
  }

  #event(payload: Record<string, unknown>): void {
    this.#options.output.event({ ...payload, callId: this.call.id });
  }
}
