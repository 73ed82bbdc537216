// The RFC 4733 §2.3 telephone-event payload: one event per packet, four octets. Parsing never throws; a payload of
// the wrong length or an event code we do not know is refused with a reason the caller counts.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     event     |E|R| volume    |          duration             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { err, ok, type Result } from '../../contract/result';

export const TELEPHONE_EVENT_PAYLOAD_LENGTH = 4;
/** RFC 4733 §2.3.5: duration is 16 bits of the telephone-event clock. */
export const MAX_EVENT_DURATION_UNITS = 0xffff;
/** §3.2: events 0-9 are the digits, 10 `*`, 11 `#`, 12-15 A-D (16, flash, is not a digit and is ignored). */
const DIGITS = '0123456789*#ABCD';

export interface TelephoneEvent {
  /** The event code, 0-15 (a DTMF digit). */
  readonly event: number;
  /** The E bit: this packet reports the end of the event. */
  readonly end: boolean;
  /** Power level in -dBm0, 0-63 (§2.3.4). */
  readonly volume: number;
  /** Duration so far in telephone-event clock units (§2.3.5). */
  readonly duration: number;
}

export type TelephoneEventParseError = 'bad-length' | 'unknown-event';

/** The event code of a DTMF digit (case-insensitive for A-D), or undefined when it is not one. */
export function eventCodeOf(digit: string): number | undefined {
  if (digit.length !== 1) return undefined;
  const code = DIGITS.indexOf(digit.toUpperCase());
  return code < 0 ? undefined : code;
}

/** The digit of an event code 0-15, or undefined. */
export function digitOf(event: number): string | undefined {
  return Number.isInteger(event) && event >= 0 && event < DIGITS.length ? DIGITS[event] : undefined;
}

/**
 * Reads one event. §2.3: a payload may in principle carry several events (redundancy, §2.5.1.5 of the multi-event
 * extension); we neither send nor expect that, so exactly four octets are required.
 */
export function parseTelephoneEvent(payload: Uint8Array): Result<TelephoneEvent, TelephoneEventParseError> {
  if (payload.length !== TELEPHONE_EVENT_PAYLOAD_LENGTH) return err('bad-length');
  const event = payload[0] ?? 0;
  if (digitOf(event) === undefined) return err('unknown-event');
  const flags = payload[1] ?? 0;
  return ok({
    event,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: ((payload[2] ?? 0) << 8) | (payload[3] ?? 0),
  });
}

/** Writes one event into a new four-octet payload; the R bit is always zero (§2.3.3). */
export function writeTelephoneEvent(event: TelephoneEvent): Uint8Array {
  const duration = Math.min(MAX_EVENT_DURATION_UNITS, Math.max(0, Math.round(event.duration)));
  return Uint8Array.from([
    event.event & 0xff,
    (event.end ? 0x80 : 0) | (event.volume & 0x3f),
    duration >>> 8,
    duration & 0xff,
  ]);
}
