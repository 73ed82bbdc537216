// RFC 4733 §2.5.2 reception: telephone-event packets in, each DTMF digit out exactly once. Pure: the caller feeds
// packets with their arrival time and calls `expire` when `expiresAt` comes; nothing here reads a clock.
//
// An event is known by its RTP timestamp (§2.5.1: every packet of one event carries the instant it began).
//
//   no event ──(packet, new timestamp)──► in progress ──(packet with E bit)──────────────► digit, remembered
//                                          │  ▲ updates: the duration only grows
//                                          │  └─(duplicate or reordered update)
//                                          ├──(packet with another timestamp)─────────────► digit, next event
//                                          └──(no packet for `timeoutMs`: end packets lost)─► digit, remembered
//
// The first packet may be lost (any packet of an unknown timestamp starts the event), the three end packets
// (§2.5.1.4) and any late update of a finished event are recognised by the remembered timestamps and ignored.
import type { DtmfDigit } from '../media-seams';
import { digitOf, parseTelephoneEvent, type TelephoneEventParseError } from './telephone-event';

/** No update for this long ends the event: four of the 50 ms updates of §2.5.1.2 lost in a row. */
export const DEFAULT_DTMF_TIMEOUT_MS = 250;
/** Finished events whose stray packets are still recognised. */
const REMEMBERED_EVENTS = 8;

export interface DtmfReceiverOptions {
  /** The telephone-event clock rate (its rtpmap), for turning durations into milliseconds. */
  readonly clockRate: number;
  readonly timeoutMs?: number;
}

export interface DtmfReceiveOutcome {
  /** Digits this packet completed: none, one, or two (an unfinished event it ended, and its own). */
  readonly digits: readonly DtmfDigit[];
  /** Set when the payload was refused; nothing changed. */
  readonly rejected?: TelephoneEventParseError;
}

interface EventInProgress {
  readonly timestamp: number;
  readonly event: number;
  duration: number;
  lastPacketMs: number;
}

const NONE: DtmfReceiveOutcome = { digits: [] };

export class DtmfReceiver {
  readonly #clockRate: number;
  readonly #timeoutMs: number;
  #current: EventInProgress | undefined;
  readonly #finished: number[] = [];

  constructor(options: DtmfReceiverOptions) {
    this.#clockRate = options.clockRate;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_DTMF_TIMEOUT_MS;
  }

  /** When the event in progress times out if no packet comes, or undefined when none is in progress. */
  get expiresAt(): number | undefined {
    return this.#current === undefined ? undefined : this.#current.lastPacketMs + this.#timeoutMs;
  }

  /** Feeds one telephone-event packet: its RTP timestamp, its payload and when it arrived (ms). */
  receive(timestamp: number, payload: Uint8Array, nowMs: number): DtmfReceiveOutcome {
    const parsed = parseTelephoneEvent(payload);
    if (!parsed.ok) return { digits: [], rejected: parsed.error };
    const { event, end, duration } = parsed.value;
    if (this.#finished.includes(timestamp)) return NONE;

    const digits: DtmfDigit[] = [];
    let current = this.#current;
    if (current !== undefined && current.timestamp !== timestamp) {
      // A new event began while the old one never sent its end: the old one is over.
      digits.push(this.#finish(current));
      current = undefined;
    }
    if (current === undefined) {
      current = { timestamp, event, duration, lastPacketMs: nowMs };
      this.#current = current;
    } else {
      current.duration = Math.max(current.duration, duration);
      current.lastPacketMs = nowMs;
    }
    if (end) digits.push(this.#finish(current));
    return digits.length === 0 ? NONE : { digits };
  }

  /** Ends an event whose packets stopped coming (its end packets were all lost); call at `expiresAt`. */
  expire(nowMs: number): DtmfDigit | undefined {
    const current = this.#current;
    if (current === undefined || nowMs < current.lastPacketMs + this.#timeoutMs) return undefined;
    return this.#finish(current);
  }

  #finish(event: EventInProgress): DtmfDigit {
    this.#current = undefined;
    this.#finished.push(event.timestamp);
    if (this.#finished.length > REMEMBERED_EVENTS) this.#finished.shift();
    return {
      // parseTelephoneEvent admits only codes that have a digit.
      digit: digitOf(event.event) ?? '',
      durationMs: Math.round((event.duration * 1000) / this.#clockRate),
    };
  }
}
