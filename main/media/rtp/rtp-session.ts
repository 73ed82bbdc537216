// One audio stream of a call over RTP and RTCP (RFC 3550), on two sockets or on one with rtcp-mux (RFC 5761). The
// adapter around the pure pieces: RtpSender and RtpReceiver number the packets, RtcpReporter writes and reads the
// reports, rtcpIntervalMs times them, DtmfTransmitter and DtmfReceiver carry RFC 4733 digits. It owns the sockets
// it is given and the timers it sets on the injected Clock; it never throws on received bytes.
//
// Symmetric RTP (RFC 4961): we send from the port we receive on, and once the far end's packets arrive we send to
// where they actually come from, which behind a NAT is not the address its SDP gave (latching). After that only the
// latched address is believed, until it has been silent for `relatchAfterMs` (a NAT rebinding) or the signalling
// gives a new address (`setRemote`).
//
// Hold: `setSending(false)` stops RTP but RTCP carries on (RFC 3264 §5.1: an RTP session stays up while on hold);
// `setReceiving(false)` drops what arrives. A DTMF event pauses the audio (RFC 4733 allows either): the
// far end then plays only the clean tone it generates, never our microphone's copy of the key press, and the
// event's timestamp never collides with audio covering the same instants. Audio resumes as a new talk spurt whose
// timestamp covers the time the event took.
import type { Clock, TimerHandle } from '../../platform/clock';
import { silentLogger, type Logger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import { RateLimitedLogger } from '../../platform/rate-limited-logger';
import type { DatagramSocket, SocketAddress } from '../../platform/sockets';
import type { DtmfDigit, ReceivedAudioPacket, RtpReceiveStats, RtpSendStats } from '../media-seams';
import { DtmfReceiver } from '../dtmf/dtmf-receiver';
import { DtmfTransmitter } from '../dtmf/dtmf-transmitter';
import { isRtcpDatagram } from './rtp-demux';
import { parseRtcpCompound } from './rtcp-packet';
import { nextAverageRtcpSize, rtcpBandwidthOctets, rtcpIntervalMs } from './rtcp-interval';
import { RtcpReporter } from './rtcp-reporter';
import { parseRtpPacket } from './rtp-packet';
import { RtpReceiver } from './rtp-receiver';
import { RtpSender } from './rtp-sender';

export interface RemoteAddress {
  readonly address: string;
  readonly port: number;
}

export interface RtpSessionOptions {
  /** Carries RTP, and RTCP too when `rtcpSocket` is absent (rtcp-mux). */
  readonly rtpSocket: DatagramSocket;
  readonly rtcpSocket?: DatagramSocket;
  readonly remoteRtp: RemoteAddress;
  /** Ignored with rtcp-mux, where RTCP goes where RTP goes. */
  readonly remoteRtcp: RemoteAddress;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly telephoneEvent?: { readonly payloadType: number; readonly clockRate: number };
  /** Our SDES CNAME (§6.5.1): the same for every stream of this engine run. */
  readonly cname: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Debug lines for discarded packets go here, rate-limited per message. */
  readonly logger?: Logger;
  /** The session bandwidth RTCP takes 5 % of (§6.2), bits per second. Default 80 kbit/s (G.711 with headers). */
  readonly sessionBandwidthBps?: number;
  /** How long the latched address must be silent before another may take its place. Default 2 s. */
  readonly relatchAfterMs?: number;
}

export type RtpSessionEvent =
  | { readonly kind: 'latched'; readonly channel: 'rtp' | 'rtcp'; readonly address: SocketAddress }
  | { readonly kind: 'source-changed'; readonly ssrc: number }
  | { readonly kind: 'goodbye'; readonly ssrc: number; readonly reason?: string }
  | { readonly kind: 'round-trip'; readonly roundTripMs: number }
  /** The far end's report about our stream: the share of our packets it lost over its last interval, 0–1. */
  | { readonly kind: 'far-end-loss'; readonly fractionLost: number };

export interface RtpSessionStats {
  readonly sent: RtpSendStats;
  /**
   * `fractionLost` is 0–1 over the last RTCP interval (what our last report block said); `cumulativeLost` is live
   * for the current far-end source; `packets` and `bytes` (payload octets) count telephone events too.
   */
  readonly received: RtpReceiveStats;
  /** From the far end's last report block about us (§6.4.1), ms; null until one came. */
  readonly roundTripMs: number | null;
  readonly rtcpSent: number;
  readonly rtcpReceived: number;
  /** RTCP datagrams refused by the parser, or from an address other than the far end's. */
  readonly rtcpDiscarded: number;
  /** When the last RTP packet was accepted (Clock.now()), for an inactivity timeout; null before the first. */
  readonly lastReceivedAtMs: number | null;
  /** How often the far end's SSRC changed. */
  readonly sourceChanges: number;
}

const DEFAULT_SESSION_BANDWIDTH_BPS = 80_000;
const DEFAULT_RELATCH_AFTER_MS = 2_000;
/** A first guess at our compound's size (an SR with one block and a short CNAME) before any is measured. */
const INITIAL_AVERAGE_RTCP_SIZE = 100;
function sameAddress(a: SocketAddress, b: RemoteAddress): boolean {
  return a.address === b.address && a.port === b.port;
}

export class RtpSession {
  readonly #rtpSocket: DatagramSocket;
  readonly #rtcpSocket: DatagramSocket | undefined;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger;
  readonly #payloadType: number;
  readonly #clockRate: number;
  readonly #sender: RtpSender;
  readonly #receiver: RtpReceiver;
  readonly #reporter: RtcpReporter;
  readonly #dtmfReceiver: DtmfReceiver | undefined;
  readonly #rtcpBandwidth: number;
  readonly #relatchAfterMs: number;

  #remoteRtp: RemoteAddress;
  #remoteRtcp: RemoteAddress;
  #latchedRtp: SocketAddress | undefined;
  #latchedRtcp: SocketAddress | undefined;
  #sending = true;
  #receiving = true;
  #closed = false;
  /** The next audio packet starts a talk spurt: after hold or a DTMF event. */
  #spurtPending = false;

  #discarded = 0;
  #lastReceivedAtMs: number | null = null;
  #remoteSenderAtMs: number | null = null;
  #rtcpSent = 0;
  #rtcpReceived = 0;
  #rtcpDiscarded = 0;
  #averageRtcpSize = INITIAL_AVERAGE_RTCP_SIZE;
  #initialReport = true;
  /** tp of A.7: when our last report went out (the session's start before the first). */
  #lastReportAtMs: number;
  #rtcpTimer: TimerHandle | undefined;

  readonly #dtmfTransmitter: DtmfTransmitter | undefined;
  #dtmfExpiryTimer: TimerHandle | undefined;

  #audioHandler: (packet: ReceivedAudioPacket) => void = () => undefined;
  #dtmfHandler: (digit: DtmfDigit) => void = () => undefined;
  #eventHandler: (event: RtpSessionEvent) => void = () => undefined;

  constructor(options: RtpSessionOptions) {
    this.#rtpSocket = options.rtpSocket;
    this.#rtcpSocket = options.rtcpSocket;
    this.#clock = options.clock;
    this.#random = options.random;
    // A flood of bad packets must not flood the log too: identical lines beyond a burst are counted instead.
    this.#logger =
      options.logger === undefined ? silentLogger : new RateLimitedLogger(options.logger, options.clock);
    this.#payloadType = options.payloadType;
    this.#clockRate = options.clockRate;
    this.#remoteRtp = options.remoteRtp;
    this.#remoteRtcp = options.remoteRtcp;
    this.#rtcpBandwidth = rtcpBandwidthOctets(options.sessionBandwidthBps ?? DEFAULT_SESSION_BANDWIDTH_BPS);
    this.#relatchAfterMs = options.relatchAfterMs ?? DEFAULT_RELATCH_AFTER_MS;
    this.#sender = new RtpSender(options.random, options.clockRate);
    this.#receiver = new RtpReceiver({
      audioPayloadType: options.payloadType,
      audioClockRate: options.clockRate,
      ...(options.telephoneEvent === undefined
        ? {}
        : { telephoneEventPayloadType: options.telephoneEvent.payloadType }),
    });
    this.#reporter = new RtcpReporter(this.#sender, this.#receiver, options.cname);
    const telephoneEvent = options.telephoneEvent;
    this.#dtmfReceiver =
      telephoneEvent === undefined ? undefined : new DtmfReceiver({ clockRate: telephoneEvent.clockRate });
    this.#dtmfTransmitter =
      telephoneEvent === undefined
        ? undefined
        : new DtmfTransmitter({
            clock: this.#clock,
            clockRate: telephoneEvent.clockRate,
            startTimestamp: () => this.#sender.spurtTimestampAt(this.#clock.now()),
            send: (payload, marker, timestamp) => {
              const bytes = this.#sender.write(
                { payloadType: telephoneEvent.payloadType, payload, marker, timestamp },
                this.#clock.now(),
              );
              if (bytes !== undefined) this.#sendRtp(bytes);
            },
            // Audio after an event is a new talk spurt whose timestamp covers the event.
            ended: () => {
              this.#spurtPending = true;
            },
          });

    this.#rtpSocket.onMessage((data, from) => this.#onRtpSocket(data, from));
    this.#rtcpSocket?.onMessage((data, from) => this.#onRtcp(data, from));
    // Send errors (an ICMP unreachable while the far end is not up yet) are no reason to end the stream.
    const logError = (error: Error): void =>
      this.#logger.log('debug', 'rtp socket error', { error: error.message });
    this.#rtpSocket.onError(logError);
    this.#rtcpSocket?.onError(logError);
    this.#lastReportAtMs = this.#clock.now();
    this.#scheduleReport();
  }

  get ssrc(): number {
    return this.#sender.ssrc;
  }

  get rtcpMux(): boolean {
    return this.#rtcpSocket === undefined;
  }

  /** Received audio, in arrival order, for the jitter buffer. The payload is a view into the datagram, not a copy. */
  onAudio(handler: (packet: ReceivedAudioPacket) => void): void {
    this.#audioHandler = handler;
  }

  /** Each RFC 4733 digit the far end sends, once. */
  onDtmf(handler: (digit: DtmfDigit) => void): void {
    this.#dtmfHandler = handler;
  }

  onEvent(handler: (event: RtpSessionEvent) => void): void {
    this.#eventHandler = handler;
  }

  /**
   * Sends one packet of audio covering `duration` timestamp units (160 for 20 ms of PCMU, 960 for 20 ms of Opus).
   * `marker` starts a talk spurt (RFC 3551 §4.1), and then the timestamp also covers the silence before it. False
   * when nothing was sent: on hold, during a DTMF event, or after close.
   */
  sendAudio(payload: Uint8Array, duration: number, options: { readonly marker?: boolean } = {}): boolean {
    if (this.#closed || !this.#sending || this.#dtmfTransmitter?.active === true) return false;
    const marker = (options.marker ?? false) || this.#spurtPending;
    const bytes = this.#sender.write(
      { payloadType: this.#payloadType, payload, marker, duration },
      this.#clock.now(),
    );
    if (bytes === undefined) return false;
    this.#spurtPending = false;
    this.#sendRtp(bytes);
    return true;
  }

  /**
   * Queues RFC 4733 events for `digits` (0-9, *, #, A-D; others are skipped), each `durationMs` long. False when no
   * telephone-event was negotiated, on hold, or after close.
   */
  sendDtmf(digits: string, durationMs = 100): boolean {
    if (this.#dtmfTransmitter === undefined || this.#closed || !this.#sending) return false;
    this.#dtmfTransmitter.enqueue(digits, durationMs);
    return true;
  }

  /** New addresses from a re-INVITE's SDP: send there, and latch again to whatever then arrives. */
  setRemote(rtp: RemoteAddress, rtcp: RemoteAddress): void {
    this.#remoteRtp = rtp;
    this.#remoteRtcp = rtcp;
    this.#latchedRtp = undefined;
    this.#latchedRtcp = undefined;
  }

  /** Hold (false) or resume (true) our sending; RTCP continues either way. */
  setSending(sending: boolean): void {
    if (sending && !this.#sending) this.#spurtPending = true;
    this.#sending = sending;
    if (!sending) this.#dtmfTransmitter?.cancel();
  }

  /** Whether received RTP is delivered (false while the far end should not be sending to us). */
  setReceiving(receiving: boolean): void {
    this.#receiving = receiving;
  }

  stats(): RtpSessionStats {
    const tracker = this.#receiver.tracker;
    const loss = tracker?.peekReport();
    return {
      sent: this.#sender.stats,
      received: {
        packets: this.#receiver.packets,
        bytes: this.#receiver.bytes,
        discarded: this.#discarded,
        cumulativeLost: loss?.cumulativeLost ?? 0,
        fractionLost: (this.#receiver.lastReport?.fractionLost ?? 0) / 256,
        jitterMs: (this.#receiver.jitter.jitter * 1000) / this.#clockRate,
      },
      roundTripMs: this.#reporter.roundTripMs,
      rtcpSent: this.#rtcpSent,
      rtcpReceived: this.#rtcpReceived,
      rtcpDiscarded: this.#rtcpDiscarded,
      lastReceivedAtMs: this.#lastReceivedAtMs,
      sourceChanges: this.#receiver.sourceChanges,
    };
  }

  /** Sends a last report with BYE (§6.6), stops every timer and closes the sockets. Idempotent. */
  close(reason?: string): void {
    if (this.#closed) return;
    this.#dtmfTransmitter?.cancel();
    this.#clock.clearTimer(this.#rtcpTimer);
    this.#clock.clearTimer(this.#dtmfExpiryTimer);
    this.#sendRtcp(this.#reporter.buildReport(this.#times(), reason === undefined ? {} : { reason }));
    this.#closed = true;
    this.#rtpSocket.close();
    this.#rtcpSocket?.close();
  }

  // ── sending ──────────────────────────────────────────────────────────────────────────────────────────────────

  #rtpDestination(): RemoteAddress {
    return this.#latchedRtp ?? this.#remoteRtp;
  }

  #rtcpDestination(): RemoteAddress {
    if (this.#rtcpSocket === undefined) return this.#rtpDestination();
    return this.#latchedRtcp ?? this.#remoteRtcp;
  }

  #sendRtp(bytes: Uint8Array): void {
    const to = this.#rtpDestination();
    this.#rtpSocket.send(bytes, to.port, to.address);
  }

  #sendRtcp(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const to = this.#rtcpDestination();
    (this.#rtcpSocket ?? this.#rtpSocket).send(bytes, to.port, to.address);
    this.#rtcpSent++;
    this.#averageRtcpSize = nextAverageRtcpSize(this.#averageRtcpSize, bytes.length);
  }

  #times(): { nowMs: number; wallMs: number } {
    return { nowMs: this.#clock.now(), wallMs: this.#clock.wallTime() };
  }

  /** A.7 rtcp_interval() for the session as it is now. */
  #reportInterval(): number {
    const weSent = this.#reporter.weSent;
    return rtcpIntervalMs(
      {
        members: this.#lastReceivedAtMs === null && this.#rtcpReceived === 0 ? 1 : 2,
        senders: (weSent ? 1 : 0) + (this.#remoteSenderAtMs !== null ? 1 : 0),
        rtcpBandwidth: this.#rtcpBandwidth,
        weSent,
        averageRtcpSize: this.#averageRtcpSize,
        initial: this.#initialReport,
      },
      this.#random.fraction(),
    );
  }

  #scheduleReport(): void {
    this.#rtcpTimer = this.#clock.setTimer(this.#reportInterval(), () => this.#onReportTimer());
  }

  /**
   * A.7 OnExpire with timer reconsideration (§6.3.6): a fresh interval is drawn from the session as it is now; if
   * the previous report plus that is still ahead, wait until then instead of sending. The e − 3/2 divisor in the
   * interval assumes exactly this.
   */
  #onReportTimer(): void {
    this.#rtcpTimer = undefined;
    if (this.#closed) return;
    const now = this.#clock.now();
    const due = this.#lastReportAtMs + this.#reportInterval();
    if (due > now) {
      this.#rtcpTimer = this.#clock.setTimer(due - now, () => this.#onReportTimer());
      return;
    }
    this.#initialReport = false;
    this.#sendRtcp(this.#reporter.buildReport(this.#times()));
    // The far end counts as a sender for the next interval only if its RTP keeps coming after this report.
    if (this.#remoteSenderAtMs !== null && this.#remoteSenderAtMs < this.#lastReportAtMs) {
      this.#remoteSenderAtMs = null;
    }
    this.#lastReportAtMs = now;
    this.#scheduleReport();
  }

  // ── receiving ────────────────────────────────────────────────────────────────────────────────────────────────

  #onRtpSocket(data: Uint8Array, from: SocketAddress): void {
    if (this.#closed) return;
    if (this.#rtcpSocket === undefined && isRtcpDatagram(data)) {
      this.#onRtcp(data, from);
      return;
    }
    this.#onRtp(data, from);
  }

  #onRtp(data: Uint8Array, from: SocketAddress): void {
    const parsed = parseRtpPacket(data);
    if (!parsed.ok) {
      this.#discard('unparsable', { reason: parsed.error });
      return;
    }
    if (!this.#receiving) return;
    const now = this.#clock.now();
    const latched = this.#latchedRtp;
    const elsewhere = latched !== undefined && !sameAddress(from, latched);
    if (elsewhere && !this.#latchedWentQuiet(now)) {
      this.#discard('not from the latched address', { from: `${from.address}:${from.port}` });
      return;
    }
    const packet = parsed.value;
    const verdict = this.#receiver.receive(packet, now);
    if (verdict.kind === 'discarded') {
      this.#discard(verdict.reason, { payloadType: packet.payloadType });
      return;
    }
    this.#lastReceivedAtMs = now;
    this.#remoteSenderAtMs = now;
    if (latched === undefined || elsewhere) {
      // Only a packet we accept moves the latch, so a stray datagram cannot steer our audio elsewhere.
      this.#latchedRtp = from;
      this.#eventHandler({ kind: 'latched', channel: 'rtp', address: from });
    }
    if (verdict.ssrcChanged) {
      this.#logger.log('debug', 'rtp source changed', { ssrc: packet.ssrc });
      this.#eventHandler({ kind: 'source-changed', ssrc: packet.ssrc });
    }
    if (verdict.kind === 'event') {
      this.#onTelephoneEvent(packet.timestamp, packet.payload, now);
      return;
    }
    this.#audioHandler({
      sequence: verdict.sequence,
      timestamp: packet.timestamp,
      marker: verdict.marker,
      payload: packet.payload,
      arrivalMs: now,
    });
  }

  /** Whether the latched address has sent nothing for `relatchAfterMs`, so another may take its place. */
  #latchedWentQuiet(now: number): boolean {
    return this.#lastReceivedAtMs === null || now - this.#lastReceivedAtMs >= this.#relatchAfterMs;
  }

  #onTelephoneEvent(timestamp: number, payload: Uint8Array, now: number): void {
    const receiver = this.#dtmfReceiver;
    if (receiver === undefined) return;
    const outcome = receiver.receive(timestamp, payload, now);
    if (outcome.rejected !== undefined) this.#discard('telephone-event', { reason: outcome.rejected });
    for (const digit of outcome.digits) this.#dtmfHandler(digit);
    this.#clock.clearTimer(this.#dtmfExpiryTimer);
    this.#dtmfExpiryTimer = undefined;
    const expiresAt = receiver.expiresAt;
    if (expiresAt === undefined) return;
    this.#dtmfExpiryTimer = this.#clock.setTimer(expiresAt - now, () => {
      this.#dtmfExpiryTimer = undefined;
      const digit = receiver.expire(this.#clock.now());
      if (digit !== undefined) this.#dtmfHandler(digit);
    });
  }

  #onRtcp(data: Uint8Array, from: SocketAddress): void {
    if (this.#closed) return;
    // Once we know where the far end's RTCP (or, muxed, its RTP) comes from, reports from elsewhere could only
    // spoof a round trip or a BYE.
    const expected = this.#rtcpSocket === undefined ? this.#latchedRtp : this.#latchedRtcp;
    if (expected !== undefined && !sameAddress(from, expected)) {
      this.#rtcpDiscarded++;
      this.#logger.log('debug', 'rtcp discarded: not from the far end', {
        from: `${from.address}:${from.port}`,
      });
      return;
    }
    const parsed = parseRtcpCompound(data);
    if (!parsed.ok) {
      this.#rtcpDiscarded++;
      this.#logger.log('debug', 'rtcp discarded', { reason: parsed.error });
      return;
    }
    this.#rtcpReceived++;
    this.#averageRtcpSize = nextAverageRtcpSize(this.#averageRtcpSize, data.length);
    const summary = this.#reporter.receive(parsed.value, this.#times());
    if (this.#rtcpSocket !== undefined && this.#latchedRtcp === undefined && summary.fromRemote) {
      this.#latchedRtcp = from;
      this.#eventHandler({ kind: 'latched', channel: 'rtcp', address: from });
    }
    if (summary.roundTripMs !== undefined) {
      this.#eventHandler({ kind: 'round-trip', roundTripMs: summary.roundTripMs });
    }
    if (summary.farEndFractionLost !== undefined) {
      this.#eventHandler({ kind: 'far-end-loss', fractionLost: summary.farEndFractionLost });
    }
    if (summary.goodbye !== undefined) {
      this.#eventHandler({ kind: 'goodbye', ...summary.goodbye });
    }
  }

  #discard(why: string, fields: Record<string, unknown>): void {
    this.#discarded++;
    this.#logger.log('debug', `rtp discarded: ${why}`, fields);
  }
}
