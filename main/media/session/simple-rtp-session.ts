// STAND-IN until the RTP session of main/media/rtp/ (with RTCP) and main/media/dtmf/ are merged: enough RTP for the
// media worker's stream to be built and tested end to end. Sends audio with a random SSRC, sequence and timestamp
// (RFC 3550 §5.1), latches to the address the far end's audio actually comes from (symmetric RTP), tracks sequence
// and jitter with the RFC 3550 Appendix A helpers, sends RFC 4733 digits (audio pauses meanwhile; the end packet is
// sent three times, §2.5.1.4) and reports each received digit once. No RTCP: nothing is sent on the RTCP socket.
// Only stand-in-pieces.ts uses it.
import type { TimerHandle } from '../../platform/clock';
import type { SocketAddress } from '../../platform/sockets';
import { parseRtpPacket, serializeRtpPacket } from '../rtp/rtp-packet';
import { JitterEstimator, SequenceTracker } from '../rtp/sequence';
import type { RtpReceiveStats, RtpSendStats } from '../media-seams';
import type { StreamParams } from './media-worker-protocol';
import type { StreamRtp, StreamRtpOptions } from './stream-pieces';

const DTMF_EVENTS = '0123456789*#ABCD';
const DTMF_TONE_MS = 100;
const DTMF_STEP_MS = 50;
const DTMF_GAP_MS = 50;
const DTMF_VOLUME = 10;

function uint32(bytes: Uint8Array): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export class SimpleRtpSession implements StreamRtp {
  readonly #options: StreamRtpOptions;
  #params: StreamParams;
  readonly #ssrc: number;
  #sequence: number;
  #timestamp: number;
  #latched: SocketAddress | undefined;
  #remoteSsrc: number | undefined;
  #tracker: SequenceTracker | undefined;
  readonly #jitter = new JitterEstimator();
  #sent: { packets: number; bytes: number } = { packets: 0, bytes: 0 };
  #received = { packets: 0, bytes: 0, discarded: 0 };
  #lastDtmfTimestamp: number | undefined;
  readonly #dtmfQueue: string[] = [];
  #dtmfTimer: TimerHandle | undefined;
  #dtmfActive = false;
  #closed = false;

  constructor(options: StreamRtpOptions) {
    this.#options = options;
    this.#params = options.params;
    const random = options.random.bytes(10);
    this.#ssrc = uint32(random);
    this.#sequence = (random[4]! << 8) | random[5]!;
    this.#timestamp = uint32(random.subarray(6));
    options.rtpSocket.onMessage((data, from) => this.#receive(data, from));
  }

  sendAudio(payload: Uint8Array, durationTicks: number, marker: boolean): void {
    if (this.#closed || !this.#params.send) return;
    // RFC 4733 §2.5.1.2: the tone replaces the audio while it lasts; the timestamp still moves on.
    if (!this.#dtmfActive) this.#send(this.#params.codec.payloadType, this.#timestamp, payload, marker);
    this.#timestamp = (this.#timestamp + durationTicks) >>> 0;
  }

  sendDtmf(digits: string): boolean {
    if (this.#params.telephoneEvent === undefined) return false;
    this.#dtmfQueue.push(...digits);
    if (!this.#dtmfActive) this.#nextDigit();
    return true;
  }

  update(params: StreamParams): void {
    const moved =
      params.remoteRtp.address !== this.#params.remoteRtp.address ||
      params.remoteRtp.port !== this.#params.remoteRtp.port;
    if (moved) this.#latched = undefined;
    this.#params = params;
  }

  stats(): { sent: RtpSendStats; received: RtpReceiveStats; roundTripMs: number | null } {
    const report = this.#tracker?.takeReport();
    return {
      sent: { ...this.#sent },
      received: {
        packets: this.#received.packets,
        bytes: this.#received.bytes,
        discarded: this.#received.discarded,
        cumulativeLost: report?.cumulativeLost ?? 0,
        fractionLost: (report?.fractionLost ?? 0) / 256,
        jitterMs: this.#jitter.jitter / (this.#params.codec.clockRate / 1000),
      },
      roundTripMs: null,
    };
  }

  close(): void {
    this.#closed = true;
    this.#options.clock.clearTimer(this.#dtmfTimer);
    this.#dtmfQueue.length = 0;
  }

  #send(payloadType: number, timestamp: number, payload: Uint8Array, marker: boolean): void {
    const packet = serializeRtpPacket({
      marker,
      payloadType,
      sequenceNumber: this.#sequence,
      timestamp,
      ssrc: this.#ssrc,
      csrcs: [],
      payload,
      paddingLength: 0,
    });
    if (!packet.ok) return;
    this.#sequence = (this.#sequence + 1) & 0xffff;
    const to = this.#latched ?? this.#params.remoteRtp;
    this.#options.rtpSocket.send(packet.value, to.port, to.address);
    this.#sent = { packets: this.#sent.packets + 1, bytes: this.#sent.bytes + payload.length };
  }

  #nextDigit(): void {
    const digit = this.#dtmfQueue.shift();
    const events = this.#params.telephoneEvent;
    if (digit === undefined || events === undefined || this.#closed) {
      this.#dtmfActive = false;
      return;
    }
    this.#dtmfActive = true;
    const code = DTMF_EVENTS.indexOf(digit);
    const start = this.#timestamp;
    const ticksPerMs = events.clockRate / 1000;
    const clock = this.#options.clock;
    const packet = (elapsedMs: number, end: boolean): Uint8Array =>
      Uint8Array.of(
        code,
        (end ? 0x80 : 0) | DTMF_VOLUME,
        (elapsedMs * ticksPerMs) >> 8,
        (elapsedMs * ticksPerMs) & 0xff,
      );
    const step = (elapsedMs: number): void => {
      if (this.#closed) return;
      const end = elapsedMs >= DTMF_TONE_MS;
      const count = end ? 3 : 1;
      for (let copy = 0; copy < count; copy++) {
        this.#send(events.payloadType, start, packet(elapsedMs, end), elapsedMs === 0);
      }
      this.#dtmfTimer = end
        ? clock.setTimer(DTMF_GAP_MS, () => this.#nextDigit())
        : clock.setTimer(DTMF_STEP_MS, () => step(elapsedMs + DTMF_STEP_MS));
    };
    step(0);
  }

  #receive(data: Uint8Array, from: SocketAddress): void {
    if (this.#closed || !this.#params.receive) return;
    const parsed = parseRtpPacket(data);
    if (!parsed.ok) {
      this.#received.discarded++;
      return;
    }
    const packet = parsed.value;
    const events = this.#params.telephoneEvent;
    const isEvent = events !== undefined && packet.payloadType === events.payloadType;
    if (!isEvent && packet.payloadType !== this.#params.codec.payloadType) {
      this.#received.discarded++;
      return;
    }
    this.#latched = from;
    if (packet.ssrc !== this.#remoteSsrc || this.#tracker === undefined) {
      this.#remoteSsrc = packet.ssrc;
      this.#tracker = new SequenceTracker(packet.sequenceNumber);
      this.#jitter.reset();
    }
    // Events share the sequence space with audio (RFC 4733 §2.1), so they count for loss as well.
    const verdict = this.#tracker.update(packet.sequenceNumber);
    if (verdict === 'bad') {
      this.#received.discarded++;
      return;
    }
    if (isEvent) {
      this.#receiveDtmf(packet.timestamp, packet.payload, events.clockRate);
      return;
    }
    this.#received.packets++;
    this.#received.bytes += packet.payload.length;
    const now = this.#options.clock.now();
    this.#jitter.update((now * this.#params.codec.clockRate) / 1000, packet.timestamp);
    // This packet's extended number: the highest one seen, moved by the signed 16-bit distance to this packet
    // (a late packet sits behind it, possibly across a wrap).
    const highest = this.#tracker.extendedHighestSequence;
    const sequence = highest + ((((packet.sequenceNumber - highest) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    this.#options.onAudio({
      sequence,
      timestamp: packet.timestamp,
      marker: packet.marker,
      payload: packet.payload,
      arrivalMs: now,
    });
  }

  #receiveDtmf(timestamp: number, payload: Uint8Array, clockRate: number): void {
    if (payload.length < 4) {
      this.#received.discarded++;
      return;
    }
    const end = (payload[1]! & 0x80) !== 0;
    const digit = DTMF_EVENTS[payload[0]!];
    if (!end || digit === undefined || timestamp === this.#lastDtmfTimestamp) return;
    this.#lastDtmfTimestamp = timestamp;
    const duration = (payload[2]! << 8) | payload[3]!;
    this.#options.onDtmf({ digit, durationMs: Math.round(duration / (clockRate / 1000)) });
  }
}
